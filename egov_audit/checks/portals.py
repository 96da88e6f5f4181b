"""Public portals as an inspector sees them from outside (`egov-audit probe`): IPv6, DNSSEC,
HTTPS and certificates, HSTS; and what the agency declares (network.ipv6_plan.portal_ipv6, its
address blocks) beside what the portals show.

A portal the probe could not reach at all (timeout, reset, garbage, DNS failure) is not
assessed, with the reason; controls that concern web portals only are not applicable to mail."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..inventory.model import Portal, locate
from ..ipnet import parse_addr
from ..models import Location, TargetKind, Text
from ..policy import Control
from ..portal.kind import PORTAL_PROBE
from .context import CheckContext, Finding, Verdicts, named_check

PORTAL = TargetKind.PORTAL
Facts = Mapping[str, Any]
Judge = Callable[[Portal, Facts, Verdicts], list[Finding]]
_FAMILIES = ("ipv4", "ipv6")


def per_portal(ctx: CheckContext, expected: Text | str, judge: Judge,
                web_only: bool = False, mail_only: bool = False) -> list[Finding]:
    out: list[Finding] = []
    probed = ctx.of(PORTAL_PROBE) or {}
    for portal in ctx.inventory.network.portals:
        verdicts = Verdicts(portal.name, PORTAL, expected)
        where = (portal.where,)
        if web_only and not portal.is_web:
            out.append(verdicts.not_applicable(
                "Không áp dụng cho thư điện tử.", "Not applicable to mail.",
                Text("thư điện tử", "mail"), where))
            continue
        if mail_only and portal.is_web:
            out.append(verdicts.not_applicable(
                "Chỉ áp dụng cho thư điện tử.", "Applies to mail only.",
                Text("cổng web", "web portal"), where))
            continue
        found = probed.get(portal.name)
        if found is None or not found.collected:
            reason = "chưa được thăm dò" if found is None else found.reason or str(found.status)
            reason_en = "not probed" if found is None else found.reason or str(found.status)
            out.append(verdicts.not_assessed(
                f"Không đánh giá được: {reason}.", f"Not assessed: {reason_en}.",
                Text(f"không thăm dò được: {reason}", f"could not be probed: {reason_en}"),
                where))
            continue
        out.extend(judge(portal, {**found.facts, "collected_at": found.collected_at},
                         verdicts))
    return out


def judged(verdicts: Verdicts, portal: Portal, gaps: Sequence[tuple[str, str]],
           unknown: Sequence[tuple[str, str]], observed: str,
           passed: tuple[str, str]) -> list[Finding]:
    """One portal's verdict from what is wrong and what could not be told, each (vi, en): any
    gap fails it, else anything unknown leaves it not assessed, else it passes."""
    where = (portal.where,)
    if gaps:
        return [verdicts.failed("; ".join(vi for vi, _ in gaps) + ".",
                                "; ".join(en for _, en in gaps) + ".", observed, where)]
    if unknown:
        return [verdicts.not_assessed("; ".join(vi for vi, _ in unknown) + ".",
                                      "; ".join(en for _, en in unknown) + ".", observed, where)]
    return [verdicts.passed(*passed, observed, where)]


def served(facts: Facts) -> list[tuple[str, Facts]]:
    """The families the portal answered on, with what it answered."""
    return [(family, facts["reach"][family]) for family in _FAMILIES
            if facts["reach"][family]["status"] == "ok"]


def _reach_text(reach: Facts) -> str:
    if reach["status"] == "ok":
        private = ", private: --allow-private" if reach.get("allowed_private") else ""
        return f"{reach['address']} ({reach.get('protocol') or 'ok'}{private})"
    if reach["status"] == "no_address":
        return "no address"
    return f"{reach.get('address', '?')}: {reach.get('reason') or reach['status']}"


def _observed_reach(facts: Facts) -> str:
    return " · ".join(f"{family.replace('ipv', 'IPv')}: {_reach_text(facts['reach'][family])}"
                      for family in _FAMILIES)


# -- PORTAL-IPV6-01 ---------------------------------------------------------------------------
@named_check("portal_ipv6", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "cổng thông tin trả lời qua IPv6 (có bản ghi AAAA và kết nối được)",
    "the portal answers over IPv6 (an AAAA record, and reachable)"))
def portal_ipv6(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """The portal (the mail domain's exchanger, for mail) has an IPv6 address in DNS and
    answers on it: HTTPS for web portals, SMTP for mail."""

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        six = facts["reach"]["ipv6"]
        observed = _observed_reach(facts)
        if six["status"] == "ok":
            return [verdicts.passed(f"Trả lời qua IPv6 tại {six['address']}.",
                                    f"Answers over IPv6 at {six['address']}.", observed,
                                    (portal.where,))]
        if six["status"] == "no_address":
            return [verdicts.failed("Không có bản ghi AAAA: chưa phục vụ qua IPv6.",
                                    "No AAAA record: not served over IPv6.", observed,
                                    (portal.where,))]
        return [verdicts.failed(f"Có địa chỉ IPv6 nhưng không kết nối được ({_reach_text(six)}).",
                                f"An IPv6 address, but it does not answer ({_reach_text(six)}).",
                                observed, (portal.where,))]

    return per_portal(ctx, Text("trả lời qua IPv6", "answers over IPv6"), judge)


# -- PORTAL-IPV6-02 ---------------------------------------------------------------------------
@named_check("portal_ipv6_in_blocks", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "địa chỉ IPv6 phục vụ cổng nằm trong khối địa chỉ của đơn vị",
    "the IPv6 addresses serving the portal lie in the agency's address blocks"))
def portal_ipv6_in_blocks(ctx: CheckContext, control: Control,
                          args: Mapping[str, Any]) -> list[Finding]:
    """Every AAAA address of the portal lies in one of the agency's declared address blocks
    (network.address_blocks): a portal served from someone else's space is not on the
    agency's own IPv6."""
    blocks = [b.prefix for b in ctx.inventory.network.blocks if b.prefix.net.version == 6]
    shown = ", ".join(p.net.text for p in blocks) or "—"

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        addresses = list(facts["dns"]["aaaa"])
        where: tuple[Location, ...] = (portal.where, locate(ctx.inventory.network.source,
                                                          ("address_blocks",)))
        if not addresses:
            return [verdicts.not_applicable("Không có bản ghi AAAA.", "No AAAA record.",
                                            "AAAA: —", where)]
        outside = [a for a in addresses
                   if not any(p.net.contains(parse_addr(a)) for p in blocks)]
        observed = f"AAAA: {', '.join(addresses)}"
        if not outside:
            return [verdicts.passed(f"Địa chỉ IPv6 nằm trong khối của đơn vị ({shown}).",
                                    f"The IPv6 addresses lie in the agency's blocks ({shown}).",
                                    observed, where)]
        return [verdicts.failed(
            f"Địa chỉ IPv6 ngoài các khối của đơn vị ({shown}): {', '.join(outside)}.",
            f"IPv6 addresses outside the agency's blocks ({shown}): {', '.join(outside)}.",
            observed, where)]

    return per_portal(ctx, Text(f"trong {shown}", f"inside {shown}"), judge)


# -- PORTAL-IPV6-03 ---------------------------------------------------------------------------
_DECLARED_KINDS = ("web_portal", "public_service")


@named_check("portal_ipv6_declared", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "khai báo network.ipv6_plan.portal_ipv6 khớp với thực tế",
    "the declared network.ipv6_plan.portal_ipv6 agrees with what the portals serve"))
def portal_ipv6_declared(ctx: CheckContext, control: Control,
                         args: Mapping[str, Any]) -> list[Finding]:
    """What the agency declares about its portals' IPv6 (network.ipv6_plan.portal_ipv6) agrees
    with what each web or public-service portal serves: a report to the ministry must not say
    IPv6 where there is none, nor miss it where it is."""
    plan = ctx.inventory.network.data.get("ipv6_plan") or {}
    declared = plan.get("portal_ipv6")
    src = ctx.inventory.network.source
    decl_where = locate(src, ("ipv6_plan", "portal_ipv6")) if declared is not None \
        else locate(src)
    said = Text(f"khai báo: {str(declared).lower()}", f"declared: {str(declared).lower()}") \
        if declared is not None else Text("khai báo: không có", "declared: nothing")

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        where = (portal.where, decl_where)
        if portal.kind not in _DECLARED_KINDS:
            return [verdicts.not_applicable(
                "Khai báo portal_ipv6 chỉ nói về cổng thông tin và cổng dịch vụ công.",
                "portal_ipv6 speaks of web and public-service portals only.", portal.kind,
                where)]
        served = facts["reach"]["ipv6"]["status"] == "ok"
        seen = Text("thực tế: có IPv6" if served else "thực tế: không có IPv6",
                    "observed: IPv6" if served else "observed: no IPv6")
        observed = Text(f"{said.vi} · {seen.vi}", f"{said.en} · {seen.en}")
        if declared is served:
            return [verdicts.passed("Khai báo khớp với thực tế.",
                                    "The declaration agrees with what is served.",
                                    observed, where)]
        if declared is None:
            return [verdicts.failed(
                "Chưa khai báo network.ipv6_plan.portal_ipv6.",
                "network.ipv6_plan.portal_ipv6 is not declared.", observed, where)]
        return [verdicts.failed(
            f"Khai báo portal_ipv6: {str(declared).lower()} nhưng "
            f"{'cổng có' if served else 'cổng không có'} IPv6.",
            f"Declared portal_ipv6: {str(declared).lower()}, but the portal is "
            f"{'' if served else 'not '}served over IPv6.", observed, where)]

    return per_portal(ctx, Text("khai báo khớp thực tế", "declaration = observation"), judge)


# -- PORTAL-DNS-01 ----------------------------------------------------------------------------
# what evidence from probes before 0.1 says (the resolver's AD flag)
_DNSSEC = {
    "unsigned": Text("vùng DNS chưa được ký (không có DNSSEC)",
                     "the DNS zone is not signed (no DNSSEC)"),
    "unvalidated": Text("vùng có chữ ký nhưng không xác thực được từ gốc tin cậy (thiếu bản ghi "
                        "DS ở vùng cha?)",
                        "the zone is signed but does not validate from a trust anchor (no DS "
                        "record in the parent?)"),
    "bogus": Text("chữ ký DNSSEC không hợp lệ: trình phân giải có kiểm tra trả lời SERVFAIL",
                  "the DNSSEC signatures do not validate: a validating resolver answers "
                  "SERVFAIL"),
}
# why a name is not secure, as egov-audit's own validator tells it (portal/dnssec.py)
_REASONS = {
    "expired": Text("chữ ký (RRSIG) đã hết hạn", "a signature (RRSIG) has expired"),
    "not_yet_valid": Text("chữ ký (RRSIG) chưa đến thời điểm hiệu lực",
                          "a signature (RRSIG) is not valid yet"),
    "ds_mismatch": Text("bản ghi DS ở vùng cha không khớp khóa DNSKEY nào của vùng",
                        "the DS record in the parent matches no DNSKEY of the zone"),
    "wrong_algorithm": Text("thuật toán ghi trong DS hoặc chữ ký không khớp khóa",
                            "the algorithm named by the DS or signature does not match the key"),
    "no_signature": Text("bản ghi không có chữ ký trong một vùng đã ký",
                         "a record of a signed zone carries no signature"),
    "bad_signature": Text("chữ ký không đúng", "a signature does not verify"),
    "no_dnskey": Text("vùng cha có DS nhưng vùng không công bố DNSKEY",
                      "the parent has a DS but the zone publishes no DNSKEY"),
    "no_denial": Text("sự không tồn tại của bản ghi không được chứng minh bằng NSEC/NSEC3 có ký",
                      "an absence is not proven by a signed NSEC/NSEC3 record"),
    "no_ds": Text("vùng cha chứng minh không có bản ghi DS: chuỗi tin cậy dừng ở đó",
                  "the parent proves there is no DS record: the chain of trust stops there"),
    "opt_out": Text("vùng cha bỏ qua (NSEC3 opt-out) ủy quyền không có DS",
                    "the parent opts the delegation out (NSEC3 opt-out): no DS"),
    "unsupported_algorithm": Text("DS chỉ dùng thuật toán không còn được kiểm tra",
                                  "the DS uses only algorithms that are no longer validated"),
    "no_anchor": Text("không có gốc tin cậy nào bao trùm tên này",
                      "no trust anchor covers the name"),
}


@named_check("portal_dnssec", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "tên miền được ký DNSSEC và xác thực được", "the name is DNSSEC-signed and validates"))
def portal_dnssec(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """The portal's name (the mail domain, for mail) is signed with DNSSEC and its answers
    validate from the trust anchor down (egov-audit validates the chain itself: secure,
    insecure, bogus with its reason, or indeterminate): a forged answer would be refused."""

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        dns = facts["dns"]
        state, name, where = dns["dnssec"], dns["name"], (portal.where,)
        reason = dns.get("dnssec_reason", "")
        by = dns.get("trust_anchor") or dns.get("resolver", "?")
        observed = f"DNSSEC: {state}" + (f" ({reason}" + (f", {dns['dnssec_zone']}"
                                                          if dns.get("dnssec_zone") else "")
                                         + ")" if reason else "") + f" [{by}]"
        detail = f": {dns['dnssec_error']}" if dns.get("dnssec_error") else ""
        if state == "secure":
            return [verdicts.passed("Tên miền được ký và xác thực được (DNSSEC).",
                                    "The name is signed and validates (DNSSEC).", observed,
                                    where)]
        if state == "indeterminate":
            return [verdicts.not_assessed(
                f"Không xác định được trạng thái DNSSEC của {name}{detail}.",
                f"The DNSSEC state of {name} could not be determined{detail}.", observed,
                where)]
        if dns.get("validated_by") != "egov-audit":
            why = _DNSSEC[state]
            return [verdicts.failed(f"{name}: {why.vi}.", f"{name}: {why.en}.", observed,
                                    where)]
        cause = _REASONS.get(reason, Text(reason or "?", reason or "?"))
        if state == "insecure":
            return [verdicts.failed(f"{name}: không được bảo vệ bằng DNSSEC: {cause.vi}{detail}.",
                                    f"{name}: not protected by DNSSEC: {cause.en}{detail}.",
                                    observed, where)]
        return [verdicts.failed(f"{name}: DNSSEC không hợp lệ (bogus): {cause.vi}{detail}.",
                                f"{name}: DNSSEC does not validate (bogus): {cause.en}{detail}.",
                                observed, where)]

    return per_portal(ctx, "DNSSEC: secure", judge)


# -- PORTAL-DNS-02 ----------------------------------------------------------------------------
def _server_gaps(server: Facts) -> tuple[list[str], list[str]]:
    """Why one name server does not answer for its zone on both families (vi, en)."""
    vi, en = [], []
    for family in _FAMILIES:
        seen = server.get(family) or {"status": "error", "reason": "not asked"}
        label = family.replace("ipv", "IPv")
        if seen["status"] == "ok":
            continue
        if seen["status"] == "no_address":
            vi.append(f"{server['name']}: không có địa chỉ {label}")
            en.append(f"{server['name']}: no {label} address")
        else:
            why = seen.get("reason") or seen["status"]
            at = f" ({seen['address']})" if seen.get("address") else ""
            vi.append(f"{server['name']}: không trả lời qua {label}{at}: {why}")
            en.append(f"{server['name']}: no answer over {label}{at}: {why}")
    return vi, en


def _server_text(server: Facts) -> str:
    def one(family: str) -> str:
        seen = server.get(family) or {}
        if seen.get("status") == "ok":
            return str(seen.get("address", "ok"))
        return "—" if seen.get("status") == "no_address" else f"{seen.get('status', '?')}"

    return f"{server['name']} (IPv4 {one('ipv4')}, IPv6 {one('ipv6')})"


@named_check("portal_name_servers", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "mọi máy chủ tên của vùng trả lời qua IPv4 và IPv6",
    "every name server of the zone answers over IPv4 and IPv6"))
def portal_name_servers(ctx: CheckContext, control: Control,
                        args: Mapping[str, Any]) -> list[Finding]:
    """Every name server of the zone that holds the portal's name (the mail domain, for mail)
    has an IPv4 and an IPv6 address and answers for the zone on each: a client on IPv6 alone
    can find the portal."""

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        where = (portal.where,)
        found = facts.get("name_servers")
        if found is None:
            return [verdicts.not_assessed(
                "Bằng chứng từ bản thăm dò cũ chưa hỏi các máy chủ tên: hãy thăm dò lại.",
                "The probe that made this evidence did not ask the name servers: probe again.",
                "", where)]
        if not found["zone"] or not found["servers"]:
            reason = found.get("reason") or "no name server"
            return [verdicts.not_assessed(f"Không tìm được máy chủ tên của vùng: {reason}.",
                                          f"The zone's name servers were not found: {reason}.",
                                          reason, where)]
        observed = f"{found['zone']}: " + "; ".join(_server_text(s) for s in found["servers"])
        vi, en = [], []
        for server in found["servers"]:
            gaps = _server_gaps(server)
            vi += gaps[0]
            en += gaps[1]
        if vi:
            return [verdicts.failed(f"Vùng {found['zone']}: " + "; ".join(vi) + ".",
                                    f"Zone {found['zone']}: " + "; ".join(en) + ".",
                                    observed, where)]
        return [verdicts.passed(
            f"Mọi máy chủ tên của {found['zone']} trả lời qua IPv4 và IPv6.",
            f"Every name server of {found['zone']} answers over IPv4 and IPv6.", observed,
            where)]

    return per_portal(ctx, Text("máy chủ tên qua IPv4 và IPv6", "name servers on IPv4 and IPv6"),
                      judge)


# -- PORTAL-HTTP-01 ---------------------------------------------------------------------------
@named_check("portal_https_only", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "truy cập http được chuyển hướng sang https (hoặc không phục vụ http)",
    "plain http redirects to https (or is not served)"))
def portal_https_only(ctx: CheckContext, control: Control,
                      args: Mapping[str, Any]) -> list[Finding]:
    """The declared URL over plain http is either not served or redirected (301, 302, 307,
    308) to https on the same name: no page of the portal travels unencrypted."""

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        plain = facts["http"]
        where = (portal.where,)
        if plain["status"] != "ok":
            return [verdicts.passed("Không phục vụ http (chỉ https).",
                                    "Plain http is not served (https only).",
                                    f"http: {plain.get('reason') or plain['status']}", where)]
        code = plain["http"]["status"]
        location = plain["http"]["headers"].get("location", "")
        observed = f"http: {code}" + (f" → {location}" if location else "")
        target = location.split("/", 3)
        to_https = code in (301, 302, 307, 308) and len(target) >= 3 and \
            target[0] == "https:" and target[2].split(":")[0].lower() == portal.host
        if to_https:
            return [verdicts.passed("http chuyển hướng sang https.",
                                    "Plain http redirects to https.", observed, where)]
        return [verdicts.failed(f"http không chuyển hướng sang https ({observed}).",
                                f"Plain http does not redirect to https ({observed}).",
                                observed, where)]

    return per_portal(ctx, "http → https", judge, web_only=True)


# -- PORTAL-HTTP-02 ---------------------------------------------------------------------------
def hsts_max_age(value: str) -> int | None:
    """The max-age of a Strict-Transport-Security header (RFC 6797), None if it has none."""
    for directive in value.split(";"):
        name, _, number = directive.strip().partition("=")
        if name.strip().lower() == "max-age":
            number = number.strip().strip('"')
            return int(number) if number.isdigit() and len(number) < 12 else None
    return None


@named_check("portal_hsts", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "có HSTS với max-age ≥ {portal_hsts_min_days} ngày",
    "HSTS with a max-age of at least {portal_hsts_min_days} days"),
    params=["network.portal_hsts_min_days"])
def portal_hsts(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """Every https answer carries Strict-Transport-Security with a max-age of at least the
    level's minimum: browsers then never fall back to plain http."""
    min_days = int(ctx.param("network.portal_hsts_min_days", control))

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        seen: list[str] = []
        short: list[str] = []
        for family, reach in served(facts):
            header = (reach.get("http") or {}).get("headers", {}).get(
                "strict-transport-security")
            age = hsts_max_age(header) if header else None
            seen.append(f"{family}: {header or '—'}")
            if age is None or age < min_days * 86400:
                short.append(family)
        observed = " | ".join(seen)
        where = (portal.where,)
        if short:
            return [verdicts.failed(
                f"Thiếu HSTS hoặc max-age dưới {min_days} ngày ({', '.join(short)}).",
                f"No HSTS, or a max-age under {min_days} days ({', '.join(short)}).",
                observed, where)]
        return [verdicts.passed("Có HSTS đủ dài.", "HSTS is set, long enough.", observed,
                                where)]

    return per_portal(ctx, Text(f"HSTS ≥ {min_days} ngày", f"HSTS ≥ {min_days} days"),
                       judge, web_only=True)

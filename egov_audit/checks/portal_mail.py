"""Mail that cannot be spoofed or read in transit, as Internet.nl's mail test judges it: SPF
(RFC 7208, as pyspf evaluates it for a sender the domain does not list), DMARC (RFC 7489),
DKIM keys of the declared selectors (RFC 6376, 8301, 8463), STARTTLS on each exchanger with
TLS 1.2+ and a valid certificate (RFC 3207, 8996), DANE TLSA (RFC 7672) where DNSSEC is on,
and MTA-STS (RFC 8461) where it is published. The probe's evidence: portal/mail.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..inventory.model import Portal
from ..models import Text
from ..policy import Control
from ..portal.certificates import matches
from ..portal.kind import PORTAL_PROBE
from ..portal.mailrecords import UNLISTED_SENDER, sts_policy, tags
from ..portal.tls import LEGACY
from .context import CheckContext, Finding, Verdicts, named_check
from .portal_tls import certificate_problems, when
from .portals import PORTAL, Facts, judged, per_portal

Gaps = list[tuple[str, str]]  # (vi, en)
# an exchanger's RSA key: the NCSC's TLS guidelines, which Internet.nl applies (the profile
# has no levels to vary it by)
_MIN_RSA = 2048
_OLD_PROBE = ("Bằng chứng từ bản thăm dò cũ chưa xem thư điện tử: hãy thăm dò lại.",
              "The probe that made this evidence did not look at mail: probe again.")


def _mail_check(ctx: CheckContext, expected: Text | str,
                judge: Any) -> list[Finding]:
    """Per mail domain: `judge(portal, mail facts, all facts, verdicts)`; evidence from a
    probe that did not look at mail is not assessed."""

    def each(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        mail = facts.get("mail")
        if mail is None:
            return [verdicts.not_assessed(*_OLD_PROBE, "", (portal.where,))]
        return list(judge(portal, mail, facts, verdicts))

    return per_portal(ctx, expected, each, mail_only=True)


# -- PORTAL-MAIL-01: SPF -----------------------------------------------------------------------
_SPF_OUTCOME = {"neutral": ("trung lập (?all hoặc không có all)", "neutral (?all, or no all)"),
                "pass": ("được chấp nhận (+all, hoặc dải quá rộng)",
                         "accepted (+all, or too wide a range)")}


@named_check("portal_spf", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "một bản ghi SPF hợp lệ, ≤ 10 lượt tra DNS, kết thúc bằng -all hoặc ~all",
    "one valid SPF record, at most 10 DNS lookups, ending in -all or ~all"))
def portal_spf(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """The mail domain publishes one SPF record that a receiver can evaluate (valid syntax,
    within RFC 7208's 10 DNS lookups and 2 void lookups) and that fails or soft-fails a sender
    it does not list (-all or ~all): judged by evaluating it for such a sender."""

    def judge(portal: Portal, mail: Facts, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        spf = mail["spf"]
        result, why = spf["result"], spf.get("explanation", "")
        observed = " | ".join(spf["records"]) or "—"
        if "lookups" in spf:
            observed += f" · {spf['lookups']} DNS lookups"
        observed += f" · {UNLISTED_SENDER}: {result}"
        gaps: Gaps = []
        unknown: Gaps = []
        if result == "none":
            gaps.append(("Tên miền thư không có bản ghi SPF", "The mail domain has no SPF record"))
        elif result == "permerror":
            gaps.append((f"Bên nhận không đánh giá được bản ghi SPF ({why})",
                         f"Receivers cannot evaluate the SPF record ({why})"))
        elif result == "temperror":
            unknown.append((f"Không tra được SPF ({why})", f"SPF could not be looked up ({why})"))
        elif result in _SPF_OUTCOME:
            vi, en = _SPF_OUTCOME[result]
            gaps.append((f"Thư từ máy gửi không được liệt kê ({UNLISTED_SENDER}) bị coi là {vi}",
                         f"Mail from a sender it does not list ({UNLISTED_SENDER}) is {en}"))
        return judged(verdicts, portal, gaps, unknown, observed, (
            f"SPF hợp lệ; máy gửi không được liệt kê: {result}.",
            f"A valid SPF record; a sender it does not list: {result}."))

    return _mail_check(ctx, "-all | ~all", judge)


# -- PORTAL-MAIL-02: DMARC ---------------------------------------------------------------------
@named_check("portal_dmarc", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "một bản ghi DMARC với p=quarantine hoặc p=reject, áp dụng cho mọi thư",
    "one DMARC record with p=quarantine or p=reject, applied to all mail"))
def portal_dmarc(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """The mail domain publishes one DMARC record at _dmarc.<domain> whose policy quarantines
    or rejects mail that fails SPF and DKIM alignment (p=quarantine or p=reject), for all such
    mail (no pct below 100)."""

    def judge(portal: Portal, mail: Facts, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        dmarc = mail["dmarc"]
        records = dmarc["records"]
        observed = " | ".join(records) or "—"
        gaps: Gaps = []
        unknown: Gaps = []
        if dmarc.get("error"):
            unknown.append((f"Không tra được DMARC ({dmarc['error']})",
                            f"DMARC could not be looked up ({dmarc['error']})"))
        elif not records:
            gaps.append((f"Không có bản ghi DMARC tại _dmarc.{portal.host}",
                         f"No DMARC record at _dmarc.{portal.host}"))
        elif len(records) > 1:
            gaps.append((f"{len(records)} bản ghi DMARC: bên nhận bỏ qua cả",
                         f"{len(records)} DMARC records: receivers ignore them all"))
        else:
            found = tags(records[0])
            policy = found.get("p", "").lower()
            pct = found.get("pct", "100")
            if policy not in ("quarantine", "reject"):
                shown = f"p={policy}" if policy else "p= absent"
                gaps.append((f"Chính sách {shown}: thư giả mạo vẫn được nhận",
                             f"Policy {shown}: spoofed mail is still accepted"))
            if pct != "100":
                gaps.append((f"pct={pct}: chính sách chỉ áp dụng cho một phần thư",
                             f"pct={pct}: the policy applies to part of the mail only"))
        return judged(verdicts, portal, gaps, unknown, observed, (
            "DMARC cách ly hoặc từ chối thư giả mạo.",
            "DMARC quarantines or rejects spoofed mail."))

    return _mail_check(ctx, "p=quarantine | p=reject", judge)


# -- PORTAL-MAIL-03: DKIM ----------------------------------------------------------------------
@named_check("portal_dkim", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "mỗi selector DKIM đã khai báo có một khóa công khai dùng được (RSA ≥ 1024 bit, Ed25519)",
    "each declared DKIM selector has one usable public key (RSA ≥ 1024 bits, Ed25519)"))
def portal_dkim(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """Each DKIM selector the inventory declares for the mail domain publishes one key record
    at <selector>._domainkey.<domain> holding a usable public key: not revoked (empty p=), RSA
    of at least 1024 bits (RFC 8301) or Ed25519 (RFC 8463). Without declared selectors there is
    nothing to look up (DKIM keys cannot be listed): not applicable."""

    def judge(portal: Portal, mail: Facts, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        where = (portal.where,)
        if not portal.dkim_selectors:
            return [verdicts.not_applicable(
                "Chưa khai báo selector DKIM (network.portals[].dkim_selectors).",
                "No DKIM selector declared (network.portals[].dkim_selectors).", "—", where)]
        looked = {entry["selector"]: entry for entry in mail["dkim"]}
        seen: list[str] = []
        gaps: Gaps = []
        unknown: Gaps = []
        for selector in portal.dkim_selectors:
            name = f"{selector}._domainkey.{portal.host}"
            entry = looked.get(selector)
            if entry is None:
                unknown.append((f"{name}: chưa được thăm dò (hãy thăm dò lại)",
                                f"{name}: not probed (probe again)"))
                continue
            key = entry.get("key") or {}
            seen.append(f"{name}: " + (f"{key.get('type', '?')} {key['bits']}" if "bits" in key
                                       else "revoked" if key.get("revoked")
                                       else key.get("error") or f"{len(entry['records'])} records"))
            if entry.get("error"):
                unknown.append((f"{name}: không tra được ({entry['error']})",
                                f"{name}: could not be looked up ({entry['error']})"))
            elif not entry["records"]:
                gaps.append((f"{name}: không có khóa", f"{name}: no key"))
            elif len(entry["records"]) > 1:
                gaps.append((f"{name}: {len(entry['records'])} bản ghi, bên nhận không biết dùng "
                             "bản nào", f"{name}: {len(entry['records'])} records, receivers "
                             "cannot tell which applies"))
            elif key.get("revoked"):
                gaps.append((f"{name}: khóa đã bị thu hồi (p= rỗng)",
                             f"{name}: the key is revoked (empty p=)"))
            elif key.get("error"):
                gaps.append((f"{name}: {key['error']}", f"{name}: {key['error']}"))
            elif key.get("type") == "rsa" and key.get("bits", 0) < 1024:
                gaps.append((f"{name}: khóa RSA {key['bits']} bit (cần ≥ 1024)",
                             f"{name}: an RSA key of {key['bits']} bits (≥ 1024 required)"))
        return judged(verdicts, portal, gaps, unknown, " | ".join(seen) or "—", (
            "Mọi selector DKIM đã khai báo có khóa dùng được.",
            "Every declared DKIM selector has a usable key."))

    return _mail_check(ctx, Text("khóa dùng được", "a usable key"), judge)


# -- PORTAL-MAIL-04: STARTTLS ------------------------------------------------------------------
def _reach_gap(exchanger: Facts) -> tuple[str, str]:
    host, why = exchanger["host"], exchanger.get("reason") or exchanger["status"]
    return (f"{host}: không kết nối được ({why})", f"{host}: could not be reached ({why})")


@named_check("portal_mail_starttls", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "mọi máy chủ MX có STARTTLS, chỉ TLS 1.2 trở lên, chứng thư hợp lệ đúng tên",
    "every MX offers STARTTLS, TLS 1.2 or later only, a valid certificate for its name"))
def portal_mail_starttls(ctx: CheckContext, control: Control,
                         args: Mapping[str, Any]) -> list[Finding]:
    """Each of the domain's best mail exchangers (MX) offers STARTTLS, accepts TLS 1.2 or 1.3
    and refuses SSL 2.0 to TLS 1.1, and presents only certificates that verify, carry the
    exchanger's name and have not expired: mail between servers is then encrypted."""
    def judge(portal: Portal, mail: Facts, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        probed = when(facts["collected_at"])
        gaps: Gaps = []
        unknown: Gaps = []
        seen: list[str] = []
        if not mail["exchangers"]:
            unknown.append(("Không tìm thấy máy chủ thư (MX) nào", "No mail exchanger (MX) found"))
        for exchanger in mail["exchangers"]:
            host = exchanger["host"]
            if exchanger["status"] != "ok":
                unknown.append(_reach_gap(exchanger))
                seen.append(f"{host}: {exchanger.get('reason') or exchanger['status']}")
                continue
            if not exchanger["starttls"]:
                gaps.append((f"{host}: không có STARTTLS, thư được gửi không mã hóa",
                             f"{host}: no STARTTLS, mail travels unencrypted"))
                seen.append(f"{host} ({exchanger['address']}): STARTTLS no")
                continue
            tls = exchanger.get("tls")
            if tls is None:
                why = exchanger.get("tls_error", "?")
                unknown.append((f"{host}: {why}", f"{host}: {why}"))
                continue
            versions = tls["versions"]
            accepted = [name for name, ok in versions.items() if ok]
            seen.append(f"{host} ({exchanger['address']}): STARTTLS yes · {', '.join(accepted)}")
            legacy = [name for name in LEGACY if versions.get(name)]
            if legacy:
                gaps.append((f"{host}: chấp nhận {', '.join(legacy)}",
                             f"{host}: accepts {', '.join(legacy)}"))
            elif not any(versions.get(v) for v in ("TLSv1.2", "TLSv1.3")):
                gaps.append((f"{host}: không có TLS 1.2 hay 1.3",
                             f"{host}: neither TLS 1.2 nor 1.3"))
            for deployment in tls.get("certificates") or []:
                cert = deployment["certificate"]
                label = f"{host} {cert['key_type']}"
                seen.append(f"{label}: {cert['subject']} · {cert['issuer']} · "
                            f"{cert['not_after'][:10]}")
                if not deployment["trusted"]:
                    error = deployment.get("trust_error", "?")
                    gaps.append((f"{label}: không xác thực được ({error})",
                                 f"{label}: does not verify ({error})"))
                gaps += certificate_problems(cert, label, host, probed, 0, _MIN_RSA)
            if not tls.get("certificates"):
                why = tls.get("certificates_error", "no certificate read")
                unknown.append((f"{host}: {why}", f"{host}: {why}"))
        return judged(verdicts, portal, list(dict.fromkeys(gaps)), unknown,
                        " | ".join(seen) or "—", (
                            "Mọi máy chủ thư có STARTTLS với TLS 1.2+ và chứng thư hợp lệ.",
                            "Every exchanger offers STARTTLS with TLS 1.2+ and a valid "
                            "certificate."))

    return _mail_check(ctx, "STARTTLS, TLSv1.2+", judge)


# -- PORTAL-MAIL-05: DANE ----------------------------------------------------------------------
def _usable(record: str) -> bool:
    """DANE-TA (2) and DANE-EE (3): the usages RFC 7672 lets SMTP use."""
    return record.split()[:1] in (["2"], ["3"])


@named_check("portal_dane", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "mỗi máy chủ MX trong vùng có DNSSEC có bản ghi TLSA khớp với chứng thư nó gửi",
    "each MX in a DNSSEC-signed zone has TLSA records matching the certificate it sends"))
def portal_dane(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """Each mail exchanger whose name DNSSEC secures publishes DANE TLSA records at
    _25._tcp.<exchanger> (DANE-TA or DANE-EE) and one of them matches the certificate chain the
    exchanger sends: a sending server then refuses a forged certificate or a stripped STARTTLS.
    Not applicable where no exchanger's name is signed (DANE needs DNSSEC)."""

    def judge(portal: Portal, mail: Facts, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        gaps: Gaps = []
        unknown: Gaps = []
        seen: list[str] = []
        signed = 0
        for exchanger in mail["exchangers"]:
            tlsa, host = exchanger["tlsa"], exchanger["host"]
            if tlsa.get("error"):
                unknown.append((f"{tlsa['name']}: {tlsa['error']}",
                                f"{tlsa['name']}: {tlsa['error']}"))
                continue
            records = tlsa["records"]
            seen.append(f"{tlsa['name']} ({tlsa.get('dnssec', '?')}): "
                        + (", ".join(r["record"][:40] + ("…" if len(r["record"]) > 40 else "")
                                     + {True: " ✓", False: " ✗"}.get(r.get("matches"), "")
                                     for r in records) or "—"))
            if tlsa.get("dnssec") != "secure":
                continue
            signed += 1
            usable = [r for r in records if _usable(r["record"])]
            if not usable:
                gaps.append((f"{host}: không có bản ghi TLSA DANE-TA/DANE-EE tại {tlsa['name']}",
                             f"{host}: no DANE-TA/DANE-EE TLSA record at {tlsa['name']}"))
            elif exchanger["status"] == "ok" and exchanger.get("starttls") is False:
                gaps.append((f"{host}: có TLSA nhưng không có STARTTLS",
                             f"{host}: TLSA published, but no STARTTLS"))
            elif any(r.get("matches") for r in usable):
                continue
            elif all("matches" in r for r in usable) and exchanger.get("tls"):
                gaps.append((f"{host}: không bản ghi TLSA nào khớp chứng thư máy chủ gửi",
                             f"{host}: no TLSA record matches the certificate it sends"))
            else:
                unknown.append((f"{host}: không đọc được chứng thư để so với TLSA",
                                f"{host}: its certificate could not be read to match TLSA"))
        if not signed and not gaps and not unknown:
            return [verdicts.not_applicable(
                "Tên các máy chủ thư không được ký DNSSEC: DANE không áp dụng.",
                "No exchanger's name is signed with DNSSEC: DANE does not apply.",
                " | ".join(seen) or "—", (portal.where,))]
        return judged(verdicts, portal, gaps, unknown, " | ".join(seen) or "—", (
            "Bản ghi TLSA của mọi máy chủ thư khớp chứng thư của nó.",
            "Every exchanger's TLSA records match its certificate."))

    return _mail_check(ctx, "TLSA ✓", judge)


# -- PORTAL-MAIL-06: MTA-STS -------------------------------------------------------------------
def _sts_gaps(mail: Facts) -> Gaps:
    """What keeps the published MTA-STS policy from protecting the domain's mail."""
    sts = mail["mta_sts"]
    gaps: Gaps = []
    if len(sts["records"]) > 1:
        gaps.append((f"{len(sts['records'])} bản ghi _mta-sts: bên gửi coi như không có",
                     f"{len(sts['records'])} _mta-sts records: senders see none"))
    if not all(0 < len(tags(r).get("id", "")) <= 32 and tags(r)["id"].isalnum()
               for r in sts["records"]):
        gaps.append(("Bản ghi _mta-sts thiếu id hợp lệ (1-32 chữ và số)",
                     "The _mta-sts record lacks a valid id (1-32 letters and digits)"))
    policy = sts.get("policy") or {}
    if policy.get("status") != "ok":
        why = policy.get("reason", "?")
        return [*gaps, (f"Không tải được tệp chính sách qua https ({why})",
                        f"The policy file could not be fetched over https ({why})")]
    if policy["http_status"] != 200:
        return [*gaps, (f"Tệp chính sách trả về HTTP {policy['http_status']}",
                        f"The policy file answers HTTP {policy['http_status']}")]
    if policy["content_type"].split(";")[0].strip().lower() != "text/plain":
        gaps.append((f"Kiểu nội dung {policy['content_type'] or '—'} (cần text/plain)",
                     f"Content type {policy['content_type'] or '—'} (text/plain required)"))
    found = sts_policy(policy.get("text", ""))
    mode, max_age = found.get("mode", ""), found.get("max_age", "")
    if found.get("version") != "STSv1":
        gaps.append(("Thiếu version: STSv1", "No version: STSv1"))
    if mode not in ("enforce", "testing"):
        gaps.append((f"mode: {mode or '—'} (cần enforce hoặc testing)",
                     f"mode: {mode or '—'} (enforce or testing required)"))
    if not (max_age.isdigit() and len(max_age) <= 10 and int(max_age) <= 31557600):
        gaps.append((f"max_age: {max_age or '—'} không hợp lệ", f"max_age: {max_age or '—'} "
                     "is not valid"))
    for exchanger in mail["exchangers"]:
        if not any(matches(pattern, exchanger["host"]) for pattern in found["mx"]):
            gaps.append((f"{exchanger['host']} không có trong các dòng mx của chính sách",
                         f"{exchanger['host']} is not in the policy's mx lines"))
    return gaps


@named_check("portal_mta_sts", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "nếu công bố MTA-STS: chính sách hợp lệ, mode enforce hoặc testing, phủ mọi máy chủ MX",
    "where MTA-STS is published: a valid policy, mode enforce or testing, covering every MX"))
def portal_mta_sts(ctx: CheckContext, control: Control,
                   args: Mapping[str, Any]) -> list[Finding]:
    """Where the domain publishes MTA-STS (a _mta-sts TXT record), the policy file at
    https://mta-sts.<domain>/.well-known/mta-sts.txt is served with a valid certificate and
    without redirect, is well formed (version STSv1, mode enforce or testing, max_age) and
    lists every exchanger: sending servers then insist on TLS to the right servers. Not
    applicable where none is published."""

    def judge(portal: Portal, mail: Facts, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        sts = mail["mta_sts"]
        where = (portal.where,)
        policy = sts.get("policy") or {}
        observed = " | ".join(sts["records"]) or "—"
        if policy.get("text"):
            found = sts_policy(policy["text"])
            observed += (f" · mode: {found.get('mode', '—')} · mx: "
                         f"{', '.join(found['mx']) or '—'} · max_age: {found.get('max_age', '—')}")
        if sts.get("error"):
            return [verdicts.not_assessed(f"Không tra được _mta-sts ({sts['error']}).",
                                          f"_mta-sts could not be looked up ({sts['error']}).",
                                          observed, where)]
        if not sts["records"]:
            return [verdicts.not_applicable("Tên miền không công bố MTA-STS.",
                                            "The domain publishes no MTA-STS.", observed, where)]
        return judged(verdicts, portal, _sts_gaps(mail), [], observed, (
            "Chính sách MTA-STS hợp lệ và phủ mọi máy chủ thư.",
            "A valid MTA-STS policy that covers every exchanger."))

    return _mail_check(ctx, "MTA-STS", judge)

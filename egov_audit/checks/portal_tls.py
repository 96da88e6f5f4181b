"""A portal's TLS from outside (PORTAL-TLS-01..03): protocol versions, cipher suites and every
certificate the server can present, as sslyze saw them (egov_audit/portal/tls.py).

Evidence from the probe before sslyze (no `engine` in its TLS facts) never offered SSL 2.0 or
3.0, RC4, DES, 3DES or export suites: where it is all there is, versions and suites are not
assessed rather than passed (the false pass the engine was brought in for)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..inventory.model import Portal
from ..models import Text
from ..policy import Control
from ..portal.kind import PORTAL_PROBE
from ..portal.tls import LEGACY, weaknesses
from .context import CheckContext, Finding, Verdicts, named_check
from .portals import PORTAL, Facts, per_portal, served

_OLD_PROBE = Text("bằng chứng từ bản thăm dò cũ, không thử được SSL 2.0, 3.0 và các bộ mã hóa "
                  "RC4, DES, 3DES, export: cần thăm dò lại",
                  "the evidence is from the older probe, which could not offer SSL 2.0, 3.0 or "
                  "RC4, DES, 3DES and export suites: probe again")
_NO_ANSWER = Text("máy chủ không trả lời kịp", "the server did not answer in time")


def _yes_no(value: object) -> str:
    return "yes" if value else "no" if value is False else "?"


def _unknown(tls: Facts, names: list[str]) -> tuple[str, str]:
    """Why each version is unknown, as the engine said it (the older probe said nothing: it
    had timed out)."""
    said = [(tls.get("unknown") or {}).get(name) for name in names]
    return ("; ".join(dict.fromkeys(why or _NO_ANSWER.vi for why in said)),
            "; ".join(dict.fromkeys(why or _NO_ANSWER.en for why in said)))


# -- PORTAL-TLS-01 ----------------------------------------------------------------------------
@named_check("portal_tls_versions", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "chỉ HTTPS với TLS 1.2 trở lên (không chấp nhận SSL 2.0, 3.0, TLS 1.0, 1.1)",
    "HTTPS with TLS 1.2 or later only (SSL 2.0, 3.0, TLS 1.0 and 1.1 refused)"))
def portal_tls_versions(ctx: CheckContext, control: Control,
                        args: Mapping[str, Any]) -> list[Finding]:
    """The portal accepts TLS 1.2 or 1.3 and refuses SSL 2.0, SSL 3.0, TLS 1.0 and TLS 1.1
    (RFC 6176, 7568, 8996). A reset or an alert to an old hello is a refusal; a version is
    unknown only when the engine could not tell, and then the control is not assessed."""

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        tls = facts["tls"]
        versions = tls["versions"]
        observed = ", ".join(f"{name} {_yes_no(ok)}" for name, ok in versions.items())
        if tls.get("engine"):
            observed += f" ({tls['engine']})"
        legacy = [name for name in LEGACY if versions.get(name)]
        current = [name for name in ("TLSv1.2", "TLSv1.3") if versions.get(name)]
        where = (portal.where,)
        if legacy:
            return [verdicts.failed(f"Chấp nhận giao thức cũ: {', '.join(legacy)}.",
                                    f"Accepts outdated protocols: {', '.join(legacy)}.",
                                    observed, where)]
        if "engine" not in tls:
            return [verdicts.not_assessed(f"Không xác định được SSL 2.0, 3.0: {_OLD_PROBE.vi}.",
                                          f"Could not tell about SSL 2.0, 3.0: {_OLD_PROBE.en}.",
                                          observed, where)]
        unknown = [name for name in LEGACY if versions.get(name) is None]
        if unknown:
            vi, en = _unknown(tls, unknown)
            return [verdicts.not_assessed(
                f"Không xác định được {', '.join(unknown)} ({vi}).",
                f"Could not tell about {', '.join(unknown)} ({en}).", observed, where)]
        if not current:
            return [verdicts.failed("Không chấp nhận TLS 1.2 hay 1.3.",
                                    "Accepts neither TLS 1.2 nor 1.3.", observed, where)]
        return [verdicts.passed(f"Chỉ chấp nhận {', '.join(current)}.",
                                f"Accepts {', '.join(current)} only.", observed, where)]

    return per_portal(ctx, "TLSv1.2+", judge, web_only=True)


# -- PORTAL-TLS-02 ----------------------------------------------------------------------------
_WHY_VI = {"null": "không mã hóa", "anonymous": "không xác thực", "export": "mức xuất khẩu",
           "no forward secrecy": "không có bí mật chuyển tiếp"}


def _described(weak: list[str], vi: bool) -> str:
    shown = []
    for suite in weak[:8]:
        why = weaknesses(suite)
        words = [_WHY_VI.get(w, w) if vi else w for w in why]
        shown.append(f"{suite} ({', '.join(words)})" if words else suite)
    more = len(weak) - len(shown)
    if more > 0:
        shown.append(f"+{more} {'bộ khác' if vi else 'more'}")
    return ", ".join(shown)


@named_check("portal_weak_ciphers", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "không chấp nhận bộ mã hóa yếu", "no weak cipher suite accepted"))
def portal_weak_ciphers(ctx: CheckContext, control: Control,
                        args: Mapping[str, Any]) -> list[Finding]:
    """The portal accepts no weak cipher suite on any version: none without encryption or
    authentication, none without forward secrecy (RSA or static DH key exchange), no RC4,
    DES, 3DES, export or MD5 suite. Every suite of every version is offered one by one
    (sslyze), the ones this machine's OpenSSL no longer speaks included."""

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        tls = facts["tls"]
        weak = list(tls["weak_ciphers"])
        where = (portal.where,)
        if weak:
            return [verdicts.failed(f"Chấp nhận bộ mã hóa yếu: {_described(weak, True)}.",
                                    f"Accepts weak cipher suites: {_described(weak, False)}.",
                                    _described(weak, False), where)]
        if "engine" not in tls:
            return [verdicts.not_assessed(f"Không kết luận được: {_OLD_PROBE.vi}.",
                                          f"Cannot conclude: {_OLD_PROBE.en}.", "—", where)]
        unknown = [name for name, ok in tls["versions"].items() if ok is None]
        if unknown:
            vi, en = _unknown(tls, unknown)
            return [verdicts.not_assessed(
                f"Không thử được bộ mã hóa của {', '.join(unknown)} ({vi}).",
                f"Could not try the suites of {', '.join(unknown)} ({en}).", "?", where)]
        accepted = sum(len(v) for v in (tls.get("suites") or {}).values())
        return [verdicts.passed(
            f"Không chấp nhận bộ mã hóa yếu nào ({accepted} bộ được chấp nhận, đều mạnh).",
            f"Accepts no weak cipher suite ({accepted} accepted, all strong).",
            f"{accepted} suites, none weak ({tls['engine']})", where)]

    return per_portal(ctx, Text("không có", "none"), judge, web_only=True)


# -- PORTAL-TLS-03 ----------------------------------------------------------------------------
def when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def certificate_problems(cert: Facts, label: str, host: str, probed: datetime, min_days: int,
              min_rsa: int) -> list[tuple[str, str]]:
    """What is wrong with one certificate: the name, the days left, the key."""
    out = []
    left = (when(cert["not_after"]) - probed).days
    if not cert["name_matches"]:
        out.append((f"{label}: không mang tên {host}", f"{label}: not issued for {host}"))
    if left < min_days:
        state_vi = "đã hết hạn" if left < 0 else f"còn {left} ngày"
        state_en = "has expired" if left < 0 else f"{left} days left"
        out.append((f"{label}: {state_vi} (cần ≥ {min_days})",
                    f"{label}: {state_en} (≥ {min_days} required)"))
    if (cert["key_type"] == "RSA" and cert["key_bits"] < min_rsa) or \
            cert["key_type"] in ("DSA", "other"):
        out.append((f"{label}: khóa yếu {cert['key_type']} {cert['key_bits']}",
                    f"{label}: weak key {cert['key_type']} {cert['key_bits']}"))
    return out


def _seen(cert: Facts, label: str, probed: datetime, sent: str = "") -> str:
    left = (when(cert["not_after"]) - probed).days
    return (f"{label}: {cert['subject']} · {cert['issuer']} · {cert['not_after'][:10]} "
            f"({left} d) · {cert['key_type']} {cert['key_bits']}{sent}")


@named_check("portal_certificate", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "chứng thư hợp lệ, đúng tên, còn hạn ít nhất {portal_cert_min_days} ngày, khóa đủ dài",
    "a valid certificate for the name, at least {portal_cert_min_days} days left, a strong key"),
    params=["network.portal_cert_min_days", "network.portal_min_rsa_bits"])
def portal_certificate(ctx: CheckContext, control: Control,
                       args: Mapping[str, Any]) -> list[Finding]:
    """Every certificate the portal presents (on each address as a browser receives it, and
    each one the server holds for other clients: an RSA and an ECDSA one, say) verifies (a
    trusted chain, the portal's name), does not expire within the level's minimum of days
    (counted from when it was probed), has a strong key (RSA of the level's size, or elliptic
    curves), and is not revoked by the OCSP answer the server staples (when it staples one)."""
    min_days = int(ctx.param("network.portal_cert_min_days", control))
    min_rsa = int(ctx.param("network.portal_min_rsa_bits", control))

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        probed = when(facts["collected_at"])
        problems: list[tuple[str, str]] = []
        seen: list[str] = []
        for family, reach in served(facts):
            cert = reach.get("certificate")
            if cert is None:
                problems.append((f"{family}: không có chứng thư", f"{family}: no certificate"))
                continue
            sent = f" · chain {len(reach['chain'])}" if reach.get("chain") else ""
            seen.append(_seen(cert, family, probed, sent))
            if not reach.get("verified"):
                error = reach.get("verify_error", "?")
                problems.append((f"{family}: không xác thực được ({error})",
                                 f"{family}: does not verify ({error})"))
            problems += certificate_problems(cert, family, portal.host, probed, min_days,
                                             min_rsa)
        tls = facts.get("tls") or {}
        stapled = tls.get("ocsp") or {}
        revoked = stapled.get("certificate_status") == "revoked"
        for deployment in tls.get("certificates") or []:
            cert = deployment["certificate"]
            label = cert["key_type"]
            seen.append(_seen(cert, label, probed, f" · sent {deployment['sent']}"))
            if not deployment["trusted"]:
                error = deployment.get("trust_error", "?")
                problems.append((f"{label}: không xác thực được ({error})",
                                 f"{label}: does not verify ({error})"))
            problems += certificate_problems(cert, label, portal.host, probed, min_days, min_rsa)
            revoked |= deployment["ocsp"].get("certificate_status") == "revoked"
        if revoked:
            problems.append(("bị thu hồi (theo phản hồi OCSP đính kèm)",
                             "revoked (the stapled OCSP answer says so)"))
        observed = " | ".join(dict.fromkeys(seen)) or "—"
        if stapled:
            observed += f" · OCSP: {stapled.get('certificate_status') or stapled['status']}"
        problems = list(dict.fromkeys(problems))
        if not problems and tls.get("certificates_error"):
            why = tls["certificates_error"]
            return [verdicts.not_assessed(
                f"Không đọc được mọi chứng thư máy chủ có thể xuất trình ({why}).",
                f"Could not read every certificate the server can present ({why}).",
                observed, (portal.where,))]
        if problems:
            return [verdicts.failed(
                f"Chứng thư không đạt: {'; '.join(vi for vi, _ in problems)}.",
                f"Certificate problems: {'; '.join(en for _, en in problems)}.",
                observed, (portal.where,))]
        return [verdicts.passed("Chứng thư hợp lệ, đúng tên, còn hạn.",
                                "The certificate is valid, for the name, and not expiring.",
                                observed, (portal.where,))]

    return per_portal(ctx, Text(f"hợp lệ, còn ≥ {min_days} ngày",
                                f"valid, ≥ {min_days} days left"), judge, web_only=True)

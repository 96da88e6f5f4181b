"""A portal's TLS beyond versions, suites and certificates, as Internet.nl judges it after the
NCSC's TLS guidelines (PORTAL-TLS-04, 05): the key-exchange parameters (finite-field DH groups
of at least 2048 bits, no insufficient elliptic curve) and the options (no TLS compression,
secure renegotiation, no client-initiated renegotiation, no 0-RTT). Read by sslyze
(egov_audit/portal/tls.py); evidence from a probe that did not read them is not assessed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..inventory.model import Portal
from ..models import Text
from ..policy import Control
from ..portal.kind import PORTAL_PROBE
from .context import CheckContext, Finding, Verdicts, named_check
from .portals import PORTAL, Facts, judged, per_portal

_PROBE_AGAIN = ("Bằng chứng từ bản thăm dò cũ chưa đọc mục này: hãy thăm dò lại.",
                "The probe that made this evidence did not read this: probe again.")
# the curves the NCSC's TLS guidelines name insufficient (binary curves, 160 and 192 bits, the
# Koblitz secp224k1 and secp256k1: the list behind "other curves" since their first edition);
# the 2025 edition accepts secp521r1 and the brainpool curves beside the four good ones
WEAK_CURVE_PREFIXES = ("sect", "secp160", "secp192", "secp224k1", "secp256k1", "prime192",
                       "brainpoolp160", "brainpoolp192", "brainpoolp224")
MIN_DH_BITS = 2048  # below: "insufficient" (ffdhe2048 is "phase out", still accepted)


# -- PORTAL-TLS-04 ----------------------------------------------------------------------------
@named_check("portal_key_exchange", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "nhóm DH ≥ 2048 bit, không đường cong elliptic yếu (nhị phân, 160-192 bit, Koblitz)",
    "DH groups of at least 2048 bits, no weak elliptic curve (binary, 160-192 bits, Koblitz)"))
def portal_key_exchange(ctx: CheckContext, control: Control,
                        args: Mapping[str, Any]) -> list[Finding]:
    """The portal's key exchange uses finite-field DH groups of at least 2048 bits and accepts
    none of the elliptic curves the NCSC's guidelines call insufficient (binary curves, 160 and
    192 bits, secp224k1, secp256k1): a weak group lets a recorded session be decrypted."""

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        exchange = (facts.get("tls") or {}).get("key_exchange")
        if exchange is None:
            return [verdicts.not_assessed(*_PROBE_AGAIN, "", (portal.where,))]
        curves = exchange.get("curves")
        sizes = exchange["dh_sizes"]
        observed = (f"DH: {', '.join(map(str, sizes)) or '—'} · curves: "
                    + (", ".join(curves) if curves is not None
                       else f"? ({exchange.get('curves_unknown', '?')})"))
        gaps: list[tuple[str, str]] = []
        unknown: list[tuple[str, str]] = []
        small = [size for size in sizes if size < MIN_DH_BITS]
        if small:
            shown = ", ".join(map(str, small))
            gaps.append((f"Nhóm DH {shown} bit (cần ≥ {MIN_DH_BITS})",
                         f"DH groups of {shown} bits (≥ {MIN_DH_BITS} required)"))
        weak = [c for c in curves or () if c.lower().startswith(WEAK_CURVE_PREFIXES)]
        if weak:
            gaps.append((f"Chấp nhận đường cong yếu: {', '.join(weak)}",
                         f"Accepts weak curves: {', '.join(weak)}"))
        if curves is None:
            why = exchange.get("curves_unknown", "?")
            unknown.append((f"Không đọc được các đường cong ({why})",
                            f"The curves could not be read ({why})"))
        return judged(verdicts, portal, gaps, unknown, observed, (
            "Tham số trao đổi khóa đủ mạnh.", "The key-exchange parameters are sound."))

    return per_portal(ctx, Text("DH ≥ 2048, đường cong an toàn", "DH ≥ 2048, sound curves"),
                      judge, web_only=True)


# -- PORTAL-TLS-05 ----------------------------------------------------------------------------
# (option, the value that is a gap, vi, en)
_OPTIONS = (("compression", True, "Nén TLS bật (CRIME)", "TLS compression on (CRIME)"),
            ("secure_renegotiation", False, "Không hỗ trợ thương lượng lại an toàn (RFC 5746)",
             "No secure renegotiation (RFC 5746)"),
            ("client_renegotiation", True, "Máy khách được thương lượng lại (từ chối dịch vụ)",
             "Client-initiated renegotiation accepted (denial of service)"),
            ("early_data", True, "Nhận dữ liệu 0-RTT (có thể bị phát lại)",
             "Accepts 0-RTT early data (replayable)"))


@named_check("portal_tls_options", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "không nén TLS, thương lượng lại an toàn, không cho máy khách thương lượng lại, không 0-RTT",
    "no TLS compression, secure renegotiation, no client-initiated renegotiation, no 0-RTT"))
def portal_tls_options(ctx: CheckContext, control: Control,
                       args: Mapping[str, Any]) -> list[Finding]:
    """The portal's TLS has compression off (CRIME), supports secure renegotiation (RFC 5746)
    where it speaks TLS 1.2 or older, refuses renegotiation a client starts (a cheap denial of
    service), and accepts no 0-RTT early data (which an attacker can replay)."""

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        tls = facts.get("tls") or {}
        options = tls.get("options")
        if options is None:
            return [verdicts.not_assessed(*_PROBE_AGAIN, "", (portal.where,))]
        # renegotiation is gone from TLS 1.3: a server that speaks nothing older has none
        only_13 = not any((tls.get("versions") or {}).get(v) for v in
                          ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"))
        said = options.get("unknown") or {}
        observed = " · ".join(f"{name}: {_shown(options[name])}" for name, *_ in _OPTIONS)
        gaps: list[tuple[str, str]] = []
        unknown: list[tuple[str, str]] = []
        for name, bad, vi, en in _OPTIONS:
            if only_13 and name == "secure_renegotiation":
                continue
            value = options[name]
            if value is bad:
                gaps.append((vi, en))
            elif value is None:
                why = said.get(name, "?")
                unknown.append((f"{name}: không xác định ({why})", f"{name}: unknown ({why})"))
        return judged(verdicts, portal, gaps, unknown, observed, (
            "Các tùy chọn TLS an toàn.", "The TLS options are sound."))

    return per_portal(ctx, Text("tùy chọn TLS an toàn", "sound TLS options"), judge,
                      web_only=True)


def _shown(value: object) -> str:
    return "yes" if value is True else "no" if value is False else "?"


# -- PORTAL-TLS-06 ----------------------------------------------------------------------------
@named_check("portal_web_dane", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "nếu công bố TLSA: được DNSSEC bảo vệ và khớp chứng thư cổng gửi",
    "where TLSA records are published: DNSSEC-secured and matching the certificate sent"))
def portal_web_dane(ctx: CheckContext, control: Control,
                    args: Mapping[str, Any]) -> list[Finding]:
    """Where the portal publishes DANE TLSA records (_443._tcp.<name>), the answer is
    DNSSEC-secure and at least one record matches the certificate chain the portal sends
    (RFC 6698, 7671): a stale record after a certificate change locks out every client that
    checks DANE. Not applicable where none is published."""

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        where = (portal.where,)
        tlsa = facts.get("dane")
        if tlsa is None:
            return [verdicts.not_assessed(*_PROBE_AGAIN, "", where)]
        records = tlsa["records"]
        observed = f"{tlsa['name']} ({tlsa.get('dnssec', '?')}): " + (", ".join(
            r["record"][:40] + ("…" if len(r["record"]) > 40 else "")
            + {True: " ✓", False: " ✗"}.get(r.get("matches"), "") for r in records) or "—")
        if tlsa.get("error"):
            return [verdicts.not_assessed(f"Không tra được TLSA ({tlsa['error']}).",
                                          f"TLSA could not be looked up ({tlsa['error']}).",
                                          observed, where)]
        if not records:
            return [verdicts.not_applicable("Cổng không công bố bản ghi TLSA.",
                                            "The portal publishes no TLSA record.",
                                            observed, where)]
        gaps: list[tuple[str, str]] = []
        unknown: list[tuple[str, str]] = []
        if tlsa.get("dnssec") != "secure":
            gaps.append(("Bản ghi TLSA không được DNSSEC bảo vệ: máy khách bỏ qua",
                         "The TLSA records are not DNSSEC-secured: clients ignore them"))
        if any(r.get("matches") for r in records):
            pass
        elif all("matches" in r for r in records):
            gaps.append(("Không bản ghi TLSA nào khớp chứng thư cổng gửi",
                         "No TLSA record matches the certificate the portal sends"))
        else:
            unknown.append(("Không đọc được chứng thư để so với TLSA",
                            "The certificate could not be read to match TLSA"))
        return judged(verdicts, portal, gaps, unknown, observed, (
            "Bản ghi TLSA được ký và khớp chứng thư.",
            "The TLSA records are signed and match the certificate."))

    return per_portal(ctx, "TLSA ✓", judge, web_only=True)

"""A portal's TLS as the field's own engine sees it: sslyze (its nassl carries a legacy OpenSSL
beside a current one, so it offers SSL 2.0 and 3.0, RC4, DES, 3DES and export suites that this
machine's OpenSSL 3 cannot). Every protocol version, every suite each one accepts, every
certificate the server can present (an RSA and an ECDSA one are both seen), and the OCSP answer
each staples.

A reset or an alert in answer to an old protocol's hello is a refusal, as sslyze and testssl.sh
count it; a version is unknown (None) only when sslyze could not tell, with its reason.

The facts are what the probe writes into the portal's bundle: bounded here, checked against the
published schema when the bundle is read back."""

from __future__ import annotations

import math
import threading
import warnings
from pathlib import Path
from typing import Any

from .certificates import certificate_facts, clip
from .net import USER_AGENT

# sslyze's bundled trust stores hold a few certificates today's cryptography frowns at (a
# serial number that is not positive): said of sslyze's own data, never of a portal's, and on
# every run. Filtered once, for sslyze's modules only: warnings.catch_warnings() around a scan
# is not thread-safe (the probe scans portals on sixteen threads, sslyze on its own), and
# one thread's exit put the filter back while another's scan was loading the stores.
warnings.filterwarnings("ignore", message=".*serial number", module=r"sslyze\.")

# sslyze's names of the versions, in the bundle's spelling (the older probe's keys)
VERSIONS = (("ssl_2_0_cipher_suites", "SSLv2"), ("ssl_3_0_cipher_suites", "SSLv3"),
            ("tls_1_0_cipher_suites", "TLSv1"), ("tls_1_1_cipher_suites", "TLSv1.1"),
            ("tls_1_2_cipher_suites", "TLSv1.2"), ("tls_1_3_cipher_suites", "TLSv1.3"))
NAMES = tuple(name for _, name in VERSIONS)
LEGACY = NAMES[:4]
MAX_SUITES = 200  # per version: sslyze knows ~160 for TLS 1.2
MAX_CERTIFICATES = 8
EHLO_NAME = "probe.egov-audit.invalid"  # what the probe calls itself to a mail exchanger


def engine() -> str:
    """The engine's name and version, as the bundle records it."""
    # the installed distribution's version, without importing sslyze (and nassl) to read it
    from importlib.metadata import version

    return f"sslyze {version('sslyze')}"


def weaknesses(suite: str) -> tuple[str, ...]:
    """Why an IANA (RFC) suite name is weak: no encryption, no authentication, export grade,
    RC4, DES, 3DES, MD5, or no forward secrecy (RSA or static DH/ECDH key exchange). TLS 1.3
    suites and the ECDHE/DHE AEAD and CBC suites give (). SSL 2.0's names (SSL_CK_...) are
    read the same way."""
    name = suite.upper()
    why: list[str] = []
    if "_NULL" in name or name.endswith("NULL"):
        why.append("null")
    if "_ANON_" in name:
        why.append("anonymous")
    if "EXPORT" in name or "DES40" in name:
        why.append("export")
    if "RC4" in name:
        why.append("RC4")
    if "3DES" in name or "DES_192" in name:
        why.append("3DES")
    elif "DES" in name:
        why.append("DES")
    if name.endswith("MD5"):
        why.append("MD5")
    exchange = name.split("_WITH_", 1)[0] if "_WITH_" in name else ""
    if exchange in ("TLS_RSA", "SSL_RSA", "TLS_RSA_EXPORT", "SSL_RSA_EXPORT") or \
            (exchange.startswith(("TLS_DH_", "TLS_ECDH_", "SSL_DH_"))
             and "_ANON" not in exchange):
        why.append("no forward secrecy")
    if name.startswith("SSL_CK_"):  # SSL 2.0: RSA key exchange, always
        why.append("no forward secrecy")
    return tuple(dict.fromkeys(why))


def _ocsp(response: Any) -> dict[str, Any]:
    # cryptography: only where a key, certificate or signature is handled
    from cryptography.x509 import ocsp

    if response is None:
        return {"status": "not_stapled"}
    if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        return {"status": "error", "reason": f"OCSP {response.response_status.name}"}
    try:
        state = response.certificate_status.name.lower()  # good | revoked | unknown
        until = response.next_update_utc
    except ValueError as exc:
        return {"status": "error", "reason": f"not an OCSP response: {clip(exc, 120)}"}
    out: dict[str, Any] = {"status": "stapled", "certificate_status": state}
    if until is not None:
        out["next_update"] = until.isoformat().replace("+00:00", "Z")
    return out


def _deployment(deployment: Any, host: str, supplied: bool) -> dict[str, Any]:
    """One certificate the server presents: its facts, whether it chains to the trusted CAs
    (the supplied CA file, else Mozilla's store, as sslyze bundles it), what was sent."""
    # cryptography: only where a key, certificate or signature is handled
    from cryptography.hazmat.primitives.serialization import Encoding

    chain = list(deployment.received_certificate_chain)
    out: dict[str, Any] = {"certificate": certificate_facts(chain[0].public_bytes(Encoding.DER),
                                                            host)}
    wanted = "Supplied CA file" if supplied else "Mozilla"
    checks = [v for v in deployment.path_validation_results if v.trust_store.name == wanted]
    trusted = bool(checks) and checks[0].was_validation_successful
    out["trusted"] = trusted
    if checks and not trusted:
        error = str(checks[0].validation_error or "no trusted chain")
        out["trust_error"] = clip(error.split(" (encountered processing", 1)[0], 200)
    out["sent"] = min(len(chain), 10)
    out["ocsp"] = _ocsp(deployment.ocsp_response)
    return out


_LOADING = threading.Lock()


def _load() -> None:
    """Import sslyze once, on one thread: its modules import one another in a cycle, and two
    probe threads importing it first by different modules (a portal's scan, an exchanger's)
    deadlock in Python's import locks."""
    with _LOADING:
        # sslyze: only when a portal's TLS is scanned; its package loads every module it has
        import sslyze  # noqa: F401


def _attempt(attempt: Any) -> tuple[Any, str]:
    """A scan command's result, or why there is none (sslyze's reason)."""
    # sslyze: only when a portal's TLS is scanned (loaded by then)
    from sslyze.scanner.scan_command_attempt import ScanCommandAttemptStatusEnum

    if attempt.status is ScanCommandAttemptStatusEnum.COMPLETED and attempt.result is not None:
        return attempt.result, ""
    return None, clip(attempt.error_reason.name if attempt.error_reason else
                      attempt.status.name, 200)


def _key_exchange(scanned: Any, dh_sizes: list[int]) -> dict[str, Any]:
    """The finite-field DH groups' sizes the accepted suites used, and the elliptic curves the
    server accepts for ECDHE (sslyze offers each curve it knows in turn)."""
    out: dict[str, Any] = {"dh_sizes": dh_sizes[:16]}
    curves, why = _attempt(scanned.elliptic_curves)
    if curves is None:
        out["curves_unknown"] = why
    else:
        out["curves"] = [clip(c.name, 40) for c in curves.supported_curves or ()][:40]
    return out


def _options(scanned: Any) -> dict[str, Any]:
    """TLS compression, secure renegotiation, client-initiated renegotiation and 0-RTT: True,
    False, or None with sslyze's reason in `unknown`."""
    out: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    compression, why = _attempt(scanned.tls_compression)
    out["compression"] = None if compression is None else compression.supports_compression
    if why:
        unknown["compression"] = why
    renegotiation, why = _attempt(scanned.session_renegotiation)
    out["secure_renegotiation"] = None if renegotiation is None else \
        renegotiation.supports_secure_renegotiation
    out["client_renegotiation"] = None if renegotiation is None else \
        renegotiation.is_vulnerable_to_client_renegotiation_dos
    if why:
        unknown["secure_renegotiation"] = unknown["client_renegotiation"] = why
    early, why = _attempt(scanned.tls_1_3_early_data)
    out["early_data"] = None if early is None else early.supports_early_data
    if why:
        unknown["early_data"] = why
    if unknown:
        out["unknown"] = unknown
    return out


def scan(address: str, host: str, port: int, timeout: float, ca_file: Path | None, *,
         starttls: bool = False, received: list[bytes] | None = None) -> dict[str, Any]:
    """Every version, suite and certificate of the server at `address` (SNI: `host`); with
    `starttls`, an SMTP server's, after EHLO and STARTTLS. `received`, when given, gets the DER
    of the chain the first certificate deployment sent (what DANE records are matched to)."""
    _load()
    # sslyze: only when a portal's TLS is scanned
    from sslyze.connection_helpers import opportunistic_tls_helpers as opportunistic
    from sslyze.plugins.certificate_info.implementation import CertificateInfoExtraArgument
    from sslyze.plugins.scan_commands import ScanCommand
    from sslyze.scanner import models
    from sslyze.scanner.scan_command_attempt import ScanCommandAttemptStatusEnum
    from sslyze.scanner.scanner import Scanner
    from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation

    starttls_kind = opportunistic.ProtocolWithOpportunisticTlsEnum
    commands = {ScanCommand.SSL_2_0_CIPHER_SUITES, ScanCommand.SSL_3_0_CIPHER_SUITES,
                ScanCommand.TLS_1_0_CIPHER_SUITES, ScanCommand.TLS_1_1_CIPHER_SUITES,
                ScanCommand.TLS_1_2_CIPHER_SUITES, ScanCommand.TLS_1_3_CIPHER_SUITES,
                ScanCommand.CERTIFICATE_INFO}
    if not starttls:  # a web portal's key exchange and options (0-RTT's test speaks HTTP)
        commands |= {ScanCommand.ELLIPTIC_CURVES, ScanCommand.TLS_COMPRESSION,
                     ScanCommand.SESSION_RENEGOTIATION, ScanCommand.TLS_1_3_EARLY_DATA}
    extra = models.ScanCommandsExtraArguments(certificate_info=CertificateInfoExtraArgument(
        custom_ca_file=ca_file)) if ca_file else models.ScanCommandsExtraArguments()
    request = models.ServerScanRequest(
        server_location=ServerNetworkLocation(hostname=host, port=port, ip_address=address),
        network_configuration=ServerNetworkConfiguration(
            tls_server_name_indication=host, network_timeout=max(1, math.ceil(timeout)),
            network_max_retries=2,
            tls_opportunistic_encryption=starttls_kind.SMTP if starttls
            else None, smtp_ehlo_hostname=EHLO_NAME if starttls else None,
            # the one HTTP request sslyze makes (GET /, the 0-RTT test) says who asks
            http_user_agent=None if starttls else USER_AGENT),
        scan_commands=commands, scan_commands_extra_arguments=extra)
    scanner = Scanner(per_server_concurrent_connections_limit=5,
                      concurrent_server_scans_limit=1)
    out: dict[str, Any] = {"engine": engine()}
    scanner.queue_scans([request])
    (result,) = list(scanner.get_results())
    if result.connectivity_status is not models.ServerConnectivityStatusEnum.COMPLETED \
            or result.scan_result is None:
        why = clip(result.connectivity_error_trace or result.connectivity_status.name, 300)
        out["versions"] = {name: None for _, name in VERSIONS}
        out["unknown"] = {name: why for _, name in VERSIONS}
        out["weak_ciphers"] = []
        return out
    versions: dict[str, bool | None] = {}
    unknown: dict[str, str] = {}
    suites: dict[str, list[str]] = {}
    weak: list[str] = []
    dh_sizes: set[int] = set()
    for attribute, name in VERSIONS:
        attempt = getattr(result.scan_result, attribute)
        if attempt.status is not ScanCommandAttemptStatusEnum.COMPLETED or attempt.result is None:
            versions[name] = None
            unknown[name] = clip(attempt.error_reason.name if attempt.error_reason else
                                 attempt.status.name, 200)
            continue
        accepted = [clip(a.cipher_suite.name, 64)
                    for a in attempt.result.accepted_cipher_suites][:MAX_SUITES]
        versions[name] = bool(accepted)
        if accepted:
            suites[name] = accepted
        weak += [suite for suite in accepted if weaknesses(suite)]
        dh_sizes |= {int(a.ephemeral_key.size) for a in attempt.result.accepted_cipher_suites
                     if a.ephemeral_key is not None and a.ephemeral_key.type_name == "DH"}
    out.update(versions=versions, suites=suites, weak_ciphers=list(dict.fromkeys(weak))[:256])
    if unknown:
        out["unknown"] = unknown
    if not starttls:
        out["key_exchange"] = _key_exchange(result.scan_result, sorted(dh_sizes))
        out["options"] = _options(result.scan_result)
    info = result.scan_result.certificate_info
    if info.status is ScanCommandAttemptStatusEnum.COMPLETED and info.result is not None:
        certificates = [_deployment(d, host, ca_file is not None)
                        for d in info.result.certificate_deployments[:MAX_CERTIFICATES]]
        out["certificates"] = certificates
        if received is not None and info.result.certificate_deployments:
            # cryptography: only where a key, certificate or signature is handled
            from cryptography.hazmat.primitives.serialization import Encoding

            received.extend(c.public_bytes(Encoding.DER) for c in list(
                info.result.certificate_deployments[0].received_certificate_chain)[:10])
        if certificates:
            out["ocsp"] = certificates[0]["ocsp"]
    else:
        out["certificates_error"] = clip(
            info.error_reason.name if info.error_reason else info.status.name, 200)
    return out

"""Probe a declared portal from outside, read-only and politely: DNS (addresses, DNSSEC as the
resolver validates it, CAA, MX for mail), reachability over IPv4 and over IPv6 separately, TLS
(a browser's handshake here; every version, suite and certificate by sslyze: tls.py), and
HTTP (the declared URL over https and over plain http: status, redirect, security headers).
One GET per address and scheme, of the declared URL only: no redirect is followed, no body is
read.

The answers come from a server the agency controls: every value is bounded here and checked
again against the published schema when the bundle is read back."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import warnings
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..evidence.model import now
from ..gates.addresses import AddressPolicy
from ..inventory.model import Portal
from . import tls as tls_engine
from .certificates import certificate_facts, clip

PORTAL_FACT_BUNDLE = "egov-audit/portal-fact-bundle@1"
USER_AGENT = f"egov-audit/{__version__} (compliance probe of declared public portals)"
# the response headers kept: the ones the controls and an inspector read
KEPT_HEADERS = ("strict-transport-security", "content-security-policy",
                "x-content-type-options", "x-frame-options", "referrer-policy", "location")
MAX_HEADER = 512


@dataclass(frozen=True)
class ProbeOptions:
    resolver: str | None = None  # "address" or "address:port" (IPv6: "[address]:port")
    ca_file: Path | None = None  # trust these CAs instead of the machine's
    timeout: float = 5.0  # each connection, handshake and DNS query
    concurrency: int = 16  # portals probed at once
    # private and shared space (RFC 1918, RFC 6598, ULA, documentation...): only when asked,
    # and each address so probed says it in the bundle
    allow_private: bool = False


class DnsFailure(Exception):
    """The name could not be resolved at all (not: resolved to nothing)."""


# -- DNS ---------------------------------------------------------------------------------------
def _resolver(options: ProbeOptions, checking_disabled: bool = False) -> Any:
    # dnspython: only when DNS is asked (a portal probed, the lab internet)
    import dns.flags
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=options.resolver is None)
    if options.resolver is not None:
        host, port = split_server(options.resolver)
        resolver.nameservers = [host]
        resolver.port = port
    resolver.use_edns(0, dns.flags.DO, 1232)
    resolver.flags = dns.flags.RD | dns.flags.AD | (dns.flags.CD if checking_disabled else 0)
    resolver.timeout = options.timeout
    resolver.lifetime = options.timeout * 2
    resolver.cache = None
    return resolver


def split_server(text: str) -> tuple[str, int]:
    """"192.0.2.53", "192.0.2.53:5353", "2001:db8::53" or "[2001:db8::53]:5353"."""
    if text.startswith("["):
        host, closed, port = text[1:].partition("]")
        if not closed or (port and not port.startswith(":")):
            raise ValueError(f"{text[:60]!r} is not [ADDRESS]:PORT")
        port = port[1:]
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    else:
        host, port = text, ""
    ipaddress.ip_address(host)  # ValueError: not an address
    number = int(port) if port else 53
    if not 0 < number < 65536:
        raise ValueError(f"{port} is not a port number")
    return host, number


@dataclass(frozen=True)
class _Answer:
    records: tuple[str, ...]
    authenticated: bool  # the resolver set AD: it validated the answer (or its absence)
    signed: bool  # RRSIGs came with it


def _query(resolver: Any, name: str, rdtype: str) -> _Answer:
    """One question. Raises DnsFailure when there is no usable answer (SERVFAIL, timeout);
    NXDOMAIN and an empty answer are answers."""
    # dnspython: only when DNS is asked (a portal probed, the lab internet)
    import dns.exception
    import dns.flags
    import dns.rdatatype
    import dns.resolver

    try:
        answer = resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN:
        return _Answer((), False, False)  # the name does not exist: nothing to serve
    except dns.resolver.NoNameservers as exc:
        raise DnsFailure(f"{rdtype} {name}: SERVFAIL ({clip(exc, 160)})") from None
    except dns.exception.Timeout:
        raise DnsFailure(f"{rdtype} {name}: the resolver did not answer in time") from None
    except dns.exception.DNSException as exc:
        raise DnsFailure(f"{rdtype} {name}: {clip(exc, 160)}") from None
    response = answer.response
    wanted = dns.rdatatype.from_text(rdtype)
    records: list[str] = []
    signed = False
    for rrset in response.answer:
        if rrset.rdtype == wanted:
            records += [rdata.to_text() for rdata in rrset][:32]
        elif rrset.rdtype == dns.rdatatype.RRSIG:
            signed = True
    return _Answer(tuple(clip(r, 255) for r in records),
                   bool(response.flags & dns.flags.AD), signed)


def _addresses(records: Iterable[str], version: int) -> list[str]:
    """The records that are addresses of the family, as the address policy reads them (a
    resolver gives nothing else for A and AAAA; anything else is dropped, never kept raw)."""
    out = []
    for record in records:
        try:
            ip = ipaddress.ip_address(record)
        except ValueError:
            continue
        if ip.version == version and "%" not in record:  # a scope is no DNS answer
            # as written (the policy names the notation it refuses), at most 45 characters
            out.append(record.lower() if len(record) <= 45 else str(ip))
    return out[:32]


def _caa(resolver: Any, name: str) -> tuple[list[str], str]:
    """The CAA set that applies to the name: its own or its closest ancestor's (RFC 8659),
    below the top-level domain."""
    labels = name.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        try:
            found = _query(resolver, candidate, "CAA")
        except DnsFailure:
            return [], ""
        if found.records:
            return list(found.records)[:16], candidate
    return [], ""


def _dns(portal: Portal, options: ProbeOptions) -> dict[str, Any]:
    """Addresses and DNSSEC state of the portal's name (of the mail domain's MX hosts, for
    mail). Raises DnsFailure when even a non-validating lookup fails."""
    resolver = _resolver(options)
    try:
        questions = [("MX", portal.host)] if not portal.is_web else [("A", portal.host),
                                                                       ("AAAA", portal.host)]
        answers = {rdtype: _query(resolver, name, rdtype) for rdtype, name in questions}
        dnssec_failed = ""
    except DnsFailure as exc:
        # a validating resolver answers SERVFAIL for a zone whose signatures do not validate:
        # ask again with checking disabled to tell that from a DNS that does not answer
        lax = _resolver(options, checking_disabled=True)
        try:
            answers = {rdtype: _query(lax, name, rdtype) for rdtype, name in questions}
        except DnsFailure:
            raise exc from None
        dnssec_failed = str(exc)
    first = next(iter(answers.values()))
    if dnssec_failed:
        state = "bogus"
    elif all(a.authenticated for a in answers.values()):
        state = "secure"
    else:
        # signed but not validated (no chain of trust to it), or not signed at all
        lax = _resolver(options, checking_disabled=True)
        try:
            signed = _query(lax, portal.host, "SOA").signed or first.signed or any(
                _query(lax, portal.host, rdtype).signed for rdtype, _ in questions)
        except DnsFailure:
            signed = False
        state = "unvalidated" if signed else "unsigned"
    facts: dict[str, Any] = {"name": portal.host, "dnssec": state,
                             "resolver": options.resolver or "system"}
    if dnssec_failed:
        facts["dnssec_error"] = clip(dnssec_failed)
    if portal.is_web:
        facts["a"] = _addresses(answers["A"].records, 4)
        facts["aaaa"] = _addresses(answers["AAAA"].records, 6)
    else:
        mx: list[dict[str, Any]] = []
        for record in answers["MX"].records[:5]:
            preference, _, host = record.partition(" ")
            if preference.isascii() and preference.isdigit() and len(preference) <= 5 \
                    and int(preference) <= 65535:  # RFC 1035: 16 bits; anything else is no MX
                mx.append({"preference": int(preference), "host": host.rstrip(".")[:253]})
        mx.sort(key=lambda m: m["preference"])
        facts["mx"] = mx
        facts["a"], facts["aaaa"] = [], []
        for entry in mx[:3]:  # the best exchangers' addresses: where mail is delivered
            if not entry["host"]:
                continue
            with contextlib.suppress(DnsFailure):
                facts["a"] += _addresses(_query(resolver, entry["host"], "A").records, 4)
                facts["aaaa"] += _addresses(_query(resolver, entry["host"], "AAAA").records, 6)
    facts["caa"], facts["caa_name"] = _caa(resolver, portal.host)
    return facts


# -- TCP and TLS -------------------------------------------------------------------------------
def _connect(address: str, port: int, timeout: float) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _failure(exc: BaseException) -> tuple[str, str]:
    """A connection's failure as (status, reason)."""
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timeout", "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "refused", "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "reset", "connection reset by the server"
    if isinstance(exc, ssl.SSLError):
        return "tls_error", f"TLS: {clip(exc.reason or exc, 200)}"
    if isinstance(exc, http.client.HTTPException):
        return "http_error", f"HTTP: {clip(type(exc).__name__)} {clip(exc, 150)}"
    if isinstance(exc, OSError):
        return "unreachable", clip(exc.strerror or exc, 200)
    return "error", clip(exc, 200)


def _client(verify: bool, options: ProbeOptions) -> ssl.SSLContext:
    if verify:
        context = ssl.create_default_context(
            cafile=str(options.ca_file) if options.ca_file else None)
        return context
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # offer what old servers speak too: this context only looks, it trusts nothing
    context.set_ciphers("ALL:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    return context


def _handshake(address: str, portal: Portal, context: ssl.SSLContext,
               timeout: float) -> ssl.SSLSocket:
    sock = _connect(address, portal.port, timeout)
    try:
        return context.wrap_socket(sock, server_hostname=portal.host)
    except BaseException:
        sock.close()
        raise


def _sent_chain(tls: ssl.SSLSocket) -> list[dict[str, str]]:
    """The certificates the server sent, leaf first (subject and issuer of each): what a
    missing intermediate is seen by. Python 3.13 has get_unverified_chain(); 3.11 and 3.12 keep
    it on the private SSL object; without either, nothing is recorded."""
    # cryptography: only where a key, certificate or signature is handled
    from cryptography import x509

    getter = getattr(tls, "get_unverified_chain", None) or getattr(
        getattr(tls, "_sslobj", None), "get_unverified_chain", None)
    if getter is None:
        return []
    out = []
    for item in list(getter() or [])[:10]:
        der = item if isinstance(item, bytes) else item.public_bytes(2)  # 2: DER
        cert = x509.load_der_x509_certificate(der)
        out.append({"subject": clip(cert.subject.rfc4514_string(), 255),
                    "issuer": clip(cert.issuer.rfc4514_string(), 255)})
    return out


def _get(sock: socket.socket, portal: Portal, path: str) -> dict[str, Any]:
    """One GET of the declared URL: the status line and the kept headers; no body."""
    conn = http.client.HTTPConnection(portal.host, timeout=sock.gettimeout())
    conn.sock = sock
    conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*",
                                       "Connection": "close"})
    response = conn.getresponse()
    headers = {name: clip(response.headers.get(name), MAX_HEADER)
               for name in KEPT_HEADERS if response.headers.get(name) is not None}
    response.close()
    return {"status": int(response.status), "headers": headers}


def _https(address: str, portal: Portal, options: ProbeOptions) -> dict[str, Any]:
    """Connect, handshake as a browser would (verifying), GET. A certificate a browser
    refuses is recorded with the reason; the rest is then read without verifying."""
    verified, error = True, ""
    try:
        tls = _handshake(address, portal, _client(True, options), options.timeout)
    except ssl.SSLCertVerificationError as exc:
        verified, error = False, clip(exc.verify_message or exc.reason or exc, 200)
        tls = _handshake(address, portal, _client(False, options), options.timeout)
    except ssl.SSLError as exc:
        # no version or suite in common with a browser's: look with an older client
        verified, error = False, f"handshake refused: {clip(exc.reason or exc, 160)}"
        tls = _handshake(address, portal, _client(False, options), options.timeout)
    with tls:
        der = tls.getpeercert(binary_form=True)
        cipher = tls.cipher()
        out: dict[str, Any] = {"status": "ok", "protocol": tls.version() or "?",
                               "cipher": cipher[0] if cipher else "?", "verified": verified}
        if error:
            out["verify_error"] = error
        if der:
            out["certificate"] = certificate_facts(der, portal.host)
            chain = _sent_chain(tls)
            if chain:
                out["chain"] = chain
        try:
            out["http"] = _get(tls, portal, portal.path)
        except (OSError, http.client.HTTPException) as exc:
            out["http_error"] = _failure(exc)[1]
    return out


def _tls(address: str, portal: Portal, options: ProbeOptions) -> dict[str, Any]:
    """Every version, suite and certificate, as sslyze sees them; what it cannot tell is
    unknown with sslyze's reason, never a refusal or an acceptance."""
    try:
        return tls_engine.scan(address, portal.host, portal.port, options.timeout,
                               options.ca_file)
    except Exception as exc:  # the engine's own failure: the rest of the portal is judged
        why = f"the TLS scan failed: {type(exc).__name__}: {clip(exc, 200)}"
        return {"engine": tls_engine.engine(), "weak_ciphers": [],
                "versions": dict.fromkeys(tls_engine.NAMES), "unknown":
                dict.fromkeys(tls_engine.NAMES, why)}


def _plain_http(address: str, portal: Portal, options: ProbeOptions) -> dict[str, Any]:
    """The declared URL over plain http, on the address the TLS was read from."""
    try:
        with _connect(address, 80, options.timeout) as sock:
            got = _get(sock, portal, portal.path)
    except (OSError, http.client.HTTPException) as exc:
        status, reason = _failure(exc)
        return {"address": address, "status": status, "reason": reason}
    return {"address": address, "status": "ok", "http": got}


def _smtp(address: str, options: ProbeOptions) -> dict[str, Any]:
    try:
        with _connect(address, 25, options.timeout) as sock:
            banner = sock.recv(512).decode("ascii", "replace")
    except OSError as exc:
        status, reason = _failure(exc)
        return {"status": status, "reason": reason}
    if not banner.startswith("220"):
        return {"status": "error", "reason": f"not an SMTP greeting: {banner[:60]!r}"}
    return {"status": "ok", "banner": clip(banner.strip(), 200)}


def _family(addresses: Iterable[str], attempt: Callable[[str], dict[str, Any]],
            policy: AddressPolicy) -> dict[str, Any]:
    """The first address of a family that answers (at most two are tried). An address the
    policy refuses is a result, never a contact."""
    tried: list[dict[str, Any]] = []
    for address in list(addresses)[:2]:
        why = policy.refusal(address)
        if why:
            tried.append({"address": address, "status": "refused_by_probe",
                          "reason": clip(f"not probed: {why}", 500)})
            continue
        try:
            result = {"address": address, **attempt(address)}
        except (OSError, http.client.HTTPException) as exc:
            status, reason = _failure(exc)
            result = {"address": address, "status": status, "reason": reason}
        if policy.allow_private and policy.needs_permission(address):
            result["allowed_private"] = True  # reached only because the operator allowed it
        if result["status"] == "ok":
            return result
        tried.append(result)
    if not tried:
        return {"status": "no_address"}
    return tried[0]


def probe(portal: Portal, options: ProbeOptions) -> dict[str, Any]:
    """Everything seen of one portal, as a portal fact bundle."""
    started = now()
    base = {"schema": PORTAL_FACT_BUNDLE, "portal": portal.name, "kind": portal.kind,
            "url": portal.url or portal.host, "collected_at": started}
    try:
        dns_facts = _dns(portal, options)
    except DnsFailure as exc:
        return {**base, "status": "unreachable", "reason": f"DNS: {clip(exc, 400)}"}
    if portal.is_web:
        def attempt(address: str) -> dict[str, Any]:
            return _https(address, portal, options)
    else:
        def attempt(address: str) -> dict[str, Any]:
            return _smtp(address, options)
    policy = AddressPolicy(options.allow_private)
    reach = {"ipv4": _family(dns_facts["a"], attempt, policy),
             "ipv6": _family(dns_facts["aaaa"], attempt, policy)}
    facts: dict[str, Any] = {"dns": dns_facts, "reach": reach}
    served = [f for f in ("ipv4", "ipv6") if reach[f]["status"] == "ok"]
    if not served:
        why = "; ".join(f"{family}: {_describe(reach[family])}" for family in ("ipv4", "ipv6"))
        return {**base, "status": "unreachable", "reason": clip(why, 1000), "facts": facts}
    if portal.is_web:
        address = reach[served[0]]["address"]
        facts["tls"] = _tls(address, portal, options)
        facts["http"] = _plain_http(address, portal, options)
    return {**base, "status": "collected", "facts": facts}


def _describe(result: Mapping[str, Any]) -> str:
    if result["status"] == "no_address":
        return "no address in DNS"
    return f"{result['address']}: {result.get('reason') or result['status']}"


def probe_all(portals: Iterable[Portal], options: ProbeOptions,
              done: Callable[[Portal, dict[str, Any]], None]) -> None:
    """Probe each portal, `options.concurrency` at once; `done` gets each bundle as soon as
    it is complete (a portal that fails never holds up or loses the others)."""
    with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
        futures = {pool.submit(_safe_probe, portal, options): portal for portal in portals}
        for future in as_completed(futures):
            done(futures[future], future.result())


def _safe_probe(portal: Portal, options: ProbeOptions) -> dict[str, Any]:
    try:
        return probe(portal, options)
    except Exception as exc:  # a probe bug must not lose the other portals' evidence
        return {"schema": PORTAL_FACT_BUNDLE, "portal": portal.name, "kind": portal.kind,
                "url": portal.url or portal.host, "collected_at": now(), "status": "failed",
                "reason": f"the probe failed: {type(exc).__name__}: {clip(exc, 300)}"}

"""Probe a declared portal from outside, read-only and politely: DNS (addresses, DNSSEC as the
resolver validates it, CAA, MX for mail), reachability over IPv4 and over IPv6 separately, TLS
(a browser's handshake here; every version, suite and certificate by sslyze: tls.py), and
HTTP (the declared URL over https and over plain http: status, redirect, security headers;
/.well-known/security.txt over https). One GET per address and scheme of the declared URL, and
one of security.txt: no redirect of the URL is followed, and of all bodies only security.txt's
is read (at most 32 KiB).

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
from urllib.parse import urlsplit

import dns.exception
import dns.name
import dns.rdatatype

from ..evidence.model import now
from ..gates.addresses import AddressPolicy
from ..inventory.model import Portal
from . import dane, dnssec, mail, nameservers, securitytxt
from . import tls as tls_engine
from .certificates import certificate_facts, clip
from .net import USER_AGENT
from .net import connect as _connect
from .net import failure as _failure

PORTAL_FACT_BUNDLE = "egov-audit/portal-fact-bundle@1"
# the response headers kept: the ones the controls and an inspector read
KEPT_HEADERS = ("strict-transport-security", "content-security-policy",
                "x-content-type-options", "x-frame-options", "referrer-policy", "location")
# a browser reads only the first of these; of the others every field line counts (several CSP
# lines are several policies, all enforced), so they are kept joined as one list
FIRST_ONLY = ("strict-transport-security", "location")
MAX_HEADER = 512
MAX_CSP = 4096  # real policies run to a few kilobytes: cut at 512, the script sources were lost


@dataclass(frozen=True)
class ProbeOptions:
    resolver: str | None = None  # "address" or "address:port" (IPv6: "[address]:port")
    ca_file: Path | None = None  # trust these CAs instead of the machine's
    timeout: float = 5.0  # each connection, handshake and DNS query
    concurrency: int = 16  # portals probed at once
    # private and shared space (RFC 1918, RFC 6598, ULA, documentation...): only when asked,
    # and each address so probed says it in the bundle
    allow_private: bool = False
    trust_anchor: Path | None = None  # DS or DNSKEY records to validate from (default: root)


class DnsFailure(Exception):
    """The name could not be resolved at all (not: resolved to nothing)."""


# -- DNS ---------------------------------------------------------------------------------------
def validator(options: ProbeOptions) -> dnssec.Validator:
    """The DNSSEC validator of one probe run: the resolver asked (checking disabled), the
    trust anchors (the root's, or the operator's file), the zones' own servers as a fallback
    within the address policy. Raises DnsFailure when no resolver is known."""
    if options.resolver is not None:
        host, port = split_server(options.resolver)
    else:
        # the resolver module reads the machine's configuration: only when no resolver is named
        import dns.resolver

        try:
            host, port = str(dns.resolver.Resolver().nameservers[0]), 53
        except (dns.exception.DNSException, IndexError, OSError) as exc:
            raise DnsFailure(f"no resolver configured on this machine: {clip(exc, 120)}") \
                from None
    anchors = dnssec.read_anchors(options.trust_anchor.read_text().splitlines()
                                  if options.trust_anchor else dnssec.ROOT_ANCHORS)
    ask = dnssec.asker(host, port, options.timeout)
    policy = AddressPolicy(options.allow_private)
    return dnssec.Validator(ask, anchors, direct=dnssec.direct_asker(
        ask, policy.refusal, options.timeout))


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


def _query(checker: dnssec.Validator, name: str, rdtype: str) -> tuple[list[str], Any]:
    """One question: the records of the type at the name (after its aliases) and the
    response they came in. Raises DnsFailure when there is no usable answer; NXDOMAIN and an
    empty answer are answers."""
    wanted = dns.rdatatype.from_text(rdtype)
    owner = dns.name.from_text(name)
    try:
        response = checker.fetch(owner, wanted)
    except dnssec.LookupFailed as exc:
        raise DnsFailure(clip(exc, 300)) from None
    for _ in range(dnssec.MAX_CNAMES):
        alias = dnssec.rrset(response.answer, owner, dns.rdatatype.CNAME)
        if alias is None:
            break
        owner = alias[0].target
    found = dnssec.rrset(response.answer, owner, wanted)
    return [clip(r.to_text(), 255) for r in list(found or ())[:32]], response


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


def _caa(checker: dnssec.Validator, name: str) -> tuple[list[str], str]:
    """The CAA set that applies to the name: its own or its closest ancestor's (RFC 8659),
    below the top-level domain."""
    labels = name.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        try:
            records, _ = _query(checker, candidate, "CAA")
        except DnsFailure:
            return [], ""
        if records:
            return records[:16], candidate
    return [], ""


def _dns(portal: Portal, options: ProbeOptions, checker: dnssec.Validator) -> dict[str, Any]:
    """Addresses and DNSSEC state of the portal's name (of the mail domain's MX hosts, for
    mail), validated here from the trust anchor. Raises DnsFailure when the name cannot be
    resolved at all."""
    questions = [("MX", portal.host)] if not portal.is_web else [("A", portal.host),
                                                                   ("AAAA", portal.host)]
    answers: dict[str, list[str]] = {}
    verdicts = []
    for rdtype, name in questions:
        answers[rdtype], response = _query(checker, name, rdtype)
        verdicts.append(checker.answer(dns.name.from_text(name),
                                       dns.rdatatype.from_text(rdtype), response))
    verdict = dnssec.worst(verdicts)
    facts: dict[str, Any] = {"name": portal.host, "dnssec": verdict.state,
                             "resolver": options.resolver or "system",
                             "validated_by": "egov-audit",
                             "trust_anchor": clip(checker.anchors, 200)}
    if verdict.reason:
        facts["dnssec_reason"] = verdict.reason
    if verdict.zone:
        facts["dnssec_zone"] = clip(verdict.zone, 255)
    if verdict.detail:
        facts["dnssec_error"] = clip(verdict.detail)
    if portal.is_web:
        facts["a"] = _addresses(answers["A"], 4)
        facts["aaaa"] = _addresses(answers["AAAA"], 6)
    else:
        mx: list[dict[str, Any]] = []
        for record in answers["MX"][:5]:
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
                facts["a"] += _addresses(_query(checker, entry["host"], "A")[0], 4)
                facts["aaaa"] += _addresses(_query(checker, entry["host"], "AAAA")[0], 6)
    facts["caa"], facts["caa_name"] = _caa(checker, portal.host)
    return facts


def _name_servers(portal: Portal, options: ProbeOptions,
                  checker: dnssec.Validator) -> dict[str, Any]:
    def lookup(name: str, rdtype: str) -> list[str]:
        try:
            return _query(checker, name, rdtype)[0]
        except DnsFailure as exc:
            raise dnssec.LookupFailed(str(exc)) from None

    return nameservers.name_servers(checker, portal.host, lookup, _addresses,
                                    AddressPolicy(options.allow_private).refusal,
                                    options.timeout)


# -- TCP and TLS -------------------------------------------------------------------------------
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


def _header(response: http.client.HTTPResponse, name: str) -> str | None:
    values = response.headers.get_all(name)
    if not values:
        return None
    if name in FIRST_ONLY:
        return clip(values[0], MAX_HEADER)
    return clip(", ".join(values), MAX_CSP if name == "content-security-policy" else MAX_HEADER)


def _request(sock: socket.socket, portal: Portal, path: str,
             accept: str = "*/*") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(portal.host, timeout=sock.gettimeout())
    conn.sock = sock
    conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": accept,
                                       "Connection": "close"})
    return conn.getresponse()


def _get(sock: socket.socket, portal: Portal, path: str) -> dict[str, Any]:
    """One GET of the declared URL: the status line and the kept headers; no body."""
    response = _request(sock, portal, path)
    headers = {name: value for name in KEPT_HEADERS
               if (value := _header(response, name)) is not None}
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


def _security_txt(address: str, portal: Portal, options: ProbeOptions) -> dict[str, Any]:
    """/.well-known/security.txt over https, as a browser reaches it (verifying; a certificate
    it refuses is an error of the file, and the file is still read). One redirect to another
    path of the same name is followed, as RFC 9116 allows; one elsewhere is only recorded."""
    path, seen = securitytxt.PATH, []
    for _ in range(2):
        seen.append(path)
        verified = True
        try:
            tls = _handshake(address, portal, _client(True, options), options.timeout)
        except ssl.SSLError:
            verified = False
            tls = _handshake(address, portal, _client(False, options), options.timeout)
        with tls:
            response = _request(tls, portal, path, accept="text/plain")
            code, location = int(response.status), _header(response, "location") or ""
            content_type = _header(response, "content-type")
            body = response.read(securitytxt.MAX_BYTES + 1) if code == 200 else b""
            response.close()
        url = f"https://{portal.host}{'' if portal.port == 443 else f':{portal.port}'}{path}"
        out: dict[str, Any] = {"address": address, "status": "found", "url": clip(url, 500),
                               "http_status": code}
        if code in (301, 302, 303, 307, 308) and location:
            target = urlsplit(location)
            if target.scheme in ("", "https") and target.netloc.lower() in (
                    "", portal.host, f"{portal.host}:{portal.port}") \
                    and target.path.startswith("/") and target.path not in seen:
                path = target.path  # its query and fragment are not asked for
                continue
            return {**out, "status": "redirected", "location": clip(location, 500)}
        if code != 200:
            return {**out, "status": "not_found"}
        if len(body) > securitytxt.MAX_BYTES:
            return {**out, "status": "too_large"}
        if content_type is not None:
            out["content_type"] = content_type
        return {**out, **securitytxt.facts_of(body, content_type, url, verified)}
    return {**out, "status": "redirected", "location": clip(location, 500)}


def _tls(address: str, portal: Portal, options: ProbeOptions,
         chain: list[bytes]) -> dict[str, Any]:
    """Every version, suite and certificate, as sslyze sees them; what it cannot tell is
    unknown with sslyze's reason, never a refusal or an acceptance. `chain` gets the DER of
    the chain the server sent (for DANE)."""
    try:
        return tls_engine.scan(address, portal.host, portal.port, options.timeout,
                               options.ca_file, received=chain)
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


def probe(portal: Portal, options: ProbeOptions,
          checker: dnssec.Validator | None = None) -> dict[str, Any]:
    """Everything seen of one portal, as a portal fact bundle. `checker`: the run's DNSSEC
    validator (its zone keys shared by every portal), else one for this portal."""
    started = now()
    base = {"schema": PORTAL_FACT_BUNDLE, "portal": portal.name, "kind": portal.kind,
            "url": portal.url or portal.host, "collected_at": started}
    try:
        checker = checker or validator(options)
        dns_facts = _dns(portal, options, checker)
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
    facts: dict[str, Any] = {"dns": dns_facts, "reach": reach,
                             "name_servers": _name_servers(portal, options, checker)}
    served = [f for f in ("ipv4", "ipv6") if reach[f]["status"] == "ok"]
    if not served:
        why = "; ".join(f"{family}: {_describe(reach[family])}" for family in ("ipv4", "ipv6"))
        return {**base, "status": "unreachable", "reason": clip(why, 1000), "facts": facts}
    if portal.is_web:
        address = reach[served[0]]["address"]
        chain: list[bytes] = []
        facts["tls"] = _tls(address, portal, options, chain)
        facts["dane"] = dane.judged(checker, f"_{portal.port}._tcp.{portal.host}", chain,
                                    smtp=False)
        facts["http"] = _plain_http(address, portal, options)
        try:
            facts["security_txt"] = _security_txt(address, portal, options)
        except (OSError, http.client.HTTPException) as exc:
            status, reason = _failure(exc)
            facts["security_txt"] = {"address": address, "status": status, "reason": reason}
    else:
        facts["mail"] = _mail(portal, dns_facts, options, checker, policy)
    return {**base, "status": "collected", "facts": facts}


def _mail(portal: Portal, dns_facts: Mapping[str, Any], options: ProbeOptions,
          checker: dnssec.Validator, policy: AddressPolicy) -> dict[str, Any]:
    def addresses(host: str) -> list[str]:
        try:
            return [*_addresses(_query(checker, host, "A")[0], 4),
                    *_addresses(_query(checker, host, "AAAA")[0], 6)]
        except DnsFailure as exc:
            raise dnssec.LookupFailed(str(exc)) from None

    return mail.mail_facts(checker, portal.host, [m["host"] for m in dns_facts["mx"] if m["host"]],
                           portal.dkim_selectors, addresses, policy, options.timeout,
                           options.ca_file)


def _describe(result: Mapping[str, Any]) -> str:
    if result["status"] == "no_address":
        return "no address in DNS"
    return f"{result['address']}: {result.get('reason') or result['status']}"


def probe_all(portals: Iterable[Portal], options: ProbeOptions,
              done: Callable[[Portal, dict[str, Any]], None]) -> None:
    """Probe each portal, `options.concurrency` at once; `done` gets each bundle as soon as
    it is complete (a portal that fails never holds up or loses the others)."""
    try:
        checker: dnssec.Validator | None = validator(options)
    except DnsFailure:
        checker = None  # each portal then says why its name could not be resolved
    with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
        futures = {pool.submit(_safe_probe, portal, options, checker): portal
                   for portal in portals}
        for future in as_completed(futures):
            done(futures[future], future.result())


def _safe_probe(portal: Portal, options: ProbeOptions,
                checker: dnssec.Validator | None) -> dict[str, Any]:
    try:
        return probe(portal, options, checker)
    except Exception as exc:  # a probe bug must not lose the other portals' evidence
        return {"schema": PORTAL_FACT_BUNDLE, "portal": portal.name, "kind": portal.kind,
                "url": portal.url or portal.host, "collected_at": now(), "status": "failed",
                "reason": f"the probe failed: {type(exc).__name__}: {clip(exc, 300)}"}

"""A mail domain as Internet.nl's mail test sees it: SPF (evaluated by pyspf, the reference
implementation of RFC 7208), DMARC (RFC 7489), DKIM keys of the declared selectors (RFC 6376),
MTA-STS (RFC 8461), and each mail exchanger's STARTTLS (its TLS versions and certificates read by
sslyze, as a web portal's) and DANE TLSA records (RFC 7672) matched to the chain it sent.

Every DNS question goes through the probe's validator (the run's resolver and trust anchors);
every connection is to an address the address policy allows. Records are kept as published,
bounded; the controls (checks/portal_mail.py) read them. Nothing is sent to an exchanger but
EHLO, STARTTLS and QUIT: no mail."""

from __future__ import annotations

import base64
import binascii
import contextlib
import contextvars
import http.client
import ssl
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import dns.exception
import dns.name
import dns.rdatatype

from ..gates.addresses import AddressPolicy
from . import dane, dnssec
from . import tls as tls_engine
from .certificates import clip
from .mailrecords import UNLISTED_SENDER, tags
from .net import USER_AGENT, connect, failure

MAX_RECORD = 2048  # a 4096-bit DKIM key is ~740 characters of base64
MAX_SELECTORS = 8
MAX_EXCHANGERS = 3  # the best ones: where mail is delivered
MAX_POLICY = 65536  # RFC 8461 §3.2 bounds nothing; this is more than any real policy
MTA_STS_PATH = "/.well-known/mta-sts.txt"
SPF_RESULTS = ("pass", "fail", "softfail", "neutral", "none", "permerror", "temperror")
Addresses = Callable[[str], list[str]]  # a host's addresses, IPv4 first

_VALIDATOR: contextvars.ContextVar[dnssec.Validator] = contextvars.ContextVar("spf_validator")


# -- DNS ---------------------------------------------------------------------------------------
def txt(checker: dnssec.Validator, name: str) -> list[str]:
    """The TXT records at `name`, each one's strings joined (RFC 7208 §3.3), at most 16."""
    found, _ = dane.fetch(checker, name, "TXT")
    return [clip(b"".join(r.strings).decode("utf-8", "replace"), MAX_RECORD)
            for r in list(found)[:16]]


def _tagged(records: Iterable[str], version: str) -> list[str]:
    """The records whose first term is the version (`v=spf1`, ended by a space; `v=DMARC1` and
    `v=STSv1`, ended by a semicolon), as receivers pick them out."""
    def first(record: str) -> str:
        return (record.split(";")[0] if version != "v=spf1" else (record.split() or [""])[0])

    return [r for r in records if first(r).replace(" ", "").lower() == version.lower()]


# -- SPF ---------------------------------------------------------------------------------------
def _spf_lookup(name: str, qtype: str, strict: bool = True,
                timeout: float = 30) -> list[tuple[tuple[str, str], Any]]:
    """pyspf's DNS, through the probe's validator: what pyspf's dnspython lookup returns."""
    # pyspf: already loaded (it is what calls this)
    import spf

    if qtype == "SPF":  # RFC 7208 retired the SPF type: nobody need publish it
        return []
    checker = _VALIDATOR.get()
    try:
        response = checker.fetch(dns.name.from_text(name), dns.rdatatype.from_text(qtype))
    except (dnssec.LookupFailed, dns.exception.DNSException) as exc:
        raise spf.TempError(f"DNS {clip(exc, 200)}") from None
    out: list[tuple[tuple[str, str], Any]] = []
    for rrset in response.answer:
        owner = rrset.name.to_text(omit_final_dot=True)
        kind = dns.rdatatype.to_text(rrset.rdtype)
        for rdata in rrset:
            if kind == "CNAME":
                out.append(((owner, kind), rdata.target.to_text(omit_final_dot=True)))
            elif kind != qtype:
                continue
            elif kind in ("A", "AAAA"):
                out.append(((owner, kind), rdata.address))
            elif kind == "MX":
                out.append(((owner, kind), (rdata.preference, rdata.exchange)))
            elif kind == "PTR":
                out.append(((owner, kind), rdata.target.to_text(omit_final_dot=True)))
            elif kind == "TXT":
                out.append(((owner, kind), rdata.strings))
    return out


def _spf_module() -> Any:
    # pyspf: only when a mail domain is probed. Its DNS lookup is a module-level hook (it ships
    # two, for dnspython and pydns); ours reads the probe's validator from the calling thread
    import spf

    spf.DNSLookup = _spf_lookup
    return spf


def spf_facts(checker: dnssec.Validator, domain: str, timeout: float) -> dict[str, Any]:
    """The domain's SPF records and pyspf's verdict for a sender it does not list."""
    try:
        records = _tagged(txt(checker, domain), "v=spf1")
    except dnssec.LookupFailed as exc:
        return {"records": [], "result": "temperror", "explanation": clip(exc, 300)}
    out: dict[str, Any] = {"records": [clip(r, 1024) for r in records[:4]]}
    if not records:
        return {**out, "result": "none"}
    spf = _spf_module()
    token = _VALIDATOR.set(checker)
    try:
        query = spf.query(i=UNLISTED_SENDER, s=f"postmaster@{domain}", h=domain,
                          timeout=timeout, querytime=max(timeout * 4, 20))
        result, _, explanation = query.check()
        out["lookups"] = min(int(query.lookups), 100)
    except Exception as exc:  # an evaluator's own failure: said, the rest of the mail judged
        result, explanation = "temperror", f"the SPF evaluator failed: {type(exc).__name__}"
    finally:
        _VALIDATOR.reset(token)
    if result not in SPF_RESULTS:  # pyspf's strict modes have more words: none is a verdict
        result, explanation = "temperror", f"pyspf answered {clip(result, 40)!r}"
    return {**out, "result": str(result), "explanation": clip(explanation, 300)}


# -- DKIM --------------------------------------------------------------------------------------
def dkim_key(record: str) -> dict[str, Any]:
    """The public key of a DKIM record: its type and size, or why it is none."""
    found = tags(record)
    key_type = clip(found.get("k", "rsa").lower(), 20)
    data = found.get("p")
    if data is None:
        return {"error": "no p= tag"}
    if not data:
        return {"type": key_type, "revoked": True}
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return {"type": key_type, "error": "p= is not base64"}
    if key_type == "ed25519":  # RFC 8463: the raw 32-byte key
        return {"type": key_type, "bits": 256} if len(raw) == 32 else \
            {"type": key_type, "error": f"an Ed25519 key is 32 bytes, not {len(raw)}"}
    if key_type != "rsa":
        return {"type": key_type, "error": "not a key type DKIM defines"}
    # cryptography: only where a key, certificate or signature is handled
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        key = load_der_public_key(raw)
    except (ValueError, TypeError):
        return {"type": "rsa", "error": "p= holds no RSA public key"}
    if not isinstance(key, rsa.RSAPublicKey):
        return {"type": "rsa", "error": "p= holds a key of another type"}
    return {"type": "rsa", "bits": key.key_size}


def dkim_facts(checker: dnssec.Validator, domain: str,
               selectors: Iterable[str]) -> list[dict[str, Any]]:
    out = []
    for selector in list(selectors)[:MAX_SELECTORS]:
        found: dict[str, Any] = {"selector": selector}
        try:
            records = txt(checker, f"{selector}._domainkey.{domain}")
        except dnssec.LookupFailed as exc:
            out.append({**found, "records": [], "error": clip(exc, 200)})
            continue
        # v=, when present, must come first (RFC 6376 §3.6.1); a record with neither v= nor p=
        # is no key record (a wildcard TXT, say)
        keys = [r for r in records if "p" in tags(r) or r.lstrip().startswith("v=")]
        found["records"] = keys[:4]
        if len(keys) == 1:
            found["key"] = dkim_key(keys[0])
        out.append(found)
    return out


# -- MTA-STS -----------------------------------------------------------------------------------
def mta_sts_facts(checker: dnssec.Validator, domain: str, addresses: Addresses,
                  policy: AddressPolicy, timeout: float, ca_file: Path | None) -> dict[str, Any]:
    """The _mta-sts TXT record and, when one is published, the policy file, fetched as a
    sending server fetches it: https, a certificate valid for mta-sts.<domain>, no redirect."""
    try:
        records = _tagged(txt(checker, f"_mta-sts.{domain}"), "v=STSv1")
    except dnssec.LookupFailed as exc:
        return {"records": [], "error": clip(exc, 200)}
    out: dict[str, Any] = {"records": [clip(r, 255) for r in records[:4]]}
    if not records:
        return out
    host = f"mta-sts.{domain}"
    try:
        listed = addresses(host)
    except dnssec.LookupFailed as exc:
        return {**out, "policy": {"status": "error", "reason": f"DNS: {clip(exc, 200)}"}}
    allowed = [a for a in listed if not policy.refusal(a)]
    if not allowed:
        why = policy.refusal(listed[0]) if listed else "no address in DNS"
        return {**out, "policy": {"status": "error", "reason": clip(why, 200)}}
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    try:
        with connect(allowed[0], 443, timeout) as sock, \
                context.wrap_socket(sock, server_hostname=host) as tls:
            conn = http.client.HTTPConnection(host, timeout=timeout)
            conn.sock = tls
            conn.request("GET", MTA_STS_PATH, headers={"User-Agent": USER_AGENT,
                                                        "Connection": "close"})
            response = conn.getresponse()
            code = int(response.status)
            content_type = clip(response.headers.get("content-type") or "", 100)
            body = response.read(MAX_POLICY + 1) if code == 200 else b""
    except (OSError, http.client.HTTPException) as exc:
        return {**out, "policy": {"status": "error", "address": allowed[0],
                                  "reason": failure(exc)[1]}}
    fetched: dict[str, Any] = {"status": "ok", "address": allowed[0], "http_status": code,
                               "content_type": content_type, **_marked(allowed[0], policy)}
    if code == 200:
        fetched["text"] = clip(body[:MAX_POLICY].decode("utf-8", "replace"), 4096)
    return {**out, "policy": fetched}


def _marked(address: str, policy: AddressPolicy) -> dict[str, bool]:
    """An address in private space reached only because the operator allowed it, said so."""
    return {"allowed_private": True} if policy.allow_private and \
        policy.needs_permission(address) else {}


# -- the exchangers: STARTTLS and DANE ---------------------------------------------------------
def _reply(sock: Any, limit: int = 8192) -> tuple[int, list[str]]:
    """One SMTP reply (RFC 5321 §4.2: "250-..." lines, then "250 ..."): its code and lines."""
    data = b""
    while len(data) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
        lines = data.split(b"\r\n")
        last = [line for line in lines if line]
        if data.endswith(b"\r\n") and last and last[-1][3:4] != b"-":
            break
    lines = [line.decode("ascii", "replace") for line in data.split(b"\r\n") if line]
    code = lines[-1][:3] if lines else ""
    return (int(code) if code.isdigit() else 0), lines


def starttls_offered(address: str, timeout: float) -> dict[str, Any]:
    """Greeting, EHLO, QUIT: whether the exchanger offers STARTTLS (RFC 3207)."""
    try:
        with connect(address, 25, timeout) as sock:
            code, lines = _reply(sock)
            if code != 220:
                return {"status": "error",
                        "reason": clip(f"not an SMTP greeting: {' '.join(lines)[:80]!r}", 200)}
            sock.sendall(f"EHLO {tls_engine.EHLO_NAME}\r\n".encode())
            code, lines = _reply(sock)
            with contextlib.suppress(OSError):
                sock.sendall(b"QUIT\r\n")
    except OSError as exc:
        status, reason = failure(exc)
        return {"status": status, "reason": reason}
    if code != 250:
        return {"status": "error", "reason": clip(f"EHLO refused: {' '.join(lines)[:80]!r}", 200)}
    offered = any(line[4:].strip().upper() == "STARTTLS" for line in lines[1:])
    return {"status": "ok", "starttls": offered}


def exchanger_facts(checker: dnssec.Validator, host: str, addresses: Addresses,
                    policy: AddressPolicy, timeout: float, ca_file: Path | None) -> dict[str, Any]:
    """One exchanger: STARTTLS offered, its TLS as sslyze sees it, its TLSA records."""
    found: dict[str, Any] = {"host": host, "tlsa": dane.records(checker, f"_25._tcp.{host}")}
    try:
        listed = addresses(host)
    except dnssec.LookupFailed as exc:
        return {**found, "status": "error", "reason": f"DNS: {clip(exc, 200)}"}
    allowed = [a for a in listed if not policy.refusal(a)]
    if not allowed:
        why = f"not probed: {policy.refusal(listed[0])}" if listed else "no address in DNS"
        return {**found, "status": "no_address", "reason": clip(why, 200)}
    found.update(address=allowed[0], **_marked(allowed[0], policy))
    offered = starttls_offered(allowed[0], timeout)
    found.update(offered)
    if offered["status"] != "ok" or not offered["starttls"]:
        return found
    chain: list[bytes] = []
    try:
        found["tls"] = tls_engine.scan(allowed[0], host, 25, timeout, ca_file, starttls=True,
                                       received=chain)
    except Exception as exc:  # the engine's own failure: the rest of the mail is judged
        found["tls_error"] = f"the TLS scan failed: {type(exc).__name__}: {clip(exc, 200)}"
    for record in found["tlsa"]["records"]:
        record["matches"] = dane.match(record["record"], chain)
    return found


def mail_facts(checker: dnssec.Validator, domain: str, exchangers: Iterable[str],
               selectors: Iterable[str], addresses: Addresses, policy: AddressPolicy,
               timeout: float, ca_file: Path | None) -> dict[str, Any]:
    """Everything the mail controls read about `domain`."""
    dmarc: dict[str, Any] = {}
    try:
        dmarc["records"] = [clip(r, 1024) for r in
                            _tagged(txt(checker, f"_dmarc.{domain}"), "v=DMARC1")[:4]]
    except dnssec.LookupFailed as exc:
        dmarc.update(records=[], error=clip(exc, 200))
    return {
        "spf": spf_facts(checker, domain, timeout),
        "dmarc": dmarc,
        "dkim": dkim_facts(checker, domain, selectors),
        "mta_sts": mta_sts_facts(checker, domain, addresses, policy, timeout, ca_file),
        "exchangers": [exchanger_facts(checker, host, addresses, policy, timeout, ca_file)
                       for host in list(exchangers)[:MAX_EXCHANGERS]],
    }

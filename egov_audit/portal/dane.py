"""DANE (RFC 6698, 7671): a service's TLSA records, the DNSSEC state of their answer as the
probe's validator judges it, and whether each matches the certificate chain the service sent.
For SMTP (RFC 7672) only DANE-TA and DANE-EE count; for a web server every usage is matched."""

from __future__ import annotations

import hashlib
from typing import Any

import dns.name
import dns.rdatatype

from . import dnssec
from .certificates import clip


def fetch(checker: dnssec.Validator, name: str, rdtype: str) -> tuple[Any, Any]:
    """(records at `name` after its aliases, the response). Raises LookupFailed."""
    owner = dns.name.from_text(name)
    wanted = dns.rdatatype.from_text(rdtype)
    response = checker.fetch(owner, wanted)
    for _ in range(dnssec.MAX_CNAMES):
        alias = dnssec.rrset(response.answer, owner, dns.rdatatype.CNAME)
        if alias is None:
            break
        owner = alias[0].target
    return dnssec.rrset(response.answer, owner, wanted) or (), response


def records(checker: dnssec.Validator, name: str) -> dict[str, Any]:
    """The TLSA records at `name` (_PORT._tcp.HOST) with the DNSSEC state of the answer."""
    found: dict[str, Any] = {"name": name}
    try:
        listed, response = fetch(checker, name, "TLSA")
        found["dnssec"] = checker.answer(dns.name.from_text(name), dns.rdatatype.TLSA,
                                         response).state
        found["records"] = [{"record": clip(r.to_text(), 300)} for r in list(listed)[:8]]
    except dnssec.LookupFailed as exc:
        found.update(records=[], error=clip(exc, 200))
    return found


def match(record: str, chain: list[bytes], smtp: bool = True) -> bool:
    """Whether a TLSA record (usage selector type data) matches the chain the server sent:
    DANE-EE (3) and PKIX-EE (1) its certificate, DANE-TA (2) and PKIX-TA (0) one of the others
    (RFC 7671); for SMTP only 2 and 3 (RFC 7672)."""
    # cryptography: only where a key, certificate or signature is handled
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    fields = record.split()
    if len(fields) < 4 or not all(f.isdigit() for f in fields[:3]) or not chain:
        return False
    usage, selector, matching = (int(f) for f in fields[:3])
    if smtp and usage not in (2, 3):
        return False
    wanted = "".join(fields[3:]).lower()
    candidates = chain[:1] if usage in (1, 3) else chain[1:] if usage in (0, 2) else []
    for der in candidates:
        data = der if selector == 0 else x509.load_der_x509_certificate(der).public_key(
            ).public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        digest = {0: data.hex(), 1: hashlib.sha256(data).hexdigest(),
                  2: hashlib.sha512(data).hexdigest()}.get(matching)
        if digest == wanted:
            return True
    return False


def judged(checker: dnssec.Validator, name: str, chain: list[bytes],
           smtp: bool = True) -> dict[str, Any]:
    """`records`, each marked with whether it matches `chain` (when a chain was read)."""
    found = records(checker, name)
    if chain:
        for record in found["records"]:
            record["matches"] = match(record["record"], chain, smtp)
    return found

"""DNSSEC validated here, from a trust anchor, as a validating resolver would (RFC 4033-4035,
RFC 5155 for NSEC3, RFC 6840), rather than taken from a resolver's AD flag: any resolver that
passes DNSSEC records along will do, validating or not.

Every question goes to the resolver with checking disabled (CD), so a zone whose signatures do
not validate still answers and the reason can be told. The chain is walked from the trust anchor
down, one label at a time: the zone's DNSKEY set must be signed by a key its parent's DS names;
each DS, or the signed proof that there is none, comes from the parent's keys; the answer is
signed by the keys of the zone that holds it. Each name ends in one of four states:

- secure: every link validates;
- insecure: provably unsigned: a delegation whose parent proves (signed NSEC/NSEC3) there is no
  DS, or whose DS names only algorithms this validator cannot check;
- bogus: a link does not validate, with its reason (REASONS);
- indeterminate: a question got no usable answer, so nothing can be said.

The answers come from servers the agency controls: nothing here trusts them beyond what a
signature proves, and every text kept is bounded by the caller."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.NSEC3
import dns.rrset
from dns.rdatatype import CNAME, DNSKEY, DS, NS, NSEC, NSEC3, RRSIG, SOA, RdataType

from ..errors import Message

SECURE, INSECURE, BOGUS, INDETERMINATE = "secure", "insecure", "bogus", "indeterminate"
STATES = (SECURE, INSECURE, BOGUS, INDETERMINATE)
# why a name is bogus or insecure: the checks say each in both languages
REASONS = {
    BOGUS: ("expired", "not_yet_valid", "ds_mismatch", "wrong_algorithm", "no_signature",
            "bad_signature", "no_dnskey", "no_denial"),
    INSECURE: ("no_ds", "opt_out", "unsupported_algorithm", "no_anchor"),
    INDETERMINATE: ("lookup_failed", "no_dnssec_records", "too_long"),
}
# The root zone's key-signing keys as IANA publishes them (https://data.iana.org/root-anchors/
# root-anchors.xml): KSK-2017 and KSK-2024, both trusted through the 2024-2026 rollover.
ROOT_ANCHORS = (
    ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
)
# what dnspython can verify (RFC 8624's "MUST" and "RECOMMENDED" validation algorithms)
ALGORITHMS = frozenset({5, 7, 8, 10, 13, 14, 15, 16})
DIGESTS = frozenset({1, 2, 4})
ZONE_KEY = 0x0100
MAX_CNAMES = 8
_WORST = {SECURE: 0, INSECURE: 1, INDETERMINATE: 2, BOGUS: 3}

Anchors = dict[dns.name.Name, list[dns.rdata.Rdata]]  # a zone's trusted DS or DNSKEY records
Ask = Callable[[dns.name.Name, RdataType], dns.message.Message]
# a question to the zone's own servers: (zone, name, type)
Direct = Callable[[dns.name.Name, dns.name.Name, RdataType], dns.message.Message]


@dataclass(frozen=True)
class Verdict:
    state: str
    reason: str = ""  # empty for secure
    zone: str = ""  # the zone whose link decided (where the chain ended or broke)
    detail: str = ""


class LookupFailed(Exception):
    """A question got no usable answer (timeout, SERVFAIL even with checking disabled)."""


class AnchorError(ValueError):
    """A trust anchor file that cannot be read (the message names the line)."""


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    return max(verdicts, key=lambda v: _WORST[v.state])


# -- trust anchors --------------------------------------------------------------------------------
def read_anchors(lines: Iterable[str]) -> Anchors:
    """DS or DNSKEY records in zone-file presentation ("owner [TTL] [IN] DS|DNSKEY rdata"),
    one a line; ';' and '#' start comments (unbound's root.key reads as it is)."""
    anchors: Anchors = {}
    for number, raw in enumerate(lines, 1):
        text = raw.split(";", 1)[0].split("#", 1)[0].strip()
        if not text:
            continue
        tokens = text.split()
        owner, rest = tokens[0], tokens[1:]
        while rest and (rest[0].isdigit() or rest[0].upper() == "IN"):
            rest = rest[1:]
        if len(rest) < 2 or rest[0].upper() not in ("DS", "DNSKEY"):
            raise AnchorError(Message("line {line}: not a DS or DNSKEY record", line=number))
        try:
            name = dns.name.from_text(owner)
            rdata = dns.rdata.from_text(dns.rdataclass.IN, rest[0].upper(), " ".join(rest[1:]))
        except (dns.exception.DNSException, ValueError) as exc:
            raise AnchorError(Message("line {line}: {why}", line=number,
                                      why=str(exc)[:120])) from None
        anchors.setdefault(name, []).append(rdata)
    if not anchors:
        raise AnchorError(Message("no DS or DNSKEY record in it"))
    return anchors


def describe_anchors(anchors: Anchors) -> str:
    """"." 20326, 38696: what the evidence says it was validated from."""
    return "; ".join(f"{zone.to_text()} {', '.join(str(_tag(r)) for r in records)}"
                     for zone, records in sorted(anchors.items()))[:200]


def _tag(rdata: Any) -> int:
    return int(rdata.key_tag) if rdata.rdtype == DS else dns.dnssec.key_id(rdata)


# -- asking ---------------------------------------------------------------------------------------
def asker(host: str, port: int, timeout: float) -> Ask:
    """Questions to one resolver: recursion desired, DNSSEC records wanted, checking disabled."""

    def ask(name: dns.name.Name, rdtype: RdataType) -> dns.message.Message:
        query = dns.message.make_query(name, rdtype, want_dnssec=True, payload=1232)
        query.flags |= dns.flags.CD
        for attempt in (1, 2):
            try:
                response, _ = dns.query.udp_with_fallback(query, host, timeout=timeout,
                                                          port=port)
                break
            except dns.exception.Timeout:
                if attempt == 2:
                    raise LookupFailed(f"{_type(rdtype)} {name}: no answer in time") from None
            except (OSError, dns.exception.DNSException) as exc:
                raise LookupFailed(f"{_type(rdtype)} {name}: {str(exc)[:120]}") from None
        if response.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            raise LookupFailed(f"{_type(rdtype)} {name}: {dns.rcode.to_text(response.rcode())}")
        return response

    return ask


def direct_asker(ask: Ask, refusal: Callable[[str], str], timeout: float) -> Direct:
    """Questions to a zone's own name servers (found through the resolver), without recursion;
    an address the probe's policy refuses (the inspector's own network...) is never asked."""

    def direct(zone: dns.name.Name, name: dns.name.Name,
               rdtype: RdataType) -> dns.message.Message:
        servers = rrset(ask(zone, NS).answer, zone, NS)
        tried: list[str] = []
        for server in list(servers or ())[:4]:
            for family in (dns.rdatatype.A, dns.rdatatype.AAAA):
                try:
                    found = rrset(ask(server.target, family).answer, server.target, family)
                except LookupFailed:
                    continue
                for address in [r.address for r in found or ()][:2]:
                    if refusal(address):
                        tried.append(f"{address}: {refusal(address)}"[:120])
                        continue
                    query = dns.message.make_query(name, rdtype, want_dnssec=True,
                                                   payload=1232)
                    query.flags &= ~dns.flags.RD
                    try:
                        response, _ = dns.query.udp_with_fallback(query, address,
                                                                  timeout=timeout)
                    except (OSError, dns.exception.DNSException) as exc:
                        tried.append(f"{address}: {str(exc)[:80]}")
                        continue
                    if response.flags & dns.flags.AA and response.rcode() in (
                            dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                        return response
                    tried.append(f"{address}: {dns.rcode.to_text(response.rcode())}")
        raise LookupFailed(f"{_type(rdtype)} {name}: the resolver answered SERVFAIL, and so "
                           f"did the zone's servers ({'; '.join(tried)[:200] or 'none found'})")

    return direct


def _type(rdtype: RdataType) -> str:
    return dns.rdatatype.to_text(rdtype)


def rrset(section: Sequence[dns.rrset.RRset], name: dns.name.Name,
          rdtype: RdataType) -> dns.rrset.RRset | None:
    for found in section:
        if found.name == name and found.rdtype == rdtype:
            return found
    return None


def _signatures(section: Sequence[dns.rrset.RRset], name: dns.name.Name,
                covered: RdataType) -> list[Any]:
    sigs = rrset(section, name, RRSIG)
    return [sig for sig in sigs or () if sig.type_covered == covered]


# -- the validator --------------------------------------------------------------------------------
class Validator:
    """Validates answers from one resolver against the trust anchors. Zone keys and delegations
    are remembered for the validator's life (one probe run), shared by the probe's threads."""

    def __init__(self, ask: Ask, anchors: Anchors, now: Callable[[], float] = time.time,
                 direct: Direct | None = None) -> None:
        self._ask = ask
        self._direct = direct
        self._anchors = anchors
        self._now = now
        self._lock = threading.Lock()
        self._keys: dict[dns.name.Name, tuple[Verdict | None, Any]] = {}
        self._cuts: dict[tuple[dns.name.Name, dns.name.Name], tuple[Verdict | None, bool]] = {}

    @property
    def anchors(self) -> str:
        return describe_anchors(self._anchors)

    def fetch(self, name: dns.name.Name, rdtype: RdataType) -> dns.message.Message:
        """The answer to (name, rdtype): the resolver's, or where it refuses to pass on what
        it judges broken (Unbound answers SERVFAIL, checking disabled or not, for records a
        signed zone left unsigned), the zone's own servers'. Raises LookupFailed."""
        try:
            return self._ask(name, rdtype)
        except LookupFailed:
            if self._direct is None:
                raise
            found = self._chain(name)
            if isinstance(found, Verdict) and found.state != BOGUS:
                raise
            zone = dns.name.from_text(found.zone) if isinstance(found, Verdict) else found[0]
            return self._direct(zone, name, rdtype)

    def answer(self, name: dns.name.Name, rdtype: RdataType, response: dns.message.Message,
               depth: int = 0) -> Verdict:
        """The verdict on `response`, the resolver's answer to (name, rdtype)."""
        try:
            found = self._chain(name)
            if isinstance(found, Verdict):
                return found
            zone, keys = found
            if response.rcode() == dns.rcode.NXDOMAIN:
                return self._denied(name, rdtype, response, zone, keys) or \
                    Verdict(SECURE, zone=zone.to_text(), detail="the name provably does not exist")
            data = rrset(response.answer, name, rdtype)
            alias = rrset(response.answer, name, CNAME) if rdtype != CNAME else None
            if data is None and alias is None:
                return self._denied(name, rdtype, response, zone, keys) or \
                    Verdict(SECURE, zone=zone.to_text(), detail="provably no such record")
            given: dns.rrset.RRset = data or alias  # type: ignore[assignment]
            signed = self._verify(given, response.answer, zone, keys) or \
                self._wildcard(given, response, zone, keys)
            if signed:
                return signed
            if data is None:
                if depth >= MAX_CNAMES:
                    return Verdict(INDETERMINATE, "too_long", zone.to_text(),
                                   f"more than {MAX_CNAMES} aliases")
                target = alias[0].target  # type: ignore[index]
                if rrset(response.answer, target, rdtype) is None and \
                        rrset(response.answer, target, CNAME) is None:
                    response = self._ask(target, rdtype)
                return self.answer(target, rdtype, response, depth + 1)
            return Verdict(SECURE, zone=zone.to_text())
        except LookupFailed as exc:
            return Verdict(INDETERMINATE, "lookup_failed", detail=str(exc)[:200])

    # -- the chain down to the zone holding the name
    def _chain(self, name: dns.name.Name) -> Verdict | tuple[dns.name.Name, Any]:
        held = [zone for zone in self._anchors if name.is_subdomain(zone)]
        if not held:
            return Verdict(INSECURE, "no_anchor", detail="no trust anchor covers the name")
        zone = max(held, key=len)
        verdict, keys = self._zone_keys(zone, self._anchors[zone], anchored=True)
        if verdict:
            return verdict
        for depth in range(len(zone) + 1, len(name) + 1):
            child = name.split(depth)[1]
            with self._lock:
                known = self._cuts.get((zone, child))
            if known is None:
                known = self._delegation(zone, keys, child)
                with self._lock:
                    self._cuts[(zone, child)] = known
            verdict, is_cut = known
            if verdict:
                return verdict
            if is_cut:
                with self._lock:
                    zone_keys = self._keys[child]
                verdict, keys = zone_keys
                if verdict:
                    return verdict
                zone = child
        return zone, keys

    def _delegation(self, zone: dns.name.Name, keys: Any,
                    child: dns.name.Name) -> tuple[Verdict | None, bool]:
        """Whether `child` starts a zone of its own (then its keys are validated and kept),
        and if the chain stops there, why."""
        response = self._ask(child, DS)
        found = rrset(response.answer, child, DS)
        if found is not None:
            signed = self._verify(found, response.answer, zone, keys)
            if signed:
                return signed, False
            self._zone_keys(child, list(found), anchored=False)
            return None, True
        proof = self._denial(child, DS, response, zone, keys)
        if isinstance(proof, Verdict):
            return proof, False
        if proof == "opt_out":
            return Verdict(INSECURE, "opt_out", child.to_text(),
                           "an opted-out delegation: no DS (NSEC3 opt-out)"), False
        if proof == "nxdomain":
            return None, False  # the name does not exist: the answer's own proof says so
        if NS in proof and SOA not in proof:  # a delegation, proven to have no DS
            return Verdict(INSECURE, "no_ds", child.to_text(), self._island(child)), False
        return None, False  # not a zone cut: the same zone goes on

    def _island(self, child: dns.name.Name) -> str:
        try:
            keys = rrset(self._ask(child, DNSKEY).answer, child, DNSKEY)
        except LookupFailed:
            keys = None
        return ("the zone is signed, but its parent has no DS for it" if keys
                else "the zone is not signed (no DS in its parent)")

    def _zone_keys(self, zone: dns.name.Name, trusted: Sequence[Any],
                   anchored: bool) -> tuple[Verdict | None, Any]:
        with self._lock:
            if zone in self._keys:
                return self._keys[zone]
        try:
            found = self._validated_keys(zone, trusted, anchored)
        except LookupFailed as exc:
            found = (Verdict(INDETERMINATE, "lookup_failed", zone.to_text(), str(exc)[:200]),
                     None)
        with self._lock:
            self._keys[zone] = found
        return found

    def _validated_keys(self, zone: dns.name.Name, trusted: Sequence[Any],
                        anchored: bool) -> tuple[Verdict | None, Any]:
        where = zone.to_text()
        response = self._ask(zone, DNSKEY)
        keys = rrset(response.answer, zone, DNSKEY)
        sigs = _signatures(response.answer, zone, DNSKEY)
        if anchored and (keys is None or not sigs):
            return Verdict(INDETERMINATE, "no_dnssec_records", where,
                           "the resolver returned no signed DNSKEY for the trust anchor's "
                           "zone: it may strip DNSSEC records"), None
        if keys is None:
            return Verdict(BOGUS, "no_dnskey", where, "a DS names keys, but the zone "
                           "publishes no DNSKEY"), None
        ds_records = [r for r in trusted if r.rdtype == DS]
        if ds_records:
            usable = [ds for ds in ds_records
                      if ds.algorithm in ALGORITHMS and ds.digest_type in DIGESTS]
            if not usable:
                return Verdict(INSECURE, "unsupported_algorithm", where,
                               "the DS names only algorithms this validator cannot check: "
                               + ", ".join(sorted({str(int(ds.algorithm))
                                                   for ds in ds_records}))), None
            entry = [key for key in keys if key.flags & ZONE_KEY and
                     any(_matches(ds, zone, key) for ds in usable)]
            if not entry:
                return _no_entry(zone, usable, keys), None
        else:
            entry = [key for key in keys if key in trusted]
            if not entry:
                return Verdict(BOGUS, "ds_mismatch", where,
                               "no DNSKEY of the zone is a trusted key"), None
        entry_set = dns.rrset.from_rdata_list(zone, keys.ttl, entry)
        verdict = self._verify(keys, response.answer, zone, entry_set)
        return (verdict, None) if verdict else (None, keys)

    # -- signatures
    def _verify(self, data: dns.rrset.RRset, section: Sequence[dns.rrset.RRset],
                zone: dns.name.Name, keys: Any) -> Verdict | None:
        """None when a signature by one of `keys` (the zone's validated DNSKEYs) validates
        `data`, else why none does."""
        what = f"{data.name} {_type(data.rdtype)}"
        where = zone.to_text()
        sigs = [sig for sig in _signatures(section, data.name, data.rdtype) if sig.signer == zone]
        if not sigs:
            return Verdict(BOGUS, "no_signature", where, f"{what} has no signature by {where}")
        now = self._now()
        failures: list[tuple[int, Verdict]] = []
        for sig in sigs:
            if sig.expiration < now:
                failures.append((0, Verdict(BOGUS, "expired", where, f"{what}: signature "
                                            f"expired {_when(sig.expiration)}")))
                continue
            if sig.inception > now:
                failures.append((1, Verdict(BOGUS, "not_yet_valid", where, f"{what}: signature "
                                            f"valid only from {_when(sig.inception)}")))
                continue
            by_tag = [key for key in keys if dns.dnssec.key_id(key) == sig.key_tag]
            if by_tag and all(key.algorithm != sig.algorithm for key in by_tag):
                failures.append((2, Verdict(BOGUS, "wrong_algorithm", where, f"{what}: signed "
                                            f"with algorithm {int(sig.algorithm)}, the key "
                                            f"{sig.key_tag} is {int(by_tag[0].algorithm)}")))
                continue
            try:
                dns.dnssec.validate_rrsig(data, sig, {zone: keys}, now=now)
                return None
            except dns.exception.ValidationFailure as exc:
                failures.append((3, Verdict(BOGUS, "bad_signature", where,
                                            f"{what}: {str(exc)[:80]} (key {sig.key_tag})")))
            except (dns.exception.UnsupportedAlgorithm, dns.exception.DeniedByPolicy):
                failures.append((4, Verdict(BOGUS, "wrong_algorithm", where, f"{what}: "
                                            f"algorithm {int(sig.algorithm)} not supported")))
        return min(failures, key=lambda f: f[0])[1]

    def _wildcard(self, data: dns.rrset.RRset, response: dns.message.Message,
                  zone: dns.name.Name, keys: Any) -> Verdict | None:
        """An answer made from a wildcard (its signature counts fewer labels than its owner)
        holds only with a signed proof that no closer name exists (RFC 4035 5.3.4)."""
        labels = min((sig.labels for sig in _signatures(response.answer, data.name,
                                                         data.rdtype)), default=None)
        if labels is None or labels >= len(data.name) - 1:
            return None
        denials = [r for r in response.authority if r.rdtype in (NSEC, NSEC3)]
        for record in denials:
            signed = self._verify(record, response.authority, zone, keys)
            if signed:
                return signed
        closer = data.name.split(labels + 2)[1]
        params = next((r[0] for r in denials if r.rdtype == NSEC3), None)
        digest = dns.dnssec.nsec3_hash(closer, params.salt, params.iterations,
                                       params.algorithm) if params is not None else ""
        for record in denials:
            if record.rdtype == NSEC and _between(record.name, data.name, record[0].next):
                return None
            if record.rdtype == NSEC3 and _between(record.name.labels[0].decode().upper(),
                                                   digest, _next_hash(record[0])):
                return None
        return Verdict(BOGUS, "no_denial", zone.to_text(), f"{data.name}: a wildcard answer "
                       "without the signed proof that no closer name exists")

    # -- proofs of absence
    def _denied(self, name: dns.name.Name, rdtype: RdataType, response: dns.message.Message,
                zone: dns.name.Name, keys: Any) -> Verdict | None:
        proof = self._denial(name, rdtype, response, zone, keys)
        return proof if isinstance(proof, Verdict) else None

    def _denial(self, name: dns.name.Name, rdtype: RdataType, response: dns.message.Message,
                zone: dns.name.Name, keys: Any) -> Verdict | set[int] | str:
        """What signed NSEC or NSEC3 records prove about (name, rdtype): the types at the name
        (it exists without that type), "nxdomain", "opt_out" (an unsigned delegation that
        NSEC3 opt-out need not prove), or a bogus verdict when nothing proves it."""
        where = zone.to_text()
        nsec = [r for r in response.authority if r.rdtype == NSEC]
        nsec3 = [r for r in response.authority if r.rdtype == NSEC3]
        for record in (*nsec, *nsec3):
            signed = self._verify(record, response.authority, zone, keys)
            if signed:
                return signed
        nxdomain = response.rcode() == dns.rcode.NXDOMAIN
        proof = _nsec_proof(name, nsec, nxdomain) if nsec else \
            _nsec3_proof(name, zone, nsec3, nxdomain, rdtype == DS) if nsec3 else None
        if proof is None:
            return Verdict(BOGUS, "no_denial", where, f"{name} {_type(rdtype)}: the absence is "
                           "not proven by a signed NSEC or NSEC3 record")
        if isinstance(proof, set) and (rdtype in proof or CNAME in proof):
            return Verdict(BOGUS, "no_denial", where, f"{name} {_type(rdtype)}: the NSEC "
                           "record says the type exists")
        return proof


def _no_entry(zone: dns.name.Name, usable: Sequence[Any], keys: Any) -> Verdict:
    """Why no DNSKEY matches the DS: the algorithm field is wrong (the digest and key tag are
    a key's), or the DS is another key's altogether."""
    for ds in usable:
        for key in keys:
            if dns.dnssec.key_id(key) == ds.key_tag and key.algorithm != ds.algorithm and \
                    dns.dnssec.make_ds(zone, key, ds.digest_type).digest == ds.digest:
                return Verdict(BOGUS, "wrong_algorithm", zone.to_text(),
                               f"the DS for key {ds.key_tag} says algorithm "
                               f"{int(ds.algorithm)}, the key is {int(key.algorithm)}")
    tags = ", ".join(str(int(ds.key_tag)) for ds in usable)
    have = ", ".join(str(dns.dnssec.key_id(key)) for key in keys)
    return Verdict(BOGUS, "ds_mismatch", zone.to_text(),
                   f"the DS ({tags}) matches no DNSKEY of the zone ({have})")


def _matches(ds: Any, zone: dns.name.Name, key: Any) -> bool:
    if dns.dnssec.key_id(key) != ds.key_tag or key.algorithm != ds.algorithm:
        return False
    try:
        return bool(dns.dnssec.make_ds(zone, key, ds.digest_type).digest == ds.digest)
    except dns.exception.DNSException:
        return False


def _when(timestamp: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def _bitmap_types(record: Any) -> Iterable[int]:
    for window, bitmap in record.windows:
        for index, byte in enumerate(bitmap):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    yield window * 256 + index * 8 + bit


def _between(low: Any, value: Any, high: Any) -> bool:
    """`value` falls strictly between two neighbours in a chain that wraps at its end."""
    return bool(low < value < high if low < high else value > low or value < high)


def _nsec_proof(name: dns.name.Name, records: Sequence[dns.rrset.RRset],
                nxdomain: bool) -> set[int] | str | None:
    for record in records:
        if record.name == name and not nxdomain:
            return set(_bitmap_types(record[0]))
    covering = [r for r in records if _between(r.name, name, r[0].next)]
    if not covering:
        return None
    if not nxdomain:
        # an empty non-terminal: the next name is below it
        return set() if covering[0][0].next.is_subdomain(name) else None
    # no wildcard could have answered: the closest encloser's '*' is covered too
    encloser = max((name.fullcompare(r.name)[2] for r in covering), default=0)
    encloser = max(encloser, max(name.fullcompare(r[0].next)[2] for r in covering))
    wildcard = dns.name.Name((b"*", *name.labels[-encloser:])) if encloser else None
    if wildcard is None or any(_between(r.name, wildcard, r[0].next) or r.name == wildcard
                               for r in records):
        return "nxdomain"
    return None


def _nsec3_proof(name: dns.name.Name, zone: dns.name.Name, records: Sequence[dns.rrset.RRset],
                 nxdomain: bool, for_ds: bool) -> set[int] | str | None:
    params = records[0][0]

    def hashed(owner: dns.name.Name) -> str:
        return dns.dnssec.nsec3_hash(owner, params.salt, params.iterations, params.algorithm)

    chain = [(r.name.labels[0].decode().upper(), r[0]) for r in records
             if r.name.parent() == zone]

    def match(owner: dns.name.Name) -> Any:
        digest = hashed(owner)
        return next((rdata for label, rdata in chain if label == digest), None)

    def cover(owner: dns.name.Name) -> Any:
        digest = hashed(owner)
        return next((rdata for label, rdata in chain
                     if _between(label, digest, _next_hash(rdata))), None)

    if not nxdomain:
        found = match(name)
        if found is not None:
            return set(_bitmap_types(found))
    # the closest encloser proof (RFC 5155 8.3): an ancestor that exists, and the name one
    # label below it covered
    for depth in range(len(name) - 1, len(zone) - 1, -1):
        encloser = name.split(depth)[1]
        if match(encloser) is None:
            continue
        closer = name.split(depth + 1)[1]
        covering = cover(closer)
        if covering is None:
            return None
        if for_ds and not nxdomain and covering.flags & dns.rdtypes.ANY.NSEC3.OPTOUT:
            return "opt_out"
        if nxdomain and cover(dns.name.Name((b"*", *encloser.labels))) is not None:
            return "nxdomain"
        return None
    return None


def _next_hash(rdata: Any) -> str:
    """The NSEC3 next-hash field as the owner labels write it (base32hex)."""
    return base64.b32hexencode(rdata.next).decode().rstrip("=").upper()

"""The name servers of the zone that holds a portal's name (the mail domain, for mail), as
Internet.nl's IPv6 test reads them: each one's IPv4 and IPv6 addresses from the resolver, and
whether it answers for the zone (an authoritative SOA) on each family, asked directly. An
address the probe's policy refuses (the inspector's own network, loopback...) is never asked.

The answers come from servers the agency controls: names and addresses are bounded and
checked like every other DNS answer of the probe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype

from . import dnssec
from .certificates import clip

MAX_SERVERS = 8
# the records of a type at a name (after aliases), through the run's resolver; raises
# dnssec.LookupFailed when there is no usable answer
Lookup = Callable[[str, str], list[str]]
Addresses = Callable[[list[str], int], list[str]]


def zone_of(checker: dnssec.Validator, name: str) -> tuple[str, list[str]]:
    """The closest enclosing zone below the top-level domain: its name and its name servers'
    names, or ("", []) when none is found. An alias is not followed: the zone asked of is the
    one the agency delegates."""
    labels = name.rstrip(".").split(".")
    for start in range(len(labels) - 1):
        candidate = dns.name.from_text(".".join(labels[start:]))
        try:
            response = checker.fetch(candidate, dns.rdatatype.NS)
        except dnssec.LookupFailed:
            continue
        found = dnssec.rrset(response.answer, candidate, dns.rdatatype.NS)
        if found is not None:
            servers = sorted({clip(r.target.to_text(omit_final_dot=True), 253) for r in found})
            return candidate.to_text(omit_final_dot=True), servers[:MAX_SERVERS]
    return "", []


def _soa(zone: str, address: str, timeout: float) -> dict[str, Any]:
    """Ask `address` for the zone's SOA, without recursion: authoritative, or why not."""
    query = dns.message.make_query(zone, dns.rdatatype.SOA)
    query.flags &= ~dns.flags.RD
    try:
        response = dns.query.udp(query, address, timeout=timeout)
    except dns.exception.Timeout:
        return {"status": "timeout", "reason": "no answer in time"}
    except (OSError, dns.exception.DNSException) as exc:
        return {"status": "unreachable", "reason": clip(exc, 200)}
    owner = dns.name.from_text(zone)
    if response.rcode() == dns.rcode.NOERROR and response.flags & dns.flags.AA \
            and dnssec.rrset(response.answer, owner, dns.rdatatype.SOA) is not None:
        return {"status": "ok"}
    return {"status": "error", "reason": clip(
        f"{dns.rcode.to_text(response.rcode())}, "
        f"{'authoritative' if response.flags & dns.flags.AA else 'not authoritative'}, "
        "no SOA of the zone", 200)}


def _family(zone: str, addresses: list[str], refusal: Callable[[str], str],
            timeout: float) -> dict[str, Any]:
    """The first address of a family that answers for the zone (at most two are asked)."""
    tried: list[dict[str, Any]] = []
    for address in addresses[:2]:
        why = refusal(address)
        result = {"address": address, **({"status": "refused_by_probe",
                                          "reason": clip(f"not asked: {why}", 500)} if why
                                         else _soa(zone, address, timeout))}
        if result["status"] == "ok":
            return result
        tried.append(result)
    return tried[0] if tried else {"status": "no_address"}


def name_servers(checker: dnssec.Validator, name: str, lookup: Lookup, addresses: Addresses,
                 refusal: Callable[[str], str], timeout: float) -> dict[str, Any]:
    """The zone of `name` and each of its name servers as both families see it."""
    zone, servers = zone_of(checker, name)
    if not zone:
        return {"zone": "", "servers": [], "reason": "no zone with name servers found"}
    out = []
    for server in servers:
        found: dict[str, Any] = {"name": server}
        for family, rdtype, version in (("ipv4", "A", 4), ("ipv6", "AAAA", 6)):
            try:
                listed = addresses(lookup(server, rdtype), version)
            except dnssec.LookupFailed as exc:  # said; the other family and servers are asked
                found[family] = {"status": "error", "reason": clip(exc, 200)}
                continue
            found[family] = _family(zone, listed, refusal, timeout)
        out.append(found)
    return {"zone": clip(zone, 253), "servers": out}

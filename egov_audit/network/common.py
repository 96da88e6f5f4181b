"""What every vendor adapter needs, in one place: TTP's results as lists, addresses and prefixes
read without ever raising on a malformed one (a backup is input from outside), and the first or
every statement matching a pattern, with its line."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import UsageError
from ..gates.numbers import bounded_int

# dotted netmasks and their prefix lengths: a router has thousands of addresses, and
# ipaddress.ip_interface takes ~40 µs for each
_MASKS = {str(ipaddress.IPv4Network(f"0.0.0.0/{n}").netmask): n for n in range(33)}

Numbered = Iterable[tuple[str, int]]  # (statement, the line it is on)
MAX_ASN = 4_294_967_295  # 32-bit AS numbers (RFC 6793)


def asn(text: str, what: str, line: int | None) -> int:
    """An AS number as a configuration writes it, bounded before it is converted (a device
    whose file says `remote-as <5,000 digits>` is refused with the line, alone)."""
    return bounded_int(text, what, MAX_ASN, error_cls=UsageError, line=line)


def optional_int(value: object, what: str, maximum: int, line: int | None) -> int | None:
    """A number a template read as text (or nothing), bounded before it is converted."""
    if value is None:
        return None
    return bounded_int(str(value), what, maximum, error_cls=UsageError, line=line)


def as_list(value: Any) -> list[dict[str, Any]]:
    """TTP gives a dict for one match and a list for several."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def interface_address(address: str, mask: str | None = None) -> str | None:
    """'10.0.0.1', '255.255.255.0' -> '10.0.0.1/24'; '2001:db8::1/64' as it is. None: not an
    address (it is reported by its absence, never by a traceback)."""
    try:
        if mask in _MASKS:
            return f"{ipaddress.IPv4Address(address)}/{_MASKS[mask]}"
        if mask:
            return str(ipaddress.ip_interface(f"{address}/{mask}"))
        return str(ipaddress.ip_interface(address))
    except ValueError:
        return None


def network_prefix(prefix: str, mask: str | None = None) -> str | None:
    """'203.0.113.0', '255.255.255.0' -> '203.0.113.0/24'. None: not a prefix."""
    try:
        return str(ipaddress.ip_network(f"{prefix}/{mask}" if mask else prefix, strict=False))
    except ValueError:
        return None


def first_match(statements: Numbered, pattern: str) -> tuple[re.Match[str], int] | None:
    compiled = re.compile(pattern)
    for statement, number in statements:
        match = compiled.match(statement)
        if match:
            return match, number
    return None


def every_match(statements: Numbered, pattern: str) -> list[dict[str, Any]]:
    """Group 1 of each matching statement, with its line."""
    compiled = re.compile(pattern)
    return [{"value": m.group(1), "line": number} for statement, number in statements
            if (m := compiled.match(statement))]


def as_mapping(value: Any) -> Mapping[str, Any]:
    """A fact that should be a mapping, or an empty one (evidence is read defensively)."""
    return value if isinstance(value, Mapping) else {}


def entries(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value or [] if isinstance(item, Mapping)] \
        if isinstance(value, list) else []


def plain_http(facts: Mapping[str, Any], from_networks: bool = True) -> list[dict[str, Any]]:
    """`ip http server` (or the vendor's like), and HTTP allowed from a network or interface."""
    found = []
    http = as_mapping(facts.get("management")).get("http_server")
    if isinstance(http, Mapping) and http.get("value") is True:
        found.append({"line": http.get("line"), "what": "http server"})
    if from_networks:
        found += [{"line": m.get("line"), "what": f"http {m.get('value')}"}
                  for m in entries(as_mapping(facts.get("management")).get("management_from"))
                  if m.get("protocol") == "http"]
    return found

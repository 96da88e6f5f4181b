"""Fast parsing of IP prefixes and addresses into integers.

Overlap and containment checks over 100,000 prefixes need integers, not objects: a prefix is
(version, first, last). socket.inet_pton is strict and an order of magnitude faster than building
netaddr or ipaddress objects, and the set difference the plan's gaps name is a walk over sorted
integer ranges (importing netaddr for it cost a cold `validate` 15 ms; the tests check this walk
against netaddr's IPSet).
"""

from __future__ import annotations

# the C module socket.py wraps: the same inet_pton and inet_ntop; socket.py itself builds enums
# of every address family and socket type at import (5 ms of a cold validate)
from _socket import AF_INET, AF_INET6, inet_ntop, inet_pton
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .errors import Message

_BITS = {4: 32, 6: 128}


@dataclass(frozen=True, slots=True)
class Net:
    """An IP prefix or address as integers: family, first and last address, length, text."""

    version: int
    first: int
    last: int
    prefixlen: int
    text: str

    def contains(self, other: Net) -> bool:
        return self.version == other.version and self.first <= other.first \
            and other.last <= self.last


def _addr_int(text: str) -> tuple[int, int]:
    """Parse an address; raise ValueError with a short reason. inet_pton is strict: it refuses
    leading zeros ('010.0.0.1', octal to some tools), short forms ('10.1') and bad hex."""
    if ":" in text:
        try:
            return 6, int.from_bytes(inet_pton(AF_INET6, text), "big")
        except OSError:
            raise ValueError(Message("{text!r} is not a valid IPv6 address", text=text)) from None
    try:
        return 4, int.from_bytes(inet_pton(AF_INET, text), "big")
    except OSError:
        raise ValueError(Message("{text!r} is not a valid IPv4 address", text=text)) from None


def parse_net(text: str) -> Net:
    """Parse 'a.b.c.d/n' or 'x::/n' (a network: no host bits set)."""
    addr, slash, length = text.partition("/") if isinstance(text, str) else ("", "", "")
    if not slash:
        raise ValueError(Message("{text!r} is not an IP network (expected address/prefix-length)",
                                 text=text))
    try:
        version, value = _addr_int(addr)
    except ValueError:
        raise ValueError(Message("{text!r} is not an IP network", text=text)) from None
    bits = 32 if version == 4 else 128
    if not length.isdigit() or int(length) > bits:
        raise ValueError(Message("{text!r} is not an IP network (prefix length must be 0-{bits})",
                                 text=text, bits=bits))
    prefixlen = int(length)
    host_mask = (1 << (bits - prefixlen)) - 1
    if value & host_mask:
        raise ValueError(Message("{text!r} has host bits set (did you mean "
                                 "{version}/{prefixlen}?)", text=text,
                                 version=format_addr(version, value & ~host_mask),
                                 prefixlen=prefixlen))
    return Net(version, value, value | host_mask, prefixlen, text)


def parse_addr(text: str) -> Net:
    """Parse a single address, optionally written with its prefix length ('192.0.2.5/24')."""
    if not isinstance(text, str):
        raise ValueError(Message("{text!r} is not an IP address", text=text))
    addr = text.partition("/")[0]
    version, value = _addr_int(addr)
    return Net(version, value, value, _BITS[version], addr)


def is_ip_address(text: str) -> bool:
    try:
        parse_addr(text)
    except ValueError:
        return False
    return True


def uncovered(net: Net, covers: Iterable[Net]) -> list[Net]:
    """The parts of `net` that no prefix of `covers` (of its family) holds, as the fewest
    prefixes, in address order."""
    spans = sorted((c.first, c.last) for c in covers
                   if c.version == net.version and c.first <= net.last and c.last >= net.first)
    gaps: list[tuple[int, int]] = []
    start = net.first
    for first, last in spans:
        if first > start:
            gaps.append((start, first - 1))
        start = max(start, last + 1)
    if start <= net.last:
        gaps.append((start, net.last))
    return [p for first, last in gaps for p in _prefixes(net.version, first, last)]


def _prefixes(version: int, first: int, last: int) -> Iterator[Net]:
    """The fewest prefixes that cover first..last exactly: at each step the largest block aligned
    on `first` that does not pass `last`."""
    bits = _BITS[version]
    while first <= last:
        size = min((first & -first).bit_length() - 1, bits) if first else bits
        while first + (1 << size) - 1 > last:
            size -= 1
        end = first + (1 << size) - 1
        yield Net(version, first, end, bits - size, f"{format_addr(version, first)}/{bits - size}")
        first = end + 1


def format_addr(version: int, value: int) -> str:
    if version == 4:
        return inet_ntop(AF_INET, value.to_bytes(4, "big"))
    return inet_ntop(AF_INET6, value.to_bytes(16, "big"))


# IPv6 notations that carry an IPv4 address (RFC 4291 2.5.5): ::ffff:a.b.c.d (mapped) and the
# deprecated ::a.b.c.d (compatible). A block written this way is the IPv4 block in disguise: the
# overlap checks compare each family separately, so it would escape them.
_MAPPED = (0xFFFF << 32, (0xFFFF << 32) | 0xFFFFFFFF)
_COMPATIBLE = (2, 0xFFFFFFFF)  # ::/96 without :: and ::1


def _embedded_v4(net: Net) -> tuple[int, int] | None:
    if net.version != 6:
        return None
    for low, high in (_MAPPED, _COMPATIBLE):
        if low <= net.first and net.last <= high:
            return low, high
    return None


def check_declared(net: Net) -> Net:
    """A prefix or address an agency declares: IPv4-mapped or -compatible IPv6 notation is
    refused with the IPv4 form to write instead."""
    embedded = _embedded_v4(net)
    if embedded is None:
        return net
    base = embedded[0] & ~0xFFFFFFFF
    first = format_addr(4, net.first - base)
    length = max(net.prefixlen - 96, 0)
    shown = f"{first}/{length}" if net.prefixlen < 128 or "/" in net.text else first
    raise ValueError(Message("{text!r} is IPv4 written as IPv6 (IPv4-mapped or -compatible): "
                             "write it as {shown}", text=net.text, shown=shown))

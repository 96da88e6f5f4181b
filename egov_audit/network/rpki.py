"""Validated ROA payloads (VRPs) as a relying-party tool writes them, read strictly: rpki-client's
JSON output (`rpki-client -j`: the `json` file of its output folder) or Routinator's (`routinator
vrps --format json`). The user runs the tool; egov-audit never fetches anything.

    {"metadata": {"buildtime": "2026-12-01T06:00:00Z", ...},                        rpki-client
     "roas": [{"asn": 64500, "prefix": "198.51.100.0/24", "maxLength": 24, "ta": "apnic",
               "expires": 1767225600}, ...]}
    {"metadata": {"generated": 1764568800, "generatedTime": "2026-12-01T06:00:00Z"},  Routinator
     "roas": [{"asn": "AS64500", "prefix": "198.51.100.0/24", "maxLength": 24, "ta": "apnic"}]}

Route origin validation as RFC 6811 defines it: a VRP covers a route when its prefix contains the
route's; the route is valid when a covering VRP names its origin AS (AS0 never does) with a
maxLength of at least the route's length, invalid when VRPs cover it and none does so, not found
when none covers it. An invalid route is told apart by why: a VRP names its origin with too short a
maxLength (max_length), or none names its origin (origin).

The file is evidence from outside: every ROA is checked, and one that does not fit refuses the
whole file (file:line, what is wrong): a VRP set with holes would make covered routes look not
found. VRPs are kept by (family, prefix) and a route's covering VRPs found by one look-up per
prefix length: a national or the global set (hundreds of thousands) reads in seconds at most, each
look-up in microseconds."""

from __future__ import annotations

import hashlib
import re
from _socket import AF_INET, AF_INET6, inet_pton  # as ipnet.py: socket.py's enums cost at import
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EgovAuditError, Message
from ..gates.filein import read_bytes
from ..gates.jsonin import decode
from ..ipnet import Net, format_addr, parse_net
from ..models import Location

# the global VRP set as rpki-client writes it is about 70 MB (about 800,000 VRPs); twice that
# leaves room to grow
MAX_VRP_BYTES = 160 * 1024 * 1024
MAX_ASN = 2**32 - 1
_AS_TEXT = re.compile(r"(?:AS)?(\d{1,10})")
_TA = re.compile(r"[A-Za-z0-9_.: -]{0,64}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")
_BITS = {4: 32, 6: 128}
VALID, INVALID, NOT_FOUND = "valid", "invalid", "not_found"


class RpkiError(EgovAuditError):
    """A VRP file is unreadable, not a relying-party tool's JSON output, or holds a bad ROA."""


@dataclass(frozen=True, slots=True)
class Vrp:
    """One validated ROA payload: `asn` may originate `prefix` and its more-specifics up to
    `max_length`."""

    asn: int
    prefix: Net
    max_length: int
    ta: str
    line: int  # in the file (0: not known)

    @property
    def shown(self) -> str:
        """As operators write it: 198.51.100.0/24-24 AS64500 (apnic)."""
        ta = f" ({self.ta})" if self.ta else ""
        return f"{self.prefix.text}-{self.max_length} AS{self.asn}{ta}"


@dataclass(frozen=True)
class RouteValidity:
    """A route's validity (RFC 6811) and the VRPs that decided it."""

    state: str  # valid | invalid | not_found
    reason: str  # invalid: origin | max_length; "" otherwise
    covering: tuple[Vrp, ...]

    @property
    def matching(self) -> tuple[Vrp, ...]:
        """The covering VRPs that make it valid (empty unless valid)."""
        return self.covering if self.state == VALID else ()


@dataclass(frozen=True, eq=False)  # one parsed file is one VRP set: compared by identity
class VrpSet:
    """A parsed VRP file, indexed by (family, first address, prefix length)."""

    display: str
    tool: str  # rpki-client | Routinator
    generated: str  # when the tool made it (UTC, as the file says)
    count: int
    sha256: str
    # (family, first address, prefix length) -> (asn, maxLength, trust anchor, line) of each VRP
    # of that prefix: plain tuples while read, a Vrp only when a look-up finds one
    _by_prefix: Mapping[tuple[int, int, int], list[tuple[int, int, str, int]]]

    @property
    def date(self) -> str:
        return self.generated[:10]

    def location(self, vrp: Vrp) -> Location:
        return Location(self.display, vrp.line or 1)

    def covering(self, route: Net) -> tuple[Vrp, ...]:
        """The VRPs whose prefix contains the route's, shortest prefix first."""
        bits = _BITS[route.version]
        out: list[Vrp] = []
        for length in range(route.prefixlen + 1):
            mask = ((1 << length) - 1) << (bits - length)
            key = (route.version, route.first & mask, length)
            found = self._by_prefix.get(key)
            if found:
                out.extend(_made(key, row) for row in found)
        return tuple(out)

    def validate(self, route: Net, origin: int) -> RouteValidity:
        """The route's origin validation (RFC 6811 section 2) for origin AS `origin`."""
        covering = self.covering(route)
        if not covering:
            return RouteValidity(NOT_FOUND, "", ())
        matching = tuple(v for v in covering if v.asn == origin and v.asn != 0
                         and route.prefixlen <= v.max_length)
        if matching:
            return RouteValidity(VALID, "", matching)
        too_short = any(v.asn == origin and v.asn != 0 for v in covering)
        return RouteValidity(INVALID, "max_length" if too_short else "origin", covering)

    def __iter__(self) -> Iterator[Vrp]:
        for key, rows in self._by_prefix.items():
            yield from (_made(key, row) for row in rows)


def _made(key: tuple[int, int, int], row: tuple[int, int, str, int]) -> Vrp:
    version, first, length = key
    bits = _BITS[version]
    last = first | ((1 << (bits - length)) - 1)
    # one spelling in reports, whatever the tool wrote (2001:DB8::/32)
    prefix = Net(version, first, last, length, f"{format_addr(version, first)}/{length}")
    return Vrp(row[0], prefix, row[1], row[2], row[3])


def _fail(display: str, message: Message, line: int | None = None) -> RpkiError:
    return RpkiError(message, file=display, line=line)


def _short(value: Any) -> Any:
    """A value as a message shows it: numbers as they are, anything else cut to 40 characters."""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _lines(raw: bytes, count: int) -> list[int]:
    """Each ROA's line: both tools write a "prefix" key once per ROA and nowhere else (a line
    per ROA). When a file does otherwise, no line is given (0) and messages name the ROA by its
    place in the list."""
    starts = [m.start() for m in re.finditer(rb'"prefix"\s*:', raw)]
    if len(starts) != count:
        return [0] * count
    out, line, cursor = [], 1, 0
    for start in starts:
        line += raw.count(b"\n", cursor, start)
        cursor = start
        out.append(line)
    return out


def _asn(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ASN else None
    if isinstance(value, str):
        match = _AS_TEXT.fullmatch(value)
        if match and int(match.group(1)) <= MAX_ASN:
            return int(match.group(1))
    return None


def _vrp(item: Any, index: int, line: int, display: str) -> Vrp:
    where = f"roas[{index}]"

    def bad(message: Message) -> RpkiError:
        return _fail(display, message, line or None)

    if not isinstance(item, dict):
        raise bad(Message("{where}: not an object", where=where))
    missing = [key for key in ("asn", "prefix", "maxLength") if key not in item]
    if missing:
        raise bad(Message("{where}: no {key!r}", where=where, key=missing[0]))
    asn = _asn(item["asn"])
    if asn is None:
        raise bad(Message("{where}: {value!r} is not an AS number", where=where,
                          value=_short(item["asn"])))
    if not isinstance(item["prefix"], str):
        raise bad(Message("{where}: the prefix is not text", where=where))
    try:
        prefix = parse_net(item["prefix"])
    except ValueError as exc:
        raise bad(Message("{where}: {reason}", where=where, reason=exc.args[0])) from None
    length = item["maxLength"]
    bits = _BITS[prefix.version]
    if isinstance(length, bool) or not isinstance(length, int) \
            or not prefix.prefixlen <= length <= bits:
        raise bad(Message("{where}: maxLength {value!r} is not between the prefix length "
                          "{prefixlen} and {bits}", where=where, value=_short(length),
                          prefixlen=prefix.prefixlen, bits=bits))
    ta = item.get("ta", "")
    if not isinstance(ta, str) or not _TA.fullmatch(ta):
        raise bad(Message("{where}: the trust anchor {value!r} is not a name", where=where,
                          value=_short(ta)))
    return Vrp(asn, prefix, length, ta, line)


def _generated(metadata: Any, display: str) -> tuple[str, str]:
    """(the tool, when it made the file) from the metadata both tools write."""
    if not isinstance(metadata, dict):
        raise _fail(display, Message(
            "no metadata: the file says neither when nor by what it was made (rpki-client "
            "-j, or routinator vrps --format json)"))
    for key, tool in (("buildtime", "rpki-client"), ("generatedTime", "Routinator")):
        value = metadata.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not _TIME.fullmatch(value):
            raise _fail(display, Message("metadata.{key} {value!r} is not a UTC time "
                                         "(YYYY-MM-DDThh:mm:ssZ)", key=key,
                                         value=_short(value)))
        return tool, value
    raise _fail(display, Message("the metadata has no build time (buildtime, or "
                                 "generatedTime)"))


def parse_vrps(raw: bytes, display: str) -> VrpSet:
    data = decode(raw, display, RpkiError)
    if not isinstance(data, dict) or not isinstance(data.get("roas"), list):
        raise _fail(display, Message("not a VRP file: no list of ROAs (\"roas\"); give the JSON "
                                     "output of rpki-client or Routinator"))
    tool, generated = _generated(data.get("metadata"), display)
    roas = data["roas"]
    lines = _lines(raw, len(roas))
    index: dict[tuple[int, int, int], list[tuple[int, int, str, int]]] = {}
    names: set[str] = set()  # trust anchors already checked: a file names five or so
    for number, item in enumerate(roas):
        # the common case inline, each condition as strict as _vrp's; anything else is read
        # again by _vrp, which says what is wrong (a national set reads 2.7 times faster so)
        try:
            asn, text, length = item["asn"], item["prefix"], item["maxLength"]
            ta = item.get("ta", "")
            address, _, bits_text = text.partition("/")
            version = 6 if ":" in address else 4
            first = int.from_bytes(inet_pton(AF_INET6 if version == 6 else AF_INET, address),
                                   "big")
            bits = _BITS[version]
            prefixlen = int(bits_text) if bits_text.isdigit() else -1
            good = (type(asn) is int and 0 <= asn <= MAX_ASN and type(length) is int
                    and 0 <= prefixlen <= length <= bits
                    and not first & ((1 << (bits - prefixlen)) - 1)
                    and type(ta) is str and (ta in names or bool(_TA.fullmatch(ta))))
        except (TypeError, KeyError, ValueError, OSError, AttributeError):
            good = False
        if not good:
            vrp = _vrp(item, number, lines[number], display)  # raises, saying why
            asn, version, first, prefixlen, length, ta = (
                vrp.asn, vrp.prefix.version, vrp.prefix.first, vrp.prefix.prefixlen,
                vrp.max_length, vrp.ta)  # a form the inline test does not know (AS64500)
        names.add(ta)
        index.setdefault((version, first, prefixlen), []).append((asn, length, ta,
                                                                 lines[number]))
    return VrpSet(display, tool, generated, len(roas), "sha256:" + hashlib.sha256(raw).hexdigest(),
                  index)


def read_vrps(path: Path, display: str | None = None) -> VrpSet:
    """Read and check a VRP file (RpkiError: what is wrong, with the file and line)."""
    shown = display or str(path)
    return parse_vrps(read_bytes(path, shown, RpkiError, MAX_VRP_BYTES), shown)

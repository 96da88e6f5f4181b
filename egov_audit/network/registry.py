"""A regional internet registry's delegation statistics, read strictly: the RIR statistics
exchange format that APNIC publishes daily (`delegated-apnic-extended-latest`; VNNIC is the
national registry under APNIC). The user downloads the file; egov-audit never fetches anything.

    2.3|apnic|20261201|123456|19830613|20261130|+1000          version line (the header)
    apnic|*|ipv4|*|56321|summary                                 one per resource type
    apnic|VN|ipv4|14.160.0.0|262144|20100127|allocated|A91B9C3D   records (the opaque id, the
    apnic|VN|ipv6|2001:ee0::|32|20061221|allocated|A91B9C3D       holder, only in the extended
    apnic|VN|asn|7552|1|20061221|allocated|A91B9C3D               format)

ipv4 values count addresses, ipv6 values are prefix lengths, asn values count AS numbers. The
file is evidence from outside: every line is checked, and one that does not fit the format
refuses the whole file (file:line, what is wrong): half a registry would make real delegations
look missing. The header's record count and the summary lines catch a truncated download.

Records are kept as sorted integer intervals per type and found by bisection: reading the real
file (about 100,000 lines) costs a fraction of a second, each look-up microseconds."""

from __future__ import annotations

import hashlib
import re
import socket
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from ..errors import EgovAuditError, Message
from ..gates.filein import read_bytes
from ..gates.numbers import bounded_int
from ..ipnet import Net
from ..models import Location

# the real extended file is about 5 MB (100,000 records); its records take about 8.6 times
# the file at their peak, so 64 MB leaves room to grow twelve-fold within about 0.6 GB
MAX_REGISTRY_BYTES = 64 * 1024 * 1024
MAX_RECORDS = 3_000_000  # a record line is at least 30 bytes: more cannot fit in the bound
REGISTRIES = frozenset({"afrinic", "apnic", "arin", "iana", "lacnic", "ripencc"})
TYPES = ("asn", "ipv4", "ipv6")
STATUSES = frozenset({"allocated", "assigned", "available", "reserved"})
DELEGATED = frozenset({"allocated", "assigned"})  # held by an organisation
_VERSION = re.compile(r"2(\.\d{1,3})?")
_OFFSET = re.compile(r"[+-]\d{4}|Z|")
_OPAQUE = re.compile(r"[A-Za-z0-9_.:-]{0,64}")
_LIMIT = {"asn": 1 << 32, "ipv4": 1 << 32, "ipv6": 1 << 128}


class RegistryError(EgovAuditError):
    """A registry statistics file is unreadable, malformed, truncated or of an unknown version."""


@dataclass(frozen=True)
class Delegation:
    """One record: a run of AS numbers or addresses given to one holder (or not given)."""

    type: str  # asn | ipv4 | ipv6
    first: int
    last: int
    cc: str  # ISO 3166 country code; "" or ZZ for space not delegated
    status: str  # allocated | assigned | available | reserved
    holder: str  # the opaque id tying together one holder's resources ("" when not extended)
    date: str  # YYYYMMDD, or "" where the registry gives none
    line: int

    @property
    def delegated_in_vn(self) -> bool:
        return self.cc == "VN" and self.status in DELEGATED

    @property
    def resource(self) -> str:
        """The run as people write it: AS7552, AS64500-AS64511, 14.160.0.0/14, 2001:ee0::/32
        (an IPv4 run that is not one prefix: first-last)."""
        if self.type == "asn":
            return f"AS{self.first}" if self.first == self.last \
                else f"AS{self.first}-AS{self.last}"
        family = socket.AF_INET if self.type == "ipv4" else socket.AF_INET6
        width = 4 if self.type == "ipv4" else 16
        first = socket.inet_ntop(family, self.first.to_bytes(width, "big"))
        size = self.last - self.first + 1
        if size & (size - 1) == 0 and self.first % size == 0:
            return f"{first}/{width * 8 - size.bit_length() + 1}"
        return f"{first}-{socket.inet_ntop(family, self.last.to_bytes(width, 'big'))}"

    @property
    def shown(self) -> str:
        """The record in a report, as the file has it (data in either language): resource ·
        country · status · date · holder id."""
        parts = [self.resource, self.cc or "--", self.status]
        if self.date and self.date != "00000000":
            parts.append(f"{self.date[:4]}-{self.date[4:6]}-{self.date[6:]}")
        if self.holder:
            parts.append(self.holder)
        return " · ".join(parts)


@dataclass(frozen=True, eq=False)  # one parsed file is one registry: compared by identity
class Registry:
    """A parsed statistics file. Records per type as parallel sorted lists (no two overlap:
    the file is a snapshot that partitions the registry's space)."""

    display: str  # the file as the user named it (findings point at its lines)
    registry: str
    serial: str
    end_date: str  # YYYYMMDD: the last day the file covers
    records: int
    extended: bool  # records carry the holder's opaque id
    sha256: str
    _firsts: dict[str, list[int]]
    _rows: dict[str, list[tuple[int, int, str, str, str, str, int]]]

    @property
    def date(self) -> str:
        d = self.end_date
        return f"{d[:4]}-{d[4:6]}-{d[6:]}"

    def location(self, delegation: Delegation) -> Location:
        return Location(self.display, delegation.line)

    def _delegation(self, kind: str, index: int) -> Delegation:
        return Delegation(kind, *self._rows[kind][index])

    def asn(self, number: int) -> Delegation | None:
        """The record of an AS number, if the file has one."""
        return self._containing("asn", number)

    def _containing(self, kind: str, value: int) -> Delegation | None:
        i = bisect_right(self._firsts[kind], value) - 1
        if i >= 0 and self._rows[kind][i][1] >= value:
            return self._delegation(kind, i)
        return None

    def covering(self, net: Net) -> tuple[list[Delegation], bool]:
        """The records that together cover the prefix, in order, and whether they cover all of
        it (adjacent records count: a /23 may be two /24 delegations)."""
        kind = "ipv4" if net.version == 4 else "ipv6"
        firsts, rows = self._firsts[kind], self._rows[kind]
        i = bisect_right(firsts, net.first) - 1
        out: list[Delegation] = []
        cursor = net.first
        if i < 0 or rows[i][1] < net.first:
            return out, False
        while i < len(rows) and rows[i][0] <= cursor:
            out.append(self._delegation(kind, i))
            cursor = rows[i][1] + 1
            if cursor > net.last:
                return out, True
            i += 1
        return out, False

    def inside(self, net: Net) -> list[Delegation]:
        """The records lying wholly inside the prefix (a block that is itself a delegation)."""
        kind = "ipv4" if net.version == 4 else "ipv6"
        firsts, rows = self._firsts[kind], self._rows[kind]
        i = bisect_right(firsts, net.first - 1)
        out = []
        while i < len(rows) and rows[i][0] <= net.last:
            if rows[i][1] <= net.last:
                out.append(self._delegation(kind, i))
            i += 1
        return out

    def count(self, kind: str) -> int:
        return len(self._rows[kind])


def _fail(display: str, line: int, message: Message) -> RegistryError:
    return RegistryError(message, file=display, line=line)


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def _header(fields: list[str], display: str, number: int) -> tuple[str, str, int, str]:
    if len(fields) != 7:
        raise _fail(display, number, Message(
            "not a registry statistics file: the first line is not the version line "
            "(version|registry|serial|records|startdate|enddate|UTCoffset)"))
    version, registry, serial, records, _start, end, offset = fields
    if not _VERSION.fullmatch(version):
        raise _fail(display, number, Message(
            "unknown format version {version!r} (this tool reads version 2 and 2.x)",
            version=_short(version)))
    if registry not in REGISTRIES:
        raise _fail(display, number, Message("unknown registry {registry!r}",
                                             registry=_short(registry)))
    count = bounded_int(records, "the record count", MAX_RECORDS, error_cls=RegistryError,
                        file=display, line=number)
    if not (len(end) == 8 and end.isdigit()) or not _OFFSET.fullmatch(offset):
        raise _fail(display, number, Message(
            "the end date {value!r} is not a date (YYYYMMDD)", value=_short(end)))
    return registry, serial, count, end


def _number(kind: str, start: str, value: str, display: str, number: int) -> tuple[int, int]:
    """A record's run as integers [first, last]."""
    try:
        if kind == "ipv4":
            first = int.from_bytes(socket.inet_pton(socket.AF_INET, start), "big")
        elif kind == "ipv6":
            first = int.from_bytes(socket.inet_pton(socket.AF_INET6, start), "big")
        elif start.isascii() and start.isdigit():
            first = bounded_int(start, "the asn start", _LIMIT["asn"] - 1,
                                error_cls=RegistryError, file=display, line=number)
        else:
            raise OSError
    except OSError:
        raise _fail(display, number, Message("{start!r} is not a valid {kind} start",
                                             start=_short(start), kind=kind)) from None
    if not (value.isascii() and value.isdigit()):
        raise _fail(display, number, Message("the value {value!r} is not a number",
                                             value=_short(value)))
    # an IPv4 run or an ASN count fits in 33 bits (a prefix length is checked below)
    amount = bounded_int(value, "the value", _LIMIT[kind] if kind != "ipv6" else 255,
                         error_cls=RegistryError, file=display, line=number)
    if kind == "ipv6":
        if amount > 128:
            raise _fail(display, number, Message("an IPv6 prefix length of {value} (0-128)",
                                                 value=amount))
        size = 1 << (128 - amount)
        if first % size:
            raise _fail(display, number, Message(
                "{start}/{value} is not a network address (bits set past the prefix)", start=start,
                value=amount))
    else:
        size = amount
    last = first + size - 1
    if size < 1 or last >= _LIMIT[kind]:
        raise _fail(display, number, Message("the run {start} (+{value}) is outside the {kind} "
                                             "space", start=_short(start), value=amount,
                                             kind=kind))
    return first, last


def read_registry(path: Path, display: str | None = None) -> Registry:
    """Parse and check a statistics file. Raises RegistryError naming the first bad line."""
    shown = display or str(path)
    raw = read_bytes(path, shown, RegistryError, MAX_REGISTRY_BYTES)
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise _fail(shown, line, Message("a byte that is not ASCII: not a registry statistics "
                                         "file")) from None
    return parse_registry(text, shown, "sha256:" + hashlib.sha256(raw).hexdigest())


def _record_pattern(registry: str) -> re.Pattern[str]:
    """A well-formed record of `registry` in one match (the fast path: one C call checks every
    field's shape; what it refuses is explained field by field by _check_record)."""
    return re.compile(re.escape(registry) + r"\|([A-Z]{2}|)\|(asn|ipv4|ipv6)\|([0-9A-Fa-f.:]{1,45})"
                      r"\|(\d{1,39})\|(\d{8}|)\|(allocated|assigned|available|reserved)"
                      r"(?:\|([A-Za-z0-9_.:-]{0,64})(?:\|[^|\r]*)*)?\r?")


def _check_record(fields: list[str], registry: str, display: str, number: int) -> None:
    """Say what is wrong with a record line the fast pattern refused."""
    if len(fields) < 7:
        raise _fail(display, number, Message(
            "{count} fields where a record has at least 7 "
            "(registry|cc|type|start|value|date|status)", count=len(fields)))
    reg, cc, kind, start, value, date, status = fields[:7]
    if reg != registry:
        raise _fail(display, number, Message(
            "a record of registry {registry!r} in a file of {header!r}",
            registry=_short(reg), header=registry))
    if kind not in TYPES:
        raise _fail(display, number, Message("unknown resource type {kind!r} "
                                             "(asn, ipv4 or ipv6)", kind=_short(kind)))
    if not (cc == "" or (len(cc) == 2 and cc.isalpha() and cc.isupper())):
        raise _fail(display, number, Message("{cc!r} is not a country code", cc=_short(cc)))
    if status not in STATUSES:
        raise _fail(display, number, Message(
            "unknown status {status!r} (allocated, assigned, available or reserved)",
            status=_short(status)))
    if date and not (len(date) == 8 and date.isdigit()):
        raise _fail(display, number, Message("the date {value!r} is not YYYYMMDD",
                                             value=_short(date)))
    if len(fields) > 7 and not _OPAQUE.fullmatch(fields[7].rstrip("\r")):
        raise _fail(display, number, Message("the opaque id is not a registry id"))
    _number(kind, start, value, display, number)  # raises: the start or the value is wrong
    raise _fail(display, number, Message("a malformed record"))


def parse_registry(text: str, display: str, sha256: str = "") -> Registry:
    header: tuple[str, str, int, str] | None = None
    header_line = 0
    summaries: dict[str, int] = {}
    rows: dict[str, list[tuple[int, int, str, str, str, str, int]]] = {t: [] for t in TYPES}
    extended: bool | None = None
    record = None
    number = 0
    pton, from_bytes, af4, af6 = socket.inet_pton, int.from_bytes, socket.AF_INET, \
        socket.AF_INET6
    strings: dict[str, str] = {}
    shared = strings.setdefault
    for number, line in enumerate(text.split("\n"), 1):
        if not line or line[0] == "#" or line == "\r":
            continue
        match = record.fullmatch(line) if record is not None else None
        if match is not None:
            cc, kind, start, value, date, status, holder = match.groups()
            if extended is None:
                extended = holder is not None
            elif extended != (holder is not None):
                raise _fail(display, number, Message(
                    "the file mixes the plain and the extended record format"))
            # the common cases inlined (a call per line costs a tenth of the read); anything
            # unusual goes through _number, which says what is wrong
            try:
                if kind == "ipv4":
                    first = from_bytes(pton(af4, start), "big")
                    last = first + int(value) - 1
                    ok = first <= last and not last >> 32
                elif kind == "ipv6":
                    first = from_bytes(pton(af6, start), "big")
                    bits = 128 - int(value)
                    last = first + (1 << bits) - 1 if bits >= 0 else -1
                    ok = bits >= 0 and not first & ((1 << bits) - 1)
                else:
                    first = int(start)
                    last = first + int(value) - 1
                    ok = first <= last and not last >> 32
            except (OSError, ValueError):
                ok = False
            if not ok:
                first, last = _number(kind, start, value, display, number)
            # the same few countries, statuses, dates and holders on most lines: one object
            # each (a fifth of what the records kept)
            rows[kind].append((first, last, shared(cc, cc), shared(status, status),
                               shared(holder or "", holder or ""), shared(date, date), number))
            continue
        fields = line.rstrip("\r").split("|")
        if header is None:
            header = _header(fields, display, number)
            header_line = number
            record = _record_pattern(header[0])
            continue
        if len(fields) == 6 and fields[5] == "summary":
            if fields[0] != header[0] or fields[1] != "*" or fields[2] not in TYPES \
                    or not (fields[4].isascii() and fields[4].isdigit()):
                raise _fail(display, number, Message(
                    "a malformed summary line (registry|*|type|*|count|summary)"))
            summaries[fields[2]] = bounded_int(fields[4], "the summary count", MAX_RECORDS,
                                               error_cls=RegistryError, file=display,
                                               line=number)
            continue
        _check_record(fields, header[0], display, number)
    if header is None:
        raise _fail(display, max(number, 1), Message(
            "empty: no version line, no records (not a registry statistics file)"))
    for records in rows.values():
        records.sort()
        _no_overlap(records, display)
    registry, serial, announced, end = header
    found = sum(len(r) for r in rows.values())
    if found != announced:
        raise _fail(display, header_line, Message(
            "the version line announces {announced} records, the file has {found}: "
            "truncated or altered (download it again)", announced=announced, found=found))
    for kind, total in summaries.items():
        if total != len(rows[kind]):
            raise _fail(display, header_line, Message(
                "the {kind} summary announces {announced} records, the file has {found}: "
                "truncated or altered (download it again)", kind=kind, announced=total,
                found=len(rows[kind])))
    return Registry(display, registry, serial, end, found, bool(extended), sha256,
                    {k: [r[0] for r in v] for k, v in rows.items()}, rows)


def _no_overlap(records: Sequence[tuple[int, int, str, str, str, str, int]],
                display: str) -> None:
    for before, after in pairwise(records):
        if after[0] <= before[1]:
            raise _fail(display, after[6], Message(
                "this record overlaps the record of line {line}: the file is not a registry "
                "snapshot", line=before[6]))

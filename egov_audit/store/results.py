"""Results as rows of the national store: each stored bundle's results (agency, submission,
control, target, status, observed) in the `results` table, so that a national question ("which
agencies fail HOST-SSH-01") is one indexed query, not every bundle opened. Made here from a
bundle of either version: a version 1 document, or a version 2 stream read record by record."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..bundle.v1 import bundle_from_dict, check_bundle_data
from ..bundle.v2 import (
    HEAD_PREFIX,
    LONG_RECORDS,
    MAX_INPUTS_RECORD,
    MAX_RECORD,
    MAX_STREAM,
    V2Stream,
    read_v2,
    row_observed,
)
from ..errors import EgovAuditError, Message, ReportError
from ..gates.filein import lines
from ..gates.jsonin import StrictJsonError, loads
from ..models import Bundle
from ..readiness import Readiness, readiness

RESULT_COLUMNS = ("bundle_id", "control", "target", "target_kind", "status", "severity", "area",
                  "observed")
BATCH = 5_000  # rows per insert: a bundle of 50,000 hosts is never held whole
_GAP = frozenset(("fail", "error", "not_assessed"))


def observed_v1(value: Mapping[str, str] | None) -> str:
    """A version 1 result's observed text as a version 2 row says it (then as JSON text)."""
    if not value:
        return row_observed("")
    return row_observed(value["vi"] if value["vi"] == value["en"] else
                        {"en": value["en"], "vi": value["vi"]})


_COUNTED = frozenset(("pass", "fail", "error", "not_assessed"))  # what a score weighs


class Tally:
    """What the bundles table keeps of a bundle's results, counted as its rows pass: the gaps
    per control, the public portals' readiness, and the infrastructure area's two parts (the
    network, the server rooms: (part, severity) -> [counted, passed], weighed on reading)."""

    def __init__(self) -> None:
        self.gaps: dict[str, list[Any]] = {}
        self.parts: dict[tuple[str, str], list[int]] = {}
        self._portals: list[tuple[str, str, str]] = []

    def add(self, control: str, target: str, kind: str, status: str, severity: str,
            area: str) -> None:
        if status in _GAP:
            entry = self.gaps.setdefault(control, [severity, area, 0])
            entry[2] += 1
        if area == "infrastructure" and status in _COUNTED:
            part = self.parts.setdefault(
                ("server_rooms" if kind == "server_room" else "network", severity), [0, 0])
            part[0] += 1
            part[1] += status == "pass"
        if kind == "portal":
            self._portals.append((control, target, status))

    def readiness(self) -> Readiness:
        return readiness(self._portals)


def v1_rows(bundle: Mapping[str, Any], tally: Tally) -> Iterator[tuple[Any, ...]]:
    """A version 1 bundle's results as rows (without their bundle id)."""
    for r in bundle["results"]:
        kind = r.get("target_kind", "agency")
        tally.add(r["control"], r["target"], kind, r["status"], r["severity"], r["area"])
        yield (r["control"], r["target"], kind, r["status"], r["severity"], r["area"],
               observed_v1(r.get("observed")))


def v2_rows(stream: V2Stream, records: Iterable[bytes], tally: Tally
            ) -> Iterator[tuple[Any, ...]]:
    """A version 2 bundle's rows as the store keeps them, checked as they are read."""
    controls = stream.controls
    targets = stream.targets
    for row in stream.rows(records):
        control = controls[row[0]]
        target, kind = targets[row[1]]
        severity, area = control["severity"], control["area"]
        if len(row) > 6:
            severity = row[6].get("severity", severity)
            area = row[6].get("area", area)
        tally.add(control["id"], target, kind, row[2], severity, area)
        yield (control["id"], target, kind, row[2], severity, area, row_observed(row[4]))


def hosts_of(stream: V2Stream) -> int:
    return sum(1 for listed in stream.end["targets"] if stream.targets[listed[0]][1] == "host")


def batches(rows: Iterable[tuple[Any, ...]], bundle_id: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append((bundle_id, *row))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def body_lines(raw: bytes, display: str, error_cls: type[EgovAuditError]) -> Iterator[bytes]:
    """The records of a stored version 2 body (decompressed), bounded as a file's are."""
    return lines(io.BytesIO(raw), display, error_cls, MAX_RECORD, LONG_RECORDS,
                 MAX_INPUTS_RECORD, MAX_STREAM)


def stored_rows(body: bytes, display: str, error_cls: type[EgovAuditError]
                ) -> Iterator[tuple[Any, ...]]:
    """The rows of a bundle stored before results were rows (migration 5): its body read back
    through the bundle gate of its version."""
    raw = zlib.decompress(body)
    tally = Tally()
    if raw.startswith(HEAD_PREFIX):
        yield from v2_rows(V2Stream(display, error_cls), body_lines(raw, display, error_cls),
                           tally)
        return
    try:
        data = loads(raw)
    except StrictJsonError as exc:
        raise error_cls(exc.message, file=display) from None
    yield from v1_rows(check_bundle_data(data, display, error_cls), tally)


def stored_bundle(body: bytes) -> tuple[Bundle, Mapping[str, Any] | None]:
    """A stored bundle body (either version) back through the bundle gate, and its packed
    inputs: the database may be old, copied from elsewhere or tampered with, and one bad row
    must not stop the others."""
    try:
        raw = zlib.decompress(body)
    except zlib.error as exc:
        raise ReportError(Message("stored bundle is not readable: {exc}", exc=exc)) from None
    if raw.startswith(HEAD_PREFIX):
        bundle, stream = read_v2(body_lines(raw, "stored bundle", ReportError), "stored bundle",
                                 ReportError)
        return bundle, stream.inputs
    try:
        data = loads(raw)
    except StrictJsonError as exc:
        raise ReportError(Message("stored bundle is not valid JSON: {message}",
                                  message=exc.message)) from None
    data = check_bundle_data(data, "stored bundle")
    return bundle_from_dict(data), data.get("inputs")

"""The result bundle, version 2: one canonical JSON record a line (docs/bundle-format.md).

Version 1 repeats every text in every result. Version 2 says each control's texts, each message
template and each target once, then one short row per result that refers to them by index (as
SARIF's rules and results do), so a host costs a few rows, not its texts again. Records are
written and read one at a time: memory stays bounded whatever the number of hosts, and a
signature covers a digest of the exact bytes, computed while they stream past.

Order: the header; control, message, target, row and about records (each referred to only
after it); the end; the packed inputs, if any; the signature, if signed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from typing import Any

from ..errors import EgovAuditError, Message
from ..gates.jsonin import StrictJsonError, loads_line
from ..gates.sanitize import terminal
from ..models import (
    Area,
    Bundle,
    Location,
    Result,
    Severity,
    Status,
    Target,
    TargetKind,
    TargetStatus,
    Text,
)
from ..schemas import compiled_check, first_error, load_schema
from .templates import arguments_of, render, well_formed
from .v1 import agency_of, controls_of, scores_of, semantic_errors

SCHEMA_V2 = "egov-audit/result-bundle@2"
HEAD_PREFIX = b'{"$schema":"egov-audit/result-bundle@2"'
MAX_RECORD = 1 << 20  # a record is a few hundred bytes; a control's texts a few KB
# the records that grow with the hosts: the packed inventory and evidence (when signed with
# them), and the end (each target's status, each fact bundle's digest: 5 MB for 50,000 hosts)
MAX_INPUTS_RECORD = 256 << 20
INPUTS_PREFIX = b'{"inputs":'
LONG_RECORDS = (INPUTS_PREFIX, b'{"end":')
MAX_STREAM = 4 << 30  # decompressed: 50,000 hosts take about 150 MB

_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           allow_nan=False).encode


def record(value: Any) -> bytes:
    """One record as its line: canonical JSON (sorted keys, no spaces, UTF-8) and a newline,
    so the same meaning is always the same bytes."""
    return _line(value).encode("utf-8")


def _line(value: Any) -> str:
    return _ENCODE(value) + "\n"


# -- reading ------------------------------------------------------------------------------------
_STATUSES = frozenset(str(s) for s in Status)
_SEVERITIES = frozenset(str(s) for s in Severity)
_AREAS = frozenset(str(a) for a in Area)
_KINDS = frozenset(str(k) for k in TargetKind)
_TARGET_STATUSES = frozenset(str(s) for s in TargetStatus)
_RECORDS = ("control", "message", "target", "about", "end", "inputs", "signature")
_EXTRAS = frozenset(("expected", "clause", "severity", "area", "locations"))


def _is_text(value: Any) -> bool:
    return type(value) is dict and value.keys() == {"vi", "en"} and \
        type(value["vi"]) is str and type(value["en"]) is str


def _record_schema(kind: str) -> dict[str, Any]:
    whole = load_schema("result-bundle-v2")
    return {"$defs": whole["$defs"], "$ref": f"#/$defs/{kind}"}


@cache
def _record_check(kind: str) -> Callable[[Any], bool]:
    """The compiled check of one kind of record (a bundle holds thousands of target records)."""
    return compiled_check(_record_schema(kind))


class V2Stream:
    """The state of a version 2 bundle as it is read: its header, the controls, messages and
    targets met so far, the end, inputs and signature, and the digest of every byte before
    the signature. `rows(lines)` checks each record (the strict JSON reader, the schema, the
    indexes) and yields the result rows; one bad record refuses the bundle, with its line."""

    def __init__(self, display: str, error_cls: type[EgovAuditError]) -> None:
        self.display, self.error_cls = display, error_cls
        self.header: dict[str, Any] = {}
        self.controls: list[dict[str, Any]] = []
        self.messages: list[tuple[int, str, str]] = []
        self.targets: list[tuple[str, str]] = []
        self.abouts: dict[str, dict[str, Any]] = {}
        self.end: dict[str, Any] = {}
        self.inputs: dict[str, Any] | None = None
        self.signature: dict[str, Any] | None = None
        self.signed_digest = ""  # sha256 of every byte before the signature line
        self.count = 0
        self.line = 0
        self._hash = hashlib.sha256()
        self._needs: list[int] = []  # per message: how many arguments its rows must give

    def digest(self) -> str:
        """The SHA-256 of every record read so far but a signature."""
        return "sha256:" + self._hash.hexdigest()

    def fail(self, message: str | Message, line: int | None = None) -> EgovAuditError:
        return self.error_cls(message, file=self.display, line=line or self.line)

    def _checked(self, kind: str, value: Any) -> None:
        if _record_check(kind)(value):
            return
        problem = first_error(value, _record_schema(kind))  # jsonschema: why not
        if problem is not None:
            said = terminal(problem.message, 200)
            if problem.path:
                raise self.fail(Message("{kind} record: {where}: {problem}", kind=kind,
                                        where=".".join(str(p) for p in problem.path),
                                        problem=said))
            raise self.fail(Message("{kind} record: {problem}", kind=kind, problem=said))

    def rows(self, lines: Iterable[bytes]) -> Iterator[list[Any]]:
        hashing = self._hash.update
        for line in lines:
            self.line += 1
            if self.signature is not None:
                raise self.fail(Message("a record after the signature"))
            if not line.endswith(b"\n"):
                raise self.fail(Message("the last line is cut short (no newline): a truncated "
                                        "bundle"))
            try:
                value = loads_line(line)
            except StrictJsonError as exc:
                raise self.fail(exc.message) from None
            if type(value) is list:
                if not self.header or self.end:
                    raise self.fail(Message("a result row outside the header and the end"))
                hashing(line)
                self._row(value)
                self.count += 1
                yield value
                continue
            if self.line == 1:
                self._checked("header", value)
                self.header = value
                hashing(line)
                continue
            kind = next(iter(value), "") if type(value) is dict and len(value) == 1 else ""
            if kind not in _RECORDS:
                raise self.fail(Message("not a record of a version 2 bundle"))
            if kind != "signature":
                hashing(line)
            self._record(kind, value)
        self._finish()

    def _record(self, kind: str, value: dict[str, Any]) -> None:
        after_end = kind in ("inputs", "signature")
        if after_end and not self.end:
            raise self.fail(Message("the {kind} record comes before the end record", kind=kind))
        if self.end and not after_end:
            raise self.fail(Message("a {kind} record comes after the end record", kind=kind))
        if kind == "end" and self.end:
            raise self.fail(Message("a second end record"))
        if kind == "inputs" and (self.inputs is not None):
            raise self.fail(Message("a second inputs record"))
        if kind == "inputs":
            if type(value["inputs"]) is not dict:
                raise self.fail(Message("inputs record: not an object"))
            self.inputs = value["inputs"]
            return
        self._checked(kind, value)
        body = value[kind]
        if kind == "control":
            self.controls.append(body)
        elif kind == "message":
            if body["control"] >= len(self.controls):
                raise self.fail(Message("message record: control {index} is not defined yet",
                                        index=body["control"]))
            for lang in ("vi", "en"):
                if not well_formed(body[lang]):
                    raise self.fail(Message("message record: a brace that is not a placeholder"))
            self.messages.append((body["control"], body["vi"], body["en"]))
            self._needs.append(max(arguments_of(body["vi"]), arguments_of(body["en"])))
        elif kind == "target":
            self.targets.append((body["id"], body["kind"]))
        elif kind == "about":
            if body["id"] in self.abouts:
                raise self.fail(Message("a second about record of {control}",
                                        control=body["id"]))
            self.abouts[body.pop("id")] = body
        elif kind == "end":
            for listed in body["targets"]:
                if not (type(listed) is list and 2 <= len(listed) <= 3
                        and type(listed[0]) is int and 0 <= listed[0] < len(self.targets)
                        and listed[1] in _TARGET_STATUSES
                        and (len(listed) == 2 or type(listed[2]) is str)):
                    raise self.fail(Message("end record: a target is not [index, status, "
                                            "reason]"))
            if body["results"] != self.count:
                raise self.fail(Message("end record: {said} results said, {count} read",
                                        said=body["results"], count=self.count))
            self.end = body
        else:  # signature
            self.signature = body
            self.signed_digest = self.digest()

    def _row(self, row: list[Any]) -> None:
        size = len(row)
        if not 5 <= size <= 7:
            raise self.fail(Message("result row: {size} items (5 to 7)", size=size))
        control, target, status, message, observed = row[:5]
        if not (type(control) is int and 0 <= control < len(self.controls)):
            raise self.fail(Message("result row: control {index} is not defined",
                                    index=str(control)[:20]))
        if not (type(target) is int and 0 <= target < len(self.targets)):
            raise self.fail(Message("result row: target {index} is not defined",
                                    index=str(target)[:20]))
        if status not in _STATUSES:
            raise self.fail(Message("result row: {status!r} is not a status",
                                    status=str(status)[:30]))
        if not (type(message) is int and 0 <= message < len(self.messages)
                and self.messages[message][0] == control):
            raise self.fail(Message("result row: message {index} is not one of its control's",
                                    index=str(message)[:20]))
        if not (type(observed) is str or _is_text(observed)):
            raise self.fail(Message("result row: the observed value is not text"))
        given = 0
        if size > 5:
            args = row[5]
            if type(args) is not list or any(type(a) is not str for a in args):
                raise self.fail(Message("result row: the arguments are not a list of text"))
            given = len(args)
            if size > 6:
                self._extras(row[6])
        if given < self._needs[message]:
            raise self.fail(Message("result row: its message needs an argument it does not "
                                    "give"))

    def _extras(self, extras: Any) -> None:
        if type(extras) is not dict or not extras.keys() <= _EXTRAS:
            raise self.fail(Message("result row: its last item is not an object of {keys}",
                                    keys=", ".join(sorted(_EXTRAS))))
        for key in ("expected", "clause"):
            if key in extras and not _is_text(extras[key]):
                raise self.fail(Message("result row: {key} is not a text", key=key))
        if ("severity" in extras and extras["severity"] not in _SEVERITIES) or \
                ("area" in extras and extras["area"] not in _AREAS):
            raise self.fail(Message("result row: not a severity or area"))
        for loc in extras.get("locations", ()):
            if not (type(loc) is list and 1 <= len(loc) <= 3 and type(loc[0]) is str
                    and all(v is None or type(v) is int for v in loc[1:])):
                raise self.fail(Message("result row: a location is not [file, line, column]"))
        if type(extras.get("locations", [])) is not list:
            raise self.fail(Message("result row: locations is not a list"))

    def _finish(self) -> None:
        if not self.header:
            raise self.fail(Message("empty: not a result bundle"), line=1)
        if not self.end:
            raise self.fail(Message("no end record: a truncated bundle"))
        problem = semantic_errors({
            "level": self.header.get("level"), "started_at": self.header.get("started_at"),
            "finished_at": self.end.get("finished_at"), "waivers": self.end.get("waivers"),
            "signature": self.signature})
        if problem is not None:
            raise self.fail(Message("{where}: {problem}", where=problem[0], problem=problem[1]))

    # -- what the rows mean -------------------------------------------------------------------
    def results(self, rows: Iterable[list[Any]]) -> Iterator[Result]:
        """Each row as the Result it records, its message rendered from the bundle's own
        templates (one rendering per distinct message, observed value and target)."""
        rendered: dict[tuple[Any, ...], Text] = {}
        controls = [(c["id"], Area(c["area"]), Severity(c["severity"]),
                     Text.from_dict(c["clause"]), Text.from_dict(c["expected"]))
                    for c in self.controls]
        targets = [(tid, TargetKind(kind)) for tid, kind in self.targets]
        for row in rows:
            if len(controls) < len(self.controls):  # control records came since
                controls.extend((c["id"], Area(c["area"]), Severity(c["severity"]),
                                 Text.from_dict(c["clause"]), Text.from_dict(c["expected"]))
                                for c in self.controls[len(controls):])
            if len(targets) < len(self.targets):
                targets.extend((tid, TargetKind(kind))
                               for tid, kind in self.targets[len(targets):])
            cid, area, severity, clause, expected = controls[row[0]]
            target, kind = targets[row[1]]
            observed = row[4]
            seen = Text(observed, observed) if type(observed) is str else \
                Text(observed["vi"], observed["en"])
            args = row[5] if len(row) > 5 else ()
            extras = row[6] if len(row) > 6 else {}
            locations: tuple[Location, ...] = ()
            if extras:
                if "expected" in extras:
                    expected = Text.from_dict(extras["expected"])
                if "clause" in extras:
                    clause = Text.from_dict(extras["clause"])
                severity = Severity(extras.get("severity", severity))
                area = Area(extras.get("area", area))
                locations = tuple(Location(*loc) for loc in extras.get("locations", ()))
            key = (row[3], seen, expected, target, tuple(args))
            message = rendered.get(key)
            if message is None:
                _, vi, en = self.messages[row[3]]
                try:
                    message = Text(render(vi, seen.vi, expected.vi, target, args),
                                   render(en, seen.en, expected.en, target, args))
                except IndexError:
                    raise self.fail(Message("result row: its message needs an argument it "
                                            "does not give")) from None
                if len(rendered) > 100_000:
                    rendered.clear()
                rendered[key] = message
            yield Result(cid, target, kind, Status(row[2]), severity, area, message, expected,
                         seen, clause, locations)

    def bundle(self, results: Sequence[Result]) -> Bundle:
        """The bundle read (after every row), its results given."""
        head, end = self.header, self.end
        return Bundle(
            agency=agency_of(head), baseline=head["baseline"], level=head["level"],
            policy_digest=head["policy_digest"], policy_version=head.get("policy_version", ""),
            tool_version=head["tool"]["version"], started_at=head["started_at"],
            finished_at=end["finished_at"],
            targets=tuple(Target(self.targets[t[0]][0], TargetKind(self.targets[t[0]][1]),
                                 TargetStatus(t[1]), t[2] if len(t) > 2 else "")
                          for t in end["targets"]),
            results=tuple(results), scores=scores_of(end["scores"]),
            controls=controls_of(self.abouts), inventory=head.get("inventory", ""),
            options=head.get("options", {}),
            notices=tuple(Text.from_dict(n) for n in end.get("notices", [])),
            evidence_digests=end.get("evidence_digests", {}),
            waivers=tuple(end.get("waivers", [])))


def read_v2(lines: Iterable[bytes], display: str,
            error_cls: type[EgovAuditError]) -> tuple[Bundle, V2Stream]:
    """A whole version 2 bundle, its results rendered, and what was read of it."""
    stream = V2Stream(display, error_cls)
    results = list(stream.results(stream.rows(lines)))
    return stream.bundle(results), stream


def row_observed(value: Any) -> str:
    """A row's observed value as the national store keeps it: its JSON text."""
    return _ENCODE(value)

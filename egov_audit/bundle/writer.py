"""Writing a version 2 bundle (docs/bundle-format.md), in two steps.

`prepare_rows(results)` turns results into rows of JSON text: each message as its template and
arguments, each observed value, clause and expected value encoded. It reads nothing but the
results, so worker processes run it, each on its own pass of hosts. `V2Writer.add_rows` then
numbers controls, messages and targets in the order they are first met and writes each row's
line: the little left to the one process that writes the file. One process or many, the same
rows in the same order make the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, BinaryIO

from ..models import Bundle, Location, Result, Text
from .templates import SHORTEST_VALUE, template_of
from .v2 import _ENCODE, SCHEMA_V2, _line, record

# What a row says that its control record may say for all (area, severity, clause and expected
# value, the last two as JSON text)
Facets = tuple[str, str, str, str]
# control, target, target kind, status, message template (vi, en), observed value and template
# arguments (JSON text), facets, locations (JSON text, "" for none)
Row = tuple[str, str, str, str, str, str, str, str, Facets, str]
# a batch of rows, and the facets each control's record takes if the batch introduces it
Prepared = tuple[list[Row], dict[str, Facets]]


def _text(value: Text) -> dict[str, str]:
    return {"en": value.en, "vi": value.vi}


def _observed(value: Text) -> str | dict[str, str]:
    return value.vi if value.vi == value.en else _text(value)


def _location(loc: Location) -> list[Any]:
    out: list[Any] = [loc.file, loc.line, loc.column]
    while len(out) > 1 and out[-1] is None:
        out.pop()
    return out


def header_record(head: Bundle) -> dict[str, Any]:
    return {"$schema": SCHEMA_V2, "tool": {"name": "egov-audit", "version": head.tool_version},
            "agency": head.agency.to_dict(), "baseline": head.baseline, "level": head.level,
            "policy_version": head.policy_version, "policy_digest": head.policy_digest,
            "inventory": head.inventory, "options": dict(head.options),
            "started_at": head.started_at}


def prepare_rows(results: Sequence[Result]) -> Prepared:
    """`results` as rows, each distinct message, observed and expected value of a control
    encoded once (results of hosts that share a configuration share their texts)."""
    derived: dict[tuple[str, ...], tuple[str, str, str, str]] = {}
    facets_of: dict[tuple[int, int, int, int], Facets] = {}
    rows: list[Row] = []
    intro: dict[str, Facets] = {}
    has_expected: set[str] = set()
    for result in results:
        message, target, observed, expected = (result.message, result.target, result.observed,
                                               result.expected)
        # a message that names its target is made anew for each one: remembering it would
        # grow with the hosts
        named = len(target) >= SHORTEST_VALUE and (target in message.vi or target in message.en)
        key = (result.control, message.vi, message.en, observed.vi, observed.en, expected.vi,
               expected.en)
        made = None if named else derived.get(key)
        if made is None:
            template, args = template_of(message, observed, expected, target)
            made = (template.vi, template.en, _ENCODE(_observed(observed)), _ENCODE(args))
            if not named:
                derived[key] = made
        # the results being alive while this runs, their objects' identities are a sound key
        fkey = (id(result.area), id(result.severity), id(result.clause), id(expected))
        facets = facets_of.get(fkey)
        if facets is None:
            facets = facets_of[fkey] = (result.area.value, result.severity.value,
                                        _ENCODE(_text(result.clause)), _ENCODE(_text(expected)))
        control = result.control
        # a control's record is made from a result with an expected value (a host that was
        # not assessed has none: its row says so, not the hundreds of others)
        if control not in has_expected and (control not in intro or expected):
            intro[control] = facets
            if expected:
                has_expected.add(control)
        rows.append((control, target, result.target_kind.value, result.status.value, *made,
                     facets, _ENCODE([_location(loc) for loc in result.locations])
                     if result.locations else ""))
    return rows, intro


def _extras(facets: Facets, defaults: Facets, locations: str) -> str:
    """The JSON text of what a row says that its control record does not (keys in order)."""
    parts = []
    if facets[0] != defaults[0]:
        parts.append(f'"area":{_ENCODE(facets[0])}')
    if facets[2] != defaults[2]:
        parts.append(f'"clause":{facets[2]}')
    if facets[3] != defaults[3]:
        parts.append(f'"expected":{facets[3]}')
    if locations:
        parts.append(f'"locations":{locations}')
    if facets[1] != defaults[1]:
        parts.append(f'"severity":{_ENCODE(facets[1])}')
    return "{" + ",".join(parts) + "}"


class V2Writer:
    """A version 2 bundle written as its results are made: the header now, each result's row
    (and the first mention of its control, message and target) as it comes, the rest at the
    end. Memory: the texts of the controls, messages and targets seen, never the results."""

    def __init__(self, out: BinaryIO, head: Bundle) -> None:
        self._out = out
        self._controls: dict[str, int] = {}
        self._defaults: list[Facets] = []
        self._messages: dict[tuple[int, str, str], int] = {}
        self._targets: dict[tuple[str, str], int] = {}
        self._count = 0
        out.write(record(header_record(head)))

    def _control(self, control: str, facets: Facets, lines: list[str]) -> int:
        index = self._controls[control] = len(self._controls)
        self._defaults.append(facets)
        area, severity, clause, expected = facets
        # canonical JSON as record() makes it (keys sorted), the texts already encoded
        lines.append(f'{{"control":{{"area":{_ENCODE(area)},"clause":{clause},"expected":'
                     f'{expected},"id":{_ENCODE(control)},"severity":{_ENCODE(severity)}}}}}\n')
        return index

    def _target(self, target: str, kind: str, lines: list[str]) -> int:
        index = self._targets.get((target, kind))
        if index is None:
            index = self._targets[(target, kind)] = len(self._targets)
            lines.append(_line({"target": {"id": target, "kind": kind}}))
        return index

    def add(self, results: Sequence[Result]) -> None:
        self.add_rows(prepare_rows(results))

    def add_rows(self, prepared: Prepared) -> None:
        """The next rows (as `prepare_rows` made them, here or in a worker)."""
        rows, intro = prepared
        lines: list[str] = []
        controls, messages, defaults = self._controls, self._messages, self._defaults
        last_target, last_kind, target_index = None, None, -1  # a host's rows come together
        for control_id, target, kind, status, vi, en, observed, args, facets, where in rows:
            control = controls.get(control_id)
            if control is None:
                control = self._control(control_id, intro[control_id], lines)
            if target != last_target or kind != last_kind:
                target_index = self._target(target, kind, lines)
                last_target, last_kind = target, kind
            message = messages.get((control, vi, en))
            if message is None:
                message = messages[(control, vi, en)] = len(messages)
                lines.append(_line({"message": {"control": control, "vi": vi, "en": en}}))
            head = f'[{control},{target_index},"{status}",{message},{observed}'
            known = defaults[control]
            if facets is not known and facets != known:
                lines.append(f"{head},{args},{_extras(facets, known, where)}]\n")
            elif where:  # a host's row: where it is declared, the rest as its control says
                lines.append(f'{head},{args},{{"locations":{where}}}]\n')
            elif args != "[]":
                lines.append(f"{head},{args}]\n")
            else:
                lines.append(f"{head}]\n")
        self._count += len(rows)
        if lines:
            self._out.write("".join(lines).encode("utf-8"))

    def close(self, end: Bundle) -> None:
        """The records known at the end (`end`: the bundle without its results)."""
        lines: list[str] = []
        listed = [[self._target(t.id, str(t.kind), lines), str(t.status),
                   *([t.reason] if t.reason else [])] for t in end.targets]
        for cid, info in sorted(end.controls.items()):
            lines.append(_line({"about": {"id": cid, **info.to_dict()}}))
        lines.append(_line({"end": {
            "finished_at": end.finished_at, "results": self._count, "targets": listed,
            "scores": end.scores.to_dict(), "notices": [_text(n) for n in end.notices],
            "evidence_digests": dict(end.evidence_digests),
            "waivers": [dict(w) for w in end.waivers]}}))
        self._out.write("".join(lines).encode("utf-8"))


def write_bundle(out: BinaryIO, bundle: Bundle) -> None:
    writer = V2Writer(out, bundle)
    writer.add(bundle.results)
    writer.close(bundle)

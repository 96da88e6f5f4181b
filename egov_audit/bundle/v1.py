"""The result bundle as JSON: write it, read it back (validated against its published schema)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import EgovAuditError, Message, ReportError
from ..gates.filein import read_bytes
from ..gates.jsonin import decode
from ..gates.sanitize import terminal
from ..models import (
    Agency,
    Bundle,
    ControlInfo,
    NationalResults,
    Result,
    ResultSet,
    Scores,
    Target,
    TargetKind,
    TargetStatus,
    Text,
)
from ..schemas import first_error, is_valid
from ..times import instant
from ..yamlsource import format_path

BUNDLE_SCHEMA = "egov-audit/result-bundle@1"
SET_SCHEMA = "egov-audit/result-set@1"


def bundle_to_dict(bundle: Bundle) -> dict[str, Any]:
    return {
        "schema": BUNDLE_SCHEMA,
        "tool": {"name": "egov-audit", "version": bundle.tool_version},
        "agency": bundle.agency.to_dict(),
        "baseline": bundle.baseline,
        "level": bundle.level,
        "policy_version": bundle.policy_version,
        "policy_digest": bundle.policy_digest,
        "inventory": bundle.inventory,
        "options": dict(bundle.options),
        "notices": [n.to_dict() for n in bundle.notices],
        "started_at": bundle.started_at,
        "finished_at": bundle.finished_at,
        "targets": [t.to_dict() for t in bundle.targets],
        "results": [r.to_dict() for r in bundle.results],
        "scores": bundle.scores.to_dict(),
        "controls": {cid: info.to_dict() for cid, info in sorted(bundle.controls.items())},
        "evidence_digests": dict(sorted(bundle.evidence_digests.items())),
        "waivers": [dict(w) for w in bundle.waivers],
    }


# the fields a streamed bundle writes after its results (the rest is known when it starts)
_WRITTEN_LAST = ("finished_at", "notices", "targets", "scores", "controls", "evidence_digests",
                 "waivers")


class BundleWriter:
    """A result bundle written while its results are made (an agency of tens of thousands of
    hosts, judged a few hundred at a time): what is known at the start, the results as they
    come, the rest at the end. The same JSON document as `bundle_to_dict` (its keys in another
    order), compact as the JSON report of a large agency is."""

    def __init__(self, out: BinaryIO, start: Bundle) -> None:
        self._out, self._first = out, True
        head = {key: value for key, value in bundle_to_dict(start).items()
                if key not in _WRITTEN_LAST and key != "results"}
        out.write(_compact(head)[:-1].encode("utf-8") + b',"results":[')

    def add(self, results: Sequence[Result]) -> None:
        if not results:
            return
        rows = _compact([r.to_dict() for r in results])[1:-1]  # one C call for the lot
        self._out.write((rows if self._first else "," + rows).encode("utf-8"))
        self._first = False

    def close(self, end: Bundle) -> None:
        """The fields known at the end (`end`: the bundle without its results)."""
        data = bundle_to_dict(end)
        tail = {key: data[key] for key in _WRITTEN_LAST}
        self._out.write(b"]," + _compact(tail)[1:].encode("utf-8") + b"\n")


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def national_to_dict(national: NationalResults) -> dict[str, Any]:
    return {
        "agencies": list(national.agencies),
        "results": [r.to_dict() for r in national.results],
        "scores": national.scores.to_dict(),
        "controls": {cid: info.to_dict() for cid, info in sorted(national.controls.items())},
    }


def result_set_to_dict(result_set: ResultSet) -> dict[str, Any]:
    """One agency: its bundle. Several: a result set of bundles plus the national results."""
    if len(result_set.bundles) == 1 and result_set.national is None:
        return bundle_to_dict(result_set.bundles[0])
    return {
        "schema": SET_SCHEMA,
        "bundles": [bundle_to_dict(b) for b in result_set.bundles],
        "national": national_to_dict(result_set.national) if result_set.national else None,
    }


def scores_of(data: Mapping[str, Any]) -> Scores:
    return Scores(data["overall"], data["by_area"], data["coverage"],
                  data.get("overall_without_waivers"), data.get("counts", {}),
                  data.get("beside"), data.get("beside_counts", {}))


def controls_of(data: Mapping[str, Any]) -> dict[str, ControlInfo]:
    return {cid: ControlInfo(cid, Text.from_dict(c["title"]), Text.from_dict(c["description"]),
                             Text.from_dict(c["remediation"]),
                             # bundles of 0.1.0 named the task file of the fix
                             c.get("remediation_role", c.get("remediation_playbook")),
                             {b: Text.from_dict(t) for b, t in c.get("clauses", {}).items()},
                             Text.from_dict(c["owner"]) if "owner" in c else None,
                             Text.from_dict(c["form"]) if "form" in c else None)
            for cid, c in data.items()}


def agency_of(data: Mapping[str, Any]) -> Agency:
    """The agency a bundle (or a version 2 header) names."""
    agency = data["agency"]
    return Agency(agency["code"], Text.from_dict(agency["name"]), agency["kind"],
                  data["baseline"], data["level"], agency.get("region"))


def bundle_from_dict(data: dict[str, Any]) -> Bundle:
    return Bundle(
        agency=agency_of(data),
        baseline=data["baseline"], level=data["level"],
        policy_digest=data["policy_digest"], policy_version=data.get("policy_version", ""),
        tool_version=data["tool"]["version"], started_at=data["started_at"],
        finished_at=data["finished_at"],
        targets=tuple(Target(t["id"], TargetKind(t["kind"]), TargetStatus(t["status"]),
                             t.get("reason", "")) for t in data["targets"]),
        results=tuple(Result.from_dict(r) for r in data["results"]),
        scores=scores_of(data["scores"]), controls=controls_of(data.get("controls", {})),
        inventory=data.get("inventory", ""), options=data.get("options", {}),
        notices=tuple(Text.from_dict(n) for n in data.get("notices", [])),
        evidence_digests=data.get("evidence_digests", {}),
        waivers=tuple(data.get("waivers", [])))


MAX_BUNDLE_FILE = 512 * 1024 * 1024


def semantic_errors(data: dict[str, Any]) -> tuple[str, str] | None:
    """What the schema cannot say: (JSON path, reason) of the first value a later step would
    trip over, or None. Levels are integers, not 3.0; dates are real dates, times instants."""
    bundles = data.get("bundles") if data.get("schema") == SET_SCHEMA else [data]
    for index, bundle in enumerate(bundles or []):
        base = f"bundles[{index}]." if data.get("schema") == SET_SCHEMA else ""
        if type(bundle.get("level")) is not int:
            return f"{base}level", f"{bundle.get('level')!r} is not an integer level"
        stamps = [("started_at", bundle.get("started_at")),
                  ("finished_at", bundle.get("finished_at"))]
        signature = bundle.get("signature")
        if isinstance(signature, dict):
            stamps.append(("signature.signed_at", signature.get("signed_at")))
        for where, value in stamps:
            try:
                instant(str(value))  # a real date and time, with its zone
            except ValueError as exc:
                return f"{base}{where}", f"{str(value)[:40]!r} {exc}"
        for w_index, waiver in enumerate(bundle.get("waivers") or []):
            for key in ("approved_on", "expires"):
                value = waiver.get(key)
                if value in (None, ""):
                    continue
                try:
                    datetime.fromisoformat(str(value))
                except ValueError:
                    return f"{base}waivers[{w_index}].{key}", f"{str(value)[:40]!r} is not a date"
    return None


def read_json(path: Path, error_cls: type[EgovAuditError] = ReportError) -> dict[str, Any]:
    """The bundle gate: a result bundle or result set file through the strict JSON reader (see
    gates/jsonin.py), validated against its published schema and checked for what the schema
    cannot say. Every command that reads a bundle (report, diff, fix, sign, verify, collect) reads
    it here, so verification and evaluation see exactly the same values."""
    return read_json_bytes(path, error_cls)[0]


def read_json_bytes(path: Path, error_cls: type[EgovAuditError] = ReportError
                    ) -> tuple[dict[str, Any], bytes]:
    """`read_json`, and the file's bytes as they were read (what `collect` keeps: the bundle as
    its agency signed and sent it)."""
    raw = read_bytes(path, str(path), error_cls, MAX_BUNDLE_FILE)
    return check_bundle_data(decode(raw, str(path), error_cls), str(path), error_cls), raw


def check_bundle_data(data: Any, display: str,
                      error_cls: type[EgovAuditError] = ReportError) -> dict[str, Any]:
    """Schema and meaning checks of parsed bundle data (a file's, or one stored in a database)."""
    kind = data.get("schema") if isinstance(data, dict) else None
    name = {BUNDLE_SCHEMA: "result-bundle", SET_SCHEMA: "result-set"}.get(str(kind))
    if name is None:
        raise error_cls(Message("not an egov-audit result bundle (schema: {kind!r})",
                                kind=str(kind)[:60]),
                        file=display)
    if not is_valid(data, name):  # the compiled schema: bundles can hold 100,000 results

        error = first_error(data, name)
        if error is not None:
            raise error_cls(terminal(error.message, 200), file=display,
                            path=format_path(error.path))
    problem = semantic_errors(data)
    if problem is not None:
        raise error_cls(problem[1], file=display, path=problem[0])
    return data  # type: ignore[no-any-return]


def result_set_from_dict(data: dict[str, Any]) -> ResultSet:
    """A version 1 bundle or result set, read by its gate, as a result set."""
    kind = data.get("schema")
    name = "result-bundle" if kind == BUNDLE_SCHEMA else "result-set"
    if name == "result-bundle":
        return ResultSet((bundle_from_dict(data),))
    national = data.get("national")
    return ResultSet(
        tuple(bundle_from_dict(b) for b in data["bundles"]),
        NationalResults(tuple(national["agencies"]),
                        tuple(Result.from_dict(r) for r in national["results"]),
                        scores_of(national["scores"]), controls_of(national.get("controls", {})))
        if national else None)

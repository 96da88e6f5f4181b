"""SARIF 2.1.0 for code-scanning UIs: one rule per control, one result per finding, located at
the inventory file and line that declares the offending item."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..gates.sanitize import sarif
from ..models import ControlInfo, Location, Result, ResultSet, Severity, Status
from .common import label
from .interface import ReportOptions, reporter

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note"}
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                      Severity.LOW: "2.0"}


def _physical(loc: Location) -> dict[str, Any]:
    uri = sarif(loc.file.replace("\\", "/"), 2000)
    artifact: dict[str, Any] = {"uri": uri}
    if not uri.startswith("/"):
        artifact["uriBaseId"] = "%SRCROOT%"  # relative to where the command ran (the repo root)
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if loc.line:
        region: dict[str, int] = {"startLine": loc.line}
        if loc.column:
            region["startColumn"] = loc.column
        physical["region"] = region
    return {"physicalLocation": physical}


class SarifReporter:

    def render(self, result_set: ResultSet, options: ReportOptions) -> str:
        lang = options.lang
        infos: dict[str, ControlInfo] = {}
        # result, inventory, agency, and the profile it was judged for beside the baseline
        findings: list[tuple[Result, str, str, str | None]] = []
        severity: dict[str, Severity] = {}
        for bundle in result_set.bundles:
            infos.update(bundle.controls)
            findings += [(r, bundle.inventory, bundle.agency.code, bundle.profile_of(r))
                         for r in bundle.results if r.status in (Status.FAIL, Status.ERROR)]
        if result_set.national is not None:
            infos.update(result_set.national.controls)
            findings += [(r, "", "", None) for r in result_set.national.results
                         if r.status in (Status.FAIL, Status.ERROR)]
        for r, _, _, _ in findings:
            severity[r.control] = r.severity
        rule_ids = sorted({r.control for r, _, _, _ in findings})
        rules = []
        for rule_id in rule_ids:
            info = infos.get(rule_id)
            rule: dict[str, Any] = {"id": rule_id,
                                    "defaultConfiguration": {"level": _LEVEL[severity[rule_id]]},
                                    "properties": {"security-severity":
                                                   _SECURITY_SEVERITY[severity[rule_id]],
                                                   "tags": ["compliance", "egov-audit"]}}
            if info:
                rule["name"] = rule_id.replace("-", "")
                rule["shortDescription"] = {"text": sarif(info.title.get(lang))}
                rule["fullDescription"] = {"text": sarif(info.description.get(lang))}
                rule["help"] = {"text": sarif(info.remediation.get(lang))}
            rules.append(rule)
        index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
        results = []
        for r, inventory, agency, profile in findings:
            text = r.message.get(lang)
            if r.expected or r.observed:
                text += f" ({label('observed', lang)}: {r.observed.get(lang)}; " \
                        f"{label('expected', lang)}: {r.expected.get(lang)})"
            locations = [_physical(loc) for loc in r.locations[:10]] or \
                ([_physical(Location(inventory))] if inventory else [])
            item: dict[str, Any] = {
                "ruleId": r.control, "ruleIndex": index[r.control],
                # a profile's gap is a note: it is not in the compliance score, and a code-scanning
                # gate on errors and warnings must not stop on it (as --fail-on does not)
                "level": "note" if profile is not None else _LEVEL[r.severity]
                if r.status is Status.FAIL else "error",
                "message": {"text": sarif(text)},
                # the agency in it: in a multi-agency file, two agencies' same gap on a target
                # of the same name (host web01, say) are two alerts, not one merged by
                # code scanning (v1 lacked it)
                "partialFingerprints": {"egovAudit/v2": f"{sarif(agency or '*', 100)}:"
                                        f"{r.control}:{sarif(r.target, 300)}"},
                "properties": {"target": sarif(r.target, 300), "status": r.status.value,
                               "agency": sarif(agency or "*", 100),
                               "clause": sarif(r.clause.get(lang))},
            }
            if profile is not None:
                item["properties"].update(scored=False, profile=sarif(profile, 100))
            if locations:
                item["locations"] = locations
            results.append(item)
        log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
            "tool": {"driver": {"name": "egov-audit", "version": __version__,
                                "informationUri": "https://github.com/egov-audit/egov-audit",
                                "rules": rules}},
            "results": results,
        }]}
        return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


reporter("gaps", "sarif")(SarifReporter().render)

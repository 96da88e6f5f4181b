"""The catalogue as a regulator reads it, per baseline and level: every control that applies,
with its clause, check and the parameter value filled in. Used to prove that restructuring the
policy files changes nothing a user sees (tests/data/resolved-catalogue.json is the snapshot)."""

from __future__ import annotations

from typing import Any

from egov_audit.policy import PolicySet


def _text(text: Any) -> Any:
    return None if text is None else {"vi": text.vi, "en": text.en}


def resolved_catalogue(policy: PolicySet) -> dict[str, Any]:
    controls: dict[str, Any] = {}
    for control in policy.controls:
        check = control.check
        controls[control.id] = {
            "title": _text(control.title), "description": _text(control.description),
            "area": control.area.value, "target": control.target.value,
            "severity": control.severity.value,
            "check": {"fact": check.fact, "op": check.op, "value": check.value,
                      "has_value": check.has_value, "param": check.param,
                      "named": check.named, "args": dict(check.args) if check.args else None,
                      "missing": check.missing,
                      "when": dict(check.when) if check.when else None},
            "remediation": _text(control.remediation),
            "role": control.remediation_role,
            "owner": _text(control.owner), "form": _text(control.form),
        }
    baselines: dict[str, Any] = {}
    for key, baseline in sorted(policy.baselines.items()):
        levels: dict[str, Any] = {}
        for level in range(1, 6):
            levels[str(level)] = {
                control.id: {
                    "clause": _text(control.clause(key)),
                    "from_level": control.baselines[key].from_level,
                    "param_value": (policy.param(control.check.param, key, level, control)
                                    if control.check.param is not None else None)}
                for control in policy.select(key, level)}
        baselines[key] = {
            "title": _text(baseline.title), "regulations": list(baseline.regulations),
            "level_clauses": {str(k): v for k, v in sorted(baseline.level_clauses.items())},
            "certainty": baseline.certainty, "levels": levels}
    return {"version": policy.version, "order": [c.id for c in policy.controls],
            "weights": {str(k.value): v for k, v in sorted(policy.weights.items())},
            "controls": controls, "baselines": baselines}


if __name__ == "__main__":
    import json

    from egov_audit.checks.vocabulary import load_catalogue

    print(json.dumps(resolved_catalogue(load_catalogue()), ensure_ascii=False, indent=1,
                     sort_keys=True))

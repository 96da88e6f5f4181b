"""The requirement matrix: what one baseline requires at one security level, control by control,
with the clause, the required value filled in from the reference models, the severity, who
closes a gap and through which procedure, in both languages. Pure data; report/matrix.py
renders it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..collection import role_fqcn
from ..errors import Message, UsageError
from ..models import EMPTY, Area, Severity, TargetKind, Text
from ..policy import Control, PolicySet
from .named import NAMED_CHECKS
from .operators import OPERATORS, render

NONE = Text("không có", "none")
# who closes a gap a remediation playbook fixes, and through which procedure
_ADMINS = Text("Quản trị viên hệ thống của đơn vị", "The agency's system administrators")
_VALUE_NAMES = {"required_zone_kinds", "kinds"}  # values that are zone kinds: say their names


@dataclass(frozen=True)
class Requirement:
    control: str
    family: Text
    title: Text
    area: Area
    target: TargetKind
    severity: Severity
    from_level: int
    clause: Text
    required: Text  # what must hold, the level's values filled in
    owner: Text  # who closes a gap
    procedure: Text  # through which form, registry, project or playbook
    remediation: Text


@dataclass(frozen=True)
class RequirementMatrix:
    baseline: str
    baseline_title: Text
    level: int
    level_clause: str
    certainty: str
    policy_version: str
    policy_digest: str
    rows: tuple[Requirement, ...]
    baseline_issuer: Text = EMPTY
    baseline_scope: Text = EMPTY
    beside: bool = False  # a profile judged beside every baseline: levels do not apply


def requirement_matrix(policy: PolicySet, baseline: str, level: int) -> RequirementMatrix:
    """The baseline's requirements at `level`; a former id of a renamed baseline gives the
    baseline under its id now."""
    meta = policy.baseline_named(baseline)
    if meta is None:
        raise UsageError(Message("unknown baseline {baseline!r} (known: {value})",
                                 baseline=baseline, value=', '.join(sorted(policy.baselines))))
    if level not in range(1, 6):
        raise UsageError(Message("level {level} is not a security level (1 to 5)", level=level))
    rows = tuple(_row(policy, control, meta.id, level)
                 for control in policy.select(meta.id, level))
    return RequirementMatrix(meta.id, meta.title, level, meta.level_clauses.get(level, "—"),
                             meta.certainty, policy.version, policy.digest, rows, meta.issuer,
                             meta.scope, meta.beside)


def required_value(policy: PolicySet, control: Control, baseline: str, level: int) -> Text:
    """What the control requires at (baseline, level), in words, with its values."""
    check = control.check
    if check.named is not None:
        spec = NAMED_CHECKS[check.named]
        values: dict[str, Any] = dict(spec.arguments(check.args))
        for name in spec.params:
            values[name.partition(".")[2]] = policy.param(name, baseline, level, control)
        return Text(*(spec.requires.get(lang).format_map(_shown(policy, values, lang))
                      for lang in ("vi", "en")))
    assert check.op is not None and check.fact is not None
    value = policy.param(check.param, baseline, level, control) if check.param else check.value
    operator = OPERATORS[check.op]
    texts = [f"{check.fact}: {operator.describe(value, lang)}" for lang in ("vi", "en")]
    if check.when is not None:
        when = OPERATORS[str(check.when["op"])]
        condition = [f"{check.when['fact']} {when.describe(check.when.get('value'), lang)}"
                     for lang in ("vi", "en")]
        texts = [f"{texts[0]} (khi {condition[0]})", f"{texts[1]} (when {condition[1]})"]
    return Text(*texts)


def _shown(policy: PolicySet, values: Mapping[str, Any], lang: str) -> dict[str, str]:
    zone_kinds = policy.model("network").get("zone_kinds", {})
    out = {}
    for name, value in values.items():
        if isinstance(value, Sequence) and not isinstance(value, str):
            if not value:
                out[name] = NONE.get(lang)
                continue
            if name in _VALUE_NAMES:
                value = [zone_kinds[v][lang] if v in zone_kinds else v for v in value]
            out[name] = ", ".join(str(v) for v in value)
        else:
            out[name] = render(value)
    return out


def _row(policy: PolicySet, control: Control, baseline: str, level: int) -> Requirement:
    if control.remediation_role is not None:
        owner = control.owner or _ADMINS
        role = role_fqcn(control.remediation_role)
        procedure = control.form or Text(f"egov-audit fix (role Ansible {role})",
                                         f"egov-audit fix (Ansible role {role})")
    else:
        # the loader's data and a test guarantee both for controls without a role
        owner = control.owner or NONE
        procedure = control.form or NONE
    return Requirement(
        control.id, policy.families.get(control.family, Text.same(control.family)),
        control.title, control.area, control.target, control.severity,
        control.baselines[baseline].from_level, control.clause(baseline),
        required_value(policy, control, baseline, level), owner, procedure,
        control.remediation)

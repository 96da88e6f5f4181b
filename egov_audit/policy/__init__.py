"""Load the control catalogue (policies/), the reference models and the baselines
(reference_models/), validate them against their schemas and against each other."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PolicyError
from ..models import EMPTY, Area, ControlInfo, Location, Severity, TargetKind, Text
from ..paths import data_dir, data_root
from ..schemas import validate
from ..yamlsource import SourceFile, load_yaml

DEFAULT_POLICIES = data_dir("policies")
DEFAULT_REFERENCE_MODELS = data_dir("reference_models")
CATALOGUE_FILE = "catalogue.yml"
BASELINES_FILE = "baselines.yml"


@dataclass(frozen=True)
class Check:
    fact: str | None = None
    op: str | None = None
    value: Any = None
    has_value: bool = False
    param: str | None = None
    named: str | None = None
    args: Mapping[str, Any] | None = None
    missing: str = "not_assessed"
    when: Mapping[str, Any] | None = None  # precondition {fact, op, value}


@dataclass(frozen=True)
class ControlBaseline:
    clause: Text
    from_level: int


@dataclass(frozen=True)
class Control:
    id: str
    title: Text
    description: Text
    area: Area
    target: TargetKind
    severity: Severity
    baselines: Mapping[str, ControlBaseline]
    check: Check
    remediation: Text
    remediation_playbook: str | None
    where: Location
    owner: Text | None = None
    form: Text | None = None

    def applies(self, baseline: str, level: int) -> bool:
        ref = self.baselines.get(baseline)
        return ref is not None and level >= ref.from_level

    def clause(self, baseline: str) -> Text:
        ref = self.baselines.get(baseline)
        return ref.clause if ref else EMPTY

    def info(self) -> ControlInfo:
        return ControlInfo(self.id, self.title, self.description, self.remediation,
                           self.remediation_playbook,
                           {b: ref.clause for b, ref in self.baselines.items()},
                           self.owner, self.form)


@dataclass(frozen=True)
class Baseline:
    id: str
    title: Text
    regulations: tuple[str, ...]
    level_clauses: Mapping[int, str]
    certainty: str


@dataclass(frozen=True, eq=False)  # identity hash: checks cache derived tables per policy
class PolicySet:
    version: str
    weights: Mapping[Severity, float]
    controls: tuple[Control, ...]
    baselines: Mapping[str, Baseline]
    models: Mapping[str, Mapping[str, Any]]
    digest: str

    def control(self, control_id: str) -> Control:
        for control in self.controls:
            if control.id == control_id:
                return control
        raise KeyError(control_id)

    def param(self, name: str, baseline: str, level: int) -> Any:
        """'network.required_zone_kinds' at (baseline, level), cumulative over levels 1..level.
        Raises KeyError when no level up to `level` defines it."""
        model_name, _, key = name.partition(".")
        levels = self.models[model_name].get("parameters", {}).get(baseline, {})
        found = False
        value: Any = None
        for lvl in range(1, level + 1):
            params = levels.get(lvl) or {}
            if key in params:
                value, found = params[key], True
        if not found:
            raise KeyError(name)
        return value

    def model(self, name: str) -> Mapping[str, Any]:
        return self.models[name]

    def select(self, baseline: str, level: int, targets: Iterable[TargetKind] | None = None,
               area: str | None = None) -> list[Control]:
        wanted = set(targets) if targets is not None else None
        return [c for c in self.controls
                if c.applies(baseline, level)
                and (wanted is None or c.target in wanted)
                and (area is None or c.area == area)]


def _env_dir(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else default


def load_policies(policies_dir: Path | None = None,
                  models_dir: Path | None = None) -> PolicySet:
    policies_dir = policies_dir or _env_dir("EGOV_AUDIT_POLICIES", DEFAULT_POLICIES)
    models_dir = models_dir or _env_dir("EGOV_AUDIT_REFERENCE_MODELS", DEFAULT_REFERENCE_MODELS)
    for directory in (policies_dir, models_dir):
        if not directory.is_dir():
            raise PolicyError("no such directory", file=str(directory))
    digest = hashlib.sha256()

    def load(path: Path) -> SourceFile:
        source = load_yaml(path, str(path), PolicyError)
        digest.update(path.name.encode())
        digest.update(json.dumps(source.data, sort_keys=True, default=str).encode())
        return source

    catalogue_src = load(policies_dir / CATALOGUE_FILE)
    validate(catalogue_src.data, "catalogue", catalogue_src, (), PolicyError)
    weights = {Severity(k): float(v)
               for k, v in catalogue_src.data["severity_weights"].items()}

    baselines_src = load(models_dir / BASELINES_FILE)
    validate(baselines_src.data, "baselines", baselines_src, (), PolicyError)
    baselines = {
        key: Baseline(key, Text.from_dict(b["title"]), tuple(b["regulations"]),
                      {int(k): str(v) for k, v in b["level_clauses"].items()}, b["certainty"])
        for key, b in baselines_src.data["baselines"].items()}

    models: dict[str, Mapping[str, Any]] = {}
    for path in sorted(models_dir.glob("*.yml")):
        if path.name == BASELINES_FILE:
            continue
        source = load(path)
        validate(source.data, "reference_model", source, (), PolicyError)
        name = source.data["model"]
        if name in models:
            raise source.error(PolicyError, f"reference model {name!r} is defined twice",
                               ("model",))
        for baseline in source.data.get("parameters", {}):
            if baseline not in baselines:
                raise source.error(PolicyError, f"unknown baseline {baseline!r}",
                                   ("parameters", baseline))
        models[name] = source.data

    controls: list[Control] = []
    seen: dict[str, Location] = {}
    files = sorted(p for p in policies_dir.rglob("*.yml") if p.name != CATALOGUE_FILE)
    if not files:
        raise PolicyError("no policy files (*.yml)", file=str(policies_dir))
    for path in files:
        source = load(path)
        validate(source.data, "control", source, (), PolicyError)
        for index, data in enumerate(source.data["controls"]):
            control = _control(source, index, data)
            if control.id in seen:
                raise source.error(PolicyError, f"control {control.id} is already defined at "
                                   f"{seen[control.id]}", ("controls", index, "id"))
            seen[control.id] = control.where
            controls.append(control)

    policy = PolicySet(catalogue_src.data["version"], weights, tuple(controls), baselines,
                       models, "sha256:" + digest.hexdigest())
    _cross_check(policy, policies_dir)
    return policy


def _text(value: str | Mapping[str, str]) -> Text:
    """A clause is a plain citation (the same in both languages) or {vi, en}."""
    return Text.same(value) if isinstance(value, str) else Text.from_dict(value)


def _control(source: SourceFile, index: int, data: Mapping[str, Any]) -> Control:
    line, column = source.locate(("controls", index))
    check_data = data["check"]
    check = Check(fact=check_data.get("fact"), op=check_data.get("op"),
                  value=check_data.get("value"), has_value="value" in check_data,
                  param=check_data.get("param"), named=check_data.get("named"),
                  args=check_data.get("args"),
                  missing=check_data.get("missing", "not_assessed"),
                  when=check_data.get("when"))
    remediation = data["remediation"]
    return Control(
        id=data["id"], title=Text.from_dict(data["title"]),
        description=Text.from_dict(data["description"]), area=Area(data["area"]),
        target=TargetKind(data["target"]), severity=Severity(data["severity"]),
        baselines={k: ControlBaseline(_text(v["clause"]), v["from_level"])
                   for k, v in data["baselines"].items()},
        check=check, remediation=Text(remediation["vi"], remediation["en"]),
        remediation_playbook=remediation.get("playbook"),
        where=Location(source.display, line, column),
        owner=Text.from_dict(remediation["owner"]) if "owner" in remediation else None,
        form=Text.from_dict(remediation["form"]) if "form" in remediation else None)


def _cross_check(policy: PolicySet, policies_dir: Path) -> None:
    """Everything a control names must exist: baselines, operators, named checks, parameters."""
    from ..checks.named import NAMED_CHECKS
    from ..checks.operators import OPERATORS

    def fail(control: Control, message: str) -> PolicyError:
        return PolicyError(f"{control.id}: {message}", file=control.where.file,
                           line=control.where.line, column=control.where.column)

    for control in policy.controls:
        for baseline in control.baselines:
            if baseline not in policy.baselines:
                raise fail(control, f"unknown baseline {baseline!r}")
        check = control.check
        if check.named is not None:
            spec = NAMED_CHECKS.get(check.named)
            if spec is None:
                raise fail(control, f"unknown named check {check.named!r} (known: "
                           f"{', '.join(sorted(NAMED_CHECKS))})")
            if spec.target != control.target:
                raise fail(control, f"named check {check.named!r} checks {spec.target} "
                           f"targets, not {control.target}")
        else:
            op = OPERATORS.get(check.op or "")
            if op is None:
                raise fail(control, f"unknown operator {check.op!r} (known: "
                           f"{', '.join(sorted(OPERATORS))})")
            has_expected = check.has_value or check.param is not None
            if op.needs_expected and not has_expected:
                raise fail(control, f"operator {check.op!r} needs a value or a param")
            if not op.needs_expected and has_expected:
                raise fail(control, f"operator {check.op!r} takes no value or param")
            if check.has_value and check.param is not None:
                raise fail(control, "give either a value or a param, not both")
            if check.when is not None and check.when["op"] not in OPERATORS:
                raise fail(control, f"unknown operator {check.when['op']!r} in `when`")
        if check.param is not None:
            model_name = check.param.partition(".")[0]
            if model_name not in policy.models:
                raise fail(control, f"unknown reference model {model_name!r}")
            for baseline, ref in control.baselines.items():
                for level in range(ref.from_level, 6):
                    try:
                        policy.param(check.param, baseline, level)
                    except KeyError:
                        raise fail(control, f"parameter {check.param!r} is not defined for "
                                   f"{baseline} at level {level}") from None
        if control.remediation_playbook is not None:
            # remediation task files ship with egov-audit (playbooks/remediate/)
            playbook = data_root() / control.remediation_playbook
            if not playbook.is_file():
                raise fail(control, f"remediation playbook {control.remediation_playbook!r} "
                           "does not exist")

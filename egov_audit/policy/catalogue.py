"""Load the control catalogue: controls (policies/<area>/<family>.yml: what is checked), baselines
(policies/baselines/<baseline>.yml: which controls apply, under which clause, from which level) and
reference models (reference_models/: the parameters per baseline and level). Pure data: what a
check's name, operator and arguments mean is the checks' business, handed in as a vocabulary."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..collection import role_fqcn, role_problem
from ..errors import EgovAuditError, Message, PolicyError
from ..models import EMPTY, Area, ControlInfo, Location, Severity, TargetKind, Text
from ..paths import data_dir
from ..schemas import validate
from ..yamlsource import JsonPath, SourceFile, load_yaml

DEFAULT_POLICIES = data_dir("policies")
DEFAULT_REFERENCE_MODELS = data_dir("reference_models")
CATALOGUE_FILE = "catalogue.yml"
_BASELINE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
BASELINES_DIR = "baselines"
LEVELS = range(1, 6)


@dataclass(frozen=True)
class Check:
    """How a control is judged: a fact compared by an operator, or a named check."""

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
    """How one baseline cites one control."""

    clause: Text
    from_level: int
    # reference-model parameters this baseline sets otherwise for this control
    params: Mapping[str, Any] = field(default_factory=dict)
    # a severity that rises with the level: {3: high} from level 3 on (else the control's own)
    severity_by_level: Mapping[int, Severity] = field(default_factory=dict)


@dataclass(frozen=True)
class Control:
    """A requirement of the catalogue: what it asks, where it applies, how it is judged."""

    id: str
    title: Text
    description: Text
    area: Area
    target: TargetKind
    severity: Severity
    baselines: Mapping[str, ControlBaseline]
    check: Check
    remediation: Text
    remediation_role: str | None
    where: Location
    owner: Text | None = None
    form: Text | None = None
    family: str = ""  # the policy file it comes from, e.g. "host/ssh"

    def applies(self, baseline: str, level: int) -> bool:
        ref = self.baselines.get(baseline)
        return ref is not None and level >= ref.from_level

    def clause(self, baseline: str) -> Text:
        ref = self.baselines.get(baseline)
        return ref.clause if ref else EMPTY

    def severity_at(self, baseline: str, level: int) -> Severity:
        """The severity at this level: the baseline may raise it from some level on."""
        ref = self.baselines.get(baseline)
        if ref is None or not ref.severity_by_level:
            return self.severity
        reached = [lvl for lvl in ref.severity_by_level if lvl <= level]
        return ref.severity_by_level[max(reached)] if reached else self.severity

    def info(self) -> ControlInfo:
        return ControlInfo(self.id, self.title, self.description, self.remediation,
                           role_fqcn(self.remediation_role) if self.remediation_role else None,
                           {b: ref.clause for b, ref in self.baselines.items()},
                           self.owner, self.form)


@dataclass(frozen=True)
class Baseline:
    """A set of regulations controls are selected by, with the clause of each level."""

    id: str
    title: Text
    regulations: tuple[str, ...]
    level_clauses: Mapping[int, str]
    certainty: str
    where: Location | None = None
    former_ids: tuple[str, ...] = ()  # what it was called before a rename: still accepted
    issuer: Text = EMPTY  # who published the standard and when (empty: not stated)
    scope: Text = EMPTY  # what it covers, and how this project applies it
    # a profile (internet standards): judged beside any baseline an audit uses, scored apart,
    # never counted in that baseline's score
    beside: bool = False

    def renamed_notice(self, former: str, where: str) -> Text:
        """What a report says when `where` (the inventory, --baseline, a stored bundle) names
        this baseline by a former id."""
        return Text(f"Khung tiêu chuẩn {former} nay có tên {self.id}; {where} vẫn ghi tên cũ, "
                    f"được chấp nhận như {self.id}: hãy cập nhật.",
                    f"Baseline {former} is now named {self.id}; {where} still names it by the "
                    f"former id, accepted as {self.id}: please update it.")


@dataclass(frozen=True, eq=False)  # identity hash: checks cache derived tables per policy
class PolicySet:
    """The loaded catalogue: controls, baselines, reference models, weights, digest."""

    version: str
    weights: Mapping[Severity, float]
    controls: tuple[Control, ...]
    baselines: Mapping[str, Baseline]
    models: Mapping[str, Mapping[str, Any]]
    digest: str
    families: Mapping[str, Text] = field(default_factory=dict)  # "host/ssh" -> its title

    def control(self, control_id: str) -> Control:
        for control in self.controls:
            if control.id == control_id:
                return control
        raise KeyError(control_id)

    def param(self, name: str, baseline: str, level: int,
              control: Control | None = None) -> Any:
        """'network.required_zone_kinds' at (baseline, level), cumulative over levels 1..level,
        unless the baseline sets it otherwise for `control`. Raises KeyError when no level up to
        `level` defines it."""
        if control is not None:
            ref = control.baselines.get(baseline)
            if ref is not None and name in ref.params:
                return ref.params[name]
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

    def baseline_named(self, name: str) -> Baseline | None:
        """The baseline `name` names: by its id, or by an id it had before a rename (existing
        inventories and stored bundles keep working); None when no baseline has that name."""
        if name in self.baselines:
            return self.baselines[name]
        return next((b for b in self.baselines.values() if name in b.former_ids), None)

    def beside(self, baseline: str, level: int, control: Control) -> str | None:
        """The profile a control is judged under beside `baseline` at `level` (one that is not
        the baseline itself, and cites it), when the baseline does not require it; None when
        the baseline requires it or nothing cites it."""
        if control.applies(baseline, level):
            return None
        return next((b.id for b in self.baselines.values()
                     if b.beside and b.id != baseline and control.applies(b.id, level)), None)

    @property
    def renamed_baselines(self) -> dict[str, str]:
        """Each former baseline id -> the id it now has."""
        return {former: b.id for b in self.baselines.values() for former in b.former_ids}

    def model(self, name: str) -> Mapping[str, Any]:
        return self.models[name]

    def select(self, baseline: str, level: int, targets: Iterable[TargetKind] | None = None,
               area: str | None = None) -> list[Control]:
        wanted = set(targets) if targets is not None else None
        return [c for c in self.controls
                if c.applies(baseline, level)
                and (wanted is None or c.target in wanted)
                and (area is None or c.area == area)]



@dataclass(frozen=True)
class Problem:
    """Something a control says that its check vocabulary does not accept."""

    message: str
    path: JsonPath = ("check",)  # inside the control, for file:line


class CheckVocabulary(Protocol):
    """What the checks know: operators, named checks and their arguments. The policy loader
    asks; the checks package answers (egov_audit.checks.vocabulary)."""

    def problems(self, control: Control) -> Iterator[Problem]: ...

    def params(self, control: Control) -> tuple[str, ...]:
        """The reference-model parameters the control's check reads."""
        ...


def _env_dir(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else default


@dataclass
class _Loader:
    """Reads the policy and model files once, digesting them and keeping each control's place."""

    policies_dir: Path
    models_dir: Path
    digest: Any = field(default_factory=hashlib.sha256)
    # where each control was declared, to put file:line on what is found wrong with it later
    sources: dict[str, tuple[SourceFile, JsonPath]] = field(default_factory=dict)
    baseline_sources: dict[str, SourceFile] = field(default_factory=dict)

    def load(self, path: Path, root: Path) -> SourceFile:
        source = load_yaml(path, str(path), PolicyError)
        # the digest names files relative to their folder: the same catalogue anywhere on disk
        # has the same digest
        self.digest.update(path.relative_to(root).as_posix().encode())
        self.digest.update(json.dumps(source.data, sort_keys=True, default=str).encode())
        return source

    def fail(self, control_id: str, message: str, path: JsonPath = ()) -> EgovAuditError:
        source, base = self.sources[control_id]
        return source.error(PolicyError, Message("{control_id}: {message}", control_id=control_id,
                                                 message=message), base + path)


def policy_dirs(policies_dir: Path | None = None,
                models_dir: Path | None = None) -> tuple[Path, Path]:
    """The policy and reference-model folders a load reads: the given ones, else those the
    environment names, else the bundled ones."""
    return (policies_dir or _env_dir("EGOV_AUDIT_POLICIES", DEFAULT_POLICIES),
            models_dir or _env_dir("EGOV_AUDIT_REFERENCE_MODELS", DEFAULT_REFERENCE_MODELS))


def load_policies(policies_dir: Path | None = None, models_dir: Path | None = None, *,
                  vocabulary: CheckVocabulary) -> PolicySet:
    policies_dir, models_dir = policy_dirs(policies_dir, models_dir)
    for directory in (policies_dir, models_dir):
        if not directory.is_dir():
            raise PolicyError(Message("no such directory"), file=str(directory))
    loader = _Loader(policies_dir, models_dir)

    catalogue_src = loader.load(policies_dir / CATALOGUE_FILE, policies_dir)
    validate(catalogue_src.data, "catalogue", catalogue_src, (), PolicyError)
    weights = {Severity(k): float(v)
               for k, v in catalogue_src.data["severity_weights"].items()}

    baseline_sources = _baseline_sources(loader)
    baselines = {key: _baseline(key, source) for key, source in baseline_sources.items()}
    models = _models(loader, baselines)
    drafts, families = _control_drafts(loader)
    citations = _citations(loader, baseline_sources, drafts)
    controls = []
    for control_id, draft in drafts.items():
        if not citations.get(control_id):
            raise loader.fail(control_id, Message("no baseline cites this control (add it to "
                                                  "{value}/<baseline>.yml)",
                                                  value=policies_dir / BASELINES_DIR), ("id",))
        controls.append(Control(baselines=citations[control_id], **draft))

    policy = PolicySet(catalogue_src.data["version"], weights, tuple(controls), baselines,
                       models, "sha256:" + loader.digest.hexdigest(), families)
    _cross_check(loader, policy, vocabulary)
    return policy


def _baseline_sources(loader: _Loader) -> dict[str, SourceFile]:
    folder = loader.policies_dir / BASELINES_DIR
    files = sorted(folder.glob("*.yml")) if folder.is_dir() else []
    if not files:
        raise PolicyError(Message("no baselines (policies/baselines/<baseline>.yml)"),
                          file=str(folder))
    sources = {}
    for path in files:
        source = loader.load(path, loader.policies_dir)
        if not _BASELINE_ID.fullmatch(path.stem):
            raise source.error(PolicyError, Message("a baseline's file name is its id: {stem!r} "
                                                    "is not one (lower-case letters, digits and "
                                                    "'-')", stem=path.stem), ())
        validate(source.data, "baseline", source, (), PolicyError)
        if "level_clauses" in source.data and set(source.data["level_clauses"]) != set(LEVELS):
            raise source.error(PolicyError, Message("level_clauses needs exactly the levels 1 to "
                                                    "5"),
                               ("level_clauses",))
        sources[path.stem] = source
    _check_former_ids(sources)
    loader.baseline_sources.update(sources)
    return sources


def _check_former_ids(sources: Mapping[str, SourceFile]) -> None:
    """A former id names one baseline only, and never one that exists under that id."""
    claimed: dict[str, str] = {}
    for key, source in sources.items():
        for index, former in enumerate(source.data.get("former_ids", [])):
            if former in sources:
                raise source.error(PolicyError, Message("former id {former!r} is a baseline's "
                                                        "id", former=former),
                                   ("former_ids", index))
            if former in claimed:
                raise source.error(PolicyError, Message("former id {former!r} is also "
                                                        "{other}'s", former=former,
                                                        other=claimed[former]),
                                   ("former_ids", index))
            claimed[former] = key


def _baseline(key: str, source: SourceFile) -> Baseline:
    data = source.data
    line, column = source.locate(())
    return Baseline(key, Text.from_dict(data["title"]), tuple(data["regulations"]),
                    {int(k): str(v) for k, v in data.get("level_clauses", {}).items()},
                    data["certainty"], Location(source.display, line or 1, column or 1),
                    tuple(data.get("former_ids", ())),
                    Text.from_dict(data["issuer"]) if "issuer" in data else EMPTY,
                    Text.from_dict(data["scope"]) if "scope" in data else EMPTY,
                    bool(data.get("beside", False)))


def _models(loader: _Loader, baselines: Mapping[str, Baseline]) -> dict[str, Mapping[str, Any]]:
    models: dict[str, Mapping[str, Any]] = {}
    for path in sorted(loader.models_dir.glob("*.yml")):
        source = loader.load(path, loader.models_dir)
        validate(source.data, "reference_model", source, (), PolicyError)
        name = source.data["model"]
        if name in models:
            raise source.error(PolicyError, Message("reference model {name!r} is defined twice",
                                                    name=name),
                               ("model",))
        for baseline in source.data.get("parameters", {}):
            if baseline not in baselines:
                raise source.error(PolicyError, Message("unknown baseline {baseline!r}",
                                                        baseline=baseline),
                                   ("parameters", baseline))
        models[name] = source.data
    return models


def _control_drafts(loader: _Loader) -> tuple[dict[str, dict[str, Any]], dict[str, Text]]:
    """Every control's fields but its baselines, family defaults applied, in file order."""
    root = loader.policies_dir
    files = sorted(p for p in root.rglob("*.yml")
                   if p.name != CATALOGUE_FILE and p.relative_to(root).parts[0] != BASELINES_DIR)
    if not files:
        raise PolicyError(Message("no policy files (*.yml)"), file=str(root))
    drafts: dict[str, dict[str, Any]] = {}
    families: dict[str, Text] = {}
    for path in files:
        source = loader.load(path, root)
        validate(source.data, "control", source, (), PolicyError)
        family = path.relative_to(root).with_suffix("").as_posix()
        families[family] = Text.from_dict(source.data["family"]["title"])
        defaults = source.data["family"].get("defaults", {})
        for index, data in enumerate(source.data["controls"]):
            control_id = data["id"]
            if control_id in drafts:
                where = drafts[control_id]["where"]
                raise source.error(PolicyError, Message("control {control_id} is already defined "
                                                        "at {where}", control_id=control_id,
                                                        where=where), ("controls", index, "id"))
            loader.sources[control_id] = (source, ("controls", index))
            drafts[control_id] = _draft(loader, source, index, data, defaults, family)
    return drafts, families


def _draft(loader: _Loader, source: SourceFile, index: int, data: Mapping[str, Any],
           defaults: Mapping[str, Any], family: str) -> dict[str, Any]:
    control_id = data["id"]
    for key in ("area", "target"):
        if key not in data and key not in defaults:
            raise loader.fail(control_id, Message("no {key}: give it here or in the family's "
                                                  "defaults", key=key))
    line, column = source.locate(("controls", index))
    check_data = data["check"]
    check = Check(fact=check_data.get("fact"), op=check_data.get("op"),
                  value=check_data.get("value"), has_value="value" in check_data,
                  param=check_data.get("param"), named=check_data.get("named"),
                  args=check_data.get("args"),
                  missing=check_data.get("missing", "not_assessed"),
                  when=check_data.get("when"))
    remediation = {**defaults.get("remediation", {}), **data["remediation"]}
    return dict(
        id=control_id, title=Text.from_dict(data["title"]),
        description=Text.from_dict(data["description"]),
        area=Area(data.get("area", defaults.get("area"))),
        target=TargetKind(data.get("target", defaults.get("target"))),
        severity=Severity(data["severity"]),
        check=check, remediation=Text(remediation["vi"], remediation["en"]),
        remediation_role=remediation.get("role"),
        where=Location(source.display, line, column),
        owner=Text.from_dict(remediation["owner"]) if "owner" in remediation else None,
        form=Text.from_dict(remediation["form"]) if "form" in remediation else None,
        family=family)


def _citations(loader: _Loader, sources: Mapping[str, SourceFile],
               drafts: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, ControlBaseline]]:
    """control id -> baseline -> how that baseline cites it."""
    out: dict[str, dict[str, ControlBaseline]] = {}
    for baseline, source in sources.items():
        for family, entry in source.data["families"].items():
            family_clause = entry.get("clause")
            for control_id, ref in entry["controls"].items():
                where = ("families", family, "controls", control_id)
                draft = drafts.get(control_id)
                if draft is None:
                    raise source.error(PolicyError, Message("unknown control {control_id}",
                                                            control_id=control_id), where)
                if draft["family"] != family:
                    raise source.error(PolicyError, Message("{control_id} belongs to the family "
                                                            "{draft!r}, not {family!r}",
                                                            control_id=control_id,
                                                            draft=draft['family'], family=family),
                                                    where)
                clause = ref.get("clause", family_clause)
                if clause is None:
                    raise source.error(PolicyError, Message("{control_id}: no clause (give it "
                                                            "here or for the whole family)",
                                                            control_id=control_id), where)
                out.setdefault(control_id, {})[baseline] = ControlBaseline(
                    _text(clause), ref["from_level"], dict(ref.get("params", {})),
                    {int(lvl): Severity(sev)
                     for lvl, sev in ref.get("severity_by_level", {}).items()})
    # the order baselines are listed in is the order of the files, whatever the citing order
    return {cid: {b: refs[b] for b in sources if b in refs} for cid, refs in out.items()}


def _text(value: str | Mapping[str, str]) -> Text:
    """A clause is a plain citation (the same in both languages) or {vi, en}."""
    return Text.same(value) if isinstance(value, str) else Text.from_dict(value)


def _cross_check(loader: _Loader, policy: PolicySet, vocabulary: CheckVocabulary) -> None:
    """Everything a control names must exist: its check's words (asked of the vocabulary), the
    parameters it reads at every level it applies, its remediation playbook."""
    for control in policy.controls:
        for problem in vocabulary.problems(control):
            raise loader.fail(control.id, problem.message, problem.path)
        reads = vocabulary.params(control)
        for name in reads:
            if name.partition(".")[0] not in policy.models:
                raise loader.fail(control.id, Message("unknown reference model {name!r}",
                                                      name=name.partition('.')[0]), ("check",))
        for baseline, ref in control.baselines.items():
            for name in ref.params:
                if name not in reads:
                    source = loader.baseline_sources[baseline]
                    raise source.error(
                        PolicyError, Message("{id} does not read the parameter {name!r} (it "
                                             "reads: {value})", id=control.id, name=name,
                                             value=', '.join(reads) or 'none'),
                        ("families", control.family, "controls", control.id, "params", name))
            for name in reads:
                for level in range(ref.from_level, 6):
                    try:
                        policy.param(name, baseline, level, control)
                    except KeyError:
                        raise loader.fail(control.id, Message("parameter {name!r} is not defined "
                                                              "for {baseline} at level {level}",
                                                              name=name, baseline=baseline,
                                                              level=level), ("check",)) from None
        if control.remediation_role is not None:
            # the remediation roles ship with egov-audit (playbooks/roles/, the collection's
            # roles/): a role that is not there is an error here, not a failed play on a
            # government host (tests hold each role's argument spec to the controls naming it)
            missing = role_problem(control.remediation_role)
            if missing:
                raise loader.fail(control.id, missing, ("remediation", "role"))


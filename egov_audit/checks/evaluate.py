"""Apply the policy to an agency (and to several agencies together): one result per control and
target. Pure Python over data: nothing here touches the network."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..evidence.kind import HOST_FACTS
from ..inventory.ansible_dir import VarSource
from ..inventory.model import locate
from ..kinds import EVIDENCE_KINDS
from ..models import EMPTY, Location, Result, Severity, Status, TargetKind, Text
from ..network.kinds import DEVICE_CONFIG
from ..policy import Control
from .context import (
    NOT_DECLARED,
    CheckContext,
    Finding,
    NationalContext,
    not_assessed_devices,
    not_assessed_host,
)
from .named import NAMED_CHECKS
from .operators import OPERATORS, OperatorTypeError, render, shown_value

MISSING = object()
NOT_SET = Text("chưa thiết lập", "not set")


@dataclass(frozen=True)
class FactTarget:
    """A target that declarative checks read facts from."""

    id: str
    kind: TargetKind
    facts: Mapping[str, Any]
    source: VarSource | None  # where `facts` is declared, for locations
    sources: Mapping[str, VarSource] | None = None  # per top-level key (host vars)
    # a host's: where it is declared (its zone line), found once for all its controls
    declared_at: Location | None = None

    def where(self, path: Sequence[str | int]) -> Location | None:
        if self.kind is TargetKind.DEVICE:
            return device_line(self.facts, path)
        if self.kind is TargetKind.HOST and self.sources:
            # a host's facts come from the host, not the inventory: point at its zone line
            return self.declared_at
        if self.sources is not None and path and path[0] in self.sources:
            return locate(self.sources[str(path[0])], tuple(path[1:]))
        if self.source is not None:
            return locate(self.source, tuple(path))
        return None


def device_line(facts: Mapping[str, Any], path: Sequence[str | int]) -> Location | None:
    """The configuration line a device fact comes from: the `line` of the deepest item on the
    path that has one (a list: its first item's), in the device's configuration file."""
    file = facts.get("file")
    if not isinstance(file, str):
        return None
    line: int | None = None
    value: Any = facts
    for part in path:
        value = value.get(str(part)) if isinstance(value, Mapping) else None
        if isinstance(value, list) and value and isinstance(value[0], Mapping):
            value = value[0]
        if isinstance(value, Mapping) and isinstance(value.get("line"), int):
            line = value["line"]
    return Location(file, line)


def fact_targets(ctx: CheckContext, kind: TargetKind) -> list[FactTarget]:
    inv = ctx.inventory
    if kind is TargetKind.AGENCY:
        return [FactTarget(inv.agency.code, kind, _raw(inv.agency_source), inv.agency_source)]
    if kind is TargetKind.NETWORK:
        return [FactTarget("network", kind, inv.network.data, inv.network.source)]
    if kind is TargetKind.SERVER_ROOM:
        return [FactTarget(f"room:{r.id}", kind, r.data, r.source) for r in inv.server_rooms]
    if kind is TargetKind.HOST:
        # host facts are the evidence collected from the host (see _declarative); built once
        # per audit, not once per control
        cached = ctx.cache.get("host_targets")
        if cached is None:
            evidence = ctx.of(HOST_FACTS) or {}
            cached = ctx.cache["host_targets"] = [
                FactTarget(h.name, kind, evidence[h.name].facts, None, {"zone": zone},
                           locate(zone))
                if (zone := h.sources.get("zone")) is not None else
                FactTarget(h.name, kind, evidence[h.name].facts, None, {})
                for h in ctx.judged_hosts if h.name in evidence and evidence[h.name].collected]
        return list(cached)
    if kind is TargetKind.DEVICE:
        devices = ctx.of(DEVICE_CONFIG) or {}
        return [FactTarget(name, kind, found.facts, None) for name, found in devices.items()
                if found.collected]
    return []


def _raw(var: VarSource) -> Mapping[str, Any]:
    data: Any = var.source.data
    for key in var.path:
        data = data[key]
    return data if isinstance(data, Mapping) else {}


def resolve_fact(facts: Any, path: str) -> Any:
    """'cctv.retention_days' -> value; 'uplinks.*.kind' -> [values]; MISSING if absent."""
    return _resolve(facts, path.split("."))


def _resolve(value: Any, parts: list[str]) -> Any:
    for i, part in enumerate(parts):
        if part == "*":
            if not isinstance(value, list):
                return MISSING
            out = [_resolve(item, parts[i + 1:]) for item in value]
            return [v for v in out if v is not MISSING]
        if not isinstance(value, Mapping) or part not in value:
            return MISSING
        value = value[part]
    return value


# operators that compare a number with a bound: a special value decides them by its meaning
_BOUNDS = frozenset({"le", "lt", "ge", "gt", "between"})


def _meanings(ctx: CheckContext, control: Control) -> Mapping[str, Any]:
    """What the control's numeric fact means beyond its number (`fact_values` of the reference
    model of its target kind): looked up once per control, not per target."""
    semantics = ctx.cache.get("fact_values")
    if semantics is None:
        semantics = ctx.cache["fact_values"] = {
            kind: model.get("fact_values", {}) for kind, model in ctx.policy.models.items()}
    values: Mapping[str, Any] = semantics.get(control.target.value, {}).get(
        control.check.fact or "", {})
    return values


def _by_meaning(values: Mapping[str, Any], op: str, observed: Any
                ) -> tuple[Status, Text] | None:
    """The verdict a numeric value gets from what it means, before any comparison: a special
    value (LoginGraceTime 0: no limit) decides a bound check; a value outside the range the
    setting can take fails. None: compare the number."""
    if not values or isinstance(observed, bool) or not isinstance(observed, int):
        return None
    for special in values.get("special", ()):
        if observed == special["value"] and op in _BOUNDS:
            means = Text.from_dict(special["means"])
            return (Status.PASS if special["satisfies_bounds"] else Status.FAIL), means
    low, high = values.get("min"), values.get("max")
    if (low is not None and observed < low) or (high is not None and observed > high):
        span = f"{'' if low is None else low}..{'' if high is None else high}"
        return Status.FAIL, Text(f"ngoài khoảng giá trị có nghĩa ({span})",
                                 f"outside the values it can take ({span})")
    return None


def _holder(facts: Mapping[str, Any], parent: Sequence[str]) -> dict[str, Any] | None:
    """The fact section a setting sits in (for sshd.maxauthtries: facts["sshd"])."""
    holder: Any = facts
    for part in parent:
        holder = holder.get(part) if isinstance(holder, dict) else None
    return holder if isinstance(holder, dict) else None


def _provenance(holder: dict[str, Any] | None, leaf: str, source_key: str) -> tuple[str, bool]:
    """Where the collector says a setting comes from (`<leaf>_source`, or `sources[leaf]` as
    for sshd: file:line), and whether it is the software's compiled-in default (`defaults`).
    Runs for every target of every control: plain dict lookups only (facts are parsed JSON)."""
    if holder is None:
        return "", False
    value = holder.get(source_key)
    if value is None:
        sources = holder.get("sources")
        value = sources.get(leaf) if isinstance(sources, dict) else None
    defaults = holder.get("defaults")
    return (value[:300] if isinstance(value, str) else "",
            isinstance(defaults, list) and leaf in defaults)


def _weaker_context(contexts: list[Any], leaf: str, op: str, operator: Any, expected: Any,
                    meanings: Mapping[str, Any]
                    ) -> tuple[Mapping[str, Any], Any, Text | None] | None:
    """The first context (an sshd Match block: the settings some connections get) whose value
    of `leaf` fails the check where the global value passed: (context, value, meaning)."""
    for context in contexts:
        values = context.get("values") if isinstance(context, dict) else None
        if not isinstance(values, dict) or leaf not in values:
            continue
        value = values[leaf]
        meaning = _by_meaning(meanings, op, value)
        if meaning is not None:
            if meaning[0] is Status.FAIL:
                return context, value, meaning[1]
            continue
        try:
            ok = operator.test(value, expected)
        except OperatorTypeError:
            ok = False
        if not ok:
            return context, value, None
    return None


def _context_finding(target: Any, fact: str, seen: Text, expected: Text,
                     weaker: tuple[Mapping[str, Any], Any, Text | None]) -> Finding:
    context, value, said = weaker
    match, source = str(context.get("match", ""))[:200], str(context.get("source", ""))[:300]
    shown_vi = render(value) + (f" ({said.vi})" if said else "")
    shown_en = render(value) + (f" ({said.en})" if said else "")
    return Finding(target.id, target.kind, Status.FAIL,
                   Text(f"{fact} = {seen.vi} nói chung, nhưng kết nối khớp khối Match {match} "
                        f"({source}) nhận {shown_vi}; yêu cầu: {expected.vi}.",
                        f"{fact} = {seen.en} in general, but connections matching Match {match} "
                        f"({source}) get {shown_en}; required: {expected.en}."),
                   expected, Text(f"{shown_vi} (Match {match}, {source})",
                                  f"{shown_en} (Match {match}, {source})"))


def _passes(operator: Any, observed: Any, expected: Any) -> bool:
    try:
        return bool(operator.test(observed, expected))
    except OperatorTypeError:
        return False


def _holds(facts: Mapping[str, Any], when: Mapping[str, Any]) -> bool:
    observed = resolve_fact(facts, str(when["fact"]))
    if observed is MISSING or observed is None:
        return False
    try:
        return OPERATORS[str(when["op"])].test(observed, when.get("value"))
    except OperatorTypeError:
        return False


def _declarative(ctx: CheckContext, control: Control) -> Iterator[Finding]:
    check = control.check
    assert check.fact is not None and check.op is not None
    op = check.op
    operator = OPERATORS[op]
    expected_value = ctx.param(check.param, control) if check.param else check.value
    expected_en = operator.describe(expected_value, "en")
    expected_vi = operator.describe(expected_value, "vi")
    expected = Text(expected_vi, expected_en)
    fact = check.fact
    path = [p for p in fact.split(".") if p != "*"]
    parent, _, leaf = fact.rpartition(".")
    parent_parts, source_key = (parent.split(".") if parent else []), f"{leaf}_source"
    meanings = _meanings(ctx, control)
    if control.target is TargetKind.HOST:
        evidence = ctx.of(HOST_FACTS) or {}
        for host in ctx.judged_hosts:
            found = evidence.get(host.name)
            if found is None or not found.collected:
                yield not_assessed_host(host.name, found)
    if control.target is TargetKind.DEVICE:
        yield from not_assessed_devices(ctx)
    asked: list[bool] = []

    def locate(target: FactTarget) -> Location | None:
        asked.append(True)
        return target.where(path)

    def judge(target: FactTarget) -> Finding:
        if check.when is not None and not _holds(target.facts, check.when):
            cond = f"{check.when['fact']} {check.when['op']} {render(check.when.get('value', ''))}"
            return Finding(target.id, target.kind, Status.NOT_APPLICABLE,
                           Text(f"Không áp dụng: điều kiện {cond.strip()} không thỏa.",
                               f"Not applicable: {cond.strip()} does not hold."))
        observed = resolve_fact(target.facts, fact)
        if observed is MISSING or observed is None:  # null: not set
            where = locate(target)
            locs = (where,) if where else ()
            status = Status.FAIL if check.missing == "fail" else Status.NOT_ASSESSED
            absent = NOT_SET if target.kind is TargetKind.HOST else NOT_DECLARED
            return Finding(target.id, target.kind, status,
                           Text(f"{fact}: {absent.vi} (yêu cầu: {expected_vi}).",
                               f"{fact}: {absent.en} (required: {expected_en})."),
                           expected, absent, locs)
        shown = shown_value(observed)
        holder = _holder(target.facts, parent_parts)
        source, default = _provenance(holder, leaf, source_key)
        if source:  # where the host's effective value comes from (file:line), when it says
            shown = Text(f"{shown.vi} ({source})", f"{shown.en} ({source})")
        seen = shown
        if default and target.kind is TargetKind.HOST:
            seen = Text(f"{shown.vi} (mặc định)", f"{shown.en} (default)")
            if ctx.options.require_explicit:
                return Finding(target.id, target.kind, Status.FAIL,
                               Text(f"{fact} = {seen.vi}: dựa vào giá trị mặc định, không được "
                                   f"ghi trong cấu hình (yêu cầu ghi rõ: {expected_vi}).",
                                   f"{fact} = {seen.en}: relies on the default, not written in "
                                   f"the configuration (required in writing: {expected_en})."),
                               expected, seen)
        meaning = _by_meaning(meanings, op, observed)
        contexts = holder.get("contexts") if holder is not None else None
        if isinstance(contexts, list) and target.kind is TargetKind.HOST and \
                (meaning[0] if meaning else Status.PASS) is Status.PASS:
            weaker = _weaker_context(contexts, leaf, op, operator, expected_value,
                                     meanings)
            if weaker is not None and (meaning is not None or _passes(operator, observed,
                                                                      expected_value)):
                return _context_finding(target, fact, seen, expected, weaker)
        if meaning is not None:
            status, said = meaning
            where = locate(target) if status is Status.FAIL else None
            return Finding(target.id, target.kind, status,
                           Text(f"{fact} = {seen.vi}: {said.vi} (yêu cầu: {expected_vi}).",
                               f"{fact} = {seen.en}: {said.en} (required: {expected_en})."),
                           expected, Text(f"{seen.vi} ({said.vi})", f"{seen.en} ({said.en})"),
                           (where,) if where else ())
        try:
            ok = operator.test(observed, expected_value)
        except OperatorTypeError as exc:
            where = locate(target)
            locs = (where,) if where else ()
            return Finding(target.id, target.kind, Status.ERROR,
                           Text(f"{fact}: không so sánh được ({exc}).",
                               f"{fact}: cannot be compared ({exc})."),
                           expected, seen, locs)
        if ok:
            return Finding(target.id, target.kind, Status.PASS,
                           Text(f"{fact} = {seen.vi}, đạt yêu cầu ({expected_vi}).",
                               f"{fact} = {seen.en}, as required ({expected_en})."),
                           expected, seen)
        else:
            where = locate(target)  # located only when reported: locating is not free
            locs = (where,) if where else ()
            return Finding(target.id, target.kind, Status.FAIL,
                           Text(f"{fact} = {seen.vi}; yêu cầu: {expected_vi}.",
                               f"{fact} = {seen.en}; required: {expected_en}."),
                           expected, seen, locs)

    # hosts that share a configuration share a verdict: each distinct value (and where it
    # comes from) is judged once per control, the verdict given to each host it fits, located
    # at that host
    judged: dict[Any, tuple[Finding, bool]] = {}
    for target in fact_targets(ctx, control.target):
        key = _same_verdict(target, check.when, fact, parent_parts, leaf, source_key) \
            if target.kind is TargetKind.HOST else None
        known = judged.get(key) if key is not None else None
        if known is not None:
            proto, located = known
            where = target.where(path) if located else None
            yield Finding(target.id, target.kind, proto.status, proto.message, proto.expected,
                          proto.observed, (where,) if where else ())
            continue
        asked.clear()
        finding = judge(target)
        if key is not None:
            judged[key] = (finding, bool(asked))
        yield finding


def _frozen(value: Any) -> Any:
    """A fact value as a key: itself when it is a plain scalar, else its canonical JSON."""
    if value is None or type(value) in (str, int, float, bool):
        return (type(value).__name__, value)
    if value is MISSING:
        return "MISSING"
    return json.dumps(value, sort_keys=True, default=str)


def _same_verdict(target: FactTarget, when: Mapping[str, Any] | None, fact: str,
                  parent: Sequence[str], leaf: str, source_key: str) -> Any:
    """What a declarative check's verdict on a host depends on: whether its condition holds,
    the value, and where the value comes from (its source, whether it is the default, the
    contexts that may override it)."""
    facts = target.facts
    holds = when is None or _holds(facts, when)
    holder = _holder(facts, parent)
    contexts = holder.get("contexts") if holder is not None else None
    return (holds, _frozen(resolve_fact(facts, fact)), _provenance(holder, leaf, source_key),
            None if contexts is None else _frozen(contexts))


def _run(ctx: CheckContext | NationalContext, control: Control) -> list[Finding]:
    """Run one control; a check that breaks yields `error` results, never stops the audit."""
    try:
        if control.check.named is not None:
            spec = NAMED_CHECKS[control.check.named]
            return spec.fn(ctx, control, spec.arguments(control.check.args))
        assert isinstance(ctx, CheckContext)
        return list(_declarative(ctx, control))
    except Exception as exc:
        target = "national" if control.target is TargetKind.NATIONAL else control.target.value
        return [Finding(target, control.target, Status.ERROR,
                        Text(f"Lỗi khi kiểm tra: {type(exc).__name__}: {exc}",
                             f"The check failed: {type(exc).__name__}: {exc}"))]


def _result(control: Control, clause: Text, finding: Finding,
            severity: Severity | None = None) -> Result:
    return Result(control.id, finding.target, finding.target_kind, finding.status,
                  severity or control.severity, control.area, finding.message,
                  Text.of(finding.expected), Text.of(finding.observed), clause,
                  finding.locations)


def judged_by() -> dict[TargetKind, frozenset[str]]:
    """Per target kind, the evidence kinds whose facts its declarative controls read."""
    out: dict[TargetKind, frozenset[str]] = {}
    for kind in EVIDENCE_KINDS.values():
        if kind.judges is not None:
            out[kind.judges] = out.get(kind.judges, frozenset()) | {kind.name}
    return out


def reads(control: Control,
          judged: Mapping[TargetKind, frozenset[str]] | None = None) -> frozenset[str]:
    """The evidence kinds a control reads, by name: what its named check says, or for a
    declarative check the kind whose facts its target kind's facts are (host facts for a host,
    a device's configuration for a device). `judged`: judged_by(), made once by a caller that
    asks for every control."""
    if control.check.named is not None:
        return NAMED_CHECKS[control.check.named].reads
    return (judged if judged is not None else judged_by()).get(control.target, frozenset())


def evaluate_agency(ctx: CheckContext, controls: Iterable[Control],
                    hosts: bool | None = None) -> list[Result]:
    """The results of the controls that apply to the agency. `hosts`: True, only the controls
    of target kind `host` (on `ctx.judged_hosts`); False, every other one; None, all."""
    out: list[Result] = []
    judged = judged_by()  # once per agency, not once per control
    for control in controls:
        if control.target is TargetKind.NATIONAL:
            continue
        if hosts is not None and (control.target is TargetKind.HOST) is not hosts:
            continue
        # the baseline's, or a profile's judged beside it (internet standards: scored apart)
        cited = ctx.baseline if control.applies(ctx.baseline, ctx.level) \
            else ctx.policy.beside(ctx.baseline, ctx.level, control)
        if cited is None:
            continue
        if not reads(control, judged) <= ctx.found.keys():
            continue  # evidence it reads was not given (validate contacts no host)
        clause = control.clause(cited)
        severity = control.severity_at(cited, ctx.level)
        out.extend(_result(control, clause, f, severity) for f in _run(ctx, control))
    return out


def evaluate_national(ctx: NationalContext, controls: Iterable[Control]) -> list[Result]:
    out: list[Result] = []
    for control in controls:
        if control.target is not TargetKind.NATIONAL:
            continue
        # a national control applies when any of its baselines is in use by the agencies
        used = [b for b in control.baselines if any(a.baseline == b for a in ctx.agencies)]
        clause = control.clause(used[0]) if used else EMPTY
        out.extend(_result(control, clause, f) for f in _run(ctx, control))
    return out

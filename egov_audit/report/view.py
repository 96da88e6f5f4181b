"""The gap report as people read it, shared by every human format (HTML, Markdown, XLSX, CSV):
a cover, a summary per area, the gaps worst first (grouped by control, each with its targets),
the targets that could not be assessed, and the passed controls."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..models import Area, Bundle, ControlInfo, Result, ResultSet, Scores, Severity, Status
from ..times import utc_key
from .common import GAP_STATUSES, label

_STATUS_RANK = {Status.ERROR: 0, Status.FAIL: 1, Status.NOT_ASSESSED: 2}


@dataclass(frozen=True)
class GapTarget:
    target: str
    kind: str
    status: Status
    observed: str
    expected: str
    where: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    control: str
    title: str
    why: str
    fix: str
    role: str | None  # the collection role that fixes it
    owner: str
    form: str
    severity: Severity
    area: Area
    clause: str
    other_clauses: tuple[tuple[str, str], ...]  # (baseline, clause) of the other baselines
    status: Status  # the worst status among its targets
    targets: tuple[GapTarget, ...]
    # whose clause `clause` is: the report's baseline, or a profile judged beside it (not scored)
    cited: str = ""
    beside: bool = False


@dataclass(frozen=True)
class AreaSummary:
    area: Area
    name: str
    score: float | None
    gaps: int
    passed: int


@dataclass(frozen=True)
class Unassessed:
    target: str
    kind: str
    status: str
    reason: str


@dataclass(frozen=True)
class Passed:
    control: str
    title: str
    targets: int


@dataclass(frozen=True)
class AgencyView:
    code: str
    name: str
    kind: str
    baseline: str
    level: int | None
    generated: str
    tool_version: str
    policy: str
    scores: Scores
    notices: tuple[str, ...]
    areas: tuple[AreaSummary, ...]
    gaps: tuple[Gap, ...]
    unassessed: tuple[Unassessed, ...]
    passed: tuple[Passed, ...]
    severity_counts: dict[str, int]
    host_failures: tuple[tuple[str, int], ...]  # hosts with the most failed controls

    @property
    def national(self) -> bool:
        return self.kind == "national"


def _gaps(results: Sequence[Result], controls: dict[str, ControlInfo], lang: str,
          baseline: str) -> list[Gap]:
    by_control: dict[str, list[Result]] = {}
    for r in results:
        if r.status in GAP_STATUSES:
            by_control.setdefault(r.control, []).append(r)
    gaps: list[Gap] = []
    for control, items in by_control.items():
        items.sort(key=lambda r: (_STATUS_RANK[r.status], r.target))
        info = controls.get(control)
        first = items[0]
        beside = info is not None and bool(baseline) and baseline not in info.clauses
        cited = next(iter(sorted(info.clauses)), baseline) if info and beside else baseline
        gaps.append(Gap(
            control=control, title=info.title.get(lang) if info else control,
            why=info.description.get(lang) if info else "",
            fix=info.remediation.get(lang) if info else "",
            role=info.remediation_role if info else None,
            owner=info.owner.get(lang) if info and info.owner else "",
            form=info.form.get(lang) if info and info.form else "",
            severity=first.severity, area=first.area, clause=first.clause.get(lang),
            other_clauses=tuple((b, t.get(lang)) for b, t in sorted(info.clauses.items())
                                if b not in (baseline, cited)) if info else (),
            cited=cited, beside=beside,
            status=first.status,
            targets=tuple(GapTarget(r.target, r.target_kind.value, r.status,
                                    r.observed.get(lang) or r.message.get(lang),
                                    r.expected.get(lang),
                                    tuple(str(loc) for loc in r.locations[:5]))
                          for r in items)))
    gaps.sort(key=lambda g: (-g.severity.rank, _STATUS_RANK[g.status], -len(g.targets),
                             g.control))
    return gaps


def _view(code: str, name: str, kind: str, baseline: str, level: int | None, generated: str,
          tool: str, policy: str, scores: Scores, notices: tuple[str, ...],
          results: Sequence[Result], controls: dict[str, ControlInfo],
          unassessed: tuple[Unassessed, ...], lang: str) -> AgencyView:
    gaps = _gaps(results, controls, lang, baseline)
    areas = tuple(
        AreaSummary(area, label("area." + area.value, lang), scores.by_area.get(area.value),
                    sum(1 for g in gaps if g.area is area),
                    len({r.control for r in results if r.area is area
                         and r.status is Status.PASS}))
        for area in Area if any(r.area is area for r in results))
    failing_controls = {r.control for r in results if r.status in GAP_STATUSES}
    passed = sorted({r.control for r in results if r.status is Status.PASS} - failing_controls)
    pass_counts = Counter(r.control for r in results if r.status is Status.PASS)
    severity_counts = {s.value: sum(1 for g in gaps if g.severity is s
                                    and g.status is not Status.NOT_ASSESSED)
                       for s in Severity}
    host_fail = Counter(r.target for r in results
                        if r.target_kind.value == "host" and r.status is Status.FAIL)
    return AgencyView(
        code=code, name=name, kind=kind, baseline=baseline, level=level, generated=generated,
        tool_version=tool, policy=policy, scores=scores, notices=notices, areas=areas,
        gaps=tuple(gaps), unassessed=unassessed,
        passed=tuple(Passed(c, controls[c].title.get(lang) if c in controls else c,
                            pass_counts[c]) for c in passed),
        severity_counts=severity_counts,
        host_failures=tuple(host_fail.most_common(20)))


def bundle_view(bundle: Bundle, lang: str) -> AgencyView:
    unassessed = tuple(Unassessed(t.id, label(f"target_kind.{t.kind.value}", lang),
                                  label(f"target.{t.status.value}", lang), t.reason)
                       for t in bundle.targets if t.status.value != "assessed")
    return _view(bundle.agency.code, bundle.agency.name.get(lang), bundle.agency.kind,
                 bundle.baseline, bundle.level, bundle.finished_at, bundle.tool_version,
                 f"{bundle.policy_version} ({bundle.policy_digest[:19]}…)", bundle.scores,
                 tuple(n.get(lang) for n in bundle.notices), bundle.results,
                 dict(bundle.controls), unassessed, lang)


def views(result_set: ResultSet, lang: str) -> list[AgencyView]:
    out = [bundle_view(b, lang) for b in result_set.bundles]
    national = result_set.national
    if national is not None:
        # the latest instant, not the largest text (offsets differ between agencies)
        generated = max((b.finished_at for b in result_set.bundles), key=utc_key, default="")
        # the national checks ran with the agencies' options: their notices hold for it too
        notices = tuple(dict.fromkeys(n.get(lang) for b in result_set.bundles
                                      for n in b.notices))
        out.append(_view("national", label("national", lang), "national", "", None,
                         generated, result_set.bundles[0].tool_version if result_set.bundles
                         else "", "", national.scores, notices, national.results,
                         dict(national.controls), (), lang))
    return out


def gap_rows(view: AgencyView, lang: str) -> list[list[str]]:
    """One row per gap target (CSV, XLSX), in the report's language: agency, control, title,
    severity, area, status, target, observed, expected, clause, where, fix, notice (the
    report's notices, such as the demo warning, on every row of the agency they concern: a
    filtered or copied row keeps it), scored (no: a profile's, judged beside the baseline)."""
    notice = " ".join(view.notices)
    rows = []
    for gap in view.gaps:
        severity = label(f"severity.{gap.severity.value}", lang)
        area = label(f"area.{gap.area.value}", lang)
        for t in gap.targets:
            rows.append([view.code, gap.control, gap.title, severity, area,
                         label(f"status.{t.status.value}", lang), t.target, t.observed,
                         t.expected, gap.clause, "; ".join(t.where), gap.fix, notice,
                         label("no" if gap.beside else "yes", lang)])
    return rows


GAP_COLUMNS = ("agency", "control", "title", "severity", "area", "status", "target", "observed",
               "expected", "clause", "where", "fix", "notice", "scored")

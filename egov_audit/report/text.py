"""The terminal gap report: grouped by area, worst first, each gap with expected vs observed,
the clause, where it is declared and what to do."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence

from ..models import (
    Area,
    Bundle,
    ControlInfo,
    Result,
    ResultSet,
    Scores,
    Severity,
    Status,
    TargetStatus,
)
from ..readiness import readiness
from .common import fmt_score, gaps_worst_first, label, terminal
from .interface import ReportOptions, reporter

_SEVERITY_COLOR = {Severity.CRITICAL: "magenta", Severity.HIGH: "red",
                   Severity.MEDIUM: "yellow", Severity.LOW: "cyan"}
_WIDTH = 100


class TextReporter:

    def render(self, result_set: ResultSet, options: ReportOptions) -> str:
        lines: list[str] = []
        for bundle in result_set.bundles:
            lines.extend(_bundle(bundle, options))
            lines.append("")
        if result_set.national is not None:
            lines.extend(_national(result_set, options))
        if len(result_set.bundles) > 1:
            lines.extend(_summary(result_set, options))
        return "\n".join(lines).rstrip() + "\n"


def _styler(options: ReportOptions) -> Callable[..., str]:
    if not options.color:
        return lambda text, **_: text
    # click styles only a coloured terminal report (reports render without the CLI)
    import click

    return click.style


def _bar(value: float | None, width: int = 20) -> str:
    if value is None:
        return "·" * width
    filled = round(value / 100 * width)
    return "█" * filled + "░" * (width - filled)


def _scores(scores: Scores, lang: str, style: Callable[..., str]) -> list[str]:
    overall = fmt_score(scores.overall, lang)
    coverage = f"{scores.coverage * 100:.0f}%" if scores.coverage is not None else "-"
    out = [style(f"{label('score', lang)}: {overall}/100", bold=True) +
           f"   {label('coverage', lang)}: {coverage}"]
    if scores.counts.get("waived"):
        out[0] += (f"   {label('col.without_waivers', lang)}: "
                   f"{fmt_score(scores.overall_without_waivers, lang)}")
    for area in Area:
        value = scores.by_area.get(area.value)
        out.append(f"  {label('area.' + area.value, lang):<22} {_bar(value)} "
                   f"{fmt_score(value, lang)}")
    counts = scores.counts
    out.append(f"{label('results', lang)}: " + " · ".join(
        f"{counts.get(s.value, 0)} {label('status.' + s.value, lang)}" for s in Status
        if counts.get(s.value, 0)))
    if scores.beside_counts:  # a profile's controls, scored apart
        beside = scores.beside_counts
        out.append(f"{label('beside', lang)}: {fmt_score(scores.beside, lang)}/100 (" + " · ".join(
            f"{beside.get(s.value, 0)} {label('status.' + s.value, lang)}" for s in Status
            if beside.get(s.value, 0)) + ")")
    return out


def _wrap(prefix: str, text: str, indent: int) -> list[str]:
    return textwrap.wrap(terminal(text), width=_WIDTH, initial_indent=prefix,
                         subsequent_indent=" " * indent, break_on_hyphens=False,
                         break_long_words=False) or [prefix]


def _gap(result: Result, info: ControlInfo | None, lang: str,
         style: Callable[..., str], baseline: str | None = None) -> list[str]:
    sev = label("severity." + result.severity.value, lang)
    status = "" if result.status is Status.FAIL else f" ({label('status.' + result.status, lang)})"
    if baseline and info and baseline not in info.clauses:  # a profile's: not in the score
        status += f" [{label('beside.short', lang)}]"
    title = info.title.get(lang) if info else ""
    head = f" {style(f'[{sev}]', fg=_SEVERITY_COLOR[result.severity], bold=True)} " \
        f"{style(terminal(result.control), bold=True)} {terminal(result.target)}{status} — " \
        f"{terminal(title)}"
    out = [head]
    pad = 6
    out += _wrap(" " * pad, result.message.get(lang), pad)
    if result.observed:
        out += _wrap(f"{' ' * pad}{label('observed', lang)}: ", result.observed.get(lang), pad + 4)
    if result.expected:
        out += _wrap(f"{' ' * pad}{label('expected', lang)}: ", result.expected.get(lang), pad + 4)
    if result.clause:
        out += _wrap(f"{' ' * pad}{label('clause', lang)}: ", result.clause.get(lang), pad + 4)
    if result.locations:
        shown = ", ".join(str(loc) for loc in result.locations[:4])
        if len(result.locations) > 4:
            shown += f", … (+{len(result.locations) - 4})"
        out += _wrap(f"{' ' * pad}{label('where', lang)}: ", shown, pad + 4)
    if info:
        out += _wrap(f"{' ' * pad}{label('fix', lang)}: ", info.remediation.get(lang), pad + 4)
        if info.remediation_role:
            out.append(f"{' ' * pad}{label('role', lang)}: "
                       f"{terminal(info.remediation_role)}")
        else:  # a person closes it: who, and through which form or procedure
            if info.owner:
                out += _wrap(f"{' ' * pad}{label('col.owner', lang)}: ", info.owner.get(lang),
                             pad + 4)
            if info.form:
                out += _wrap(f"{' ' * pad}{label('col.form', lang)}: ", info.form.get(lang),
                             pad + 4)
    return out


def _gaps_by_area(results: Sequence[Result], controls: Mapping[str, ControlInfo], lang: str,
                  scores: Scores | None, style: Callable[..., str],
                  baseline: str | None = None) -> list[str]:
    out: list[str] = []
    for area in Area:
        in_area = [r for r in results if r.area is area]
        if not in_area:
            continue
        gaps = gaps_worst_first(in_area)
        passed = sum(1 for r in in_area if r.status is Status.PASS)
        score = f" · {fmt_score(scores.by_area.get(area.value), lang)}" if scores else ""
        out.append("")
        out.append(style(f"== {label('area.' + area.value, lang)}{score} — {len(gaps)} "
                         f"{label('gaps', lang)}, {passed} {label('status.pass', lang)} ==",
                         bold=True))
        if not gaps:
            out.append(f" {label('no_gaps', lang)}")
        for result in gaps:
            out.extend(_gap(result, controls.get(result.control), lang, style, baseline))
    return out


def _bundle(bundle: Bundle, options: ReportOptions) -> list[str]:
    lang, style = options.lang, _styler(options)
    agency = bundle.agency
    out = [style(f"egov-audit · {label('title', lang)}", bold=True),
           f"{label('agency', lang)}: {terminal(agency.name.get(lang))} ({terminal(agency.code)}, "
           f"{label('kind.' + agency.kind, lang)})",
           f"{label('baseline', lang)}: {terminal(bundle.baseline)} · {label('level', lang)} "
           f"{bundle.level} · {label('policy', lang)} {terminal(bundle.policy_version)} "
           f"({terminal(bundle.policy_digest[:19])}…) · {terminal(bundle.finished_at)}"]
    if bundle.inventory:
        out.append(f"{label('inventory', lang)}: {terminal(bundle.inventory)}")
    for notice in bundle.notices:
        out.append(style(f"!! {terminal(notice.get(lang))}", fg="yellow", bold=True))
    out.append("")
    out.extend(_scores(bundle.scores, lang, style))
    out.extend(_unassessed(bundle, lang, style))
    out.extend(_gaps_by_area(bundle.results, bundle.controls, lang, bundle.scores, style,
                             bundle.baseline))
    return out


def _unassessed(bundle: Bundle, lang: str, style: Callable[..., str]) -> list[str]:
    """The targets the score does not cover (unreachable, collection failed), with why."""
    missing = [t for t in bundle.targets if t.status is not TargetStatus.ASSESSED]
    if not missing:
        return []
    out = ["", style(f"== {label('html.unassessed', lang)}: {len(missing)} ==", fg="yellow",
                     bold=True), f" {label('html.unassessed_note', lang)}"]
    for target in missing:
        out.append(f" - {terminal(target.id)} ({label('target_kind.' + target.kind.value, lang)}, "
                   f"{label('target.' + target.status.value, lang)}):"
                   f" {terminal(target.reason)}")
    return out


def _national(result_set: ResultSet, options: ReportOptions) -> list[str]:
    national = result_set.national
    assert national is not None
    lang, style = options.lang, _styler(options)
    out = [style(f"egov-audit · {label('national', lang)}", bold=True),
           f"{label('agency', lang)}: {', '.join(terminal(a) for a in national.agencies)}", ""]
    out.extend(_scores(national.scores, lang, style))
    out.extend(_gaps_by_area(national.results, national.controls, lang, None, style))
    out.append("")
    return out


def _summary(result_set: ResultSet, options: ReportOptions) -> list[str]:
    lang, style = options.lang, _styler(options)
    columns = [label("score", lang)] + [label("area." + a.value, lang) for a in Area]
    widths = [max(len(c), 6) for c in columns]
    out = [style(f"== {label('summary', lang)} ==", bold=True)]
    out.append(f" {label('agency', lang):<24} {label('level', lang):>6} "
               + " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)))
    ready = {id(b): readiness((r.control, r.target, r.status.value) for r in b.results)
             for b in result_set.bundles}
    probed = any(r.portals for r in ready.values())
    if probed:  # the inspectors' portal questions, when portals were probed
        out[-1] += f"  {label('national.portals', lang)}"
    for bundle in sorted(result_set.bundles, key=lambda b: (b.scores.overall or 0)):
        values = [bundle.scores.overall] + [bundle.scores.by_area.get(a.value) for a in Area]
        out.append(f" {terminal(bundle.agency.code):<24} {bundle.level:>6} "
                   + " ".join(f"{fmt_score(v, lang):>{w}}"
                              for v, w in zip(values, widths, strict=True))
                   + (f"  {ready[id(bundle)].shown()}" if probed else ""))
    return out


reporter("gaps", "text")(TextReporter().render)

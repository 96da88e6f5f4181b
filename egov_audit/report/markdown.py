"""The gap report in Markdown, for tickets and wikis: the same structure as the HTML report."""

from __future__ import annotations

from ..gates.sanitize import markdown as md
from ..models import ResultSet
from .common import fmt_score, label
from .interface import ReportOptions, reporter
from .view import AgencyView, views

__all__ = ["MarkdownReporter", "md"]


def _agency(v: AgencyView, lang: str) -> list[str]:
    out = [f"# {label('title', lang)}: {md(v.name)}", ""]
    if v.baseline:
        out.append(f"- **{label('agency', lang)}:** {md(v.name)} ({md(v.code)}, "
                   f"{label('kind.' + v.kind, lang)})")
        out.append(f"- **{label('baseline', lang)}:** {md(v.baseline)} · "
                   f"**{label('level', lang)}** {v.level}")
    out.append(f"- **{label('generated', lang)}:** {md(v.generated)} · egov-audit "
               f"{md(v.tool_version)}" + (f" · {label('policy', lang)} {md(v.policy)}"
                                          if v.policy else ""))
    coverage = f"{v.scores.coverage * 100:.0f}%" if v.scores.coverage is not None else "-"
    out.append(f"- **{label('score', lang)}: {fmt_score(v.scores.overall, lang)}/100** · "
               f"{label('coverage', lang)}: {coverage}")
    if v.scores.beside_counts:
        out.append(f"- **{label('beside', lang)}:** {fmt_score(v.scores.beside, lang)}/100")
    out += [f"> **⚠ {md(n)}**" for n in v.notices]
    out += ["", f"| {label('col.area', lang)} | {label('col.score', lang)} | "
                f"{label('gaps', lang)} |", "| --- | ---: | ---: |"]
    out += [f"| {md(a.name)} | {fmt_score(a.score, lang)} | {a.gaps} |" for a in v.areas]
    if v.unassessed:
        out += ["", f"## ⚠ {label('html.unassessed', lang)}: {len(v.unassessed)}", "",
                label("html.unassessed_note", lang), "",
                f"| {label('col.target', lang)} | {label('col.kind', lang)} | "
                f"{label('col.status', lang)} | {label('col.reason', lang)} |",
                "| --- | --- | --- | --- |"]
        out += [f"| {md(u.target)} | {md(u.kind)} | {md(u.status)} | {md(u.reason, 300)} |"
                for u in v.unassessed]
    out += ["", f"## {label('html.gaps_title', lang)} ({len(v.gaps)})"]
    for g in v.gaps:
        beside = f" ({label('beside.short', lang)})" if g.beside else ""
        out += ["", f"### [{label('severity.' + g.severity.value, lang)}] {md(g.control)} — "
                    f"{md(g.title)}{beside}", "",
                f"- **{label('col.area', lang)}:** {label('area.' + g.area.value, lang)}",
                f"- **{label('col.clause', lang)}:** {md(g.cited or v.baseline)}: {md(g.clause)}"
                + "".join(f"; {md(b)}: {md(c)}" for b, c in g.other_clauses),
                f"- **{label('html.why', lang)}:** {md(g.why)}",
                f"- **{label('col.fix', lang)}:** {md(g.fix)}"
                + (f" (`{md(g.role)}`)" if g.role else ""),
                *([f"- **{label('col.owner', lang)}:** {md(g.owner)}"] if g.owner else []),
                *([f"- **{label('col.form', lang)}:** {md(g.form)}"] if g.form else []), "",
                f"| {label('col.target', lang)} | {label('col.status', lang)} | "
                f"{label('col.observed', lang)} | {label('col.expected', lang)} | "
                f"{label('col.where', lang)} |", "| --- | --- | --- | --- | --- |"]
        out += [f"| {md(t.target)} | {label('status.' + t.status.value, lang)} | "
                f"{md(t.observed, 300)} | {md(t.expected, 200)} | {md(', '.join(t.where))} |"
                for t in g.targets]
    out += ["", f"## {label('html.passed', lang)} ({len(v.passed)})", ""]
    out += [f"- **{md(p.control)}** {md(p.title)} ({p.targets})" for p in v.passed] or \
        [label("html.none", lang)]
    return out


class MarkdownReporter:

    def render(self, result_set: ResultSet, options: ReportOptions) -> str:
        lines: list[str] = []
        for view in views(result_set, options.lang):
            lines += [*_agency(view, options.lang), "", "---", ""]
        return "\n".join(lines[:-3]) + "\n"


reporter("gaps", "markdown")(MarkdownReporter().render)

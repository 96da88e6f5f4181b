"""The HTML gap report: one self-contained file (no external script, font or style: agency
networks are often offline), charts as inline SVG, filters and search that work without a
network, printable. Everything from a host or an inventory is escaped (Jinja2 autoescape), and a
Content-Security-Policy lets only our own script run."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from ..gates.sanitize import html, html_environment, html_json
from ..models import Area, ResultSet, Severity, Status
from .common import fmt_score, label
from .interface import ReportOptions, reporter
from .view import AgencyView, GapTarget, views

_COLORS = {"critical": "#7b1fa2", "high": "#c62828", "medium": "#ef6c00", "low": "#0277bd"}


def _bars(items: Sequence[tuple[str, float, str]], maximum: float, unit: str = "") -> str:
    """A horizontal bar chart as inline SVG: (label, value, colour)."""
    if not items:
        return ""
    row, width, label_w = 22, 360, 140
    height = row * len(items) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
             f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">']
    for i, (text, value, colour) in enumerate(items):
        y = i * row + 2
        bar = 0 if maximum <= 0 else (width - label_w - 50) * min(value, maximum) / maximum
        shown = html(text if len(text) <= 22 else text[:21] + "…")
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{shown}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="15" '
                     f'fill="{colour}" rx="2"/>'
                     f'<text x="{label_w + bar + 4:.1f}" y="{y + 15}" font-size="12">'
                     f'{value:g}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _score_colour(score: float | None) -> str:
    if score is None:
        return "#9e9e9e"
    return "#2e7d32" if score >= 80 else "#ef6c00" if score >= 50 else "#c62828"


# a gap's table with more rows than this is folded (<details>) and filled in when opened
OPEN_ROWS = 12


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _row(target: GapTarget) -> tuple[str, str, str, str, str]:
    """One row of a gap's table: target, status, observed, expected, where."""
    return (target.target, target.status.value, _shorten(target.observed, 600),
            _shorten(target.expected, 300), ", ".join(target.where))


def _agency(view: AgencyView, lang: str) -> dict[str, Any]:
    # MarkupSafe: only for HTML
    from markupsafe import Markup

    scores = view.scores
    return {
        "name": view.name, "code": view.code, "kind_label": label(f"kind.{view.kind}", lang),
        "baseline": view.baseline, "level": view.level, "generated": view.generated,
        "tool_version": view.tool_version, "policy": view.policy, "notices": view.notices,
        "overall": fmt_score(scores.overall, lang),
        "coverage": f"{scores.coverage * 100:.0f}%" if scores.coverage is not None else "-",
        "waived": scores.counts.get("waived", 0),
        "beside": fmt_score(scores.beside, lang) if scores.beside_counts else None,
        "unassessed": view.unassessed,
        "areas": [{"name": a.name, "score_text": fmt_score(a.score, lang), "gaps": a.gaps}
                  for a in view.areas],
        "chart_areas": Markup(_bars([(a.name, round(a.score or 0, 1), _score_colour(a.score))
                                     for a in view.areas], 100)),
        "chart_severity": Markup(_bars(
            [(label(f"severity.{s.value}", lang), view.severity_counts.get(s.value, 0),
              _COLORS[s.value]) for s in reversed(Severity)],
            max([1, *view.severity_counts.values()]))),
        "chart_hosts": Markup(_bars([(h, n, "#c62828") for h, n in view.host_failures[:12]],
                                    max([1, *(n for _, n in view.host_failures)])))
        if view.host_failures else "",
        "gaps": [{"control": g.control, "title": g.title, "why": g.why, "fix": g.fix,
                  "role": g.role, "owner": g.owner, "form": g.form,
                  "severity": g.severity, "area": g.area,
                  "clause": g.clause, "other_clauses": g.other_clauses, "status": g.status,
                  "cited": g.cited, "beside": g.beside,
                  "targets": g.targets if len(g.targets) <= OPEN_ROWS else (),
                  # a long table's rows as data, filled in when it is opened (or printed):
                  # tens of thousands of rows would otherwise be built into the page at once
                  "rows": len(g.targets),
                  "rows_json": Markup(html_json([_row(t) for t in g.targets]))
                  if len(g.targets) > OPEN_ROWS else "",
                  "severity_label": label(f"severity.{g.severity.value}", lang),
                  "area_label": label(f"area.{g.area.value}", lang)} for g in view.gaps],
        "passed": view.passed,
    }


class HtmlReporter:

    def render(self, result_set: ResultSet, options: ReportOptions) -> str:
        # MarkupSafe: only for HTML
        from markupsafe import Markup

        lang = options.lang
        env = html_environment(trim_blocks=True, lstrip_blocks=True)
        keys = ("title", "baseline", "level", "generated", "policy", "score", "coverage", "gaps",
                "no_gaps")
        labels = {k: label(k, lang) for k in keys}
        labels.update({k: label(f"html.{k}", lang) for k in (
            "filter", "all", "search", "why", "unassessed", "unassessed_note", "by_area",
            "by_severity", "by_host", "tool", "waived", "gap_targets", "none", "shown")})
        labels.update({f"col_{k}": label(f"col.{k}", lang) for k in (
            "target", "kind", "status", "reason", "area", "clause", "fix", "observed",
            "expected", "where", "owner", "form")})
        labels.update({"area": label("col.area", lang), "severity": label("col.severity", lang),
                       "status": label("col.status", lang),
                       "gaps_title": label("html.gaps_title", lang),
                       "passed_title": label("html.passed", lang),
                       "beside": label("beside", lang),
                       "beside_short": label("beside.short", lang)})
        template = env.get_template("report.html.j2")
        return template.render(
            lang=lang, nonce=options.nonce or secrets.token_urlsafe(16), L=labels,
            views=[_agency(v, lang) for v in views(result_set, lang)],
            areas=[{"value": a.value, "label": label(f"area.{a.value}", lang)} for a in Area],
            severities=[{"value": s.value, "label": label(f"severity.{s.value}", lang)}
                        for s in reversed(Severity)],
            statuses=[{"value": s.value, "label": label(f"status.{s.value}", lang)}
                      for s in (Status.FAIL, Status.ERROR, Status.NOT_ASSESSED)],
            status_labels={s.value: label(f"status.{s.value}", lang) for s in Status},
            status_labels_json=Markup(html_json([[s.value, label(f"status.{s.value}", lang)]
                                                 for s in Status])),
            row=_row)


reporter("gaps", "html")(HtmlReporter().render)

"""National questions as inspectors read them: one control across the nation (the agencies
failing it, its pass rate month by month, nationally or per region) and one agency's history.
text, json, csv."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..gates.sanitize import cell_text, terminal
from ..models import Text
from .common import label, shown_number
from .interface import Render, ReportOptions, reporter


@dataclass(frozen=True)
class ControlNationally:
    control: str
    title: Text | None
    failing: Sequence[dict[str, Any]]
    rates: Sequence[dict[str, Any]]


@dataclass(frozen=True)
class AgencyHistory:
    agency: str
    submissions: Sequence[dict[str, Any]]


def _table(columns: list[str], rows: list[list[Any]], lang: str) -> list[str]:
    cells = [[terminal(shown_number(c, lang)) for c in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in [columns, *cells]]


def _csv(sections: Sequence[tuple[list[str], list[list[Any]]]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, (columns, rows) in enumerate(sections):
        if index:
            writer.writerow([])
        writer.writerow(columns)
        writer.writerows([[cell_text(c) for c in row] for row in rows])
    return "\ufeff" + buffer.getvalue()


def _control_sections(data: ControlNationally, lang: str
                      ) -> tuple[tuple[list[str], list[list[Any]]], ...]:
    failing = ([label("col.code", lang), label("agency", lang), label("col.region", lang),
                label("question.failing", lang), label("question.judged", lang),
                label("col.date", lang)],
               [[r["code"], r["name_vi"] if lang == "vi" else r["name_en"], r["region"] or "-",
                 r["failing"], r["judged"], r["date"]] for r in data.failing])
    rates = ([label("col.month", lang), label("col.region", lang),
              label("national.agencies", lang), label("question.passed", lang),
              label("question.judged", lang), label("question.rate", lang)],
             [[r["month"], r["region"] or "-", r["agencies"], r["passed"], r["judged"],
               r["rate"]] for r in data.rates])
    return failing, rates


def _render_control(fmt: str) -> Render:
    def render(data: ControlNationally, options: ReportOptions) -> str:
        lang = options.lang
        if fmt == "json":
            return json.dumps({"schema": "egov-audit/control-nationally@1",
                               "control": data.control,
                               "title": data.title.to_dict() if data.title else None,
                               "failing": list(data.failing), "pass_rate": list(data.rates)},
                              ensure_ascii=False, indent=2) + "\n"
        failing, rates = _control_sections(data, lang)
        if fmt == "csv":
            return _csv((failing, rates))
        title = f" · {data.title.get(lang)}" if data.title else ""
        lines = [f"== {terminal(data.control)}{terminal(title)}: "
                 f"{label('question.failing_agencies', lang)} ({len(data.failing)}) =="]
        lines += _table(*failing, lang) if data.failing else [label("html.none", lang)]
        lines += ["", f"== {label('question.pass_rate', lang)} =="]
        lines += _table(*rates, lang) if data.rates else [label("html.none", lang)]
        return "\n".join(lines) + "\n"
    return render


def _render_history(fmt: str) -> Render:
    def render(data: AgencyHistory, options: ReportOptions) -> str:
        lang = options.lang
        if fmt == "json":
            return json.dumps({"schema": "egov-audit/agency-history@1", "agency": data.agency,
                               "submissions": list(data.submissions)},
                              ensure_ascii=False, indent=2) + "\n"
        columns = [label("col.date", lang), label("col.baseline", lang),
                   label("col.level", lang), label("col.score", lang),
                   *(label(f"area.{a}", lang) for a in ("infrastructure", "ip_addressing",
                                                        "security")),
                   label("col.coverage", lang), label("question.hosts", lang),
                   label("question.gaps", lang)]
        rows = [[s["finished_at"], s["baseline"], s["level"], s["overall"], s["infrastructure"],
                 s["ip_addressing"], s["security"],
                 None if s["coverage"] is None else round(100 * s["coverage"]), s["hosts"],
                 s["gaps"]] for s in data.submissions]
        if fmt == "csv":
            return _csv(((columns, rows),))
        head = f"== {terminal(data.agency)}: {label('question.history', lang)} " \
               f"({len(rows)}) =="
        return "\n".join([head, *(_table(columns, rows, lang) if rows else
                                  [label("html.none", lang)])]) + "\n"
    return render


for _format in ("text", "json", "csv"):
    reporter("control", _format)(_render_control(_format))
    reporter("history", _format)(_render_history(_format))

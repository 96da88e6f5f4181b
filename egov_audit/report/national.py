"""The national table for inspectors: each agency's latest scores with their trend, and the gaps
most common across agencies. text, json, csv, xlsx, html."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..gates.sanitize import cell, cell_text, html, terminal
from .common import LABELS, label
from .interface import Render, ReportOptions

_AREAS = ("infrastructure", "ip_addressing", "security")


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _trend(value: Any) -> str:
    return "-" if value is None else f"{value:+.1f}"


def _columns(lang: str) -> list[str]:
    return [label("col.agency", lang), label("agency", lang), label("national.kind", lang),
            label("col.level", lang), label("col.baseline", lang), label("col.score", lang),
            *(label(f"area.{a}", lang) for a in _AREAS), label("col.coverage", lang),
            label("national.trend", lang), label("col.date", lang)]


def _values(r: dict[str, Any], lang: str) -> list[Any]:
    """One agency's row with numbers as numbers (spreadsheets sort and filter them)."""
    name = r["name_vi"] if lang == "vi" else r["name_en"]
    coverage = None if r["coverage"] is None else round(r["coverage"] * 100)
    return [r["code"], name, label(f"kind.{r['kind']}", lang), r["level"], r["baseline"],
            r["overall"], *(r[a] for a in _AREAS), coverage, r["trend"], r["date"]]


def _row(r: dict[str, Any], lang: str) -> list[str]:
    """The same row as display text."""
    values = _values(r, lang)
    coverage = values[-3]
    return [str(v) for v in values[:5]] + [_fmt(v) for v in values[5:9]] + [
        "-" if coverage is None else f"{coverage}%", _trend(values[-2]), str(values[-1])]


@dataclass(frozen=True)
class NationalTable:
    """The national table as the store answers it: one row per agency, the most common gaps."""

    agencies: Sequence[dict[str, Any]]
    common_gaps: Sequence[dict[str, Any]]


def render_national(table: Sequence[dict[str, Any]], gaps: Sequence[dict[str, Any]], fmt: str,
                    lang: str) -> str | bytes:
    if fmt == "json":
        return json.dumps({"schema": "egov-audit/national-table@1", "agencies": list(table),
                           "common_gaps": list(gaps)}, ensure_ascii=False, indent=2) + "\n"
    columns = _columns(lang)
    rows = [_row(r, lang) for r in table]
    gap_columns = [label("col.control", lang), label("col.severity", lang),
                   label("col.area", lang), label("national.agencies", lang),
                   label("col.count", lang)]
    gap_rows = [[g["control"], label(f"severity.{g['severity']}", lang),
                 label(f"area.{g['area']}", lang), str(g["agencies"]), str(g["targets"])]
                for g in gaps]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([[cell_text(c) for c in _values(r, lang)] for r in table])
        return "\ufeff" + buffer.getvalue()
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        numbers = [_values(r, lang) for r in table]
        for title, head, body in ((label("sheet.scores", lang), columns, numbers),
                                  (label("sheet.gaps", lang), gap_columns, gap_rows)):
            ws = book.create_sheet(title)
            ws.freeze_panes = "A2"
            ws.append(head)
            for row in body:
                ws.append([cell(c) for c in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    if fmt == "html":
        def table_html(head: list[str], body: list[list[str]]) -> str:
            return ("<table><tr>" + "".join(f"<th>{html(h)}</th>" for h in head) + "</tr>"
                    + "".join("<tr>" + "".join(f"<td>{html(c)}</td>" for c in row) + "</tr>"
                              for row in body) + "</table>")
        title = LABELS["summary"].get(lang)
        return ("<!DOCTYPE html><html><head><meta charset='utf-8'><meta http-equiv="
                "'Content-Security-Policy' content=\"default-src 'none'; style-src "
                "'unsafe-inline'\"><title>egov-audit</title><style>body{font-family:'Noto Sans',"
                "'DejaVu Sans',Arial,sans-serif;margin:24px}table{border-collapse:collapse}"
                "td,th{border:1px solid #ccc;padding:4px 8px}th{background:#edf2f7}</style>"
                f"</head><body><h1>egov-audit · {html(title)}</h1>"
                + table_html(columns, rows) + f"<h2>{html(label('national.common_gaps', lang))}"
                "</h2>" + table_html(gap_columns, gap_rows) + "</body></html>\n")
    rows = [[terminal(c) for c in row] for row in rows]
    gap_rows = [[terminal(c) for c in row] for row in gap_rows]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c)
              for i, c in enumerate(columns)]
    widths[1] = min(widths[1], 36)
    lines = ["  ".join(c.ljust(w)[:w] for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(c.ljust(w)[:w] for c, w in zip(r, widths, strict=True))
              for r in rows]
    lines += ["", f"== {label('national.common_gaps', lang)} =="]
    lines += [f"  {g[0]:<16} {g[1]:<14} {g[2]:<18} {g[3]:>5} {g[4]:>7}" for g in gap_rows]
    return "\n".join(lines) + "\n"


def _national(fmt: str) -> Render:
    def render(data: NationalTable, options: ReportOptions) -> str | bytes:
        return render_national(data.agencies, data.common_gaps, fmt, options.lang)
    return render


NATIONAL_RENDERERS: dict[str, Render] = {
    fmt: _national(fmt) for fmt in ("text", "json", "csv", "xlsx", "html")}

"""The national table for inspectors: each agency's latest scores with their trend, and the gaps
most common across agencies. text, json, csv, xlsx, html."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..gates.sanitize import cell, cell_text, html, terminal
from ..models import Text
from ..readiness import from_row
from .common import LABELS, label, shown_number
from .interface import Render, ReportOptions, reporter

_AREAS = ("infrastructure", "ip_addressing", "security")


def _trend(value: Any) -> str:
    return "-" if value is None else f"{value:+.1f}"


def _columns(lang: str) -> list[str]:
    return [label("col.code", lang), label("agency", lang), label("national.kind", lang),
            label("col.level", lang), label("col.baseline", lang), label("col.score", lang),
            *(label(f"area.{a}", lang) for a in _AREAS), label("col.coverage", lang),
            label("national.portals", lang), label("national.beside", lang),
            label("national.trend", lang), label("col.date", lang)]


def _values(r: dict[str, Any], lang: str) -> list[Any]:
    """One agency's row with numbers as numbers (spreadsheets sort and filter them)."""
    name = r["name_vi"] if lang == "vi" else r["name_en"]
    coverage = None if r["coverage"] is None else round(r["coverage"] * 100)
    return [r["code"], name, label(f"kind.{r['kind']}", lang), r["level"], r["baseline"],
            r["overall"], *(r[a] for a in _AREAS), coverage, from_row(r).shown(),
            r.get("beside"), r["trend"], r["date"]]


def _row(r: dict[str, Any], lang: str) -> list[str]:
    """The same row as display text."""
    values = _values(r, lang)
    coverage, portals, beside, trend, date = values[-5:]
    return [str(v) for v in values[:5]] + [shown_number(v, lang) for v in values[5:9]] + [
        "-" if coverage is None else f"{coverage}%", str(portals), shown_number(beside, lang),
        _trend(trend), str(date)]


@dataclass(frozen=True)
class NationalTable:
    """The national table as the store answers it: one row per agency, the most common gaps;
    `titles` names each control in both languages (from the catalogue), so a gap is read as
    words, not an identifier."""

    agencies: Sequence[dict[str, Any]]
    common_gaps: Sequence[dict[str, Any]]
    titles: Mapping[str, Text] = field(default_factory=dict)


def _gap_values(g: dict[str, Any], titles: Mapping[str, Text], lang: str) -> list[Any]:
    title = titles.get(g["control"])
    return [g["control"], title.get(lang) if title else "-",
            label(f"severity.{g['severity']}", lang), label(f"area.{g['area']}", lang),
            g["agencies"], g["targets"]]


def xlsx_book(sheets: Sequence[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    """Sheets as officials use them: a styled, frozen header with filters, numbers stored as
    numbers, every column wide enough for its longest cell (agency names are never cut)."""
    # openpyxl: only for an xlsx document
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for title, head, body in sheets:
        ws = book.create_sheet(title)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(head))}{len(body) + 1}"
        for index, name in enumerate(head):
            longest = max([len(name), *(len(str(row[index])) for row in body if row[index]
                                        is not None)])
            ws.column_dimensions[get_column_letter(index + 1)].width = min(longest + 2, 120)
        header = []
        for name in head:
            c = WriteOnlyCell(ws, value=name)
            c.font, c.fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
            c.alignment = Alignment(vertical="top", wrap_text=True)
            header.append(c)
        ws.append(header)
        for row in body:
            ws.append([cell(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_national(table: Sequence[dict[str, Any]], gaps: Sequence[dict[str, Any]], fmt: str,
                    lang: str, titles: Mapping[str, Text] | None = None) -> str | bytes:
    titles = titles or {}
    if fmt == "json":
        return json.dumps({"schema": "egov-audit/national-table@1", "agencies": list(table),
                           "common_gaps": [{**g, "title": titles[g["control"]].to_dict()}
                                           if g["control"] in titles else g for g in gaps]},
                          ensure_ascii=False, indent=2) + "\n"
    columns = _columns(lang)
    rows = [_row(r, lang) for r in table]
    gap_columns = [label("col.control", lang), label("col.title", lang),
                   label("col.severity", lang), label("col.area", lang),
                   label("national.agencies", lang), label("col.count", lang)]
    gap_numbers = [_gap_values(g, titles, lang) for g in gaps]
    gap_rows = [[str(c) for c in row] for row in gap_numbers]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([[cell_text(c) for c in _values(r, lang)] for r in table])
        return "\ufeff" + buffer.getvalue()
    if fmt == "xlsx":
        return xlsx_book(((label("sheet.scores", lang), columns, [_values(r, lang) for r in table]),
                      (label("sheet.gaps", lang), gap_columns, gap_numbers)))
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
    # every column as wide as its longest cell: agency names are never cut
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c)
              for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    lines += ["", f"== {label('national.common_gaps', lang)} =="]
    lines += [f"  {g[0]:<16} {g[2]:<14} {g[3]:<18} {g[4]:>5} {g[5]:>7}  {g[1]}"
              for g in gap_rows]
    return "\n".join(lines) + "\n"


def _national(fmt: str) -> Render:
    def render(data: NationalTable, options: ReportOptions) -> str | bytes:
        return render_national(data.agencies, data.common_gaps, fmt, options.lang,
                               data.titles)
    return render


for _format in ("text", "json", "csv", "xlsx", "html"):
    reporter("national", _format)(_national(_format))

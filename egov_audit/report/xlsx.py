"""The gap report as an Excel workbook (what officials expect to receive): a sheet of gaps with
filters and a frozen header, a sheet of scores, a sheet of targets."""

from __future__ import annotations

import io

from ..gates.sanitize import cell as safe_cell
from ..models import ResultSet
from .common import label
from .interface import ReportOptions, reporter
from .view import GAP_COLUMNS, gap_rows, views

_WIDTHS = {"agency": 12, "control": 14, "title": 40, "severity": 10, "area": 14, "status": 13,
           "target": 16, "observed": 40, "expected": 30, "clause": 40, "where": 40, "fix": 50,
           "notice": 40, "scored": 12}


class XlsxReporter:

    def render(self, result_set: ResultSet, options: ReportOptions) -> bytes:
        # openpyxl: only for an xlsx document
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        lang = options.lang
        # write-only: rows stream to the file (26,000 gap rows in about a second, not ten)
        book = Workbook(write_only=True)
        header_font = Font(bold=True)
        header_fill = PatternFill("solid", fgColor="DDE4EE")
        wrap = Alignment(vertical="top", wrap_text=True)
        all_views = views(result_set, lang)

        def sheet(title: str, columns: list[str], rows: list[list[object]],
                  widths: list[int]) -> None:
            ws = book.create_sheet(title)
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
            for index, width in enumerate(widths, start=1):
                ws.column_dimensions[get_column_letter(index)].width = width
            header = []
            for name in columns:
                cell = WriteOnlyCell(ws, value=name)
                cell.font, cell.fill, cell.alignment = header_font, header_fill, wrap
                header.append(cell)
            ws.append(header)
            for row in rows:
                ws.append([safe_cell(v) for v in row])

        gap_data: list[list[object]] = []
        for view in all_views:
            gap_data.extend(list(row) for row in gap_rows(view, lang))
        sheet(label("sheet.gaps", lang), [label(f"col.{c}", lang) for c in GAP_COLUMNS],
              gap_data, [_WIDTHS[c] for c in GAP_COLUMNS])
        area_names = [label(f"area.{a.area.value}", lang) for a in all_views[0].areas] \
            if all_views else []
        score_rows: list[list[object]] = []
        for view in all_views:
            by_area = {a.name: a.score for a in view.areas}
            score_rows.append([view.code, view.name, view.baseline, view.level,
                               view.scores.overall, view.scores.overall_without_waivers,
                               view.scores.coverage,
                               *(by_area.get(n) for n in area_names), view.generated,
                               " ".join(view.notices)])
        sheet(label("sheet.scores", lang),
              [label("col.agency", lang), label("agency", lang), label("col.baseline", lang),
               label("col.level", lang), label("col.score", lang),
               label("col.without_waivers", lang), label("col.coverage", lang), *area_names,
               label("col.date", lang), label("col.notice", lang)],
              score_rows, [14, 40, 18, 8, 10, 14, 12, *([14] * len(area_names)), 22, 60])
        target_rows: list[list[object]] = []
        for bundle in result_set.bundles:
            target_rows += [[bundle.agency.code, t.id, label(f"target_kind.{t.kind.value}", lang),
                             label(f"target.{t.status.value}", lang), t.reason]
                            for t in bundle.targets]
        sheet(label("sheet.targets", lang),
              [label("col.agency", lang), label("col.target", lang), label("col.kind", lang),
               label("col.status", lang), label("col.reason", lang)],
              target_rows, [14, 24, 14, 14, 60])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


reporter("gaps", "xlsx")(XlsxReporter().render)

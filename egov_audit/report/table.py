"""Any table of the national service's pages (a chart's numbers, the agencies, the failing
ones) as a spreadsheet: csv and xlsx, through the same cell escape as every other report."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from ..gates.sanitize import cell_text
from .interface import ReportOptions, reporter
from .national import xlsx_book


@dataclass(frozen=True)
class SheetTable:
    """A titled table: column names and rows (numbers stay numbers)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]


@reporter("table", "csv")
def render_csv(data: SheetTable, options: ReportOptions) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell_text(c) for c in data.columns])
    writer.writerows([[cell_text(c) for c in row] for row in data.rows])
    return "\ufeff" + buffer.getvalue()  # a BOM: spreadsheets then read it as UTF-8


@reporter("table", "xlsx")
def render_xlsx(data: SheetTable, options: ReportOptions) -> bytes:
    # a sheet's name: at most 31 characters, none of []:*?/\
    name = "".join(c for c in data.title if c not in "[]:*?/\\")[:31] or "egov-audit"
    return xlsx_book(((name, list(data.columns), [list(r) for r in data.rows]),))

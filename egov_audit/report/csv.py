"""The gaps as CSV: one row per gap and target, UTF-8 with a byte-order mark so that Excel shows
Vietnamese correctly when the file is opened directly."""

from __future__ import annotations

import csv
import io

from ..gates.sanitize import cell_text
from ..models import ResultSet
from .common import label
from .interface import ReportOptions, reporter
from .view import GAP_COLUMNS, gap_rows, views


class CsvReporter:

    def render(self, result_set: ResultSet, options: ReportOptions) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([label(f"col.{c}", options.lang) for c in GAP_COLUMNS])
        for view in views(result_set, options.lang):
            for row in gap_rows(view, options.lang):
                writer.writerow([cell_text(v) for v in row])
        return "\ufeff" + buffer.getvalue()


reporter("gaps", "csv")(CsvReporter().render)

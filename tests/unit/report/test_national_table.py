"""The national table as officials use it: distinct headers, numbers stored as numbers, filters
and a frozen header in XLSX, agency names never cut, the common gaps named in words."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from egov_audit.models import Text
from egov_audit.report.national import render_national
from tests.helpers import bundle_dict

LONG_NAME = "Ủy ban nhân dân tỉnh Song Lâm — Sở Thông tin và Truyền thông (Trung tâm dữ liệu)"
AGENCIES: list[dict[str, Any]] = [
    {"code": "song-lam", "name_vi": LONG_NAME, "name_en": "Song Lam Province", "kind": "province",
     "level": 3, "baseline": "tcvn-11930-2017", "overall": 71.5, "infrastructure": 60.0,
     "ip_addressing": 80.0, "security": 74.5, "coverage": 0.9, "trend": 2.5,
     "date": "2026-11-30T00:00:00Z"},
    {"code": "bo-hts", "name_vi": "Bộ Hạ tầng số", "name_en": "Ministry of Digital Infrastructure",
     "kind": "ministry", "level": 4, "baseline": "tcvn-14423-2025", "overall": 55.0,
     "infrastructure": None, "ip_addressing": 50.0, "security": 60.0, "coverage": None,
     "trend": None, "date": "2026-11-29T00:00:00Z"},
]
GAPS = [{"control": "HOST-SSH-03", "severity": "high", "area": "security", "agencies": 2,
         "targets": 17}]
TITLES = {"HOST-SSH-03": Text("Giới hạn số lần đăng nhập SSH", "SSH login attempts limited")}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_xlsx_for_officials(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "n.xlsx"
    path.write_bytes(bytes(render_national(AGENCIES, GAPS, "xlsx", lang, TITLES)))
    book = load_workbook(path)
    scores, gaps = book.worksheets
    for sheet in (scores, gaps):
        header = [c.value for c in sheet[1]]
        assert len(header) == len(set(header)), header  # no duplicated header
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        assert sheet["A1"].font.bold
    row = [c.value for c in scores[2]]
    assert row[3] == 3 and row[5] == 71.5 and row[9] == 90  # level, score, coverage %
    longest = max(len(a["name_vi" if lang == "vi" else "name_en"]) for a in AGENCIES)
    assert scores.column_dimensions["B"].width >= longest
    gap = [c.value for c in gaps[2]]
    assert gap[0] == "HOST-SSH-03" and gap[1] == TITLES["HOST-SSH-03"].get(lang)
    assert gap[4] == 2 and gap[5] == 17  # numbers, not text


def test_text_and_csv_never_cut_a_name_nor_repeat_a_header() -> None:
    text = str(render_national(AGENCIES, GAPS, "text", "vi", TITLES))
    assert LONG_NAME in text
    assert "Giới hạn số lần đăng nhập SSH" in text
    header = next(csv.reader(io.StringIO(str(render_national(AGENCIES, GAPS, "csv", "vi"))[1:])))
    assert header[:2] == ["Mã đơn vị", "Đơn vị"] and len(header) == len(set(header))
    data = bundle_dict(render_national(AGENCIES, GAPS, "json", "en", TITLES))
    assert data["common_gaps"][0]["title"] == TITLES["HOST-SSH-03"].to_dict()

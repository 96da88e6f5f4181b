"""Markdown, CSV and XLSX carry the same gaps as the HTML report, in both languages."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from egov_audit.audit import AuditRequest, validate
from egov_audit.checks.context import AuditOptions
from egov_audit.models import ResultSet
from egov_audit.policy import PolicySet
from egov_audit.report.interface import ReportOptions, renderer
from egov_audit.report.view import GAP_COLUMNS, gap_rows, views
from tests.helpers import REPO, build_inventory

SAMPLES = sorted((REPO / "inventories").iterdir())


@pytest.fixture(scope="module")
def samples(policy: PolicySet) -> ResultSet:
    return validate(AuditRequest(SAMPLES, options=AuditOptions(True)), policy)


def _render(result_set: ResultSet, fmt: str, lang: str = "en") -> str | bytes:
    return renderer("gaps", fmt)(result_set, ReportOptions(lang=lang))


def test_markdown_and_html_show_the_same_gaps(samples: ResultSet) -> None:
    html = str(_render(samples, "html"))
    markdown = str(_render(samples, "markdown"))
    gaps_html = re.findall(r'<section class="gap"[^>]*>\s*<h3><span[^>]*>[^<]*</span>([A-Z0-9-]+)',
                           html)
    gaps_md = re.findall(r"^### \[[^\]]+\] ([A-Z0-9-]+)", markdown, flags=re.M)
    assert gaps_html == gaps_md and len(gaps_md) > 20
    expected = [g.control for v in views(samples, "en") for g in v.gaps]
    assert gaps_md == expected


def test_gaps_are_worst_first(samples: ResultSet) -> None:
    for view in views(samples, "en"):
        ranks = [-g.severity.rank for g in view.gaps]
        assert ranks == sorted(ranks)


def test_csv_has_a_row_per_gap_target_and_a_bom(samples: ResultSet) -> None:
    text = str(_render(samples, "csv", "vi"))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][0] == "Đơn vị" and len(rows[0]) == len(GAP_COLUMNS)
    assert len(rows) - 1 == sum(len(gap_rows(v, "vi")) for v in views(samples, "vi"))


def test_xlsx_sheets_headers_and_rows(samples: ResultSet, tmp_path: Path) -> None:
    data = _render(samples, "xlsx", "vi")
    assert isinstance(data, bytes)
    path = tmp_path / "r.xlsx"
    path.write_bytes(data)
    book = load_workbook(path)
    assert book.sheetnames == ["Thiếu hụt", "Điểm", "Đối tượng"]
    gaps = book["Thiếu hụt"]
    assert [c.value for c in gaps[1]][:3] == ["Đơn vị", "Biện pháp kiểm soát", "Nội dung"]
    assert gaps.freeze_panes == "A2" and gaps.auto_filter.ref
    assert gaps.max_row - 1 == sum(len(gap_rows(v, "vi")) for v in views(samples, "vi"))
    scores = book["Điểm"]
    assert scores.max_row - 1 == len(samples.bundles) + 1  # the agencies and the national row
    codes = {row[0].value for row in scores.iter_rows(min_row=2)}
    assert {"song-lam", "bo-hts", "ha-son", "national"} == codes
    targets = book["Đối tượng"]
    assert targets.max_row - 1 == sum(len(b.targets) for b in samples.bundles)


def test_spreadsheet_cells_never_become_formulas(tmp_path: Path, policy: PolicySet) -> None:
    path = build_inventory(tmp_path / "inv", patch={"set": {
        "network.zones[0].subnets": ["10.0.0.0/8"],  # outside every block: a gap
        "server_rooms[0].cctv.retention_days": 10}})
    result_set = validate(AuditRequest([path], options=AuditOptions(True)), policy)
    rows = list(csv.reader(io.StringIO(str(_render(result_set, "csv"))[1:])))
    assert rows[1:] and all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_markdown_neutralises_markup(tmp_path: Path, policy: PolicySet) -> None:
    hostile = "<script>x</script> | [a](javascript:1) **b**"
    path = build_inventory(tmp_path / "inv", patch={"set": {"agency.name.en": hostile}})
    markdown = str(_render(validate(AuditRequest([path]), policy), "markdown"))
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert not re.search(r"(?<!\\)\]\(javascript", markdown)  # no link can form


def test_vietnamese_and_english_reports_differ_everywhere(samples: ResultSet) -> None:
    for fmt in ("html", "markdown", "csv"):
        vi, en = str(_render(samples, fmt, "vi")), str(_render(samples, fmt, "en"))
        assert vi != en
    assert "Biện pháp đã đạt" in str(_render(samples, "html", "vi"))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_text_report_lists_what_could_not_be_assessed(tmp_path: Path, policy: PolicySet,
                                                           lang: str) -> None:
    from egov_audit.audit import evaluate
    from egov_audit.report.interface import render
    from tests.helpers import build_evidence

    inventory = build_inventory(tmp_path / "agency")
    evidence = build_evidence(tmp_path / "evidence", inventory, status={"web01": "unreachable"})
    result_set = evaluate(AuditRequest([inventory], options=AuditOptions(True)), evidence, policy)
    text = str(render("gaps", "text", result_set, ReportOptions(lang=lang)))
    heading = {"vi": "== Không đánh giá được: 1 ==", "en": "== Could not be assessed: 1 =="}
    status = {"vi": "máy chủ, không kết nối được", "en": "host, unreachable"}
    assert heading[lang] in text
    assert f" - web01 ({status[lang]}): " in text and "Connection refused" in text
    markdown = str(render("gaps", "markdown", result_set, ReportOptions(lang=lang)))
    row = {"vi": "| web01 | máy chủ | không kết nối được |",
           "en": "| web01 | host | unreachable |"}
    assert row[lang] in markdown
    # before the gaps, as in the other human formats
    assert text.index(heading[lang]) < text.index("HOST-")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_spreadsheets_carry_the_demo_notice_and_speak_the_report_language(
        samples: ResultSet, tmp_path: Path, lang: str) -> None:
    """With --documentation-as-public every gap row says so (a filtered or copied row keeps
    it), and severity, area and status read as words of the report's language, not codes."""
    notice = {"vi": "CHẾ ĐỘ MINH HỌA", "en": "DEMO MODE"}[lang]
    rows = list(csv.reader(io.StringIO(str(_render(samples, "csv", lang))[1:])))
    header = rows[0]
    notice_at = header.index({"vi": "Lưu ý", "en": "Notice"}[lang])
    assert all(notice in row[notice_at] for row in rows[1:])
    severities = {row[header.index({"vi": "Mức độ", "en": "Severity"}[lang])] for row in rows[1:]}
    from egov_audit.report.common import label

    codes = {"critical", "high", "medium", "low"}
    assert severities.isdisjoint(codes) and severities <= {label(f"severity.{c}", lang)
                                                           for c in codes}
    path = tmp_path / "r.xlsx"
    path.write_bytes(bytes(_render(samples, "xlsx", lang)))
    book = load_workbook(path)
    gaps, scores = book.worksheets[0], book.worksheets[1]
    assert all(notice in str(row[notice_at].value) for row in gaps.iter_rows(min_row=2))
    assert notice in str(scores.cell(row=2, column=scores.max_column).value)
    statuses = {row[3].value for row in book.worksheets[2].iter_rows(min_row=2)}
    assert ("đã đánh giá" in statuses) if lang == "vi" else ("assessed" in statuses)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_scores_are_written_as_each_language_writes_numbers(samples: ResultSet,
                                                            fmt: str) -> None:
    """62,4 for Vietnamese readers, 62.4 for English ones; JSON keeps the number itself."""
    score = samples.bundles[0].scores.overall
    assert score is not None and score != int(score)
    vi, en = str(_render(samples, fmt, "vi")), str(_render(samples, fmt, "en"))
    assert f"{score:.1f}".replace(".", ",") in vi and f"{score:.1f}" not in vi
    assert f"{score:.1f}" in en
    assert json.loads(str(_render(samples, "json", "vi")))["bundles"][0]["scores"][
        "overall"] == score

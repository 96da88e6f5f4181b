"""The requirement matrix: what each baseline requires at each level, filled in from the
reference models, in every format; the documents generated from it are current."""

from __future__ import annotations

import csv
import html.parser
import io
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from egov_audit.checks.requirements import requirement_matrix
from egov_audit.checks.vocabulary import load_catalogue
from egov_audit.cli import cli
from egov_audit.errors import UsageError
from egov_audit.policy import DEFAULT_POLICIES, DEFAULT_REFERENCE_MODELS, PolicySet
from egov_audit.report.interface import ReportOptions, render
from egov_audit.report.matrix import catalogue_summary, requirement_documents
from tests.helpers import REPO, bundle_dict

sys.path.insert(0, str(REPO / "tools"))
from gen_docs import BEGIN, END


def test_every_control_that_applies_with_its_required_value(policy: PolicySet) -> None:
    for baseline in policy.baselines:
        for level in range(1, 6):
            matrix = requirement_matrix(policy, baseline, level)
            assert [r.control for r in matrix.rows] == \
                [c.id for c in policy.select(baseline, level)]
            for row in matrix.rows:
                for lang in ("vi", "en"):
                    for text in (row.required, row.clause, row.owner, row.procedure, row.title):
                        assert text.get(lang).strip(), (row.control, lang)
                    # the value itself, never the parameter's name
                    assert "param " not in row.required.get(lang)
                    assert "{" not in row.required.get(lang), row.required


def test_required_values_come_from_the_reference_models(policy: PolicySet) -> None:
    rows = {r.control: r for r in requirement_matrix(policy, "tcvn-14423-2025", 3).rows}
    minlen = policy.param("host.pass_min_len", "tcvn-14423-2025", 3)
    assert rows["HOST-PWD-02"].required.en == f"pwquality.minlen: at least {minlen}"
    assert rows["HOST-PWD-02"].required.vi == f"pwquality.minlen: tối thiểu {minlen}"
    assert minlen == 14  # reference_models/host.yml, TCVN 14423:2025 level 1+
    # a named check's parameter, said with the zone kinds' names in each language
    zones = rows["NET-ZONE-01"].required
    assert "Management zone" in zones.en and "Vùng quản trị" in zones.vi
    assert "management" not in zones.vi
    # at level 5 the CCTV retention of the higher level
    level5 = {r.control: r for r in requirement_matrix(policy, "tcvn-14423-2025", 5).rows}
    assert level5["ROOM-CCTV-02"].required.en == "cctv.retention_days: at least 365"
    assert rows["ROOM-CCTV-02"].required.en == "cctv.retention_days: at least 90"


def test_gaps_a_person_closes_say_who_and_how(policy: PolicySet) -> None:
    rows = {r.control: r for r in requirement_matrix(policy, "tcvn-11930-2017", 5).rows}
    assert "VNNIC" in rows["NET-IP-01"].procedure.en
    assert rows["HOST-SSH-01"].procedure.en == \
        "egov-audit fix (Ansible role egov.audit.remediate_sshd)"


def test_a_profile_judged_beside_says_so_instead_of_a_level(policy: PolicySet) -> None:
    """internet-standards has no levels: its matrix says how it is judged, not "Level 1" and
    an empty level clause; a baseline's matrix keeps both."""
    profile = requirement_matrix(policy, "internet-standards", 1)
    text = render("matrix", "text", profile, ReportOptions(lang="en"))
    assert text.splitlines()[0] == "Requirement matrix: internet-standards"
    assert "How it is judged: beside every audit's baseline, in a score of its own" in text
    heading = "\n".join(text.splitlines()[:7])
    assert "Level" not in heading and "The level's clause" not in text
    vi = render("matrix", "text", profile, ReportOptions(lang="vi"))
    assert "Cách đánh giá: bên cạnh khung tiêu chuẩn của mỗi cuộc đánh giá" in vi
    baseline = render("matrix", "text", requirement_matrix(policy, "tcvn-11930-2017", 3),
                      ReportOptions(lang="en"))
    assert "tcvn-11930-2017, Level 3" in baseline and "The level's clause" in baseline
    assert "How it is judged" not in baseline
    # --level is not needed for a profile, and still is for a baseline
    runner = CliRunner()
    done = runner.invoke(cli, ["policies", "matrix", "--baseline", "internet-standards",
                               "--lang", "en"])
    assert done.exit_code == 0 and done.output.startswith(
        "Requirement matrix: internet-standards\n"), done.output
    done = runner.invoke(cli, ["policies", "matrix", "--baseline", "tcvn-11930-2017",
                               "--lang", "en"])
    assert done.exit_code == 2
    assert "--level is needed: baseline tcvn-11930-2017 has security levels 1 to 5" in \
        done.output


def test_unknown_baseline_or_level(policy: PolicySet) -> None:
    with pytest.raises(UsageError, match="unknown baseline 'iso-27001'"):
        requirement_matrix(policy, "iso-27001", 3)
    with pytest.raises(UsageError, match="level 6"):
        requirement_matrix(policy, "tcvn-11930-2017", 6)


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_every_format_in_one_language_or_both(policy: PolicySet) -> None:
    matrix = requirement_matrix(policy, "tcvn-11930-2017", 3)
    count = len(matrix.rows)
    for options in (ReportOptions(lang="vi"), ReportOptions(lang="en"),
                    ReportOptions(bilingual=True)):
        langs = options.langs
        out = {fmt: render("matrix", fmt, matrix, options)
               for fmt in ("text", "markdown", "html", "csv", "xlsx", "json")}
        rows = list(csv.reader(io.StringIO(str(out["csv"]).lstrip("\ufeff"))))
        assert len(rows) == count + 1
        book = load_workbook(io.BytesIO(out["xlsx"]))  # type: ignore[arg-type]
        sheet = book.worksheets[0]
        assert sheet.max_row == count + 1 and sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref
        parser = _Text()
        parser.feed(str(out["html"]))
        assert parser.tags.count("tr") == count + 1 and "script" not in parser.tags
        assert str(out["markdown"]).count("\n| ") == count + 1
        assert len(bundle_dict(out["json"])["requirements"]) == count
        title = matrix.rows[0].title
        for fmt in ("text", "markdown", "csv"):
            for lang in ("vi", "en"):
                assert (title.get(lang) in str(out[fmt])) == (lang in langs), (fmt, lang)
        for lang in ("vi", "en"):
            assert (title.get(lang) in "".join(parser.text)) == (lang in langs)


def test_policy_text_is_escaped_in_every_medium(tmp_path: Path) -> None:
    """Policies can come from --policies: their texts are data in every format."""
    pol, models = tmp_path / "policies", tmp_path / "reference_models"
    shutil.copytree(DEFAULT_POLICIES, pol)
    shutil.copytree(DEFAULT_REFERENCE_MODELS, models)
    path = pol / "server_room/cctv.yml"
    data = yaml.safe_load(path.read_text())
    data["controls"][0]["title"] = {"vi": "=HYPERLINK(\"http://x\") <script>alert(1)</script>",
                                    "en": "| broken | [link](javascript:alert(1)) \x1b[31m"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    matrix = requirement_matrix(load_catalogue(pol, models), "tcvn-14423-2025", 3)
    options = ReportOptions(bilingual=True)
    assert "<script>" not in str(render("matrix", "html", matrix, options))
    markdown = str(render("matrix", "markdown", matrix, options))
    assert "javascript:" not in markdown and "| broken |" not in markdown
    assert "\x1b" not in str(render("matrix", "text", matrix, options))
    rows = list(csv.reader(io.StringIO(str(render("matrix", "csv", matrix, options)))))
    assert all(not cell.startswith("=") for row in rows for cell in row)
    book = load_workbook(io.BytesIO(render("matrix", "xlsx", matrix, options)))  # type: ignore[arg-type]
    assert all(not str(c.value or "").startswith("=") for row in book.worksheets[0].iter_rows()
               for c in row)


def test_committed_requirement_documents_are_current(policy: PolicySet) -> None:
    folder = REPO / "docs" / "requirements"
    wanted = requirement_documents(policy)
    assert sorted(p.name for p in folder.glob("*.md")) == sorted(wanted), "run: make docs"
    for name, text in wanted.items():
        assert (folder / name).read_text("utf-8") == text, f"{name} is stale: run make docs"


def test_committed_control_pages_are_current(policy: PolicySet) -> None:
    """A page per control (docs/controls/), its examples its own test cases; each requirement
    matrix links every control to its page."""
    from egov_audit.report.control_pages import control_pages
    from tests.unit.checks.test_catalogue import CASES

    folder = REPO / "docs" / "controls"
    wanted = control_pages(policy, CASES)
    assert len(wanted) == len(policy.controls) + 1  # and the index
    assert sorted(p.name for p in folder.glob("*.md")) == sorted(wanted), "run: make docs"
    for name, text in wanted.items():
        assert (folder / name).read_text("utf-8") == text, f"{name} is stale: run make docs"
    # each control's page is linked from a matrix (a profile's controls from its own)
    matrices = "".join(path.read_text("utf-8")
                       for path in (REPO / "docs/requirements").glob("*.md"))
    assert all(f"[{c.id}](../controls/{c.id}.md)" in matrices for c in policy.controls)
    assert "## Fails when" in wanted["HOST-SSH-02.md"]


def test_readme_says_what_the_catalogue_holds(policy: PolicySet) -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    block = readme.partition(BEGIN)[2].partition(END)[0]
    assert block == catalogue_summary(policy), "README's catalogue block is stale: make docs"
    outside = readme.replace(block, "")
    # counts of controls are said only in the generated block
    assert not re.findall(r"\b\d+ (?:[a-z-]+ )?controls\b|controls \(\d+", outside)


def test_readme_and_docs_links_stay_inside_the_repository() -> None:
    for doc in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        text = doc.read_text("utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            assert "://" not in target and not target.startswith(("/", "mailto:")), \
                (doc, target)
            resolved = (doc.parent / target.partition("#")[0]).resolve()
            assert resolved.is_relative_to(REPO.resolve()), (doc, target)
            assert resolved.exists(), (doc, target)
        assert "../shared" not in text, doc


def test_cli_writes_a_matrix(tmp_path: Path) -> None:
    out = tmp_path / "m.xlsx"
    result = CliRunner().invoke(cli, ["policies", "matrix", "--baseline", "tcvn-14423-2025",
                                      "--level", "2", "-f", "xlsx", "-o", str(out),
                                      "--bilingual"])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).worksheets[0].max_row > 10
    result = CliRunner().invoke(cli, ["policies", "matrix", "--baseline", "nope", "--level",
                                      "2"])
    assert result.exit_code == 2 and "unknown baseline 'nope'" in result.output

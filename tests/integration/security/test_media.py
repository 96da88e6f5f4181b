"""Boundary: what reports show. A bundle from another agency, a compromised host and a file
name can all carry text aimed at the medium that shows it: terminal escape sequences and fake
lines, Markdown and HTML markup, `javascript:` links, spreadsheet formulas, characters XML cannot
carry. Every format, the national table included, goes through the sanitiser of its medium."""

from __future__ import annotations

import csv
import io
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import bundle_dict
from tests.integration.security.conftest import Agency, poison, run

# one string that attacks every medium at once
HOSTILE = ("\x1b[2J\x1b]0;owned\x07\u202e\n[CRITICAL] FAKE LINE\r"
           "<script>alert(1)</script><img src=x onerror=alert(2)> [click](javascript:alert(3)) "
           "![p](http://evil.example/p.png) | cell | <https://evil.example> &lt;b&gt; "
           "\x01\x0b\ufffe\uffff")
FORMULA = '=HYPERLINK("http://evil.example","x")'


def _poison(data: dict[str, Any]) -> dict[str, Any]:
    hostile = poison(data, lambda text: f"{FORMULA}{HOSTILE} {text}")
    hostile["agency"]["name"] = {"vi": FORMULA, "en": FORMULA}
    # a host name from an inventory can hold no control character, but it can look like markup
    for result in hostile["results"]:
        if result["target"] == "web01":
            result["target"] = "web01<b>x</b>[y](javascript:z)"
    return hostile


@pytest.fixture
def hostile_bundle(agency: Agency) -> Path:
    return agency.write("hostile.json", _poison(agency.data()))


def _render(bundle: Path, fmt: str, tmp_path: Path) -> bytes:
    out = tmp_path / f"report.{fmt}"
    done = run("report", bundle, "-f", fmt, "-o", out, "--fail-on", "none")
    assert done.code == 0, done.err
    return out.read_bytes()


_TERMINAL_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_text_report_carries_no_escape_sequence_and_no_fake_line(hostile_bundle: Path,
                                                                 tmp_path: Path) -> None:
    text = _render(hostile_bundle, "text", tmp_path).decode()
    assert not _TERMINAL_BAD.search(text)
    assert not any(line.lstrip().startswith("[CRITICAL] FAKE") for line in text.splitlines())
    assert "FAKE LINE" in text  # shown, as inert text


def test_the_terminal_never_sees_an_escape_sequence_from_a_bundle(hostile_bundle: Path) -> None:
    done = run("report", hostile_bundle, "--fail-on", "none")
    assert done.code == 0 and not _TERMINAL_BAD.search(done.out)


def _markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def test_markdown_is_inert(hostile_bundle: Path, tmp_path: Path) -> None:
    text = _render(hostile_bundle, "markdown", tmp_path).decode()
    rendered = _markdown_html(text)
    tags = _tags(rendered)
    # only the structure the reporter writes: headings, lists, emphasis, tables, quotes
    assert {t[0] for t in tags} <= {"h1", "h2", "h3", "ul", "li", "strong", "em", "p", "table",
                                    "thead", "tbody", "tr", "th", "td", "blockquote", "hr",
                                    "code"}, {t[0] for t in tags}
    # no attribute but the tables' alignment: no link, image or handler
    assert not [t for t in tags if t[1] and t[1] != {"style": "text-align:right"}]
    assert not _TERMINAL_BAD.search(text)
    # every gap's table kept its shape: a hostile `|` never adds a column
    for table in re.findall(r"<table>.*?</table>", rendered, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
        assert len({len(re.findall(r"<t[hd]", row)) for row in rows}) == 1


def _formula(value: object) -> bool:
    return isinstance(value, str) and value.lstrip(" ").startswith(("=", "+", "-", "@", "\t",
                                                                     "\r", "＝", "＋", "－", "＠"))


def test_csv_cells_are_never_formulas(hostile_bundle: Path, tmp_path: Path) -> None:
    text = _render(hostile_bundle, "csv", tmp_path).decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert any(FORMULA in c for c in cells)  # the text is there, as text
    assert not any(_formula(c) for c in cells)


def test_xlsx_cells_are_never_formulas(hostile_bundle: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "book.xlsx"
    path.write_bytes(_render(hostile_bundle, "xlsx", tmp_path))
    book = load_workbook(path)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert any(isinstance(c.value, str) and FORMULA in c.value for c in cells)
    assert not any(c.data_type == "f" or _formula(c.value) for c in cells)


def test_junit_is_well_formed_xml(hostile_bundle: Path, tmp_path: Path) -> None:
    root = ET.fromstring(_render(hostile_bundle, "junit", tmp_path))
    assert root.tag == "testsuites" and root.find("testsuite") is not None


def test_sarif_and_json_stay_json(hostile_bundle: Path, tmp_path: Path) -> None:
    for fmt in ("sarif", "json"):
        assert isinstance(bundle_dict(_render(hostile_bundle, fmt, tmp_path)), dict)


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_sarif_carries_no_control_and_no_bidirectional_override(agency: Agency,
                                                                 tmp_path: Path) -> None:
    """Every other medium escaped them; SARIF kept U+202E (a reordered message in a code
    scanning UI). Every string of the log, messages, rules, locations and targets."""
    data = agency.data()
    bidi = "\u202e\u2066\u200f\x1b[31m\x07"
    hostile = poison(data, lambda text: f"{bidi}{text}{bidi}")
    for result in hostile["results"]:
        for location in result.get("locations", []):
            location["file"] = f"inventory/{bidi}hosts.yml"
    log = bundle_dict(_render(agency.write("bidi.json", hostile), "sarif", tmp_path))
    texts = _strings(log)
    assert any("\ufffd" in t for t in texts)  # shown as inert marks
    assert not any(_TERMINAL_BAD.search(t) or "\u200f" in t for t in texts)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_html_report_has_no_markup_from_the_bundle(agency: Agency, hostile_bundle: Path,
                                                   tmp_path: Path) -> None:
    hostile = _tags(_render(hostile_bundle, "html", tmp_path).decode())
    clean = _tags(_render(agency.bundle, "html", tmp_path / ".." / "clean").decode()) \
        if (tmp_path / ".." / "clean").mkdir() is None else []
    assert not [t for t in hostile if t[0] in ("img", "iframe", "object")]
    assert sum(t[0] == "script" for t in hostile) == sum(t[0] == "script" for t in clean)
    assert not [t for t in hostile if any(k.startswith("on") for k in t[1])]
    assert not [t for t in hostile if "javascript:" in str(t[1].get("href", ""))]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_diff_of_hostile_bundles_is_sanitised(agency: Agency, hostile_bundle: Path,
                                              tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"diff.{fmt}"
    done = run("diff", agency.bundle, hostile_bundle, "-f", fmt, "-o", out)
    assert done.code == 0, done.err
    text = out.read_text()
    if fmt != "json":  # JSON is data: its encoder escapes control characters itself
        assert not _TERMINAL_BAD.search(text.replace("\n", ""))
    if fmt == "markdown":
        tags = _tags(_markdown_html(text))
        assert not [t for t in tags if t[0] in ("script", "img", "a")
                    or (t[1] and t[1] != {"style": "text-align:right"})]
    if fmt == "html":
        tags = _tags(text)
        assert not [t for t in tags if t[0] == "img" or any(k.startswith("on") for k in t[1])]
    if fmt == "json":
        assert "\x1b" not in text and bundle_dict(text)["agencies"]


@pytest.fixture
def national_db(agency: Agency, tmp_path: Path) -> str:
    """A national database holding a signed bundle whose agency name is a formula and whose
    texts are hostile (an agency can sign whatever it likes)."""
    hostile = agency.write("national.json", _poison(agency.data()))
    signed = agency.root / "national.signed.json"
    assert run("sign", hostile, "--key", agency.private, "-o", signed).code == 0
    db = str(tmp_path / "national.db")
    done = run("collect", signed, "--db", db, "--keys", agency.keys)
    assert done.code == 0, done.err
    return db


def test_national_csv_never_holds_a_formula(national_db: str, tmp_path: Path) -> None:
    out = tmp_path / "n.csv"
    assert run("scores", "--db", national_db, "-f", "csv", "-o", out).code == 0
    cells = [c for row in csv.reader(io.StringIO(out.read_text("utf-8-sig"))) for c in row]
    assert any(FORMULA in c for c in cells) and not any(_formula(c) for c in cells)


def test_national_xlsx_never_holds_a_formula_and_keeps_numbers(national_db: str,
                                                               tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "n.xlsx"
    assert run("scores", "--db", national_db, "-f", "xlsx", "-o", out).code == 0
    book = load_workbook(out)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" or _formula(c.value) for c in cells)
    scores = book.worksheets[0]
    assert isinstance(scores.cell(row=2, column=6).value, float)  # the score, as a number


def test_national_html_and_text_are_inert(national_db: str, tmp_path: Path) -> None:
    out = tmp_path / "n.html"
    assert run("scores", "--db", national_db, "-f", "html", "-o", out).code == 0
    assert not [t for t in _tags(out.read_text()) if t[0] in ("script", "img")]
    done = run("scores", "--db", national_db)
    assert done.code == 0 and not _TERMINAL_BAD.search(done.out)


def test_collect_prints_hostile_file_names_inertly(agency: Agency, tmp_path: Path) -> None:
    name = tmp_path / "bad\x1b[31mname\n.json"
    shutil.copy(agency.signed, name)
    name.write_text(name.read_text().replace('"level": 5', '"level": 5, "level": 4', 1))
    done = run("collect", name, "--db", tmp_path / "x.db", "--keys", agency.keys)
    assert done.code == 1 and "refused" in done.err
    assert not _TERMINAL_BAD.search(done.err.replace("\n", ""))
    assert len(done.err.strip().splitlines()) == 1

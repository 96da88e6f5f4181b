"""The HTML report in a real headless Chromium, with no network: it opens, the filters and the
search work when driven like a user, a screenshot is taken, and a bundle full of hostile values
executes nothing and still lays out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from egov_audit.bundle import bundle_to_dict, read_result_set
from egov_audit.models import Status
from tests.browser.conftest import BROWSER_MARKS
from tests.helpers import REPO, run_cli

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    proc = run_cli("validate", *(str(p) for p in sorted((REPO / "inventories").iterdir())),
                   "--documentation-as-public", "-f", "html", "-o", str(out), "--lang", "en",
                   "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr
    return out


def _visible(browser: Any) -> list[str]:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('section.gap'))"
        ".filter(g => g.offsetParent !== null).map(g => g.dataset.severity + ' ' +"
        " g.querySelector('h3').textContent)")


def test_opens_offline_and_filters_like_a_user(browser: Any, report: Path,
                                                tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(report.as_uri())
    assert "Gap report" in browser.title
    # nothing was fetched: every resource is inline
    entries = browser.execute_script("return performance.getEntriesByType('resource').length")
    assert entries == 0
    total = len(_visible(browser))
    assert total > 20
    Select(browser.find_element(By.ID, "f-severity")).select_by_value("critical")
    shown = _visible(browser)
    assert shown and all(s.startswith("critical ") for s in shown) and len(shown) < total
    Select(browser.find_element(By.ID, "f-severity")).select_by_value("")
    Select(browser.find_element(By.ID, "f-area")).select_by_value("ip_addressing")
    ip_gaps = _visible(browser)
    # the IP addressing families: plan, ASN, and the checks against the registry's statistics
    assert ip_gaps and all(any(family in s for family in ("NET-IP", "NET-ASN", "NET-REG"))
                           for s in ip_gaps)
    Select(browser.find_element(By.ID, "f-area")).select_by_value("")
    search = browser.find_element(By.ID, "f-search")
    search.send_keys("basement")
    shown = _visible(browser)
    assert len(shown) == 1 and "ROOM-LOC-01" in shown[0]
    search.clear()
    search.send_keys("x")  # an input event restores the list through the same code path
    search.clear()
    browser.execute_script("document.getElementById('f-search').dispatchEvent(new Event('input'))")
    assert len(_visible(browser)) == total
    assert "/ " in browser.find_element(By.ID, "f-count").text
    shot = tmp_path / "report.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000


def test_prints_to_pdf_with_every_gap_expanded(browser: Any, report: Path) -> None:
    import base64

    from selenium.webdriver.common.print_page_options import PrintOptions

    browser.get(report.as_uri())
    options = PrintOptions()
    options.orientation = "portrait"
    pdf = base64.b64decode(browser.print_page(options))
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > 3
    # the print stylesheet hides the filter bar and keeps gap sections whole
    assert browser.execute_script(
        "return Array.from(document.styleSheets).some(s => Array.from(s.cssRules).some("
        "r => r.media && r.media.mediaText === 'print'))")


def _hostile_bundle(tmp_path: Path) -> Path:
    source = tmp_path / "bundle.json"
    proc = run_cli("validate", str(REPO / "inventories/song-lam"), "-f", "json", "-o",
                   str(source), "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr
    bundle = read_result_set(source).bundles[0]
    data = bundle_to_dict(bundle)
    evil = ('<script>window.egovPwned=1</script>"><img src=x onerror="window.egovPwned=2">'
            "\x1b[2J\x1b]0;title\x07" + "W" * 100_000)
    data["agency"]["name"] = {"vi": evil, "en": evil}
    for result in data["results"]:
        if result["status"] == Status.FAIL.value:
            result["target"] = evil[:300]
            result["observed"] = {"vi": evil, "en": evil}
            result["message"] = {"vi": evil, "en": evil}
            result["locations"] = [{"file": evil[:200], "line": 1, "column": 1}]
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(data))
    return hostile


def _one_script_runs(browser: Any) -> None:
    """Ours, with the page's nonce; every other script element is a JSON data block (the status
    labels, long tables' rows), which no browser runs."""
    kinds = browser.execute_script(
        "return Array.from(document.querySelectorAll('script')).map(s => [s.type, !!s.nonce])")
    assert [k for k in kinds if k != ["application/json", False]] == [["", True]], kinds


def test_hostile_values_execute_nothing_and_still_lay_out(browser: Any,
                                                          tmp_path: Path) -> None:
    hostile = _hostile_bundle(tmp_path)
    out = tmp_path / "hostile.html"
    proc = run_cli("report", str(hostile), "-f", "html", "-o", str(out), "--lang", "en",
                   "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr
    html = out.read_text()
    assert "<script>window.egovPwned" not in html and "<img src=x" not in html
    browser.get(out.as_uri())
    assert browser.execute_script("return window.egovPwned === undefined")
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    _one_script_runs(browser)
    width = browser.execute_script("return document.documentElement.scrollWidth")
    viewport = browser.execute_script("return window.innerWidth")
    assert width <= viewport + 50, "a 100 KB value must wrap, not widen the page"
    assert len(_visible(browser)) > 10
    browser.save_screenshot(str(tmp_path / "hostile.png"))


def test_a_long_table_is_filled_in_when_opened_and_stays_inert(browser: Any,
                                                               tmp_path: Path) -> None:
    """A gap on more hosts than a table shows open carries its rows as data: none is built when
    the page opens; opening the table, filtering by status or printing builds them, as text."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.print_page_options import PrintOptions
    from selenium.webdriver.support.ui import Select, WebDriverWait

    source = tmp_path / "bundle.json"
    proc = run_cli("validate", str(REPO / "inventories/song-lam"), "-f", "json", "-o",
                   str(source), "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr
    data = bundle_to_dict(read_result_set(source).bundles[0])
    failing = next(r for r in data["results"] if r["status"] == Status.FAIL.value)
    evil = '</script><script>window.egovPwned=1</script><img src=x onerror="window.egovPwned=2">'
    data["results"] += [{**failing, "target": f"host{i:02d}{evil}",
                         "observed": {"vi": evil, "en": evil},
                         "status": "not_assessed" if i % 10 == 0 else "fail"}
                        for i in range(40)]
    bundle = tmp_path / "long.json"
    bundle.write_text(json.dumps(data))
    out = tmp_path / "long.html"
    proc = run_cli("report", str(bundle), "-f", "html", "-o", str(out), "--lang", "en",
                   "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr
    assert "<img src=x" not in out.read_text() and "</script><script>window" not in \
        out.read_text()
    browser.get(out.as_uri())
    control = failing["control"]
    details = browser.execute_script(
        "return Array.from(document.querySelectorAll('section.gap')).find(g => "
        f"g.querySelector('h3').textContent.includes({json.dumps(control)}))"
        ".querySelector('details.rows')")
    assert details is not None, control

    def rows() -> list[list[str]]:
        return browser.execute_script(
            "return Array.from(arguments[0].querySelectorAll('tbody tr')).filter(r => "
            "!r.classList.contains('hidden')).map(r => Array.from(r.cells).map(c => "
            "c.textContent))", details)

    def hostile_rows(count: int) -> list[list[str]]:
        # a details element's toggle event is queued as a task (HTML spec), so its rows come
        # after the click returns: wait for them, then check all of them
        WebDriverWait(browser, 10).until(
            lambda _: len([r for r in rows() if r[0].startswith("host")]) >= count)
        return [r for r in rows() if r[0].startswith("host")]

    assert rows() == []  # nothing built when the page opened
    details.find_element(By.TAG_NAME, "summary").click()
    hostile = hostile_rows(40)
    assert len(hostile) == 40 and all(r[0].endswith(evil) and r[2] == evil for r in hostile)
    assert {r[1] for r in hostile} == {"fail", "not assessed"}
    assert browser.execute_script("return window.egovPwned === undefined")
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    _one_script_runs(browser)
    # the status filter reads the rows of tables not opened yet
    browser.get(out.as_uri())
    Select(browser.find_element(By.ID, "f-status")).select_by_value("not_assessed")
    details = browser.execute_script(
        "return Array.from(document.querySelectorAll('section.gap')).find(g => "
        f"g.querySelector('h3').textContent.includes({json.dumps(control)}))"
        ".querySelector('details.rows')")
    assert len(hostile_rows(4)) == 4
    # printing builds every table and opens it
    browser.get(out.as_uri())
    pdf = browser.print_page(PrintOptions())
    assert pdf and browser.execute_script(
        "return Array.from(document.querySelectorAll('details.rows')).every(d => d.open && "
        "d.querySelectorAll('tbody tr').length > 0)")
    assert browser.execute_script("return window.egovPwned === undefined")

"""The HTML report in a real headless Chromium, with no network: it opens, the filters and the
search work when driven like a user, a screenshot is taken, and a bundle full of hostile values
executes nothing and still lays out."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from egov_audit.bundle import bundle_to_dict, read_result_set
from egov_audit.models import Status
from tests.helpers import REPO, run_cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# as root (CI), `make test` installs Chromium: a missing browser then fails, never skips
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(os.geteuid() != 0 and not (os.path.exists(CHROMIUM)
                                                            and os.path.exists(CHROMEDRIVER)),
                                 reason="needs chromium and chromium-driver (make test installs "
                                        "them as root; CI runs as root)")]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,1600",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
                 "--proxy-server=http://127.0.0.1:9",  # no network: any fetch would fail loudly
                 "--proxy-bypass-list=<-loopback>"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


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
    scripts = browser.execute_script("return document.querySelectorAll('script').length")
    assert scripts == 1  # ours
    width = browser.execute_script("return document.documentElement.scrollWidth")
    viewport = browser.execute_script("return window.innerWidth")
    assert width <= viewport + 50, "a 100 KB value must wrap, not widen the page"
    assert len(_visible(browser)) > 10
    browser.save_screenshot(str(tmp_path / "hostile.png"))

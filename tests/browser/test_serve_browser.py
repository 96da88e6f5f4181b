"""The national service as inspectors and agencies use it: `egov-audit serve` in its own
process over a real PostgreSQL, agencies submitting with `egov-audit submit`, an inspector in a
real Chromium logging in, seeing the new score in the chart and the table, drilling down to an
agency and a control, switching language and downloading XLSX; an agency account refused
another agency's page. Screenshots of the overview, an agency and a control are kept in
test-artifacts/serve/ for a reviewer to see what an inspector sees."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import BROWSER_MARKS, chromium
from tests.helpers import REPO, bundle_dict, run_cli, signed_samples
from tests.service import PASSWORD, Served, prepare_store

pytestmark = [*BROWSER_MARKS, pytest.mark.postgres]

AGENCIES = ("song-lam", "ha-son")
ARTIFACTS = REPO / "test-artifacts" / "serve"


@pytest.fixture(scope="module")
def served(postgres: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    work = tmp_path_factory.mktemp("served")
    signed = signed_samples(work, AGENCIES)
    db = postgres.new_database()
    prepare_store(db, work, AGENCIES)
    instance = Served(db, work / "serve.log")
    try:
        yield {"url": instance.url, "signed": signed, "work": work, "db": db}
    finally:
        instance.stop()


def _login(browser: Any, url: str, account: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.delete_all_cookies()
    browser.get(url + "/login")
    browser.find_element(By.ID, "account").send_keys(account)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login").click()
    # the click returns before the form's answer has loaded: wait for the page it leads to
    WebDriverWait(browser, 20).until(lambda b: not b.current_url.endswith("/login")
                                     or b.find_elements(By.ID, "login-error"))
    assert not browser.find_elements(By.ID, "login-error"), browser.page_source[:2000]


def _follow(browser: Any, element: Any) -> None:
    """Click a link or a button and wait for the page it leads to (a click returns before)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, 20).until(expected_conditions.staleness_of(old))


def _shot(browser: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1280, min(max(900, int(height)), 6000))
    browser.save_screenshot(str(path))
    browser.set_window_size(1280, 1600)
    return path


def test_an_inspector_sees_a_submission_arrive(served: dict[str, Any],
                                               tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    url = served["url"]
    for agency in AGENCIES:
        proc = run_cli("submit", url, str(served["signed"][agency]), "--lang", "en")
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("stored ") and agency in proc.stdout
    again = run_cli("submit", url, str(served["signed"]["song-lam"]), "--lang", "en")
    assert again.returncode == 0 and again.stdout.startswith("duplicate ")

    browser = chromium(tmp_path / "profile", downloads=tmp_path / "downloads", loopback=True)
    try:
        _login(browser, url, "thanh-tra")
        assert browser.current_url.endswith("/nation")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Toàn quốc"
        # interactive within a second of navigation (server-side rendering, no script)
        timing = browser.execute_script(
            "const t = performance.getEntriesByType('navigation')[0];"
            "return [t.domInteractive, t.loadEventEnd];")
        assert 0 < timing[0] < 1000, timing
        # nothing but our own stylesheet was fetched
        fetched = browser.execute_script(
            "return performance.getEntriesByType('resource').map(r => r.name)")
        assert fetched == [url + "/static/app.css"], fetched
        score = bundle_dict(served["signed"]["song-lam"].read_bytes())["scores"]["overall"]
        row = browser.find_element(By.XPATH, "//table[@id='t-agencies']//tr[td/a[text()="
                                             "'song-lam']]")
        assert f"{score:.1f}".replace(".", ",") in row.text
        assert browser.find_element(By.ID, "submitted").text == "2"
        bars = browser.find_elements(By.CSS_SELECTOR, "#fig-distribution svg rect")
        assert sum(1 for b in bars if float(b.get_attribute("height")) > 0) >= 1
        _shot(browser, "nation")

        # a filter, in the URL (a view can be shared)
        from selenium.webdriver.support.ui import Select

        Select(browser.find_element(By.ID, "f-region")).select_by_visible_text("Tây Bắc")
        _follow(browser, browser.find_element(By.ID, "f-apply"))
        assert "region=T%C3%A2y+B%E1%BA%AFc" in browser.current_url
        codes = [a.text for a in browser.find_elements(By.CSS_SELECTOR,
                                                        "#t-agencies tbody td a")]
        assert codes == ["ha-son"]

        # a control, from the most common gaps
        link = browser.find_element(By.CSS_SELECTOR, "#t-gaps tbody td a")
        control = link.text
        _follow(browser, link)
        assert control in browser.find_element(By.TAG_NAME, "h1").text
        assert browser.find_elements(By.CSS_SELECTOR, "#t-failing tbody tr td a")
        _shot(browser, "control")

        # an agency, and its gap report
        browser.get(url + "/nation")
        _follow(browser, browser.find_element(By.LINK_TEXT, "song-lam"))
        assert "song-lam" in browser.find_element(By.TAG_NAME, "h1").text
        assert browser.find_elements(By.CSS_SELECTOR, "#t-submissions tbody tr")
        _shot(browser, "agency")
        _follow(browser, browser.find_element(By.ID, "latest-report"))
        assert "song-lam" in browser.page_source
        assert browser.execute_script("return typeof window.egovPwned") == "undefined"

        # English, remembered from then on
        browser.get(url + "/nation")
        _follow(browser, browser.find_element(By.LINK_TEXT, "English"))
        assert browser.find_element(By.TAG_NAME, "h1").text == "Nation"
        browser.get(url + "/agency/ha-son")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"

        # a table as a spreadsheet
        browser.get(url + "/nation")
        browser.find_element(By.CSS_SELECTOR, "#t-agencies caption a[href*='.xlsx']").click()
        download = tmp_path / "downloads" / "agencies.xlsx"
        deadline = time.monotonic() + 20
        while not download.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        from openpyxl import load_workbook

        sheet = load_workbook(download, read_only=True).active
        assert sheet is not None
        codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert codes == set(AGENCIES)
    finally:
        browser.quit()


def test_an_agency_sees_only_its_own(served: dict[str, Any], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    url = served["url"]
    for agency in AGENCIES:  # whichever test runs first
        run_cli("submit", url, str(served["signed"][agency]))
    browser = chromium(tmp_path / "profile", loopback=True)
    try:
        _login(browser, url, "song-lam-it")
        assert browser.current_url.endswith("/agency/song-lam")
        assert "song-lam" in browser.find_element(By.TAG_NAME, "h1").text
        for path in ("/agency/ha-son", "/agency/ha-son/report", "/nation",
                     "/api/v1/agencies/ha-son/history", "/control/HOST-SSH-01", "/admin"):
            browser.get(url + path)
            assert "ha-son" not in browser.find_element(By.TAG_NAME, "body").text \
                or path == "/api/v1/agencies/ha-son/history", path
            assert "Ha Son" not in browser.page_source, path
    finally:
        browser.quit()

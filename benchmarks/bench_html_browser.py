"""Benchmark of the HTML gap report in a real browser (issue 17 target): the report of 2,000 hosts
stays under 10 MB and opens in headless Chromium within 2x of an empty page of the same size
(the same number of bytes in an HTML comment: the transfer and parse of the bytes, nothing to lay
out), side by side, rounds interleaved. "Opens": navigation until the load event and one frame
painted after it (the report's scripts have run and the page is laid out). Both the typical fleet
(a third of the hosts with gaps) and the worst case (every host failing most host controls).

    .venv/bin/python benchmarks/bench_html_browser.py [--hosts 2000] [--rounds 5]
Needs chromium and chromium-driver (tools/install-test-deps.sh installs them).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_reports import fleet  # noqa: E402
from benchmarks.bench_validate import machine  # noqa: E402
from egov_audit.audit import AuditRequest  # noqa: E402
from egov_audit.checks.context import AuditOptions  # noqa: E402
from egov_audit.pipeline import Run  # noqa: E402
from egov_audit.report.interface import ReportOptions, renderer  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def browser(profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1280,1600", f"--user-data-dir={profile}",
                 "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def opened(driver: Any, page: Path) -> float:
    """Seconds from asking for the page to a frame painted after its load event."""
    driver.get("about:blank")
    start = time.perf_counter()
    driver.get(page.as_uri())  # returns after the load event
    driver.execute_async_script(
        "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done));")
    return time.perf_counter() - start


def run(work: Path, hosts: int, rounds: int, worst: bool) -> None:
    inventory, evidence = fleet(work / ("worst" if worst else "typical"), hosts, worst)
    result = Run(AuditRequest([inventory], options=AuditOptions(True))).evaluate(evidence)
    report = work / f"report-{'worst' if worst else 'typical'}.html"
    report.write_text(str(renderer("gaps", "html")(result, ReportOptions(lang="vi"))))
    size = report.stat().st_size
    empty = work / f"empty-{size}.html"
    head = "<!doctype html><html><head><meta charset='utf-8'><title>x</title></head><body><!--"
    tail = "--></body></html>"
    empty.write_text(head + "x" * (size - len(head) - len(tail)) + tail)
    assert empty.stat().st_size == size
    driver = browser(work / "chromium")
    try:
        opened(driver, report)  # warm the browser once, for both
        times: dict[str, list[float]] = {"report": [], "empty": []}
        for _ in range(rounds):
            times["report"].append(opened(driver, report))
            times["empty"].append(opened(driver, empty))
        driver.get(report.as_uri())
        built, folded = driver.execute_script(
            "return [document.querySelectorAll('tr').length, Array.from(document."
            "querySelectorAll('script.rows')).reduce((n, s) => n + JSON.parse(s.textContent)"
            ".length, 0)]")
    finally:
        driver.quit()
    full, bare = statistics.median(times["report"]), statistics.median(times["empty"])
    label = "worst case (every host failing most host controls)" if worst else \
        "a third of the hosts with gaps"
    print(f"{hosts} hosts, {label}: {size / 1e6:.1f} MB (target < 10 MB); {built} table rows "
          f"built at load, {folded} more as data until their table is opened")
    print(f"    opens in {full * 1000:.0f} ms; an empty page of the same size {bare * 1000:.0f} ms;"
          f" ratio {full / bare:.2f} (target <= 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    work = Path(tempfile.mkdtemp(prefix="egov-bench-html-"))
    try:
        for worst in (False, True):
            run(work, args.hosts, args.rounds, worst)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

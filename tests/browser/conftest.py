"""A real headless Chromium for the browser tests, with no network but the loopback: any
fetch of something else would fail loudly."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# as root (CI), `make test` installs Chromium: a missing browser then fails, never skips
BROWSER_MARKS = [pytest.mark.browser,
                 pytest.mark.skipif(os.geteuid() != 0 and not (os.path.exists(CHROMIUM)
                                                               and os.path.exists(CHROMEDRIVER)),
                                    reason="needs chromium and chromium-driver (make test "
                                           "installs them as root; CI runs as root)")]


def chromium(profile: Path, downloads: Path | None = None, loopback: bool = False) -> Any:
    """`loopback`: pages of a server on 127.0.0.1 may be fetched (the national service);
    otherwise nothing at all is."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,1600",
                 f"--user-data-dir={profile}",
                 "--proxy-server=http://127.0.0.1:9"):  # no network: any fetch fails loudly
        options.add_argument(flag)
    if not loopback:  # the loopback too goes to the proxy that is not there
        options.add_argument("--proxy-bypass-list=<-loopback>")
    if downloads is not None:
        options.add_experimental_option("prefs", {
            "download.default_directory": str(downloads), "download.prompt_for_download": False})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = chromium(tmp_path_factory.mktemp("chromium"))
    try:
        yield driver
    finally:
        driver.quit()

"""Benchmark of the national service: a store of 700 agencies with 8 quarters of history each
(signed version 2 bundles of a judged fleet, each agency its own code, kind, region and scores
per quarter), served by `egov-audit serve` on the loopback over PostgreSQL.

    .venv/bin/python benchmarks/bench_serve.py [--agencies 700] [--quarters 8] [--hosts 10]

Issue 32's targets: the national overview rendered server-side in < 300 ms (the median of
GET /nation by a logged-in inspector, through the real server: the questions, the charts and
the page), interactive in Chromium in < 1 s (the navigation's domInteractive); and intake
throughput printed as a ratio to `collect` of the same bundles (one more quarter for every
agency, submitted at once to two instances, beside `collect` into a database of its own).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_reports import fleet  # noqa: E402
from benchmarks.bench_validate import machine  # noqa: E402
from egov_audit.audit import AuditRequest  # noqa: E402
from egov_audit.bundle import write_bundle  # noqa: E402
from egov_audit.checks.context import AuditOptions  # noqa: E402
from egov_audit.models import Agency, Bundle  # noqa: E402
from egov_audit.pipeline import Run  # noqa: E402
from egov_audit.sign import keygen, load_private, sign_v2  # noqa: E402
from egov_audit.store import open_store  # noqa: E402
from tests.service import PASSWORD, REGIONS, Served  # noqa: E402

PAGE_TARGET, INTERACTIVE_TARGET = 0.300, 1.0


def quarter_start(now: datetime, back: int) -> datetime:
    """The middle of the quarter `back` quarters before now's."""
    index = now.year * 4 + (now.month - 1) // 3 - back
    return datetime(index // 4, (index % 4) * 3 + 1, 15, 9, 0, tzinfo=UTC)


def make_nation(work: Path, agencies: int, quarters: int, hosts: int
                ) -> tuple[list[list[Path]], Path]:
    """Per quarter (oldest first), each agency's signed bundle; and the key registry."""
    inventory, evidence = fleet(work / "fleet", hosts, worst=False)
    run = Run(AuditRequest([inventory], options=AuditOptions(True), workers=1))
    (base,) = run.evaluate(evidence).bundles
    registry = work / "registry"
    registry.mkdir()
    keys = []
    for i in range(agencies):
        private, public = keygen(work / "keys", f"dv-{i:04d}")
        shutil.copy(public, registry / f"dv-{i:04d}.pub")
        keys.append(load_private(private))
    now = datetime.now(UTC)
    by_quarter = []
    for back in range(quarters, -1, -1):  # one more than the history: the intake run
        when = quarter_start(now, back) if back else now - timedelta(minutes=5)
        folder = work / f"q{back}"
        folder.mkdir()
        paths = []
        for i in range(agencies):
            code = f"dv-{i:04d}"
            kind = "province" if i % 3 else "ministry"
            agency = Agency(code, base.agency.name, kind, base.baseline, base.level,
                            REGIONS[i % len(REGIONS)])
            # each agency improving at its own pace: a score that moves across quarters
            overall = round(min(99.0, 30 + (i * 37) % 50 + (quarters - back) * (1 + i % 4)), 1)
            bundle: Bundle = replace(base, agency=agency, started_at=when.isoformat(),
                                     finished_at=when.isoformat(),
                                     scores=replace(base.scores, overall=overall))
            unsigned = io.BytesIO()
            write_bundle(unsigned, bundle)
            path = folder / f"{code}.json"
            with path.open("wb") as out:
                sign_v2(unsigned.getvalue().splitlines(keepends=True), code, keys[i], out)
            paths.append(path)
        by_quarter.append(paths)
    return by_quarter, registry


def collect(db: str, paths: list[Path], registry: Path) -> float:
    exe = Path(sys.executable).parent / "egov-audit"
    start = time.perf_counter()
    proc = subprocess.run([str(exe), "collect", *map(str, paths), "--db", db, "--keys",
                           str(registry)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return time.perf_counter() - start


def register(db: str, registry: Path) -> None:
    from egov_audit.serve.auth import hash_password

    with open_store(db) as store:
        for pub in sorted(registry.glob("*.pub")):
            store.add_key(pub.stem, pub.read_text(), "bench")
        store.add_account("thanh-tra", "inspector", None, hash_password(PASSWORD), "bench")


class Session:
    """An inspector's session over plain HTTP on the loopback: its cookies kept by hand (a
    cookie jar would not send the service's Secure cookies to http://, as Chromium does for
    127.0.0.1), redirects not followed."""

    def __init__(self, url: str) -> None:
        self.url, self.cookies = url, {}
        page = self.get("/login").decode()
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert token
        form = urllib.parse.urlencode({"csrf": token.group(1), "account": "thanh-tra",
                                       "password": PASSWORD}).encode()
        assert self.request("/login", form).status == 303

    def request(self, path: str, data: bytes | None = None) -> http.client.HTTPResponse:
        parts = urllib.parse.urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request("POST" if data is not None else "GET", path, body=data, headers=headers)
        answer = conn.getresponse()
        answer.body = answer.read()  # type: ignore[attr-defined]
        for value in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return answer

    def get(self, path: str) -> bytes:
        answer = self.request(path)
        assert answer.status == 200, (path, answer.status)
        return bytes(answer.body)  # type: ignore[attr-defined]


def page_times(url: str, path: str, rounds: int = 21) -> list[float]:
    session = Session(url)
    session.get(path)  # warm: the catalogue and templates loaded once
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        body = session.get(path)
        times.append(time.perf_counter() - start)
    assert b"t-agencies" in body or b"t-submissions" in body or b"t-failing" in body
    return sorted(times)


def interactive(url: str, work: Path, rounds: int = 5) -> list[float]:
    from selenium.webdriver.common.by import By

    from tests.browser.conftest import chromium

    browser = chromium(work / "profile", loopback=True)
    try:
        browser.get(url + "/login")
        browser.find_element(By.ID, "account").send_keys("thanh-tra")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "login").click()
        times = []
        for _ in range(rounds):
            browser.get(url + "/nation")
            times.append(browser.execute_script(
                "return performance.getEntriesByType('navigation')[0].domInteractive") / 1000)
        return sorted(times)
    finally:
        browser.quit()


async def submit_all(urls: list[str], paths: list[Path], concurrency: int = 48) -> float:
    import httpx2

    limit = asyncio.Semaphore(concurrency)
    async with httpx2.AsyncClient(timeout=300) as client:
        async def one(index: int, path: Path) -> None:
            async with limit:
                answer = await client.post(urls[index % len(urls)] + "/api/v1/bundles",
                                           content=path.read_bytes())
                assert answer.status_code == 201, answer.text

        start = time.perf_counter()
        await asyncio.gather(*(one(i, p) for i, p in enumerate(paths)))
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agencies", type=int, default=700)
    parser.add_argument("--quarters", type=int, default=8)
    parser.add_argument("--hosts", type=int, default=10, help="hosts per agency")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    from tests import pg

    if not pg.available():
        sys.exit("PostgreSQL's binaries are needed (make test-deps installs them)")
    work = Path(tempfile.mkdtemp(prefix="egov-bench-serve-"))
    server = pg.PostgresServer()
    instances: list[Served] = []
    try:
        start = time.perf_counter()
        by_quarter, registry = make_nation(work, args.agencies, args.quarters, args.hosts)
        history, latest = by_quarter[:-1], by_quarter[-1]
        print(f"{args.agencies} agencies x {args.quarters} quarters of signed bundles "
              f"({args.hosts} hosts each) made in {time.perf_counter() - start:.0f} s")
        db = server.new_database()
        for paths in history:
            collect(db, paths, registry)
        register(db, registry)
        with open_store(db) as store:
            count = store.execute("SELECT COUNT(*) FROM bundles").fetchone()[0]
        print(f"store: {count:,} bundles in PostgreSQL")
        instances = [Served(db, work / "a.log"), Served(db, work / "b.log")]
        url = instances[0].url
        for path in ("/nation", "/agency/dv-0001", "/control/HOST-SSH-01"):
            times = page_times(url, path)
            print(f"  GET {path}: median {statistics.median(times) * 1000:.0f} ms, slowest "
                  f"{times[-1] * 1000:.0f} ms (server-side, {len(times)} requests)")
            if path == "/nation":
                nation_median = statistics.median(times)
        seen = interactive(url, work)
        print(f"  /nation interactive in Chromium: median {statistics.median(seen) * 1000:.0f} "
              f"ms (domInteractive, {len(seen)} loads)")
        seconds = asyncio.run(submit_all([i.url for i in instances], latest))
        other = server.new_database()
        collected = collect(other, latest, registry)
        print(f"  intake of {len(latest)} bundles at once (2 instances): {seconds:.1f} s "
              f"({len(latest) / seconds:.0f}/s); collect of the same: {collected:.1f} s "
              f"({len(latest) / collected:.0f}/s); service/collect throughput "
              f"{collected / seconds:.2f}x")
        print(f"  targets: overview < {PAGE_TARGET * 1000:.0f} ms "
              f"({'met' if nation_median < PAGE_TARGET else 'NOT met'}), interactive < "
              f"{INTERACTIVE_TARGET:.0f} s "
              f"({'met' if statistics.median(seen) < INTERACTIVE_TARGET else 'NOT met'})")
    finally:
        for instance in instances:
            instance.stop()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("EGOV_AUDIT_LANG", "en")
    main()

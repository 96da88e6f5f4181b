"""The national service under the nation's load, on the loopback only, bounded in requests
and time: 700 agencies submitting at once to two instances over one PostgreSQL (nothing lost,
each answer correct, throughput printed beside `collect` of the same bundles), while slow and
oversized uploads go on beside them; then the faults: PostgreSQL restarted in the middle
(submissions in flight answered 503 with Retry-After, `egov-audit submit` retries, nothing lost
or stored twice) and a server instance killed in the middle (every 201 it gave is in the
store)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from egov_audit.store import open_store
from tests.helpers import bundle_dict, run_long, signed_samples
from tests.service import Served, synthetic_agencies

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

AGENCIES = 700
CONCURRENCY = 48  # submissions in flight at once, across both instances
LOAD_SECONDS = 600  # the whole load must end within this


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("nation")
    signed_samples(work, ("song-lam",))
    document = bundle_dict((work / "song-lam.json").read_bytes())
    agencies = synthetic_agencies(document, AGENCIES, work / "bundles")
    registry = work / "registry"
    registry.mkdir()
    for code, _, pem in agencies:
        (registry / f"{code}.pub").write_text(pem)
    return {"work": work, "agencies": agencies, "registry": registry}


def _register(db: str, agencies: list[tuple[str, Path, str]]) -> None:
    with open_store(db) as store:
        for code, _, pem in agencies:
            store.add_key(code, pem, "test")


@pytest.fixture
def two(postgres: Any, nation: dict[str, Any], tmp_path: Path) -> Iterator[list[Served]]:
    db = postgres.new_database()
    _register(db, nation["agencies"])
    instances = [Served(db, tmp_path / "a.log", "--connections", "8"),
                 Served(db, tmp_path / "b.log", "--connections", "8")]
    try:
        yield instances
    finally:
        for instance in instances:
            instance.stop()


async def _submit_all(urls: list[str], files: list[Path], retry: bool = False,
                      on_answer: Any = None) -> list[tuple[Path, int, str]]:
    """Each file POSTed once (round robin over the instances); with `retry`, a 503 or a
    refused connection is sent again, to the other instance, after a short wait."""
    limit = asyncio.Semaphore(CONCURRENCY)
    answers: list[tuple[Path, int, str]] = []
    async with httpx2.AsyncClient(timeout=120) as client:
        async def one(index: int, path: Path) -> None:
            body = path.read_bytes()
            async with limit:
                for attempt in range(40):
                    url = urls[(index + attempt) % len(urls)]
                    try:
                        answer = await client.post(url + "/api/v1/bundles", content=body)
                    except httpx2.TransportError:
                        if not retry:
                            raise
                        await asyncio.sleep(0.25)
                        continue
                    if answer.status_code == 503 and retry:
                        assert answer.headers.get("retry-after"), "a 503 says when to retry"
                        await asyncio.sleep(0.25)
                        continue
                    outcome = answer.json().get("outcome", "")
                    answers.append((path, answer.status_code, outcome))
                    if on_answer is not None:
                        on_answer(len(answers))
                    return
                raise AssertionError(f"{path.name}: never answered")

        await asyncio.wait_for(asyncio.gather(*(one(i, p) for i, p in enumerate(files))),
                               LOAD_SECONDS)
    return answers


class SlowUpload(threading.Thread):
    """A client sending its bundle a few bytes at a time (a provincial link at its worst)."""

    def __init__(self, port: int, size: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.size, self.stop = port, size, stop
        self.sent = 0

    def run(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as conn:
            conn.sendall(b"POST /api/v1/bundles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/octet-stream\r\n"
                         + f"Content-Length: {self.size}\r\n\r\n".encode())
            while not self.stop.is_set() and self.sent < self.size:
                conn.sendall(b"{")
                self.sent += 1
                time.sleep(0.05)


def test_700_agencies_at_once_beside_slow_and_oversized_uploads(
        two: list[Served], nation: dict[str, Any], postgres: Any) -> None:
    files = [path for _, path, _ in nation["agencies"]]
    stop = threading.Event()
    slow = [SlowUpload(instance.port, 1_000_000, stop) for instance in two for _ in range(3)]
    for upload in slow:
        upload.start()
    try:
        # an oversized upload is refused at once, before its body is read
        with socket.create_connection(("127.0.0.1", two[0].port), timeout=30) as conn:
            conn.sendall(b"POST /api/v1/bundles HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Length: 314572800\r\n\r\n")
            head = conn.recv(4096)
        assert head.startswith(b"HTTP/1.1 413"), head[:100]

        started = time.perf_counter()
        answers = asyncio.run(_submit_all([i.url for i in two], files))
        service_seconds = time.perf_counter() - started
        assert all(upload.is_alive() for upload in slow), "the slow uploads were still going"
    finally:
        stop.set()
    assert len(answers) == AGENCIES
    assert {(status, outcome) for _, status, outcome in answers} == {(201, "stored")}
    with open_store(two[0].db) as store:
        table = store.national_table()
    assert sorted(r["code"] for r in table) == sorted(c for c, _, _ in nation["agencies"])
    assert all(r["submissions"] == 1 for r in table)

    # the same bundles through `collect`, into a database of their own
    other = postgres.new_database()
    started = time.perf_counter()
    proc = run_long("collect", *map(str, files), "--db", other, "--keys",
                    str(nation["registry"]))
    collect_seconds = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr[-2000:]
    print(f"\n{AGENCIES} bundles: service (2 instances, {CONCURRENCY} in flight) "
          f"{service_seconds:.1f} s ({AGENCIES / service_seconds:.0f}/s); collect "
          f"{collect_seconds:.1f} s ({AGENCIES / collect_seconds:.0f}/s); service/collect "
          f"throughput {collect_seconds / service_seconds:.2f}x")


def test_a_postgresql_restart_loses_nothing(two: list[Served], nation: dict[str, Any],
                                            postgres: Any, tmp_path: Path) -> None:
    """`egov-audit submit` (the real client, retrying) while PostgreSQL is restarted."""
    import subprocess
    import sys

    files = [path for _, path, _ in nation["agencies"][:60]]
    processes = []
    for index, path in enumerate(files):
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "egov_audit", "submit", two[index % 2].url, str(path),
             "--retries", "10", "--lang", "en"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        if index == 20:
            postgres.restart()  # in the middle: some are in flight, some not yet sent
    results = [(p.communicate(timeout=300), p.returncode) for p in processes]
    assert all(code == 0 for _, code in results), [r for r in results if r[1]][:3]
    said = "".join(err for (_, err), _ in results)
    # in flight when the database went away: answered 503 (with Retry-After), sent again
    assert "answered 503" in said, said[-2000:]
    outcomes = [out.split()[0] for (out, _), _ in results]
    assert set(outcomes) <= {"stored", "duplicate"}
    with open_store(two[0].db) as store:
        table = store.national_table()
    assert len(table) == len(files) and all(r["submissions"] == 1 for r in table)


def test_a_killed_instance_loses_no_accepted_submission(two: list[Served],
                                                        nation: dict[str, Any]) -> None:
    files = [path for _, path, _ in nation["agencies"][:200]]
    killed = threading.Event()

    def on_answer(count: int) -> None:
        if count == 60 and not killed.is_set():
            killed.set()
            two[0].kill()  # SIGKILL, mid-stream: no goodbye

    answers = asyncio.run(_submit_all([i.url for i in two], files, retry=True,
                                      on_answer=on_answer))
    assert killed.is_set()
    accepted = {path.stem for path, status, _ in answers if status == 201}
    assert {status for _, status, _ in answers} <= {200, 201}
    with open_store(two[1].db) as store:
        stored = {r["code"]: r["submissions"] for r in store.national_table()}
    assert accepted <= set(stored), "a 201 was given for a bundle not in the store"
    assert set(stored) == {p.stem for p in files} and set(stored.values()) == {1}

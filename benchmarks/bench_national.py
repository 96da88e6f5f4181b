"""Benchmark of national collection: signed agency bundles (version 2, each with its packed
inventory and evidence) collected into SQLite and into PostgreSQL (results as rows), then the
national questions and a re-scoring of the whole store; wall time and peak memory of each
command.

    .venv/bin/python benchmarks/bench_national.py [--agencies 700] [--hosts 50000] [--rescore]

Issue 31's targets: 5,000 bundles (--agencies 5000 --hosts 20000) into PostgreSQL within 2x of
merely reading the same bundles through the gate and verifying their signatures (printed beside
it, a new process as collect is); on 700 agencies of 50,000 hosts, the national table and "the
agencies failing a control" in < 200 ms each, and `rescore` printed with its time and cores.
PostgreSQL: a throwaway server from Debian's binaries (as in the tests), when available.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_reports import fleet  # noqa: E402
from benchmarks.bench_validate import machine  # noqa: E402
from egov_audit.audit import AuditRequest  # noqa: E402
from egov_audit.bundle import record, write_bundle  # noqa: E402
from egov_audit.checks.context import AuditOptions  # noqa: E402
from egov_audit.inputs import pack  # noqa: E402
from egov_audit.models import Agency  # noqa: E402
from egov_audit.pipeline import Run  # noqa: E402
from egov_audit.sign import keygen, load_private, sign_v2  # noqa: E402
from egov_audit.store import Store, open_store  # noqa: E402
from egov_audit.workers import default_workers  # noqa: E402


def make_bundles(work: Path, agencies: int, hosts: int) -> tuple[list[Path], Path, int]:
    """`agencies` signed version 2 bundles of about hosts/agencies hosts each (one fleet judged
    once, given to each agency under its own code, kind, region and score), each signed with
    its packed inventory and evidence (so that the store can be re-scored)."""
    per_agency = max(1, hosts // agencies)
    inventory, evidence = fleet(work / "fleet", per_agency, worst=False)
    run = Run(AuditRequest([inventory], options=AuditOptions(True), workers=1))
    (base,) = run.evaluate(evidence).bundles
    packed = pack(inventory, evidence)
    agency_file = "group_vars/all/agency.yml"
    registry = work / "registry"
    registry.mkdir()
    (work / "bundles").mkdir()
    paths = []
    for i in range(agencies):
        code = f"agency-{i:04d}"
        private, public = keygen(work / "keys", code)
        shutil.copy(public, registry / f"{code}.pub")
        kind = "province" if i % 3 else "ministry"
        agency = Agency(code, base.agency.name, kind, base.baseline, base.level,
                        f"region-{i % 6}")
        bundle = replace(base, agency=agency, scores=replace(
            base.scores, overall=round(40 + (i * 37) % 60, 1)))
        unsigned = io.BytesIO()
        write_bundle(unsigned, bundle)
        inputs = {**packed, "inventory_files": {
            **packed["inventory_files"], agency_file: packed["inventory_files"][agency_file]
            .replace("code: compliant", f"code: {code}").replace("kind: ministry",
                                                                 f"kind: {kind}")}}
        path = work / "bundles" / f"{code}.json"
        with path.open("wb") as out:
            sign_v2(unsigned.getvalue().splitlines(keepends=True), code,
                    load_private(private), out, [record({"inputs": inputs})])
        paths.append(path)
    base_hosts = sum(1 for t in base.targets if t.kind == "host")
    return paths, registry, base_hosts * agencies


def collect(db: str, paths: list[Path], registry: Path) -> tuple[float, float, float]:
    """Wall seconds, peak resident memory (MB) and CPU seconds of one collect command (its own:
    the children this process waited for before, a rescore's workers, are not counted)."""
    exe = Path(sys.executable).parent / "egov-audit"
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen([str(exe), "collect", *map(str, paths), "--db", db, "--keys",
                                 str(registry)], stdout=subprocess.PIPE, stderr=errors)
        assert proc.stdout is not None
        stdout = proc.stdout.read().decode()  # to its end; the process is waited for here
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        assert proc.returncode == 0, errors.read()[-2000:]
    assert stdout.count("stored ") == len(paths)
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


# the floor `collect` is compared with: each bundle merely read through the bundle gate (record
# by record) and its signature verified against the key registry, in a new process as
# `collect` is: what collect does but storing it
_VERIFY_ONLY = """
import sys
from pathlib import Path
from egov_audit.bundle import checked_v2
from egov_audit.sign import KeyRegistry, TrustError, verify_v2
registry = KeyRegistry.from_dir(Path(sys.argv[1]))
for name in sys.argv[2:]:
    verify_v2(checked_v2(Path(name), TrustError), registry)
"""


def verify_only(paths: list[Path], registry: Path) -> tuple[float, float]:
    """Wall and CPU seconds of the floor."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", _VERIFY_ONLY, str(registry), *map(str, paths)],
                   check=True, cwd=REPO)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def server_cpu(data: Path) -> float:
    """CPU seconds the PostgreSQL server has used so far: its postmaster and live processes,
    and the backends that have ended (a parent's waited-for children's times). It runs on the
    same two cores as collect here, so its share says what a server of its own would take."""
    tick = os.sysconf("SC_CLK_TCK")
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        pid, ppid = int(entry.name), int(fields[1])
        if pid == postmaster:
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        elif ppid == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def timed(db: str, question: Callable[[Store], Any], rounds: int = 5) -> float:
    """Median seconds of one national question, the store already open."""
    times = []
    with open_store(db) as store:
        for _ in range(rounds):
            start = time.perf_counter()
            answer = question(store)
            times.append(time.perf_counter() - start)
    assert answer
    return statistics.median(times)


def questions(db: str) -> str:
    table = timed(db, lambda store: (store.national_table(), store.common_gaps()))
    failing = timed(db, lambda store: store.failing("HOST-SSH-01"))
    rate = timed(db, lambda store: store.pass_rate("HOST-SSH-01", by_region=True))
    with open_store(db) as store:
        rows = store.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    return (f"{rows:,} result rows; national table {table * 1000:.0f} ms, agencies failing "
            f"HOST-SSH-01 {failing * 1000:.0f} ms, its pass rate by month and region "
            f"{rate * 1000:.0f} ms (target < 200 ms)")


def rescore_store(db: str) -> str:
    exe = Path(sys.executable).parent / "egov-audit"
    start = time.perf_counter()
    proc = subprocess.run([str(exe), "rescore", "--db", db, "--policies", str(REPO / "policies"),
                           "-f", "json"], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr[-2000:]
    agencies = json.loads(proc.stdout)["agencies"]
    return f"rescore of {len(agencies)} agencies: {seconds:.1f} s on {default_workers()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agencies", type=int, default=700)
    parser.add_argument("--hosts", type=int, default=50_000)
    parser.add_argument("--rescore", action="store_true",
                        help="re-score the SQLite store against the bundled policies")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), action="append",
                        help="collect into this database only (repeatable; default: both)")
    args = parser.parse_args()
    args.only = args.only or ["sqlite", "postgresql"]
    print(f"machine: {machine()}")
    work = Path(tempfile.mkdtemp(prefix="egov-bench-national-"))
    try:
        paths, registry, hosts = make_bundles(work, args.agencies, args.hosts)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"{len(paths)} signed version 2 bundles, {hosts} hosts, {size:.0f} MB (with "
              "their packed inventories and evidence)")
        # each collect beside its floor measured just before it (with PostgreSQL's new,
        # idle server up): a floor measured after a collect would share the machine with the
        # server's checkpoint and autovacuum of what was just written
        if "sqlite" in args.only:
            floor, _ = verify_only(paths, registry)
            print(f"  read and verify the signatures only: {floor:.1f} s")
            db = str(work / "national.db")
            seconds, peak, _ = collect(db, paths, registry)
            print(f"  SQLite:     collect {seconds:.1f} s (ratio {seconds / floor:.2f}, peak "
                  f"RSS {peak:.0f} MB)")
            print(f"    {questions(db)}")
            if args.rescore:
                print(f"    {rescore_store(db)}")
        sys.path.insert(0, str(REPO))
        from tests import pg

        if "postgresql" in args.only and pg.available():
            server = pg.PostgresServer()
            try:
                url = server.new_database()
                floor, floor_cpu = verify_only(paths, registry)
                print(f"  read and verify the signatures only: {floor:.1f} s ({floor_cpu:.1f} s "
                      "of CPU)")
                served = server_cpu(server.data)
                seconds, peak, cpu = collect(url, paths, registry)
                served = server_cpu(server.data) - served
                print(f"  PostgreSQL: collect {seconds:.1f} s (ratio {seconds / floor:.2f}, peak "
                      f"RSS {peak:.0f} MB; target <= 2)")
                print(f"    {questions(url)}")
                print(f"    CPU on the same {os.cpu_count()} cores: collect {cpu:.1f} s (ratio "
                      f"{cpu / floor_cpu:.2f} to the floor's), the PostgreSQL server "
                      f"{served:.1f} s")
            finally:
                server.stop()
        print("  targets: PostgreSQL collect within 2x of reading and verifying (5,000 "
              "bundles), questions < 200 ms, memory < 500 MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("EGOV_AUDIT_LANG", "en")
    main()

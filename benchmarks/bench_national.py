"""Benchmark of national collection (issue 5 targets): 700 signed agency bundles (10,000 hosts in
all) collected into SQLite and into PostgreSQL, and the national table query; wall time and peak
memory of the collect command (targets: collect < 60 s, table < 1 s, memory < 500 MB).

    .venv/bin/python benchmarks/bench_national.py [--agencies 700] [--hosts 10000]

Issue 17's scale: --agencies 5000 --hosts 20000, collect within 3x of merely reading the same
bundles and verifying their signatures (printed beside it, a new process as collect is).
PostgreSQL: a throwaway server from Debian's binaries (as in the tests), when available.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_reports import fleet  # noqa: E402
from benchmarks.bench_validate import machine  # noqa: E402
from egov_audit.audit import AuditRequest  # noqa: E402
from egov_audit.bundle import bundle_to_dict  # noqa: E402
from egov_audit.checks.context import AuditOptions  # noqa: E402
from egov_audit.pipeline import Run  # noqa: E402
from egov_audit.sign import keygen, load_private, sign  # noqa: E402
from egov_audit.store import open_store  # noqa: E402


def make_bundles(work: Path, agencies: int, hosts: int) -> tuple[list[Path], Path, int]:
    per_agency = max(1, hosts // agencies)
    inventory, evidence = fleet(work / "fleet", per_agency, worst=False)
    run = Run(AuditRequest([inventory], options=AuditOptions(True)))
    base = bundle_to_dict(run.evaluate(evidence).bundles[0])
    registry = work / "registry"
    registry.mkdir()
    paths = []
    extra = hosts - per_agency * agencies  # spread the rest over the first agencies
    for i in range(agencies):
        code = f"agency-{i:04d}"
        private, public = keygen(work / "keys", code)
        shutil.copy(public, registry / f"{code}.pub")
        data = {**base, "agency": {**base["agency"], "code": code,
                                   "kind": "province" if i % 3 else "ministry",
                                   "region": f"region-{i % 6}"},
                "scores": {**base["scores"], "overall": round(40 + (i * 37) % 60, 1)}}
        if i < extra:  # one more host's results, so that the fleet adds up to `hosts`
            data["targets"] = [*data["targets"], {"id": "extra01", "kind": "host",
                                                  "status": "assessed"}]
        path = work / "bundles" / f"{code}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(sign(data, load_private(private))))
        paths.append(path)
    base_hosts = sum(1 for t in base["targets"] if t["kind"] == "host")
    return paths, registry, base_hosts * agencies + max(0, extra)


def collect(db: str, paths: list[Path], registry: Path) -> tuple[float, float, float]:
    """Wall seconds, peak resident memory (MB) and CPU seconds of one collect command."""
    exe = Path(sys.executable).parent / "egov-audit"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([str(exe), "collect", *map(str, paths), "--db", db, "--keys",
                           str(registry)], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count("stored ") == len(paths)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, max(after.ru_maxrss, before.ru_maxrss) / 1024, cpu


# the floor `collect` is compared with: each bundle merely read with Python's JSON reader and its
# signature verified against the key registry, in a new process as `collect` is
_VERIFY_ONLY = """
import json, sys
from pathlib import Path
from egov_audit.sign import KeyRegistry, verify
registry = KeyRegistry.from_dir(Path(sys.argv[1]))
for name in sys.argv[2:]:
    with open(name, 'rb') as handle:
        verify(json.load(handle), registry)
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


def table(db: str, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        with open_store(db) as store:
            start = time.perf_counter()
            rows = store.national_table()
            store.common_gaps()
            times.append(time.perf_counter() - start)
    assert rows
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agencies", type=int, default=700)
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"), action="append",
                        help="collect into this database only (repeatable; default: both)")
    args = parser.parse_args()
    args.only = args.only or ["sqlite", "postgresql"]
    print(f"machine: {machine()}")
    work = Path(tempfile.mkdtemp(prefix="egov-bench-national-"))
    try:
        paths, registry, hosts = make_bundles(work, args.agencies, args.hosts)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"{len(paths)} signed bundles, {hosts} hosts, {size:.0f} MB of JSON")
        # each collect beside its floor measured just before it (with PostgreSQL's new,
        # idle server up): a floor measured after a collect would share the machine with the
        # server's checkpoint and autovacuum of what was just written
        if "sqlite" in args.only:
            floor, _ = verify_only(paths, registry)
            print(f"  read and verify the signatures only: {floor:.1f} s")
            seconds, peak, _ = collect(str(work / "national.db"), paths, registry)
            print(f"  SQLite:     collect {seconds:.1f} s (ratio {seconds / floor:.2f}, peak "
                  f"RSS {peak:.0f} MB), national table "
                  f"{table(str(work / 'national.db')) * 1000:.0f} ms")
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
                      f"RSS {peak:.0f} MB), national table {table(url) * 1000:.0f} ms")
                print(f"    CPU on the same {os.cpu_count()} cores: collect {cpu:.1f} s (ratio "
                      f"{cpu / floor_cpu:.2f} to the floor's), the PostgreSQL server "
                      f"{served:.1f} s")
            finally:
                server.stop()
        print("  targets: collect < 60 s (700 bundles), within 3x of reading and verifying "
              "(5,000), table < 1 s, memory < 500 MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("EGOV_AUDIT_LANG", "en")
    main()

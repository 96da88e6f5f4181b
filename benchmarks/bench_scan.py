"""Benchmark of `egov-audit scan` over SSH against the lab (root only): wall time of a whole scan
(collection + evaluation + report) of the lab's servers, median of several runs, and the time per
host the collection module itself reports.

    sudo .venv/bin/python benchmarks/bench_scan.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.bench_validate import machine  # noqa: E402
from egov_audit import lab  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    work = Path(tempfile.mkdtemp(prefix="egov-bench-scan-"))
    started = lab.up(lab.SERVERS, work / "lab")
    exe = Path(sys.executable).parent / "egov-audit"
    try:
        times, module_seconds = [], []
        for run in range(args.runs):
            evidence = work / f"evidence-{run}"
            start = time.perf_counter()
            proc = subprocess.run([str(exe), "scan", str(started.inventory), "--evidence",
                                   str(evidence), "-f", "json", "-o", str(work / "r.json"),
                                   "--fail-on", "none"], capture_output=True, text=True,
                                  check=False)
            times.append(time.perf_counter() - start)
            assert proc.returncode == 0, proc.stderr
            for bundle in evidence.glob("*.json"):
                module_seconds.append(json.loads(bundle.read_text())["collector"]["seconds"])
        print(f"scan of {len(started.hosts)} lab hosts over SSH (forks 10): median "
              f"{statistics.median(times):.2f} s over {args.runs} runs "
              f"(min {min(times):.2f}, max {max(times):.2f})")
        print(f"collection module on a host: median {statistics.median(module_seconds):.2f} s")
    finally:
        lab.down(started.state)


if __name__ == "__main__":
    main()

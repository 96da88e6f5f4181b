"""This tree against an earlier commit, side by side in one run, rounds interleaved, as ratios.
Issue 10 (the trust gates: no regression beyond 10%) and issue 11 (the restructured catalogue,
the check vocabulary, the registries: no slower) are measured with it:

(a) a cold `validate` of one agency (a new process each run);
(b) `evaluate` of saved evidence for 5,000 hosts, in process (every fact bundle now goes through
    the strict JSON reader);
(c) the human reports of 1,000 hosts (HTML, Markdown, XLSX, CSV), worst case (every host
    failing most host controls), in process (every cell and line through the sanitisers);
(d) reading a result bundle back (`report`: the strict reader and the bundle gate), in process.

    .venv/bin/python benchmarks/bench_gates.py [--base e2dde16] [--rounds 5]

The earlier commit is checked out with `git worktree` into a temporary folder and imported from
there (PYTHONPATH), with the same Python and dependencies.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _worker(task: str, inventory: str, evidence: str, bundle: str) -> dict[str, float]:
    """Runs inside the tree being measured (PYTHONPATH): times one task, in process."""
    import gc

    from egov_audit.audit import AuditRequest, evaluate
    from egov_audit.checks.context import AuditOptions

    request = AuditRequest([Path(inventory)], options=AuditOptions(True))
    if task == "evaluate":
        gc.collect()
        start = time.perf_counter()
        evaluate(request, Path(evidence))
        return {"evaluate": time.perf_counter() - start}
    if task == "read":
        from egov_audit.bundle import read_result_set

        start = time.perf_counter()
        read_result_set(Path(bundle))
        return {"read": time.perf_counter() - start}
    from egov_audit.report.interface import ReportOptions

    try:  # one interface for every subject (issue 30)
        from egov_audit.report.interface import renderer

        def render(fmt: str) -> object:
            return renderer("gaps", fmt)(result, ReportOptions(lang="vi"))
    except ImportError:  # trees before the one rendering registry
        from egov_audit.report import REPORTERS  # type: ignore[attr-defined,no-redef]

        def render(fmt: str) -> object:
            return REPORTERS[fmt].render(result, ReportOptions(lang="vi"))

    result = evaluate(request, Path(evidence))
    out = {}
    for fmt in ("html", "markdown", "xlsx", "csv"):
        start = time.perf_counter()
        render(fmt)
        out[fmt] = time.perf_counter() - start
    return out


def _run_worker(tree: Path, task: str, inventory: Path, evidence: Path,
                bundle: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--worker", task, str(inventory),
                           str(evidence), str(bundle)], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(tree)})
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _cold(tree: Path, out: Path) -> dict[str, float]:
    """Wall time, and the CPU time of the process (user + system): on a shared machine the
    CPU time is the steadier of the two."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "egov_audit", "validate",
                    str(REPO / "inventories/song-lam"), "--fail-on", "none", "-f", "json", "-o",
                    str(out)], check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {"cold validate": wall, "cold validate cpu": cpu}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        print(json.dumps(_worker(*sys.argv[2:6])))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="e2dde16", help="the earlier commit (default: the "
                        "last one before the trust gates)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=15)
    parser.add_argument("--only", choices=["cold", "evaluate", "reports", "read"],
                        action="append", help="measure only these (default: all)")
    args = parser.parse_args()
    only = set(args.only or ["cold", "evaluate", "reports", "read"])

    sys.path.insert(0, str(REPO))
    from benchmarks.bench_reports import fleet
    from benchmarks.bench_scan import _a_third_with_gaps, write_fleet
    from benchmarks.bench_validate import machine

    work = Path(tempfile.mkdtemp(prefix="egov-bench-gates-"))
    base = work / "base"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(base),
                    args.base], check=True)
    trees = {"before": base, "now": REPO}
    try:
        print(f"machine: {machine()}")
        print(f"before: {args.base}, now: the working tree; rounds interleaved")
        (work / "big").mkdir()
        (work / "reports").mkdir()
        big_inv, big_ev = write_fleet(work / "big", 5000, _a_third_with_gaps)
        rep_inv, rep_ev = fleet(work / "reports", 1000, worst=True)
        bundle = work / "bundle.json"
        subprocess.run([sys.executable, "-m", "egov_audit", "evaluate", str(big_inv),
                        "--evidence", str(big_ev), "--documentation-as-public", "-f", "json",
                        "-o", str(bundle), "--fail-on", "none"], check=True, cwd=REPO)
        times: dict[str, dict[str, list[float]]] = {t: {} for t in trees}

        def add(tree: str, values: dict[str, float]) -> None:
            for key, value in values.items():
                times[tree].setdefault(key, []).append(value)

        for _ in range(args.cold_runs if "cold" in only else 0):
            for name, tree in trees.items():
                add(name, _cold(tree, work / f"cold-{name}.json"))
        for _ in range(args.rounds):
            for name, tree in trees.items():
                for task in ("evaluate", "reports", "read"):
                    if task in only:
                        add(name, _run_worker(tree, task, big_inv if task != "reports" else
                                              rep_inv, big_ev if task != "reports" else rep_ev,
                                              bundle))
        labels = {"cold validate": "(a) validate song-lam, cold, a new process",
                  "cold validate cpu": "(a) the same, CPU time of the process",
                  "evaluate": "(b) evaluate 5,000 hosts' evidence, in process",
                  "html": "(c) HTML report, 1,000 hosts, worst case",
                  "markdown": "(c) Markdown report, same", "xlsx": "(c) XLSX report, same",
                  "csv": "(c) CSV report, same",
                  "read": f"(d) read a {bundle.stat().st_size >> 20} MB bundle back"}
        print(f"{'what':<48} {'before':>8} {'now':>8} {'ratio':>7}")
        for key, text in labels.items():
            if key not in times["now"]:
                continue
            before = statistics.median(times["before"][key])
            now = statistics.median(times["now"][key])
            print(f"{text:<48} {before:>7.3f}s {now:>7.3f}s {now / before:>7.2f}")
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)],
                       check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

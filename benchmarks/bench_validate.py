"""Benchmarks of `egov-audit validate` (issue 2 targets), printed as a table:

(a) validate on a sample province inventory, cold start included (a new process each run),
    side by side with `ansible-inventory --list` of the same inventory and `python -c pass`
    (the floor): target a ratio validate / ansible-inventory <= 0.3.
(b) a generated national plan (700 agencies, 100,000 prefixes):
    - overlap and containment checks (NET-IP-03, NET-IP-04 per agency, NET-IP-05 across all,
      the specialized network's private space included): target under 0.5 s;
    - the whole validate (load + schemas + every control + national checks) against merely
      loading the same files with PyYAML's C loader, side by side in one run (interleaved
      rounds): target a ratio under 3.

    python benchmarks/bench_validate.py [--runs 7] [--rounds 3] [--agencies 700] [--base DIR]

With --base DIR (a worktree of an earlier commit), (a) also runs that tree's validate beside
this one's, interleaved, and prints the ratio: a refactoring must not slow the cold start.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.gen_national import generate  # noqa: E402
from egov_audit.audit import AuditRequest, _gc_paused  # noqa: E402
from egov_audit.checks.context import AuditOptions, CheckContext, NationalContext  # noqa: E402
from egov_audit.checks.ip_plan import (  # noqa: E402
    national_overlap,
    subnet_overlap,
    subnets_within_blocks,
)
from egov_audit.checks.vocabulary import load_catalogue  # noqa: E402
from egov_audit.inventory import load_inventory  # noqa: E402
from egov_audit.pipeline import Run  # noqa: E402


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, " \
           f"PyYAML {yaml.__version__} (libyaml {yaml.__with_libyaml__})"


def cold_start(runs: int, inventory: str = "inventories/song-lam",
               base: Path | None = None) -> dict[str, list[float]]:
    """A new process each run, side by side: `egov-audit validate` of one agency, Ansible's own
    `ansible-inventory --list` of the same inventory (what CI users already run to check an
    inventory), and `python -c pass` (the floor). Runs interleaved; bytecode written as an
    installed package has it (a user's machine does not set PYTHONDONTWRITEBYTECODE); the first
    run of each, which fills egov-audit's cache and the bytecode, is not counted."""
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["ANSIBLE_LOCALHOST_WARNING"] = "False"
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "egov-audit validate": [str(bin_dir / "egov-audit"), "validate", inventory,
                                "--fail-on", "none"],
        "ansible-inventory --list": [str(bin_dir / "ansible-inventory"), "-i", inventory,
                                     "--list"],
    }
    envs = {name: env for name in commands}
    cwds = {name: REPO for name in commands}
    if base is not None:
        # the same command from another checkout (a worktree of the base commit), both run as
        # `python -m egov_audit` with the tree first on the path, interleaved
        for label, tree in (("validate, this tree", REPO), ("validate, base tree", base)):
            commands[label] = [sys.executable, "-m", "egov_audit", "validate",
                               str(REPO / inventory), "--fail-on", "none"]
            envs[label] = {**env, "PYTHONPATH": str(tree)}
            cwds[label] = tree  # `-m` puts the working directory first on the path
    times: dict[str, list[float]] = {name: [] for name in commands}
    for run in range(runs + 1):
        for name, command in commands.items():
            start = time.perf_counter()
            proc = subprocess.run(command, cwd=cwds[name], capture_output=True, env=envs[name],
                                  check=False)
            elapsed = time.perf_counter() - start
            assert proc.returncode == 0, (name, proc.stderr[-2000:])
            if run:
                times[name].append(elapsed)
    return times


def load_only(paths: list[Path]) -> int:
    """Merely load every YAML file of the inventories with the C loader."""
    values = 0
    for inv in paths:
        for path in sorted(inv.rglob("*.yml")):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            values += len(data) if data else 0
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--agencies", type=int, default=700)
    parser.add_argument("--prefixes", type=int, default=100_000)
    parser.add_argument("--cold-only", action="store_true", help="only (a)")
    parser.add_argument("--base", type=Path,
                        help="a checkout of the base commit (git worktree add DIR COMMIT): (a) "
                             "also runs its validate beside this tree's")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    times = cold_start(args.runs, base=args.base)
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"(a) cold start on inventories/song-lam, a new process each run, {args.runs} "
          f"interleaved runs, medians:")
    for name, median in medians.items():
        print(f"    {name:26} {median:.3f} s (min {min(times[name]):.3f})")
    ratio = medians["egov-audit validate"] / medians["ansible-inventory --list"]
    print(f"    ratio validate / ansible-inventory: {ratio:.2f} (target <= 0.3)")
    if args.base is not None:
        change = medians["validate, this tree"] / medians["validate, base tree"]
        fastest = min(times["validate, this tree"]) / min(times["validate, base tree"])
        print(f"    ratio this tree / base tree ({args.base}): {change:.2f} of the medians, "
              f"{fastest:.2f} of the fastest runs (target <= 1.0)")
    if args.cold_only:
        return

    data = HERE / ".data" / "national"
    prefixes = generate(data, args.agencies, args.prefixes)
    paths = sorted(p for p in data.iterdir() if p.is_dir())
    print(f"(b) generated {len(paths)} agencies, {prefixes} prefixes under {data}")

    policy = load_catalogue()
    options = AuditOptions(documentation_as_public=True)
    inventories = [load_inventory(p, set(policy.model("network")["roles"])) for p in paths]
    contexts = [CheckContext(inv, policy, inv.agency.baseline, inv.agency.level, options)
                for inv in inventories]
    national = NationalContext(contexts, policy, options)
    controls = {c.id: c for c in policy.controls}
    check_times = []
    for _ in range(args.rounds):
        # as inside validate: with the cyclic GC paused while the node trees are alive
        with _gc_paused():
            start = time.perf_counter()
            for ctx in contexts:
                subnets_within_blocks(ctx, controls["NET-IP-03"], {})
                subnet_overlap(ctx, controls["NET-IP-04"], {})
            findings = national_overlap(national, controls["NET-IP-05"], {})
            check_times.append(time.perf_counter() - start)
    assert findings[0].status.value == "fail"  # the planted cross-agency overlaps are found
    assert "172.16.114.0/24" in findings[0].observed.en  # the TSLCD space handed out twice
    print(f"    overlap + containment checks: median {statistics.median(check_times):.3f} s "
          f"(target < 0.5 s)")
    del inventories, contexts, national

    load_times, validate_times, cli_times = [], [], []
    request = AuditRequest(paths, options=options)
    exe = Path(sys.executable).parent / "egov-audit"
    out = HERE / ".data" / "national.json"
    for _ in range(args.rounds):
        gc.collect()
        start = time.perf_counter()
        proc = subprocess.run([str(exe), "validate", *map(str, paths), "-f", "json", "-o",
                               str(out), "--documentation-as-public", "--fail-on", "none"],
                              capture_output=True, check=False)
        cli_times.append(time.perf_counter() - start)
        assert proc.returncode == 0, proc.stderr
        gc.collect()
        start = time.perf_counter()
        load_only(paths)
        load_times.append(time.perf_counter() - start)
        gc.collect()
        run = Run(request)
        # as the command line runs it: the cyclic collector off for the whole command (a run
        # keeps its inventories for its next steps: with the collector on, its first pass after
        # the audit would walk 700 inventories' node trees, half a second for nothing)
        gc.disable()
        start = time.perf_counter()
        result_set = run.validate()
        validate_times.append(time.perf_counter() - start)
        gc.enable()
        del run
        assert result_set.national is not None and len(result_set.bundles) == len(paths)
        del result_set
    load_median = statistics.median(load_times)
    validate_median = statistics.median(validate_times)
    print(f"    PyYAML CSafeLoader load only: median {load_median:.2f} s")
    print(f"    whole validate (in process):   median {validate_median:.2f} s")
    print(f"    ratio validate / load: {validate_median / load_median:.2f} (target < 3)")
    cli_median = statistics.median(cli_times)
    print(f"    the same as a command (start-up, JSON report of {out.stat().st_size >> 20} MB "
          f"written): median {cli_median:.2f} s, ratio {cli_median / load_median:.2f}")


if __name__ == "__main__":
    main()

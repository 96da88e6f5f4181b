"""Benchmarks of remediation (issue 6), printed as a table:

(a) `egov-audit fix --apply --yes` (preview in check mode, apply, re-scan) on lab hosts with
    every classic gap (weak profile, each in its own network namespace so that the firewall fix
    runs too), against the same three steps run by hand (`ansible-playbook --check --diff`,
    `ansible-playbook --diff`, `egov-audit scan`), rounds alternating on fresh labs: the ratio is
    what egov-audit's orchestration costs. Then the second, idempotent apply. Root only.
(b) planning and writing the playbook for a bundle of many failing hosts, in process.

    sudo .venv/bin/python benchmarks/bench_fix.py [--rounds 3] [--lab-hosts 4] [--hosts 1000]
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
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_scan import write_fleet  # noqa: E402
from benchmarks.bench_validate import machine  # noqa: E402
from egov_audit import __version__, lab  # noqa: E402
from egov_audit.audit import AuditRequest  # noqa: E402
from egov_audit.checks.context import AuditOptions  # noqa: E402
from egov_audit.checks.vocabulary import load_catalogue  # noqa: E402
from egov_audit.collection import assemble  # noqa: E402
from egov_audit.fix import plan_fixes, read_agency_plan, render_playbook  # noqa: E402
from egov_audit.inventory import load_inventory  # noqa: E402
from egov_audit.pipeline import Run  # noqa: E402

BIN = Path(sys.executable).parent


def _lab_hosts(count: int) -> tuple[lab.LabHost, ...]:
    return tuple(lab.LabHost(f"weak{i:02d}", f"198.18.5.{4 * i + 2}", "weak", "db", "database",
                             netns=True) for i in range(count))


def _fresh_lab(work: Path, count: int) -> tuple[lab.Lab, Path]:
    """A new lab of weak hosts, scanned: returns it and the bundle of its gaps."""
    started = lab.up(_lab_hosts(count), work / "lab")
    network = started.inventory / "group_vars/all/network.yml"
    plan = json.loads(network.read_text())
    next(z for z in plan["network"]["zones"] if z["name"] == "db")["subnets"].append(
        "198.18.5.0/24")
    network.write_text(json.dumps(plan, indent=2))
    bundle = work / "before.json"
    _run([BIN / "egov-audit", "scan", started.inventory, "--evidence", work / "ev", "-f", "json",
          "-o", bundle, "--fail-on", "none"])
    # fix re-evaluates the evidence a bundle was made from; an apply's re-scan replaces `ev`
    shutil.copytree(work / "ev", work / "ev-before")
    return started, bundle


def _run(argv: list[object], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run([str(a) for a in argv], capture_output=True, text=True, env=env,
                          check=False, timeout=1800)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[0]} failed: {proc.stderr[-2000:]}{proc.stdout[-2000:]}")
    return elapsed


def apply_on_lab(rounds: int, count: int) -> None:
    by_tool, by_hand, second = [], [], []
    for round_ in range(2 * rounds):
        work = Path(tempfile.mkdtemp(prefix="egov-bench-fix-"))
        env = {**os.environ, "ANSIBLE_HOME": str(work / "ansible-home"),
               "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")}
        started, bundle = _fresh_lab(work, count)
        try:
            if round_ % 2 == 0:
                by_tool.append(_run([BIN / "egov-audit", "fix", bundle, "--apply", "--yes",
                                     "--allow-controller", "--inventory",
                                     started.inventory, "--evidence", work / "ev", "-o",
                                     work / "fix.yml"], env))
                second.append(_run([BIN / "egov-audit", "fix", bundle, "--apply", "--yes",
                                    "--allow-controller", "--inventory",
                                    started.inventory, "--evidence", work / "ev-before"], env))
            else:
                _run([BIN / "egov-audit", "fix", bundle, "--allow-controller", "--inventory",
                      started.inventory,
                      "--evidence", work / "ev", "-o", work / "fix.yml"])
                playbook = [BIN / "ansible-playbook", "-i", started.inventory, work / "fix.yml"]
                # by hand, the operator has the egov.audit collection installed
                env["ANSIBLE_COLLECTIONS_PATH"] = str(work / "collections")
                assemble(work / "collections", __version__)
                by_hand.append(_run([*playbook, "--check", "--diff"], env)
                               + _run([*playbook, "--diff"], env)
                               + _run([BIN / "egov-audit", "scan", started.inventory,
                                       "--evidence", work / "ev2", "-f", "json", "-o",
                                       work / "after.json", "--fail-on", "none"], env))
        finally:
            lab.down(started.state)
            shutil.rmtree(work, ignore_errors=True)
    tool, hand = statistics.median(by_tool), statistics.median(by_hand)
    print(f"(a) {count} weak lab hosts (about 30 fixes each), {rounds} rounds each, alternating:")
    print(f"    by hand: ansible-playbook --check, ansible-playbook, scan: median {hand:.1f} s")
    print(f"    egov-audit fix --apply --yes (the same three steps):     median {tool:.1f} s")
    print(f"    ratio fix / by hand: {tool / hand:.2f}")
    again = statistics.median(second)
    print(f"    second apply (preview + apply, 0 changes): median {again:.1f} s")


def _every_host_with_gaps(index: int, facts: dict[str, Any]) -> None:
    facts["sshd"].update(permitrootlogin="yes", passwordauthentication="yes",
                         x11forwarding="yes", maxauthtries=10)
    facts["firewall"]["active"] = False
    facts["services"]["insecure"] = ["telnet"]


def plan_many(hosts: int, rounds: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="egov-bench-plan-"))
    try:
        inventory, evidence = write_fleet(work, hosts, _every_host_with_gaps)
        policy = load_catalogue()
        result = Run(AuditRequest([inventory], options=AuditOptions(True)),
                     policy).evaluate(evidence).bundles[0]
        agency = read_agency_plan(load_inventory(inventory))
        times, fixes = [], 0
        for _ in range(rounds):
            start = time.perf_counter()
            plan = plan_fixes(result, policy, agency, max_age_days=None)
            text = render_playbook(plan, policy, "bench.json")
            times.append(time.perf_counter() - start)
            fixes = sum(len(v) for v in plan.hosts.values())
        print(f"(b) plan and write the playbook for {hosts} failing hosts ({fixes} fixes, "
              f"{len(text) >> 10} KB): median {statistics.median(times):.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lab-hosts", type=int, default=4)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--skip-lab", action="store_true", help="only (b), no root needed")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    if not args.skip_lab:
        apply_on_lab(args.rounds, args.lab_hosts)
    plan_many(args.hosts, max(1, args.rounds))


if __name__ == "__main__":
    main()

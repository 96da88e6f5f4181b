"""Benchmarks of host audits (issue 3 targets), printed as a table:

(a) `egov-audit scan` (collection over SSH and evaluation) of 10 lab hosts with a real server's
    package state against plain `ansible all -m setup` on the same hosts, interleaved in one run
    (root only: the lab): target a ratio <= 1.5, stretch <= 1.0. Beside it, the pending-updates
    query the old way (`apt-get -s upgrade`) and the new (`apt list --upgradable`) on one host.
(b) `egov-audit evaluate` of saved evidence for 5,000 hosts: target under 10 s.

(c) 50 such lab hosts scanned straight from here and through two worker nodes (ansible-runner
    streaming over SSH), against `ansible -m setup` on the same hosts.

    sudo .venv/bin/python benchmarks/bench_scan.py [--rounds 5] [--hosts 5000] [--only a]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_validate import machine  # noqa: E402
from egov_audit import lab  # noqa: E402
from egov_audit.audit import AuditRequest  # noqa: E402
from egov_audit.checks.context import AuditOptions  # noqa: E402
from egov_audit.pipeline import Run  # noqa: E402

# ten application servers with a real Debian server's package state: the machine's own package
# lists, apt's binary cache on and built (lab profile `server`)
BENCH_HOSTS = tuple(lab.LabHost(f"srv{i:02d}", f"127.0.1.{110 + i}", "server", "servers",
                                "application") for i in range(10))


def _ssh_seconds(state: Path, host: str, command: str) -> float:
    start = time.perf_counter()
    subprocess.run(["ssh", "-F", str(state / "ssh_config"), host, command],
                   capture_output=True, check=True)
    return time.perf_counter() - start


def scan_vs_setup(rounds: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="egov-bench-scan-"))
    started = lab.up(BENCH_HOSTS, work / "lab")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "ANSIBLE_HOME": str(work / "ansible-home"),
           "ANSIBLE_HOST_KEY_CHECKING": "True", "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")}
    setup_times, scan_times, module_times = [], [], []
    simulate_times, list_times = [], []
    host = BENCH_HOSTS[0].name
    try:
        for round_ in range(rounds):
            start = time.perf_counter()
            proc = subprocess.run([str(bin_dir / "ansible"), "all", "-i", str(started.inventory),
                                   "-m", "setup", "-f", "10"], capture_output=True, env=env,
                                  check=False)
            setup_times.append(time.perf_counter() - start)
            assert proc.returncode == 0, proc.stdout[-2000:]
            evidence = work / f"ev{round_}"
            start = time.perf_counter()
            proc = subprocess.run([str(bin_dir / "egov-audit"), "scan", str(started.inventory),
                                   "--evidence", str(evidence), "--forks", "10",
                                   "-f", "json", "-o", str(work / "r.json"), "--fail-on", "none"],
                                  capture_output=True, env=env, check=False)
            scan_times.append(time.perf_counter() - start)
            assert proc.returncode == 0, proc.stderr[-2000:]
            module_times += [json.loads(p.read_text())["collector"]["seconds"]
                             for p in evidence.glob("*.json")]
            # the pending-updates query on one host, the old way and the new, over the same SSH
            simulate_times.append(_ssh_seconds(started.state, host, (
                "apt-get -s -o Debug::NoLocking=true upgrade >/dev/null")))
            list_times.append(_ssh_seconds(started.state, host,
                                           "apt list --upgradable >/dev/null 2>&1"))
        pending = json.loads((work / "ev0" / f"{host}.json").read_text())["facts"]["updates"]
    finally:
        lab.down(started.state)
        shutil.rmtree(work, ignore_errors=True)
    setup, scan = statistics.median(setup_times), statistics.median(scan_times)
    simulate, listing = statistics.median(simulate_times), statistics.median(list_times)
    print(f"(a) {len(BENCH_HOSTS)} lab hosts with a real server's package state "
          f"({pending['pending']} upgradable, {pending['security_pending']} from security, "
          f"cache {pending['package_cache']}), over SSH, forks 10, {rounds} interleaved rounds:")
    print(f"    ansible all -m setup:           median {setup:.2f} s")
    print(f"    egov-audit scan (collect+eval): median {scan:.2f} s")
    print(f"    ratio scan / setup: {scan / setup:.2f} (target <= 1.5, stretch <= 1.0)")
    print(f"    egov_host_facts on a host (its own clock): median "
          f"{statistics.median(module_times):.2f} s")
    print(f"    on one host over SSH: apt-get -s upgrade {simulate:.2f} s, apt list --upgradable "
          f"{listing:.2f} s (ratio {listing / simulate:.2f})")


def through_nodes(count: int, rounds: int) -> None:
    """(c) `count` servers (a real server's package state) scanned straight from here and
    through two worker nodes (half each), against `ansible -m setup` on the same hosts."""
    nodes = tuple(lab.LabHost(name, f"127.0.7.{i + 1}", "worker", "servers", "jump_host")
                  for i, name in enumerate(("node-a", "node-b")))
    servers = tuple(lab.LabHost(f"s{i:03d}", f"127.0.7.{10 + i}", "server", "servers",
                                "application", worker=nodes[i % 2].name) for i in range(count))
    work = Path(tempfile.mkdtemp(prefix="egov-bench-nodes-"))
    started = lab.up(nodes + servers, work / "lab")
    direct = lab.direct_inventory(started, work / "direct")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "ANSIBLE_HOME": str(work / "ansible-home"),
           "ANSIBLE_HOST_KEY_CHECKING": "True", "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")}
    only_servers = "!node-a,!node-b"
    times: dict[str, list[float]] = {"setup": [], "direct": [], "nodes": []}
    try:
        for round_ in range(rounds):
            for name, command in (
                    ("setup", [str(bin_dir / "ansible"), "all", "-i", str(direct), "-m", "setup",
                               "-f", "20", "--limit", only_servers.replace(",", ":")]),
                    ("direct", [str(bin_dir / "egov-audit"), "scan", str(direct), "--limit",
                                only_servers, "--forks", "20", "--evidence",
                                str(work / f"d{round_}"), "-f", "json", "-o",
                                str(work / "d.json"), "--fail-on", "none"]),
                    ("nodes", [str(bin_dir / "egov-audit"), "scan", str(started.inventory),
                               "--limit", only_servers, "--forks", "10", "--evidence",
                               str(work / f"n{round_}"), "-f", "json", "-o",
                               str(work / "n.json"), "--fail-on", "none"])):
                start = time.perf_counter()
                proc = subprocess.run(command, capture_output=True, env=env, check=False)
                times[name].append(time.perf_counter() - start)
                assert proc.returncode == 0, (name, proc.stdout[-1000:], proc.stderr[-2000:])
            collected = [json.loads(p.read_text())["status"] for p in (work / f"n{round_}").glob(
                "s*.json")]
            assert collected.count("collected") == count, collected
    finally:
        lab.down(started.state)
        shutil.rmtree(work, ignore_errors=True)
    setup, straight, via = (statistics.median(times[k]) for k in ("setup", "direct", "nodes"))
    print(f"(c) {count} lab hosts with a real server's package state, {rounds} interleaved "
          f"rounds, medians:")
    print(f"    ansible all -m setup -f 20:                     {setup:.2f} s")
    print(f"    egov-audit scan --forks 20, from here:          {straight:.2f} s "
          f"(ratio {straight / setup:.2f})")
    print(f"    egov-audit scan through two worker nodes (forks 10 on each): {via:.2f} s "
          f"(ratio {via / setup:.2f})")


def write_fleet(work: Path, hosts: int,
                gaps: Callable[[int, dict[str, Any]], None]) -> tuple[Path, Path]:
    """An inventory of `hosts` servers and their saved evidence: the hardened fixture's facts,
    changed by `gaps(index, facts)`. Returns the inventory and the evidence folder."""
    inventory = work / "inv"
    shutil.copytree(REPO / "tests/fixtures/inventories/compliant", inventory)
    lines = ["all:", "  hosts:"]
    template = (REPO / "tests/fixtures/evidence/hardened.json").read_text()
    evidence = work / "evidence"
    evidence.mkdir()
    for i in range(hosts):
        name = f"srv{i:05d}"
        address = f"10.50.10.{i % 250 + 1}"
        lines.append(f"    {name}: {{zone: servers, role: application, "
                     f"ansible_host: {address}}}")
        bundle = json.loads(template.replace("HOST", name).replace("ADDRESS", f"{address}/24"))
        gaps(i, bundle["facts"])
        (evidence / f"{name}.json").write_text(json.dumps(bundle))
    (inventory / "hosts.yml").write_text("\n".join(lines) + "\n")
    return inventory, evidence


def _a_third_with_gaps(index: int, facts: dict[str, Any]) -> None:
    if index % 3 == 0:
        facts["sshd"]["permitrootlogin"] = "yes"
        facts["firewall"]["active"] = False


def evaluate_many(hosts: int, rounds: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="egov-bench-eval-"))
    try:
        inventory, evidence = write_fleet(work, hosts, _a_third_with_gaps)
        request = AuditRequest([inventory], options=AuditOptions(True))
        times = []
        for _ in range(rounds):
            gc.collect()
            start = time.perf_counter()
            result = Run(request).evaluate(evidence)
            times.append(time.perf_counter() - start)
        count = len(result.bundles[0].results)
        cli_times = []
        exe = Path(sys.executable).parent / "egov-audit"
        for _ in range(rounds):
            start = time.perf_counter()
            proc = subprocess.run([str(exe), "evaluate", str(inventory), "--evidence",
                                   str(evidence), "-f", "json", "-o", str(work / "r.json"),
                                   "--documentation-as-public", "--fail-on", "none"],
                                  capture_output=True, check=False)
            cli_times.append(time.perf_counter() - start)
            assert proc.returncode == 0, proc.stderr[-2000:]
        size = (work / "r.json").stat().st_size >> 20
        print(f"(b) evaluate saved evidence of {hosts} hosts ({count} results), {rounds} rounds:")
        print(f"    in process: median {statistics.median(times):.2f} s (target < 10 s)")
        print(f"    as a command writing a {size} MB JSON bundle: median "
              f"{statistics.median(cli_times):.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hosts", type=int, default=5000)
    parser.add_argument("--skip-lab", action="store_true", help="only (b), no root needed")
    parser.add_argument("--nodes-hosts", type=int, default=50,
                        help="(c): lab hosts scanned directly and through worker nodes (0: skip)")
    parser.add_argument("--only", choices=("a", "b", "c"), action="append",
                        help="run only these parts (repeatable)")
    args = parser.parse_args()
    parts = set(args.only or ("a", "b", "c"))
    print(f"machine: {machine()}")
    if not args.skip_lab and "a" in parts:
        scan_vs_setup(args.rounds)
    if "b" in parts:
        evaluate_many(args.hosts, max(1, args.rounds // 2))
    if not args.skip_lab and "c" in parts and args.nodes_hosts:
        through_nodes(args.nodes_hosts, max(1, args.rounds // 2 + 1))


if __name__ == "__main__":
    main()

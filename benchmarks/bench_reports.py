"""Benchmark of the human reports (issue 4 target): a gap report of 1,000 hosts x the full
catalogue rendered to HTML in under 5 s, the file under 10 MB. Markdown, XLSX and CSV are timed
alongside for reference.

    .venv/bin/python benchmarks/bench_reports.py [--hosts 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_validate import machine  # noqa: E402
from egov_audit.audit import AuditRequest  # noqa: E402
from egov_audit.checks.context import AuditOptions  # noqa: E402
from egov_audit.pipeline import Run  # noqa: E402
from egov_audit.report.interface import ReportOptions, renderer  # noqa: E402

WEAK = {"sshd": {"permitrootlogin": "yes", "passwordauthentication": "yes", "maxauthtries": 9,
                 "x11forwarding": "yes", "port": [22], "logingracetime": 120,
                 "access_restricted": False, "idle_timeout_s": 0},
        "login_defs": {"pass_max_days": 99999, "pass_min_days": 0, "encrypt_method": "MD5"},
        "pwquality": {"pam_enabled": False, "minlen": 6, "minclass": 1, "remember": 0},
        "lockout": {"configured": False, "deny": 0, "unlock_time": 0},
        "firewall": {"active": False}, "time_sync": {"active": False, "servers": []},
        "logging": {"forwarding": [], "retention_days": 28}, "auditd": {"running": False,
                                                                       "rules": 0},
        "session": {"tmout": None}, "antimalware": {"present": False}}


def fleet(work: Path, hosts: int, worst: bool) -> tuple[Path, Path]:
    """An agency of `hosts` servers with saved evidence: a third of them with typical gaps, or
    (worst) every one of them failing most host controls."""
    inventory = work / "inv"
    shutil.copytree(REPO / "tests/fixtures/inventories/compliant", inventory)
    template = (REPO / "tests/fixtures/evidence/hardened.json").read_text()
    evidence = work / "evidence"
    evidence.mkdir()
    lines = ["all:", "  hosts:"]
    for i in range(hosts):
        name, address = f"srv{i:05d}", f"10.50.10.{i % 250 + 1}"
        lines.append(f"    {name}: {{zone: servers, role: application, ansible_host: {address}}}")
        bundle = json.loads(template.replace("HOST", name).replace("ADDRESS", f"{address}/24"))
        facts = bundle["facts"]
        if worst:
            for section, values in WEAK.items():
                facts[section].update(values)
        elif i % 3 == 0:
            facts["sshd"].update(permitrootlogin="yes", passwordauthentication="yes",
                                 maxauthtries=6)
            facts["firewall"]["active"] = False
            facts["login_defs"]["pass_max_days"] = 99999
            facts["updates"]["security_pending"] = i % 17
        if i % 50 == 0:  # and some that could not be assessed
            bundle = {"schema": bundle["schema"], "host": name, "status": "unreachable",
                      "reason": "ssh: connect to host: Connection timed out"}
        (evidence / f"{name}.json").write_text(json.dumps(bundle))
    (inventory / "hosts.yml").write_text("\n".join(lines) + "\n")
    return inventory, evidence


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for worst in (False, True):
        run(args.hosts, args.runs, worst)


def run(hosts: int, runs: int, worst: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="egov-bench-report-"))
    try:
        inventory, evidence = fleet(work, hosts, worst)
        result = Run(AuditRequest([inventory], options=AuditOptions(True))).evaluate(evidence)
        results = len(result.all_results())
        gaps = sum(1 for r in result.all_results() if r.status.value != "pass")
        case = "worst case, every host failing most host controls" if worst \
            else "a third of the hosts with gaps"
        controls = len({r.control for r in result.all_results()})
        print(f"{hosts} hosts, {case}: {results} results, {gaps} not passed "
              f"({controls} controls)")
        for fmt in ("html", "markdown", "xlsx", "csv"):
            times, size = [], 0
            for _ in range(runs):
                start = time.perf_counter()
                out = renderer("gaps", fmt)(result, ReportOptions(lang="vi"))
                times.append(time.perf_counter() - start)
                size = len(out.encode("utf-8") if isinstance(out, str) else out)
            target = " (target < 5 s, < 10 MB)" if fmt == "html" else ""
            print(f"  {fmt:<9} median {statistics.median(times):.2f} s, "
                  f"{size / 1e6:.1f} MB{target}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

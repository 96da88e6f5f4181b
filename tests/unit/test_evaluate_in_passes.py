"""An agency's hosts are judged a pass of a few hundred at a time (audit.HOSTS_PER_PASS), and
`evaluate -f json -o FILE` writes the result bundle as it is made: the verdicts must be the same
as judging every host at once, on every control case that reads host evidence, and the memory
held must not grow with the number of hosts."""

from __future__ import annotations

import json
import re
import tracemalloc
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from egov_audit import audit
from egov_audit.audit import AuditRequest, evaluate, evaluate_into
from egov_audit.bundle import read_result_set, result_set_to_dict
from egov_audit.checks.context import AuditOptions
from egov_audit.checks.evaluate import reads
from egov_audit.checks.vocabulary import load_catalogue
from egov_audit.evidence.kind import HOST_FACTS
from egov_audit.facility.kind import FACILITY_SNMP
from egov_audit.models import Severity
from egov_audit.policy import PolicySet
from tests.helpers import (
    FIXTURES,
    apply_patch,
    build_evidence,
    build_inventory,
    bundle_dict,
    run_cli,
)
from tests.unit.checks.test_catalogue import CASES, _case_id

# every case of a control that reads what hosts (and UPSes, room sensors) reported
SCANNED = {HOST_FACTS.name, FACILITY_SNMP.name}  # what a scan's evidence folder holds
EVIDENCE_CASES = [c for c in CASES if reads(load_catalogue().control(c["control"])) & SCANNED]


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    """A bundle without its clock times, its results in one order."""
    out = {k: v for k, v in data.items() if k not in ("started_at", "finished_at")}
    out["results"] = sorted(data["results"], key=lambda r: json.dumps(r, sort_keys=True))
    return out


def _agency(tmp_path: Path, case: dict[str, Any]) -> tuple[AuditRequest, Path]:
    patch = {k: case[k] for k in ("set", "delete", "append") if k in case}
    inventory = build_inventory(tmp_path / "agency", case.get("base", "compliant"), patch)
    evidence = build_evidence(tmp_path / "evidence", inventory, case.get("facts"),
                              case.get("target") if case.get("facts") else None,
                              case.get("evidence_status"), case.get("evidence_extra_hosts"),
                              case.get("facility"))
    request = AuditRequest([inventory], baseline=case.get("baseline"), level=case.get("level"),
                           options=AuditOptions(documentation_as_public=True))
    return request, evidence


def test_the_cases_cover_every_control_that_reads_host_evidence(policy: PolicySet) -> None:
    reading = {c.id for c in policy.controls if reads(c) & SCANNED}
    covered = {c["control"] for c in EVIDENCE_CASES}
    assert reading and not reading - covered, sorted(reading - covered)


@pytest.mark.parametrize("case", EVIDENCE_CASES, ids=_case_id)
def test_judging_in_passes_gives_the_verdicts_of_one_pass(case: dict[str, Any], tmp_path: Path,
                                                          policy: PolicySet,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    request, evidence = _agency(tmp_path, case)
    whole = _comparable(result_set_to_dict(evaluate(request, evidence, policy)))
    monkeypatch.setattr(audit, "HOSTS_PER_PASS", 1)
    in_passes = _comparable(result_set_to_dict(evaluate(request, evidence, policy)))
    assert in_passes == whole
    streamed = tmp_path / "streamed.json"
    evaluate_into(request, evidence, streamed, policy=policy)
    # the streamed file is a valid result bundle, read back like any other
    assert _comparable(result_set_to_dict(read_result_set(streamed))) == whole
    assert _comparable(bundle_dict(streamed.read_text())) == whole


def _fleet(root: Path, hosts: int) -> tuple[Path, Path]:
    """An agency of `hosts` servers with evidence from hardened.json, some of it with gaps, one
    bundle unreadable and one host unreachable."""
    inventory = build_inventory(root / "agency")
    lines = ["all:", "  hosts:"]
    template = (FIXTURES / "evidence" / "hardened.json").read_text()
    evidence = root / "evidence"
    evidence.mkdir()
    for i in range(hosts):
        name, address = f"srv{i:04d}", f"10.50.10.{i % 250 + 1}"
        lines.append(f"    {name}: {{zone: servers, role: application, ansible_host: {address}}}")
        bundle = bundle_dict(template.replace("HOST", name).replace("ADDRESS", f"{address}/24"))
        if i % 3 == 0:
            apply_patch(bundle, {"set": {"facts.sshd.permitrootlogin": "yes",
                                         "facts.firewall.active": False}})
        (evidence / f"{name}.json").write_text(json.dumps(bundle, indent=2))
    (evidence / "srv0001.json").write_text('{"schema": "egov-audit/fact-bundle@1", "host": ')
    (evidence / "srv0002.json").write_text(json.dumps({
        "schema": "egov-audit/fact-bundle@1", "host": "srv0002", "status": "unreachable",
        "reason": "ssh: connect to host: Connection timed out",
        "collected_at": "2026-12-01T00:00:00Z"}))
    (inventory / "hosts.yml").write_text("\n".join(lines) + "\n")
    return inventory, evidence


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _fleet(tmp_path_factory.mktemp("fleet"), 300)


def test_one_bad_bundle_among_many_loses_no_other_host(fleet: tuple[Path, Path],
                                                       tmp_path: Path, policy: PolicySet,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    inventory, evidence = fleet
    out = tmp_path / "bundle.json"
    tally = evaluate_into(AuditRequest([inventory], options=AuditOptions(True)), evidence, out,
                          policy=policy)
    data = bundle_dict(out.read_text())
    targets = {t["id"]: t for t in data["targets"] if t["kind"] == "host"}
    assert len(targets) == 300
    assert targets["srv0001"]["status"] == "failed" and "JSON" in targets["srv0001"]["reason"]
    assert targets["srv0002"]["status"] == "unreachable"
    assert sum(t["status"] == "assessed" for t in targets.values()) == 298
    ssh = {r["target"]: r["status"] for r in data["results"] if r["control"] == "HOST-SSH-01"}
    assert ssh["srv0003"] == "fail" and ssh["srv0004"] == "pass"
    assert ssh["srv0001"] == ssh["srv0002"] == "not_assessed"
    assert len(data["evidence_digests"]) == 299  # every bundle that was read, the bad one not
    assert tally.failing_at(Severity.HIGH) > 0 and data["scores"]["counts"]["fail"] > 0


def _peak(run: Any) -> int:
    """The most memory Python held at once while `run` ran."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_memory_held_does_not_grow_with_the_hosts(fleet: tuple[Path, Path],
                                                      tmp_path: Path, policy: PolicySet,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """In passes of 10 hosts, what four times the hosts add to the peak is the declared
    inventory, each host's status and its target record (facts and results are not held):
    less than half of what they add when all are judged at once and the results kept. (Hosts
    that share a configuration share their verdicts' texts, so keeping results costs less
    than it did; what keeping them still adds per host is the results themselves.)"""
    small = _fleet(tmp_path / "small", 75)
    large = fleet  # 300 hosts
    monkeypatch.setattr(audit, "HOSTS_PER_PASS", 10)
    streamed, kept = {}, {}
    for name, (inventory, evidence) in (("small", small), ("large", large)):
        request = AuditRequest([inventory], options=AuditOptions(True))
        streamed[name] = _peak(partial(evaluate_into, request, evidence, tmp_path / "out.json",
                                       policy=policy))
        kept[name] = _peak(partial(evaluate, request, evidence, policy))
    kept_growth = kept["large"] - kept["small"]
    assert kept["large"] > 2 * kept["small"], kept
    assert streamed["large"] - streamed["small"] < kept_growth / 2, (streamed, kept)
    assert streamed["large"] < kept["large"] * 0.6, (streamed, kept)


def test_the_streamed_bundle_goes_through_the_output_gate(fleet: tuple[Path, Path]) -> None:
    inventory, evidence = fleet
    inside = evidence / "srv0005.json"
    before = inside.read_bytes()
    proc = run_cli("evaluate", str(inventory), "--evidence", str(evidence),
                   "--documentation-as-public", "-f", "json", "-o", str(inside))
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "input" in proc.stderr
    assert inside.read_bytes() == before


def test_fail_on_is_decided_on_the_streamed_results(fleet: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    inventory, evidence = fleet
    out = tmp_path / "bundle.json"
    args = ["evaluate", str(inventory), "--evidence", str(evidence), "--documentation-as-public",
            "-f", "json", "-o", str(out)]
    failing = run_cli(*args, "--fail-on", "high")
    assert failing.returncode == 1, failing.stderr
    assert out.read_text().startswith('{"$schema":"egov-audit/result-bundle@2"')
    assert run_cli(*args, "--fail-on", "none").returncode == 0


def test_the_streamed_bundle_is_the_json_report_byte_for_byte(fleet: tuple[Path, Path],
                                                              tmp_path: Path) -> None:
    """The bundle `evaluate -o FILE` writes as its results are made is what `-f json` prints,
    the same records in the same order (their clock times aside)."""
    inventory, evidence = fleet
    out = tmp_path / "bundle.json"
    args = ["evaluate", str(inventory), "--evidence", str(evidence), "--documentation-as-public",
            "-f", "json", "--fail-on", "none"]
    printed = run_cli(*args)
    assert run_cli(*args, "-o", str(out)).returncode == 0
    text = out.read_text()
    assert text.startswith('{"$schema":"egov-audit/result-bundle@2"')

    def without_times(lines: str) -> list[str]:
        return [re.sub(r'"(started|finished)_at":"[^"]*"', "", line)
                for line in lines.splitlines()]

    assert without_times(text) == without_times(printed.stdout)
    assert _comparable(bundle_dict(text)) == _comparable(bundle_dict(printed.stdout))


def test_every_core_writes_the_bundle_one_process_writes(fleet: tuple[Path, Path],
                                                         tmp_path: Path) -> None:
    """The passes spread over worker processes (the command line: one thread, so it forks)
    give the same bundle, byte for byte, as one process (the clock times aside)."""
    inventory, evidence = fleet  # 300 hosts: two passes
    # a waiver of hosts in both passes: each worker counts what it waived, the parent adds up
    waivers = tmp_path / "waivers.yml"
    waivers.write_text(
        "waivers:\n  - control: HOST-SSH-01\n    targets: [srv0003, srv0006, srv0297]\n"
        "    justification: Replaced in the next quarter.\n    approved_by: The director\n"
        "    approved_on: '2026-01-01'\n    expires: '2099-12-31'\n")
    written = {}
    for workers in ("1", "2"):
        out = tmp_path / f"workers-{workers}.json"
        done = run_cli("evaluate", str(inventory), "--evidence", str(evidence),
                       "--documentation-as-public", "-f", "json", "-o", str(out),
                       "--fail-on", "none", "--workers", workers, "--waivers", str(waivers))
        assert done.returncode == 0, done.stderr
        written[workers] = re.sub(rb'"(started|finished)_at":"[^"]*"', b"", out.read_bytes())
    assert written["1"] == written["2"]
    assert written["1"].count(b'{"target":{"id":"srv0299",') == 1  # each target once
    data = bundle_dict((tmp_path / "workers-2.json").read_text())
    assert [w["applied_to"] for w in data["waivers"]] == [3]
    assert data["scores"]["counts"]["waived"] == 3


_SPREAD = """
import os, sys, threading
from egov_audit.workers import in_order
answers = list(in_order(lambda n: (n * n, os.getpid()), range(40), workers=2))
assert [square for square, _ in answers] == [n * n for n in range(40)]
assert os.getpid() not in {pid for _, pid in answers}, "forked workers did it"
assert list(in_order(lambda n: n + 1, [1], workers=4)) == [2]  # one item: no fork
def fails(n):
    if n == 7:
        raise ValueError("item 7")
    return n
try:
    list(in_order(fails, range(10), workers=2))
    sys.exit("no error")
except ValueError as exc:
    assert str(exc) == "item 7"
# another thread runs: nothing is forked, the items are worked through here
stop = threading.Event()
threading.Thread(target=stop.wait, daemon=True).start()
answers = list(in_order(lambda n: (n, os.getpid()), range(5), workers=2))
assert answers == [(n, os.getpid()) for n in range(5)]
stop.set()
print("ok")
"""


def test_work_spread_over_processes_comes_back_in_order() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _SPREAD], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr

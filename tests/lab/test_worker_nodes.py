"""`egov-audit scan` through worker nodes: the hosts of a segment name a node (`egov_worker`), the
node runs their collection as an ansible-runner job (transmit here, `ansible-runner worker`
there over SSH, process here: the protocol of AWX execution nodes), and the results stream back
into the same evidence folder and bundle. Two nodes each collect their own lab hosts, a third
node is down, a fourth loses its link midway; the verdicts equal those of a direct scan of the
same hosts. Root only."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from egov_audit import lab as lab_module
from tests.helpers import bundle_dict
from tests.helpers import run_long as run_cli
from tests.lab.conftest import StartLab

pytestmark = [pytest.mark.lab,
              pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root; CI runs as root")]

H = lab_module.LabHost
# 127.0.6.0/24: apart from the other labs
HOSTS = (
    H("node-a", "127.0.6.1", "worker", "servers", "jump_host"),
    H("node-b", "127.0.6.2", "worker", "servers", "jump_host"),
    H("node-c", "127.0.6.3", "worker", "servers", "jump_host", start=False),  # down
    # its link drops after the first host's bundle has come back
    H("node-d", "127.0.6.4", "worker", "servers", "jump_host", fault="cut"),
    H("seg-a1", "127.0.6.11", "hardened", "servers", "application", port=2222, worker="node-a"),
    H("seg-a2", "127.0.6.12", "weak", "servers", "database", worker="node-a"),
    H("seg-b1", "127.0.6.21", "typical", "servers", "application", worker="node-b"),
    H("seg-b2", "127.0.6.22", "unprivileged", "servers", "monitoring", user="audit",
      worker="node-b"),
    H("seg-c1", "127.0.6.31", "typical", "servers", "application", worker="node-c"),
    H("direct1", "127.0.6.41", "typical", "servers", "application"),
    H("seg-d1", "127.0.6.51", "typical", "servers", "application", worker="node-d"),
    H("seg-d2", "127.0.6.52", "typical", "servers", "application", worker="node-d"),
)
THROUGH_NODES = ("seg-a1", "seg-a2", "seg-b1", "seg-b2")


@pytest.fixture(scope="module")
def lab(start_lab: StartLab) -> lab_module.Lab:
    return start_lab("workers", HOSTS)


def _verdicts(data: dict[str, Any], hosts: tuple[str, ...]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {host: {} for host in hosts}
    for result in data["results"]:
        if result["target"] in out:
            out[result["target"]][result["control"]] = result["status"]
    return out


@pytest.fixture(scope="module")
def scans(lab: lab_module.Lab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    evidence = tmp_path_factory.mktemp("through-nodes")
    through = run_cli("scan", str(lab.inventory), "--evidence", str(evidence), "--timeout", "60",
                      "-f", "json", "--lang", "en", "--fail-on", "none")
    assert through.returncode == 0, through.stderr[-3000:]
    # the same hosts, straight from this controller: an inventory without the nodes
    direct_inventory = lab_module.direct_inventory(
        lab, tmp_path_factory.mktemp("direct") / "inventory")
    direct_evidence = tmp_path_factory.mktemp("direct-evidence")
    direct = run_cli("scan", str(direct_inventory), "--evidence", str(direct_evidence),
                     "--limit", ",".join(THROUGH_NODES), "--timeout", "60", "-f", "json",
                     "--lang", "en", "--fail-on", "none")
    assert direct.returncode == 0, direct.stderr[-3000:]
    return {"through": bundle_dict(through.stdout), "stderr": through.stderr,
            "evidence": evidence, "direct": bundle_dict(direct.stdout),
            "direct_evidence": direct_evidence}


def test_each_node_collects_its_own_hosts(lab: lab_module.Lab, scans: dict[str, Any]) -> None:
    targets = {t["id"]: t for t in scans["through"]["targets"]}
    for host in (*THROUGH_NODES, "direct1", "node-a", "node-b"):
        assert targets[host]["status"] == "assessed", targets[host]
    for host in THROUGH_NODES:
        bundle = bundle_dict((scans["evidence"] / f"{host}.json").read_text())
        assert bundle["status"] == "collected" and bundle["host"] == host
    # the job ran on the nodes: Ansible's own folder in each node's home (the lab keeps a
    # host's /root in its state folder), none on the host the controller scanned itself
    hosts = lab.state / "hosts"
    for node in ("node-a", "node-b"):
        assert (hosts / node / "root" / ".ansible").is_dir(), node
    assert not (hosts / "direct1" / "root" / ".ansible" / "cp").exists()


def test_a_node_that_is_down_leaves_only_its_hosts_not_assessed(scans: dict[str, Any]) -> None:
    targets = {t["id"]: t for t in scans["through"]["targets"]}
    down = targets["seg-c1"]
    assert down["status"] == "unreachable", down
    assert "worker node node-c" in down["reason"] and "refused" in down["reason"], down
    recorded = bundle_dict((scans["evidence"] / "seg-c1.json").read_text())
    assert recorded["status"] == "unreachable" and "node-c" in recorded["reason"]
    verdicts = _verdicts(scans["through"], ("seg-c1",))["seg-c1"]
    assert {s for c, s in verdicts.items() if c.startswith("HOST-")} == {"not_assessed"}
    assert "seg-c1" in scans["stderr"] and "node-c" in scans["stderr"]


def test_a_node_cut_midway_keeps_what_came_back(scans: dict[str, Any]) -> None:
    targets = {t["id"]: t for t in scans["through"]["targets"]}
    statuses = sorted(targets[h]["status"] for h in ("seg-d1", "seg-d2"))
    assert statuses == ["assessed", "failed"], statuses
    lost = next(targets[h] for h in ("seg-d1", "seg-d2") if targets[h]["status"] == "failed")
    assert "worker node node-d" in lost["reason"] and "stream" in lost["reason"], lost
    kept = next(h for h in ("seg-d1", "seg-d2") if targets[h]["status"] == "assessed")
    assert bundle_dict((scans["evidence"] / f"{kept}.json").read_text())["status"] == \
        "collected"


def test_verdicts_through_nodes_equal_a_direct_scan(scans: dict[str, Any]) -> None:
    through = _verdicts(scans["through"], THROUGH_NODES)
    direct = _verdicts(scans["direct"], THROUGH_NODES)
    assert through == direct
    # and the states are the profiles': not an empty comparison
    assert through["seg-a1"]["HOST-SSH-01"] == "pass" and through["seg-a2"]["HOST-SSH-01"] == \
        "fail"
    assert through["seg-b2"]["HOST-SSH-01"] == "not_assessed"  # sshd -T needs root
    for host in THROUGH_NODES:
        via_node = bundle_dict((scans["evidence"] / f"{host}.json").read_text())["facts"]
        straight = bundle_dict((scans["direct_evidence"] / f"{host}.json").read_text())["facts"]
        assert via_node["sshd"] == straight["sshd"] and via_node["accounts"] == \
            straight["accounts"], host


SSHD_CONTROLS = ("HOST-SSH-01", "HOST-SSH-02", "HOST-SSH-03", "HOST-SSH-04", "HOST-SSH-05",
                 "HOST-SSH-07")


def test_fix_apply_goes_through_the_same_nodes(lab: lab_module.Lab, scans: dict[str, Any],
                                               tmp_path: Path) -> None:
    """`fix --apply` sends each host's plays where the scan reached it: seg-a2 is fixed by a
    job on node-a (its sshd gaps closed, the re-scan through the node says so); seg-c1, whose
    node is down, is reported unreachable with the node's reason and left as it was, although
    this controller reaches it directly (its gaps are known from a direct scan). Runs last: it
    changes seg-a2."""
    before = _verdicts(scans["through"], ("seg-a2",))["seg-a2"]
    gaps = {c for c in SSHD_CONTROLS if before.get(c) == "fail"}
    assert gaps, before  # the weak profile's sshd: something to fix
    bundle = tmp_path / "before.json"
    bundle.write_text(json.dumps(scans["through"]))

    def fix(bundle: Path, evidence: Path, host: str) -> Any:
        return run_cli("fix", str(bundle), "--apply", "--yes", "--inventory",
                       str(lab.inventory), "--evidence", str(evidence), "--limit", host,
                       "--controls", ",".join(SSHD_CONTROLS), "--lang", "en",
                       "--allow-controller")

    proc = fix(bundle, scans["evidence"], "seg-a2")
    said = proc.stdout + proc.stderr
    assert proc.returncode == 0, said[-3000:]
    assert "preview (check mode, nothing changed yet)" in proc.stdout, said[-3000:]
    assert "seg-a2: " in proc.stdout, said[-3000:]
    after = run_cli("scan", str(lab.inventory), "--evidence", str(tmp_path / "after"),
                    "--limit", "seg-a2", "--timeout", "60", "-f", "json", "--lang", "en",
                    "--fail-on", "none")
    assert after.returncode == 0, after.stderr[-2000:]
    fixed = _verdicts(bundle_dict(after.stdout), ("seg-a2",))["seg-a2"]
    assert {c: fixed[c] for c in gaps} == dict.fromkeys(gaps, "pass"), said[-3000:]

    # seg-c1: its gaps from a direct scan; fixed through its node, which is down
    def sshd_config() -> str:  # seg-c1's, read over SSH straight from here
        return subprocess.run(["ssh", "-F", str(lab.state / "ssh_config"), "seg-c1", "cat",
                               "/etc/ssh/sshd_config"], capture_output=True, text=True,
                              timeout=60, check=True).stdout

    direct_inventory = lab_module.direct_inventory(lab, tmp_path / "direct")
    direct = run_cli("scan", str(direct_inventory), "--evidence", str(tmp_path / "c1"),
                     "--limit", "seg-c1", "--timeout", "60", "-o", str(tmp_path / "c1.json"),
                     "-f", "json", "--lang", "en", "--fail-on", "none")
    assert direct.returncode == 0, direct.stderr[-2000:]
    assert {c for c, s in _verdicts(bundle_dict((tmp_path / "c1.json").read_text()),
                                    ("seg-c1",))["seg-c1"].items()
            if s == "fail"} & set(SSHD_CONTROLS)
    config_c1 = sshd_config()
    proc = fix(tmp_path / "c1.json", tmp_path / "c1", "seg-c1")
    said = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in said, said[-3000:]
    assert "seg-c1" in proc.stderr and "worker node node-c" in proc.stderr, said[-3000:]
    assert sshd_config() == config_c1

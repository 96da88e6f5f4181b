"""`egov-audit scan` over real SSH against the lab: hardened, typical, weak and unprivileged
servers, a host holding secrets, and the fault hosts (down, dropping the connection, hanging,
without Python, with a broken sshd_config, hostile). Root only: CI runs as root."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from egov_audit import lab as lab_module
from egov_audit.checks.vocabulary import load_catalogue
from tests.helpers import bundle_dict, tree_digest
from tests.helpers import run_long as run_cli
from tests.lab.conftest import StartLab

pytestmark = [pytest.mark.lab,
              pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root; CI runs as root")]

SECRETS = ("EGOVLAB", "lablabla", "notarealhash", "BEGIN OPENSSH PRIVATE KEY")
ALL_HOSTS = lab_module.SERVERS + lab_module.FAULTS


def _init_pids(state: Path) -> dict[str, int]:
    return {d.name: int((d / "init.pid").read_text()) for d in (state / "hosts").iterdir()
            if (d / "init.pid").exists()}


def _host_etc_digests(lab: lab_module.Lab) -> dict[str, str]:
    """Each lab host's /etc, read from outside through its mount namespace."""
    return {name: tree_digest(f"/proc/{pid}/root/etc")
            for name, pid in _init_pids(lab.state).items()}


@pytest.fixture(scope="module")
def lab(start_lab: StartLab) -> lab_module.Lab:
    return start_lab("lab", ALL_HOSTS)


@pytest.fixture(scope="module")
def scan(lab: lab_module.Lab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    evidence = tmp_path_factory.mktemp("evidence")
    before = _host_etc_digests(lab)
    proc = run_cli("scan", str(lab.inventory), "--evidence", str(evidence), "--timeout", "20",
                   "-f", "json", "--lang", "en")
    after = _host_etc_digests(lab)
    text = run_cli("evaluate", str(lab.inventory), "--evidence", str(evidence), "--lang", "vi")
    return {"proc": proc, "evidence": evidence, "before": before, "after": after,
            "data": bundle_dict(proc.stdout), "text": text}


def _verdicts(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for r in data["results"]:
        if r["target_kind"] == "host":
            out[r["target"]][r["control"]] = r["status"]
    return out


def test_the_scan_finishes_and_says_who_was_reached(scan: dict[str, Any]) -> None:
    proc = scan["proc"]
    assert proc.returncode == 1, proc.stderr  # findings, not an error
    assert "12 hosts" in proc.stderr and "8 collected, 2 unreachable, 2 failed" in proc.stderr
    targets = {t["id"]: t for t in scan["data"]["targets"]}
    for name in ("portal01", "app01", "log01", "db01", "jump01", "mon01", "brok01", "evil01"):
        assert targets[name]["status"] == "assessed", name
    # an audit that reached 8 of 12 hosts must not look complete
    assert scan["data"]["scores"]["coverage"] < 0.9


FAULTS = {  # host: (target status, words of the reason)
    "down01": ("unreachable", "Connection refused"),
    "drop01": ("unreachable", "could not be sent"),  # the link died mid-collection
    "hang01": ("failed", "Timed out"),  # the per-host --timeout
    "nopy01": ("failed", "interpreter"),
}


@pytest.mark.parametrize("host", sorted(FAULTS))
def test_a_fault_host_is_not_assessed_with_the_reason(scan: dict[str, Any], host: str) -> None:
    status, words = FAULTS[host]
    target = {t["id"]: t for t in scan["data"]["targets"]}[host]
    assert target["status"] == status and words in target["reason"], target
    statuses = {s for c, s in _verdicts(scan["data"])[host].items() if c.startswith("HOST-")}
    assert statuses == {"not_assessed"}
    message = next(r["message"]["en"] for r in scan["data"]["results"]
               if r["target"] == host and r["control"] == "HOST-FW-01")
    assert words in message
    recorded = bundle_dict((scan["evidence"] / f"{host}.json").read_text())
    assert recorded["status"] == status and words in recorded["reason"]


def test_a_host_with_a_broken_sshd_config_still_answers(scan: dict[str, Any]) -> None:
    verdicts = _verdicts(scan["data"])["brok01"]
    assert verdicts["HOST-SSH-08"] == "fail"
    assert verdicts["HOST-SSH-01"] == "not_assessed"  # the effective settings are unknown
    assert verdicts["HOST-FILE-01"] == "pass"  # everything else is assessed


def test_each_server_gets_the_verdicts_its_state_deserves(scan: dict[str, Any]) -> None:
    verdicts = _verdicts(scan["data"])
    for hardened in ("portal01", "log01", "jump01"):
        failing = sorted(c for c, s in verdicts[hardened].items()
                         if c.startswith("HOST-") and s != "pass")
        # the lab shares the machine's network: only jump01's zone holds its live addresses
        assert failing == ([] if hardened == "jump01" else ["HOST-NET-01"]), (hardened, failing)
    typical = verdicts["app01"]
    for control in ("HOST-SSH-01", "HOST-SSH-02", "HOST-PWD-01", "HOST-LOCK-01", "HOST-LOG-01",
                    "HOST-AV-01", "HOST-AUD-01", "HOST-SESS-01"):
        assert typical[control] == "fail", control
    for control in ("HOST-TIME-01", "HOST-LOG-03", "HOST-FILE-01", "HOST-ACC-01",
                    "HOST-UPD-01", "HOST-SVC-01"):
        assert typical[control] == "pass", control
    weak = verdicts["db01"]
    for control in ("HOST-ACC-01", "HOST-ACC-02", "HOST-ACC-03", "HOST-FILE-01",
                    "HOST-FILE-02", "HOST-FILE-03", "HOST-FILE-04", "HOST-FILE-05",
                    "HOST-FILE-06", "HOST-SVC-01", "HOST-UPD-01", "HOST-SSH-04",
                    "HOST-PWD-08", "HOST-TIME-01"):
        assert weak[control] == "fail", control
    unprivileged = verdicts["mon01"]
    assert unprivileged["HOST-ACC-04"] == "fail"  # could not read /etc/shadow: says so
    assert unprivileged["HOST-SSH-01"] == "not_assessed"  # sshd -T needs root
    assert unprivileged["HOST-SSH-08"] == "not_assessed"  # and so cannot judge the file


def test_every_host_control_passes_and_fails_on_some_lab_host(scan: dict[str, Any]) -> None:
    policy = load_catalogue()
    verdicts = _verdicts(scan["data"])
    seen: dict[str, set[str]] = defaultdict(set)
    for statuses in verdicts.values():
        for control, status in statuses.items():
            seen[control].add(status)
    host_controls = [c.id for c in policy.controls if c.id.startswith("HOST-")]
    missing = [c for c in host_controls if not {"pass", "fail"} <= seen[c]]
    assert not missing, missing


def test_the_scan_changes_nothing_on_the_hosts(scan: dict[str, Any]) -> None:
    assert scan["before"] and scan["before"] == scan["after"]


def test_no_secret_leaves_a_host(scan: dict[str, Any]) -> None:
    evidence_text = "".join(p.read_text(errors="replace") for p in scan["evidence"].iterdir())
    outputs = [scan["proc"].stdout, scan["proc"].stderr, scan["text"].stdout,
               scan["text"].stderr, evidence_text]
    for secret in SECRETS:
        for output in outputs:
            assert secret not in output
    # the secrets host is otherwise assessed like any hardened host
    assert _verdicts(scan["data"])["log01"]["HOST-ACC-02"] == "pass"


def test_hostile_facts_stay_inert(scan: dict[str, Any]) -> None:
    text = scan["text"]
    assert text.returncode == 1, text.stderr
    for bad in ("\x1b", "\x9b", "\x07"):
        assert bad not in text.stdout and bad not in scan["proc"].stderr
    assert "evil01" in text.stdout
    # a 1 MB string from the host is kept as evidence but never floods a report
    assert len(text.stdout) < 1_000_000
    evil = _verdicts(scan["data"])["evil01"]
    assert evil["HOST-SSH-01"] == "fail" and evil["HOST-SSH-03"] == "error"


def test_a_streamed_evaluation_says_what_the_scan_said(lab: lab_module.Lab,
                                                       scan: dict[str, Any],
                                                       tmp_path: Path) -> None:
    """The lab's real evidence (hardened, weak, hostile, down and hung hosts), evaluated again
    with the result bundle written as it is made (the path of large agencies): the same
    verdicts, targets, scores and evidence digests as the scan's own bundle."""
    out = tmp_path / "streamed.json"
    proc = run_cli("evaluate", str(lab.inventory), "--evidence", str(scan["evidence"]),
                   "-f", "json", "-o", str(out), "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr
    streamed = bundle_dict(out.read_text())
    scanned = scan["data"]

    def key(r: dict[str, Any]) -> str:
        return json.dumps(r, sort_keys=True)

    assert sorted(streamed["results"], key=key) == sorted(scanned["results"], key=key)
    for field in ("targets", "scores", "evidence_digests", "controls", "notices"):
        assert streamed[field] == scanned[field], field


def test_testinfra_sees_the_state_the_verdicts_describe(lab: lab_module.Lab,
                                                        scan: dict[str, Any]) -> None:
    import testinfra

    config = str(lab.state / "ssh_config")
    portal = testinfra.get_host("ssh://portal01", ssh_config=config)
    assert portal.file("/etc/ssh/sshd_config").contains("^PermitRootLogin prohibit-password")
    assert portal.file("/etc/shadow").mode == 0o640
    assert portal.check_output("hostname") == "portal01"
    db = testinfra.get_host("ssh://db01", ssh_config=config)
    assert db.file("/etc/shadow").mode == 0o644
    assert db.user("toor").uid == 0
    assert db.process.filter(comm="in.telnetd")


def _kill_tree(pid: int) -> None:
    """SIGKILL a process and everything it started (ansible-runner puts ansible-playbook in a
    session of its own, so a process group is not enough)."""
    def children(parent: int) -> list[int]:
        out: list[int] = []
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                out += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
        return out

    pending, tree = [pid], []
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += children(current)
    for member in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


def test_a_scan_killed_midway_leaves_valid_evidence(lab: lab_module.Lab,
                                                    tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    scan = subprocess.Popen(
        [sys.executable, "-m", "egov_audit", "scan", str(lab.inventory), "--evidence",
         str(evidence), "--timeout", "60", "-f", "json"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    def collected() -> list[str]:
        names = []
        for path in evidence.glob("*.json"):
            try:
                if bundle_dict(path.read_text())["status"] == "collected":
                    names.append(path.stem)
            except (OSError, ValueError):
                pytest.fail(f"{path} is not valid JSON at some moment of the scan")
        return names

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(collected()) < 3:
        time.sleep(0.05)
    _kill_tree(scan.pid)  # hang01 keeps the run going: it is still midway
    scan.wait()
    kept = collected()
    assert len(kept) >= 3
    for path in evidence.glob("*.json"):
        assert bundle_dict(path.read_text())["schema"] == "egov-audit/fact-bundle@1"
    again = run_cli("evaluate", str(lab.inventory), "--evidence", str(evidence), "-f", "json")
    assert again.returncode in (0, 1), again.stderr
    targets = {t["id"]: t["status"] for t in bundle_dict(again.stdout)["targets"]
               if t["kind"] == "host"}
    assert sorted(h for h, s in targets.items() if s == "assessed") == sorted(kept)


def test_lab_down_leaves_nothing_behind(tmp_path: Path) -> None:
    state = tmp_path / "lab"
    hosts = (lab_module.LabHost("tmp01", "127.0.2.11", "typical", "servers", "application"),
             lab_module.LabHost("tmp02", "127.0.2.12", "hardened", "dmz", "web_portal"))
    started = lab_module.up(hosts, state)
    pids = _init_pids(state)
    namespaces = {name: os.readlink(f"/proc/{pid}/ns/mnt") for name, pid in pids.items()}
    lab_module.down(started.state)
    assert not state.exists()
    for ns in namespaces.values():
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                if os.readlink(proc / "ns" / "mnt") == ns:
                    stat = (proc / "stat").read_text()
                    assert stat.rsplit(")", 1)[1].split()[0] == "Z", proc
            except OSError:
                continue
    mounts = Path("/proc/self/mountinfo").read_text()
    assert str(state) not in mounts


def test_lab_needs_root_and_says_so() -> None:
    from click.testing import CliRunner

    from egov_audit.cli import cli

    os.seteuid(65534)  # really drop root for the call (the real uid stays 0 to come back)
    try:
        result = CliRunner().invoke(cli, ["lab", "up"])
    finally:
        os.seteuid(0)
    assert result.exit_code == 2 and "needs root" in result.stderr, result.output


def test_limit_and_the_progress_bar_on_a_terminal(lab: lab_module.Lab, tmp_path: Path) -> None:
    import shlex

    evidence = tmp_path / "evidence"
    command = shlex.join([sys.executable, "-m", "egov_audit", "scan", str(lab.inventory),
                          "--limit", "portal01,app01", "--evidence", str(evidence),
                          "--lang", "en", "--fail-on", "none", "-o", str(tmp_path / "r.txt")])
    # `script` gives the scan a real terminal: the progress bar shows on stderr
    proc = subprocess.run(["script", "-qefc", command, "/dev/null"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "done ·" in proc.stdout and "unreachable" in proc.stdout
    assert "2 hosts" in proc.stdout and "2 collected" in proc.stdout
    assert sorted(p.stem for p in evidence.glob("*.json")) == ["app01", "portal01"]
    report = (tmp_path / "r.txt").read_text()
    assert "Gap report" in report and "\x1b" not in report

"""Remediation end to end on the lab: scan (gaps found) -> fix --apply -> re-scan: every
automatically fixable control passes; a second apply changes nothing; the generated playbook runs
with plain ansible-playbook and the egov.audit collection installed from its built artifact, whose
playbook also collects the same evidence as scan; a host whose fixes fail does not stop the
others. Root only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from egov_audit import lab as lab_module
from egov_audit.checks.vocabulary import load_catalogue
from tests.helpers import REPO, ansible_exe, bundle_dict, install_collection
from tests.helpers import run_long as run_cli
from tests.lab.conftest import StartLab

pytestmark = [pytest.mark.lab,
              pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root; CI runs as root")]

HOSTS = (
    lab_module.LabHost("fixapp01", "127.0.3.21", "typical", "servers", "application"),
    lab_module.LabHost("fixmon01", "127.0.3.23", "unprivileged", "servers", "monitoring",
                       user="audit"),
    # the agency's log collector and time server: where the fixes point the others to
    lab_module.LabHost("fixlog01", "127.0.3.22", "hardened", "servers", "log_collector",
                       port=2222),
    lab_module.LabHost("fixntp01", "127.0.3.51", "hardened", "mgmt", "ntp", port=2222),
    # a neglected server in its own network namespace: the only kind of lab host whose
    # firewall may be fixed
    lab_module.LabHost("fixdb01", "198.18.3.2", "weak", "db", "database", netns=True),
)
# the hosts on the machine's own network stack: their firewall is the machine's (egov_fix_skip)
SHARED = ("fixapp01", "fixlog01", "fixntp01")
FIXABLE = sorted(c.id for c in load_catalogue().controls if c.remediation_role)


@pytest.fixture(scope="module")
def lab(start_lab: StartLab) -> lab_module.Lab:
    started = start_lab("fixlab", HOSTS)
    # the lab's plan puts 127.0.1.x in its zones: widen them to these hosts' addresses
    network = started.inventory / "group_vars/all/network.yml"
    plan = bundle_dict(network.read_text().replace("127.0.1.", "127.0.3."))
    db_zone = next(z for z in plan["network"]["zones"] if z["name"] == "db")
    db_zone["subnets"].append("198.18.3.0/30")
    network.write_text(json.dumps(plan, indent=2))
    return started


@pytest.fixture(scope="module")
def collections(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The collection installed from its artifact: what the written playbooks name."""
    return install_collection(tmp_path_factory.mktemp("collection"))


def _plain(lab: lab_module.Lab, collections: Path, home: Path, *args: str) -> Any:
    """ansible-playbook on the lab, as an operator runs it: no egov-audit in between."""
    return subprocess.run([ansible_exe("ansible-playbook"), "-i", str(lab.inventory), *args],
                          capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "ANSIBLE_HOME": str(home),
                               "ANSIBLE_COLLECTIONS_PATH": str(collections)})


def _scan(lab: lab_module.Lab, evidence: Path, out: Path) -> dict[str, Any]:
    proc = run_cli("scan", str(lab.inventory), "--evidence", str(evidence), "-f", "json", "-o",
                   str(out), "--fail-on", "none", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    return bundle_dict(out.read_text())


def _failing(data: dict[str, Any], host: str) -> set[str]:
    return {r["control"] for r in data["results"]
            if r["target"] == host and r["status"] == "fail"}


@pytest.fixture(scope="module")
def applied(lab: lab_module.Lab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("fix")
    evidence = work / "evidence"
    before = _scan(lab, evidence, work / "before.json")
    # fix re-evaluates the evidence a bundle was made from: keep it, for the runs that apply
    # the same bundle again after the re-scan below has replaced `evidence`
    shutil.copytree(evidence, work / "evidence-before")
    # the lab's hosts live on this machine's loopback (127.0.1.x): the controller, by the rule
    proc = run_cli("fix", str(work / "before.json"), "--apply", "--yes", "--inventory",
                   str(lab.inventory), "--evidence", str(evidence), "-o",
                   str(work / "remediation.yml"), "--lang", "en", "--allow-controller")
    after = _scan(lab, evidence, work / "after.json")
    return {"work": work, "evidence": evidence, "before": before, "proc": proc, "after": after}


def test_the_fixable_gaps_were_real_before(applied: dict[str, Any]) -> None:
    for host in ("fixapp01", "fixdb01"):
        assert len(_failing(applied["before"], host) & set(FIXABLE)) >= 10, host
    # the weak host fails every kind: services, accounts, firewall
    assert {"HOST-SVC-01", "HOST-ACC-02", "HOST-ACC-03", "HOST-FW-01"} <= \
        _failing(applied["before"], "fixdb01")


def test_apply_fixes_every_fixable_control(applied: dict[str, Any]) -> None:
    proc = applied["proc"]
    assert "preview (check mode, nothing changed yet)" in proc.stdout
    assert not _failing(applied["after"], "fixdb01") & set(FIXABLE)
    # what needs a person is still reported, not hidden
    assert _failing(applied["after"], "fixdb01") - set(FIXABLE)
    assert "HOST-FW-01" in _failing(applied["before"], "fixapp01")
    for host in SHARED:
        left = _failing(applied["after"], host) & set(FIXABLE)
        if "HOST-FW-01" in _failing(applied["before"], host):
            # their firewall is the machine's: listed for a person, never changed
            assert left == {"HOST-FW-01"}, (host, left)
            assert f"manual: HOST-FW-01 on {host}: egov_fix_skip" in proc.stderr
        else:
            assert not left, (host, left)
    assert "FAILED fixdb01" not in proc.stderr and "FAILED fixapp01" not in proc.stderr


def test_the_machine_firewall_was_never_touched(applied: dict[str, Any]) -> None:
    ruleset = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True,
                             timeout=30, check=True).stdout
    assert "egov_audit" not in ruleset


def test_a_failing_host_does_not_stop_the_others(applied: dict[str, Any]) -> None:
    proc = applied["proc"]
    assert proc.returncode == 1  # the unprivileged host's fixes failed (no sudo)
    assert "FAILED fixmon01" in proc.stderr
    assert "fixdb01" in proc.stdout and "failing controls ->" in proc.stdout


def test_a_second_apply_changes_nothing(lab: lab_module.Lab, applied: dict[str, Any]) -> None:
    import glob
    import tempfile

    work = applied["work"]
    temporary = f"{tempfile.gettempdir()}/egov-audit-fix-*"
    before = set(glob.glob(temporary))
    proc = run_cli("fix", str(work / "before.json"), "--apply", "--yes", "--inventory",
                   str(lab.inventory), "--evidence", str(work / "evidence-before"), "--limit",
                   ",".join((*SHARED, "fixdb01")), "--lang", "en", "--allow-controller")
    assert proc.returncode == 0, proc.stderr
    assert "applied: 0 changes on 0 hosts" in proc.stdout
    assert set(glob.glob(temporary)) <= before  # no playbook left behind without --output


def test_plain_ansible_playbook_runs_the_generated_playbook(
        lab: lab_module.Lab, applied: dict[str, Any], collections: Path, tmp_path: Path) -> None:
    playbook = applied["work"] / "remediation.yml"
    text = playbook.read_text()
    assert "HOST-SSH-02 — " in text  # task names carry the control and the clause
    # the roles by their fully qualified names, no path of this machine
    assert "name: egov.audit.remediate_sshd" in text and str(REPO) not in text
    proc = _plain(lab, collections, tmp_path / "home", str(playbook),
                  "--limit", "fixapp01,fixdb01")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "changed=0" in proc.stdout and "failed=0" in proc.stdout
    # from the installed collection, not from this checkout
    assert "egov.audit.remediate_sshd : " in proc.stdout


def test_without_the_collection_the_playbook_says_what_is_missing(
        lab: lab_module.Lab, applied: dict[str, Any], tmp_path: Path) -> None:
    empty = tmp_path / "no-collections"
    empty.mkdir()
    proc = _plain(lab, empty, tmp_path / "home", str(applied["work"] / "remediation.yml"),
                  "--limit", "fixapp01")
    assert proc.returncode != 0
    assert "egov.audit.remediate_" in proc.stdout + proc.stderr
    assert "PLAY [" not in proc.stdout  # refused before the first play: no host was touched


def test_the_collection_playbook_collects_what_scan_collects(
        lab: lab_module.Lab, applied: dict[str, Any], collections: Path, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    proc = _plain(lab, collections, tmp_path / "home", "egov.audit.collect",
                  "-e", f"egov_evidence_dir={evidence}")
    assert "fixapp01" in proc.stdout, proc.stdout[-3000:]
    assert {p.stem for p in evidence.glob("*.json")} == {h.name for h in HOSTS}
    again = run_cli("evaluate", str(lab.inventory), "--evidence", str(evidence), "-f", "json",
                    "--fail-on", "none", "--lang", "en")
    assert again.returncode == 0, again.stderr
    fresh = _scan(lab, tmp_path / "scan-evidence", tmp_path / "scan.json")

    def verdicts(data: dict[str, Any]) -> list[tuple[str, str, str]]:
        return sorted((r["control"], r["target"], r["status"]) for r in data["results"])

    assert verdicts(bundle_dict(again.stdout)) == verdicts(fresh)


def test_testinfra_confirms_the_hosts_real_state(lab: lab_module.Lab,
                                                 applied: dict[str, Any]) -> None:
    import testinfra

    host = testinfra.get_host("ssh://fixdb01", ssh_config=str(lab.state / "ssh_config"))
    config = host.file("/etc/ssh/sshd_config")
    assert config.contains("^PermitEmptyPasswords no")
    assert not config.contains("^PermitEmptyPasswords yes")
    assert host.file("/etc/shadow").mode == 0o640
    assert host.file("/etc/passwd").mode == 0o644
    assert host.file("/etc/login.defs").contains("^PASS_MAX_DAYS\t90")
    # sshd took the new settings (reloaded, not restarted) and still answers
    assert "permitemptypasswords no" in host.check_output("sshd -T")
    # logs now go to the agency's collector, time comes from its time server
    assert host.file("/etc/rsyslog.d/50-egov-forward.conf").contains("@@127.0.3.22:514")
    assert host.file("/etc/chrony/chrony.conf").contains("^server 127.0.3.51 iburst")
    # the telnet daemon is gone; the passwordless and the default account are locked
    assert not host.process.filter(comm="in.telnetd")
    assert host.file("/etc/inetd.conf").contains("^#<off by egov-audit HOST-SVC-01> telnet")
    assert host.file("/etc/xinetd.d/tftp").contains("^\tdisable = yes$")
    assert not host.file("/etc/xinetd.d/tftp").contains("disable = no")
    assert host.check_output("passwd -S guest").split()[1] == "L"
    assert host.check_output("passwd -S admin").split()[1] == "L"


def test_the_firewall_baseline_drops_strangers_and_keeps_the_operator(
        lab: lab_module.Lab, applied: dict[str, Any]) -> None:
    import socket

    import testinfra

    fw = next(h for h in HOSTS if h.name == "fixdb01")
    host = testinfra.get_host("ssh://fixdb01", ssh_config=str(lab.state / "ssh_config"))
    table = host.check_output("nft list table inet egov_audit")
    ssh_rule = next(line for line in table.splitlines() if "tcp dport 22 accept" in line)
    # SSH from the management zone and from where the change was made, nothing else
    assert "policy drop" in table and "127.0.3.48/28" in ssh_rule and fw.peer in ssh_rule
    assert host.file("/etc/nftables.conf").contains('include "/etc/egov-audit/host-firewall.nft"')

    def reaches(source: str) -> bool:
        with socket.socket() as sock:
            sock.bind((source, 0))
            sock.settimeout(3)
            try:
                sock.connect((fw.ip, fw.port))
                return sock.recv(4) == b"SSH-"
            except OSError:
                return False

    # a second address of the machine on the host's link: neither management nor the operator
    stranger = "198.18.3.5"
    subprocess.run(["ip", "address", "add", f"{stranger}/32", "dev", fw.link], check=True,
                   timeout=10)
    assert reaches(fw.peer)  # the address the change was made from
    assert not reaches(stranger)  # dropped, not refused: the connection times out


def test_preview_then_no_leaves_the_hosts_alone(lab: lab_module.Lab,
                                                applied: dict[str, Any]) -> None:
    work = applied["work"]
    proc = subprocess.run([sys.executable, "-m", "egov_audit", "fix", str(work / "before.json"),
                           "--apply", "--inventory", str(lab.inventory), "--evidence",
                           str(work / "evidence-before"), "--limit", "fixapp01", "--lang", "vi",
                           "--allow-controller"],
                          input="n\n",
                          capture_output=True, text=True, timeout=600, check=False)
    # in Vietnamese: "preview ..., nothing changed yet", "nothing applied"
    assert "xem trước (chế độ kiểm tra, chưa thay đổi gì)" in proc.stdout
    assert proc.returncode == 0 and "không áp dụng gì" in proc.stdout


def test_stale_evidence_is_refused(applied: dict[str, Any]) -> None:
    proc = run_cli("fix", str(applied["work"] / "before.json"), "--max-age", "0")
    assert proc.returncode == 2 and "days old" in proc.stderr


def test_a_firewall_that_would_lock_the_operator_out_is_rolled_back(
        lab: lab_module.Lab, applied: dict[str, Any], collections: Path, tmp_path: Path) -> None:
    """Last: it leaves fixdb01 without its firewall. The probe of a new connection is pointed at
    a closed port, as if the rules had cut the controller off."""
    import testinfra

    host = testinfra.get_host("ssh://fixdb01", ssh_config=str(lab.state / "ssh_config"))
    host.run_expect([0], "nft delete table inet egov_audit")
    proc = _plain(lab, collections, tmp_path / "home", str(applied["work"] / "remediation.yml"),
                  "--limit", "fixdb01", "-e", "egov_fw_probe_port=9")
    assert "the firewall baseline was rolled back" in proc.stdout, proc.stdout[-3000:]
    assert "egov-audit: HOST-FW-01 was not fixed" in proc.stdout
    assert host.run("nft list table inet egov_audit").rc != 0  # nothing of it is left
    # rescued, not failed: the host's other fixes ran (the rescue of the rollback, then the
    # control's own)
    assert "rescued=2" in proc.stdout and "failed=0" in proc.stdout

"""`egov-audit scan` end to end on this machine through Ansible's local connection: the real
playbook, the real module, real ansible-runner. (Scans over SSH run against the lab.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import BASES, REPO, bundle_dict, tree_digest
from tests.helpers import run_long as run_cli

pytestmark = pytest.mark.slow  # scans this machine with real Ansible

LOCAL_HOSTS = """all:
  hosts:
    self:
      zone: servers
      role: application
      ansible_host: 10.50.10.10
      ansible_connection: local
      ansible_python_interpreter: "{{ ansible_playbook_python }}"
"""


@pytest.fixture(scope="module")
def local_inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inv = tmp_path_factory.mktemp("local") / "inv"
    shutil.copytree(BASES / "compliant", inv)
    (inv / "hosts.yml").write_text(LOCAL_HOSTS)
    return inv


@pytest.fixture(scope="module")
def scanned(local_inventory: Path, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[subprocess.CompletedProcess[str], Path, str, str]:
    evidence = tmp_path_factory.mktemp("evidence")
    before = tree_digest("/etc")
    proc = run_cli("scan", str(local_inventory), "--evidence", str(evidence), "-f", "json",
                   "--lang", "en", "--documentation-as-public", "--fail-on", "none")
    return proc, evidence, before, tree_digest("/etc")


def test_scan_collects_and_evaluates(scanned: tuple[subprocess.CompletedProcess[str], Path,
                                                    str, str]) -> None:
    proc, evidence, _, _ = scanned
    assert proc.returncode == 0, proc.stderr
    assert "1 collected, 0 unreachable, 0 failed" in proc.stderr
    bundle = bundle_dict((evidence / "self.json").read_text())
    assert bundle["status"] == "collected" and bundle["facts"]["os"]["id"]
    data = bundle_dict(proc.stdout)
    host_results = [r for r in data["results"] if r["target"] == "self"
                    and r["control"].startswith("HOST-")]
    assert len(host_results) >= 40
    # this machine is judged on what it really is: verdicts, not just "not assessed"
    verdicts = {r["status"] for r in host_results}
    assert {"pass", "fail"} <= verdicts
    (target,) = [t for t in data["targets"] if t["id"] == "self"]
    assert target["status"] == "assessed"
    # the account facts say what shadow says without saying what is in it
    files = bundle["facts"]["files"]
    expected_shadow = oct(os.stat("/etc/shadow").st_mode & 0o7777)[2:].rjust(4, "0")
    assert files["etc_shadow"]["mode"] == expected_shadow


def test_scan_changes_nothing_in_etc(scanned: tuple[subprocess.CompletedProcess[str], Path,
                                                    str, str]) -> None:
    _, _, before, after = scanned
    assert before == after


def test_no_password_hash_leaves_the_host(scanned: tuple[subprocess.CompletedProcess[str],
                                                         Path, str, str]) -> None:
    proc, evidence, _, _ = scanned
    hashes = [fields[1] for line in Path("/etc/shadow").read_text().splitlines()
              if len(fields := line.split(":")) > 1 and len(fields[1]) > 2]
    produced = proc.stdout + proc.stderr + "".join(p.read_text() for p in evidence.iterdir())
    for secret in hashes:
        assert secret not in produced
    assert "$6$" not in produced and "$y$" not in produced


def test_evaluate_reproduces_the_scan_offline(
        local_inventory: Path,
        scanned: tuple[subprocess.CompletedProcess[str], Path, str, str]) -> None:
    proc, evidence, _, _ = scanned
    again = run_cli("evaluate", str(local_inventory), "--evidence", str(evidence), "-f", "json",
                    "--lang", "en", "--documentation-as-public", "--fail-on", "none")
    assert again.returncode == 0, again.stderr

    def verdicts(text: str) -> list[tuple[str, str, str]]:
        return sorted((r["control"], r["target"], r["status"])
                      for r in bundle_dict(text)["results"])

    assert verdicts(again.stdout) == verdicts(proc.stdout)


def test_scan_into_a_file_judges_as_it_prints(
        local_inventory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        scanned: tuple[subprocess.CompletedProcess[str], Path, str, str]) -> None:
    """`scan -f json -o FILE` collects, then writes the bundle as it is made (version 2, record
    by record), with the verdicts the printed report has."""
    from click.testing import CliRunner

    from egov_audit.cli import cli

    out = tmp_path / "scan.json"
    done = CliRunner().invoke(cli, [
        "scan", str(local_inventory), "--evidence", str(tmp_path / "evidence"), "-f", "json",
        "-o", str(out), "--lang", "en", "--documentation-as-public", "--fail-on", "none"])
    assert done.exit_code == 0, done.output
    text = out.read_text()
    assert text.startswith('{"$schema":"egov-audit/result-bundle@2"')  # written as made

    def verdicts(data: str) -> list[tuple[str, str, str]]:
        return sorted((r["control"], r["target"], r["status"])
                      for r in bundle_dict(data)["results"])

    assert verdicts(text) == verdicts(scanned[0].stdout)


def test_plain_ansible_playbook_writes_the_same_bundles(local_inventory: Path,
                                                        tmp_path: Path) -> None:
    """The AWX path: the playbook alone, no egov-audit, then `evaluate` reads what it wrote."""
    exe = shutil.which("ansible-playbook") or str(Path(sys.executable).parent /
                                                  "ansible-playbook")
    env = {**os.environ, "ANSIBLE_HOME": str(tmp_path / "home")}
    proc = subprocess.run([exe, "-i", str(local_inventory), str(REPO / "playbooks/collect.yml"),
                           "-e", f"egov_evidence_dir={tmp_path / 'ev'}"], capture_output=True,
                          text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:]
    bundle = bundle_dict((tmp_path / "ev" / "self.json").read_text())
    assert bundle["schema"] == "egov-audit/fact-bundle@1" and bundle["status"] == "collected"
    result = run_cli("evaluate", str(local_inventory), "--evidence", str(tmp_path / "ev"),
                     "-f", "json", "--fail-on", "none")
    assert result.returncode == 0, result.stderr


def test_scan_of_an_unreachable_host_is_reported_not_fatal(tmp_path: Path) -> None:
    inv = tmp_path / "inv"
    shutil.copytree(BASES / "compliant", inv)
    (inv / "hosts.yml").write_text(LOCAL_HOSTS + """    gone:
      zone: servers
      role: application
      ansible_host: 127.0.0.1
      ansible_port: 1
      ansible_connection: ssh
""")
    proc = run_cli("scan", str(inv), "--evidence", str(tmp_path / "ev"), "-f", "json",
                   "--fail-on", "none", "--timeout", "30")
    assert proc.returncode == 0, proc.stderr
    assert "1 collected, 1 unreachable, 0 failed" in proc.stderr
    data = bundle_dict(proc.stdout)
    targets = {t["id"]: t for t in data["targets"]}
    assert targets["gone"]["status"] == "unreachable" and targets["gone"]["reason"]
    assert targets["self"]["status"] == "assessed"
    gone = [r for r in data["results"] if r["target"] == "gone" and r["control"] == "HOST-FW-01"]
    assert gone[0]["status"] == "not_assessed"
    assert data["scores"]["coverage"] < 1
    recorded = bundle_dict((tmp_path / "ev" / "gone.json").read_text())
    assert recorded["status"] == "unreachable" and "Connection refused" in recorded["reason"]


def test_job_events_of_an_awx_style_run_are_evidence(local_inventory: Path,
                                                     tmp_path: Path) -> None:
    """The AWX path without files on the execution node: ansible-runner (the engine AWX runs
    jobs with) runs the collection playbook with egov_evidence_dir empty; each host's bundle is
    in the job events of its artifacts folder, and `evaluate` reads them from there. An
    unreachable host is reported as such, from its event."""
    inventory = tmp_path / "inv"
    shutil.copytree(local_inventory, inventory)
    (inventory / "hosts.yml").write_text(LOCAL_HOSTS + """    gone:
      zone: servers
      role: application
      ansible_host: 127.0.0.1
      ansible_port: 1
      ansible_connection: ssh
""")
    private = tmp_path / "runner"
    (private / "project").mkdir(parents=True)
    exe = str(Path(sys.executable).parent / "ansible-runner")
    env = {**os.environ, "ANSIBLE_HOME": str(tmp_path / "home"),
           "ANSIBLE_HOST_KEY_CHECKING": "False", "ANSIBLE_TIMEOUT": "10",
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    proc = subprocess.run([exe, "run", str(private), "--playbook",
                           str(REPO / "playbooks/collect.yml"), "--inventory", str(inventory),
                           "--ident", "job42", "--cmdline", "-e egov_evidence_dir=''"],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    events = private / "artifacts" / "job42" / "job_events"
    assert events.is_dir(), proc.stdout[-2000:] + proc.stderr[-2000:]
    assert not (REPO / "evidence").exists() and not (inventory.parent / "evidence").exists()
    for folder in (private / "artifacts" / "job42", private / "artifacts"):
        result = run_cli("evaluate", str(inventory), "--evidence", str(folder), "-f", "json",
                         "--lang", "en", "--fail-on", "none")
        assert result.returncode == 0, result.stderr
        data = bundle_dict(result.stdout)
        targets = {t["id"]: t for t in data["targets"]}
        assert targets["self"]["status"] == "assessed"
        assert targets["gone"]["status"] == "unreachable"
        verdicts = {r["status"] for r in data["results"]
                    if r["target"] == "self" and r["control"].startswith("HOST-")}
        assert {"pass", "fail"} <= verdicts

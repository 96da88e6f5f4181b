"""Boundary: bundles that come back to `fix`. Which controls fail on which hosts comes from the
bundle's evidence re-evaluated against the operator's inventory (or from a bundle whose
signature verifies against a registered key); plays target exact inventory hosts only; nothing
in the playbook is ever templated by Ansible (a canary proves it with a real ansible-playbook)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from egov_audit import __version__
from egov_audit.collection import assemble, role_fqcn
from egov_audit.fix import Fix, FixPlan, read_agency_plan, render_playbook
from egov_audit.inventory import load_inventory
from egov_audit.policy import PolicySet
from tests.helpers import build_evidence, bundle_dict
from tests.integration.security.conftest import GATED_KEYS, Agency, freshen, poison, run

INJECTION = "{{ lookup('pipe', 'touch %s') }}"


def _hostile_text(canary: Path) -> str:
    return INJECTION % canary


def _poison(data: dict[str, Any], canary: Path) -> dict[str, Any]:
    """Every free text of a bundle (clauses, titles, messages, names, locations, notices) gets a
    template that would create the canary if Ansible ever templated it."""
    evil = _hostile_text(canary)
    return poison(data, lambda text: f"{text} {evil}", GATED_KEYS | {"inventory"})


def _hostile_bundle(agency: Agency, canary: Path) -> Path:
    data = _poison(agency.data(), canary)
    data["inventory"] = str(agency.inventory)
    return agency.write("hostile.json", data)


def _fix(agency: Agency, bundle: Path, *extra: str | Path) -> tuple[int, str, str, Path]:
    out = agency.root / "remediation.yml"
    done = run("fix", bundle, "--inventory", agency.inventory, "--evidence", agency.evidence,
               "--lang", "en", "-o", out, *extra)
    return done.code, done.out, done.err, out


def test_a_hostile_bundle_puts_none_of_its_text_in_the_playbook(agency: Agency) -> None:
    canary = agency.root / "canary"
    code, _, err, out = _fix(agency, _hostile_bundle(agency, canary))
    assert code == 0, err
    text = out.read_text()
    assert "lookup(" not in text and "touch" not in text
    plays = yaml.load(text, Loader=_UnsafeLoader)
    assert [p["hosts"] for p in plays] == ["web01"]
    assert sorted(t["name"].split(" — ")[0] for t in plays[0]["tasks"]) == \
        ["HOST-FILE-01", "HOST-SSH-02"]
    assert not canary.exists()


class _UnsafeLoader(yaml.SafeLoader):
    pass


_UnsafeLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def _hosts_of(playbook: Path) -> list[str]:
    """The `hosts:` of each play, read as Ansible reads the file (`!unsafe` is a string)."""
    return [play["hosts"] for play in yaml.load(playbook.read_text(), Loader=_UnsafeLoader)]


def test_a_forged_failure_is_not_fixed(agency: Agency) -> None:
    data = agency.data()
    passing = next(r for r in data["results"] if r["target"] == "app01"
                   and r["control"] == "HOST-SSH-02")
    assert passing["status"] == "pass"
    passing["status"] = "fail"
    code, _, err, out = _fix(agency, agency.write("forged.json", data))
    assert code == 0
    assert "1 failures the bundle claims are not confirmed by its evidence, ignored: " \
           "HOST-SSH-02 app01" in err
    assert _hosts_of(out) == ["web01"]


@pytest.mark.parametrize("target", ["all", "ALL", "localhost", "web*", "web01,app01",
                                    "!db01", "192.0.2.20", "servers", "127.0.0.1"])
def test_a_claimed_target_that_is_not_an_inventory_host_gets_no_play(agency: Agency,
                                                                     target: str) -> None:
    data = agency.data()
    for result in data["results"]:
        if result["target"] == "web01":
            result["target"] = target
    code, _, err, out = _fix(agency, agency.write("targets.json", data))
    assert code == 0, err
    assert "not confirmed by its evidence, ignored" in err
    # re-evaluated: web01's real failures are fixed, nothing else is targeted
    assert _hosts_of(out) == ["web01"]


def _signed(agency: Agency, data: dict[str, Any], name: str) -> Path:
    unsigned = agency.write(f"{name}.unsigned.json", data)
    signed = agency.root / f"{name}.json"
    done = run("sign", unsigned, "--key", agency.private, "-o", signed)
    assert done.code == 0, done.err
    return signed


@pytest.mark.parametrize("signed", [False, True], ids=["re-evaluated", "signed"])
def test_a_bundle_of_the_baselines_former_id_is_fixed_as_the_baseline_now(
        agency: Agency, signed: bool) -> None:
    """A bundle made before tcvn-14423-2026 was renamed tcvn-14423-2025 (re-evaluated from its
    evidence, or trusted by its signature) is fixed with the values of the baseline now: the same
    playbook as a bundle that names it by its id now, and a notice says so."""
    keys = ("--keys", agency.keys) if signed else ()
    data = agency.data()
    assert data["baseline"] == "tcvn-14423-2025"
    current = _signed(agency, data, "current") if signed else agency.write("current.json", data)
    code, _, err, out = _fix(agency, current, *keys)
    assert code == 0, err
    expected = out.read_text()
    out.unlink()
    data["baseline"] = "tcvn-14423-2026"
    former = _signed(agency, data, "former") if signed else agency.write("former.json", data)
    code, _, err, out = _fix(agency, former, *keys)
    assert code == 0, err
    assert "Baseline tcvn-14423-2026 is now named tcvn-14423-2025" in err
    assert str(former) in err  # which file names it so
    assert _hosts_of(out) == ["web01"]
    assert out.read_text() == expected.replace(str(current), str(former))
    assert "tcvn-14423-2025" in expected and "tcvn-14423-2026" not in out.read_text()


@pytest.mark.parametrize(("target", "reason"), [
    ("all", "would read as a pattern of several hosts, a group or the controller"),
    ("ALL", "would read as a pattern of several hosts, a group or the controller"),
    ("localhost", "would read as a pattern of several hosts, a group or the controller"),
    ("web*", "would read as a pattern of several hosts, a group or the controller"),
    ("a,b", "would read as a pattern of several hosts, a group or the controller"),
    ("servers", "that the inventory does not declare"),
    ("192.0.2.20", "that the inventory does not declare"),
    ("ungrouped", "would read as a pattern of several hosts, a group or the controller"),
])
def test_a_signed_bundle_still_reaches_exact_inventory_hosts_only(agency: Agency, target: str,
                                                                  reason: str) -> None:
    """Even a bundle whose signature verifies (a compromised agency's key) cannot widen a play."""
    data = agency.data()
    for result in data["results"]:
        if result["target"] == "web01":
            result["target"] = target
    signed = _signed(agency, data, "signed-targets")
    code, _, err, out = _fix(agency, signed, "--keys", agency.keys)
    assert code == 2 and reason in err, err
    assert not out.exists()


def test_a_signed_bundle_is_trusted_only_when_its_signature_verifies(agency: Agency) -> None:
    code, _, err, out = _fix(agency, agency.signed, "--keys", agency.keys)
    assert code == 0 and "results taken from the signed bundle, signature valid" in err
    data = bundle_dict(agency.signed.read_text())
    data["results"][0]["status"] = "fail" if data["results"][0]["status"] == "pass" else "pass"
    out.unlink()
    code, _, err, out = _fix(agency, agency.write("tampered.json", data), "--keys", agency.keys)
    assert code == 2 and "it was changed after signing" in err and not out.exists()
    code, _, err, out = _fix(agency, agency.bundle, "--keys", agency.keys)
    assert code == 2 and "the bundle is not signed" in err


def test_the_inventory_named_by_the_bundle_is_said(agency: Agency) -> None:
    out = agency.root / "r.yml"
    done = run("fix", agency.bundle, "--evidence", agency.evidence, "--lang", "en", "-o", out)
    assert done.code == 0, done.err
    assert f"using the inventory the bundle names: {agency.data()['inventory']}" in done.err


def test_another_agencys_bundle_is_refused(agency: Agency) -> None:
    data = agency.data()
    data["agency"]["code"] = "other"
    code, _, err, out = _fix(agency, agency.write("other.json", data))
    assert code == 2 and "the bundle is agency 'other''s, the inventory agency 'compliant''s" \
        in err
    assert not out.exists()


def test_an_unknown_baseline_is_refused(agency: Agency) -> None:
    data = agency.data()
    data["baseline"] = "made-up-2099"
    code, _, err, _ = _fix(agency, agency.write("baseline.json", data))
    assert code == 2 and "the bundle's baseline 'made-up-2099' is not one of this policy's" in err


def test_no_evidence_is_a_clear_error(agency: Agency, tmp_path: Path) -> None:
    out = agency.root / "r.yml"
    done = run("fix", agency.bundle, "--inventory", agency.inventory, "--evidence",
               tmp_path / "none", "-o", out)
    assert done.code == 2 and "no evidence folder" in done.err and not out.exists()


def test_changed_evidence_is_said(agency: Agency) -> None:
    path = agency.evidence / "app01.json"
    data = bundle_dict(path.read_text())
    data["facts"]["sshd"]["x11forwarding"] = "yes"
    path.write_text(json.dumps(data))
    code, _, err, _ = _fix(agency, agency.bundle)
    assert code == 0 and "the evidence of 1 hosts changed since the bundle was made: app01" in err


def test_the_evidence_packed_in_a_bundle_is_used(agency: Agency) -> None:
    out = agency.root / "r.yml"
    shutil.rmtree(agency.evidence)
    done = run("fix", agency.signed, "--inventory", agency.inventory, "--lang", "en", "-o", out)
    assert done.code == 0, done.err
    assert "results re-evaluated from the evidence packed in the bundle" in done.err
    assert out.exists()


def _own_address() -> str:
    """This machine's address on its default route (no packet sent), else its loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))
            return str(sock.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def _controller_agency(agency: Agency, spelled: dict[str, str] | None = None) -> Path:
    """The agency with one more host: this machine, through Ansible's local connection (or
    as `spelled` says)."""
    hosts = agency.inventory / "hosts.yml"
    data = yaml.safe_load(hosts.read_text())
    data["all"]["hosts"]["ctl"] = {
        "zone": "servers", "role": "application", "ansible_python_interpreter": sys.executable,
        **(spelled or {"ansible_host": "10.50.10.50", "ansible_connection": "local"})}
    hosts.write_text(yaml.safe_dump(data))
    shutil.rmtree(agency.evidence)
    build_evidence(agency.evidence, agency.inventory, target="ctl", facts={"set": {
        "files.etc_shadow.world_readable": True}})
    freshen(agency.evidence)
    bundle = agency.root / "ctl.json"
    done = run("evaluate", agency.inventory, "--evidence", agency.evidence,
               "--documentation-as-public", "-f", "json", "-o", bundle, "--fail-on", "none")
    assert done.code == 0, done.err
    return bundle


def test_the_controller_is_fixed_only_when_asked(agency: Agency) -> None:
    bundle = _controller_agency(agency)
    code, _, err, out = _fix(agency, bundle)
    assert code == 2 and "host 'ctl' is this machine" in err and "--allow-controller" in err
    assert not out.exists()
    code, _, err, out = _fix(agency, bundle, "--allow-controller")
    assert code == 0, err
    assert _hosts_of(out) == ["ctl"]


@pytest.mark.parametrize("spelled", [
    {"ansible_host": "10.50.10.50", "ansible_connection": "ansible.builtin.local"},
    {"ansible_host": "10.50.10.50", "ansible_connection": "ansible.legacy.local"},
    {"ansible_host": "10.50.10.50", "ansible_connection": " Local"},
    {"ansible_host": "127.0.0.2"}, {"ansible_host": "127.255.0.9"}, {"ansible_host": "0.0.0.0"},
    # (::ffff:127.0.0.1 never gets this far: the inventory gate refuses IPv4 written as IPv6)
    {"ansible_host": "::"}, {"ansible_host": "[::1]"},
    {"ansible_host": "localhost.localdomain"}, {"ansible_host": "LOCALHOST."},
    {"ansible_host": "ip6-localhost"}, {"ansible_host": "anything.localhost"},
    {"ansible_host": socket.gethostname()}, {"ansible_ssh_host": "127.0.0.3"},
    {"ansible_host": _own_address()}], ids=repr)
def test_the_controller_is_recognised_however_it_is_written(agency: Agency,
                                                            spelled: dict[str, str]) -> None:
    bundle = _controller_agency(agency, spelled)
    code, _, err, out = _fix(agency, bundle)
    assert code == 2 and "host 'ctl' is this machine" in err and "--allow-controller" in err
    assert not out.exists()


def _ansible_playbook() -> str:
    return shutil.which("ansible-playbook") or str(Path(sys.executable).parent /
                                                   "ansible-playbook")


def _check_run(inventory: Path, playbook: Path, home: Path) -> subprocess.CompletedProcess[str]:
    extra = [] if os.geteuid() == 0 else ["-e", "ansible_become=false"]
    collections = home.parent / "collections"  # the roles the playbook names
    assemble(collections, __version__)
    return subprocess.run([_ansible_playbook(), "-i", str(inventory), str(playbook), "--check",
                           *extra], capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "ANSIBLE_HOME": str(home), "NO_COLOR": "1",
                               "ANSIBLE_COLLECTIONS_PATH": str(collections)})


@pytest.mark.slow  # runs ansible-playbook
def test_a_hostile_bundle_s_playbook_runs_in_check_mode_without_running_its_text(
        agency: Agency) -> None:
    """End to end: a bundle full of `{{ lookup('pipe', 'touch CANARY') }}` -> fix -> the real
    ansible-playbook --check on this machine (local connection): the canary never appears."""
    canary = agency.root / "canary"
    bundle = _controller_agency(agency)
    hostile = agency.write("ctl-hostile.json", _poison(bundle_dict(bundle.read_text()), canary))
    code, _, err, out = _fix(agency, hostile, "--allow-controller", "--controls", "HOST-FILE-01")
    assert code == 0, err
    proc = _check_run(agency.inventory, out, agency.root / "home")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "ctl" in proc.stdout and "failed=0" in proc.stdout
    assert not canary.exists()


@pytest.mark.slow  # runs ansible-playbook
def test_unsafe_marking_keeps_ansible_from_templating_text_that_reaches_a_playbook(
        agency: Agency, policy: PolicySet) -> None:
    """Defence in depth: even if a template string did reach a task name or a parameter (here
    put there on purpose), Ansible runs the play without templating it."""
    canary = agency.root / "canary"
    bundle_path = _controller_agency(agency)
    from egov_audit.bundle import read_result_set

    (bundle,) = read_result_set(bundle_path).bundles
    agency_plan = read_agency_plan(load_inventory(agency.inventory))
    control = next(c for c in policy.controls if c.id == "HOST-FILE-01")
    assert control.remediation_role is not None
    plan = FixPlan(bundle, services={"log_collector": _hostile_text(canary)},
                   hosts={"ctl": [Fix("HOST-FILE-01", _hostile_text(canary),
                                      role_fqcn(control.remediation_role))]})
    assert agency_plan.controller == frozenset({"ctl"})
    playbook = agency.root / "direct.yml"
    playbook.write_text(render_playbook(plan, policy, _hostile_text(canary)))
    assert "!unsafe" in playbook.read_text()
    proc = _check_run(agency.inventory, playbook, agency.root / "home")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    # the fix ran, from the collection role
    assert "TASK [egov.audit.remediate_files : Reset the mode of the file: HOST-FILE-01]" \
        in proc.stdout
    assert not canary.exists()

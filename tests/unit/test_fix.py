from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from egov_audit.audit import AuditRequest, evaluate, validate
from egov_audit.checks.context import AuditOptions
from egov_audit.collection import assemble, role_fqcn
from egov_audit.errors import UsageError
from egov_audit.fix import (
    AgencyPlan,
    Fix,
    host_params,
    plan_fixes,
    playbook_data,
    read_agency_plan,
    render_playbook,
)
from egov_audit.inventory import load_inventory
from egov_audit.models import Bundle
from egov_audit.paths import data_root
from egov_audit.policy import PolicySet
from tests.helpers import build_evidence, build_inventory


class _Loader(yaml.SafeLoader):
    """Reads a generated playbook as Ansible does: `!unsafe` is a string never templated."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def load_playbook(text: str) -> object:
    return yaml.load(text, Loader=_Loader)


@pytest.fixture
def agency(tmp_path: Path, bundle: Bundle) -> AgencyPlan:
    return read_agency_plan(load_inventory(tmp_path / "inv"))


@pytest.fixture
def bundle(tmp_path: Path, policy: PolicySet) -> Bundle:
    inventory = build_inventory(tmp_path / "inv")
    evidence = build_evidence(tmp_path / "ev", inventory, target="web01", facts={"set": {
        "sshd.passwordauthentication": "yes", "files.etc_shadow.world_readable": True,
        "antimalware.present": False}})
    return evaluate(AuditRequest([inventory], options=AuditOptions(True)), evidence,
                    policy).bundles[0]


def test_only_failing_fixable_controls_on_failing_hosts(bundle: Bundle, policy: PolicySet,
        agency: AgencyPlan) -> None:
    plan = plan_fixes(bundle, policy, agency)
    assert list(plan.hosts) == ["web01"]
    assert sorted(f.control for f in plan.hosts["web01"]) == ["HOST-FILE-01", "HOST-SSH-02"]
    assert [(m.control, m.target) for m in plan.manual] == [("HOST-AV-01", "web01")]
    ssh_only = plan_fixes(bundle, policy, agency, controls=["HOST-SSH-*"])
    assert ssh_only.hosts["web01"][0].control == "HOST-SSH-02"
    assert plan_fixes(bundle, policy, agency, limit=["db*"]).empty


def test_the_playbook(bundle: Bundle, policy: PolicySet,
        agency: AgencyPlan) -> None:
    text = render_playbook(plan_fixes(bundle, policy, agency), policy, "b.json")
    plays = load_playbook(text)
    (play,) = plays
    assert play["hosts"] == "web01" and play["become"] is True
    names = [t["name"] for t in play["tasks"]]
    assert names[0].startswith("HOST-FILE-01 — TCVN 14423:2025")
    # each control by its collection role, which takes that control (its argument spec)
    included = {t["block"][0]["vars"]["egov_control"]:
                t["block"][0]["ansible.builtin.import_role"]["name"] for t in play["tasks"]}
    assert included == {"HOST-FILE-01": "egov.audit.remediate_files",
                        "HOST-SSH-02": "egov.audit.remediate_sshd"}
    assert str(data_root()) not in text  # no path of this machine: it runs on any controller
    assert all(t["rescue"] for t in play["tasks"])  # a failed fix never stops the others
    assert play["vars"]["egov_params"] == {**host_params(policy, bundle.baseline, bundle.level),
                                           **agency.services}
    assert "&id" not in text  # no YAML aliases: every play spells its parameters out


def test_stale_or_hostless_bundles_are_refused(bundle: Bundle, policy: PolicySet,
        agency: AgencyPlan,
                                               tmp_path: Path) -> None:
    later = datetime.now(UTC) + timedelta(days=8)
    with pytest.raises(UsageError, match="days old"):
        plan_fixes(bundle, policy, agency, now=later)
    assert not plan_fixes(bundle, policy, agency, now=later, max_age_days=None).empty
    declared = validate(AuditRequest([build_inventory(tmp_path / "v")]), policy).bundles[0]
    with pytest.raises(UsageError, match="no assessed host"):
        plan_fixes(declared, policy, agency)


@pytest.mark.slow  # ansible-lint loads all of Ansible
def test_the_playbook_passes_ansible_lint_production(bundle: Bundle, policy: PolicySet,
        agency: AgencyPlan,
                                                     tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    plan = plan_fixes(bundle, policy, agency)
    # every remediation role, not only those of this bundle's gaps
    plan.hosts["web01"] = [Fix(c.id, "clause", role_fqcn(c.remediation_role))
                           for c in policy.controls if c.remediation_role]
    playbook = tmp_path / "remediation.yml"
    playbook.write_text(render_playbook(plan, policy, "b.json"))
    collections = tmp_path / "collections"  # the roles the playbook names (the collection's
    assemble(collections, "0.1.0")  # own lint: tests/integration/test_collection.py)
    exe = shutil.which("ansible-lint") or str(Path(sys.executable).parent / "ansible-lint")
    proc = subprocess.run([exe, "--offline", "--nocolor", "--profile", "production",
                           "--format", "pep8", str(playbook)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=600, check=False,
                          env={**os.environ, "ANSIBLE_HOME": str(tmp_path / "home"),
                               "ANSIBLE_COLLECTIONS_PATH": str(collections), "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Profile 'production' was required, and it passed" in proc.stderr + proc.stdout
    # ansible-lint reads every noqa comment back onto its task: none it cannot place
    assert "Error in matching skip comment" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]


def test_the_pasted_playbook_is_the_plays_themselves(bundle: Bundle, policy: PolicySet,
        agency: AgencyPlan) -> None:
    """render_playbook writes shared parts once and pastes them: it must read back as exactly
    the plays, for hosts with different fixes and names YAML must quote."""
    plan = plan_fixes(bundle, policy, agency)
    fixable = [Fix(c.id, f"clause: {c.id} #", role_fqcn(c.remediation_role))
               for c in policy.controls if c.remediation_role]
    plan.hosts.update({"db01": fixable[:5], "yes": fixable[3:9], "web-02.example": fixable,
                       "EGOV_TASKS": fixable[1:2]})
    text = render_playbook(plan, policy, "b\n.json")
    assert load_playbook(text) == playbook_data(plan, policy)
    assert text.splitlines()[0] == "# Generated by egov-audit fix from b .json"
    # in Vietnamese: the comments, play and task names Ansible prints
    vietnamese = render_playbook(plan, policy, "b.json", "vi")
    assert load_playbook(vietnamese) == playbook_data(plan, policy, "vi")
    assert vietnamese.splitlines()[0] == "# Tạo bởi egov-audit fix từ b.json"
    assert "Khắc phục bởi egov-audit: db01" in vietnamese and "Remediation" not in vietnamese


@pytest.mark.parametrize("name", ["all", "web*", "a,b", "!db01", "db01:&web", "x[0:3]", "~.*"])
def test_a_host_name_that_is_a_pattern_is_refused(bundle: Bundle, policy: PolicySet,
        agency: AgencyPlan,
                                                  name: str) -> None:
    import dataclasses

    hostile = dataclasses.replace(bundle, results=tuple(
        dataclasses.replace(r, target=name) if r.target == "web01" else r
        for r in bundle.results))
    with pytest.raises(UsageError, match="pattern of several hosts"):
        plan_fixes(hostile, policy, agency)


def test_a_fix_writes_the_value_the_baseline_checks(tmp_path: Path) -> None:
    """A baseline that sets a host parameter otherwise for one control gets that value from
    `fix`, so the fixed host passes the control as that baseline checks it."""
    import shutil

    from egov_audit.checks.vocabulary import load_catalogue
    from egov_audit.fix import host_params
    from egov_audit.policy import DEFAULT_POLICIES, DEFAULT_REFERENCE_MODELS

    pol, models = tmp_path / "policies", tmp_path / "reference_models"
    shutil.copytree(DEFAULT_POLICIES, pol)
    shutil.copytree(DEFAULT_REFERENCE_MODELS, models)
    assert host_params(load_catalogue(pol, models), "tcvn-14423-2025", 3)[
        "ssh_max_auth_tries"] == 5
    path = pol / "baselines" / "tcvn-14423-2025.yml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["families"]["host/ssh"]["controls"]["HOST-SSH-03"]["params"] = {
        "host.ssh_max_auth_tries": 3}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    policy = load_catalogue(pol, models)
    assert host_params(policy, "tcvn-14423-2025", 3)["ssh_max_auth_tries"] == 3
    assert host_params(policy, "tcvn-11930-2017", 3)["ssh_max_auth_tries"] == 5
    assert host_params(policy, "tcvn-14423-2025", 1)["ssh_max_auth_tries"] == 5  # not yet cited


def test_names_are_unsafe_exactly_when_they_could_hold_a_template(
        bundle: Bundle, policy: PolicySet, agency: AgencyPlan) -> None:
    """A task or play name with a `{` (where every Jinja delimiter starts) is `!unsafe`; one
    without is plain, so that ansible-lint can match its noqa comments to the tasks."""
    plan = plan_fixes(bundle, policy, agency)
    text = render_playbook(plan, policy, "b.json")
    assert "name: !unsafe" not in text
    assert "  - name: 'HOST-" in text or "  - name: HOST-" in text
    fix = next(iter(plan.hosts["web01"]))
    plan.hosts["web01"] = [Fix(fix.control, "{{ lookup('pipe', 'id') }}", fix.role)]
    hostile = render_playbook(plan, policy, "b.json")
    assert "name: !unsafe '" + fix.control + " — {{ lookup(''pipe'', ''id'') }}'" in hostile

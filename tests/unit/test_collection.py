"""The egov.audit collection as laid out from the repository's sources: versions Galaxy accepts,
every file in its place, and each remediation role taking exactly the controls that name it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from egov_audit.checks.vocabulary import load_catalogue
from egov_audit.collection import (
    assemble,
    galaxy_data,
    role_fqcn,
    role_problem,
    semantic_version,
)
from egov_audit.errors import UsageError
from egov_audit.paths import roles_dir


@pytest.mark.parametrize(("pep440", "semver"), [
    ("0.1.0", "0.1.0"),
    ("0.1.1.dev3+g557f454", "0.1.1-dev.3+g557f454"),
    ("0.1.1.dev3+g557f454.d20261202", "0.1.1-dev.3+g557f454.d20261202"),
    ("0.0.0+unknown", "0.0.0+unknown"),
    ("12.3.40", "12.3.40"),
])
def test_versions_become_semantic_versions(pep440: str, semver: str) -> None:
    assert semantic_version(pep440) == semver


@pytest.mark.parametrize("version", ["0.1", "1.0.0rc1", "1.0.0.post2", "v1.0.0", "1.0.0+a_b"])
def test_a_version_without_a_semantic_form_is_refused(version: str) -> None:
    with pytest.raises(UsageError, match="semantic-version"):
        semantic_version(version)


def test_the_layout_holds_every_part_and_nothing_else(tmp_path: Path) -> None:
    root = assemble(tmp_path, "0.2.0")
    assert root == tmp_path / "ansible_collections/egov/audit"
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    roles = sorted(p.name for p in roles_dir().iterdir())
    assert {"galaxy.yml", "README.md", "CHANGELOG.md", "meta/runtime.yml",
            "plugins/modules/egov_host_facts.py", "plugins/action/egov_host_facts.py",
            "playbooks/collect.yml"} <= files
    assert {f"roles/{role}/tasks/main.yml" for role in roles} <= files
    assert {f"roles/{role}/meta/argument_specs.yml" for role in roles} <= files
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]
    galaxy = yaml.safe_load((root / "galaxy.yml").read_text())
    assert galaxy == galaxy_data("0.2.0") and galaxy["version"] == "0.2.0"
    assert (galaxy["namespace"], galaxy["name"], galaxy["dependencies"]) == (
        "egov", "audit", {"ansible.netcommon": ">=6.0.0"})
    assert "repository" not in galaxy  # only when the build is told where the copy lives
    assert "tests/sanity/ignore-2.19.txt" in files
    # a second layout replaces the first: no file of an older release survives
    (root / "roles/stale.yml").write_text("old")
    assemble(tmp_path, "0.2.1")
    assert not (root / "roles/stale.yml").exists()


def test_each_role_takes_exactly_the_controls_that_name_it() -> None:
    named: dict[str, set[str]] = {}
    for control in load_catalogue().controls:
        if control.remediation_role:
            named.setdefault(control.remediation_role, set()).add(control.id)
    roles = {p.name for p in roles_dir().iterdir()}
    assert set(named) == roles  # no role without a control, no control without its role
    for role in sorted(roles):
        spec = yaml.safe_load((roles_dir() / role / "meta/argument_specs.yml").read_text())
        options = spec["argument_specs"]["main"]["options"]
        assert set(options["egov_control"]["choices"]) == named[role], role
        assert options["egov_control"]["required"] and options["egov_params"]["required"]


def test_a_policy_may_name_only_a_role_that_is_there() -> None:
    assert role_problem("remediate_sshd") is None
    assert "does not exist" in (role_problem("remediate_nothing") or "")
    for bad in ("../remediate_sshd", "Remediate", "remediate-sshd", "x" * 80, ""):
        assert "is not a role name" in (role_problem(bad) or ""), bad
    assert role_fqcn("remediate_sshd") == "egov.audit.remediate_sshd"

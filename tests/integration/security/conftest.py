"""Shared material of the security corpus: one agency with hosts and evidence, a real bundle made
from them, a key pair, and the CLI run in process (exit code, stdout, stderr)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from egov_audit.cli import cli
from tests.helpers import build_evidence, build_inventory, v1_file

CANARY_COMMAND = "touch {canary}"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run(*args: str | Path, stdin: str | None = None) -> Run:
    result = CliRunner().invoke(cli, [str(a) for a in args], input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback is a defect: show it
    return Run(result.exit_code, result.stdout, result.stderr)


@dataclass(frozen=True)
class Agency:
    root: Path
    inventory: Path
    evidence: Path
    bundle: Path  # the result bundle `evaluate` made, as a version 1 document
    keys: Path  # registry: compliant.pub
    private: Path  # keys-private/compliant.key
    signed: Path  # the version 1 bundle signed with the agency's key, inputs packed
    bundle_v2: Path  # the result bundle as `evaluate -f json` writes it (version 2)
    signed_v2: Path  # the version 2 bundle signed, inputs packed

    def data(self) -> dict[str, Any]:
        return json.loads(self.bundle.read_text())

    def write(self, name: str, data: Any) -> Path:
        path = self.root / name
        path.write_text(json.dumps(data, ensure_ascii=False))
        return path


@pytest.fixture(scope="session")
def agency_template(tmp_path_factory: pytest.TempPathFactory) -> Agency:
    root = tmp_path_factory.mktemp("security")
    inventory = build_inventory(root / "inventory")
    evidence = build_evidence(root / "evidence", inventory, target="web01", facts={"set": {
        "sshd.passwordauthentication": "yes", "files.etc_shadow.world_readable": True}})
    freshen(evidence)
    bundle_v2 = root / "bundle.v2.json"
    done = run("evaluate", inventory, "--evidence", evidence, "--documentation-as-public",
               "-f", "json", "-o", bundle_v2, "--fail-on", "none")
    assert done.code == 0, done.err
    # version 1 is still read, signed and refused as it was: the corpus keeps testing it
    bundle = v1_file(bundle_v2, root / "bundle.json")
    assert run("keygen", "--agency", "compliant", "--out", root / "keys-private").code == 0
    keys = root / "keys"
    keys.mkdir()
    shutil.copy(root / "keys-private" / "compliant.pub", keys / "compliant.pub")
    signed, signed_v2 = root / "bundle.signed.json", root / "bundle.v2.signed.json"
    for unsigned, out in ((bundle, signed), (bundle_v2, signed_v2)):
        done = run("sign", unsigned, "--key", root / "keys-private" / "compliant.key",
                   "--inventory", inventory, "--evidence", evidence, "-o", out)
        assert done.code == 0, done.err
    return Agency(root, inventory, evidence, bundle, keys, root / "keys-private/compliant.key",
                  signed, bundle_v2, signed_v2)


@pytest.fixture
def agency(agency_template: Agency, tmp_path: Path) -> Agency:
    """A fresh copy per test: tests write hostile files next to it."""
    root = tmp_path / "agency"
    shutil.copytree(agency_template.root, root, symlinks=True)
    return Agency(root, *(root / p.relative_to(agency_template.root) for p in (
        agency_template.inventory, agency_template.evidence, agency_template.bundle,
        agency_template.keys, agency_template.private, agency_template.signed,
        agency_template.bundle_v2, agency_template.signed_v2)))


def freshen(evidence: Path) -> None:
    """Evidence collected now (the fixture's date is old: fix refuses stale evidence)."""
    from egov_audit.evidence.model import now

    for path in evidence.glob("*.json"):
        data = json.loads(path.read_text())
        data["collected_at"] = now()
        path.write_text(json.dumps(data))


# the identifiers and enumerations of a bundle that the bundle gate checks: kept as they are
# when a test poisons every free text, so that the hostile bundle passes the gate
GATED_KEYS = frozenset({
    "schema", "baseline", "started_at", "finished_at", "policy_digest", "control", "target",
    "status", "severity", "area", "target_kind", "kind", "evidence_digests", "id", "state",
    "tool", "code"})


def poison(data: dict[str, Any], change: Callable[[str], str],
           keep: frozenset[str] = GATED_KEYS) -> dict[str, Any]:
    """Every free text of a bundle changed by `change` (the controls' texts included); the
    values under `keep` left alone."""
    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (v if k in keep else walk(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return change(node) if isinstance(node, str) else node

    hostile: dict[str, Any] = walk(data)
    hostile["controls"] = {cid: walk_strings(info, change)
                           for cid, info in data["controls"].items()}
    return hostile


def walk_strings(data: Any, change: Callable[[str], str]) -> Any:
    """Every string value (not key) of a JSON document changed by `change`."""
    if isinstance(data, str):
        return change(data)
    if isinstance(data, dict):
        return {k: walk_strings(v, change) for k, v in data.items()}
    if isinstance(data, list):
        return [walk_strings(v, change) for v in data]
    return data

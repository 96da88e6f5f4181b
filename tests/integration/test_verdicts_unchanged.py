"""The catalogue's verdicts on the samples, held still across refactoring: every (control,
target, status), every target's status and the scores of a set of audits (the sample agencies
alone and together, the test bases with evidence of every kind, good and bad) are compared with
tests/data/verdicts.json, written before the house was rebuilt.

A verdict that changes on purpose (a new control, a fixed check) is written again with
`python -m tests.integration.test_verdicts_unchanged --update`, and the diff of verdicts.json is
reviewed in the same commit as the change that made it."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    FIXTURES,
    REPO,
    build_device_configs,
    build_evidence,
    build_inventory,
    build_registry,
    bundle_dict,
    run_cli,
)

SNAPSHOT = REPO / "tests" / "data" / "verdicts.json"
SAMPLES = [str(REPO / "inventories" / name) for name in ("bo-hts", "ha-son", "song-lam")]


def _verdicts(bundle_file: Path) -> dict[str, Any]:
    """What the audit decided, without its times and texts (which say when it ran)."""
    data = bundle_dict(bundle_file.read_text("utf-8"))
    bundles = data.get("bundles") or [data]
    out: dict[str, Any] = {}
    for bundle in bundles:
        out[bundle["agency"]["code"]] = {
            "baseline": bundle["baseline"], "level": bundle["level"],
            "targets": sorted(f"{t['kind']} {t['id']} {t['status']}" for t in bundle["targets"]),
            "results": sorted(f"{r['control']} {r['target']} {r['status']}"
                              for r in bundle["results"]),
            "scores": bundle["scores"]}
    national = data.get("national")
    if national:
        out["national"] = {"results": sorted(f"{r['control']} {r['target']} {r['status']}"
                                             for r in national["results"]),
                           "scores": national["scores"]}
    return out


def _run(work: Path, *args: str) -> dict[str, Any]:
    output = work / "bundle.json"
    done = run_cli(*args, "--format", "json", "--output", str(output), timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return _verdicts(output)


def _samples(work: Path) -> dict[str, Any]:
    return _run(work, "validate", *SAMPLES)


def _samples_as_public(work: Path) -> dict[str, Any]:
    return _run(work, "validate", "--documentation-as-public", *SAMPLES)


def _each_level(work: Path) -> dict[str, Any]:
    return {str(level): _run(work, "validate", "--level", str(level), SAMPLES[0])
            for level in range(1, 6)}


def _bases_with_devices(work: Path) -> dict[str, Any]:
    compliant = build_inventory(work / "compliant")
    configs = build_device_configs(work / "configs", {"edge01": {"from": "edge01.cfg"}})
    registry = build_registry(work / "delegated")
    return _run(work, "validate", "--device-configs", str(configs), "--registry-file",
                str(registry), str(compliant))


def _evidence_good(work: Path) -> dict[str, Any]:
    inventory = build_inventory(work / "compliant")
    evidence = build_evidence(work / "evidence", inventory)
    return _run(work, "evaluate", str(inventory), "--evidence", str(evidence),
                "--device-configs", str(build_device_configs(work / "configs")),
                "--registry-file", str(build_registry(work / "delegated")))


def _evidence_bad(work: Path) -> dict[str, Any]:
    inventory = build_inventory(work / "compliant")
    hosts = bundle_dict(run_cli("validate", str(inventory), "--format", "json").stdout)
    names = sorted(t["id"] for t in hosts["targets"] if t["kind"] == "host")
    evidence = build_evidence(
        work / "evidence", inventory, target=names[0],
        facts={"set": {"sshd.permitrootlogin": "yes", "sshd.passwordauthentication": "yes"}},
        status={names[-1]: "unreachable"},
        facility={"ups01": {"failed": "timeout"}},
        portals={"cong.compliant.example": {"set": {"dns.aaaa": [],
                                                    "reach.ipv6": {"status": "no_address"}}}})
    configs = build_device_configs(work / "configs", {"fw01": None})
    return _run(work, "evaluate", str(inventory), "--evidence", str(evidence),
                "--device-configs", str(configs))


CASES: dict[str, Callable[[Path], dict[str, Any]]] = {
    "samples": _samples, "samples-as-public": _samples_as_public, "each-level": _each_level,
    "bases-with-devices": _bases_with_devices, "evidence-good": _evidence_good,
    "evidence-bad": _evidence_bad}


def _case(name: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        return CASES[name](Path(work))


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_catalogue_judges_as_it_did(name: str) -> None:
    expected = bundle_dict(SNAPSHOT.read_text("utf-8"))
    assert sorted(expected) == sorted(CASES)
    found = _case(name)
    assert found == expected[name]


def _statuses(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(_statuses(v) for k, v in node.items() if k != "targets"))
    if isinstance(node, list):
        return {line.rsplit(" ", 1)[1] for line in node if isinstance(line, str)}
    return set()


def test_the_snapshot_holds_verdicts_of_every_status() -> None:
    found = _statuses(bundle_dict(SNAPSHOT.read_text("utf-8")))
    assert {"pass", "fail", "not_assessed", "not_applicable"} <= found


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    assert FIXTURES.is_dir()
    SNAPSHOT.write_text(json.dumps({name: _case(name) for name in sorted(CASES)}, indent=1,
                                   sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {SNAPSHOT.relative_to(REPO)}")

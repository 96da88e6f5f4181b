"""Every control is tested both ways: a fixture where it passes and one where it fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from egov_audit.audit import AuditRequest, evaluate, validate
from egov_audit.checks.context import AuditOptions
from egov_audit.checks.evaluate import reads
from egov_audit.models import Result, Status
from egov_audit.network.kinds import DEVICE_CONFIG
from egov_audit.policy import PolicySet
from tests.helpers import (
    FIXTURES,
    build_device_configs,
    build_evidence,
    build_inventory,
    build_registry,
    build_vrps,
)

CASE_FILES = sorted((FIXTURES / "control_cases").rglob("*.yml"))


def _cases() -> list[dict[str, Any]]:
    """Every control's cases, one file per family (control_cases/<area>/<family>.yml, as
    policies/ has them), each case with the family its file is of."""
    out = []
    for path in CASE_FILES:
        family = path.relative_to(FIXTURES / "control_cases").with_suffix("").as_posix()
        out += [{**case, "_family": family} for case in yaml.safe_load(path.read_text())["cases"]]
    return out


CASES: list[dict[str, Any]] = _cases()


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['control']}-{case['expect']}-{case.get('why', 'base')}".replace(" ", "_")


def _live(policy: PolicySet, control_id: str) -> bool:
    control = policy.control(control_id)
    # host facts, facility readings, portal probes: an evidence folder
    return bool(reads(control) - {DEVICE_CONFIG.name})


def run_case(case: dict[str, Any], tmp_path: Path, policy: PolicySet) -> list[Result]:
    patch = {k: case[k] for k in ("set", "delete", "append") if k in case}
    paths = [build_inventory(tmp_path / "agency", case.get("base", "compliant"), patch)]
    if "other" in case:
        paths.append(build_inventory(tmp_path / "other", "other", case["other"]))
    configs = None
    if DEVICE_CONFIG.name in reads(policy.control(case["control"])) or "configs" in case:
        configs = build_device_configs(tmp_path / "configs", case.get("configs"))
    # every case is checked against the registry file (`registry: null`: without one)
    registry = None if "registry" in case and case["registry"] is None \
        else build_registry(tmp_path / "registry.txt", case.get("registry"))
    # and against the VRP fixture (`vrps: [ROA, ...]` replaces its ROAs, `vrps: null`: none)
    vrps = None if "vrps" in case and case["vrps"] is None \
        else build_vrps(tmp_path / "vrps.json", case.get("vrps"))
    request = AuditRequest(paths, baseline=case.get("baseline"), level=case.get("level"),
                           options=AuditOptions(
                               documentation_as_public=case.get("documentation_as_public", True)),
                           device_configs=configs, registry_file=registry, vrp_file=vrps)
    if _live(policy, case["control"]):
        evidence = build_evidence(tmp_path / "evidence", paths[0], case.get("facts"),
                                  case.get("target") if case.get("facts") else None,
                                  case.get("evidence_status"), case.get("evidence_extra_hosts"),
                                  case.get("facility"), case.get("portals"))
        results = evaluate(request, evidence, policy).all_results()
    else:
        results = validate(request, policy).all_results()
    mine = [r for r in results if r.control == case["control"]]
    if "target" in case:
        mine = [r for r in mine if r.target == case["target"]]
    return mine


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_control_case(case: dict[str, Any], tmp_path: Path, policy: PolicySet) -> None:
    results = run_case(case, tmp_path, policy)
    assert results, f"{case['control']} produced no result"
    expected = Status(case["expect"])
    if expected is Status.PASS:
        # a pass case: every result of the control passes
        assert all(r.status is Status.PASS for r in results), \
            [(r.target, r.status, r.message.en) for r in results]
    else:
        assert any(r.status is expected for r in results), \
            [(r.target, r.status, r.message.en) for r in results]
        if expected is Status.FAIL:
            failing = [r for r in results if r.status is Status.FAIL]
            # a gap always says what was observed and what is expected, in both languages
            assert all(r.observed and r.expected and r.message.vi and r.message.en
                       for r in failing)


def test_each_case_is_in_its_family_file(policy: PolicySet) -> None:
    """A control's cases sit beside its family's other controls' (policies/<area>/<family>.yml
    and control_cases/<area>/<family>.yml): one place to look."""
    misplaced = [f"{c['control']} in {c['_family']}.yml" for c in CASES
                 if policy.control(c["control"]).family != c["_family"]]
    assert CASES and misplaced == []
    assert {c["_family"] for c in CASES} == set(policy.families)


def test_every_control_has_a_passing_and_a_failing_fixture(policy: PolicySet) -> None:
    ids = {c.id for c in policy.controls}
    passing = {c["control"] for c in CASES if c["expect"] == "pass"}
    failing = {c["control"] for c in CASES if c["expect"] == "fail"}
    assert not ids - passing, f"controls without a passing fixture: {sorted(ids - passing)}"
    assert not ids - failing, f"controls without a failing fixture: {sorted(ids - failing)}"
    assert not (passing | failing) - ids, "fixtures name unknown controls"


def test_compliant_base_passes_everything_at_every_level(policy: PolicySet,
                                                         tmp_path: Path) -> None:
    path = build_inventory(tmp_path / "agency")
    evidence = build_evidence(tmp_path / "evidence", path)
    configs = build_device_configs(tmp_path / "configs")
    registry = build_registry(tmp_path / "registry.txt")
    vrps = build_vrps(tmp_path / "vrps.json")
    for baseline in policy.baselines:
        for level in range(1, 6):
            result_set = evaluate(AuditRequest([path], baseline=baseline, level=level,
                                               options=AuditOptions(True),
                                               device_configs=configs, registry_file=registry,
                                               vrp_file=vrps),
                                  evidence, policy)
            bad = [(r.control, r.target, r.status) for r in result_set.all_results()
                   if r.status not in (Status.PASS, Status.NOT_APPLICABLE)]
            assert not bad, (baseline, level, bad)


def test_every_result_speaks_both_languages(policy: PolicySet) -> None:
    from tests.helpers import REPO

    samples = sorted((REPO / "inventories").iterdir())
    results = validate(AuditRequest(samples), policy).all_results()
    assert results
    for r in results:
        for text in (r.message, r.expected, r.observed, r.clause):
            assert bool(text.vi) == bool(text.en), (r.control, text)
        assert r.message.vi and r.message.en and r.clause.vi and r.clause.en, r.control


def test_every_clause_exists_in_both_languages(policy: PolicySet) -> None:
    for control in policy.controls:
        for baseline, ref in control.baselines.items():
            assert ref.clause.vi.strip() and ref.clause.en.strip(), (control.id, baseline)

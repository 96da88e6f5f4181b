"""Every numeric host setting a control bounds has its meaning declared (reference_models/
host.yml `fact_values`), and the engine respects it: each special value decides the control by
what it means, and a value outside the range the setting can take fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from egov_audit.models import Status, TargetKind
from egov_audit.policy import PolicySet
from tests.unit.checks.test_catalogue import run_case

BOUNDS = {"le", "lt", "ge", "gt", "between"}


def _bounded_host_controls(policy: PolicySet) -> list[Any]:
    return [c for c in policy.controls
            if c.target is TargetKind.HOST and c.check.op in BOUNDS]


def test_every_bounded_host_setting_declares_its_meaning(policy: PolicySet) -> None:
    values = policy.model("host")["fact_values"]
    controls = _bounded_host_controls(policy)
    assert len(controls) >= 12
    missing = sorted({c.check.fact for c in controls} - set(values))
    assert missing == [], "declare them under fact_values in reference_models/host.yml"


def _cases(policy: PolicySet) -> list[tuple[str, Any, Status, str]]:
    values = policy.model("host")["fact_values"]
    out = []
    for control in _bounded_host_controls(policy):
        meaning = values[control.check.fact]
        for special in meaning.get("special", ()):
            out.append((control.id, special["value"],
                        Status.PASS if special["satisfies_bounds"] else Status.FAIL,
                        special["means"]["en"]))
        if "min" in meaning and not any(s["value"] == meaning["min"] - 1
                                        for s in meaning.get("special", ())):
            out.append((control.id, meaning["min"] - 1, Status.FAIL, "outside the values"))
        if "max" in meaning:
            out.append((control.id, meaning["max"] + 1, Status.FAIL, "outside the values"))
    return out


def _ids(case: tuple[str, Any, Status, str]) -> str:
    return f"{case[0]}={case[1]}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        from egov_audit.checks.vocabulary import load_catalogue

        cases = _cases(load_catalogue())
        metafunc.parametrize("case", cases, ids=[_ids(c) for c in cases])


def test_a_value_is_judged_by_what_it_means(case: tuple[str, Any, Status, str],
                                            tmp_path: Path, policy: PolicySet) -> None:
    control_id, value, status, said = case
    fact = policy.control(control_id).check.fact
    assert fact is not None
    results = run_case({"control": control_id, "expect": status.value, "target": "web01",
                        "facts": {"set": {fact: value}}}, tmp_path, policy)
    assert [r.status for r in results] == [status]
    assert said in results[0].message.en and str(value) in results[0].observed.en


def test_the_report_says_where_the_effective_value_comes_from(tmp_path: Path,
                                                              policy: PolicySet) -> None:
    results = run_case({"control": "HOST-SESS-01", "expect": "fail", "target": "web01",
                        "facts": {"set": {"session.tmout": 1800,
                                          "session.tmout_source": "/etc/profile.d/90-app.sh:1"}}},
                       tmp_path, policy)
    assert [r.status for r in results] == [Status.FAIL]
    assert results[0].observed.en == "1800 (/etc/profile.d/90-app.sh:1)"
    assert "/etc/profile.d/90-app.sh:1" in results[0].message.vi


@pytest.mark.parametrize("require_explicit", [False, True])
def test_a_setting_left_to_the_default(tmp_path: Path, policy: PolicySet,
                                       require_explicit: bool) -> None:
    """MaxAuthTries 4 that nobody wrote (sshd's default would be 6; here the collector says the
    effective 4 comes from no line): said in the report; with --require-explicit it fails."""
    from egov_audit.audit import AuditRequest, evaluate
    from egov_audit.checks.context import AuditOptions
    from tests.helpers import build_evidence, build_inventory

    inventory = build_inventory(tmp_path / "agency")
    evidence = build_evidence(tmp_path / "evidence", inventory,
                              {"set": {"sshd.maxauthtries": 4,
                                       "sshd.defaults": ["maxauthtries", "logingracetime"]}},
                              "web01")
    request = AuditRequest([inventory], options=AuditOptions(True, require_explicit))
    results = {(r.control, r.target): r for r in evaluate(request, evidence, policy).all_results()}
    result = results[("HOST-SSH-03", "web01")]
    assert result.observed.en == "4 (default)" and result.observed.vi == "4 (mặc định)"
    if require_explicit:
        assert result.status is Status.FAIL
        assert "relies on the default" in result.message.en
        assert "dựa vào giá trị mặc định" in result.message.vi
    else:
        assert result.status is Status.PASS
    # a written setting is not touched by the option
    assert results[("HOST-SSH-03", "app01")].status is Status.PASS


def test_a_login_defs_value_says_its_line(tmp_path: Path, policy: PolicySet) -> None:
    results = run_case({"control": "HOST-PWD-01", "expect": "fail", "target": "web01",
                        "facts": {"set": {"login_defs.pass_max_days": 120,
                                          "login_defs.sources": {
                                              "pass_max_days": "/etc/login.defs:162"}}}},
                       tmp_path, policy)
    assert [r.status for r in results] == [Status.FAIL]
    assert results[0].observed.en == "120 (/etc/login.defs:162)"


MATCH_BLOCK = {"match": "Address 10.20.0.0/24", "source": "/etc/ssh/sshd_config:13",
               "evaluated": True}


@pytest.mark.parametrize(("control", "fact", "context", "status"), [
    # root may log in with a password from one network: the host fails, naming the block
    ("HOST-SSH-01", "sshd.permitrootlogin", {"permitrootlogin": "yes"}, Status.FAIL),
    ("HOST-SSH-02", "sshd.passwordauthentication", {"passwordauthentication": "yes"},
     Status.FAIL),
    ("HOST-SSH-03", "sshd.maxauthtries", {"maxauthtries": 10}, Status.FAIL),
    # a special value in the block: idle sessions from there are never cut
    ("HOST-SESS-02", "sshd.idle_timeout_s", {"idle_timeout_s": 0}, Status.FAIL),
    # stricter in the block, or a setting the control does not read: the global verdict stands
    ("HOST-SSH-03", "sshd.maxauthtries", {"maxauthtries": 2}, Status.PASS),
    ("HOST-SSH-03", "sshd.maxauthtries", {"x11forwarding": "yes"}, Status.PASS),
])
def test_a_match_block_that_weakens_a_setting_fails_the_host(
        tmp_path: Path, policy: PolicySet, control: str, fact: str, context: dict[str, Any],
        status: Status) -> None:
    results = run_case({"control": control, "expect": status.value, "target": "web01",
                        "facts": {"set": {"sshd.contexts": [{**MATCH_BLOCK,
                                                             "values": context}]}}},
                       tmp_path, policy)
    assert [r.status for r in results] == [status], results[0].message.en
    if status is Status.FAIL:
        assert "Match Address 10.20.0.0/24 (/etc/ssh/sshd_config:13)" in results[0].message.en
        assert "khối Match Address 10.20.0.0/24" in results[0].message.vi
        assert str(next(iter(context.values()))) in results[0].observed.en


def test_a_match_block_not_evaluated_leaves_the_verdict(tmp_path: Path,
                                                        policy: PolicySet) -> None:
    results = run_case({"control": "HOST-SSH-02", "expect": "pass", "target": "web01",
                        "facts": {"set": {"sshd.contexts": [{
                            "match": "RDomain vrf1", "source": "/etc/ssh/sshd_config:20",
                            "evaluated": False, "reason": "the RDomain criterion is not followed"
                        }]}}}, tmp_path, policy)
    assert [r.status for r in results] == [Status.PASS]

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from egov_audit.errors import PolicyError
from egov_audit.policy import DEFAULT_POLICIES, DEFAULT_REFERENCE_MODELS, PolicySet, load_policies


def test_catalogue_loads_with_both_languages_everywhere(policy: PolicySet) -> None:
    assert len(policy.controls) >= 50
    assert set(policy.baselines) == {"tcvn-11930-2017", "tcvn-14423-2026"}
    for c in policy.controls:
        for text in (c.title, c.description, c.remediation):
            assert text.vi.strip() and text.en.strip() and text.vi != text.en, c.id
    assert policy.digest.startswith("sha256:")


def test_parameters_are_cumulative_over_levels(policy: PolicySet) -> None:
    assert policy.param("server_room.cctv_retention_days", "tcvn-14423-2026", 3) == 90
    assert policy.param("server_room.cctv_retention_days", "tcvn-14423-2026", 4) == 180
    assert policy.param("server_room.cctv_retention_days", "tcvn-14423-2026", 5) == 365
    # defined at level 1, inherited by level 5
    assert policy.param("server_room.inlet_temp_range_c", "tcvn-11930-2017", 5) == [18, 27]
    with pytest.raises(KeyError):
        policy.param("server_room.cctv_retention_days", "tcvn-14423-2026", 2)


def test_select_by_level_is_cumulative(policy: PolicySet) -> None:
    for baseline in policy.baselines:
        previous: set[str] = set()
        for level in range(1, 6):
            current = {c.id for c in policy.select(baseline, level)}
            assert previous <= current
            previous = current


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    pol = tmp_path / "policies"
    models = tmp_path / "reference_models"
    shutil.copytree(DEFAULT_POLICIES, pol)
    shutil.copytree(DEFAULT_REFERENCE_MODELS, models)
    return pol, models


def _edit(path: Path, fn) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d["controls"][0]["check"].update(op="shell"), "unknown operator 'shell'"),
    (lambda d: d["controls"][0].update(severity="urgent"), "is not one of"),
    (lambda d: d["controls"][0]["title"].pop("vi"), "'vi' is a required property"),
    (lambda d: d["controls"][1]["check"].update(param="server_room.nope"),
     "parameter 'server_room.nope' is not defined"),
    (lambda d: d["controls"][0]["baselines"].update({"iso-27001": {"clause": "x",
                                                                   "from_level": 1}}),
     "unknown baseline 'iso-27001'"),
    (lambda d: d["controls"][1].update(id=d["controls"][0]["id"]), "is already defined"),
])
def test_broken_policies_are_errors_never_skipped(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    pol, models = _copy(tmp_path)
    _edit(pol / "server_room/cctv.yml", mutate)
    with pytest.raises(PolicyError, match=message) as err:
        load_policies(pol, models)
    assert err.value.file and err.value.file.endswith("cctv.yml")


def test_unknown_named_check(tmp_path: Path) -> None:
    pol, models = _copy(tmp_path)
    _edit(pol / "network/asn.yml", lambda d: d["controls"][0]["check"].update(named="eval"))
    with pytest.raises(PolicyError, match="unknown named check 'eval'"):
        load_policies(pol, models)


def test_policy_files_cannot_run_code(tmp_path: Path) -> None:
    pol, models = _copy(tmp_path)
    (pol / "evil.yml").write_text("controls: !!python/object/apply:os.system ['touch pwned']\n")
    with pytest.raises(PolicyError, match="unsupported YAML tag"):
        load_policies(pol, models)
    assert not Path("pwned").exists()


def test_every_named_check_and_operator_used_exists(policy: PolicySet) -> None:
    from egov_audit.checks.named import NAMED_CHECKS
    from egov_audit.checks.operators import OPERATORS

    for c in policy.controls:
        if c.check.named:
            assert c.check.named in NAMED_CHECKS
        else:
            assert c.check.op in OPERATORS


def test_every_policy_folder_is_installed_with_the_package() -> None:
    import tomllib

    data_files = tomllib.loads((DEFAULT_POLICIES.parent / "pyproject.toml").read_text())[
        "tool"]["setuptools"]["data-files"]
    installed = {pattern for patterns in data_files.values() for pattern in patterns}
    roots = (DEFAULT_POLICIES, DEFAULT_REFERENCE_MODELS)
    folders = {p.parent.relative_to(DEFAULT_POLICIES.parent)
               for root in roots for p in root.rglob("*.yml")}
    assert {f"{folder}/*.yml" for folder in folders} <= installed


def test_gaps_a_person_must_close_say_who_and_through_which_procedure(policy: PolicySet) -> None:
    """Every control is fixed by a playbook or says who closes it and through which form or
    procedure: server rooms, ASN, address blocks and uplinks never have a playbook."""
    for c in policy.controls:
        if c.id.startswith(("ROOM-", "NET-")):
            assert c.remediation_playbook is None, c.id
        if c.remediation_playbook is None:
            assert c.owner and c.owner.vi != c.owner.en, c.id
            assert c.form and c.form.vi != c.form.en, c.id
        else:
            assert c.target.value == "host", c.id

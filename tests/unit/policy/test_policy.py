from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from egov_audit.checks.vocabulary import load_catalogue
from egov_audit.errors import PolicyError
from egov_audit.policy import DEFAULT_POLICIES, DEFAULT_REFERENCE_MODELS, PolicySet


def test_catalogue_loads_with_both_languages_everywhere(policy: PolicySet) -> None:
    assert len(policy.controls) >= 50
    assert set(policy.baselines) == {"tcvn-11930-2017", "tcvn-14423-2025", "internet-standards"}
    assert [b.id for b in policy.baselines.values() if b.beside] == ["internet-standards"]
    for c in policy.controls:
        for text in (c.title, c.description, c.remediation):
            assert text.vi.strip() and text.en.strip() and text.vi != text.en, c.id
    assert policy.digest.startswith("sha256:")


def test_parameters_are_cumulative_over_levels(policy: PolicySet) -> None:
    assert policy.param("server_room.cctv_retention_days", "tcvn-14423-2025", 3) == 90
    assert policy.param("server_room.cctv_retention_days", "tcvn-14423-2025", 4) == 180
    assert policy.param("server_room.cctv_retention_days", "tcvn-14423-2025", 5) == 365
    # defined at level 1, inherited by level 5
    assert policy.param("server_room.inlet_temp_range_c", "tcvn-11930-2017", 5) == [18, 27]
    with pytest.raises(KeyError):
        policy.param("server_room.cctv_retention_days", "tcvn-14423-2025", 2)


def test_select_by_level_is_cumulative(policy: PolicySet) -> None:
    for baseline in policy.baselines:
        previous: set[str] = set()
        for level in range(1, 6):
            current = {c.id for c in policy.select(baseline, level)}
            assert previous <= current
            previous = current


def test_a_renamed_baseline_is_found_by_its_former_id(policy: PolicySet) -> None:
    """TCVN 14423:2025 was first named tcvn-14423-2026 here: inventories and signed bundles
    that say so keep working, as the baseline it now is."""
    now = policy.baselines["tcvn-14423-2025"]
    assert policy.baseline_named("tcvn-14423-2026") is now
    assert policy.baseline_named("tcvn-14423-2025") is now
    assert policy.baseline_named("tcvn-14423") is None
    assert policy.renamed_baselines == {"tcvn-14423-2026": "tcvn-14423-2025"}
    assert "tcvn-14423-2026" not in policy.baselines  # never a second baseline
    assert now.title.en.startswith("TCVN 14423:2025 Cybersecurity – Requirements for important "
                                   "information systems")
    assert now.title.vi.startswith("TCVN 14423:2025 An ninh mạng – Yêu cầu đối với hệ thống "
                                   "thông tin quan trọng")
    assert "29 May 2025" in now.issuer.en and "29/5/2025" in now.issuer.vi
    assert "National Cybersecurity Centre" in now.issuer.en
    assert now.certainty == "one_source"  # what it requires is still known from one source
    notice = now.renamed_notice("tcvn-14423-2026", "agency.yml:5")
    assert "tcvn-14423-2026" in notice.vi and "tcvn-14423-2025" in notice.vi
    assert "agency.yml:5" in notice.en and notice.vi != notice.en


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    pol = tmp_path / "policies"
    models = tmp_path / "reference_models"
    shutil.copytree(DEFAULT_POLICIES, pol)
    shutil.copytree(DEFAULT_REFERENCE_MODELS, models)
    return pol, models


def _edit(path: Path, fn) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def _load(pol: Path, models: Path) -> PolicySet:
    return load_catalogue(pol, models)


BASELINE = "baselines/tcvn-14423-2025.yml"


def _cited(d, control_id: str):  # type: ignore[no-untyped-def]
    return d["families"]["server_room/cctv"]["controls"][control_id]


@pytest.mark.parametrize("file,mutate,message,line", [
    ("server_room/cctv.yml", lambda d: d["controls"][0]["check"].update(op="shell"),
     "unknown operator 'shell'", "op: shell"),
    ("server_room/cctv.yml", lambda d: d["controls"][0].update(severity="urgent"),
     "is not one of", "severity: urgent"),
    ("server_room/cctv.yml", lambda d: d["controls"][0]["title"].pop("vi"),
     "'vi' is a required property", "title:"),
    ("server_room/cctv.yml", lambda d: d["controls"][1]["check"].update(param="server_room.nope"),
     "parameter 'server_room.nope' is not defined", "check:"),
    ("server_room/cctv.yml", lambda d: d["controls"][1].update(id=d["controls"][0]["id"]),
     "is already defined", "- id: ROOM-CCTV-01"),
    ("server_room/cctv.yml", lambda d: d["family"].pop("defaults"),
     "ROOM-CCTV-01: no area: give it here or in the family's defaults", "- id: ROOM-CCTV-01"),
    (BASELINE, lambda d: d["families"]["server_room/cctv"]["controls"].update(
        {"ROOM-CCTV-99": {"from_level": 1}}), "unknown control ROOM-CCTV-99", "ROOM-CCTV-99:"),
    (BASELINE, lambda d: d["families"]["server_room/cctv"]["controls"].update(
        {"ROOM-PWR-01": {"from_level": 1}}),
     "ROOM-PWR-01 belongs to the family 'server_room/power', not 'server_room/cctv'",
     "ROOM-PWR-01:"),
    (BASELINE, lambda d: _cited(d, "ROOM-CCTV-02").update(params={"host.pass_min_len": 3}),
     "ROOM-CCTV-02 does not read the parameter 'host.pass_min_len' (it reads: "
     "server_room.cctv_retention_days)", "host.pass_min_len:"),
    (BASELINE, lambda d: _cited(d, "ROOM-CCTV-02").update(from_level=7),
     "7 is greater than the maximum of 5", "from_level: 7"),
    (BASELINE, lambda d: d["level_clauses"].pop(5), "does not have enough properties",
     "level_clauses:"),
    (BASELINE, lambda d: d.update(former_ids=["tcvn-11930-2017"]),
     "former id 'tcvn-11930-2017' is a baseline's id", "former_ids:"),
    (BASELINE, lambda d: d.update(former_ids=["TCVN 14423:2026"]), "does not match",
     "former_ids:"),
    ("host/ssh.yml", lambda d: d["controls"][0]["remediation"].update(role="remediate_sshdd"),
     "remediation role 'remediate_sshdd' does not exist", "role: remediate_sshdd"),
    ("host/ssh.yml", lambda d: d["controls"][0]["remediation"].update(role="../../etc"),
     "does not match", "role: ../../etc"),
])
def test_broken_policies_are_errors_with_file_and_line(
        tmp_path: Path, file: str, mutate, message: str, line: str) -> None:  # type: ignore[no-untyped-def]
    pol, models = _copy(tmp_path)
    _edit(pol / file, mutate)
    with pytest.raises(PolicyError, match=re.escape(message)) as err:
        _load(pol, models)
    assert err.value.file and err.value.file.endswith(file)
    assert err.value.line is not None
    lines = (pol / file).read_text().splitlines()
    # the line of the key, or the first line of its value
    assert line in lines[err.value.line - 1] or line in lines[err.value.line - 2], err.value


def test_a_control_no_baseline_cites_is_an_error(tmp_path: Path) -> None:
    pol, models = _copy(tmp_path)
    for path in (pol / "baselines").glob("tcvn-*.yml"):  # the profile does not cite it
        _edit(path, lambda d: d["families"]["server_room/cctv"]["controls"].pop("ROOM-CCTV-02"))
    with pytest.raises(PolicyError, match="ROOM-CCTV-02: no baseline cites this control") as err:
        _load(pol, models)
    assert err.value.file and err.value.file.endswith("server_room/cctv.yml")


def test_a_former_id_names_one_baseline_only(tmp_path: Path) -> None:
    pol, models = _copy(tmp_path)
    _edit(pol / "baselines/tcvn-11930-2017.yml", lambda d: d.update(former_ids=["tcvn-14423-2026"]))
    with pytest.raises(PolicyError, match="former id 'tcvn-14423-2026' is also "
                                          "tcvn-11930-2017's") as err:
        _load(pol, models)
    assert err.value.file and err.value.file.endswith(BASELINE) and err.value.line


def test_unknown_baseline_in_a_reference_model(tmp_path: Path) -> None:
    pol, models = _copy(tmp_path)
    _edit(models / "server_room.yml",
          lambda d: d["parameters"].update({"iso-27001": {1: {"min_ups_runtime_min": 5}}}))
    with pytest.raises(PolicyError, match="unknown baseline 'iso-27001'"):
        _load(pol, models)


def test_a_baseline_sets_a_parameter_otherwise_for_one_control(tmp_path: Path) -> None:
    pol, models = _copy(tmp_path)
    _edit(pol / BASELINE,
          lambda d: _cited(d, "ROOM-CCTV-02").update(
              params={"server_room.cctv_retention_days": 400}))
    policy = _load(pol, models)
    control = policy.control("ROOM-CCTV-02")
    assert policy.param("server_room.cctv_retention_days", "tcvn-14423-2025", 4, control) == 400
    # the model's value for everyone else, and for the other baseline
    assert policy.param("server_room.cctv_retention_days", "tcvn-14423-2025", 4) == 180
    assert policy.param("server_room.cctv_retention_days", "tcvn-11930-2017", 4,
                        control) != 400


def test_unknown_named_check(tmp_path: Path) -> None:
    pol, models = _copy(tmp_path)
    _edit(pol / "network/asn.yml", lambda d: d["controls"][0]["check"].update(named="eval"))
    with pytest.raises(PolicyError, match="unknown named check 'eval'"):
        _load(pol, models)


@pytest.mark.parametrize("file,index,args,message", [
    ("network/uplinks.yml", 2, {"min_path": 2},
     "named check 'tslcd_redundant_paths' takes no argument 'min_path' (it takes: min_paths)"),
    ("network/ip_plan.yml", 6, {"kind": ["dmz"]},
     "named check 'zones_dual_stack' takes no argument 'kind' (it takes: kinds)"),
    ("network/ip_plan.yml", 0, {"versoin": 4},
     "named check 'pi_block' takes no argument 'versoin' (it takes: version)"),
    ("network/ip_plan.yml", 0, {}, "named check 'pi_block' needs the argument 'version'"),
    ("network/ip_plan.yml", 0, {"version": 5}, "argument 'version' of 'pi_block': 5 is not one of"),
    ("network/uplinks.yml", 2, {"min_paths": "two"},
     "argument 'min_paths' of 'tslcd_redundant_paths': 'two' is not of type 'integer'"),
])
def test_named_check_arguments_are_checked_at_load_time(
        tmp_path: Path, file: str, index: int, args: dict, message: str) -> None:  # type: ignore[type-arg]
    pol, models = _copy(tmp_path)

    def mutate(d) -> None:  # type: ignore[no-untyped-def]
        check = d["controls"][index]["check"]
        assert check["named"] in message
        check["args"] = args

    _edit(pol / file, mutate)
    with pytest.raises(PolicyError, match=re.escape(message)) as err:
        _load(pol, models)
    assert err.value.file and err.value.file.endswith(file) and err.value.line


def test_named_check_says_which_parameter_it_reads(tmp_path: Path) -> None:
    pol, models = _copy(tmp_path)
    _edit(pol / "network/zones.yml",
          lambda d: d["controls"][0]["check"].update(param="network.min_internet_providers"))
    with pytest.raises(PolicyError, match=re.escape(
            "named check 'required_zones' reads network.required_zone_kinds, not "
            "'network.min_internet_providers'")):
        _load(pol, models)


def test_shipped_policies_have_no_yaml_anchors_or_aliases() -> None:
    """An anchor shared between controls makes one edit change several controls unseen."""
    for root in (DEFAULT_POLICIES, DEFAULT_REFERENCE_MODELS):
        for path in sorted(root.rglob("*.yml")):
            for event in yaml.parse(path.read_text("utf-8")):
                where = f"{path}:{event.start_mark.line + 1}"
                assert not isinstance(event, yaml.AliasEvent), f"alias at {where}"
                assert getattr(event, "anchor", None) is None, f"anchor at {where}"


def test_policy_files_cannot_run_code(tmp_path: Path) -> None:
    pol, models = _copy(tmp_path)
    (pol / "evil.yml").write_text("controls: !!python/object/apply:os.system ['touch pwned']\n")
    with pytest.raises(PolicyError, match="unsupported YAML tag"):
        _load(pol, models)
    assert not Path("pwned").exists()


def test_every_named_check_and_operator_used_exists(policy: PolicySet) -> None:
    from egov_audit.checks.named import NAMED_CHECKS
    from egov_audit.checks.operators import OPERATORS

    for c in policy.controls:
        if c.check.named:
            assert c.check.named in NAMED_CHECKS
        else:
            assert c.check.op in OPERATORS


def test_gaps_a_person_must_close_say_who_and_through_which_procedure(policy: PolicySet) -> None:
    """Every control is fixed by a playbook or says who closes it and through which form or
    procedure: server rooms, ASN, address blocks and uplinks never have a playbook."""
    for c in policy.controls:
        if c.id.startswith(("ROOM-", "NET-")):
            assert c.remediation_role is None, c.id
        if c.remediation_role is None:
            assert c.owner and c.owner.vi != c.owner.en, c.id
            assert c.form and c.form.vi != c.form.en, c.id
        else:
            assert c.target.value == "host", c.id

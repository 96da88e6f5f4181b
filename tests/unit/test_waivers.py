from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from egov_audit.audit import AuditRequest, validate
from egov_audit.checks.context import AuditOptions
from egov_audit.errors import InventoryError
from egov_audit.models import Status
from egov_audit.policy import PolicySet
from tests.helpers import build_inventory

GAPS = {"set": {"server_rooms[0].cctv.retention_days": 30,
                "network.zones[2].separated_by": "vlan_only"}}


def _waivers(inventory: Path, text: str) -> Path:
    path = inventory / ".egov-audit" / "waivers.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


WAIVER = """waivers:
  - control: ROOM-CCTV-02
    targets: [room:primary]
    justification: A new recorder is on order (decision 45).
    approved_by: Director of the department
    expires: "2027-06-30"
  - control: NET-ZONE-03
    targets: [network]
    justification: Firewall rules being rewritten during the migration.
    approved_by: Director of the department
    expires: "2026-01-31"
"""


def test_active_waivers_apply_and_expired_ones_are_reported(tmp_path: Path,
                                                            policy: PolicySet) -> None:
    inv = build_inventory(tmp_path / "inv", patch=GAPS)
    _waivers(inv, WAIVER)
    bundle = validate(AuditRequest([inv], options=AuditOptions(True),
                                   today=date(2026, 11, 27)), policy).bundles[0]
    by_key = {(r.control, r.target): r.status for r in bundle.results}
    assert by_key[("ROOM-CCTV-02", "room:primary")] is Status.WAIVED
    assert by_key[("ROOM-CCTV-02", "room:standby")] is Status.FAIL  # not covered
    assert by_key[("NET-ZONE-03", "network")] is Status.FAIL  # the waiver has expired
    states = {w["control"]: (w["state"], w["applied_to"]) for w in bundle.waivers}
    assert states == {"ROOM-CCTV-02": ("active", 1), "NET-ZONE-03": ("expired", 0)}
    assert any("NET-ZONE-03 (2026-01-31)" in n.en for n in bundle.notices)
    scores = bundle.scores
    assert scores.counts["waived"] == 1
    assert scores.overall_without_waivers is not None and scores.overall is not None
    assert scores.overall_without_waivers < scores.overall
    # the day after the first waiver expires, it no longer applies
    later = validate(AuditRequest([inv], options=AuditOptions(True),
                                  today=date(2027, 7, 1)), policy).bundles[0]
    assert {(r.control, r.target): r.status for r in later.results}[
        ("ROOM-CCTV-02", "room:primary")] is Status.FAIL


@pytest.mark.parametrize("field,value,message", [
    ("control", "NOPE-01", "unknown control 'NOPE-01'"),
    ("targets", "[web99]", "unknown target 'web99'"),
    ("expires", '"2027-02-30"', "is not a date"),
])
def test_bad_waivers_are_errors_with_their_line(tmp_path: Path, policy: PolicySet, field: str,
                                                value: str, message: str) -> None:
    inv = build_inventory(tmp_path / "inv", patch=GAPS)
    text = WAIVER.replace("control: ROOM-CCTV-02", f"control: {value}") if field == "control" \
        else WAIVER.replace("targets: [room:primary]", f"targets: {value}") if field == "targets" \
        else WAIVER.replace('expires: "2027-06-30"', f"expires: {value}")
    path = _waivers(inv, text)
    with pytest.raises(InventoryError, match=message) as err:
        validate(AuditRequest([inv]), policy)
    assert err.value.file and err.value.file.endswith(".egov-audit/waivers.yml")
    assert err.value.line is not None
    assert path.exists()


def test_an_explicit_waivers_file(tmp_path: Path, policy: PolicySet) -> None:
    inv = build_inventory(tmp_path / "inv", patch=GAPS)
    elsewhere = tmp_path / "approved.yml"
    elsewhere.write_text(WAIVER)
    bundle = validate(AuditRequest([inv], waivers=elsewhere, today=date(2026, 11, 27)),
                      policy).bundles[0]
    assert bundle.scores.counts["waived"] == 1


def test_the_old_place_is_still_read_with_a_notice(tmp_path: Path, policy: PolicySet) -> None:
    inv = build_inventory(tmp_path / "inv", patch=GAPS)
    old = inv / "egov-audit" / "waivers.yml"
    old.parent.mkdir()
    old.write_text(WAIVER)
    bundle = validate(AuditRequest([inv], today=date(2026, 11, 27)), policy).bundles[0]
    assert bundle.scores.counts["waived"] == 1  # ROOM-CCTV-02 (the other has expired)
    assert any("move them to .egov-audit/waivers.yml" in n.en for n in bundle.notices)
    assert any("hãy chuyển sang .egov-audit/waivers.yml" in n.vi for n in bundle.notices)
    _waivers(inv, WAIVER)  # both: the hidden one is read, nothing to say
    again = validate(AuditRequest([inv], today=date(2026, 11, 27)), policy).bundles[0]
    assert not any("egov-audit/waivers.yml" in n.en for n in again.notices)


def test_waivers_travel_in_packed_inputs(tmp_path: Path, policy: PolicySet) -> None:
    from egov_audit.inputs import pack, unpack

    inv = build_inventory(tmp_path / "inv", patch=GAPS)
    _waivers(inv, WAIVER)
    packed = pack(inv, None)
    assert packed["inventory_files"][".egov-audit/waivers.yml"] == WAIVER
    (tmp_path / "out").mkdir()
    unpacked, _ = unpack(packed, tmp_path / "out")
    assert (unpacked / ".egov-audit" / "waivers.yml").read_text() == WAIVER
    # any other hidden path is still refused
    from egov_audit.inputs import InputsError

    with pytest.raises(InputsError, match="not a plain relative path"):
        unpack({"inventory_files": {".ssh/authorized_keys": "x"}}, tmp_path / "other")

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egov_audit.audit import AuditRequest, validate
from egov_audit.bundle import bundle_from_dict, bundle_to_dict
from egov_audit.diff import diff_bundles
from egov_audit.errors import UsageError
from egov_audit.models import Bundle
from egov_audit.policy import PolicySet
from egov_audit.report.interface import ReportOptions, formats, renderer
from tests.helpers import build_inventory, bundle_dict, run_cli


def _bundle(tmp_path: Path, policy: PolicySet, name: str, patch: dict[str, object]) -> Bundle:
    path = build_inventory(tmp_path / name, patch=patch)
    return validate(AuditRequest([path]), policy).bundles[0]


@pytest.fixture
def pair(tmp_path: Path, policy: PolicySet) -> tuple[Bundle, Bundle]:
    old = _bundle(tmp_path, policy, "old", {"set": {
        "server_rooms[0].cctv.retention_days": 30, "network.services.soc.connected": False}})
    new = _bundle(tmp_path, policy, "new", {"set": {
        "server_rooms[0].cctv.retention_days": 30, "network.zones[2].separated_by": "vlan_only",
        "network.services.soc.connected": True}})
    return old, new


def test_the_three_kinds_of_change_and_the_scores(pair: tuple[Bundle, Bundle]) -> None:
    d = diff_bundles(*pair)
    assert [(c.control, c.target) for c in d.newly_failing] == [("NET-ZONE-03", "network")]
    assert [(c.control, c.target) for c in d.newly_passing] == [("NET-SOC-01", "network")]
    assert ("ROOM-CCTV-02", "room:primary") in [(c.control, c.target) for c in d.still_failing]
    overall = d.scores[0]
    assert overall.scope == "overall" and overall.delta == round(overall.new - overall.old, 1)
    assert not d.controls_added and not d.targets_added


def test_policy_updates_and_targets_show(pair: tuple[Bundle, Bundle]) -> None:
    old, new = pair
    data = bundle_to_dict(old)
    data["results"] = [r for r in data["results"] if r["control"] != "NET-IP-09"]
    data["targets"] = [t for t in data["targets"] if t["id"] != "ws01"]
    data["results"] = [r for r in data["results"] if r["target"] != "ws01"]
    d = diff_bundles(bundle_from_dict(data), new)
    assert d.controls_added == ("NET-IP-09",) and d.targets_added == ("ws01",)
    d = diff_bundles(new, bundle_from_dict(data))
    assert d.controls_removed == ("NET-IP-09",) and d.targets_removed == ("ws01",)


def test_refuses_two_agencies_unless_told(tmp_path: Path, policy: PolicySet) -> None:
    a = _bundle(tmp_path, policy, "a", {})
    b = _bundle(tmp_path, policy, "b", {"set": {"agency.code": "other"}})
    with pytest.raises(UsageError, match="different agencies"):
        diff_bundles(a, b)
    assert diff_bundles(a, b, allow_different_agencies=True).new_agency == "other"


@pytest.mark.parametrize("fmt", sorted(formats("diff")))
def test_every_format_in_both_languages(pair: tuple[Bundle, Bundle], fmt: str) -> None:
    d = diff_bundles(*pair)
    vi, en = (str(renderer("diff", fmt)([d], ReportOptions(lang=lang))) for lang in ("vi", "en"))
    assert "NET-ZONE-03" in vi and "NET-ZONE-03" in en
    if fmt == "json":
        assert bundle_dict(en)["agencies"][0]["newly_failing"][0]["control"] == "NET-ZONE-03"
    else:
        assert vi != en and "Mới không đạt" in vi and "Newly failing" in en


def test_diff_command(pair: tuple[Bundle, Bundle], tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(bundle_to_dict(pair[0])))
    new.write_text(json.dumps(bundle_to_dict(pair[1])))
    proc = run_cli("diff", str(old), str(new), "--lang", "en")
    assert proc.returncode == 0 and "Newly failing: 1" in proc.stdout
    assert run_cli("diff", str(old), str(new), "--fail-on", "high").returncode == 1
    assert run_cli("diff", str(old), str(new), "--fail-on", "critical").returncode == 0
    out = tmp_path / "diff.html"
    assert run_cli("diff", str(old), str(new), "-f", "html", "-o", str(out)).returncode == 0
    assert "<script" not in out.read_text()

"""Restructuring the policy files must not change what any baseline requires at any level."""

from __future__ import annotations

import json
from pathlib import Path

from egov_audit.policy import PolicySet
from tests.unit.policy.resolved import resolved_catalogue

SNAPSHOT = Path(__file__).parents[2] / "data" / "resolved-catalogue.json"


def test_resolved_catalogue_matches_the_snapshot(policy: PolicySet) -> None:
    """The snapshot was taken before the restructure. A deliberate change of a control, clause,
    level or parameter updates it in the same commit (the diff shows a reviewer what changed):
    python -m tests.unit.policy.resolved > tests/data/resolved-catalogue.json"""
    expected = json.loads(SNAPSHOT.read_text("utf-8"))
    actual = json.loads(json.dumps(resolved_catalogue(policy), ensure_ascii=False))
    assert actual["order"] == expected["order"]
    for control_id, fields in expected["controls"].items():
        assert actual["controls"][control_id] == fields, control_id
    for baseline, data in expected["baselines"].items():
        for level, controls in data.pop("levels").items():
            assert actual["baselines"][baseline]["levels"][level] == controls, (baseline, level)
        actual["baselines"][baseline].pop("levels")
    assert actual == expected

from __future__ import annotations

from egov_audit.models import Area, Result, Severity, Status, TargetKind, Text
from egov_audit.score import compute_scores

W = {Severity.LOW: 1, Severity.MEDIUM: 3, Severity.HIGH: 6, Severity.CRITICAL: 10}


def _r(status: Status, severity: Severity, area: Area = Area.SECURITY) -> Result:
    return Result("X-1", "t", TargetKind.HOST, status, severity, area, Text("a", "b"))


def test_formula() -> None:
    results = [_r(Status.PASS, Severity.HIGH), _r(Status.FAIL, Severity.LOW),
               _r(Status.NOT_ASSESSED, Severity.MEDIUM), _r(Status.ERROR, Severity.LOW),
               _r(Status.NOT_APPLICABLE, Severity.CRITICAL),
               _r(Status.WAIVED, Severity.CRITICAL),
               _r(Status.PASS, Severity.CRITICAL, Area.INFRASTRUCTURE)]
    scores = compute_scores(results, W)
    # pass 6 + 10 over pass/fail/error/not_assessed 6 + 1 + 3 + 1 + 10
    assert scores.overall == round(100 * 16 / 21, 1)
    assert scores.overall_without_waivers == round(100 * 16 / 31, 1)
    assert scores.by_area == {"infrastructure": 100.0, "ip_addressing": None,
                              "security": round(100 * 6 / 11, 1)}
    # assessed (pass, fail, waived) over applicable (all but not_applicable)
    assert scores.coverage == round(4 / 6, 3)
    assert scores.counts["waived"] == 1


def test_nothing_applicable_is_not_a_perfect_score() -> None:
    scores = compute_scores([_r(Status.NOT_APPLICABLE, Severity.HIGH)], W)
    assert scores.overall is None and scores.coverage is None

from __future__ import annotations

from egov_audit.models import Area, Result, Severity, Status, TargetKind, Text
from egov_audit.score import ScoreTally, compute_scores

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


def test_tallies_of_parts_merge_into_the_tally_of_the_whole() -> None:
    # weights that floating point cannot add exactly: merged parts must still give the same
    weights = {Severity.LOW: 0.1, Severity.MEDIUM: 0.7, Severity.HIGH: 1.3, Severity.CRITICAL: 3.3}
    statuses = list(Status)
    results = [_r(statuses[i % len(statuses)], list(Severity)[i % 4], list(Area)[i % 3])
               for i in range(1000)]
    whole = ScoreTally(weights)
    whole.add(results)
    merged = ScoreTally(weights)
    for first in (600, 0, 300, 900):  # parts out of order
        part = ScoreTally(weights)
        part.add(results[first:first + 300])
        merged.merge(part)
    assert merged.scores() == whole.scores() == compute_scores(results, weights)
    assert merged.failing_at(Severity.HIGH) == whole.failing_at(Severity.HIGH) > 0


def test_a_profiles_results_are_scored_beside_and_merge_alike() -> None:
    """Results of controls judged beside the baseline (a profile's) are in a score of their own
    and in none of the baseline's figures; tallies of parts merge into the whole's."""
    def result(control: str, status: Status, severity: Severity) -> Result:
        return Result(control, "network", TargetKind.NETWORK, status, severity,
                      Area.IP_ADDRESSING, Text("a", "b"))

    counted = [result("NET-A-1", Status.PASS, Severity.HIGH),
               result("NET-A-2", Status.FAIL, Severity.LOW)]
    beside = [result("NET-B-1", Status.PASS, Severity.MEDIUM),
              result("NET-B-2", Status.FAIL, Severity.HIGH),
              result("NET-B-3", Status.NOT_APPLICABLE, Severity.HIGH)]
    whole = ScoreTally(W, {"NET-B-1", "NET-B-2", "NET-B-3"})
    whole.add(counted + beside)
    alone = compute_scores(counted, W)
    scores = whole.scores()
    assert (scores.overall, scores.by_area, scores.counts, scores.coverage) == \
        (alone.overall, alone.by_area, alone.counts, alone.coverage)
    assert scores.beside == round(100 * 3 / 9, 1)
    assert (scores.beside_counts["pass"], scores.beside_counts["fail"],
            scores.beside_counts["not_applicable"]) == (1, 1, 1)
    assert whole.failing_at(Severity.LOW) == 1  # NET-B-2's failure is not the baseline's
    parts = [ScoreTally(W, {"NET-B-1", "NET-B-2", "NET-B-3"}) for _ in range(2)]
    parts[0].add(counted[:1] + beside[:2])
    parts[1].add(counted[1:] + beside[2:])
    parts[0].merge(parts[1])
    assert parts[0].scores() == scores
    assert "beside" not in alone.to_dict() and scores.to_dict()["beside"] == scores.beside

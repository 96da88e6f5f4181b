"""The compliance score, in one place.

    score = 100 × Σ weight(pass) / Σ weight(pass, fail, error, not_assessed)

`not_applicable` and `waived` results are left out (waived ones are counted separately, and the
score without waivers counts them as the fail they would be). Coverage = assessed results /
applicable results, where assessed means pass, fail or waived (a verdict was reached).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .models import Area, Result, Scores, Severity, Status

_COUNTED = {Status.PASS, Status.FAIL, Status.ERROR, Status.NOT_ASSESSED}
_ASSESSED = {Status.PASS, Status.FAIL, Status.WAIVED}
_APPLICABLE = _COUNTED | {Status.WAIVED}


def _ratio(passed: float, total: float) -> float | None:
    return round(100.0 * passed / total, 1) if total else None


class ScoreTally:
    """Scores added up as results come (an agency's hosts are judged a few hundred at a time and
    their results written out, not kept): the same figures `compute_scores` gives for all of
    them at once. Also counts what fails at each severity, for `--fail-on`."""

    def __init__(self, weights: Mapping[Severity, float]) -> None:
        self.weights = weights
        self.counts = {status.value: 0 for status in Status}
        self.passed = {area: 0.0 for area in Area}
        self.total = {area: 0.0 for area in Area}
        self.waived_weight = 0.0
        self.failing: dict[Severity, int] = {severity: 0 for severity in Severity}

    def add(self, results: Iterable[Result]) -> None:
        counts, passed, total, weights = self.counts, self.passed, self.total, self.weights
        for r in results:
            status = r.status
            counts[status.value] += 1
            if status in _COUNTED:
                weight = weights[r.severity]
                total[r.area] += weight
                if status is Status.PASS:
                    passed[r.area] += weight
                elif status is not Status.NOT_ASSESSED:  # fail, error
                    self.failing[r.severity] += 1
            elif status is Status.WAIVED:
                self.waived_weight += weights[r.severity]

    def failing_at(self, threshold: Severity) -> int:
        """How many results fail (or err) at `threshold` or above."""
        return sum(n for severity, n in self.failing.items() if severity.rank >= threshold.rank)

    def scores(self) -> Scores:
        counts = self.counts
        applicable = sum(counts[s.value] for s in _APPLICABLE)
        assessed = sum(counts[s.value] for s in _ASSESSED)
        passed, total = sum(self.passed.values()), sum(self.total.values())
        return Scores(
            overall=_ratio(passed, total),
            by_area={area.value: _ratio(self.passed[area], self.total[area]) for area in Area},
            coverage=round(assessed / applicable, 3) if applicable else None,
            overall_without_waivers=_ratio(passed, total + self.waived_weight),
            counts=dict(counts),
        )


def compute_scores(results: Iterable[Result], weights: Mapping[Severity, float]) -> Scores:
    tally = ScoreTally(weights)
    tally.add(results)
    return tally.scores()

"""The compliance score, in one place.

    score = 100 × Σ weight(pass) / Σ weight(pass, fail, error, not_assessed)

`not_applicable` and `waived` results are left out (waived ones are counted separately, and the
score without waivers counts them as the fail they would be). Coverage = assessed results /
applicable results, where assessed means pass, fail or waived (a verdict was reached).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from .models import Area, Result, Scores, Severity, Status

_COUNTED = {Status.PASS, Status.FAIL, Status.ERROR, Status.NOT_ASSESSED}
_ASSESSED = {Status.PASS, Status.FAIL, Status.WAIVED}
_APPLICABLE = _COUNTED | {Status.WAIVED}


def _ratio(passed: float, total: float) -> float | None:
    return round(100.0 * passed / total, 1) if total else None


class ScoreTally:
    """Scores added up as results come (an agency's hosts are judged a few hundred at a time and
    their results written out, not kept): the same figures `compute_scores` gives for all of
    them at once. Also counts what fails at each severity, for `--fail-on`. It counts, and
    weighs only in `scores()`: tallies of parts judged apart (in worker processes) merge into
    exactly the tally of the whole, whatever the order."""

    def __init__(self, weights: Mapping[Severity, float],
                 beside: Collection[str] = frozenset()) -> None:
        self.weights = weights
        # controls judged beside the baseline (a profile's): scored apart, in nothing else
        self.beside_ids = frozenset(beside)
        self.beside_counts = {status.value: 0 for status in Status}
        self.beside_counted = {severity: 0 for severity in Severity}
        self.beside_passed = {severity: 0 for severity in Severity}
        self.counts = {status.value: 0 for status in Status}
        # results counted in the score, and of those passed, by area and severity
        self.counted: dict[tuple[Area, Severity], int] = {}
        self.passed: dict[tuple[Area, Severity], int] = {}
        self.waived = {severity: 0 for severity in Severity}
        self.failing = {severity: 0 for severity in Severity}

    def add(self, results: Iterable[Result]) -> None:
        counts, counted, passed = self.counts, self.counted, self.passed
        beside = self.beside_ids
        for r in results:
            status = r.status
            if beside and r.control in beside:
                self._add_beside(r)
                continue
            counts[status.value] += 1
            if status in _COUNTED:
                key = (r.area, r.severity)
                counted[key] = counted.get(key, 0) + 1
                if status is Status.PASS:
                    passed[key] = passed.get(key, 0) + 1
                elif status is not Status.NOT_ASSESSED:  # fail, error
                    self.failing[r.severity] += 1
            elif status is Status.WAIVED:
                self.waived[r.severity] += 1

    def _add_beside(self, r: Result) -> None:
        self.beside_counts[r.status.value] += 1
        if r.status in _COUNTED:
            self.beside_counted[r.severity] += 1
            if r.status is Status.PASS:
                self.beside_passed[r.severity] += 1

    def merge(self, other: ScoreTally) -> None:
        """Adds `other`'s counts (a part of the same agency, tallied elsewhere)."""
        for status, n in other.counts.items():
            self.counts[status] += n
            self.beside_counts[status] += other.beside_counts[status]
        for severity in Severity:
            self.beside_counted[severity] += other.beside_counted[severity]
            self.beside_passed[severity] += other.beside_passed[severity]
        for severity in Severity:
            self.waived[severity] += other.waived[severity]
            self.failing[severity] += other.failing[severity]
        for mine, theirs in ((self.counted, other.counted), (self.passed, other.passed)):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n

    def failing_at(self, threshold: Severity) -> int:
        """How many results fail (or err) at `threshold` or above."""
        return sum(n for severity, n in self.failing.items() if severity.rank >= threshold.rank)

    def _weighed(self, counts: Mapping[tuple[Area, Severity], int], area: Area) -> float:
        # in the enums' order, whatever order the counts came in: the same sum every time
        return sum((self.weights[severity] * counts.get((area, severity), 0)
                    for severity in Severity), 0.0)

    def scores(self) -> Scores:
        counts = self.counts
        applicable = sum(counts[s.value] for s in _APPLICABLE)
        assessed = sum(counts[s.value] for s in _ASSESSED)
        by_passed = {area: self._weighed(self.passed, area) for area in Area}
        by_total = {area: self._weighed(self.counted, area) for area in Area}
        passed, total = sum(by_passed.values()), sum(by_total.values())
        waived_weight = sum(self.weights[s] * n for s, n in self.waived.items())
        return Scores(
            overall=_ratio(passed, total),
            by_area={area.value: _ratio(by_passed[area], by_total[area]) for area in Area},
            coverage=round(assessed / applicable, 3) if applicable else None,
            overall_without_waivers=_ratio(passed, total + waived_weight),
            counts=dict(counts),
            beside=_ratio(*(sum((self.weights[s] * tally[s] for s in Severity), 0.0)
                            for tally in (self.beside_passed, self.beside_counted))),
            beside_counts=dict(self.beside_counts) if any(self.beside_counts.values()) else {},
        )


def compute_scores(results: Iterable[Result], weights: Mapping[Severity, float]) -> Scores:
    tally = ScoreTally(weights)
    tally.add(results)
    return tally.scores()

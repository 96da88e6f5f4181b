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


def _score(results: list[Result], weights: Mapping[Severity, float],
           waived_as_fail: bool = False) -> float | None:
    passed = total = 0.0
    for r in results:
        weight = weights[r.severity]
        if r.status in _COUNTED or (waived_as_fail and r.status is Status.WAIVED):
            total += weight
            if r.status is Status.PASS:
                passed += weight
    return round(100.0 * passed / total, 1) if total else None


def compute_scores(results: Iterable[Result], weights: Mapping[Severity, float]) -> Scores:
    items = list(results)
    counts = {status.value: 0 for status in Status}
    for r in items:
        counts[r.status.value] += 1
    applicable = sum(1 for r in items if r.status in _APPLICABLE)
    assessed = sum(1 for r in items if r.status in _ASSESSED)
    by_area = {area.value: _score([r for r in items if r.area is area], weights) for area in Area}
    return Scores(
        overall=_score(items, weights),
        by_area=by_area,
        coverage=round(assessed / applicable, 3) if applicable else None,
        overall_without_waivers=_score(items, weights, waived_as_fail=True),
        counts=counts,
    )

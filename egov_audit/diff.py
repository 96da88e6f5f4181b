"""What changed between two audits of an agency: newly failing, newly passing, still failing,
controls added or removed by a policy update, targets added or removed, score change per area."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Message, UsageError
from .models import Area, Bundle, ControlInfo, Result, ResultSet, Severity, Status, Text

_BAD = {Status.FAIL, Status.ERROR}


@dataclass(frozen=True)
class Change:
    control: str
    target: str
    severity: Severity
    area: Area
    title: Text
    old: Status | None  # None: the result did not exist before
    new: Status | None
    observed: Text


@dataclass(frozen=True)
class ScoreChange:
    scope: str  # "overall", an area, "coverage"
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        if self.old is None or self.new is None:
            return None
        return round(self.new - self.old, 3 if self.scope == "coverage" else 1)


@dataclass(frozen=True)
class BundleDiff:
    old_agency: str
    new_agency: str
    name: Text
    old_date: str
    new_date: str
    old_policy: str
    new_policy: str
    newly_failing: tuple[Change, ...]
    newly_passing: tuple[Change, ...]
    still_failing: tuple[Change, ...]
    controls_added: tuple[str, ...]
    controls_removed: tuple[str, ...]
    targets_added: tuple[str, ...]
    targets_removed: tuple[str, ...]
    scores: tuple[ScoreChange, ...]


def _title(control: str, *infos: dict[str, ControlInfo]) -> Text:
    for info in infos:
        if control in info:
            return info[control].title
    return Text.same(control)


def diff_bundles(old: Bundle, new: Bundle, allow_different_agencies: bool = False) -> BundleDiff:
    if old.agency.code != new.agency.code and not allow_different_agencies:
        raise UsageError(Message("the bundles are of different agencies ({code} and {code2}); "
                                 "--allow-different-agencies compares them anyway",
                                 code=old.agency.code, code2=new.agency.code))
    before = {(r.control, r.target): r for r in old.results}
    after = {(r.control, r.target): r for r in new.results}
    infos = (dict(new.controls), dict(old.controls))

    def change(key: tuple[str, str], was: Result | None, now: Result | None) -> Change:
        ref = now or was
        assert ref is not None
        return Change(key[0], key[1], ref.severity, ref.area, _title(key[0], *infos),
                      was.status if was else None, now.status if now else None,
                      (now or ref).observed)

    newly_failing, newly_passing, still_failing = [], [], []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        was_bad = was is not None and was.status in _BAD
        now_bad = now is not None and now.status in _BAD
        if now_bad and not was_bad:
            newly_failing.append(change(key, was, now))
        elif was_bad and now is not None and now.status is Status.PASS:
            newly_passing.append(change(key, was, now))
        elif was_bad and now_bad:
            still_failing.append(change(key, was, now))
    order = lambda c: (-c.severity.rank, c.control, c.target)  # noqa: E731
    old_controls = {r.control for r in old.results}
    new_controls = {r.control for r in new.results}
    old_targets = {t.id for t in old.targets}
    new_targets = {t.id for t in new.targets}
    scores = [ScoreChange("overall", old.scores.overall, new.scores.overall)]
    scores += [ScoreChange(a.value, old.scores.by_area.get(a.value),
                           new.scores.by_area.get(a.value)) for a in Area]
    scores.append(ScoreChange("coverage", old.scores.coverage, new.scores.coverage))
    return BundleDiff(
        old.agency.code, new.agency.code, new.agency.name, old.finished_at, new.finished_at,
        old.policy_version, new.policy_version,
        tuple(sorted(newly_failing, key=order)), tuple(sorted(newly_passing, key=order)),
        tuple(sorted(still_failing, key=order)),
        tuple(sorted(new_controls - old_controls)), tuple(sorted(old_controls - new_controls)),
        tuple(sorted(new_targets - old_targets)), tuple(sorted(old_targets - new_targets)),
        tuple(scores))


def diff_sets(old: ResultSet, new: ResultSet,
              allow_different_agencies: bool = False) -> list[BundleDiff]:
    """One bundle each: compare them. Result sets: compare the agencies they share by code."""
    if len(old.bundles) == 1 and len(new.bundles) == 1:
        return [diff_bundles(old.bundles[0], new.bundles[0], allow_different_agencies)]
    olds = {b.agency.code: b for b in old.bundles}
    news = {b.agency.code: b for b in new.bundles}
    shared = sorted(set(olds) & set(news))
    if not shared:
        raise UsageError(Message("the two files have no agency in common"))
    return [diff_bundles(olds[code], news[code]) for code in shared]


@dataclass(frozen=True)
class Rescored:
    agency: str
    finished_at: str
    diff: BundleDiff | None
    reason: str = ""  # why it could not be re-scored
    failed: bool = False  # the stored bundle is unusable (not merely without its inputs)

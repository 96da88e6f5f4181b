"""Approved exceptions (ngoại lệ được phê duyệt): a waiver names a control, the targets it
covers, a justification, who approved it and until when. Active waivers turn a failing result
into `waived`; expired ones are ignored and reported; a waiver for an unknown control or target
is an input error. The waivers travel in the (signed) result bundle."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from .errors import InventoryError, Message
from .models import Result, Status
from .schemas import validate
from .yamlsource import load_yaml

WAIVABLE = {Status.FAIL, Status.ERROR, Status.NOT_ASSESSED}
# inside the inventory directory, hidden: Ansible reads every other file of an inventory
# directory as an inventory source (egov-audit/waivers.yml made AWX inventory syncs warn
# "Skipping 'waivers' as this is not a valid group definition"), and skips hidden ones
DEFAULT_PATH = Path(".egov-audit") / "waivers.yml"
LEGACY_PATH = Path("egov-audit") / "waivers.yml"  # still read, with a notice to move it


def find_waivers(inventory: Path) -> Path | None:
    """The waivers file of an inventory directory (relative to it), if it keeps one."""
    for relative in (DEFAULT_PATH, LEGACY_PATH):
        if (inventory / relative).is_file():
            return relative
    return None


@dataclass(frozen=True)
class Waiver:
    """An approved, expiring exception for a control on some targets."""

    control: str
    targets: tuple[str, ...]
    justification: str
    approved_by: str
    approved_on: str
    expires: str
    reference: str
    where: str

    def active(self, today: date) -> bool:
        return date.fromisoformat(self.expires) >= today

    def to_dict(self, state: str, applied: int) -> dict[str, Any]:
        return {"control": self.control, "targets": list(self.targets),
                "justification": self.justification, "approved_by": self.approved_by,
                "approved_on": self.approved_on, "expires": self.expires,
                "reference": self.reference, "state": state, "applied_to": applied}


def load_waivers(path: Path, display: str, controls: Collection[str],
                 targets: Collection[str]) -> list[Waiver]:
    source = load_yaml(path, display, InventoryError)
    if source.data is None:
        return []
    validate(source.data, "waivers", source, (), InventoryError)
    out: list[Waiver] = []
    for index, item in enumerate(source.data["waivers"]):
        if item["control"] not in controls:
            raise source.error(InventoryError, Message("waiver for unknown control {item!r}",
                                                       item=item['control']),
                                               ("waivers", index, "control"))
        for t_index, target in enumerate(item["targets"]):
            if target not in targets:
                raise source.error(InventoryError, Message("waiver for unknown target {target!r} "
                                                           "(targets: hosts, network, room:<id>, "
                                                           "the agency code)", target=target),
                                   ("waivers", index, "targets", t_index))
        try:
            date.fromisoformat(item["expires"])
        except ValueError:
            raise source.error(InventoryError, Message("{item!r} is not a date",
                                                       item=item['expires']),
                               ("waivers", index, "expires")) from None
        line, _ = source.locate(("waivers", index))
        out.append(Waiver(item["control"], tuple(item["targets"]), item["justification"],
                          item["approved_by"], str(item.get("approved_on", "")),
                          item["expires"], str(item.get("reference", "")),
                          f"{display}:{line}"))
    return out


class WaiverLedger:
    """Active waivers applied to results as they come (an agency is judged in parts), with how
    many results each waived."""

    def __init__(self, waivers: Sequence[Waiver], today: date) -> None:
        self.waivers, self.today = waivers, today
        self.covered: dict[tuple[str, str], int] = {}
        for index, waiver in enumerate(waivers):
            if waiver.active(today):
                for target in waiver.targets:
                    self.covered.setdefault((waiver.control, target), index)
        self.applied = [0] * len(waivers)

    def apply(self, results: Sequence[Result]) -> list[Result]:
        if not self.covered:
            return list(results)
        out: list[Result] = []
        for result in results:
            hit = self.covered.get((result.control, result.target))
            if hit is not None and result.status in WAIVABLE:
                self.applied[hit] += 1
                out.append(replace(result, status=Status.WAIVED))
            else:
                out.append(result)
        return out

    def part(self) -> WaiverLedger:
        """The same waivers, none applied yet: for a part of the results judged apart (in a
        worker process), whose counts `merge` adds back."""
        part = WaiverLedger.__new__(WaiverLedger)
        part.waivers, part.today, part.covered = self.waivers, self.today, self.covered
        part.applied = [0] * len(self.waivers)
        return part

    def merge(self, applied: Sequence[int]) -> None:
        for index, count in enumerate(applied):
            self.applied[index] += count

    def record(self) -> list[dict[str, Any]]:
        """Every waiver, active or expired, with the results it waived."""
        return [w.to_dict("active" if w.active(self.today) else "expired", self.applied[i])
                for i, w in enumerate(self.waivers)]


"""The evidence-kind interface: everything egov-audit knows about one kind of evidence, in one
entry. An entry says what the evidence is (its published JSON Schema), which collector gathers
it, how it is read back (through the gates: targets may be compromised), which targets it
covers and how coverage and freshness are judged, and which target kinds' controls read it.
The first kind, host facts, is here; each other is defined beside its reader, and
egov_audit/kinds.py lists them all. A kind's module stays light: its reader loads what it
needs when a run has that evidence."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from ..models import EvidenceStatus, Target, TargetKind, TargetStatus, Text
from .model import FACT_BUNDLE_SCHEMA, HostEvidence

if TYPE_CHECKING:
    from ..inventory import Inventory

E = TypeVar("E")


@dataclass(frozen=True)
class EvidenceKind(Generic[E]):
    name: str
    title: Text
    # its published JSON Schema (`egov-audit schema NAME`); None: a format published by others
    schema: str | None
    bundle_schema: str  # the `schema` value each of its files carries (or the format's name)
    feeds: frozenset[TargetKind]  # the target kinds whose controls read it
    # the collector that gathers it, by its name in collect.COLLECTORS (None: read only, the
    # evidence is made elsewhere: backups, a registry's file, an inspector's probe)
    collector: str | None
    read: Callable[[Path], E]  # an evidence folder or file, through the gates
    expected: Callable[[Inventory], Sequence[tuple[str, TargetKind]]]  # what it must cover
    max_age_days: float = 7.0  # older evidence is stale: `fix` refuses to act on it

    def coverage(self, inventory: Inventory,
                 evidence: Mapping[str, HostEvidence]) -> tuple[Target, ...]:
        """Every target this kind must cover, with what collecting from it gave."""
        out = []
        for target, kind in self.expected(inventory):
            found = evidence.get(target)
            if found is None:
                out.append(Target(target, kind, TargetStatus.FAILED, "no evidence collected"))
            elif found.status is EvidenceStatus.COLLECTED:
                out.append(Target(target, kind, reason=found.collected_at))
            else:
                out.append(Target(target, kind, found.status.target_status, found.reason))
        return tuple(out)

    def age(self, collected_at: str, now: datetime | None = None) -> timedelta:
        stamp = datetime.fromisoformat(collected_at.replace("Z", "+00:00"))
        return (now or datetime.now(UTC)) - stamp

    def is_stale(self, collected_at: str, max_age_days: float | None = None,
                 now: datetime | None = None) -> bool:
        limit = self.max_age_days if max_age_days is None else max_age_days
        return self.age(collected_at, now) > timedelta(days=limit)


def _read_host_facts(folder: Path) -> dict[str, HostEvidence]:
    # the readers (gates, job events) load when there is evidence: a cold validate has none
    from .host_facts import read_evidence_dir

    return read_evidence_dir(folder)


def _inventory_hosts(inventory: Inventory) -> list[tuple[str, TargetKind]]:
    return [(host.name, TargetKind.HOST) for host in inventory.hosts]


HOST_FACTS: EvidenceKind[dict[str, HostEvidence]] = EvidenceKind(
    name="host_facts",
    title=Text("Dữ liệu thu thập từ máy chủ (SSH, Ansible)",
               "Facts collected from hosts (SSH, Ansible)"),
    schema="fact-bundle", bundle_schema=FACT_BUNDLE_SCHEMA,
    # host controls read the facts; the network's NET-PLAN-01 reads which hosts answered
    feeds=frozenset({TargetKind.HOST, TargetKind.NETWORK}),
    collector="ansible", read=_read_host_facts, expected=_inventory_hosts)

"""The evidence-kind interface: everything egov-audit knows about one kind of evidence, in one
entry. An entry says what the evidence is (its published JSON Schema), which collector gathers
it, how it is read back (through the gates: targets may be compromised), which targets it
covers and how coverage and freshness are judged, and which target kinds' controls read it.
The first kind, host facts, is here; each other is defined beside its reader, and
egov_audit/kinds.py lists them all. A kind's module stays light: its reader loads what it
needs when a run has that evidence.

Kinds and their sources are named tuples, not dataclasses: every command, a cold validate
included, defines them, and a frozen dataclass costs a millisecond to make where a named tuple
costs a fraction of one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from ..models import EvidenceStatus, Target, TargetKind, TargetStatus, Text
from .formats import FACT_BUNDLE_SCHEMA

if TYPE_CHECKING:
    from ..inventory import Inventory
    from .model import HostEvidence


E = TypeVar("E")


class Sources(NamedTuple):
    """Where one agency's evidence is, for a run: the evidence folder of a scan or a probe
    (None: validate), the files or folders the command line gave, by kind name
    (--device-configs, --registry-file), which kinds the run (or the scan that made the folder)
    collected, and the files already read this run (several agencies share one registry file)."""

    inventory: Inventory
    folder: Path | None = None
    given: Mapping[str, Path] = {}
    collected: frozenset[str] = frozenset()
    loaded: dict[Path, Any] | None = None  # files already read (None: none kept)


class EvidenceKind(NamedTuple, Generic[E]):
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
    # the target kind whose declarative controls (a fact path, an operator) read its facts
    judges: TargetKind | None = None
    # when a run has none of it: its targets are listed from the inventory with this reason
    # (None: they are not listed)
    not_given: str | None = None
    # what it found of targets the inventory does not declare: listed as targets too, with
    # this reason when their own gives none (None: left to the controls, as hosts are)
    undeclared: str | None = None
    # what a run's bundle says of the evidence beyond its targets (stale files, the file's
    # identity): the inventory, what was found, the day of the audit
    notices: Callable[[Inventory, E, date | None], tuple[Text, ...]] | None = None
    # its files' digests go into a signed bundle under this prefix and the target's name
    # (None: not recorded)
    digest_prefix: str | None = None
    # what a run has of it, from the run's sources (None: not given, its controls do not run)
    gather: Callable[[Sources], E | None] | None = None

    def found(self, sources: Sources) -> E | None:
        """What a run has of this kind."""
        return None if self.gather is None else self.gather(sources)

    def targets(self, inventory: Inventory, found: E | None) -> tuple[Target, ...]:
        """Its targets in a run's bundle: what collecting gave (or `not_given`)."""
        if found is None:
            if self.not_given is None:
                return ()
            return tuple(Target(name, kind, reason=self.not_given)
                         for name, kind in self.expected(inventory))
        if not isinstance(found, Mapping):
            return ()  # one file for every target (a registry's): no targets of its own
        out = self.coverage(inventory, found)
        if self.undeclared is not None and self.judges is not None:
            declared = {name for name, _ in self.expected(inventory)}
            out += tuple(Target(name, self.judges, e.status.target_status,
                                e.reason or self.undeclared)
                         for name, e in sorted(found.items()) if name not in declared)
        return out

    def digests(self, found: E | None) -> dict[str, str]:
        """Each of its files' digest, by the name the bundle records it under."""
        if found is None or self.digest_prefix is None:
            return {}
        assert isinstance(found, Mapping)
        return {f"{self.digest_prefix}{name}": e.digest for name, e in found.items() if e.digest}

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

    def stale_days(self, made_at: str, today: date | None = None) -> int | None:
        """How many days old a file made at `made_at` is on the day of an audit (`today`,
        default now), when that is older than this kind may be; None while it is fresh."""
        now = datetime.combine(today, datetime.min.time(), UTC) if today else None
        return self.age(made_at, now).days if self.is_stale(made_at, now=now) else None


def _read_host_facts(folder: Path) -> dict[str, HostEvidence]:
    # the readers (gates, job events) load when there is evidence: a cold validate has none
    from .host_facts import read_evidence_dir

    return read_evidence_dir(folder)


def _host_facts(sources: Sources) -> dict[str, HostEvidence] | None:
    # collected: the audit reads the folder a pass of hosts at a time (audit._judge); what it
    # keeps of each host replaces this empty start
    return {} if HOST_FACTS.name in sources.collected else None


def _inventory_hosts(inventory: Inventory) -> list[tuple[str, TargetKind]]:
    return [(host.name, TargetKind.HOST) for host in inventory.hosts]


HOST_FACTS: EvidenceKind[dict[str, HostEvidence]] = EvidenceKind(
    name="host_facts",
    title=Text("Dữ liệu thu thập từ máy chủ (SSH, Ansible)",
               "Facts collected from hosts (SSH, Ansible)"),
    schema="fact-bundle", bundle_schema=FACT_BUNDLE_SCHEMA,
    # host controls read the facts; the network's NET-PLAN-01 reads which hosts answered
    feeds=frozenset({TargetKind.HOST, TargetKind.NETWORK}),
    collector="ansible", read=_read_host_facts, expected=_inventory_hosts,
    judges=TargetKind.HOST, not_given="declared in the inventory; not contacted",
    digest_prefix="", gather=_host_facts)

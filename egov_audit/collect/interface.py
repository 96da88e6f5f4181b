"""The Collector interface: gather evidence from an inventory's hosts into an evidence directory."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..models import EvidenceStatus

if TYPE_CHECKING:
    from ..inventory.model import WorkerNode


@dataclass(frozen=True)
class RemoteGroup:
    """Hosts whose evidence a worker node collects, and their variables as Ansible's JSON
    inventory (the node is sent these hosts only)."""

    node: WorkerNode
    hosts: tuple[str, ...]
    inventory: Mapping[str, Any]


@dataclass(frozen=True)
class CollectOptions:
    limit: str | None = None  # an Ansible host pattern
    forks: int = 10
    timeout: int = 120  # seconds per host for the whole collection task
    connect_timeout: int = 15
    host_key_checking: bool = True
    devices: tuple[str, ...] = ()  # which of the targets are routers and firewalls
    facility: tuple[str, ...] = ()  # which are UPSes and room sensors (SNMP)
    known_hosts: Path | None = None  # the devices' SSH host keys (network_cli)
    remote: tuple[RemoteGroup, ...] = ()  # hosts collected through worker nodes


@dataclass(frozen=True)
class HostOutcome:
    host: str
    status: EvidenceStatus
    reason: str = ""


@dataclass(frozen=True)
class CollectionReport:
    outcomes: Sequence[HostOutcome] = field(default_factory=tuple)
    seconds: float = 0.0

    def count(self, status: EvidenceStatus) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


ProgressFn = Callable[[HostOutcome], None]


class Collector(Protocol):
    name: str

    def collect(self, inventory: Path, hosts: Sequence[str], evidence_dir: Path,
                options: CollectOptions, progress: ProgressFn | None = None
                ) -> CollectionReport: ...

"""Evidence kinds: everything egov-audit knows about one kind of evidence, in one entry: host
facts, network device configurations, the registry's delegation statistics, SNMP facility
readings, public portals probed from outside; a next one is one more entry here, plus its
collector and controls.

An entry says what the evidence is (its published JSON Schema), how it is collected, how it is
read back from an evidence folder (through the gates: hosts may be compromised), which targets
it covers and how coverage and freshness are judged, and which target kinds' controls read it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ..models import EvidenceStatus, Target, TargetKind, TargetStatus, Text
from .evidence import FACT_BUNDLE_SCHEMA, HostEvidence, read_evidence_dir

if TYPE_CHECKING:
    from ..inventory import Inventory
    from ..network.registry import Registry
    from .interface import Collector

E = TypeVar("E")


@dataclass(frozen=True)
class EvidenceKind(Generic[E]):
    name: str
    title: Text
    # its published JSON Schema (`egov-audit schema NAME`); None: a format published by others
    schema: str | None
    bundle_schema: str  # the `schema` value each of its files carries (or the format's name)
    feeds: frozenset[TargetKind]  # the target kinds whose controls read it
    collector: Callable[[], Collector] | None  # made when a scan needs it (None: read only)
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


def _ansible_collector() -> Collector:
    from .ansible import AnsibleCollector

    return AnsibleCollector()


def _inventory_hosts(inventory: Inventory) -> list[tuple[str, TargetKind]]:
    return [(host.name, TargetKind.HOST) for host in inventory.hosts]


HOST_FACTS: EvidenceKind[dict[str, HostEvidence]] = EvidenceKind(
    name="host_facts",
    title=Text("Dữ liệu thu thập từ máy chủ (SSH, Ansible)",
               "Facts collected from hosts (SSH, Ansible)"),
    schema="fact-bundle", bundle_schema=FACT_BUNDLE_SCHEMA,
    # host controls read the facts; the network's NET-PLAN-01 reads which hosts answered
    feeds=frozenset({TargetKind.HOST, TargetKind.NETWORK}),
    collector=_ansible_collector, read=read_evidence_dir, expected=_inventory_hosts)

def _read_device_configs(folder: Path) -> dict[str, HostEvidence]:
    from ..network.evidence import read_device_evidence  # the parser loads only when needed

    return read_device_evidence(folder)


def _inventory_devices(inventory: Inventory) -> list[tuple[str, TargetKind]]:
    return [(device.name, TargetKind.DEVICE) for device in inventory.devices]


DEVICE_CONFIG: EvidenceKind[dict[str, HostEvidence]] = EvidenceKind(
    name="device_config",
    title=Text("Cấu hình thiết bị mạng (bản sao lưu: Oxidized, RANCID, tệp .cfg)",
               "Network device configurations (backups: Oxidized, RANCID, .cfg files)"),
    schema="network-fact-bundle", bundle_schema="egov-audit/network-fact-bundle@1",
    # device controls read a device's configuration; network controls read all of them (BGP,
    # which interfaces carry which zone)
    feeds=frozenset({TargetKind.DEVICE, TargetKind.NETWORK}),
    collector=None, read=_read_device_configs, expected=_inventory_devices,
    max_age_days=31.0)  # backups are taken nightly to monthly



def _read_registry(path: Path) -> Registry:
    from ..network.registry import read_registry

    return read_registry(path)


def _nothing(inventory: Inventory) -> list[tuple[str, TargetKind]]:
    return []


REGISTRY_FILE: EvidenceKind[Registry] = EvidenceKind(
    name="registry_file",
    title=Text("Thống kê cấp phát của cơ quan đăng ký Internet (APNIC, gồm VNNIC)",
               "The internet registry's delegation statistics (APNIC, VNNIC's included)"),
    schema=None, bundle_schema="RIR statistics exchange format, version 2",
    # the network's ASN and blocks; across agencies, who holds what
    feeds=frozenset({TargetKind.NETWORK, TargetKind.NATIONAL}),
    collector=None, read=_read_registry, expected=_nothing,  # one file for all, no targets
    max_age_days=31.0)  # published daily; a month-old copy misses recent delegations



def _read_facility(folder: Path) -> dict[str, HostEvidence]:
    from ..facility.evidence import read_live_facility

    return read_live_facility(folder) or {}


def _inventory_facility(inventory: Inventory) -> list[tuple[str, TargetKind]]:
    return [(device.name, TargetKind.FACILITY) for device in inventory.facility_devices]


FACILITY_SNMP: EvidenceKind[dict[str, HostEvidence]] = EvidenceKind(
    name="facility_snmp",
    title=Text("Số đo của UPS và cảm biến phòng máy chủ (SNMPv3)",
               "UPS and server-room sensor readings (SNMPv3)"),
    schema="facility-fact-bundle", bundle_schema="egov-audit/facility-fact-bundle@1",
    # the server-room controls that compare the survey with the measurements
    feeds=frozenset({TargetKind.SERVER_ROOM}),
    collector=_ansible_collector,  # collect.yml's facility play, in the same scan
    read=_read_facility, expected=_inventory_facility,
    max_age_days=7.0)



def _read_portals(folder: Path) -> dict[str, HostEvidence]:
    from ..portal.evidence import read_portals

    return read_portals(folder) or {}


def _inventory_portals(inventory: Inventory) -> list[tuple[str, TargetKind]]:
    return [(portal.name, TargetKind.PORTAL) for portal in inventory.network.portals]


PORTAL_PROBE: EvidenceKind[dict[str, HostEvidence]] = EvidenceKind(
    name="portal_probe",
    title=Text("Cổng thông tin công khai nhìn từ bên ngoài (DNS, DNSSEC, IPv6, HTTPS)",
               "Public portals seen from outside (DNS, DNSSEC, IPv6, HTTPS)"),
    schema="portal-fact-bundle", bundle_schema="egov-audit/portal-fact-bundle@1",
    feeds=frozenset({TargetKind.PORTAL}),
    collector=None,  # `egov-audit probe` (no host access: the inspector's own machine)
    read=_read_portals, expected=_inventory_portals,
    max_age_days=7.0)  # certificates expire and DNS changes: a week-old probe is stale

EVIDENCE_KINDS: Mapping[str, EvidenceKind[Any]] = {
    kind.name: kind
    for kind in (HOST_FACTS, DEVICE_CONFIG, REGISTRY_FILE, FACILITY_SNMP, PORTAL_PROBE)}

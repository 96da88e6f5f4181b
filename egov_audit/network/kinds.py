"""The network's evidence kinds: device configurations (backups, or collected live) and the
internet registry's delegation statistics. Their readers load the parsers only when a run has
such evidence: a cold validate has none."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..evidence.kind import EvidenceKind
from ..evidence.model import HostEvidence
from ..models import TargetKind, Text

if TYPE_CHECKING:
    from ..inventory import Inventory
    from .registry import Registry


def _read_device_configs(folder: Path) -> dict[str, HostEvidence]:
    from .evidence import read_device_evidence  # the parsers load only when needed

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
    from .registry import read_registry  # 3 million records: only when given

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

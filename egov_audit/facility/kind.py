"""The facility evidence kind: what UPSes and room sensors measured (SNMPv3), read from the
evidence folder a scan wrote."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..evidence.kind import EvidenceKind, Sources
from ..models import TargetKind, Text

if TYPE_CHECKING:
    from ..evidence.model import HostEvidence
    from ..inventory import Inventory


def _read_facility(folder: Path) -> dict[str, HostEvidence]:
    # the folder readers and their gates load when a run has evidence: a cold validate has none
    from .evidence import read_live_facility

    return read_live_facility(folder) or {}


def _gather(sources: Sources) -> dict[str, HostEvidence] | None:
    """The readings in a scan's folder (none there: the scan found no device to read)."""
    if FACILITY_SNMP.name not in sources.collected or sources.folder is None:
        return None
    return _read_facility(sources.folder)


def _inventory_facility(inventory: Inventory) -> list[tuple[str, TargetKind]]:
    return [(device.name, TargetKind.FACILITY) for device in inventory.facility_devices]


FACILITY_SNMP: EvidenceKind[dict[str, HostEvidence]] = EvidenceKind(
    name="facility_snmp",
    title=Text("Số đo của UPS và cảm biến phòng máy chủ (SNMPv3)",
               "UPS and server-room sensor readings (SNMPv3)"),
    schema="facility-fact-bundle", bundle_schema="egov-audit/facility-fact-bundle@1",
    # the server-room controls that compare the survey with the measurements
    feeds=frozenset({TargetKind.SERVER_ROOM}),
    collector="ansible",  # collect.yml's facility play, in the same scan
    read=_read_facility, expected=_inventory_facility,
    max_age_days=7.0, not_given="declared in the inventory; not contacted", gather=_gather)

"""Facility evidence: one bundle per UPS or room sensor (<evidence>/facility/<device>.json),
written by the action plugin egov_facility_facts as soon as the device answers, read back
through the strict JSON reader and the published schema (a device may be compromised). The
same HostEvidence shape as hosts and network devices, so coverage and freshness work alike."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import Message
from ..evidence.folder import DeviceBundles
from ..evidence.model import HostEvidence
from ..models import EvidenceStatus

FACILITY_FACT_BUNDLE = "egov-audit/facility-fact-bundle@1"
FACILITY_DIR = "facility"  # inside an evidence folder
# the collection task of playbooks/collect.yml's facility play: its result is a device's verdict
FACILITY_TASK = "Read the UPS and room sensors over SNMPv3 (GET and WALK only)"
MAX_FACILITY_BUNDLE_BYTES = 1024 * 1024
MAX_FACILITY_DEVICES = 100_000


def facility_bundle(device: str, server_room: str, role: str, address: str, port: int,
                    facts: Mapping[str, Any], collected_at: str) -> dict[str, Any]:
    return {"schema": FACILITY_FACT_BUNDLE, "device": device, "status": "collected",
            "collected_at": collected_at, "server_room": server_room, "role": role,
            "source": {"address": address, "port": port, "protocol": "snmpv3"},
            "facts": dict(facts)}


def _evidence(bundle: Mapping[str, Any], digest: str) -> HostEvidence:
    facts = {**bundle["facts"], "server_room": bundle["server_room"], "role": bundle["role"]}
    return HostEvidence(bundle["device"], EvidenceStatus.COLLECTED, "", bundle["collected_at"],
                        facts, digest, bundle)


FACILITY_BUNDLES = DeviceBundles(FACILITY_FACT_BUNDLE, "facility-fact-bundle",
                                 MAX_FACILITY_BUNDLE_BYTES, _evidence)


def read_facility_bundle(path: Path) -> HostEvidence | None:
    """A device's bundle, or a `failed` record saying why the file is unusable; None if the
    file is not a facility bundle."""
    return FACILITY_BUNDLES.read(path)


def read_live_facility(evidence_dir: Path) -> dict[str, HostEvidence] | None:
    """The facility devices collected into an evidence folder; None when it holds none."""
    folder = evidence_dir / FACILITY_DIR
    if not folder.is_dir():
        return None
    return FACILITY_BUNDLES.read_folder(folder, MAX_FACILITY_DEVICES,
                                        Message("facility evidence files"))


def write_facility_bundle(directory: Path | str, device: str, data: Mapping[str, Any]) -> Path:
    return FACILITY_BUNDLES.write(directory, device, data)


def record_facility_failure(directory: Path, device: str, status: EvidenceStatus, reason: str,
                            keep_collected_since: str | None = None) -> Path:
    """Record that a device could not be read; a bundle this run collected is kept."""
    return FACILITY_BUNDLES.record_failure(directory, device, status, reason,
                                           keep_collected_since)

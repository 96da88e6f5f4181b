"""Facility evidence: one bundle per UPS or room sensor (<evidence>/facility/<device>.json),
written by the action plugin egov_facility_facts as soon as the device answers, read back
through the strict JSON reader and the published schema (a device may be compromised). The
same HostEvidence shape as hosts and network devices, so coverage and freshness work alike."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..collect.evidence import HostEvidence, json_files, now, write_bundle
from ..errors import CollectionError, Message
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
    if bundle["status"] != "collected":
        return HostEvidence(bundle["device"], EvidenceStatus(bundle["status"]),
                            str(bundle.get("reason", "")), str(bundle.get("collected_at", "")))
    facts = {**bundle["facts"], "server_room": bundle["server_room"], "role": bundle["role"]}
    return HostEvidence(bundle["device"], EvidenceStatus.COLLECTED, "", bundle["collected_at"],
                        facts, digest, bundle)


def read_facility_bundle(path: Path) -> HostEvidence | None:
    """A device's bundle, or a `failed` record saying why the file is unusable; None if the
    file is not a facility bundle."""
    from ..gates.filein import read_bytes
    from ..gates.jsonin import StrictJsonError, loads
    from ..schemas import is_valid

    device = path.stem
    try:
        raw = read_bytes(path, str(path), CollectionError, MAX_FACILITY_BUNDLE_BYTES)
        data = loads(raw)
    except CollectionError as exc:
        return HostEvidence(device, EvidenceStatus.FAILED, f"evidence refused: {exc.message}")
    except StrictJsonError as exc:
        return HostEvidence(device, EvidenceStatus.FAILED,
                            f"evidence is not valid JSON: {exc.message}")
    if not isinstance(data, dict) or data.get("schema") != FACILITY_FACT_BUNDLE:
        return None
    if not is_valid(data, "facility-fact-bundle"):
        return HostEvidence(device, EvidenceStatus.FAILED,
                            "evidence does not match the facility-fact-bundle schema")
    if data["device"] != device:
        return HostEvidence(device, EvidenceStatus.FAILED,
                            f"evidence file names device {str(data['device'])[:80]!r}")
    return _evidence(data, "sha256:" + hashlib.sha256(raw).hexdigest())


def read_live_facility(evidence_dir: Path) -> dict[str, HostEvidence] | None:
    """The facility devices collected into an evidence folder; None when it holds none."""
    folder = evidence_dir / FACILITY_DIR
    if not folder.is_dir():
        return None
    out: dict[str, HostEvidence] = {}
    for name in json_files(folder, MAX_FACILITY_DEVICES, Message("facility evidence files")):
        found = read_facility_bundle(folder / name)
        if found is not None:
            out[found.host] = found
    return out


def write_facility_bundle(directory: Path | str, device: str, data: Mapping[str, Any]) -> Path:
    return write_bundle(Path(directory), {**data, "device": device}, name_key="device")


def record_facility_failure(directory: Path, device: str, status: EvidenceStatus, reason: str,
                            keep_collected_since: str | None = None) -> Path:
    """Record that a device could not be read; a bundle this run collected is kept."""
    target = directory / f"{device}.json"
    if keep_collected_since is not None and target.exists():
        current = read_facility_bundle(target)
        if current is not None and current.collected and \
                current.collected_at >= keep_collected_since:
            return target
    return write_facility_bundle(directory, device, {
        "schema": FACILITY_FACT_BUNDLE, "device": device, "status": str(status),
        "reason": reason[:2000], "collected_at": now()})

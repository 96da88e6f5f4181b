"""Network device evidence as the checks read it: one HostEvidence per device (the same shape
as a host's, so coverage, freshness and digests work alike), from configuration backups or
from bundles collected live (egov_device_facts writes <evidence>/devices/<device>.json).
`facts` are the normalised network facts plus `vendor` and `file` (where each fact's `line`
points)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..collect.evidence import HostEvidence, json_files, now, write_bundle
from ..errors import CollectionError, Message
from ..models import EvidenceStatus
from .backups import DeviceBackup, read_device_configs
from .parse import NETWORK_FACT_BUNDLE

DEVICES_DIR = "devices"  # inside an evidence folder
# the collection task of playbooks/collect.yml's device play: its result is a device's verdict
DEVICE_TASK = "Read the running configuration and routing state (show commands only)"
MAX_DEVICE_BUNDLE_BYTES = 32 * 1024 * 1024
MAX_DEVICES = 100_000


def _evidence(bundle: Mapping[str, Any], digest: str) -> HostEvidence:
    if bundle["status"] != "collected":
        return HostEvidence(bundle["device"], EvidenceStatus(bundle["status"]),
                            str(bundle.get("reason", "")), str(bundle.get("collected_at", "")))
    facts = {**bundle["facts"], "vendor": bundle["vendor"], "file": bundle["source"]["file"]}
    return HostEvidence(bundle["device"], EvidenceStatus.COLLECTED, "", bundle["collected_at"],
                        facts, digest, bundle)


def device_evidence(backup: DeviceBackup) -> HostEvidence:
    if backup.bundle is None:
        return HostEvidence(backup.device, EvidenceStatus.FAILED, f"{backup.file}: {backup.reason}")
    return _evidence(backup.bundle, "sha256:" + backup.bundle["source"]["sha256"])


def read_device_evidence(folder: Path) -> dict[str, HostEvidence]:
    """Every device of a backup folder; a file that cannot be used is a `failed` device."""
    return {name: device_evidence(backup)
            for name, backup in read_device_configs(folder).items()}


def read_device_bundle(path: Path) -> HostEvidence | None:
    """A device's bundle collected live, or a `failed` record saying why the file is unusable
    (the device may be compromised: strict reader, schema); None if it is not one of ours."""
    from ..gates.filein import read_bytes
    from ..gates.jsonin import StrictJsonError, loads
    from ..schemas import is_valid

    device = path.stem
    try:
        raw = read_bytes(path, str(path), CollectionError, MAX_DEVICE_BUNDLE_BYTES)
        data = loads(raw)
    except CollectionError as exc:
        return HostEvidence(device, EvidenceStatus.FAILED, f"evidence refused: {exc.message}")
    except StrictJsonError as exc:
        return HostEvidence(device, EvidenceStatus.FAILED,
                            f"evidence is not valid JSON: {exc.message}")
    if not isinstance(data, dict) or data.get("schema") != NETWORK_FACT_BUNDLE:
        return None
    if not is_valid(data, "network-fact-bundle"):
        return HostEvidence(device, EvidenceStatus.FAILED,
                            "evidence does not match the network-fact-bundle schema")
    if data["device"] != device:
        return HostEvidence(device, EvidenceStatus.FAILED,
                            f"evidence file names device {str(data['device'])[:80]!r}")
    return _evidence(data, "sha256:" + hashlib.sha256(raw).hexdigest())


def read_live_devices(evidence_dir: Path) -> dict[str, HostEvidence] | None:
    """The devices collected live into an evidence folder; None when it holds none."""
    folder = evidence_dir / DEVICES_DIR
    if not folder.is_dir():
        return None
    out: dict[str, HostEvidence] = {}
    for name in json_files(folder, MAX_DEVICES, Message("configuration files")):
        found = read_device_bundle(folder / name)
        if found is not None:
            out[found.host] = found
    return out


def write_device_bundle(directory: Path | str, device: str, data: Mapping[str, Any]) -> Path:
    """Write one device's bundle atomically (readers see the old file or the new one), named
    after the device it is filed under."""
    return write_bundle(Path(directory), {**data, "device": device}, name_key="device")


def record_device_failure(directory: Path, device: str, status: EvidenceStatus, reason: str,
                          keep_collected_since: str | None = None) -> Path:
    """Record that a device could not be assessed; a bundle this run collected is kept."""
    target = directory / f"{device}.json"
    if keep_collected_since is not None and target.exists():
        current = read_device_bundle(target)
        if current is not None and current.collected and \
                current.collected_at >= keep_collected_since:
            return target
    return write_device_bundle(directory, device, {
        "schema": NETWORK_FACT_BUNDLE, "device": device, "status": str(status),
        "reason": reason[:2000], "collected_at": now()})

"""Network device evidence as the checks read it: one HostEvidence per device (the same shape
as a host's, so coverage, freshness and digests work alike), from configuration backups or
from bundles collected live (egov_device_facts writes <evidence>/devices/<device>.json).
`facts` are the normalised network facts plus `vendor` and `file` (where each fact's `line`
points)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import Message
from ..evidence.folder import DeviceBundles
from ..evidence.model import HostEvidence
from ..models import EvidenceStatus
from .backups import DeviceBackup, read_device_configs
from .facts import neutral_facts
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
    # the vendor is chosen here, once: the checks read what its facts mean (network/facts.py)
    facts = {**bundle["facts"], "vendor": bundle["vendor"], "file": bundle["source"]["file"],
             **neutral_facts(bundle["vendor"], bundle["facts"])}
    return HostEvidence(bundle["device"], EvidenceStatus.COLLECTED, "", bundle["collected_at"],
                        facts, digest, bundle)


def device_evidence(backup: DeviceBackup) -> HostEvidence:
    if backup.bundle is None:
        where = backup.file if backup.line is None else f"{backup.file}:{backup.line}"
        return HostEvidence(backup.device, EvidenceStatus.FAILED, f"{where}: {backup.reason}")
    return _evidence(backup.bundle, "sha256:" + backup.bundle["source"]["sha256"])


def read_device_evidence(folder: Path) -> dict[str, HostEvidence]:
    """Every device of a backup folder; a file that cannot be used is a `failed` device."""
    return {name: device_evidence(backup)
            for name, backup in read_device_configs(folder).items()}


DEVICE_BUNDLES = DeviceBundles(NETWORK_FACT_BUNDLE, "network-fact-bundle",
                               MAX_DEVICE_BUNDLE_BYTES, _evidence)


def read_device_bundle(path: Path) -> HostEvidence | None:
    """A device's bundle collected live, or a `failed` record saying why the file is unusable;
    None if it is not one of ours."""
    return DEVICE_BUNDLES.read(path)


def read_live_devices(evidence_dir: Path) -> dict[str, HostEvidence] | None:
    """The devices collected live into an evidence folder; None when it holds none."""
    folder = evidence_dir / DEVICES_DIR
    if not folder.is_dir():
        return None
    return DEVICE_BUNDLES.read_folder(folder, MAX_DEVICES, Message("configuration files"))


def write_device_bundle(directory: Path | str, device: str, data: Mapping[str, Any]) -> Path:
    """Write one device's bundle atomically (readers see the old file or the new one), named
    after the device it is filed under."""
    return DEVICE_BUNDLES.write(directory, device, data)


def record_device_failure(directory: Path, device: str, status: EvidenceStatus, reason: str,
                          keep_collected_since: str | None = None) -> Path:
    """Record that a device could not be assessed; a bundle this run collected is kept."""
    return DEVICE_BUNDLES.record_failure(directory, device, status, reason,
                                         keep_collected_since)

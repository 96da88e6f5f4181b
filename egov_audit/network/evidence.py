"""Network device evidence as the checks read it: one HostEvidence per device (the same shape
as a host's, so coverage, freshness and digests work alike), made from configuration backups.
`facts` are the normalised network facts plus `vendor` and `file` (where each fact's `line`
points)."""

from __future__ import annotations

from pathlib import Path

from ..collect.evidence import HostEvidence
from ..models import EvidenceStatus
from .backups import DeviceBackup, read_device_configs


def device_evidence(backup: DeviceBackup) -> HostEvidence:
    bundle = backup.bundle
    if bundle is None:
        return HostEvidence(backup.device, EvidenceStatus.FAILED, f"{backup.file}: {backup.reason}")
    facts = {**bundle["facts"], "vendor": bundle["vendor"], "file": bundle["source"]["file"]}
    return HostEvidence(backup.device, EvidenceStatus.COLLECTED, "", bundle["collected_at"],
                        facts, bundle["source"]["sha256"], bundle)


def read_device_evidence(folder: Path) -> dict[str, HostEvidence]:
    """Every device of a backup folder; a file that cannot be used is a `failed` device."""
    return {name: device_evidence(backup)
            for name, backup in read_device_configs(folder).items()}

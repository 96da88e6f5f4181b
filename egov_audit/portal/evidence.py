"""Portal evidence: one bundle per declared portal (<evidence>/portals/<portal>.json), written
by `egov-audit probe` as soon as the portal has been probed, read back through the strict JSON
reader and the published schema (what a portal answers is the agency's to set). The same
HostEvidence shape as hosts and devices, so coverage and freshness work alike."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import Message
from ..evidence.folder import DeviceBundles
from ..evidence.model import HostEvidence
from ..models import EvidenceStatus
from .probe import PORTAL_FACT_BUNDLE

PORTALS_DIR = "portals"  # inside an evidence folder
MAX_PORTAL_BUNDLE_BYTES = 256 * 1024
MAX_PORTALS = 100_000


def _evidence(bundle: Mapping[str, Any], digest: str) -> HostEvidence:
    facts = {**bundle["facts"], "kind": bundle.get("kind", ""), "url": bundle.get("url", "")}
    return HostEvidence(bundle["portal"], EvidenceStatus.COLLECTED, "", bundle["collected_at"],
                        facts, digest, bundle)


PORTAL_BUNDLES = DeviceBundles(PORTAL_FACT_BUNDLE, "portal-fact-bundle",
                               MAX_PORTAL_BUNDLE_BYTES, _evidence, name_key="portal")


def read_portals(evidence_dir: Path) -> dict[str, HostEvidence] | None:
    """The portals probed into an evidence folder; None when it holds none."""
    folder = evidence_dir / PORTALS_DIR
    if not folder.is_dir():
        return None
    return PORTAL_BUNDLES.read_folder(folder, MAX_PORTALS, Message("portal evidence files"))


def write_portal_bundle(evidence_dir: Path, data: Mapping[str, Any]) -> Path:
    """Write one portal's bundle (collected or not: a failed probe says why)."""
    return PORTAL_BUNDLES.write(evidence_dir / PORTALS_DIR, str(data["portal"]), data)

"""The portal evidence kind: the declared public portals as an inspector's probe saw them from
outside, read from the evidence folder the probe wrote."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..evidence.kind import EvidenceKind, Sources
from ..models import TargetKind, Text

if TYPE_CHECKING:
    from ..evidence.model import HostEvidence
    from ..inventory import Inventory


def _read_portals(folder: Path) -> dict[str, HostEvidence]:
    from .evidence import read_portals  # with the probe's module: only when a run has portals

    return read_portals(folder) or {}


def _gather(sources: Sources) -> dict[str, HostEvidence] | None:
    """The portals probed into the run's folder; a probe that found none to probe still
    judges (its controls say so); a scan without --probe-portals has none."""
    found = None
    if sources.folder is not None:
        from .evidence import read_portals  # as _read_portals: only with a folder

        found = read_portals(sources.folder)  # None: no portal in it
    if found is None and PORTAL_PROBE.name in sources.collected:
        return {}
    return found


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
    max_age_days=7.0,  # certificates expire and DNS changes: a week-old probe is stale
    judges=TargetKind.PORTAL, digest_prefix="portal:", gather=_gather)

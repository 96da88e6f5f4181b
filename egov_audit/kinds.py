"""The evidence kinds egov-audit reads, in one list. Each is defined beside its reader
(egov_audit/evidence/kind.py says what an entry holds); a next kind is its module, one line
here, its collector if it has one, its policies and its tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .evidence.kind import HOST_FACTS, EvidenceKind
from .facility.kind import FACILITY_SNMP
from .network.kinds import DEVICE_CONFIG, REGISTRY_FILE, VRP_FILE
from .portal.kind import PORTAL_PROBE

EVIDENCE_KINDS: Mapping[str, EvidenceKind[Any]] = {
    kind.name: kind
    # in the order their targets are listed in a bundle
    for kind in (HOST_FACTS, FACILITY_SNMP, DEVICE_CONFIG, REGISTRY_FILE, VRP_FILE,
                 PORTAL_PROBE)}

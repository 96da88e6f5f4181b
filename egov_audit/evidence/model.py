"""What egov-audit knows of one target from its evidence: the shape every evidence kind
reads into (host facts, device configurations, facility readings, portal probes), so that
coverage, freshness and digests work alike for all of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..models import EvidenceStatus

COLLECTED, UNREACHABLE, FAILED = (EvidenceStatus.COLLECTED, EvidenceStatus.UNREACHABLE,
                                  EvidenceStatus.FAILED)


@dataclass(frozen=True)
class HostEvidence:
    host: str
    status: EvidenceStatus
    reason: str = ""
    collected_at: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)
    digest: str = ""  # sha256 of the file, for signed bundles
    data: Mapping[str, Any] | None = field(default=None, repr=False)  # the whole bundle

    @property
    def collected(self) -> bool:
        return self.status == COLLECTED

    def without_facts(self) -> HostEvidence:
        """What is kept of a host once its controls have run: its status and digest."""
        return HostEvidence(self.host, self.status, self.reason, self.collected_at,
                            digest=self.digest)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


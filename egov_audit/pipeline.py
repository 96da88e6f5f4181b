"""One run of egov-audit: what it was asked (the request) and what it loads once for it, the
catalogue and each inventory, whatever steps it takes (collect, then evaluate; plan, re-evaluate,
apply and re-scan in `fix`). The CLI, `fix`, `rescore` and the benchmarks run through here; the
steps themselves are audit.py's."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import audit
from .audit import AuditRequest, PortalProgress
from .checks.vocabulary import load_catalogue
from .inventory import Inventories, Inventory
from .models import ResultSet
from .policy import PolicySet
from .score import ScoreTally

if TYPE_CHECKING:
    from .collect.interface import CollectionReport, CollectOptions, Collector, ProgressFn
    from .evidence.model import HostEvidence
    from .portal.probe import ProbeOptions


class Run:
    """A run of one request. Its catalogue is loaded when first needed, each inventory when
    first read, and both are kept for the run's other steps."""

    def __init__(self, request: AuditRequest, policy: PolicySet | None = None,
                 inventories: Inventories | None = None) -> None:
        self.request = request
        if policy is not None:  # loaded already (by the caller, for another request)
            self.__dict__["policy"] = policy
        if inventories is not None:  # read already, by an earlier run of the same command
            self.__dict__["inventories"] = inventories

    @cached_property
    def policy(self) -> PolicySet:
        return load_catalogue(self.request.policies_dir, self.request.models_dir)

    @cached_property
    def inventories(self) -> Inventories:
        return Inventories(set(self.policy.model("network")["roles"]))

    def inventory(self, path: Path | None = None) -> Inventory:
        """An inventory of the request (its first by default), read once."""
        return self.inventories.get(path or self.request.inventories[0])

    def validate(self) -> ResultSet:
        return audit.validate(self.request, self.policy, self.inventories)

    def collect(self, evidence_dir: Path, options: CollectOptions,
                collector: Collector | None = None, progress: ProgressFn | None = None,
                portals: ProbeOptions | None = None,
                portal_progress: PortalProgress | None = None) -> CollectionReport:
        return audit.collect_evidence(self.request, evidence_dir, options, collector, progress,
                                      self.policy, portals, portal_progress, self.inventories)

    def evaluate(self, evidence_dir: Path,
                 evidence: dict[str, HostEvidence] | None = None) -> ResultSet:
        return audit.evaluate(self.request, evidence_dir, self.policy, evidence,
                              self.inventories)

    def evaluate_into(self, evidence_dir: Path, output: Path,
                      inputs: Sequence[Path] = ()) -> ScoreTally:
        return audit.evaluate_into(self.request, evidence_dir, output, inputs, self.policy,
                                   self.inventories)

    def scan(self, evidence_dir: Path, options: CollectOptions,
             collector: Collector | None = None, progress: ProgressFn | None = None
             ) -> tuple[ResultSet, CollectionReport]:
        report = self.collect(evidence_dir, options, collector, progress)
        return self.evaluate(evidence_dir), report

    def reevaluate(self, evidence_dir: Path | None) -> ResultSet:
        return audit.reevaluate(self.request, evidence_dir, self.policy, self.inventories)

    def probe(self, evidence_root: Path, options: ProbeOptions,
              progress: PortalProgress | None = None) -> ResultSet:
        return audit.probe(self.request, evidence_root, options, progress, self.policy,
                           self.inventories)

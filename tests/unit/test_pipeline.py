"""One run loads what it needs once: a scan (collect, then evaluate) reads its inventory once
and the catalogue once (it read the inventory three times and the catalogue twice), and so does
`fix`'s plan, re-evaluation and re-scan."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

import egov_audit.checks.vocabulary
import egov_audit.inventory.load
from egov_audit.audit import AuditRequest
from egov_audit.checks.context import AuditOptions
from egov_audit.collect.interface import CollectionReport, CollectOptions, HostOutcome
from egov_audit.models import EvidenceStatus, Status, TargetKind
from egov_audit.pipeline import Run
from tests.helpers import build_evidence, build_inventory


class _Counted:
    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn, self.calls = fn, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.fn(*args, **kwargs)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> tuple[_Counted, _Counted]:
    """Every inventory read (whoever reads it) and every catalogue load, counted."""
    inventories = _Counted(egov_audit.inventory.load.read_inventory_dir)
    catalogues = _Counted(egov_audit.checks.vocabulary.catalogue)  # from the cache, or loaded
    monkeypatch.setattr(egov_audit.inventory.load, "read_inventory_dir", inventories)
    monkeypatch.setattr(egov_audit.checks.vocabulary, "catalogue", catalogues)
    return inventories, catalogues


class _Written:
    """A collector whose evidence is already in the folder (as the playbook would write it)."""

    name = "written"

    def collect(self, inventory: Path, hosts: Sequence[str], evidence_dir: Path,
                options: CollectOptions, progress: Any = None) -> CollectionReport:
        return CollectionReport(tuple(HostOutcome(h, EvidenceStatus.COLLECTED) for h in hosts))


def test_a_scan_reads_its_inventory_and_catalogue_once(
        tmp_path: Path, counted: tuple[_Counted, _Counted]) -> None:
    inventory = build_inventory(tmp_path / "agency")
    evidence = build_evidence(tmp_path / "evidence", inventory)
    inventories, catalogues = counted
    inventories.calls = catalogues.calls = 0  # the helpers above read it to build the evidence
    run = Run(AuditRequest([inventory], options=AuditOptions(True)))
    assert run.inventory().agency.code == "compliant"  # the CLI's default evidence folder
    results, report = run.scan(evidence, CollectOptions(), collector=_Written())
    declared = run.inventory()
    assert report.count(EvidenceStatus.COLLECTED) == len(declared.hosts) + \
        len(declared.devices) + len(declared.facility_devices)  # every target, once
    host_results = [r for r in results.bundles[0].results if r.target_kind is TargetKind.HOST]
    assert host_results and all(r.status is not Status.NOT_ASSESSED for r in host_results)
    assert (inventories.calls, catalogues.calls) == (1, 1)


def test_without_a_run_each_step_reads_them_again(
        tmp_path: Path, counted: tuple[_Counted, _Counted]) -> None:
    """The counters see what they count: the steps one by one, each on its own."""
    from egov_audit import audit

    inventory = build_inventory(tmp_path / "agency")
    evidence = build_evidence(tmp_path / "evidence", inventory)
    inventories, catalogues = counted
    inventories.calls = catalogues.calls = 0
    request = AuditRequest([inventory], options=AuditOptions(True))
    audit.collect_evidence(request, evidence, CollectOptions(), collector=_Written())
    audit.evaluate(request, evidence)
    assert (inventories.calls, catalogues.calls) == (2, 2)

"""Evidence kinds are one registry: each entry's schema is published, its reader is the gated
one, and coverage and freshness are judged in one place."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from egov_audit.cli import cli
from egov_audit.evidence.folder import write_bundle
from egov_audit.evidence.formats import FACT_BUNDLE_SCHEMA
from egov_audit.evidence.kind import HOST_FACTS
from egov_audit.inventory import load_inventory
from egov_audit.kinds import EVIDENCE_KINDS
from egov_audit.models import EvidenceStatus, TargetKind, TargetStatus
from egov_audit.schemas import SCHEMA_NAMES, load_schema
from tests.helpers import build_inventory


def test_the_cli_offers_every_shipped_schema() -> None:
    from egov_audit.cli.schema import PUBLISHED_SCHEMAS

    assert sorted(PUBLISHED_SCHEMAS) == sorted(SCHEMA_NAMES)


def test_every_kind_publishes_its_schema() -> None:
    for kind in EVIDENCE_KINDS.values():
        assert kind.feeds and kind.title.vi != kind.title.en
        if kind.schema is None:  # a format others publish: the RIR statistics exchange format,
            # the relying-party tools' JSON output
            assert (kind.name, kind.bundle_schema) in {
                ("registry_file", "RIR statistics exchange format, version 2"),
                ("vrp_file", "rpki-client or Routinator JSON output")}
            continue
        assert kind.schema in SCHEMA_NAMES
        schema = load_schema(kind.schema)
        assert kind.bundle_schema in str(schema)
        result = CliRunner().invoke(cli, ["schema", kind.schema])
        assert result.exit_code == 0 and kind.bundle_schema in result.output


def test_host_facts_coverage_says_what_each_host_gave(tmp_path: Path) -> None:
    inventory = load_inventory(build_inventory(tmp_path / "inv"))
    hosts = [h.name for h in inventory.hosts]
    assert len(hosts) >= 3
    folder = tmp_path / "evidence"
    write_bundle(folder, {"schema": FACT_BUNDLE_SCHEMA, "host": hosts[0], "status": "collected",
                          "collected_at": "2026-12-01T00:00:00Z", "facts": {}})
    write_bundle(folder, {"schema": FACT_BUNDLE_SCHEMA, "host": hosts[1],
                          "status": "unreachable", "reason": "timed out",
                          "collected_at": "2026-12-01T00:00:00Z"})
    evidence = HOST_FACTS.read(folder)
    assert evidence[hosts[0]].status is EvidenceStatus.COLLECTED
    targets = {t.id: t for t in HOST_FACTS.coverage(inventory, evidence)}
    assert set(targets) == set(hosts)
    assert all(t.kind is TargetKind.HOST for t in targets.values())
    assert targets[hosts[0]].status is TargetStatus.ASSESSED
    assert (targets[hosts[1]].status, targets[hosts[1]].reason) == \
        (TargetStatus.UNREACHABLE, "timed out")
    assert (targets[hosts[2]].status, targets[hosts[2]].reason) == \
        (TargetStatus.FAILED, "no evidence collected")


def test_freshness() -> None:
    now = datetime(2026, 12, 10, tzinfo=UTC)
    assert not HOST_FACTS.is_stale("2026-12-04T00:00:00Z", now=now)
    assert HOST_FACTS.is_stale("2026-12-02T00:00:00Z", now=now)  # 8 days > 7
    assert not HOST_FACTS.is_stale("2026-12-02T00:00:00Z", max_age_days=10, now=now)

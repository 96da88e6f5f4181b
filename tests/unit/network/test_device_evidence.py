"""Device bundles in an evidence folder: written atomically under devices/, read back through
the strict reader and the schema, failures recorded without losing a bundle this run made."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from egov_audit.models import EvidenceStatus
from egov_audit.network.evidence import (
    DEVICES_DIR,
    read_live_devices,
    record_device_failure,
    write_device_bundle,
)
from egov_audit.network.live import live_bundle
from tests.helpers import FIXTURES


def _bundle(device: str, when: str = "2026-12-02T10:00:00Z") -> dict[str, Any]:
    text = (FIXTURES / "device-configs" / "edge01.cfg").read_text()
    return live_bundle(device, {"config": text}, when)


def test_written_then_read_back_as_device_evidence(tmp_path: Path) -> None:
    assert read_live_devices(tmp_path) is None  # no devices/ folder: no live devices
    write_device_bundle(tmp_path / DEVICES_DIR, "edge01", _bundle("edge01"))
    (tmp_path / DEVICES_DIR / "notes.txt").write_text("not a bundle")
    (tmp_path / DEVICES_DIR / "other.json").write_text('{"schema": "something/else"}')
    found = read_live_devices(tmp_path)
    assert found is not None and set(found) == {"edge01"}
    edge = found["edge01"]
    assert edge.collected and edge.facts["vendor"] == "cisco_ios"
    assert edge.facts["file"] == "edge01 (running-config)" and edge.digest.startswith("sha256:")


def test_a_hostile_or_mislabelled_bundle_fails_only_its_device(tmp_path: Path) -> None:
    folder = tmp_path / DEVICES_DIR
    write_device_bundle(folder, "edge01", _bundle("edge01"))
    bundle = _bundle("edge02")
    (folder / "edge03.json").write_text(json.dumps(bundle))  # names another device
    (folder / "edge04.json").write_text('{"schema": "egov-audit/network-fact-bundle@1", '
                                        '"device": "edge04", "device": "x"}')
    broken = dict(bundle, device="edge05", status="collected")
    broken.pop("facts")
    (folder / "edge05.json").write_text(json.dumps(broken))
    found = read_live_devices(tmp_path) or {}
    assert found["edge01"].collected
    assert {name: found[name].status for name in ("edge03", "edge04", "edge05")} == {
        name: EvidenceStatus.FAILED for name in ("edge03", "edge04", "edge05")}
    assert "names device" in found["edge03"].reason
    assert "schema" in found["edge05"].reason


def test_a_failure_never_replaces_what_this_run_collected(tmp_path: Path) -> None:
    folder = tmp_path / DEVICES_DIR
    write_device_bundle(folder, "edge01", _bundle("edge01", "2026-12-02T10:00:05Z"))
    record_device_failure(folder, "edge01", EvidenceStatus.UNREACHABLE, "timed out",
                          keep_collected_since="2026-12-02T10:00:00Z")
    assert (read_live_devices(tmp_path) or {})["edge01"].collected
    record_device_failure(folder, "edge01", EvidenceStatus.UNREACHABLE, "timed out",
                          keep_collected_since="2026-12-02T11:00:00Z")
    after = (read_live_devices(tmp_path) or {})["edge01"]
    assert after.status is EvidenceStatus.UNREACHABLE and after.reason == "timed out"

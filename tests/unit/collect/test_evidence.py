from __future__ import annotations

import json
from pathlib import Path

import pytest

from egov_audit.errors import CollectionError
from egov_audit.evidence.folder import write_bundle
from egov_audit.evidence.formats import FACT_BUNDLE_SCHEMA
from egov_audit.evidence.host_facts import read_bundle, read_evidence_dir, record_failure


def _bundle(host: str, collected_at: str = "2026-11-27T10:00:00Z") -> dict[str, object]:
    return {"schema": FACT_BUNDLE_SCHEMA, "host": host, "status": "collected",
            "collected_at": collected_at, "facts": {"os": {"id": "debian"}}}


def test_write_and_read_back(tmp_path: Path) -> None:
    path = write_bundle(tmp_path, _bundle("web01"))
    assert path.name == "web01.json" and oct(path.stat().st_mode)[-3:] == "640"
    evidence = read_bundle(path)
    assert evidence is not None and evidence.collected and evidence.facts["os"]["id"] == "debian"
    assert evidence.digest.startswith("sha256:")
    assert not list(tmp_path.glob(".*"))  # no temporary file left


def test_a_failure_never_replaces_what_this_run_collected(tmp_path: Path) -> None:
    write_bundle(tmp_path, _bundle("web01", "2026-11-27T10:00:05Z"))
    record_failure(tmp_path, "web01", "failed", "late error",
                   keep_collected_since="2026-11-27T10:00:00Z")
    assert read_evidence_dir(tmp_path)["web01"].collected
    # evidence from an earlier run must not stand in for a host that is down today
    record_failure(tmp_path, "web01", "unreachable", "Connection refused",
                   keep_collected_since="2026-11-28T08:00:00Z")
    again = read_evidence_dir(tmp_path)["web01"]
    assert again.status == "unreachable" and again.reason == "Connection refused"


@pytest.mark.parametrize("content,reason", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (json.dumps({"schema": FACT_BUNDLE_SCHEMA, "host": "web01", "status": "collected"}).encode(),
     "fact-bundle schema"),
    (json.dumps({**_bundle("db01")}).encode(), "names host 'db01'"),
])
def test_unusable_bundles_are_failed_hosts_with_a_reason(tmp_path: Path, content: bytes,
                                                         reason: str) -> None:
    (tmp_path / "web01.json").write_bytes(content)
    evidence = read_evidence_dir(tmp_path)["web01"]
    assert evidence.status == "failed" and reason in evidence.reason


def test_oversized_bundles_are_refused(tmp_path: Path) -> None:
    (tmp_path / "web01.json").write_bytes(b"{" + b" " * (9 * 1024 * 1024) + b"}")
    assert "file too large (9437186 bytes; the limit is 8388608)" in \
        read_evidence_dir(tmp_path)["web01"].reason


def test_other_json_and_temporary_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text('{"hello": 1}')
    (tmp_path / ".web01.abc.tmp").write_text("{")
    assert read_evidence_dir(tmp_path) == {}


def test_host_names_that_are_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CollectionError):
        write_bundle(tmp_path, _bundle("../../etc/cron.d/x"))


def test_missing_evidence_directory(tmp_path: Path) -> None:
    with pytest.raises(CollectionError, match="no such evidence directory"):
        read_evidence_dir(tmp_path / "nope")

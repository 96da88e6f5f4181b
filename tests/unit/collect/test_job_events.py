"""Fact bundles read from Ansible job events (an ansible-runner artifacts folder, the events
AWX stores): each host's verdict, and events from compromised hosts refused one by one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from egov_audit.errors import CollectionError
from egov_audit.evidence.host_facts import read_evidence_dir
from egov_audit.evidence.job_events import COLLECT_TASK
from egov_audit.models import EvidenceStatus
from tests.helpers import FIXTURES

TEMPLATE = json.loads((FIXTURES / "evidence" / "hardened.json").read_text())


def _bundle(host: str) -> dict[str, Any]:
    text = json.dumps(TEMPLATE).replace("HOST", host).replace("ADDRESS", "10.0.0.5/24")
    bundle: dict[str, Any] = json.loads(text)
    return bundle


def _event(kind: str, host: str, **data: Any) -> dict[str, Any]:
    return {"event": kind, "created": "2026-12-01T08:00:00.000000+00:00",
            "event_data": {"host": host, "task": COLLECT_TASK, **data}}


def _run(folder: Path, events: list[Any]) -> Path:
    job = folder / "artifacts" / "7f3c" / "job_events"
    job.mkdir(parents=True)
    for counter, event in enumerate(events, start=1):
        text = event if isinstance(event, str) else json.dumps(event)
        (job / f"{counter}-0000-uuid.json").write_text(text)
    return folder / "artifacts"


def test_each_host_gets_its_verdict(tmp_path: Path) -> None:
    artifacts = _run(tmp_path, [
        {"event": "playbook_on_start", "event_data": {}},
        _event("runner_on_ok", "web01", res={"egov_bundle": _bundle("web01")}),
        _event("runner_on_unreachable", "db01", res={"msg": "ssh: connect: No route"}),
        _event("runner_on_failed", "app01", res={"msg": "Python not found"}),
        _event("runner_on_failed", "mon01", ignore_errors=True, res={"msg": "ignored"}),
        _event("runner_on_ok", "mon01", res={"egov_bundle": _bundle("mon01")}),
    ])
    for folder in (artifacts, artifacts / "7f3c"):  # the artifacts folder, or the run's own
        found = read_evidence_dir(folder)
        assert found["web01"].status is EvidenceStatus.COLLECTED
        assert found["web01"].facts["sshd"] and found["web01"].digest.startswith("sha256:")
        assert (found["db01"].status, found["db01"].reason) == (
            EvidenceStatus.UNREACHABLE, "ssh: connect: No route")
        assert found["app01"].status is EvidenceStatus.FAILED
        assert found["mon01"].collected


def test_hostile_or_useless_events_are_refused_one_by_one(tmp_path: Path) -> None:
    artifacts = _run(tmp_path, [
        "{not json",
        '{"event": "runner_on_ok", "event_data": {"host": "x", "host": "y"}}',  # duplicate key
        _event("runner_on_ok", "../etc", res={"egov_bundle": _bundle("../etc")}),
        _event("runner_on_ok", "web01", res={"egov_bundle": _bundle("db01")}),  # another host's
        _event("runner_on_ok", "app01", res={"egov_bundle": {"schema": "nope"}}),
        _event("runner_on_ok", "mon01", res={"egov_bundle": "/srv/evidence/mon01.json"}),
        _event("runner_on_ok", "db01", res={"egov_bundle": _bundle("db01")}),
    ])
    found = read_evidence_dir(artifacts)
    assert set(found) == {"web01", "app01", "mon01", "db01"}
    assert "names host 'db01'" in found["web01"].reason
    assert "fact-bundle schema" in found["app01"].reason
    assert "egov_evidence_dir=''" in found["mon01"].reason  # written to a folder instead
    assert found["db01"].collected  # the bad events did not lose the good one


def test_an_artifacts_folder_of_several_runs_is_refused(tmp_path: Path) -> None:
    artifacts = _run(tmp_path, [_event("runner_on_ok", "web01",
                                       res={"egov_bundle": _bundle("web01")})])
    (artifacts / "8a1d" / "job_events").mkdir(parents=True)
    with pytest.raises(CollectionError, match="several runs"):
        read_evidence_dir(artifacts)

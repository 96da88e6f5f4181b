"""Job events: what ansible-runner writes and AWX stores for every task of a run. A run
without an evidence folder (AWX, a worker node) leaves each host's fact bundle in the
collection task's result; these read it back, through the same gates as a bundle file."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import CollectionError, Message
from ..gates.filein import read_bytes
from ..gates.jsonin import StrictJsonError, loads
from ..gates.names import is_file_name
from ..models import EvidenceStatus
from ..schemas import is_valid
from .folder import json_files
from .formats import FACT_BUNDLE_SCHEMA, MAX_BUNDLE_BYTES
from .model import FAILED, UNREACHABLE, HostEvidence

# the collection task of playbooks/collect.yml: its result is a host's verdict in job events
COLLECT_TASK = "Gather the facts the host controls need (changes nothing, returns no secret)"

MAX_EVENT_FILES = 1_000_000


def job_events_folder(directory: Path) -> Path | None:
    """artifacts/<ident>/job_events, given the run's folder or the artifacts folder holding
    exactly one run."""
    if (directory / "job_events").is_dir():
        return directory / "job_events"
    try:  # folders only (no stat of the files: an evidence folder holds one per host)
        with os.scandir(directory) as entries:
            runs = sorted(Path(e.path) for e in entries if e.is_dir(follow_symlinks=False)
                          and (Path(e.path) / "job_events").is_dir())
    except OSError:
        return None
    if len(runs) > 1:
        raise CollectionError(Message("an artifacts folder of several runs: give one run's folder"
                                      " ({name}, {name2}, ...)", name=runs[0].name,
                                      name2=runs[1].name), file=str(directory))
    return runs[0] / "job_events" if runs else None


def _event_order(name: str) -> tuple[int, str]:
    counter = name.split("-", 1)[0]  # <counter>-<uuid>.json: the order the events happened
    return (int(counter) if counter.isdigit() else 0, name)


def bundle_from_event(host: str, bundle: Any, created: Any) -> HostEvidence:
    """A host's fact bundle as the collection task returned it in a job event (a run without
    an evidence folder: AWX, a worker node), checked as a bundle file is."""
    if not isinstance(bundle, dict):
        return HostEvidence(host, FAILED, "the collection task wrote its bundle to a folder on "
                            f"the controller ({str(bundle)[:200]}), not into the job events: "
                            "run it with egov_evidence_dir=''")
    if not is_valid(bundle, "fact-bundle") or bundle.get("schema") != FACT_BUNDLE_SCHEMA:
        return HostEvidence(host, FAILED, "evidence in the job events does not match the "
                            "fact-bundle schema")
    if bundle["host"] != host:
        return HostEvidence(host, FAILED, "evidence in the job events names host "
                            f"{str(bundle['host'])[:80]!r}")
    canonical = json.dumps(bundle, ensure_ascii=False, sort_keys=True).encode()
    return HostEvidence(host, EvidenceStatus(bundle["status"]), str(bundle.get("reason", "")),
                        str(bundle.get("collected_at") or created or ""),
                        bundle.get("facts") or {},
                        "sha256:" + hashlib.sha256(canonical).hexdigest(), bundle)


def read_job_events(folder: Path) -> dict[str, HostEvidence]:
    """Each host's verdict from the job events of a collection run: its fact bundle (the
    collection task's result), or why there is none (unreachable, failed). The events come
    from the run's hosts: every file goes through the strict JSON reader, bounded."""
    out: dict[str, HostEvidence] = {}
    for name in sorted(json_files(folder, MAX_EVENT_FILES, Message("job events")),
                       key=_event_order):
        path = folder / name
        try:
            event = loads(read_bytes(path, str(path), CollectionError, MAX_BUNDLE_BYTES))
        except (CollectionError, StrictJsonError):
            continue  # an event we cannot read says nothing about a host
        found = host_verdict(event)
        if found is None:
            continue
        current = out.get(found.host)
        if current is None or not current.collected:
            # a host's collected bundle is never replaced by a later event
            out[found.host] = found
    return out


def host_verdict(event: Any) -> HostEvidence | None:
    """What one event of a collection run says of its host: its fact bundle (the collection
    task's result), or why there is none (unreachable, failed); None for any other event."""
    data = event.get("event_data") if isinstance(event, dict) else None
    if not isinstance(data, dict):
        return None
    host = data.get("host")
    if not isinstance(host, str) or not is_file_name(host):
        return None
    kind = event.get("event")
    if kind == "runner_on_ok" and data.get("task") == COLLECT_TASK:
        res = data.get("res")
        bundle = res.get("egov_bundle") if isinstance(res, dict) else None
        return bundle_from_event(host, bundle, event.get("created"))
    if kind == "runner_on_unreachable":
        return HostEvidence(host, UNREACHABLE, event_reason(data))
    if kind == "runner_on_failed" and not data.get("ignore_errors"):
        return HostEvidence(host, FAILED, event_reason(data))
    return None


def event_reason(data: Mapping[str, Any]) -> str:
    """Why a task failed or a host was unreachable, in one bounded line."""
    res = data.get("res")
    res = res if isinstance(res, dict) else {}
    message = res.get("msg") or res.get("module_stderr") or res.get("stderr") or "failed"
    return " ".join(str(message).split())[:500]

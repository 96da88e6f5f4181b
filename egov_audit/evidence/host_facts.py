"""Host facts: the fact bundles the collection playbook writes, one per host, and the
readers the host facts kind uses (an evidence folder, or the job events of a run)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from ..errors import CollectionError, Message
from ..gates.filein import read_bytes
from ..gates.jsonin import StrictJsonError, loads
from ..models import EvidenceStatus
from ..schemas import is_valid
from ..times import is_at_or_after
from .folder import MAX_EVIDENCE_FILES, json_files, write_bundle
from .formats import FACT_BUNDLE_SCHEMA, MAX_BUNDLE_BYTES
from .job_events import job_events_folder, read_job_events
from .model import FAILED, HostEvidence, now


def record_failure(directory: Path, host: str, status: EvidenceStatus, reason: str,
                   keep_collected_since: str | None = None) -> Path:
    """Record that a host could not be assessed. A bundle collected by this same run (at or
    after `keep_collected_since`) is kept: what was collected is never lost; an older one is
    replaced, so that stale evidence never stands in for an unreachable host."""
    existing = directory / f"{host}.json"
    if keep_collected_since is not None and existing.exists():
        current = read_bundle(existing)
        if current is not None and current.collected and \
                is_at_or_after(current.collected_at, keep_collected_since):
            return existing
    return write_bundle(directory, {"schema": FACT_BUNDLE_SCHEMA, "host": host, "status": status,
                                    "reason": reason[:2000], "collected_at": now()})


def read_bundle(path: Path) -> HostEvidence | None:
    """A bundle, or a `failed` record saying why the file is unusable; None if it is not one of
    ours (temporary files, other JSON). Hosts may be compromised: the file goes through the
    strict JSON reader (regular files only, bounded, no duplicate keys or odd numbers)."""
    host = path.stem
    try:
        raw = read_bytes(path, str(path), CollectionError, MAX_BUNDLE_BYTES)
    except CollectionError as exc:
        return HostEvidence(host, FAILED, f"evidence refused: {exc.message}")
    try:
        data = loads(raw)
    except StrictJsonError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        return HostEvidence(host, FAILED, f"evidence is not valid JSON{where}: {exc.message}")
    if not isinstance(data, dict) or data.get("schema") != FACT_BUNDLE_SCHEMA:
        return None
    if not is_valid(data, "fact-bundle"):
        return HostEvidence(host, FAILED, "evidence does not match the fact-bundle schema")
    if data["host"] != host:
        return HostEvidence(host, FAILED, f"evidence file names host {str(data['host'])[:80]!r}")
    return HostEvidence(host, EvidenceStatus(data["status"]), str(data.get("reason", "")),
                        str(data.get("collected_at", "")), data.get("facts") or {},
                        "sha256:" + hashlib.sha256(raw).hexdigest(), data)


def read_evidence_dir(directory: Path) -> dict[str, HostEvidence]:
    """The fact bundles of an evidence folder, or of an ansible-runner artifacts folder (the
    job events of a collection run whose bundles stayed in the task results)."""
    if not directory.is_dir():
        raise CollectionError(Message("no such evidence directory"), file=str(directory))
    events = job_events_folder(directory)
    if events is not None:
        return read_job_events(events)
    out: dict[str, HostEvidence] = {}
    for name in json_files(directory, MAX_EVIDENCE_FILES, Message("fact bundles")):
        evidence = read_bundle(directory / name)
        if evidence is not None:
            out[evidence.host] = evidence
    return out


class EvidenceFolder:
    """The fact bundles of an evidence folder, read a few hundred hosts at a time: an agency of
    tens of thousands of hosts is judged without holding every host's facts at once. The
    job events of a run (see `read_evidence_dir`), or bundles a caller has already read, are
    held whole."""

    def __init__(self, directory: Path,
                 loaded: Mapping[str, HostEvidence] | None = None) -> None:
        self.directory, self._loaded = directory, loaded
        self._names: set[str] = set()
        if loaded is not None:
            return
        if not directory.is_dir():
            raise CollectionError(Message("no such evidence directory"), file=str(directory))
        events = job_events_folder(directory)
        if events is not None:
            self._loaded = read_job_events(events)
        else:
            self._names = {name[:-5] for name in json_files(directory, MAX_EVIDENCE_FILES,
                                                             Message("fact bundles"))}

    def hosts(self, names: Iterable[str]) -> dict[str, HostEvidence]:
        """The evidence of these hosts (those that have some)."""
        if self._loaded is not None:
            return {name: self._loaded[name] for name in names if name in self._loaded}
        out = {}
        for name in names:
            if name in self._names:
                found = read_bundle(self.directory / f"{name}.json")
                if found is not None:
                    out[name] = found
        return out

    def others(self, declared: Collection[str]) -> dict[str, HostEvidence]:
        """The evidence of hosts not in `declared` (hosts that answered but are not planned)."""
        names = self._loaded.keys() if self._loaded is not None else self._names
        return self.hosts(sorted(name for name in names if name not in declared))



"""Fact bundles: one JSON file per host, written atomically, read back defensively (everything a
host reports is untrusted)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import CollectionError, Message
from ..gates.fileout import write_output
from ..gates.names import is_file_name
from ..models import EvidenceStatus
from ..times import is_at_or_after

FACT_BUNDLE_SCHEMA = "egov-audit/fact-bundle@1"
MAX_BUNDLE_BYTES = 8 * 1024 * 1024
# the collection task of playbooks/collect.yml: its result is a host's verdict in job events
COLLECT_TASK = "Gather the facts the host controls need (changes nothing, returns no secret)"
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


def write_bundle(directory: Path, data: Mapping[str, Any], name_key: str = "host") -> Path:
    """Write one host's bundle (or device's: name_key "device") atomically, as
    <directory>/<name>.json: readers see the old file or the new one, never half."""
    host = str(data[name_key])
    if not is_file_name(host):
        raise CollectionError(Message("refusing a host name that is not a file name: {host!r}",
                                      host=host))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CollectionError(Message("cannot create: {value}", value=exc.strerror or exc),
                              file=str(directory)) from None
    target = directory / f"{host}.json"
    write_output(target, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True),
                 mode=0o640, error_cls=CollectionError)
    return target


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
    from ..gates.filein import read_bytes
    from ..gates.jsonin import StrictJsonError, loads
    from ..schemas import is_valid

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


# an evidence folder holds at most this many fact bundles (one per host of an inventory)
MAX_EVIDENCE_FILES = 100_000


@dataclass(frozen=True)
class DeviceBundles:
    """One kind of per-device bundle (network devices, facility devices): the schema it
    carries, its size limit, how a collected bundle becomes evidence. Reading and recording
    failures are the same for every kind: here, once."""

    schema_id: str  # the `schema` value its files carry
    schema_name: str  # its published JSON Schema
    max_bytes: int
    evidence: Callable[[Mapping[str, Any], str], HostEvidence]  # a collected bundle, its digest
    name_key: str = "device"  # the field naming what the bundle is of (a portal's: "portal")

    def read(self, path: Path) -> HostEvidence | None:
        """A device's bundle, or a `failed` record saying why the file is unusable (the device
        may be compromised: strict reader, schema); None if the file is of another kind."""
        from ..gates.filein import read_bytes
        from ..gates.jsonin import StrictJsonError, loads
        from ..schemas import is_valid

        device = path.stem
        try:
            raw = read_bytes(path, str(path), CollectionError, self.max_bytes)
            data = loads(raw)
        except CollectionError as exc:
            return HostEvidence(device, EvidenceStatus.FAILED, f"evidence refused: {exc.message}")
        except StrictJsonError as exc:
            return HostEvidence(device, EvidenceStatus.FAILED,
                                f"evidence is not valid JSON: {exc.message}")
        if not isinstance(data, dict) or data.get("schema") != self.schema_id:
            return None
        if not is_valid(data, self.schema_name):
            return HostEvidence(device, EvidenceStatus.FAILED,
                                f"evidence does not match the {self.schema_name} schema")
        if data[self.name_key] != device:
            return HostEvidence(device, EvidenceStatus.FAILED,
                                f"evidence file names {self.name_key} "
                                f"{str(data[self.name_key])[:80]!r}")
        if data["status"] != "collected":
            return HostEvidence(device, EvidenceStatus(data["status"]),
                                str(data.get("reason", "")), str(data.get("collected_at", "")))
        return self.evidence(data, "sha256:" + hashlib.sha256(raw).hexdigest())

    def read_folder(self, folder: Path, limit: int, what: str) -> dict[str, HostEvidence]:
        out: dict[str, HostEvidence] = {}
        for name in json_files(folder, limit, what):
            found = self.read(folder / name)
            if found is not None:
                out[found.host] = found
        return out

    def write(self, directory: Path | str, device: str, data: Mapping[str, Any]) -> Path:
        """Write one device's bundle atomically, named after the device it is filed under."""
        return write_bundle(Path(directory), {**data, self.name_key: device},
                            name_key=self.name_key)

    def record_failure(self, directory: Path, device: str, status: EvidenceStatus, reason: str,
                       keep_collected_since: str | None = None) -> Path:
        """Record that a device could not be assessed; a bundle this run collected is kept."""
        target = directory / f"{device}.json"
        if keep_collected_since is not None and target.exists():
            current = self.read(target)
            if current is not None and current.collected and \
                    is_at_or_after(current.collected_at, keep_collected_since):
                return target
        return self.write(directory, device, {
            "schema": self.schema_id, self.name_key: device, "status": str(status),
            "reason": reason[:2000], "collected_at": now()})


def json_files(folder: Path, limit: int, what: str) -> list[str]:
    """The names of the visible *.json files of a folder, sorted, at most `limit` of them."""
    try:
        names = sorted(entry.name for entry in os.scandir(folder)
                       if entry.name.endswith(".json") and not entry.name.startswith("."))
    except OSError as exc:
        raise CollectionError(Message("cannot list: {value}", value=exc.strerror or exc),
                              file=str(folder)) from None
    if len(names) > limit:
        raise CollectionError(Message("more than {limit:,} {what}: refused", limit=limit,
                                      what=what), file=str(folder))
    return names


def read_evidence_dir(directory: Path) -> dict[str, HostEvidence]:
    """The fact bundles of an evidence folder, or of an ansible-runner artifacts folder (the
    job events of a collection run whose bundles stayed in the task results)."""
    if not directory.is_dir():
        raise CollectionError(Message("no such evidence directory"), file=str(directory))
    events = _job_events_folder(directory)
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
        events = _job_events_folder(directory)
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


# -- job events: what ansible-runner writes and AWX stores for every task of a run ----------

MAX_EVENT_FILES = 1_000_000


def _job_events_folder(directory: Path) -> Path | None:
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
    from ..schemas import is_valid

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
    from ..gates.filein import read_bytes
    from ..gates.jsonin import StrictJsonError, loads

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

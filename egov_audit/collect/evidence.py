"""Fact bundles: one JSON file per host, written atomically, read back defensively (everything a
host reports is untrusted)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import CollectionError
from ..gates.fileout import write_output
from ..gates.names import is_file_name
from ..models import EvidenceStatus

FACT_BUNDLE_SCHEMA = "egov-audit/fact-bundle@1"
MAX_BUNDLE_BYTES = 8 * 1024 * 1024
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


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def write_bundle(directory: Path, data: Mapping[str, Any]) -> Path:
    """Write one host's bundle atomically: readers see the old file or the new one, never half."""
    host = str(data["host"])
    if not is_file_name(host):
        raise CollectionError(f"refusing a host name that is not a file name: {host!r}")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CollectionError(f"cannot create: {exc.strerror or exc}",
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
                current.collected_at >= keep_collected_since:
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


def read_evidence_dir(directory: Path) -> dict[str, HostEvidence]:
    if not directory.is_dir():
        raise CollectionError("no such evidence directory", file=str(directory))
    try:
        names = sorted(entry.name for entry in os.scandir(directory)
                       if entry.name.endswith(".json") and not entry.name.startswith("."))
    except OSError as exc:
        raise CollectionError(f"cannot list: {exc.strerror or exc}", file=str(directory)) from None
    if len(names) > MAX_EVIDENCE_FILES:
        raise CollectionError(f"more than {MAX_EVIDENCE_FILES:,} fact bundles: refused",
                              file=str(directory))
    out: dict[str, HostEvidence] = {}
    for name in names:
        evidence = read_bundle(directory / name)
        if evidence is not None:
            out[evidence.host] = evidence
    return out

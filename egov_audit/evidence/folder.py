"""The evidence folder's format, shared by every kind: one JSON file per target, written
atomically, read back defensively (everything a target reports is untrusted), at most so many
of them."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CollectionError, Message
from ..gates.filein import read_bytes
from ..gates.fileout import write_output
from ..gates.jsonin import StrictJsonError, loads
from ..gates.names import is_file_name
from ..models import EvidenceStatus
from ..schemas import is_valid
from ..times import is_at_or_after
from .model import HostEvidence, now


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


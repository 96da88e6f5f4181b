"""A folder of configuration backups, as agencies already keep them, to network fact bundles:
`<device>.cfg` (or .conf, .txt), an Oxidized output folder (one file per device, no suffix; its
.git is hidden and skipped), or a RANCID group folder (the files under configs/). Each file
goes through the input gate (regular, bounded, never followed out through a symbolic link)
and is parsed on its own: a file that cannot be read or parsed is reported with its reason,
and every other device is kept. A backup's evidence time is the file's modification time."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import EgovAuditError, Message, UsageError
from ..gates.filein import read_bytes
from ..gates.names import is_exact_host, is_file_name
from .parse import network_fact_bundle

MAX_CONFIG_BYTES = 16 * 1024 * 1024  # the largest real configurations are a few MB
MAX_DEVICES = 100_000
SUFFIXES = (".cfg", ".conf", ".config", ".txt")
# what else lives beside backups (notes, RANCID's router.db, archives): never a device
_NOT_BACKUPS = (".md", ".db", ".json", ".yml", ".yaml", ".log", ".gz", ".zip", ".tar", ".csv",
                ".html", ".pdf", ".sh", ".py", ".diff", ".orig", ".rej", ".swp")


@dataclass(frozen=True)
class DeviceBackup:
    """What one backup file gave: its network fact bundle, or why there is none."""

    device: str
    file: str
    bundle: Mapping[str, Any] | None
    reason: str = ""  # English, as kept in evidence (the CLI translates what it prints)
    line: int | None = None  # where in the file, when the reason is about one line


def device_name(file_name: str) -> str | None:
    """edge01.cfg -> edge01; an Oxidized file is the device's own name. None: not a device."""
    if not is_file_name(file_name) or file_name.lower().endswith(_NOT_BACKUPS):
        return None
    stem = next((file_name[: -len(s)] for s in SUFFIXES if file_name.endswith(s)), file_name)
    return stem if stem and is_exact_host(stem) else None


def _folder(folder: Path) -> Path:
    if not folder.is_dir():
        raise UsageError(Message("no such directory"), file=str(folder))
    rancid = folder / "configs"
    if rancid.is_dir() and not rancid.is_symlink():
        return rancid
    return folder


def read_device_configs(folder: Path, max_bytes: int = MAX_CONFIG_BYTES
                        ) -> dict[str, DeviceBackup]:
    """Every backup in `folder`, by device name."""
    where = _folder(folder)
    out: dict[str, DeviceBackup] = {}
    try:
        with os.scandir(where) as entries:
            found = sorted((e.name, e) for e in entries if not e.name.startswith("."))
    except OSError as exc:
        raise UsageError(Message("cannot list: {value}", value=exc.strerror or exc),
                         file=str(where)) from None
    if len(found) > MAX_DEVICES:
        raise UsageError(Message("more than {limit:,} {what}: refused", limit=MAX_DEVICES,
                                 what=Message("configuration files")), file=str(where))
    for name, entry in found:
        if entry.is_dir(follow_symlinks=False):
            continue
        device = device_name(name)
        shown = str(where / name)
        if device is None:
            continue  # README, notes: not a device's file
        if device in out:
            out[device] = DeviceBackup(device, shown, None, Message(
                "two backups for one device ({first} and {second})",
                first=Path(out[device].file).name, second=name))
            continue
        out[device] = _read_one(device, where / name, shown, max_bytes)
    return out


def _read_one(device: str, path: Path, shown: str, max_bytes: int) -> DeviceBackup:
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            raise UsageError(Message("a symbolic link: refused (copy the backup in)"),
                             file=shown)
        raw = read_bytes(path, shown, UsageError, max_bytes)
        when = datetime.fromtimestamp(st.st_mtime, UTC).isoformat(timespec="seconds")
        bundle = network_fact_bundle(device, raw, shown, when.replace("+00:00", "Z"))
    except EgovAuditError as exc:
        return DeviceBackup(device, shown, None, exc.message, exc.line)
    except OSError as exc:
        return DeviceBackup(device, shown, None,
                            Message("cannot read: {value}", value=exc.strerror or exc))
    return DeviceBackup(device, shown, bundle)

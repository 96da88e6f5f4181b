"""The network's evidence kinds: device configurations (backups, or collected live) and the
internet registry's delegation statistics. Their readers load the parsers only when a run has
such evidence: a cold validate has none."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InventoryError, Message
from ..evidence.kind import EvidenceKind, Sources
from ..inventory.model import locate
from ..models import TargetKind, Text

if TYPE_CHECKING:
    from ..evidence.model import HostEvidence
    from ..inventory import Inventory
    from .registry import Registry


def _read_device_configs(folder: Path) -> dict[str, HostEvidence]:
    from .evidence import read_device_evidence  # the parsers load only when needed

    return read_device_evidence(folder)


def _gather_devices(sources: Sources) -> dict[str, HostEvidence] | None:
    """Each device's evidence: collected live where it was (the scan's folder), else its
    backup (--device-configs); None when there is neither."""
    given = sources.given.get(DEVICE_CONFIG.name)
    live = None
    if sources.folder is not None and sources.folder.is_dir():
        from .evidence import read_live_devices  # as _read_device_configs

        live = read_live_devices(sources.folder)
    if given is None and live is None:
        return None
    out = dict(DEVICE_CONFIG.read(given)) if given is not None else {}
    for name, found in (live or {}).items():
        if found.collected or name not in out:
            out[name] = found
    return out


def _inventory_devices(inventory: Inventory) -> list[tuple[str, TargetKind]]:
    return [(device.name, TargetKind.DEVICE) for device in inventory.devices]


def _device_notices(inventory: Inventory, devices: Mapping[str, HostEvidence],
                    today: date | None) -> tuple[Text, ...]:
    """Backups of devices the inventory does not declare; backups too old to trust."""
    declared = {device.name for device in inventory.devices}
    extra = sorted(set(devices) - declared)
    out = []
    if extra:
        names = ", ".join(extra[:20]) + (f" (+{len(extra) - 20})" if len(extra) > 20 else "")
        out.append(Text(f"{len(extra)} bản cấu hình thuộc thiết bị không khai báo trong kho "
                        f"(nhóm network_devices): {names}; chúng được đánh giá nhưng không có "
                        "vai trò (router/firewall).",
                        f"{len(extra)} configurations are of devices the inventory does not "
                        f"declare (group network_devices): {names}; they are judged, without a "
                        "role (router/firewall)."))
    stale = sorted(name for name, found in devices.items()
                   if found.collected and DEVICE_CONFIG.is_stale(found.collected_at))
    if stale:
        out.append(Text(f"Bản cấu hình cũ hơn {DEVICE_CONFIG.max_age_days:.0f} ngày: "
                        f"{', '.join(stale[:20])}.",
                        f"Configurations older than {DEVICE_CONFIG.max_age_days:.0f} days: "
                        f"{', '.join(stale[:20])}."))
    return tuple(out)


DEVICE_CONFIG: EvidenceKind[dict[str, HostEvidence]] = EvidenceKind(
    name="device_config",
    title=Text("Cấu hình thiết bị mạng (bản sao lưu: Oxidized, RANCID, tệp .cfg)",
               "Network device configurations (backups: Oxidized, RANCID, .cfg files)"),
    schema="network-fact-bundle", bundle_schema="egov-audit/network-fact-bundle@1",
    # device controls read a device's configuration; network controls read all of them (BGP,
    # which interfaces carry which zone)
    feeds=frozenset({TargetKind.DEVICE, TargetKind.NETWORK}),
    collector=None, read=_read_device_configs, expected=_inventory_devices,
    max_age_days=31.0,  # backups are taken nightly to monthly
    judges=TargetKind.DEVICE, not_given="declared in the inventory; no configuration given",
    undeclared="a backup of a device the inventory does not declare", notices=_device_notices,
    gather=_gather_devices)



def _read_registry(path: Path) -> Registry:
    from .registry import read_registry  # 3 million records: only when given

    return read_registry(path)


def _gather_registry(sources: Sources) -> Registry | None:
    """The statistics file the agency is checked against: the run's, else the inventory's own
    (a path inside the inventory folder: an inventory comes from anyone's merge request). Each
    file is read once a run."""
    inventory = sources.inventory
    path = sources.given.get(REGISTRY_FILE.name)
    if path is None:
        declared = inventory.network.data.get("registry_file")
        if not isinstance(declared, str):
            return None
        path = inventory.root / declared
        try:
            inside = path.resolve().is_relative_to(inventory.root.resolve())
        except (OSError, RuntimeError):
            inside = False
        if not inside:
            where = locate(inventory.network.source, ("registry_file",))
            raise InventoryError(Message("{path!r} leads outside the inventory folder (give a "
                                         "file elsewhere with --registry-file)", path=declared),
                                 file=where.file, line=where.line, column=where.column,
                                 path="network.registry_file")
    key = path.resolve()
    loaded = sources.loaded if sources.loaded is not None else {}
    if key not in loaded:
        loaded[key] = REGISTRY_FILE.read(path)
    registry: Registry = loaded[key]
    return registry


def _nothing(inventory: Inventory) -> list[tuple[str, TargetKind]]:
    return []


def _registry_notices(inventory: Inventory, registry: Registry,
                      today: date | None) -> tuple[Text, ...]:
    """Which file the agency was checked against (its date, size and digest); a stale one."""
    out = [Text(f"Đối chiếu với thống kê cấp phát {registry.display} ({registry.registry}, "
                f"ngày {registry.date}, {registry.records} bản ghi, {registry.sha256[:19]}…).",
                f"Checked against the delegation statistics {registry.display} "
                f"({registry.registry}, of {registry.date}, {registry.records} records, "
                f"{registry.sha256[:19]}…).")]
    now = datetime.combine(today, datetime.min.time(), UTC) if today else None
    stamp = f"{registry.date}T00:00:00Z"
    if REGISTRY_FILE.is_stale(stamp, now=now):
        days = REGISTRY_FILE.age(stamp, now).days
        out.append(Text(f"Tệp thống kê cấp phát đã cũ {days} ngày: hãy tải bản mới nhất "
                        "(các cấp phát gần đây có thể chưa có).",
                        f"The delegation statistics are {days} days old: download the latest "
                        "(recent delegations may be missing)."))
    return tuple(out)


REGISTRY_FILE: EvidenceKind[Registry] = EvidenceKind(
    name="registry_file",
    title=Text("Thống kê cấp phát của cơ quan đăng ký Internet (APNIC, gồm VNNIC)",
               "The internet registry's delegation statistics (APNIC, VNNIC's included)"),
    schema=None, bundle_schema="RIR statistics exchange format, version 2",
    # the network's ASN and blocks; across agencies, who holds what
    feeds=frozenset({TargetKind.NETWORK, TargetKind.NATIONAL}),
    collector=None, read=_read_registry, expected=_nothing,  # one file for all, no targets
    max_age_days=31.0,  # published daily; a month-old copy misses recent delegations
    notices=_registry_notices, gather=_gather_registry)

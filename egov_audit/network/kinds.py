"""The network's evidence kinds: device configurations (backups, or collected live), the
internet registry's delegation statistics and RPKI's validated ROA payloads. Their readers load
the parsers only when a run has such evidence: a cold validate has none."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InventoryError, Message
from ..evidence.kind import EvidenceKind, Sources
from ..inventory.model import locate
from ..models import TargetKind, Text

if TYPE_CHECKING:
    from ..evidence.model import HostEvidence
    from ..inventory import Inventory
    from .registry import Registry
    from .rpki import VrpSet


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


def _given_file(sources: Sources, kind: EvidenceKind[Any], key: str, option: str) -> Any:
    """The file of `kind` the agency is checked against: the run's, else the inventory's own
    `network.<key>` (a path inside the inventory folder: an inventory comes from anyone's merge
    request); None when neither names one. Each file is read once a run (agencies share it)."""
    inventory = sources.inventory
    path = sources.given.get(kind.name)
    if path is None:
        declared = inventory.network.data.get(key)
        if not isinstance(declared, str):
            return None
        path = inventory.root / declared
        try:
            inside = path.resolve().is_relative_to(inventory.root.resolve())
        except (OSError, RuntimeError):
            inside = False
        if not inside:
            where = locate(inventory.network.source, (key,))
            raise InventoryError(Message("{path!r} leads outside the inventory folder (give a "
                                         "file elsewhere with {option})", path=declared,
                                         option=option),
                                 file=where.file, line=where.line, column=where.column,
                                 path=f"network.{key}")
    resolved = path.resolve()
    loaded = sources.loaded if sources.loaded is not None else {}
    if resolved not in loaded:
        loaded[resolved] = kind.read(path)
    return loaded[resolved]


def _gather_registry(sources: Sources) -> Registry | None:
    registry: Registry | None = _given_file(sources, REGISTRY_FILE, "registry_file",
                                            "--registry-file")
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
    days = REGISTRY_FILE.stale_days(f"{registry.date}T00:00:00Z", today)
    if days is not None:
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


def _read_vrps(path: Path) -> VrpSet:
    from .rpki import read_vrps  # a national or global set: only when given

    return read_vrps(path)


def _gather_vrps(sources: Sources) -> VrpSet | None:
    vrps: VrpSet | None = _given_file(sources, VRP_FILE, "vrp_file", "--vrp-file")
    return vrps


def _vrp_notices(inventory: Inventory, vrps: VrpSet, today: date | None) -> tuple[Text, ...]:
    """Which VRP set the agency was checked against (its tool, time, size and digest); an old
    one."""
    out = [Text(f"Đối chiếu với tập VRP {vrps.display} ({vrps.tool}, {vrps.generated}, "
                f"{vrps.count} VRP, {vrps.sha256[:19]}…).",
                f"Checked against the VRP set {vrps.display} ({vrps.tool}, {vrps.generated}, "
                f"{vrps.count} VRPs, {vrps.sha256[:19]}…).")]
    days = VRP_FILE.stale_days(vrps.generated, today)
    if days is not None:
        out.append(Text(f"Tập VRP đã cũ {days} ngày: hãy chạy lại rpki-client hoặc Routinator "
                        "(ROA mới tạo hoặc đã thu hồi chưa được tính).",
                        f"The VRP set is {days} days old: run rpki-client or Routinator again "
                        "(ROAs made or withdrawn since are not counted)."))
    return tuple(out)


VRP_FILE: EvidenceKind[VrpSet] = EvidenceKind(
    name="vrp_file",
    title=Text("Tập VRP (ROA đã kiểm chứng) do rpki-client hoặc Routinator xuất",
               "Validated ROA payloads, as rpki-client or Routinator write them"),
    schema=None, bundle_schema="rpki-client or Routinator JSON output",
    feeds=frozenset({TargetKind.NETWORK}),  # the agency's ASN, blocks and portal addresses
    collector=None, read=_read_vrps, expected=_nothing,  # one file for all, no targets
    max_age_days=2.0,  # relying parties refresh hourly; ROAs are made and withdrawn any day
    notices=_vrp_notices, gather=_gather_vrps)

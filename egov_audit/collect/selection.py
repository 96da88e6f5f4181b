"""Which of an inventory's targets a scan collects from, and how: the hosts an Ansible --limit
picks, and those a worker node collects (each node is sent its own hosts only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from ..inventory.model import (
    FACILITY_DEVICES,
    NETWORK_DEVICES,
    Device,
    FacilityDevice,
    Host,
    Inventory,
)
from .interface import RemoteGroup


def select_hosts(inventory: Inventory, limit: str | None) -> list[str]:
    """The hosts and devices an Ansible --limit picks: names or groups, with shell wildcards,
    comma- or colon-separated, `!` to exclude."""
    targets: list[Host | Device | FacilityDevice] = [*inventory.hosts, *inventory.devices,
                                                     *inventory.facility_devices]
    names = [h.name for h in targets]
    if not limit:
        return names
    patterns = [p for p in limit.replace(":", ",").split(",") if p]
    include = [p for p in patterns if not p.startswith("!")]
    exclude = [p[1:] for p in patterns if p.startswith("!")]

    def hit(host: Host | Device | FacilityDevice, pats: list[str]) -> bool:
        groups = host.groups if isinstance(host, Host) else \
            (NETWORK_DEVICES,) if isinstance(host, Device) else (FACILITY_DEVICES,)
        return any(fnmatchcase(host.name, p) or p in groups for p in pats)

    return [h.name for h in targets
            if (not include or hit(h, include)) and not hit(h, exclude)]


def remote_groups(inventory: Inventory, selected: Sequence[str]) -> tuple[RemoteGroup, ...]:
    """The selected hosts that name a worker node (`egov_worker`), by node, each with its
    variables as Ansible resolved them for it (the node gets a plain JSON inventory of its own
    hosts, nothing of the rest of the agency)."""
    wanted = set(selected)
    members: dict[str, list[Host]] = {}
    for host in inventory.hosts:
        node = host.vars.get("egov_worker")
        if isinstance(node, str) and host.name in wanted:
            members.setdefault(node, []).append(host)
    nodes = {worker.name: worker for worker in inventory.workers}
    return tuple(
        RemoteGroup(nodes[name], tuple(h.name for h in hosts), {"all": {"hosts": {
            h.name: _plain(h.vars) for h in hosts}}})
        for name, hosts in members.items())


def _plain(value: Any) -> Any:
    """A variable as JSON can carry it (what YAML made a date, say, becomes its text)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)

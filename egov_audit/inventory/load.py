"""Load and check an agency's Ansible inventory directory (no Ansible import on this path)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from ..errors import InventoryError, Message, message_of
from ..ipnet import check_declared, is_ip_address, parse_addr, parse_net
from ..models import Agency, Text
from ..schemas import validate
from .ansible_dir import ResolvedHost, VarSource, read_inventory_dir
from .model import (
    FACILITY_DEVICES,
    NETWORK_DEVICES,
    AddressBlock,
    Declared,
    Device,
    FacilityDevice,
    Host,
    HostAddress,
    Inventory,
    NetworkPlan,
    Portal,
    Prefix,
    ServerRoom,
    Uplink,
    WorkerNode,
    Zone,
    locate,
)

__all__ = ["Inventory", "load_inventory"]

_HOST_VARS = ("zone", "role", "ansible_host", "addresses", "server_room", "egov_fix_skip",
              "egov_worker")
_DEVICE_VARS = ("role", "ansible_network_os", "zone", "ansible_host", "server_room")
_FACILITY_VARS = ("role", "server_room", "ansible_host", "snmp_version", "snmp_port", "snmp_user",
                  "snmp_auth_protocol", "snmp_auth_password", "snmp_priv_protocol",
                  "snmp_priv_password")
_SECRETS = ("snmp_auth_password", "snmp_priv_password")
_VAULTED = "<vault-encrypted>"  # what the YAML loader makes of a !vault value (never decrypted)
_LOOKUP = re.compile(r"\s*\{\{.*\}\}\s*", re.S)  # Ansible fills it in: an env lookup, a vaulted var


def _error(var: VarSource, message: str, *subpath: Any) -> InventoryError:
    err = var.source.error(InventoryError, message, (*var.path, *subpath))
    assert isinstance(err, InventoryError)
    return err


def _require(all_vars: dict[str, Any], sources: dict[str, VarSource], name: str,
             display: str) -> VarSource:
    if name not in all_vars:
        raise InventoryError(Message("no `{name}` variable for group all (declare it in "
                                     "group_vars/all/{name}.yml)", name=name), file=display)
    return sources[name]


def _prefix(var: VarSource, text: str, *subpath: Any) -> Prefix:
    try:
        net = check_declared(parse_net(text))
    except ValueError as exc:
        raise _error(var, message_of(exc), *subpath) from None
    return Prefix(net, Declared(var, tuple(subpath)))


class Inventories:
    """The inventories of one run, each read once: a scan reads its inventory to pick the hosts
    and again to judge them; `fix` to plan, to re-evaluate and to re-scan."""

    def __init__(self, known_roles: Collection[str] | None = None) -> None:
        self.known_roles = known_roles
        self._loaded: dict[Path, Inventory] = {}

    def get(self, root: Path | str) -> Inventory:
        key = Path(root)
        if key not in self._loaded:
            self._loaded[key] = load_inventory(key, self.known_roles)
        return self._loaded[key]


def load_inventory(root: Path | str, known_roles: Collection[str] | None = None,
                   display: str | None = None) -> Inventory:
    root = Path(root)
    raw = read_inventory_dir(root, display or str(root))
    shown = raw.display_root

    agency_src = _require(raw.all_vars, raw.all_sources, "agency", shown)
    agency_data = raw.all_vars["agency"]
    validate(agency_data, "agency", agency_src.source, agency_src.path, InventoryError, "agency")
    agency = Agency(code=agency_data["code"], name=Text.from_dict(agency_data["name"]),
                    kind=agency_data["kind"], baseline=agency_data["baseline"],
                    level=agency_data["level"], region=agency_data.get("region"))

    net_src = _require(raw.all_vars, raw.all_sources, "network", shown)
    net_data = raw.all_vars["network"]
    validate(net_data, "network", net_src.source, net_src.path, InventoryError, "network")
    network = _network(net_src, net_data)

    rooms: list[ServerRoom] = []
    rooms_src = raw.all_sources.get("server_rooms")
    if rooms_src is not None:
        rooms_data = raw.all_vars["server_rooms"]
        if rooms_data is None:
            rooms_data = []
        validate(rooms_data, "server_rooms", rooms_src.source, rooms_src.path, InventoryError,
                 "server_rooms")
        seen_rooms: set[str] = set()
        for index, room in enumerate(rooms_data):
            if room["id"] in seen_rooms:
                raise _error(rooms_src, Message("duplicate server room id {room!r}",
                                                room=room['id']), index, "id")
            seen_rooms.add(room["id"])
            rooms.append(ServerRoom(room["id"], room,
                                    VarSource(rooms_src.source, (*rooms_src.path, index))))
    room_ids = {room.id for room in rooms}
    workers = _workers(raw.all_vars, raw.all_sources)
    worker_names = {worker.name for worker in workers}

    hosts: list[Host] = []
    devices: list[Device] = []
    facility: list[FacilityDevice] = []
    for resolved in raw.resolved_hosts:
        is_device = FACILITY_DEVICES in resolved.groups or NETWORK_DEVICES in resolved.groups \
            or "ansible_network_os" in resolved.vars
        if is_device and "egov_worker" in resolved.vars:
            raise _error(resolved.sources["egov_worker"],
                         Message("{name!r}: worker nodes collect from servers; a router, "
                                 "firewall, UPS or sensor is read from the controller",
                                 name=resolved.name))
        if FACILITY_DEVICES in resolved.groups:
            facility.append(_facility_device(resolved, room_ids))
            continue
        if NETWORK_DEVICES in resolved.groups or "ansible_network_os" in resolved.vars:
            devices.append(_device(resolved, network, room_ids))
            continue
        host_vars: dict[str, Any] = {k: resolved.vars[k] for k in _HOST_VARS
                                     if k in resolved.vars}
        missing = [k for k in ("zone", "role") if k not in host_vars]
        if missing:
            where = locate(resolved.declared_in)
            raise InventoryError(Message("host {name!r} has no {value} variable",
                                         name=resolved.name, value=' and no '.join(missing)),
                                 file=where.file, line=where.line,
                                 column=where.column)
        for key, value in host_vars.items():
            source = resolved.sources[key]
            validate({"zone": "z", "role": "r", key: value}, "host", source.source,
                     source.path[:-1], InventoryError, f"hosts.{resolved.name}")
        zone_name = host_vars["zone"]
        if network.zone(zone_name) is None:
            known = ", ".join(z.name for z in network.zones) or "none declared"
            raise _error(resolved.sources["zone"],
                         Message("host {name!r}: unknown zone {zone_name!r} (zones: {known})",
                                 name=resolved.name, zone_name=zone_name, known=known))
        if known_roles is not None and host_vars["role"] not in known_roles:
            raise _error(resolved.sources["role"],
                         Message("host {name!r}: unknown role {host_vars!r} (known roles: "
                                 "{value})", name=resolved.name, host_vars=host_vars['role'],
                                 value=', '.join(sorted(known_roles))))
        if "server_room" in host_vars and host_vars["server_room"] not in room_ids:
            raise _error(resolved.sources["server_room"],
                         Message("host {name!r}: unknown server room {host_vars!r}",
                                 name=resolved.name, host_vars=host_vars['server_room']))
        if "egov_worker" in host_vars and host_vars["egov_worker"] not in worker_names:
            raise _error(resolved.sources["egov_worker"],
                         Message("host {name!r}: unknown worker node {value!r} (workers: "
                                 "{known})", name=resolved.name, value=host_vars["egov_worker"],
                                 known=", ".join(sorted(worker_names)) or "none declared"))
        hosts.append(Host(resolved.name, zone_name, host_vars["role"],
                          _host_addresses(resolved.name, host_vars, resolved.sources),
                          resolved.groups, resolved.vars, resolved.sources,
                          Declared(resolved.declared_in)))

    return Inventory(root=root, display=shown, agency=agency, agency_source=agency_src,
                     network=network, server_rooms=tuple(rooms), server_rooms_source=rooms_src,
                     hosts=tuple(hosts), files=tuple(f.display for f in raw.files),
                     devices=tuple(devices), facility_devices=tuple(facility),
                     workers=workers)


def _workers(all_vars: Mapping[str, Any], sources: Mapping[str, VarSource]
             ) -> tuple[WorkerNode, ...]:
    """The worker nodes (`workers` of group all): each named once."""
    source = sources.get("workers")
    if source is None:
        return ()
    data = all_vars["workers"] or []
    validate(data, "workers", source.source, source.path, InventoryError, "workers")
    out: list[WorkerNode] = []
    for index, entry in enumerate(data):
        if any(worker.name == entry["name"] for worker in out):
            raise _error(source, Message("worker node {name!r} is declared twice",
                                         name=entry["name"]), index, "name")
        out.append(WorkerNode(entry["name"], entry["host"], entry.get("port", 22),
                              entry.get("user"), entry.get("runner", "ansible-runner"),
                              entry.get("identity_file"), entry.get("known_hosts"),
                              VarSource(source.source, (*source.path, index))))
    return tuple(out)


def _facility_device(resolved: ResolvedHost, room_ids: set[str]) -> FacilityDevice:
    """A UPS or room sensor: SNMPv3 only, credentials never in clear text in the inventory
    (Ansible Vault or an environment lookup: Ansible resolves them when it collects)."""
    name = resolved.name
    where = locate(resolved.declared_in)
    if NETWORK_DEVICES in resolved.groups:
        raise InventoryError(Message("{name!r} is in both {group} and {other}", name=name,
                                     group=FACILITY_DEVICES, other=NETWORK_DEVICES),
                             file=where.file, line=where.line, column=where.column)
    values = {k: resolved.vars[k] for k in _FACILITY_VARS if k in resolved.vars}
    required = ("role", "server_room", "ansible_host", "snmp_user", "snmp_auth_protocol",
                "snmp_auth_password", "snmp_priv_protocol", "snmp_priv_password")
    missing = [k for k in required if k not in values]
    if missing:
        raise InventoryError(Message("facility device {name!r} has no {value} variable",
                                     name=name, value=" and no ".join(missing)),
                             file=where.file, line=where.line, column=where.column)
    example = {k: "x" for k in required} | {"role": "ups", "snmp_auth_protocol": "SHA",
                                            "snmp_priv_protocol": "AES"}
    for key, value in values.items():
        source = resolved.sources[key]
        validate({**example, key: value}, "facility", source.source, source.path[:-1],
                 InventoryError, f"hosts.{name}")
    for key in _SECRETS:
        value = values[key]
        if value != _VAULTED and not _LOOKUP.fullmatch(value):
            raise _error(resolved.sources[key], Message(
                "host {name!r}: {key} is written in clear text: encrypt it with Ansible Vault "
                "(ansible-vault encrypt_string) or look it up from the environment "
                "({{{{ lookup('env', 'NAME') }}}})", name=name, key=key))
    if values["server_room"] not in room_ids:
        raise _error(resolved.sources["server_room"],
                     Message("host {name!r}: unknown server room {host_vars!r}",
                             name=name, host_vars=values["server_room"]))
    return FacilityDevice(name, values["role"], values["server_room"],
                          str(values["ansible_host"]), resolved.vars, resolved.sources,
                          Declared(resolved.declared_in))


def _device(resolved: ResolvedHost, network: NetworkPlan, room_ids: set[str]) -> Device:
    """A router or firewall: in group network_devices, with ansible_network_os (the convention
    of Ansible's network collections). A device outside the group would be sent the host
    collector by playbooks/collect.yml: an error, as is a group member without its OS."""
    name = resolved.name
    where = locate(resolved.declared_in)
    if NETWORK_DEVICES not in resolved.groups:
        raise InventoryError(Message("{name!r} sets ansible_network_os but is not in group "
                                     "{group}", name=name, group=NETWORK_DEVICES),
                             file=where.file, line=where.line, column=where.column)
    device_vars = {k: resolved.vars[k] for k in _DEVICE_VARS if k in resolved.vars}
    missing = [k for k in ("role", "ansible_network_os") if k not in device_vars]
    if missing:
        raise InventoryError(Message("network device {name!r} has no {value} variable",
                                     name=name, value=" and no ".join(missing)),
                             file=where.file, line=where.line, column=where.column)
    for key, value in device_vars.items():
        source = resolved.sources[key]
        validate({"role": "router", "ansible_network_os": "ios", key: value}, "device",
                 source.source, source.path[:-1], InventoryError, f"hosts.{name}")
    zone = device_vars.get("zone")
    if zone is not None and network.zone(zone) is None:
        known = ", ".join(z.name for z in network.zones) or "none declared"
        raise _error(resolved.sources["zone"],
                     Message("host {name!r}: unknown zone {zone_name!r} (zones: {known})",
                             name=name, zone_name=zone, known=known))
    if "server_room" in device_vars and device_vars["server_room"] not in room_ids:
        raise _error(resolved.sources["server_room"],
                     Message("host {name!r}: unknown server room {host_vars!r}",
                             name=name, host_vars=device_vars["server_room"]))
    addresses = _host_addresses(name, {k: v for k, v in device_vars.items()
                                       if k == "ansible_host"}, resolved.sources)
    return Device(name, device_vars["role"], device_vars["ansible_network_os"], zone,
                  addresses[0] if addresses else None, resolved.vars, resolved.sources,
                  Declared(resolved.declared_in))


def _host_addresses(name: str, host_vars: dict[str, Any],
                    sources: dict[str, VarSource]) -> tuple[HostAddress, ...]:
    out: list[HostAddress] = []
    ansible_host = host_vars.get("ansible_host")
    # ansible_host may be a DNS name: then only `addresses` says where the host sits
    if isinstance(ansible_host, str) and is_ip_address(ansible_host):
        try:
            address = check_declared(parse_addr(ansible_host))
        except ValueError as exc:
            raise _error(sources["ansible_host"], Message("host {name!r}: {exc}", name=name,
                                                          exc=exc)) from None
        out.append(HostAddress(address, Declared(sources["ansible_host"])))
    for index, text in enumerate(host_vars.get("addresses", [])):
        try:
            net = check_declared(parse_addr(text))
        except ValueError as exc:
            raise _error(sources["addresses"], Message("host {name!r}: {exc}", name=name, exc=exc),
                         index) from None
        if not any(a.net.version == net.version and a.net.first == net.first for a in out):
            out.append(HostAddress(net, Declared(sources["addresses"], (index,))))
    return tuple(out)


def _network(src: VarSource, data: dict[str, Any]) -> NetworkPlan:
    blocks = tuple(
        AddressBlock(_prefix(src, block["prefix"], "address_blocks", i, "prefix"),
                     block["allocated_by"])
        for i, block in enumerate(data["address_blocks"]))
    zones: list[Zone] = []
    names: set[str] = set()
    for i, zone in enumerate(data["zones"]):
        if zone["name"] in names:
            raise _error(src, Message("duplicate zone name {zone!r}", zone=zone["name"]),
                         "zones", i, "name")
        names.add(zone["name"])
        subnets = tuple(_prefix(src, text, "zones", i, "subnets", j)
                        for j, text in enumerate(zone["subnets"]))
        zones.append(Zone(zone["name"], zone["kind"], subnets, zone.get("vlan"),
                          zone.get("separated_by"), zone.get("internet_access"),
                          Declared(src, ("zones", i))))
    uplinks = tuple(Uplink(u["kind"], u["provider"], u, Declared(src, ("uplinks", i)))
                    for i, u in enumerate(data.get("uplinks", [])))
    return NetworkPlan(data["asn"], blocks, tuple(zones), uplinks, data, src,
                       _portals(src, data.get("portals", [])))


_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def _portals(src: VarSource, declared: list[dict[str, Any]]) -> tuple[Portal, ...]:
    """Each portal by a DNS name (never an address: its DNS is part of what is judged), each
    probed once."""
    out: list[Portal] = []
    seen: set[str] = set()
    for i, item in enumerate(declared):
        kind = item["kind"]
        key = "domain" if kind == "mail" else "url"
        if kind == "mail":
            host, port, path, url = item["domain"], 25, "", ""
        else:
            url = item["url"]
            authority, _, rest = url[len("https://"):].partition("/")
            host, _, port_text = authority.partition(":") if not authority.startswith("[") \
                else (authority, "", "")
            port = int(port_text) if re.fullmatch(r"[0-9]{1,5}", port_text) \
                and 0 < int(port_text) < 65536 else -1
            if port_text == "":
                port = 443
            path = "/" + rest
            if port < 0:
                raise _error(src, Message("{value!r}: not a port number", value=port_text),
                             "portals", i, key)
        host = host.rstrip(".")
        labels = host.split(".")
        if host != host.lower() or len(host) > 253 or len(labels) < 2 or \
                not all(_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
            raise _error(src, Message("{value!r} is not a DNS name in lower case (a portal is "
                                      "declared by its name, never by an address)",
                                      value=host[:80]), "portals", i, key)
        name = f"mail_{host}" if kind == "mail" else host
        if name in seen:
            raise _error(src, Message("portal {name!r} is declared twice", name=name),
                         "portals", i, key)
        seen.add(name)
        out.append(Portal(name, kind, host, port, path, url, Declared(src, ("portals", i)),
                          tuple(item.get("dkim_selectors", ()))))
    return tuple(out)

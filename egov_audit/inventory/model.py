"""The typed view of an agency inventory that checks work on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..ipnet import Net
from ..models import Agency, Location
from ..yamlsource import PathKey
from .ansible_dir import VarSource


def locate(var: VarSource, subpath: Sequence[PathKey] = ()) -> Location:
    line, column = var.source.locate((*var.path, *subpath))
    return Location(var.source.display, line, column)


@dataclass(frozen=True, slots=True)
class Declared:
    """Where an item is declared. Located on demand: walking the YAML node tree for each of
    100,000 prefixes up front would cost more than checking them."""

    var: VarSource
    subpath: tuple[PathKey, ...] = ()

    @property
    def where(self) -> Location:
        return locate(self.var, self.subpath)


class _Located:
    """Items that know where they are declared, located only when asked."""

    __slots__ = ()
    declared: Declared

    @property
    def where(self) -> Location:
        return self.declared.where


@dataclass(frozen=True, slots=True)
class Prefix(_Located):
    """An IP prefix the inventory declares, with where it is written."""

    net: Net
    declared: Declared


@dataclass(frozen=True)
class AddressBlock:
    """An address block the agency holds and who allocated it."""

    prefix: Prefix
    allocated_by: str


@dataclass(frozen=True)
class Zone(_Located):
    """A network zone of the agency's plan: its subnets, VLAN, separation, internet access."""

    name: str
    kind: str
    subnets: tuple[Prefix, ...]
    vlan: int | None
    separated_by: str | None
    internet_access: bool | None
    declared: Declared


@dataclass(frozen=True)
class Uplink(_Located):
    """A connection of the agency's network to a provider or to the specialized network."""

    kind: str
    provider: str
    data: Mapping[str, Any]
    declared: Declared


@dataclass(frozen=True)
class Portal(_Located):
    """A public service of the agency, probed from outside: a web portal, a public-service
    portal or an LGSP API by its https URL, or mail by its domain."""

    name: str  # the target: the URL's host name, or mail_<domain>
    kind: str  # web_portal | public_service | lgsp_api | mail
    host: str  # the name looked up (the mail domain for mail)
    port: int
    path: str
    url: str  # "" for mail
    declared: Declared
    dkim_selectors: tuple[str, ...] = ()  # mail: the selectors its signers use (RFC 6376)

    @property
    def is_web(self) -> bool:
        return self.kind != "mail"


@dataclass(frozen=True)
class NetworkPlan:
    """The agency's declared network: ASN, address blocks, zones, uplinks, portals."""

    asn: int | None
    blocks: tuple[AddressBlock, ...]
    zones: tuple[Zone, ...]
    uplinks: tuple[Uplink, ...]
    data: Mapping[str, Any]
    source: VarSource
    portals: tuple[Portal, ...] = ()

    def zone(self, name: str) -> Zone | None:
        for zone in self.zones:
            if zone.name == name:
                return zone
        return None


@dataclass(frozen=True)
class ServerRoom:
    """A server room as the survey in the inventory describes it."""

    id: str
    data: Mapping[str, Any]
    source: VarSource  # points at this room's entry


@dataclass(frozen=True)
class WorkerNode:
    """A node inside a network segment the controller cannot reach host by host: `scan` sends it
    the collection of the hosts that name it (`egov_worker`) as an ansible-runner job (transmit,
    worker, process: the protocol of AWX execution nodes), over SSH."""

    name: str
    host: str
    port: int = 22
    user: str | None = None
    runner: str = "ansible-runner"
    identity_file: str | None = None
    known_hosts: str | None = None
    source: VarSource | None = None


@dataclass(frozen=True)
class HostAddress(_Located):
    """An address the inventory gives a host."""

    net: Net
    declared: Declared


@dataclass(frozen=True)
class Host(_Located):
    """A server of the inventory: its zone, role, addresses, groups and variables."""

    name: str
    zone: str
    role: str
    addresses: tuple[HostAddress, ...]
    groups: tuple[str, ...]
    vars: Mapping[str, Any]
    sources: Mapping[str, VarSource]
    declared: Declared


NETWORK_DEVICES = "network_devices"  # the inventory group of routers and firewalls


@dataclass(frozen=True)
class Device(_Located):
    """A router, firewall or layer-3 switch (a host of group `network_devices`): judged on its
    configuration (a backup, or collected live over network_cli), never by the host controls."""

    name: str
    role: str  # router | firewall | switch
    network_os: str  # ansible_network_os, as the inventory gives it
    zone: str | None  # where its management address sits
    address: HostAddress | None
    vars: Mapping[str, Any]
    sources: Mapping[str, VarSource]
    declared: Declared


FACILITY_DEVICES = "facility_devices"  # the inventory group of UPSes and room sensors


@dataclass(frozen=True)
class FacilityDevice(_Located):
    """A UPS or server-room sensor with a network card (a host of group `facility_devices`),
    read over SNMPv3: evidence for the server room it measures, never judged by host controls.
    Its SNMP credentials stay in `vars` as the inventory has them (vaulted or a lookup)."""

    name: str
    role: str  # ups | sensor
    server_room: str
    address: str  # ansible_host: where SNMP is sent
    vars: Mapping[str, Any]
    sources: Mapping[str, VarSource]
    declared: Declared


@dataclass(frozen=True)
class Inventory:
    """One agency's inventory, read and checked: the input of every audit."""

    root: Path
    display: str
    agency: Agency
    agency_source: VarSource
    network: NetworkPlan
    server_rooms: tuple[ServerRoom, ...]
    server_rooms_source: VarSource | None
    hosts: tuple[Host, ...]
    files: tuple[str, ...]
    devices: tuple[Device, ...] = ()
    facility_devices: tuple[FacilityDevice, ...] = ()
    workers: tuple[WorkerNode, ...] = ()

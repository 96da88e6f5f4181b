"""The lab's hosts, routers, firewalls and facility devices, as data: each with its profile,
address and what it stands for."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_STATE = Path(os.environ.get("EGOV_AUDIT_LAB_STATE", "/tmp/egov-audit-lab"))


@dataclass(frozen=True)
class LabHost:
    name: str
    ip: str
    profile: str  # a script under egov_audit/lab/profiles/
    zone: str
    role: str
    port: int = 22
    start: bool = True  # False: declared in the inventory, never started (unreachable)
    python: str = "/usr/bin/python3"
    user: str = "root"  # who the scan logs in as
    # its own network namespace, joined to the machine by a veth pair on the /30 of `ip`: its
    # firewall rules are its own (firewall remediation is tested only on such hosts)
    netns: bool = False
    # a script run inside the host after its profile (tests/scenarios/): one state to judge
    scenario: str = ""
    frr_config: str = ""  # a router (profile frr): its FRRouting configuration
    nft_ruleset: str = ""  # a Linux firewall (profile nftfw): its nftables ruleset
    interfaces: tuple[tuple[str, str], ...] = ()  # ... and its zone networks (name, address)
    in_inventory: bool = True  # False: a provider's router, outside the agency
    # a UPS or room sensor (profile snmpdev): the server room it measures, what it serves
    # (OID -> (type, value)), and a fault: "" healthy, silent (times out), garbage, or the
    # wrong credentials in the inventory (wrong_password)
    server_room: str = ""
    mib: tuple[tuple[str, str, str], ...] = ()
    fault: str = ""
    # the worker node (a host of profile `worker`) that collects this host's evidence: the
    # inventory's egov_worker
    worker: str = ""

    @property
    def is_facility(self) -> bool:
        """A UPS or room sensor: in the inventory's facility_devices, read over SNMPv3."""
        return self.profile == "snmpdev"

    @property
    def is_worker(self) -> bool:
        """A worker node: runs `ansible-runner worker` for the hosts that name it."""
        return self.profile == "worker"

    @property
    def is_router(self) -> bool:
        """A network device (router or firewall): in the inventory's network_devices."""
        return self.profile in ("frr", "nftfw")

    @property
    def link(self) -> str:
        """The machine's end of the veth pair (an interface name of at most 15 characters)."""
        return f"egl{int(ipaddress.ip_address(self.ip)):08x}"

    @property
    def peer(self) -> str:
        """The machine's address on the veth pair: the other host address of the /30."""
        net = ipaddress.ip_interface(f"{self.ip}/30").network
        return next(str(a) for a in net.hosts() if str(a) != self.ip)


# The agency servers of the lab, and the fault hosts (--faults).
SERVERS = (
    LabHost("portal01", "127.0.1.11", "hardened", "dmz", "web_portal", port=2222),
    LabHost("app01", "127.0.1.21", "typical", "servers", "application"),
    LabHost("log01", "127.0.1.22", "secrets", "servers", "log_collector", port=2222),
    LabHost("db01", "127.0.1.31", "weak", "db", "database"),
    # the lab shares the machine's interfaces: jump01's zone is declared with the machine's own
    # networks, so its live addresses match the plan (and every other host's do not)
    LabHost("jump01", "127.0.1.51", "hardened", "mgmt", "jump_host", port=2222),
    # a scan without root: what an unprivileged account cannot read is not assessed
    LabHost("mon01", "127.0.1.23", "unprivileged", "servers", "monitoring", user="audit"),
)
FAULTS = (
    LabHost("down01", "127.0.1.41", "typical", "servers", "application", start=False),
    LabHost("drop01", "127.0.1.42", "dropper", "servers", "application",
            python="/usr/local/bin/python3-dropper"),
    LabHost("hang01", "127.0.1.43", "hang", "servers", "application",
            python="/usr/local/bin/python3-hang"),
    LabHost("nopy01", "127.0.1.44", "nopython", "servers", "application"),
    LabHost("brok01", "127.0.1.45", "brokensshd", "servers", "application"),
    LabHost("evil01", "127.0.1.46", "hostile", "servers", "application",
            python="/usr/local/bin/python3-hostile"),
)


@dataclass(frozen=True)
class LabLink:
    """A point-to-point link between two routers' own namespaces (a veth pair that never
    exists in the machine's namespace)."""

    a: str
    a_if: str
    a_ip: str  # with its prefix length
    b: str
    b_if: str
    b_ip: str


def _frr(hostname: str, asn: int, interfaces: dict[str, str], neighbours: dict[str, int],
         networks: tuple[str, ...] = (), weak: bool = False) -> str:
    """An FRRouting configuration: addresses, eBGP neighbours, announced networks (each with
    a blackhole route, so that it is in the routing table and really announced). A weak one
    keeps its enable password in clear text (a secret the audit must never repeat)."""
    lines = ["frr defaults traditional", f"hostname {hostname}", "log stdout"]
    lines += ["enable password PLANTED-FRR-ENABLE"] if weak else ["service password-encryption"]
    lines += ["!"]
    for name, address in interfaces.items():
        lines += [f"interface {name}", f" ip address {address}", "!"]
    lines += [f"ip route {net} blackhole" for net in networks]
    router_id = next(iter(interfaces.values())).split("/")[0]
    lines += [f"router bgp {asn}", f" bgp router-id {router_id}",
              " no bgp ebgp-requires-policy", " no bgp network import-check"]
    for address, remote in neighbours.items():
        lines += [f" neighbor {address} remote-as {remote}",
                  f" neighbor {address} timers connect 2"]
    lines += [" address-family ipv4 unicast"]
    lines += [f"  network {net}" for net in networks]
    lines += [" exit-address-family", "!", "line vty", "!"]
    return "\n".join(lines) + "\n"


# The network lab: an agency edge router with its own ASN (64501) multihomed to two providers
# (AS64496, AS64497), announcing its VNNIC block; and a weak edge on a private ASN behind one
# provider, announcing a block that is not its own. Documentation ASNs and addresses; the
# provider links use shared address space (RFC 6598), as providers' point-to-point links do.
NETWORK = (
    LabHost("isp1", "198.18.2.1", "frr", "", "router", netns=True, in_inventory=False,
            frr_config=_frr("isp1", 64496, {"eth1": "100.64.0.2/30", "eth2": "100.64.0.10/30"},
                            {"100.64.0.1": 64501, "100.64.0.9": 64512})),
    LabHost("isp2", "198.18.2.5", "frr", "", "router", netns=True, in_inventory=False,
            frr_config=_frr("isp2", 64497, {"eth1": "100.64.0.6/30"}, {"100.64.0.5": 64501})),
    LabHost("edge01", "198.18.2.9", "frr", "", "router", netns=True,
            frr_config=_frr("edge01", 64501, {"eth1": "100.64.0.1/30", "eth2": "100.64.0.5/30"},
                            {"100.64.0.2": 64496, "100.64.0.6": 64497}, ("198.51.100.0/24",))),
    LabHost("edge02", "198.18.2.13", "frr", "", "router", netns=True,
            frr_config=_frr("edge02", 64512, {"eth1": "100.64.0.9/30"}, {"100.64.0.10": 64496},
                            ("203.0.113.0/24",), weak=True)),
)
_FIREWALL_ZONES = (("outside0", "100.64.1.2/29"), ("dmz0", "10.60.20.1/24"),
                   ("srv0", "10.60.10.1/24"), ("db0", "10.60.30.1/24"),
                   ("lan0", "10.60.50.1/24"), ("mgmt0", "10.60.90.1/24"))
STRICT_RULES = """table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iifname "lo" accept
		iifname { "eth0", "mgmt0" } tcp dport 22 accept
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "outside0" oifname "dmz0" ip daddr 10.60.20.10 tcp dport 443 accept
		iifname "dmz0" oifname "srv0" ip daddr 10.60.10.10 tcp dport 8443 accept
		iifname "srv0" oifname "db0" ip saddr 10.60.10.10 ip daddr 10.60.30.10 tcp dport 5432 accept
		iifname "lan0" oifname "dmz0" tcp dport { 80, 443 } accept
		iifname "mgmt0" ip saddr 10.60.90.10 tcp dport 22 accept
	}
}
"""
# the weak firewall: forwarding accepted by default, and the office LAN let through to anything
LOOSE_RULES = STRICT_RULES.replace(
    "type filter hook forward priority filter; policy drop;",
    "type filter hook forward priority filter; policy accept;").replace(
    '\t\tiifname "lan0" oifname "dmz0" tcp dport { 80, 443 } accept\n',
    '\t\tiifname "lan0" accept\n')
# Linux firewalls between zone networks (nftables, each in its own namespace): fw01 strict,
# fw02 weak. Same zones, so one declared plan judges both.
FIREWALLS = (
    LabHost("fw01", "198.18.2.17", "nftfw", "", "firewall", netns=True,
            nft_ruleset=STRICT_RULES, interfaces=_FIREWALL_ZONES),
    LabHost("fw02", "198.18.2.21", "nftfw", "", "firewall", netns=True,
            nft_ruleset=LOOSE_RULES, interfaces=_FIREWALL_ZONES),
)
_UPS = "1.3.6.1.2.1.33.1"
_SENSORS = "1.3.6.1.2.1.99.1.1.1"
_NAMES = "1.3.6.1.2.1.47.1.1.1.1.7"


def _ups_mib(battery: int, minutes: int, charge: int, source: int, on_battery_s: int,
             alarms: int) -> tuple[tuple[str, str, str], ...]:
    """UPS-MIB values of a UPS (RFC 1628 enumerations: battery 2 normal, 3 low; output source
    3 normal, 5 battery)."""
    return ((f"{_UPS}.1.1.0", "string", "LabPower"), (f"{_UPS}.1.2.0", "string", "LP-3000 RT"),
            (f"{_UPS}.2.1.0", "integer", str(battery)),
            (f"{_UPS}.2.2.0", "integer", str(on_battery_s)),
            (f"{_UPS}.2.3.0", "integer", str(minutes)), (f"{_UPS}.2.4.0", "integer", str(charge)),
            (f"{_UPS}.4.1.0", "integer", str(source)), (f"{_UPS}.6.1.0", "gauge", str(alarms)))


def _sensor_mib(celsius_tenths: int, humidity: int) -> tuple[tuple[str, str, str], ...]:
    """ENTITY-SENSOR-MIB rows: a temperature in tenths of a degree (precision 1) and a relative
    humidity in percent, both in units (scale 9), operational; their entPhysicalName."""
    rows = []
    for index, (kind, precision, value, name) in enumerate(
            ((8, 1, celsius_tenths, "inlet temperature"), (9, 0, humidity, "room humidity")), 1):
        rows += [(f"{_SENSORS}.1.{index}", "integer", str(kind)),
                 (f"{_SENSORS}.2.{index}", "integer", "9"),
                 (f"{_SENSORS}.3.{index}", "integer", str(precision)),
                 (f"{_SENSORS}.4.{index}", "integer", str(value)),
                 (f"{_SENSORS}.5.{index}", "integer", "1"),
                 (f"{_NAMES}.{index}", "string", name)]
    return tuple(rows)


# UPSes and room sensors, each an SNMPv3 agent in its own namespace: a healthy UPS and a hot
# room (main), a UPS on battery with 4 minutes left (annex), and three that cannot be read
# (store): refused credentials, silence, garbage.
FACILITY = (
    LabHost("ups01", "198.18.4.1", "snmpdev", "", "ups", netns=True, server_room="main",
            mib=_ups_mib(2, 42, 100, 3, 0, 0)),
    LabHost("env01", "198.18.4.5", "snmpdev", "", "sensor", netns=True, server_room="main",
            mib=_sensor_mib(315, 55)),
    LabHost("ups02", "198.18.4.9", "snmpdev", "", "ups", netns=True, server_room="annex",
            mib=_ups_mib(3, 4, 18, 5, 600, 1)),
    LabHost("ups03", "198.18.4.13", "snmpdev", "", "ups", netns=True, server_room="store",
            mib=_ups_mib(2, 42, 100, 3, 0, 0), fault="wrong_password"),
    LabHost("ups04", "198.18.4.17", "snmpdev", "", "ups", netns=True, server_room="store",
            mib=_ups_mib(2, 42, 100, 3, 0, 0), fault="silent"),
    LabHost("ups05", "198.18.4.21", "snmpdev", "", "ups", netns=True, server_room="store",
            mib=_ups_mib(2, 42, 100, 3, 0, 0), fault="garbage"),
)
# the lab's SNMPv3 user (lab secrets, nothing else): the inventory looks the passwords up from
# the environment (STATE/facility.env), as an agency would from Vault or its CI's secrets
SNMP_USER = "egovlab"
SNMP_SECRETS = {"EGOV_LAB_SNMP_AUTH": "lab-auth-passphrase-1",
                "EGOV_LAB_SNMP_PRIV": "lab-priv-passphrase-1",
                "EGOV_LAB_SNMP_AUTH_OLD": "a-retired-passphrase"}

NETWORK_LINKS = (
    LabLink("edge01", "eth1", "100.64.0.1/30", "isp1", "eth1", "100.64.0.2/30"),
    LabLink("edge01", "eth2", "100.64.0.5/30", "isp2", "eth1", "100.64.0.6/30"),
    LabLink("edge02", "eth1", "100.64.0.9/30", "isp1", "eth2", "100.64.0.10/30"),
)

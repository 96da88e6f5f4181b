"""The Cisco-like family (Cisco IOS/IOS-XE, Cisco ASA, FRRouting): one syntax, read by a TTP
template (ASA adds interface names and security levels, access groups bound by name, management
access lines), then said in the terms every vendor shares (network/facts.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..ipnet import parse_addr, parse_net
from .common import (
    MAX_ASN,
    as_list,
    as_mapping,
    asn,
    every_match,
    first_match,
    interface_address,
    network_prefix,
    optional_int,
    plain_http,
)
from .redact import Redacted, redact_cisco_like

_IOS_TEMPLATE = """
<group name="hostname">
hostname {{ value }}
</group>
<group name="interfaces">
interface {{ name }}
 description {{ description | ORPHRASE }}
 ip address {{ address }} {{ mask }}
 ip address {{ address_cidr | contains("/") }}
 ip address {{ address_secondary }} {{ mask_secondary }} secondary
 ipv6 address {{ address6 }}
 ip access-group {{ acl_in }} in
 ip access-group {{ acl_out }} out
 shutdown {{ shutdown | set(True) }}
 nameif {{ nameif }}
 security-level {{ security_level }}
</group>
<group name="bgp">
router bgp {{ local_as }}
 bgp router-id {{ router_id }}
</group>
<group name="users">
username {{ name }} {{ rest | ORPHRASE }}
</group>
<group name="line_vty">
line vty {{ first }} {{ last }}
 transport input {{ transport | ORPHRASE }}
 access-class {{ access_class }} in
</group>
"""


def _lines_of(lines: Sequence[str]) -> dict[str, int]:
    """Each distinct stripped line and the first line number it is on."""
    out: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        out.setdefault(line.strip(), number)
    return out


_HASH_TYPES = {"0": "cleartext", "4": "sha256-weak", "5": "md5", "7": "reversible",
               "8": "pbkdf2-sha256", "9": "scrypt"}
# ASA: the word after the hash
_ASA_HASH_TYPES = {"pbkdf2": "pbkdf2-sha512", "encrypted": "md5", "nt-encrypted": "md4"}


def _hash_type(statement: str) -> str:
    """How a password in a Cisco-like statement is kept (the value itself is already gone)."""
    asa = re.search(r"\bpassword <redacted>(?: (pbkdf2|encrypted|nt-encrypted))?\b", statement)
    if asa is not None and asa.group(1):
        return _ASA_HASH_TYPES[asa.group(1)]
    match = re.search(r"\b(secret|password)(?: ([0-9]{1,2}))? <redacted>", statement)
    if match is None:
        return "none"
    kind, digit = match.groups()
    if digit is None:
        return "md5" if kind == "secret" else "cleartext"
    return _HASH_TYPES.get(digit, f"type{digit}")


def _management(lines: Sequence[str]) -> dict[str, Any]:
    numbered = [(line, number) for number, line in enumerate(lines, 1)]

    def first(pattern: str) -> tuple[re.Match[str], int] | None:
        return first_match(numbered, pattern)

    def every(pattern: str) -> list[dict[str, Any]]:
        return every_match(numbered, pattern)

    out: dict[str, Any] = {}
    ssh = first(r"^(?:ip )?ssh version (\d)")
    out["ssh_version"] = {"value": int(ssh[0].group(1)), "line": ssh[1]} if ssh else None
    http = first(r"^(no )?ip http server\s*$")
    # ASA: `http server enable` is HTTPS management (ASDM); `telnet NET MASK IF` lets telnet in
    asdm = first(r"^http server enable\b")
    out["management_from"] = [
        {"protocol": m.group(1), "value": f"{m.group(2)}/{m.group(3)} {m.group(4)}", "line": n}
        for n, line in enumerate(lines, 1)
        if (m := re.match(r"^(ssh|telnet|http) (\S+) (\S+) (\S+)\s*$", line))]
    out["http_server"] = {"value": http is not None and not http[0].group(1),
                          "line": http[1] if http else None}
    https = first(r"^(no )?ip http secure-server\s*$")
    out["https_server"] = {"value": (https is not None and not https[0].group(1))
                           or asdm is not None,
                           "line": https[1] if https else asdm[1] if asdm else None}
    out["snmp_communities"] = [{"line": n} for n, line in enumerate(lines, 1)
                               if line.startswith("snmp-server community ")]
    out["snmp_v3_groups"] = every(r"^snmp-server group (\S+) v3\b")
    out["syslog_hosts"] = every(r"^logging (?:host )?(?:\S+ (?=\d))?"
                                r"(\d[\d.]*|[0-9a-fA-F:]+:[0-9a-fA-F:]*)\s*$")
    out["ntp_servers"] = every(r"^ntp server (?:vrf \S+ )?(\S+)")
    aaa = first(r"^aaa (?:new-model|authentication) ?")
    out["aaa"] = {"value": aaa is not None, "line": aaa[1] if aaa else None}
    banner = first(r"^banner (?:motd|login)\b")
    out["banner"] = {"value": banner is not None, "line": banner[1] if banner else None}
    enable = first(r"^enable (?:secret|password)\b.*")
    out["enable"] = {"hash": _hash_type(enable[0].group(0)), "line": enable[1]} \
        if enable else None
    return out


def parse_cisco_like(vendor: str, redacted: Redacted) -> dict[str, Any]:
    # TTP: only when a configuration is parsed
    from ttp import ttp

    lines = redacted.lines
    at = _lines_of(lines)
    parser = ttp(data="\n".join(lines) + "\n", template=_IOS_TEMPLATE)
    parser.parse()
    raw = parser.result()[0][0]
    raw = raw if isinstance(raw, dict) else {}
    interfaces = []
    for item in as_list(raw.get("interfaces")):
        # (address key, mask key): dotted-mask, CIDR (FRR), secondary, IPv6
        written = [(item.get(a), item.get(m) if m else None) for a, m in (
            ("address", "mask"), ("address_cidr", None),
            ("address_secondary", "mask_secondary"), ("address6", None))]
        addresses = [a for a in (interface_address(address, mask)
                                 for address, mask in written if address) if a]
        interfaces.append({"name": item["name"], "line": at.get(f"interface {item['name']}"),
                           "description": item.get("description"), "addresses": addresses,
                           "shutdown": bool(item.get("shutdown")),
                           "acl_in": item.get("acl_in"), "acl_out": item.get("acl_out"),
                           "nameif": item.get("nameif"),
                           "security_level": optional_int(
                               item.get("security_level"), "security-level", 100,
                               at.get(f"interface {item['name']}"))})
    # ASA binds an access list to an interface by its nameif
    for line in lines:
        bound = _ACCESS_GROUP.match(line) if line.startswith("access-group ") else None
        for interface in interfaces if bound else ():
            if bound and interface["nameif"] == bound.group(3):
                interface[f"acl_{bound.group(2)}"] = bound.group(1)
    bgp = None
    for item in as_list(raw.get("bgp"))[:1]:
        neighbours = []
        for line in lines:
            match = _NEIGHBOR.match(line) if "remote-as" in line else None
            if match:
                neighbours.append({"address": match.group(1), "remote_as": asn(
                    match.group(2), "remote-as", at.get(line.strip())),
                                   "line": at.get(line.strip())})
        networks = []
        for line in lines:
            match = _NETWORK.match(line) if " network " in line else None
            if match:
                prefix = network_prefix(match.group(1), match.group(2))
                if prefix:
                    networks.append({"prefix": prefix, "line": at.get(line.strip())})
        local_as = item.get("local_as")
        where = at.get(f"router bgp {local_as}")
        bgp = {"local_as": optional_int(local_as, "router bgp", MAX_ASN, where), "line": where,
               "neighbors": neighbours, "networks": networks}
    users = [{"name": u["name"], "hash": _hash_type(f"{u['name']} {u.get('rest', '')}"),
              "line": at.get(f"username {u['name']} {u.get('rest', '')}".strip())}
             for u in as_list(raw.get("users"))]
    vty = []
    for item in as_list(raw.get("line_vty")):
        span = f"{item['first']} {item['last']}"
        start = at.get(f"line vty {span}")
        vty.append({"lines": span, "line": start,
                    "transport": (item.get("transport") or "").split(),
                    "transport_line": _in_block(lines, start, " transport input "),
                    "access_class": item.get("access_class")})
    hostname = as_list(raw.get("hostname"))
    return {"hostname": hostname[0]["value"] if hostname else None, "interfaces": interfaces,
            "bgp": bgp, "users": users, "vty": vty, "acl_permit_any": _permit_any(lines),
            "zones": [], "policies": [],
            "management": _management(lines)}


def _in_block(lines: Sequence[str], start: int | None, prefix: str) -> int | None:
    """The line number of the first statement starting with `prefix` in the indented block
    that begins on line `start` (1-based)."""
    if start is None:
        return None
    for number in range(start, min(len(lines), start + 500)):
        line = lines[number]
        if not line.startswith(" "):
            return None
        if line.startswith(prefix):
            return number + 1
    return None


_ACCESS_GROUP = re.compile(r"^access-group (\S+) (in|out) interface (\S+)\s*$")
_NEIGHBOR = re.compile(r"^\s*neighbor (\S+) remote-as (\d+)\s*$")
_NETWORK = re.compile(r"^\s+network (\S+)(?: mask (\S+))?\s*(?:route-map \S+)?$")
_ACL_BLOCK = re.compile(r"^ip access-list extended (\S+)")
_ACL_FLAT = re.compile(r"^access-list (\S+) extended permit ip any4? any4?\b")
_ACL_ANY = re.compile(r"^\s+(?:\d+ )?permit ip any any\b")


def _permit_any(lines: Sequence[str]) -> list[dict[str, Any]]:
    """Access-list entries that let any address reach any address on any protocol."""
    out: list[dict[str, Any]] = []
    current = None
    for number, line in enumerate(lines, 1):
        block = _ACL_BLOCK.match(line) if line.startswith("ip access-list") else None
        if block:
            current = block.group(1)
            continue
        if not line.startswith(" "):
            current = None
        flat = _ACL_FLAT.match(line) if line.startswith("access-list") else None
        if flat:
            out.append({"acl": flat.group(1), "line": number})
        elif current and "permit ip any any" in line and _ACL_ANY.match(line):
            out.append({"acl": current, "line": number})
    return out


def parse_ios(lines: list[str], interfaces: str = "") -> tuple[Redacted, dict[str, Any]]:
    redacted = redact_cisco_like(lines, asa=False)
    return redacted, parse_cisco_like("cisco_ios", redacted)


def parse_asa(lines: list[str], interfaces: str = "") -> tuple[Redacted, dict[str, Any]]:
    redacted = redact_cisco_like(lines, asa=True)
    return redacted, parse_cisco_like("cisco_asa", redacted)


def parse_frr(lines: list[str], interfaces: str = "") -> tuple[Redacted, dict[str, Any]]:
    redacted = redact_cisco_like(lines, asa=False)
    return redacted, parse_cisco_like("frr", redacted)


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] \
        if isinstance(value, list) else []


def _interfaces(facts: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [i for i in _list(facts.get("interfaces"))
            if not i.get("shutdown") and not i.get("acl_in")]


def ios_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Management over the vty lines, each guarded by an access-class (or taking no input);
    a routed interface without an inbound access list passes what it routes."""
    vty = _list(facts.get("vty"))
    access: list[dict[str, Any]] = [
        {"line": line.get("line"), "what": f"line vty {line.get('lines')}",
         "restricted": bool(line.get("access_class")) or line.get("transport") == ["none"],
         "sources": []} for line in vty]
    if not vty:  # no vty section: the defaults, which take any source
        access = [{"line": None, "what": "line vty (access-class: -)", "restricted": False,
                   "sources": []}]
    return {"management_access": access, "passes_without_rule": _routed(facts)}


def _routed(facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"line": i.get("line"), "what": str(i.get("name")), "when": "in_firewalled_zone",
             "addresses": list(i.get("addresses") or [])} for i in _interfaces(facts)]


def asa_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """ASA: `http` lines are ASDM (HTTPS only); management (ssh, http, telnet) is allowed from
    the networks each line names; an interface above security level 0 without an inbound
    access-group lets traffic reach every lower level."""
    access = []
    for entry in _list(as_mapping(facts.get("management")).get("management_from")):
        prefix = asa_network(str(entry.get("value", "")))
        access.append({"line": entry.get("line"),
                       "what": f"{entry.get('protocol')} {entry.get('value')}",
                       "restricted": False, "sources": [prefix] if prefix else []})
    passes = []
    for interface in _interfaces(facts):
        level = interface.get("security_level")
        if interface.get("nameif") and isinstance(level, int) and level > 0:
            passes.append({"line": interface.get("line"),
                           "what": f"{interface.get('nameif')} (security-level {level})",
                           "when": "always", "addresses": list(interface.get("addresses") or [])})
    return {"plain_http": plain_http(facts, from_networks=False), "management_access": access,
            "passes_without_rule": passes}


def asa_network(value: str) -> str | None:
    """`10.50.90.0/255.255.255.0 inside` (an ASA management line) -> '10.50.90.0/24'; None
    when it is not an IPv4 network (host bits set, no mask)."""
    network, _, _ = value.partition(" ")
    address, _, mask = network.partition("/")
    try:
        mask_net = parse_addr(mask)
    except ValueError:
        return None
    if mask_net.version != 4:
        return None
    prefix = f"{address}/{bin(mask_net.first).count('1')}"
    try:
        parse_net(prefix)
    except ValueError:
        return None
    return prefix


def frr_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """FRRouting runs on a Linux host, which is managed (and judged) as a host."""
    return {"managed_through_host": True, "passes_without_rule": _routed(facts)}

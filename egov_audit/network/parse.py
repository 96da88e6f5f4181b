"""Device configurations (backups an agency keeps, or a running configuration collected live)
to the normalised network facts: one adapter per vendor family, each a TTP template (the text
parser made for network configurations: MIT, no dependency; compared with hier_config and
ciscoconfparse2 in the commit that chose it) plus a little normalisation. Secrets are removed
(redact.py) before the template sees the text. Every fact keeps the line it came from, so a
gap can name `file:line`.

Vendors: Cisco IOS/IOS-XE, FRRouting and Cisco ASA (one syntax family; ASA adds interface
names and security levels, access groups bound by name, management access lines), and FortiOS
(fortios.py: zones, policies, per-interface management access), and Juniper Junos (junos.py:
brace or set format)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..errors import Message, UsageError
from .common import (
    MAX_ASN,
    as_list,
    asn,
    every_match,
    first_match,
    interface_address,
    network_prefix,
    optional_int,
)
from .redact import Redacted, redact_cisco_like

NETWORK_FACT_BUNDLE = "egov-audit/network-fact-bundle@1"
MAX_LINES = 200_000

# what each vendor family's configuration starts with or holds near the top
SIGNATURES: Sequence[tuple[str, re.Pattern[str]]] = [
    ("frr", re.compile(r"^(?:frr version|frr defaults)\b", re.M)),
    ("cisco_asa", re.compile(r"^(?::\s*)?ASA Version\b", re.M)),
    ("fortios", re.compile(r"^#config-version=|^config system global\b", re.M)),
    ("junos", re.compile(r"^(?:## Last commit|set version |version \d+\.\S+;)", re.M)),
    ("nftables", re.compile(r"^table (?:inet|ip|ip6|bridge|netdev|arp) \S+ \{", re.M)),
    ("cisco_ios", re.compile(r"^(?:version \d+\.\d+|hostname \S+|interface (?:Gigabit|Fast|Ten|"
                             r"Ethernet|Loopback|Vlan|Port-channel)\S*)", re.M)),
]

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


def detect_vendor(text: str) -> str | None:
    head = text[:20000]
    for vendor, signature in SIGNATURES:
        if signature.search(head):
            return vendor
    return None


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


def parse_config(text: str, display: str, interfaces: str = "") -> dict[str, Any]:
    """The normalised facts of one configuration, with its vendor and how many secrets were
    removed. Unknown or not yet supported vendors are a clear error, never a guess."""
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise UsageError(Message("more than {limit:,} lines: refused", limit=MAX_LINES),
                         file=display)
    vendor = detect_vendor(text)
    if vendor is None:
        raise UsageError(Message("cannot tell which vendor's configuration this is"),
                         file=display)
    try:
        return _parse_vendor(vendor, lines, interfaces)
    except UsageError as exc:
        if exc.file is None:  # a vendor parser knows the line, not the file
            raise UsageError(exc.message, file=display, line=exc.line) from None
        raise


def _parse_vendor(vendor: str, lines: list[str], interfaces: str) -> dict[str, Any]:
    if vendor == "fortios":
        from .fortios import parse_fortios, redact_fortios

        redacted = redact_fortios(lines)
        facts = parse_fortios(redacted)
    elif vendor == "nftables":
        from .nftables import parse_nftables, redact_nftables

        redacted = redact_nftables(lines)
        facts = parse_nftables(redacted, interfaces)
    elif vendor == "junos":
        from .junos import parse_junos, redact_junos

        redacted = redact_junos(lines)
        facts = parse_junos(redacted)
    else:
        redacted = redact_cisco_like(lines, asa=vendor == "cisco_asa")
        facts = parse_cisco_like(vendor, redacted)
    return {"vendor": vendor, "redacted": redacted.count, "lines": len(lines), "facts": facts}


def network_fact_bundle(device: str, raw: bytes, display: str, collected_at: str,
                        kind: str = "backup", interfaces: str = "") -> dict[str, Any]:
    """One device's network fact bundle (`egov-audit schema network-fact-bundle`), from the
    bytes of its configuration: the digest is of the file as read, everything else comes from
    the text after its secrets were removed."""
    import hashlib

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(Message("not valid UTF-8 (byte {start})", start=exc.start),
                         file=display) from None
    parsed = parse_config(text, display, interfaces)
    return {"schema": NETWORK_FACT_BUNDLE, "device": device, "status": "collected",
            "collected_at": collected_at,
            "source": {"kind": kind, "file": display, "sha256": hashlib.sha256(raw).hexdigest(),
                       "lines": parsed["lines"]},
            "vendor": parsed["vendor"], "redacted": parsed["redacted"], "facts": parsed["facts"]}


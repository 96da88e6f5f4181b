"""Juniper Junos configurations to the normalised network facts. A backup is in the brace
format (`show configuration`) or in set commands (`| display set`); the brace format is first
flattened to set commands, each keeping the line it came from, and a TTP template reads the set
commands (one statement per line, the form TTP reads best).

Secrets go first: Junos marks them itself (`## SECRET-DATA`), and SNMP community names,
authentication keys, pre-shared keys and RADIUS/TACACS+ secrets are removed whether marked or
not."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

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
)
from .redact import REDACTED, Redacted

_SECRET = re.compile(r'^(.*?\b(?:encrypted-password|authentication-key|secret|simple-password|'
                     r'ascii-text|hexadecimal|key|md5 \d+ key|community))\s+("[^"]*"|\S+)(.*)$')
_SET_SNMP_COMMUNITY = re.compile(r"^(set snmp community) (\S+)(.*)$")

_TEMPLATE = """
<group name="hostname">
set system host-name {{ value }}
</group>
<group name="addresses">
set interfaces {{ interface }} unit {{ unit }} family {{ family }} address {{ address }}
</group>
<group name="users">
set system login user {{ name }} authentication encrypted-password {{ hash | ORPHRASE }}
</group>
<group name="root">
set system root-authentication encrypted-password {{ hash | ORPHRASE }}
</group>
<group name="zones">
set security zones security-zone {{ zone }} interfaces {{ interface }}
</group>
<group name="policies">
set security policies from-zone {{ from_zone }} to-zone {{ to_zone }} policy {{ name }} {{ rest | \
ORPHRASE }}
</group>
<group name="local_as">
set routing-options autonomous-system {{ value }}
</group>
<group name="neighbors">
set protocols bgp group {{ group }} neighbor {{ address }} peer-as {{ remote_as }}
</group>
"""


def redact_junos(lines: Sequence[str]) -> Redacted:
    """SNMP community names become <redacted-1>, <redacted-2>, ...: still told apart (how many
    communities there are), never shown."""
    out: list[str] = []
    count = 0
    in_snmp = False
    communities: dict[str, int] = {}
    for line in lines:
        stripped = line.strip()
        if re.match(r"^snmp\s*\{", stripped):
            in_snmp = True
        elif in_snmp and line.startswith("}"):
            in_snmp = False
        community = _SET_SNMP_COMMUNITY.match(stripped) or (
            re.match(r"^(community) (\S+)(.*)$", stripped) if in_snmp else None)
        if community:
            name = community.group(2).strip('"')
            token = f"<redacted-{communities.setdefault(name, len(communities) + 1)}>"
            out.append(line[: line.index("community")] + f"community {token}"
                       + community.group(3))
            count += 1
            continue
        secret = _SECRET.match(line)
        if secret or "## SECRET-DATA" in line:
            if secret:
                tail = ";" if secret.group(2).endswith(";") or secret.group(3).startswith(
                    ";") else ""
                # a crypt(3) hash says how it was made ($1$ MD5, $5$ SHA-256, $6$ SHA-512)
                scheme = re.match(r'"?(\$(?:1|5|6)\$)', secret.group(2))
                kept = scheme.group(1) if scheme else ""
                out.append(f"{secret.group(1)} {kept}{REDACTED}{tail}")
            else:
                out.append(re.sub(r'"[^"]*"', f'"{REDACTED}"', line))
            count += 1
            continue
        out.append(line)
    return Redacted(tuple(out), count)


def flatten(lines: Sequence[str]) -> list[tuple[str, int]]:
    """Brace format to set commands, each with its source line: `system { host-name r1; }`
    -> ("set system host-name r1", 1). Set-format input passes through."""
    out: list[tuple[str, int]] = []
    path: list[str] = []
    words: list[str] = []
    for number, line in enumerate(lines, 1):
        text = re.sub(r"##.*$|/\*.*?\*/", "", line)
        if text.lstrip().startswith("#"):
            continue
        if text.strip().startswith("set "):
            out.append((" ".join(text.split()), number))
            continue
        for token in re.findall(r'"[^"]*"|[{};]|[^\s{};"]+', text):
            if token == "{":
                path.append(" ".join(words))
                words = []
            elif token == "}":
                if path:
                    path.pop()
                words = []
            elif token == ";":
                statement = " ".join([*path, *words]).strip()
                if statement:
                    out.append((f"set {statement}", number))
                words = []
            else:
                words.append(token.strip('"'))
    return out


def parse_junos(redacted: Redacted) -> dict[str, Any]:
    # TTP: only when a configuration is parsed
    from ttp import ttp

    statements = flatten(redacted.lines)
    at: dict[str, int] = {}
    for statement, number in statements:
        at.setdefault(statement, number)
    parser = ttp(data="\n".join(s for s, _ in statements) + "\n", template=_TEMPLATE)
    parser.parse()
    raw = parser.result()[0][0]
    raw = raw if isinstance(raw, dict) else {}

    def line_of(prefix: str) -> int | None:
        return next((n for s, n in statements if s.startswith(prefix)), None)

    interfaces: dict[str, dict[str, Any]] = {}
    for item in as_list(raw.get("addresses")):
        name = f"{item['interface']}.{item['unit']}"
        entry = interfaces.setdefault(name, {
            "name": name, "line": line_of(f"set interfaces {item['interface']} unit "
                                          f"{item['unit']}"),
            "description": None, "addresses": [], "shutdown": False, "acl_in": None,
            "acl_out": None, "nameif": None, "security_level": None})
        address = interface_address(item["address"])
        if address:
            entry["addresses"].append(address)
    for statement, _number in statements:
        disabled = re.match(r"^set interfaces (\S+) (?:unit (\d+) )?disable$", statement)
        for name, entry in interfaces.items() if disabled else ():
            physical, _, unit = name.partition(".")
            if disabled and physical == disabled.group(1) and disabled.group(2) in (None, unit):
                entry["shutdown"] = True
    zones: dict[str, dict[str, Any]] = {}
    for item in as_list(raw.get("zones")):
        zone = zones.setdefault(item["zone"], {
            "name": item["zone"], "interfaces": [],
            "line": line_of(f"set security zones security-zone {item['zone']}")})
        zone["interfaces"].append(item["interface"])
    policies: dict[tuple[str, str, str], dict[str, Any]] = {}
    for item in as_list(raw.get("policies")):
        key = (item["from_zone"], item["to_zone"], item["name"])
        policy = policies.setdefault(key, {
            "id": item["name"], "from": [item["from_zone"]], "to": [item["to_zone"]],
            "source": [], "destination": [], "service": [], "action": "deny",
            "line": line_of(f"set security policies from-zone {key[0]} to-zone {key[1]} "
                            f"policy {key[2]}")})
        rest = item.get("rest", "")
        for field, word in (("source", "source-address"), ("destination", "destination-address"),
                            ("service", "application")):
            match = re.match(rf"match {word} (\S+)", rest)
            if match:
                policy[field].append(match.group(1))
        action = re.match(r"then (permit|deny|reject)\b", rest)
        if action:
            policy["action"] = action.group(1)
    local_as = as_list(raw.get("local_as"))
    neighbors = []
    for n in as_list(raw.get("neighbors")):
        line = line_of(f"set protocols bgp group {n['group']} neighbor {n['address']}")
        neighbors.append({"address": n["address"],
                          "remote_as": asn(str(n["remote_as"]), "peer-as", line), "line": line})
    bgp = None
    if local_as or neighbors:
        line = line_of("set routing-options autonomous-system")
        bgp = {"local_as": optional_int(local_as[0]["value"] if local_as else None,
                                        "autonomous-system", MAX_ASN, line),
               "line": line,
               "neighbors": neighbors, "networks": _networks(statements)}
    users = [{"name": u["name"], "hash": _hash(u.get("hash", "")),
              "line": line_of(f"set system login user {u['name']}")}
             for u in as_list(raw.get("users"))]
    users += [{"name": "root", "hash": _hash(r.get("hash", "")),
               "line": line_of("set system root-authentication")}
              for r in as_list(raw.get("root"))[:1]]
    hostname = as_list(raw.get("hostname"))
    policy_list = list(policies.values())
    return {"hostname": hostname[0]["value"] if hostname else None,
            "interfaces": list(interfaces.values()), "zones": list(zones.values()),
            "policies": policy_list, "users": users, "bgp": bgp, "vty": [],
            "acl_permit_any": [{"acl": f"policy {p['id']}", "line": p["line"]}
                               for p in policy_list if p["action"] == "permit"
                               and p["source"] == ["any"] and p["destination"] == ["any"]
                               and p["service"] == ["any"]],
            "management": _management(statements)}


_CRYPT = {"$1$": "md5", "$5$": "sha256", "$6$": "sha512"}


def _hash(value: str) -> str:
    """How a Junos password is kept, from the crypt(3) prefix redaction left."""
    if not value:
        return "none"
    return next((kind for prefix, kind in _CRYPT.items() if value.startswith(prefix)),
                "unknown")


def _networks(statements: Sequence[tuple[str, int]]) -> list[dict[str, Any]]:
    """What BGP announces: the prefixes of the policies it exports (route-filter ... exact)."""
    out = []
    for statement, number in statements:
        match = re.match(r"^set policy-options policy-statement \S+ term \S+ from route-filter "
                         r"(\S+) exact", statement)
        prefix = network_prefix(match.group(1)) if match else None
        if prefix:
            out.append({"prefix": prefix, "line": number})
    return out


def _management(statements: Sequence[tuple[str, int]]) -> dict[str, Any]:
    def first(pattern: str) -> tuple[re.Match[str], int] | None:
        return first_match(statements, pattern)

    def every(pattern: str) -> list[dict[str, Any]]:
        return every_match(statements, pattern)

    ssh = first(r"^set system services ssh protocol-version v(\d)")
    http = first(r"^set system services web-management http\b")
    https = first(r"^set system services web-management https\b")
    telnet = first(r"^set system services telnet\b")
    aaa = first(r"^set system (?:radius-server|tacplus-server) ")
    banner = first(r"^set system login message ")
    # Junos limits who reaches the routing engine with a filter on the loopback interface
    guard = first(r"^set interfaces lo0 unit \d+ family inet6? filter input (\S+)")
    return {
        "ssh_version": {"value": int(ssh[0].group(1)), "line": ssh[1]} if ssh else None,
        "http_server": {"value": http is not None, "line": http[1] if http else None},
        "https_server": {"value": https is not None, "line": https[1] if https else None},
        "management_from": [{"protocol": "telnet", "value": "any", "line": telnet[1]}]
        if telnet else [],
        "snmp_communities": [{"line": n} for n in _first_lines(
            statements, r"^set snmp community (<redacted-\d+>)")],
        "snmp_v3_groups": every(r"^set snmp v3 vacm security-to-group security-model usm "
                                r"security-name (\S+)"),
        "syslog_hosts": _unique(every(r"^set system syslog host (\S+)")),
        "ntp_servers": _unique(every(r"^set system ntp server (\S+)")),
        "aaa": {"value": aaa is not None, "line": aaa[1] if aaa else None},
        "banner": {"value": banner is not None, "line": banner[1] if banner else None},
        "enable": None,
        "loopback_filter": {"value": guard is not None, "line": guard[1] if guard else None},
    }


def _first_lines(statements: Sequence[tuple[str, int]], pattern: str) -> list[int]:
    """The first line of each distinct thing `pattern` names (one community, several lines)."""
    seen: dict[str, int] = {}
    for statement, number in statements:
        match = re.match(pattern, statement)
        if match:
            seen.setdefault(match.group(1), number)
    return list(seen.values())


def _unique(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for item in found:
        if item["value"] not in seen:
            seen.add(item["value"])
            out.append(item)
    return out


def neutral_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Junos in the terms every vendor shares (network/facts.py): SSH version 2 only unless
    told otherwise; the routing engine is reached through lo0, guarded by its input filter;
    forwarding decided by security policies alone."""
    management = as_mapping(facts.get("management"))
    guard = management.get("loopback_filter")
    restricted = isinstance(guard, Mapping) and bool(guard.get("value"))
    return {"ssh_v2_only_by_default": True,
            "management_access": [{"line": None, "what": "lo0 (filter input: -)",
                                   "restricted": restricted, "sources": []}]}


def parse(lines: list[str], interfaces: str = "") -> tuple[Redacted, dict[str, Any]]:
    """A configuration's lines to its facts, its secrets removed first."""
    redacted = redact_junos(lines)
    return redacted, parse_junos(redacted)

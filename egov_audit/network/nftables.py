"""A Linux firewall (nftables) to network facts: the forward hook's default policy and rules as
inter-zone policies, and the interfaces with their addresses (`ip -o address show`, collected
live beside the ruleset; a ruleset backup alone has none). `nft list ruleset` prints one
statement a line, so each rule keeps its line. A ruleset holds no password: nothing to redact."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .common import as_mapping, interface_address
from .redact import Redacted

_TABLE = re.compile(r"^table (?:inet|ip|ip6|bridge|netdev|arp) (\S+) \{")
_CHAIN = re.compile(r"^\s*chain (\S+) \{")
_HOOK = re.compile(r"type filter hook (\w+) priority [^;]+;(?:\s*policy (accept|drop);)?")
_IFNAME = re.compile(r'\b(iifname|oifname|iif|oif) (?:!= )?(\{[^}]*\}|"[^"]*"|\S+)')
_ADDR = re.compile(r"\bip6? (saddr|daddr) (?:!= )?(\{[^}]*\}|\S+)")
_PORT = re.compile(r"\b(?:tcp|udp|sctp|th) dport (?:!= )?(\{[^}]*\}|\S+)")
_PROTO = re.compile(r"\b(?:meta l4proto|ip protocol|ip6 nexthdr) (\{[^}]*\}|\S+)|^(?:icmp|icmpv6) ")
_IP_ADDR = re.compile(r"^\d+:\s+(\S+)\s+inet6? (\S+)")


def _values(text: str) -> list[str]:
    return [v.strip().strip('"') for v in text.strip("{} ").split(",") if v.strip()]


def _rule(statement: str, number: int, index: int) -> dict[str, Any] | None:
    """An accept or drop rule of the forward hook as a policy: from/to interfaces, sources,
    destinations, services (`any` where the rule does not restrict)."""
    words = statement.split()
    action = next((w for w in reversed(words) if w in ("accept", "drop", "reject")), None)
    if action is None:
        return None
    interfaces: dict[str, list[str]] = {"from": [], "to": []}
    for kind, value in _IFNAME.findall(statement):
        interfaces["from" if kind.startswith("i") else "to"] += _values(value)
    addresses: dict[str, list[str]] = {"saddr": [], "daddr": []}
    for kind, value in _ADDR.findall(statement):
        addresses[kind] += _values(value)
    services = [v for value in _PORT.findall(statement) for v in _values(value)]
    protocols = _PROTO.search(statement)
    stateful = "ct state" in statement
    return {"id": f"forward #{index}", "from": interfaces["from"] or ["any"],
            "to": interfaces["to"] or ["any"], "source": addresses["saddr"] or ["any"],
            "destination": addresses["daddr"] or ["any"],
            "service": services or (["ct state"] if stateful else
                                    ["protocol"] if protocols else ["any"]),
            "action": "accept" if action == "accept" else "deny", "line": number}


def parse_interfaces(output: str) -> list[dict[str, Any]]:
    """`ip -o address show`: one line per address."""
    found: dict[str, dict[str, Any]] = {}
    for line in output.splitlines():
        match = _IP_ADDR.match(line.strip())
        if not match:
            continue
        name, address = match.groups()
        if name == "lo":
            continue
        name = name.split("@")[0]
        entry = found.setdefault(name, {"name": name, "line": None, "description": None,
                                        "addresses": [], "shutdown": False, "acl_in": None,
                                        "acl_out": None, "nameif": None,
                                        "security_level": None})
        normal = interface_address(address)
        if normal and not normal.startswith("fe80:"):
            entry["addresses"].append(normal)
    return list(found.values())


def parse_nftables(redacted: Redacted, interfaces: str = "") -> dict[str, Any]:
    policies: list[dict[str, Any]] = []
    forward: dict[str, Any] = {"value": None, "line": None}
    hook = None
    for number, line in enumerate(redacted.lines, 1):
        stripped = line.strip()
        if _CHAIN.match(line):
            hook = None
            continue
        found = _HOOK.search(stripped)
        if found:
            hook = found.group(1)
            if hook == "forward":
                forward = {"value": found.group(2) or "accept", "line": number}
            continue
        if hook == "forward" and stripped and stripped not in ("}",):
            rule = _rule(stripped, number, len(policies) + 1)
            if rule is not None:
                policies.append(rule)
    permit_any = [{"acl": p["id"], "line": p["line"]} for p in policies
                  if p["action"] == "accept" and p["to"] == ["any"]
                  and p["source"] == p["destination"] == p["service"] == ["any"]]
    return {"hostname": None, "interfaces": parse_interfaces(interfaces), "bgp": None,
            "users": [], "vty": [], "acl_permit_any": permit_any, "zones": [],
            "policies": policies, "forward_policy": forward,
            "management": {"ssh_version": None, "management_from": [],
                           "http_server": {"value": False, "line": None},
                           "https_server": {"value": False, "line": None},
                           "snmp_communities": [], "snmp_v3_groups": [], "syslog_hosts": [],
                           "ntp_servers": [], "aaa": {"value": False, "line": None},
                           "banner": {"value": False, "line": None}, "enable": None}}


def redact_nftables(lines: Sequence[str]) -> Redacted:
    return Redacted(tuple(lines), 0)


def neutral_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """An nftables firewall in the terms every vendor shares (network/facts.py): managed
    through its Linux host, no accounts in a ruleset, forwarded traffic decided by the forward
    hook's policy (no forward hook: nothing is filtered)."""
    forward = as_mapping(facts.get("forward_policy"))
    return {"managed_through_host": True, "keeps_accounts": False,
            "forwarding_default": {"value": forward.get("value"), "line": forward.get("line")}}


def parse(lines: list[str], interfaces: str = "") -> tuple[Redacted, dict[str, Any]]:
    """A configuration's lines to its facts, its secrets removed first."""
    redacted = redact_nftables(lines)
    return redacted, parse_nftables(redacted, interfaces)

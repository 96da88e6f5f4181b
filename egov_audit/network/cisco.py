"""The Cisco-like family (Cisco IOS, Cisco ASA, FRRouting), parsed by parse.py, in the terms
every vendor shares (network/facts.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..ipnet import parse_addr, parse_net
from .common import as_mapping, plain_http


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

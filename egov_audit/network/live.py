"""A router's or firewall's configuration and routing state collected live (network_cli), to
a network fact bundle: the show commands each platform answers, and the BGP session states.
The raw output lives only in the controller's memory: secrets are removed (parse.py) before
anything is kept, logged or returned."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..gates.jsonin import StrictJsonError, loads
from .parse import network_fact_bundle

# ansible_network_os (its last part) -> what to ask: read-only show commands only
LIVE_COMMANDS: Mapping[str, Mapping[str, str]] = {
    "frr": {"config": "show running-config", "bgp": "show bgp summary json"},
    "ios": {"config": "show running-config", "bgp": "show ip bgp summary"},
    "junos": {"config": "show configuration | display set"},
    # a Linux firewall over plain SSH (not network_cli): its ruleset and its addresses
    "nftables": {"config": "nft list ruleset", "interfaces": "ip -o address show"},
}


def commands_for(network_os: Any) -> Mapping[str, str] | None:
    """The commands for a device's ansible_network_os (`egov.audit.frr`, `cisco.ios.ios`,
    `ios`); None: not collected live (give its backups instead)."""
    if not isinstance(network_os, str) or not network_os:
        return None
    return LIVE_COMMANDS.get(network_os.rsplit(".", 1)[-1])


_IOS_SUMMARY = re.compile(r"^(\S+)\s+4\s+(\d+)\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\S+\s+(\S+)\s*$")


def bgp_states(output: str | None) -> dict[str, str]:
    """Neighbour address -> session state, from FRR's `show bgp summary json` or the table of
    Cisco's `show ip bgp summary` (a number of received prefixes there means Established)."""
    if not output:
        return {}
    text = output.strip()
    if text.startswith("{"):
        try:  # what a device prints is untrusted: the strict reader, bounded
            data = loads(text[:4_000_000])
        except StrictJsonError:
            return {}
        out: dict[str, str] = {}
        families = data.values() if isinstance(data, dict) else []
        for family in families:
            peers = family.get("peers") if isinstance(family, dict) else None
            for address, peer in (peers or {}).items():
                if isinstance(peer, dict) and isinstance(peer.get("state"), str):
                    out.setdefault(str(address), peer["state"][:40])
        return out
    states = {}
    for line in text.splitlines():
        match = _IOS_SUMMARY.match(line)
        if match:
            address, _, state = match.groups()
            states[address] = "Established" if state.isdigit() else state[:40]
    return states


def live_bundle(device: str, outputs: Mapping[str, str], collected_at: str) -> dict[str, Any]:
    """The network fact bundle of one device collected live."""
    config = outputs["config"]
    bundle = network_fact_bundle(device, config.encode("utf-8"), f"{device} (running-config)",
                                 collected_at, kind="live",
                                 interfaces=outputs.get("interfaces", ""))
    states = bgp_states(outputs.get("bgp"))
    bgp = bundle["facts"].get("bgp")
    if isinstance(bgp, dict):
        for neighbour in bgp.get("neighbors") or []:
            neighbour["state"] = states.get(neighbour["address"], "unknown")
    return bundle

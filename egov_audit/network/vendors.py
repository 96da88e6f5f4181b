"""The device vendors egov-audit reads, in one list, each in its own module: how its
configuration is recognised, how it is read (secrets removed first), and what its facts mean in
the terms every vendor shares (network/facts.py). A next vendor is its module, one entry here,
its sample configurations and their control cases (CONTRIBUTING.md, "Add a device vendor")."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import cisco, fortios, junos, nftables
from .redact import Redacted


@dataclass(frozen=True)
class Vendor:
    name: str
    # what its configuration starts with or holds near the top (the first 20,000 characters)
    signature: re.Pattern[str]
    # a configuration's lines (and, for a host firewall, its interface listing) to the secrets
    # removed and the normalised facts
    parse: Callable[[list[str], str], tuple[Redacted, dict[str, Any]]]
    # what its facts mean for the checks (network/facts.py)
    meaning: Callable[[Mapping[str, Any]], dict[str, Any]]


# in the order configurations are told apart: FRR and ASA before IOS, whose signature is loose
VENDORS: tuple[Vendor, ...] = (
    Vendor("frr", re.compile(r"^(?:frr version|frr defaults)\b", re.M),
           cisco.parse_frr, cisco.frr_facts),
    Vendor("cisco_asa", re.compile(r"^(?::\s*)?ASA Version\b", re.M),
           cisco.parse_asa, cisco.asa_facts),
    Vendor("fortios", re.compile(r"^#config-version=|^config system global\b", re.M),
           fortios.parse, fortios.neutral_facts),
    Vendor("junos", re.compile(r"^(?:## Last commit|set version |version \d+\.\S+;)", re.M),
           junos.parse, junos.neutral_facts),
    Vendor("nftables", re.compile(r"^table (?:inet|ip|ip6|bridge|netdev|arp) \S+ \{", re.M),
           nftables.parse, nftables.neutral_facts),
    Vendor("cisco_ios", re.compile(r"^(?:version \d+\.\d+|hostname \S+|interface (?:Gigabit|Fast|"
                                   r"Ten|Ethernet|Loopback|Vlan|Port-channel)\S*)", re.M),
           cisco.parse_ios, cisco.ios_facts),
)

VENDORS_BY_NAME: Mapping[str, Vendor] = {vendor.name: vendor for vendor in VENDORS}

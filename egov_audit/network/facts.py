"""The vendor-neutral device facts the checks read. Each vendor's parser (vendors.py lists
them: cisco.py for the Cisco-like family, fortios.py, junos.py, nftables.py) writes its
configuration's facts; the vendor's adapter then says, once, what they mean in terms every
vendor shares, so that no check names a vendor:

- `managed_through_host`: the device is managed through its Linux host (FRRouting, an nftables
  firewall): SSH, logging and time are the host controls' to judge;
- `keeps_accounts`: the configuration can hold accounts and passwords (a ruleset cannot);
- `ssh_v2_only_by_default`: the device's OS speaks SSH version 2 only unless told otherwise;
- `plain_http`: what serves management over unencrypted HTTP, `{line, what}` each;
- `management_access`: each way in for management, `{line, what, restricted, sources}`:
  `restricted` when a filter guards it (an access-class, a loopback filter), else `sources`, the
  networks it is reachable from (prefixes), all of which must lie in the management zone;
- `forwarding_default`: for a device that decides forwarded traffic by one default,
  `{value: drop|accept|None, line}` (None: a device that has no such default);
- `passes_without_rule`: interfaces that let traffic through without a rule, `{line, what,
  when, addresses}`, `when` being `always` or `in_firewalled_zone` (a router's interface in a
  zone the plan separates by firewall).

They are computed when evidence is read (network/evidence.py), from backups and live bundles
alike, so that evidence saved by an earlier version is judged the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import vendors
from .common import plain_http


def neutral_facts(vendor: Any, facts: Mapping[str, Any]) -> dict[str, Any]:
    """What a device's facts mean for the checks (an unknown vendor: nothing is assumed)."""
    known = vendors.VENDORS_BY_NAME.get(str(vendor))
    base: dict[str, Any] = {"managed_through_host": False, "keeps_accounts": True,
                            "ssh_v2_only_by_default": False, "plain_http": plain_http(facts),
                            "management_access": [], "forwarding_default": None,
                            "passes_without_rule": []}
    return {**base, **(known.meaning(facts) if known is not None else {})}

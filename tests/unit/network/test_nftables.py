"""A Linux firewall's nftables ruleset as network facts: the forward hook's policy and rules,
any-to-any rules found with their lines, the interfaces from `ip -o address show`."""

from __future__ import annotations

from typing import Any

from egov_audit import lab
from egov_audit.network.nftables import parse_interfaces
from egov_audit.network.parse import detect_vendor, network_fact_bundle
from egov_audit.schemas import is_valid

IP_OUTPUT = """1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever
2: eth0@if9    inet 198.18.2.17/30 scope global eth0\\       valid_lft forever
2: eth0@if9    inet6 fe80::1/64 scope link \\       valid_lft forever
3: dmz0    inet 10.60.20.1/24 scope global dmz0\\       valid_lft forever
3: dmz0    inet6 2001:db8:60:20::1/64 scope global \\       valid_lft forever
"""


def _facts(ruleset: str) -> dict[str, Any]:
    bundle = network_fact_bundle("fw", ruleset.encode(), "fw.conf", "2026-12-02T00:00:00Z",
                                 interfaces=IP_OUTPUT)
    assert is_valid(bundle, "network-fact-bundle")
    assert bundle["vendor"] == "nftables"
    return bundle["facts"]


def test_a_strict_ruleset_denies_by_default_and_names_each_path() -> None:
    assert detect_vendor(lab.STRICT_RULES) == "nftables"
    facts = _facts(lab.STRICT_RULES)
    lines = lab.STRICT_RULES.splitlines()
    assert facts["forward_policy"]["value"] == "drop"
    assert "policy drop" in lines[facts["forward_policy"]["line"] - 1]
    assert facts["acl_permit_any"] == []
    web = next(p for p in facts["policies"] if p["to"] == ["dmz0"] and p["from"] == ["outside0"])
    assert web == {"id": web["id"], "from": ["outside0"], "to": ["dmz0"], "source": ["any"],
                   "destination": ["10.60.20.10"], "service": ["443"], "action": "accept",
                   "line": web["line"]}
    assert "10.60.20.10" in lines[web["line"] - 1]
    office = next(p for p in facts["policies"] if p["from"] == ["lan0"])
    assert office["service"] == ["80", "443"]
    established = facts["policies"][0]
    assert established["service"] == ["ct state"]


def test_a_loose_ruleset_accepts_by_default_and_has_an_any_rule() -> None:
    facts = _facts(lab.LOOSE_RULES)
    assert facts["forward_policy"]["value"] == "accept"
    (loose,) = facts["acl_permit_any"]
    assert lab.LOOSE_RULES.splitlines()[loose["line"] - 1].strip() == 'iifname "lan0" accept'


def test_interfaces_and_their_addresses_without_loopback_or_link_local() -> None:
    assert [(i["name"], i["addresses"]) for i in parse_interfaces(IP_OUTPUT)] == [
        ("eth0", ["198.18.2.17/30"]), ("dmz0", ["10.60.20.1/24", "2001:db8:60:20::1/64"])]


def test_no_forward_hook_means_forwarding_is_not_filtered() -> None:
    facts = _facts("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority "
                   "filter; policy drop;\n\t}\n}\n")
    assert facts["forward_policy"] == {"value": None, "line": None}
    assert facts["policies"] == []

"""Live collection's pure half: which commands each platform is asked, BGP session states
from what routers print, and the bundle built from a running configuration (secrets gone)."""

from __future__ import annotations

import json

from egov_audit.network.live import bgp_states, commands_for, live_bundle
from egov_audit.schemas import is_valid
from tests.helpers import FIXTURES

FRR_SUMMARY = {"ipv4Unicast": {"routerId": "100.64.0.1", "as": 64501, "peers": {
    "100.64.0.2": {"remoteAs": 64496, "state": "Established", "pfxRcd": 1},
    "100.64.0.6": {"remoteAs": 64497, "state": "Active", "pfxRcd": 0}}}}
IOS_SUMMARY = """BGP router identifier 192.0.2.2, local AS number 64512
Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd
192.0.2.1       4        64500     120     118       12    0    0 01:52:03        8
198.51.100.1    4        64501       0       0        1    0    0 never    Idle
"""


def test_each_platform_is_asked_show_commands_only() -> None:
    assert commands_for("egov.audit.frr") == {"config": "show running-config",
                                              "bgp": "show bgp summary json"}
    assert commands_for("cisco.ios.ios") == commands_for("ios")
    assert commands_for("fortinet.fortios.fortios") is None  # backups only
    assert commands_for(None) is None and commands_for("") is None
    for platform in ("frr", "ios", "junos"):
        for command in (commands_for(platform) or {}).values():
            assert command.startswith("show ")
    assert dict(commands_for("egov.audit.nftables") or {}) == {
        "config": "nft list ruleset", "interfaces": "ip -o address show"}


def test_session_states_from_frr_json_and_cisco_tables() -> None:
    assert bgp_states(json.dumps(FRR_SUMMARY)) == {"100.64.0.2": "Established",
                                                   "100.64.0.6": "Active"}
    assert bgp_states(IOS_SUMMARY) == {"192.0.2.1": "Established", "198.51.100.1": "Idle"}
    assert bgp_states('{"ipv4Unicast": {"peers": {"a": 1}}, "x": {"y": 1, "y": 2}}') == {}
    assert bgp_states(None) == {} and bgp_states("") == {}


def test_a_running_configuration_becomes_a_bundle_without_its_secrets() -> None:
    text = (FIXTURES / "device-configs" / "planted-secrets.cfg").read_text()
    bundle = live_bundle("secrets01", {"config": text, "bgp": IOS_SUMMARY},
                         "2026-12-02T00:00:00Z")
    assert is_valid(bundle, "network-fact-bundle")
    assert bundle["source"]["kind"] == "live"
    assert bundle["source"]["file"] == "secrets01 (running-config)"
    assert [n["state"] for n in bundle["facts"]["bgp"]["neighbors"]] == ["Established"]
    assert "PLANTED" not in json.dumps(bundle)
    assert "PLANTED" in text  # the fixture does plant them

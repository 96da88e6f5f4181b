"""Device configurations to network facts (issue 14, first part): the IOS and FRRouting
adapters, every fact with its line, secrets removed before anything parses the text, and bad
input refused with one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egov_audit.errors import UsageError
from egov_audit.network.parse import detect_vendor, network_fact_bundle, parse_config
from egov_audit.schemas import first_error

CONFIGS = Path(__file__).parents[2] / "fixtures" / "device-configs"
AT = "2026-12-02T00:00:00Z"


def _bundle(name: str) -> dict:  # type: ignore[type-arg]
    path = CONFIGS / name
    return network_fact_bundle(path.stem, path.read_bytes(), str(path), AT)


def test_an_ios_configuration_as_facts() -> None:
    bundle = _bundle("edge01.cfg")
    assert first_error(bundle, "network-fact-bundle") is None
    assert bundle["vendor"] == "cisco_ios" and bundle["source"]["lines"] == 44
    facts = bundle["facts"]
    assert facts["hostname"] == "edge01"
    by_name = {i["name"]: i for i in facts["interfaces"]}
    assert by_name["GigabitEthernet0/0"]["addresses"] == ["192.0.2.2/30", "2001:db8:ffff::2/126"]
    assert by_name["GigabitEthernet0/1"] == {
        "name": "GigabitEthernet0/1", "line": 21, "description": "DMZ",
        "addresses": ["10.50.1.1/24", "10.50.2.1/24"], "shutdown": False,
        "acl_in": "DMZ-IN", "acl_out": None, "nameif": None, "security_level": None}
    assert by_name["GigabitEthernet0/2"]["shutdown"] is True
    bgp = facts["bgp"]
    assert (bgp["local_as"], bgp["line"]) == (64512, 30)
    assert [(n["address"], n["remote_as"], n["line"]) for n in bgp["neighbors"]] == [
        ("192.0.2.1", 64500, 32), ("198.51.100.1", 64501, 34)]
    assert bgp["networks"] == [{"prefix": "203.0.113.0/24", "line": 36}]
    assert [(u["name"], u["hash"], u["line"]) for u in facts["users"]] == [
        ("admin", "scrypt", 5), ("oldop", "reversible", 6)]
    assert facts["vty"] == [{"lines": "0 4", "line": 40, "transport": ["ssh", "telnet"],
                             "transport_line": 41,
                             "access_class": "MGMT"}]
    management = facts["management"]
    assert management["ssh_version"] == {"value": 2, "line": 7}
    assert management["http_server"] == {"value": False, "line": 8}
    assert management["https_server"] == {"value": True, "line": 9}
    assert management["snmp_communities"] == [{"line": 11}]
    assert management["syslog_hosts"] == [{"value": "10.50.90.5", "line": 12}]
    assert management["ntp_servers"] == [{"value": "10.50.90.6", "line": 13}]
    assert management["aaa"] == {"value": True, "line": 10}
    assert management["enable"] == {"hash": "scrypt", "line": 4}


def test_an_frr_configuration_as_facts() -> None:
    bundle = _bundle("frr-edge.cfg")
    assert first_error(bundle, "network-fact-bundle") is None
    assert bundle["vendor"] == "frr" and bundle["redacted"] == 1
    facts = bundle["facts"]
    assert [(i["name"], i["addresses"]) for i in facts["interfaces"]] == [
        ("eth0", ["192.0.2.2/30"]), ("eth1", ["203.0.113.1/24", "2001:db8:100::1/48"])]
    assert facts["bgp"]["neighbors"] == [{"address": "192.0.2.1", "remote_as": 64500,
                                          "line": 15}]
    assert facts["bgp"]["networks"] == [{"prefix": "203.0.113.0/24", "line": 19}]
    # nothing said is nothing assumed: no ssh version line, no http server line
    assert facts["management"]["ssh_version"] is None
    assert facts["management"]["http_server"] == {"value": False, "line": None}


def test_an_asa_configuration_as_facts() -> None:
    bundle = _bundle("fw01.cfg")
    assert first_error(bundle, "network-fact-bundle") is None
    assert bundle["vendor"] == "cisco_asa"
    text = json.dumps(bundle)
    assert "PLANTED" not in text and bundle["redacted"] == 7
    facts = bundle["facts"]
    assert [(i["nameif"], i["security_level"], i["addresses"], i["acl_in"])
            for i in facts["interfaces"]] == [
        ("outside", 0, ["192.0.2.10/24"], "OUTSIDE-IN"), ("inside", 100, ["10.50.10.1/24"], None),
        ("dmz", 50, ["10.50.1.1/24"], "DMZ-IN")]
    # ASA writes the hashing after the (removed) value
    assert {u["name"]: u["hash"] for u in facts["users"]} == {"admin": "pbkdf2-sha512",
                                                             "ops": "md5"}
    assert facts["management"]["enable"]["hash"] == "pbkdf2-sha512"
    assert facts["acl_permit_any"] == [{"acl": "DMZ-IN", "line": 28}]
    assert facts["management"]["management_from"] == [
        {"protocol": "ssh", "value": "10.50.90.0/255.255.255.0 inside", "line": 33},
        {"protocol": "telnet", "value": "0.0.0.0/0.0.0.0 outside", "line": 35},
        {"protocol": "http", "value": "10.50.90.0/255.255.255.0 inside", "line": 37}]
    assert facts["management"]["ssh_version"] == {"value": 2, "line": 34}
    assert facts["management"]["https_server"] == {"value": True, "line": 36}
    assert facts["management"]["syslog_hosts"] == [{"value": "10.50.90.5", "line": 38}]
    assert facts["management"]["aaa"]["value"] is True
    assert [(n["address"], n["remote_as"]) for n in facts["bgp"]["neighbors"]] == [
        ("192.0.2.1", 64500)]
    assert facts["bgp"]["networks"] == [{"prefix": "203.0.113.0/24", "line": 46}]


def test_a_fortigate_configuration_as_facts() -> None:
    bundle = _bundle("fgt01.conf")
    assert first_error(bundle, "network-fact-bundle") is None
    assert bundle["vendor"] == "fortios"
    # ten secrets, the multi-line private key and certificate among them
    raw = (CONFIGS / "fgt01.conf").read_text()
    planted = [f"PLANTEDF{n}" for n in range(1, 11) if n != 3] + ["PLANTED-F3"]
    assert all(p in raw for p in planted)
    assert [p for p in planted if p in json.dumps(bundle)] == [] and bundle["redacted"] == 10
    facts = bundle["facts"]
    assert facts["hostname"] == "fgt01"
    assert [(i["name"], i["line"], i["addresses"], i["allowaccess"], i["shutdown"])
            for i in facts["interfaces"]] == [
        ("port1", 16, ["192.0.2.20/24", "2001:db8:ffff::20/64"], ["ping", "https", "ssh", "http"],
         False),
        ("port2", 25, ["10.50.10.1/24"], ["ping", "ssh", "telnet"], False),
        ("port3", 31, ["10.50.1.1/24"], [], True)]
    assert facts["zones"] == [{"name": "inside", "interfaces": ["port2"], "line": 39},
                              {"name": "dmz", "interfaces": ["port3"], "line": 42}]
    assert [(p["id"], p["from"], p["to"], p["service"], p["line"])
            for p in facts["policies"]] == [("1", ["port1"], ["dmz"], ["HTTPS"], 108),
                                            ("2", ["inside"], ["dmz"], ["ALL"], 117)]
    assert facts["acl_permit_any"] == [{"acl": "policy 2", "line": 117}]
    # how each admin password is kept: SH2 is SHA-256; plain ENC is reversible
    assert {u["name"]: u["hash"] for u in facts["users"]} == {"admin": "sha256",
                                                             "ops": "reversible"}
    assert facts["bgp"]["local_as"] == 64512
    assert [(n["address"], n["remote_as"], n["line"]) for n in facts["bgp"]["neighbors"]] == [
        ("192.0.2.1", 64500, 130), ("198.51.100.1", 64501, 134)]
    assert facts["bgp"]["networks"] == [{"prefix": "203.0.113.0/24", "line": 140}]
    management = facts["management"]
    assert {(m["protocol"], m["value"]) for m in management["management_from"]} == {
        ("ssh", "port1"), ("ssh", "port2"), ("telnet", "port2"), ("http", "port1"),
        ("https", "port1")}
    assert management["http_server"] == {"value": True, "line": 16}
    assert management["snmp_communities"] == [{"line": 59}]
    assert management["syslog_hosts"] == [{"value": "10.50.90.5", "line": 97}]
    assert management["ntp_servers"] == [{"value": "10.50.90.6", "line": 103}]
    assert management["aaa"]["value"] is True and management["banner"] == {"value": True,
                                                                             "line": 7}


def test_a_junos_configuration_as_facts() -> None:
    bundle = _bundle("srx01.conf")
    assert first_error(bundle, "network-fact-bundle") is None
    assert bundle["vendor"] == "junos"
    planted = [f"PLANTED-J{n}" for n in range(1, 8)]
    assert all(p in (CONFIGS / "srx01.conf").read_text() for p in planted)
    assert [p for p in planted if p in json.dumps(bundle)] == [] and bundle["redacted"] == 7
    facts = bundle["facts"]
    assert facts["hostname"] == "srx01"
    assert [(i["name"], i["line"], i["addresses"], i["shutdown"]) for i in facts["interfaces"]] \
        == [("ge-0/0/0.0", 48, ["192.0.2.30/24", "2001:db8:ffff::30/64"], False),
            ("ge-0/0/1.0", 58, ["10.50.10.1/24"], False),
            ("ge-0/0/2.0", 66, ["10.50.1.1/24"], True)]
    assert facts["zones"] == [{"name": "trust", "interfaces": ["ge-0/0/1.0"], "line": 116},
                              {"name": "untrust", "interfaces": ["ge-0/0/0.0"], "line": 121}]
    assert facts["policies"] == [{
        "id": "allow-all", "from": ["trust"], "to": ["untrust"], "source": ["any"],
        "destination": ["any"], "service": ["any"], "action": "permit", "line": 129}]
    assert facts["acl_permit_any"] == [{"acl": "policy allow-all", "line": 129}]
    # the crypt(3) prefix survives redaction: $6$ is SHA-512
    assert {u["name"]: u["hash"] for u in facts["users"]} == {"ops": "sha512", "root": "sha512"}
    bgp = facts["bgp"]
    assert (bgp["local_as"], bgp["line"]) == (64512, 80)
    assert [(n["address"], n["remote_as"], n["line"]) for n in bgp["neighbors"]] == [
        ("192.0.2.1", 64500, 89), ("198.51.100.1", 64501, 92)]
    assert bgp["networks"] == [{"prefix": "203.0.113.0/24", "line": 101}]
    management = facts["management"]
    assert management["ssh_version"] == {"value": 2, "line": 20}
    assert management["http_server"] == {"value": True, "line": 25}
    assert management["management_from"] == [{"protocol": "telnet", "value": "any", "line": 22}]
    assert management["snmp_communities"] == [{"line": 73}, {"line": 76}]
    assert management["syslog_hosts"] == [{"value": "10.50.90.5", "line": 37}]
    assert management["aaa"] == {"value": True, "line": 33}


def test_junos_set_commands_read_like_the_brace_format() -> None:
    text = ("set version 22.4R1\nset system host-name r2\n"
            "set snmp community PUBLIC1 authorization read-only\n"
            "set snmp community PUBLIC1 clients 10.0.0.0/8\n"
            "set snmp community PUBLIC2 authorization read-only\n"
            'set system login user a authentication encrypted-password "$1$SECRETX"\n'
            "set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24\n"
            "set interfaces ge-0/0/0 disable\n")
    parsed = parse_config(text, "set.conf")
    assert parsed["vendor"] == "junos"
    shown = json.dumps(parsed)
    assert "PUBLIC" not in shown and "SECRETX" not in shown
    facts = parsed["facts"]
    # two communities, told apart without their names
    assert facts["management"]["snmp_communities"] == [{"line": 3}, {"line": 5}]
    assert facts["users"] == [{"name": "a", "hash": "md5", "line": 6}]
    assert facts["interfaces"][0]["shutdown"] is True


def test_planted_secrets_never_reach_the_facts() -> None:
    raw = (CONFIGS / "planted-secrets.cfg").read_text()
    planted = [f"PLANTED-{n:02d}" for n in range(1, 22)]
    assert all(p in raw for p in planted)
    bundle = _bundle("planted-secrets.cfg")
    text = json.dumps(bundle)
    assert [p for p in planted if p in text] == []
    # lines that held secrets: the SNMPv3 user (08, 09) and the certificate (19, 20) are one each
    assert bundle["redacted"] == 19
    # what the controls need survives: who has a password and how it is kept
    assert {u["name"]: u["hash"] for u in bundle["facts"]["users"]} == {
        "admin": "scrypt", "old": "reversible", "plain": "cleartext"}
    assert bundle["facts"]["management"]["enable"]["hash"] == "scrypt"
    assert len(bundle["facts"]["management"]["snmp_communities"]) == 2


@pytest.mark.parametrize(("text", "vendor"), [
    (": Saved\n:\nASA Version 9.16(4)\nhostname fw01\n", "cisco_asa"),
    ("#config-version=FGT60F-7.2.5-FW-build1517\nconfig system global\n", "fortios"),
    ("## Last commit: 2026-11-30 10:00:00 UTC by admin\nversion 22.4R1;\n", "junos"),
    ("frr version 8.4.4\nfrr defaults traditional\n", "frr"),
    ("!\nversion 17.9\nhostname r1\n", "cisco_ios"),
    ("just some text\nwith nothing of a device\n", None),
])
def test_the_vendor_is_told_from_the_text(text: str, vendor: str | None) -> None:
    assert detect_vendor(text) == vendor


def test_unknown_and_unsupported_configurations_are_refused_in_one_line() -> None:
    with pytest.raises(UsageError, match="cannot tell which vendor") as unknown:
        parse_config("hello\n", "x.cfg")
    assert unknown.value.one_line().startswith("x.cfg: ")
    with pytest.raises(UsageError, match="not valid UTF-8"):
        network_fact_bundle("d", b"hostname r1\n\xff\n", "d.cfg", AT)
    with pytest.raises(UsageError, match="lines: refused"):
        parse_config("hostname r1\n" + "!\n" * 200_001, "big.cfg")


def test_a_truncated_backup_gives_what_it_holds() -> None:
    """A copy cut mid-way (a full disk, an interrupted transfer): the facts before the cut."""
    text = (CONFIGS / "edge01.cfg").read_text()
    cut = text[: text.index("router bgp")]
    facts = parse_config(cut + "router bg", "cut.cfg")["facts"]
    assert len(facts["interfaces"]) == 3 and facts["bgp"] is None


def test_what_only_names_a_key_is_kept() -> None:
    facts = parse_config("version 15.2\nkey chain OSPF\n key 1\n  key-string 7 0822SECRET\n",
                         "k.cfg")
    assert facts["redacted"] == 1
    from egov_audit.network.redact import redact_cisco_like

    lines = redact_cisco_like(["key chain OSPF", " key 1", "  key-string 7 0822SECRET"]).lines
    assert lines == ("key chain OSPF", " key 1", "  key-string 7 <redacted>")


def test_an_ios_access_list_that_permits_everything_is_found() -> None:
    text = ("version 15.2\nip access-list extended EDGE\n 10 permit tcp any any eq 443\n"
            " 20 permit ip any any\nip access-list extended OK\n deny ip any any\n")
    assert parse_config(text, "a.cfg")["facts"]["acl_permit_any"] == [{"acl": "EDGE", "line": 4}]


@pytest.mark.parametrize("text", [
    "version 15.2\ninterface Gi0/0\n ip address 999.1.1.1 255.255.255.0\n"
    "router bgp 64512\n network 300.0.0.0 mask 255.0.0.0\n",
    "frr version 8.4\ninterface eth0\n ip address 10.0.0.1/99\n",
    "config system global\nend\nconfig system interface\n    edit \"port1\"\n"
    "        set ip 10.0.0.999 255.255.255.0\n    next\nend\nconfig router bgp\n"
    "    set as 64512\n    config network\n        edit 1\n"
    "            set prefix 10.0.0.0 255.0.255.0\n        next\n    end\nend\n",
    "set version 22.4R1\nset interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/40\n"
    "set routing-options autonomous-system 64512\n"
    "set policy-options policy-statement a term t from route-filter 10.0.0.0/99 exact\n",
])
def test_a_malformed_address_is_left_out_never_a_traceback(text: str) -> None:
    """A backup is input from outside: an address that is not one is simply not a fact."""
    facts = parse_config(text, "bad.cfg")["facts"]
    assert all(i["addresses"] == [] for i in facts["interfaces"])
    assert facts["bgp"] is None or facts["bgp"]["networks"] == []

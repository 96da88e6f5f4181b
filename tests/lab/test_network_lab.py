"""Real routers: FRRouting in their own network namespaces, eBGP sessions up for real, collected
by `egov-audit scan` over Ansible's network_cli (host keys checked) and judged against what two
agencies declare: one multihomed on its own ASN and block, one weak (a private ASN, a single
provider, a block it does not hold, a clear-text password). The machine's own routes, links
and firewall are the same after the lab as before it. Root only: CI runs as root."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from egov_audit import lab as lab_module
from tests.helpers import build_registry, bundle_dict
from tests.helpers import run_long as run_cli
from tests.lab.conftest import StartLab

pytestmark = [pytest.mark.lab,
              pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root; CI runs as root")]


@pytest.fixture(scope="module")
def network_lab(start_lab: StartLab) -> lab_module.Lab:
    return start_lab("netlab", lab_module.NETWORK + lab_module.FIREWALLS,
                     lab_module.NETWORK_LINKS, keeps_network=True)


def _established(lab: lab_module.Lab, router: str, peers: int) -> None:
    """Wait for the router's BGP sessions to come up (they are real: a few seconds)."""
    pid = (lab.state / "hosts" / router / "init.pid").read_text().strip()
    deadline = time.monotonic() + 60
    summary: dict[str, Any] = {}
    while time.monotonic() < deadline:
        out = subprocess.run(["nsenter", "-t", pid, "-m", "-n", "-p", "vtysh", "-c",
                              "show bgp summary json"], capture_output=True, text=True,
                             check=False, timeout=20).stdout
        try:
            summary = bundle_dict(out)
        except ValueError:
            summary = {}
        found = summary.get("ipv4Unicast", {}).get("peers", {})
        if sum(p.get("state") == "Established" for p in found.values()) >= peers:
            return
        time.sleep(0.5)
    raise AssertionError(f"{router}: BGP did not come up: {summary}")


EDGE = [{"name": "edge", "kind": "perimeter", "subnets": ["100.64.0.0/28"]}]


def _agency(folder: Path, lab: lab_module.Lab, code: str, asn: int | None,
            blocks: list[dict[str, str]], devices: dict[str, dict[str, Any]],
            uplinks: list[dict[str, Any]], zones: list[dict[str, Any]] = EDGE) -> Path:
    """An agency at level 4 (multihoming required) whose routers are lab routers."""
    lab_inventory = bundle_dict((lab.inventory / "hosts.yml").read_text())["all"]
    group = lab_inventory["children"]["network_devices"]
    (folder / "group_vars" / "all").mkdir(parents=True)
    hosts = {"all": {"vars": lab_inventory["vars"], "children": {"network_devices": {
        "vars": group["vars"],
        # a device the lab does not have takes edge01's settings, then its own
        "hosts": {name: {**group["hosts"].get(name, group["hosts"]["edge01"]), **extra}
                  for name, extra in devices.items()},
    }}}}
    (folder / "hosts.yml").write_text(yaml.safe_dump(hosts))
    (folder / "group_vars" / "all" / "agency.yml").write_text(yaml.safe_dump({"agency": {
        "code": code, "name": {"vi": f"Đơn vị {code}", "en": f"Agency {code}"},
        "kind": "province", "baseline": "tcvn-14423-2025", "level": 4}}, allow_unicode=True))
    (folder / "group_vars" / "all" / "network.yml").write_text(yaml.safe_dump({"network": {
        "asn": asn, "address_blocks": blocks,
        "zones": zones, "uplinks": uplinks}}))
    return folder


def _scan(lab: lab_module.Lab, inventory: Path, evidence: Path,
          *extra: str) -> tuple[Any, dict[str, Any]]:
    proc = run_cli("scan", str(inventory), "--evidence", str(evidence), "--known-hosts",
                   str(lab.state / "known_hosts"), "--documentation-as-public", "-f", "json",
                   "--lang", "en", "--fail-on", "none", *extra)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc, bundle_dict(proc.stdout)


def _verdicts(bundle: dict[str, Any], prefix: str) -> dict[tuple[str, str], str]:
    return {(r["control"], r["target"]): r["status"] for r in bundle["results"]
            if r["control"].startswith(prefix)}


def test_a_multihomed_agency_passes_from_its_live_router(network_lab: lab_module.Lab,
                                                         tmp_path: Path) -> None:
    _established(network_lab, "edge01", 2)
    inventory = _agency(tmp_path / "agency", network_lab, "multihomed", 64501,
                        [{"prefix": "198.51.100.0/24", "allocated_by": "VNNIC"},
                         {"prefix": "100.64.0.0/28", "allocated_by": "internal"}],
                        {"edge01": {}},
                        [{"kind": "internet", "provider": "ISP One", "bgp": True},
                         {"kind": "internet", "provider": "ISP Two", "bgp": True}])
    evidence = tmp_path / "evidence"
    # the registry's statistics, read in the same scan: AS64501 and 198.51.100.0/24 one holder's
    registry = build_registry(tmp_path / "delegated", {"replace": {"A92B07E1": "A91C0E5A"}})
    _, bundle = _scan(network_lab, inventory, evidence, "--registry-file", str(registry))
    verdicts = _verdicts(bundle, "NET-BGP-")
    assert verdicts == {("NET-BGP-01", "network"): "pass", ("NET-BGP-02", "network"): "pass",
                        ("NET-BGP-03", "network"): "pass"}, verdicts
    assert _verdicts(bundle, "NET-REG-") == {
        ("NET-REG-01", "network"): "pass", ("NET-REG-02", "network"): "pass",
        ("NET-REG-03", "network"): "pass", ("NET-REG-04", "network"): "not_applicable"}
    device = bundle_dict((evidence / "devices" / "edge01.json").read_text())
    assert device["source"]["kind"] == "live" and device["vendor"] == "frr"
    assert [(n["remote_as"], n["state"]) for n in device["facts"]["bgp"]["neighbors"]] == \
        [(64496, "Established"), (64497, "Established")]
    target = next(t for t in bundle["targets"] if t["id"] == "edge01")
    assert target["kind"] == "device" and target["status"] == "assessed"
    # the same evidence judged offline gives the same verdicts
    again = run_cli("evaluate", str(inventory), "--evidence", str(evidence),
                    "--documentation-as-public", "-f", "json", "--fail-on", "none")
    assert _verdicts(bundle_dict(again.stdout), "NET-BGP-") == verdicts


def test_a_weak_edge_fails_and_its_password_stays_on_the_router(network_lab: lab_module.Lab,
                                                                tmp_path: Path) -> None:
    _established(network_lab, "edge02", 1)
    inventory = _agency(tmp_path / "agency", network_lab, "weak", None,
                        [{"prefix": "198.51.100.0/25", "allocated_by": "VNPT"}],
                        {"edge02": {}},
                        [{"kind": "internet", "provider": "ISP One", "bgp": True},
                         {"kind": "internet", "provider": "ISP Two"}])
    evidence = tmp_path / "evidence"
    proc, bundle = _scan(network_lab, inventory, evidence)
    verdicts = _verdicts(bundle, "NET-BGP-")
    assert verdicts == {("NET-BGP-01", "network"): "fail", ("NET-BGP-02", "network"): "fail",
                        ("NET-BGP-03", "network"): "fail"}, verdicts
    messages = {r["control"]: r["message"]["en"] for r in bundle["results"]}
    assert "AS64512" in messages["NET-BGP-01"]
    assert "203.0.113.0/24" in messages["NET-BGP-03"]
    assert _verdicts(bundle, "NETDEV-PWD-") == {("NETDEV-PWD-01", "edge02"): "fail"}
    pwd = next(r for r in bundle["results"] if r["control"] == "NETDEV-PWD-01")
    assert pwd["locations"][0]["file"] == "edge02 (running-config)" and \
        pwd["locations"][0]["line"]
    written = proc.stdout + proc.stderr + "".join(
        p.read_text() for p in evidence.rglob("*.json"))
    assert "PLANTED-FRR-ENABLE" not in written


def test_an_unreachable_router_is_reported_and_the_rest_goes_on(network_lab: lab_module.Lab,
                                                               tmp_path: Path) -> None:
    inventory = _agency(tmp_path / "agency", network_lab, "partial", 64501,
                        [{"prefix": "198.51.100.0/24", "allocated_by": "VNNIC"}],
                        {"edge01": {}, "edge09": {"ansible_host": "198.18.2.254",
                                                  "ansible_command_timeout": 5}},
                        [{"kind": "internet", "provider": "ISP One", "bgp": True},
                         {"kind": "internet", "provider": "ISP Two", "bgp": True}])
    _, bundle = _scan(network_lab, inventory, tmp_path / "evidence")
    targets = {t["id"]: t["status"] for t in bundle["targets"] if t["kind"] == "device"}
    assert targets["edge01"] == "assessed"
    assert targets["edge09"] in ("unreachable", "failed")
    assert _verdicts(bundle, "NET-BGP-01")[("NET-BGP-01", "network")] == "pass"
    assert {r["status"] for r in bundle["results"] if r["target"] == "edge09"} == \
        {"not_assessed"}


FIREWALLED_ZONES = [
    {"name": "outside", "kind": "perimeter", "subnets": ["100.64.1.0/29"],
     "separated_by": "firewall"},
    {"name": "dmz", "kind": "dmz", "subnets": ["10.60.20.0/24"], "separated_by": "firewall"},
    {"name": "servers", "kind": "internal_server", "subnets": ["10.60.10.0/24"],
     "separated_by": "firewall"},
    {"name": "db", "kind": "database", "subnets": ["10.60.30.0/24"], "separated_by": "firewall"},
    {"name": "office", "kind": "internal", "subnets": ["10.60.50.0/24"]},
    {"name": "mgmt", "kind": "management", "subnets": ["10.60.90.0/24"],
     "separated_by": "firewall"}]


@pytest.mark.parametrize(("firewall", "expected"), [("fw01", "pass"), ("fw02", "fail")])
def test_a_linux_firewall_ruleset_is_judged_for_inter_zone_policy(
        network_lab: lab_module.Lab, tmp_path: Path, firewall: str, expected: str) -> None:
    inventory = _agency(tmp_path / "agency", network_lab, f"zones-{firewall}", None,
                        [{"prefix": "10.60.0.0/16", "allocated_by": "internal"},
                         {"prefix": "100.64.1.0/29", "allocated_by": "internal"}],
                        {firewall: {}}, [], FIREWALLED_ZONES)
    evidence = tmp_path / "evidence"
    _, bundle = _scan(network_lab, inventory, evidence)
    verdicts = _verdicts(bundle, "NET-DEV-")
    # every declared zone is on the firewall, and behind it, whatever its rules
    assert verdicts[("NET-DEV-01", "network")] == "pass", bundle["results"]
    assert verdicts[("NET-DEV-02", "network")] == "pass"
    assert verdicts[("NET-DEV-03", "network")] == expected
    device = bundle_dict((evidence / "devices" / f"{firewall}.json").read_text())
    assert device["vendor"] == "nftables" and device["source"]["kind"] == "live"
    # its SSH, logs and accounts are its Linux host's: the host controls judge those
    assert {r["status"] for r in bundle["results"] if r["control"].startswith("NETDEV-")} == \
        {"not_applicable"}
    if expected == "fail":
        gap = next(r for r in bundle["results"] if r["control"] == "NET-DEV-03")
        assert "policy accept" in gap["message"]["en"] and "forward #" in gap["message"]["en"]
        assert {loc["file"] for loc in gap["locations"]} == {f"{firewall} (running-config)"}
        assert all(loc["line"] for loc in gap["locations"])

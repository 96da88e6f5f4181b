"""Portals: how they are declared (each a DNS name, once, file:line when wrong), what the probe
never does (loopback addresses, undeclared names), the parsing of what servers answer (HSTS,
certificate names, resolver addresses), and portal evidence read back as hostile input: a
bundle that does not match the published schema is refused with the reason, never judged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from egov_audit.audit import AuditRequest, evaluate
from egov_audit.checks.context import AuditOptions
from egov_audit.checks.portals import hsts_max_age
from egov_audit.errors import InventoryError
from egov_audit.gates.addresses import AddressPolicy
from egov_audit.inventory import load_inventory
from egov_audit.models import Status
from egov_audit.portal.certificates import matches as _matches
from egov_audit.portal.probe import split_server
from egov_audit.readiness import readiness
from tests.helpers import build_evidence, build_inventory


def _with_portals(tmp_path: Path, portals: list[dict[str, Any]]) -> Path:
    return build_inventory(tmp_path / "agency", "compliant",
                           {"set": {"network.portals": portals}})


@pytest.mark.parametrize(("portal", "said"), [
    ({"kind": "web_portal", "url": "https://192.0.2.10/"}, "never by an address"),
    ({"kind": "web_portal", "url": "https://Cong.Example/"}, "lower case"),
    ({"kind": "web_portal", "url": "https://localhost/"}, "not a DNS name"),
    ({"kind": "web_portal", "url": "https://cong.example:99999/"}, "not a port number"),
    ({"kind": "web_portal", "url": "http://cong.example/"}, "does not match"),
    ({"kind": "web_portal", "url": "https://user@cong.example/"}, "does not match"),
    ({"kind": "mail", "url": "https://cong.example/"}, "domain"),
    ({"kind": "web_portal", "domain": "cong.example"}, "url"),
    ({"kind": "intranet", "url": "https://cong.example/"}, "is not one of"),
])
def test_a_wrong_portal_is_one_line_with_its_place(tmp_path: Path, portal: dict[str, Any],
                                                  said: str) -> None:
    inventory = _with_portals(tmp_path, [portal])
    with pytest.raises(InventoryError) as caught:
        load_inventory(inventory)
    text = caught.value.said()
    assert said in text, text
    assert "network.yml:" in text and "portals[0]" in text


def test_a_portal_declared_twice_is_refused(tmp_path: Path) -> None:
    inventory = _with_portals(tmp_path, [{"kind": "web_portal", "url": "https://a.example/"},
                                         {"kind": "lgsp_api", "url": "https://a.example/api"}])
    with pytest.raises(InventoryError, match="declared twice"):
        load_inventory(inventory)


def test_portals_are_read_with_their_parts(tmp_path: Path) -> None:
    inventory = _with_portals(tmp_path, [
        {"kind": "public_service", "url": "https://dvc.example:8443/dich-vu?x=1"},
        {"kind": "mail", "domain": "example.gov.test"}])
    web, mail = load_inventory(inventory).network.portals
    assert (web.name, web.host, web.port, web.path, web.is_web) == (
        "dvc.example", "dvc.example", 8443, "/dich-vu?x=1", True)
    assert (mail.name, mail.host, mail.port, mail.is_web) == (
        "mail_example.gov.test", "example.gov.test", 25, False)


@pytest.mark.parametrize(("address", "refused", "unless_allowed"), [
    ("127.0.0.1", True, True), ("::1", True, True), ("0.0.0.0", True, True),
    ("169.254.1.1", True, True), ("fe80::1", True, True), ("224.0.0.1", True, True),
    ("::ffff:127.0.0.1", True, True), ("::ffff:169.254.169.254", True, True),
    ("198.18.5.10", True, False), ("2001:db8::10", True, False), ("10.0.0.1", True, False),
    ("100.64.0.1", True, False), ("fd00::1", True, False), ("8.8.8.8", False, False)])
def test_the_probe_never_turns_on_the_inspectors_own_machine(address: str, refused: bool,
                                                             unless_allowed: bool) -> None:
    assert bool(AddressPolicy().refusal(address)) is refused
    assert bool(AddressPolicy(allow_private=True).refusal(address)) is unless_allowed


@pytest.mark.parametrize(("header", "age"), [
    ("max-age=31536000; includeSubDomains", 31536000), ('max-age="600"', 600),
    ("includeSubDomains; MAX-AGE=5", 5), ("max-age=", None), ("max-age=-1", None),
    ("max-age=99999999999999999999", None), ("preload", None)])
def test_hsts_max_age(header: str, age: int | None) -> None:
    assert hsts_max_age(header) == age


@pytest.mark.parametrize(("pattern", "host", "match"), [
    ("cong.example", "cong.example", True), ("CONG.example.", "cong.example", True),
    ("*.example", "cong.example", True), ("*.example", "a.cong.example", False),
    ("*.example", "example", False), ("cong.example", "www.cong.example", False)])
def test_certificate_names_match_as_browsers_do(pattern: str, host: str, match: bool) -> None:
    assert _matches(pattern, host) is match


@pytest.mark.parametrize(("text", "parsed"), [
    ("198.18.5.53", ("198.18.5.53", 53)), ("198.18.5.53:5353", ("198.18.5.53", 5353)),
    ("2001:db8::53", ("2001:db8::53", 53)), ("[2001:db8::53]:5353", ("2001:db8::53", 5353))])
def test_resolver_addresses(text: str, parsed: tuple[str, int]) -> None:
    assert split_server(text) == parsed


@pytest.mark.parametrize("text", ["resolver.example", "198.18.5.53:0", "1.2.3.4:x", "[::1"])
def test_bad_resolver_addresses(text: str) -> None:
    with pytest.raises(ValueError):
        split_server(text)


def _portal_file(evidence: Path, name: str) -> Path:
    return evidence / "portals" / f"{name}.json"


@pytest.mark.parametrize(("change", "reason"), [
    (lambda b: b["facts"]["dns"].update(a=["\x1b[31mhello"]), "schema"),
    (lambda b: b["facts"]["reach"]["ipv4"].update(status="fine"), "schema"),
    (lambda b: b["facts"]["reach"]["ipv4"]["http"]["headers"].update(server="nginx"), "schema"),
    (lambda b: b["facts"]["dns"].update(caa=["x" * 300]), "schema"),
    (lambda b: b.update(portal="other.example"), "names portal"),
])
def test_hostile_portal_evidence_is_refused_not_judged(tmp_path: Path, change: Any,
                                                       reason: str) -> None:
    inventory = build_inventory(tmp_path / "agency")
    evidence = build_evidence(tmp_path / "evidence", inventory)
    path = _portal_file(evidence, "cong.compliant.example")
    bundle = json.loads(path.read_text())
    change(bundle)
    path.write_text(json.dumps(bundle))
    result = evaluate(AuditRequest([inventory], options=AuditOptions(True)), evidence)
    bundle_out = result.bundles[0]
    target = next(t for t in bundle_out.targets if t.id == "cong.compliant.example")
    assert target.status.value == "failed" and reason in target.reason, target
    mine = [r for r in bundle_out.results if r.target == "cong.compliant.example"]
    assert mine and all(r.status in (Status.NOT_ASSESSED, Status.NOT_APPLICABLE) for r in mine)
    # the other portals are judged as before
    other = [r for r in bundle_out.results if r.target == "dichvucong.compliant.example"]
    assert other and all(r.status in (Status.PASS, Status.NOT_APPLICABLE) for r in other)


def test_readiness_counts_what_inspectors_ask() -> None:
    results = [("PORTAL-IPV6-01", "a", "pass"), ("PORTAL-DNS-01", "a", "fail"),
               *((c, "a", "pass") for c in ("PORTAL-TLS-01", "PORTAL-TLS-02", "PORTAL-TLS-03",
                                            "PORTAL-HTTP-01")),
               ("PORTAL-IPV6-01", "b", "not_assessed"), ("PORTAL-TLS-01", "b", "not_assessed"),
               ("PORTAL-IPV6-01", "mail_x", "pass"), ("PORTAL-DNS-01", "mail_x", "pass"),
               ("PORTAL-TLS-01", "mail_x", "not_applicable"), ("NET-IP-01", "network", "pass")]
    ready = readiness(results)
    assert (ready.portals, ready.ipv6, ready.dnssec, ready.web, ready.https) == (3, 2, 1, 2, 1)
    assert ready.shown() == "IPv6 2/3 · DNSSEC 1/3 · HTTPS 1/2"
    assert readiness([]).shown() == "-"

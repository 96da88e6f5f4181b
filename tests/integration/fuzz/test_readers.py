"""The fuzz tier: every reader of outside input, fed generated variants of real inputs, holds
one property: it gives a result, or an EgovAuditError naming the file (and the line where
there is one), never any other exception, within a time bound per input (Hypothesis'
deadline) and a memory bound for the whole tier.

The budget is `EGOV_FUZZ_EXAMPLES` examples per reader: 25 in `make test-fast`, 300 in
`make test` (the Makefile sets it). Derandomized, so a failure is reproduced by the same run."""

from __future__ import annotations

import json
import os
import resource
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_audit import lab
from egov_audit.errors import EgovAuditError
from egov_audit.schemas import is_valid
from tests.helpers import FIXTURES, REPO, build_inventory

EXAMPLES = int(os.environ.get("EGOV_FUZZ_EXAMPLES", "25"))
BUDGET = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=10), derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                         HealthCheck.function_scoped_fixture])
MEMORY_BOUND = 1024 * 2**20  # what the whole tier may add to the process's peak

# what a hostile writer puts where a value goes: numbers of every length, other scripts'
# digits, control and bidirectional characters, separators of every format read here
HOSTILE_TOKENS = st.sampled_from([
    "9" * 5000, "99999999999", "-1", "0" * 30, "١٢٣", "²", "1e309", "NaN", "0x" + "f" * 300,
    "\x00", "\x1b[31m", "\u202e", "|", ",", ":", "{", "}", "[", "]", '"', "\\", "'", "#", "!",
    "\t", " " * 300, "a" * 10_000, "::ffff:127.0.0.1", "300.1.1.1", "10.0.0.0/33",
    "2001:db8::/129", "{{ lookup('pipe', 'id') }}", "!!python/object:os.system", "&a", "*a",
    "-----BEGIN PRIVATE KEY-----"])
TOKENS = HOSTILE_TOKENS | st.text(max_size=40) | st.integers().map(str)


@pytest.fixture(scope="module", autouse=True)
def memory_bound() -> Iterator[None]:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    yield
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    print(f"fuzz tier: peak grew by {grown / 2**20:.0f} MB")
    assert grown < MEMORY_BOUND, f"the fuzz tier grew the peak by {grown / 2**20:.0f} MB"


def _mutated(text: str, data: st.DataObject) -> str:
    """`text` with a few of its words or lines replaced, duplicated or dropped."""
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        index = data.draw(st.integers(0, len(lines) - 1), label="line")
        how = data.draw(st.sampled_from(["word", "word", "insert", "drop", "repeat"]))
        words = lines[index].split(" ")
        if how == "word":
            words[data.draw(st.integers(0, len(words) - 1))] = data.draw(TOKENS, label="token")
            lines[index] = " ".join(words)
        elif how == "insert":
            lines.insert(index, data.draw(TOKENS, label="new line"))
        elif how == "drop":
            lines.pop(index) if len(lines) > 1 else None
        else:
            lines[index:index] = [lines[index]] * data.draw(st.integers(1, 50))
    return "\n".join(lines)


def _refused_well(exc: EgovAuditError, display: str) -> None:
    assert exc.file is not None and display in exc.file, exc.one_line()
    assert len(exc.one_line()) < 2000


# -- device configurations, per vendor ---------------------------------------------------------
CONFIGS = {path.name: path.read_text() for path in sorted(
    (FIXTURES / "device-configs").iterdir())}
CONFIGS["nftables.conf"] = lab.STRICT_RULES


@BUDGET
@given(st.sampled_from(sorted(CONFIGS)), st.data())
def test_device_configurations(name: str, data: st.DataObject) -> None:
    from egov_audit.network.parse import network_fact_bundle

    text = _mutated(CONFIGS[name], data)
    try:
        bundle = network_fact_bundle("dev", text.encode("utf-8", "surrogatepass"), name,
                                     "2026-12-01T00:00:00Z")
    except EgovAuditError as exc:
        _refused_well(exc, name)
        return
    assert is_valid(bundle, "network-fact-bundle"), bundle.get("vendor")
    json.dumps(bundle, allow_nan=False)


# -- the registry's statistics -----------------------------------------------------------------
REGISTRY = (FIXTURES / "registry" / "delegated-apnic-extended-compliant").read_text()


@BUDGET
@given(st.data())
def test_registry_lines(data: st.DataObject) -> None:
    from egov_audit.network.registry import parse_registry

    lines = REGISTRY.split("\n")
    index = data.draw(st.integers(0, len(lines) - 2), label="line")
    fields = lines[index].split("|")
    field = data.draw(st.integers(0, len(fields) - 1), label="field")
    fields[field] = data.draw(TOKENS, label="value")
    lines[index] = "|".join(fields)
    try:
        parse_registry("\n".join(lines), "delegated")
    except EgovAuditError as exc:
        _refused_well(exc, "delegated")
        assert exc.line is not None, exc.one_line()
        assert "9" * 100 not in exc.one_line()  # a long value is never echoed whole


# -- inventories -------------------------------------------------------------------------------
YAML_VALUES = st.recursive(
    TOKENS | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TOKENS, inner, max_size=4),
    max_leaves=12)
DOCUMENTS = {"agency": "group_vars/all/agency.yml", "network": "group_vars/all/network.yml",
             "server_rooms": "group_vars/all/server_rooms.yml"}


@pytest.fixture(scope="module")
def base_inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_inventory(tmp_path_factory.mktemp("fuzz") / "base")


@BUDGET
@given(st.sampled_from(sorted(DOCUMENTS)), st.data())
def test_inventories(base_inventory: Path, tmp_path_factory: pytest.TempPathFactory,
                     document: str, data: st.DataObject) -> None:
    from egov_audit.inventory import load_inventory

    root = tmp_path_factory.mktemp("inv") / "agency"
    shutil.copytree(base_inventory, root)
    path = root / DOCUMENTS[document]
    if data.draw(st.booleans(), label="as text"):
        path.write_text(_mutated(path.read_text(), data), errors="surrogatepass")
    else:  # a YAML document of generated values under the document's key, or a key of it
        import yaml

        loaded = yaml.safe_load(path.read_text())
        inner = loaded[document]
        if isinstance(inner, dict) and inner and data.draw(st.booleans()):
            key = data.draw(st.sampled_from(sorted(inner)), label="key")
            inner[key] = data.draw(YAML_VALUES, label="value")
        else:
            loaded[document] = data.draw(YAML_VALUES, label="document")
        path.write_text(yaml.safe_dump(loaded, allow_unicode=True))
    try:
        load_inventory(root)
    except EgovAuditError as exc:
        _refused_well(exc, str(root))


# -- result bundles ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundle_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    from egov_audit.audit import AuditRequest, validate
    from egov_audit.bundle import bundle_to_dict

    result = validate(AuditRequest(inventories=[REPO / "inventories" / "song-lam"]))
    return json.dumps(bundle_to_dict(result.bundles[0]), ensure_ascii=False)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            out += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value[:3]):
            out += _paths(inner, (*prefix, index))
    return out


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | TOKENS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TOKENS, inner,
                                                                          max_size=3),
    max_leaves=8)


@BUDGET
@given(st.data())
def test_result_bundles(bundle_text: str, data: st.DataObject) -> None:
    from egov_audit.bundle import check_bundle_data
    from egov_audit.errors import ReportError
    from egov_audit.gates.jsonin import decode

    if data.draw(st.booleans(), label="as text"):
        text = _mutated(bundle_text.replace(", ", ",\n"), data)
    else:
        value = json.loads(bundle_text)
        where = data.draw(st.sampled_from(_paths(value)[1:]), label="path")
        node = value
        for key in where[:-1]:
            node = node[key]
        node[where[-1]] = data.draw(JSON_VALUES, label="value")
        text = json.dumps(value, ensure_ascii=False)
    try:
        checked = check_bundle_data(decode(text.encode("utf-8", "surrogatepass"), "b.json",
                                           ReportError), "b.json")
    except EgovAuditError as exc:
        _refused_well(exc, "b.json")
        return
    from egov_audit.bundle import bundle_from_dict

    bundle_from_dict(checked)  # what every reader builds next


# -- fact bundles: read, then judged -----------------------------------------------------------
FACTS = json.loads((FIXTURES / "evidence" / "hardened.json").read_text())


@BUDGET
@given(st.data())
def test_fact_bundles(base_inventory: Path, tmp_path_factory: pytest.TempPathFactory,
                      data: st.DataObject) -> None:
    from egov_audit.audit import AuditRequest, evaluate
    from egov_audit.evidence.host_facts import read_bundle

    value = json.loads(json.dumps(FACTS))
    value["host"] = "web01"
    where = data.draw(st.sampled_from(_paths(value["facts"])[1:]), label="path")
    node = value["facts"]
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = data.draw(JSON_VALUES, label="value")
    folder = tmp_path_factory.mktemp("evidence")
    (folder / "web01.json").write_text(json.dumps(value))
    found = read_bundle(folder / "web01.json")
    assert found is not None  # collected, or failed with the reason
    try:
        result = evaluate(AuditRequest(inventories=[base_inventory]), folder)
    except EgovAuditError as exc:
        _refused_well(exc, str(folder))
        return
    assert result.bundles[0].results


# -- SNMP answers ------------------------------------------------------------------------------
# (tests/unit/facility/test_snmp.py::test_any_answer_becomes_facts_or_a_reason holds the values
# an agent answers to the same property)


# -- DNS answers for the portal probe ------------------------------------------------------------
RECORDS = st.lists(TOKENS | st.ip_addresses().map(str) | st.sampled_from([
    "::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "fe80::1%eth0", "0.0.0.0",
    "10 mx.example.", "65536 mx.example.", "-1 x.", "10", "10 " + "a" * 300]), max_size=6)


@pytest.fixture(scope="module")
def portals(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    from egov_audit.inventory import load_inventory

    inventory = build_inventory(tmp_path_factory.mktemp("portals") / "agency", "compliant", {
        "set": {"network.portals": [{"kind": "web_portal", "url": "https://x.example/"},
                                    {"kind": "mail", "domain": "x.example"}]}})
    return list(load_inventory(inventory).network.portals)


NAME_SERVERS = st.lists(st.sampled_from(["ns1.x.example.", "localhost.", "a.b.", "x.example.",
                                          "ns." + "a" * 60 + ".example."]), max_size=3)


@BUDGET
@given(RECORDS, RECORDS, RECORDS, st.integers(0, 1), st.booleans(), NAME_SERVERS)
def test_dns_answers_for_the_probe(monkeypatch: pytest.MonkeyPatch, portals: list[Any],
                                   a: list[str], aaaa: list[str], mx: list[str], which: int,
                                   allow_private: bool, servers: list[str]) -> None:
    """Whatever the portal's DNS answers: a portal fact bundle of the published shape, and no
    connection to anything (every connection here is refused before it is made); a name
    server is asked only at an address the probe's policy allows."""
    import dns.message
    import dns.rrset

    from egov_audit.gates.addresses import AddressPolicy
    from egov_audit.portal import dnssec, nameservers
    from egov_audit.portal import probe as probe_module

    answers = {"A": a, "AAAA": aaaa, "MX": mx, "SOA": [], "CAA": mx[:1]}
    asked: list[str] = []

    class Checker:
        anchors = ". 20326"

        def answer(self, *_args: Any) -> dnssec.Verdict:
            return dnssec.Verdict(dnssec.SECURE)

        def fetch(self, name: Any, rdtype: Any) -> Any:
            response = dns.message.make_response(dns.message.make_query(name, rdtype))
            if servers:
                response.answer.append(dns.rrset.from_text(name, 300, "IN", "NS", *servers))
            return response

    def soa(_zone: str, address: str, _timeout: float) -> dict[str, Any]:
        asked.append(address)
        return {"status": "timeout", "reason": "refused by the test"}

    def query(_checker: Any, _name: str, rdtype: str) -> Any:
        return [str(r)[:255] for r in answers[rdtype]], None

    def no_connection(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionRefusedError(111, "refused by the test")

    monkeypatch.setattr(probe_module, "_query", query)
    monkeypatch.setattr(probe_module, "_connect", no_connection)
    monkeypatch.setattr(nameservers, "_soa", soa)
    bundle = probe_module._safe_probe(portals[which], probe_module.ProbeOptions(
        allow_private=allow_private), Checker())  # type: ignore[arg-type]
    assert bundle["status"] in ("unreachable", "collected"), bundle
    assert is_valid(bundle, "portal-fact-bundle"), bundle
    policy = AddressPolicy(allow_private)
    assert not [address for address in asked if policy.refusal(address)], asked

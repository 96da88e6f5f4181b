"""What a UPS or sensor answers becomes facts only when the MIB allows it: a compromised or
broken device fails with the reason, never with a traceback, and never smuggles text in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from egov_audit.errors import InventoryError
from egov_audit.facility.client import Credentials
from egov_audit.facility.snmp import (
    ENT_PHYSICAL_NAME,
    SENSOR_TABLE,
    UPS_OIDS,
    AnswerError,
    facility_facts,
    sensor_facts,
    ups_facts,
)
from egov_audit.inventory import load_inventory
from tests.helpers import build_inventory

HEALTHY = {UPS_OIDS["battery_status"]: 2, UPS_OIDS["output_source"]: 3,
           UPS_OIDS["minutes_remaining"]: 42, UPS_OIDS["charge_pct"]: 100,
           UPS_OIDS["alarms"]: 0, UPS_OIDS["manufacturer"]: b"LabPower",
           UPS_OIDS["model"]: b"LP\x1b[31m-3000", UPS_OIDS["seconds_on_battery"]: None}


def _row(index: int, kind: int, scale: int, precision: int, value: int,
         status: int = 1) -> dict[str, Any]:
    return {f"{SENSOR_TABLE}.{column}.{index}": v
            for column, v in ((1, kind), (2, scale), (3, precision), (4, value), (5, status))}


def test_a_healthy_ups_and_its_sensors_become_facts() -> None:
    table = {**_row(1, 8, 9, 1, 223), **_row(2, 9, 9, 0, 47), **_row(3, 8, 8, 0, 21500)}
    facts = facility_facts(HEALTHY, table, {f"{ENT_PHYSICAL_NAME}.1": b"inlet"})
    assert facts["ups"] == {"battery_status": "normal", "output_source": "normal",
                            "minutes_remaining": 42, "charge_pct": 100, "alarms": 0,
                            "manufacturer": "LabPower", "model": "LP?[31m-3000"}
    assert [(s["name"], s["type"], s["value"]) for s in facts["sensors"]] == [
        ("inlet", "celsius", 22.3), ("sensor 2", "percent_rh", 47.0),
        ("sensor 3", "celsius", 21.5)]  # 21500 milli-degrees


@pytest.mark.parametrize(("change", "said"), [
    ({UPS_OIDS["battery_status"]: 9}, "upsBatteryStatus: 9 is not a value the MIB defines"),
    ({UPS_OIDS["output_source"]: b"battery"}, "upsOutputSource: b'battery' is not an integer"),
    ({UPS_OIDS["charge_pct"]: 250}, "upsEstimatedChargeRemaining: 250 is not an integer in 0-100"),
    ({UPS_OIDS["minutes_remaining"]: -4}, "upsEstimatedMinutesRemaining: -4"),
    ({UPS_OIDS["battery_status"]: None}, "without upsBatteryStatus"),
])
def test_an_answer_the_mib_does_not_allow_fails_the_device(change: dict[str, Any],
                                                           said: str) -> None:
    with pytest.raises(AnswerError, match=said.replace("[", r"\[").replace("(", r"\(")):
        ups_facts({**HEALTHY, **change})


@pytest.mark.parametrize(("table", "said"), [
    ({**_row(1, 8, 9, 1, 223), f"{SENSOR_TABLE}.4.x": 1}, "unexpected OID"),
    ({k: v for k, v in _row(1, 8, 9, 1, 223).items() if not k.startswith(f"{SENSOR_TABLE}.5")},
     "row 1 is incomplete"),
    (_row(1, 99, 9, 1, 223), "entPhySensorType: 99"),
    (_row(1, 8, 9, 1, 223, status=7), "entPhySensorOperStatus: 7"),
    (_row(1, 8, 9, 1, b"hot"), "entPhySensorValue"),
    ({k: v for i in range(300) for k, v in _row(i, 8, 9, 0, 20).items()}, "more than 256"),
])
def test_a_broken_sensor_table_fails_the_device(table: dict[str, Any], said: str) -> None:
    with pytest.raises(AnswerError, match=said):
        sensor_facts(table, {})


def test_a_device_with_neither_mib_is_refused() -> None:
    with pytest.raises(AnswerError, match="neither UPS-MIB nor ENTITY-SENSOR-MIB"):
        facility_facts({oid: None for oid in UPS_OIDS.values()}, {}, {})


def test_credentials_never_show_their_passwords() -> None:
    credentials = Credentials("u", "SHA-256", "auth-secret-1", "AES", "priv-secret-1")
    assert "secret" not in repr(credentials) and "secret" not in str(credentials)


def _facility_var(tmp_path: Path, name: str, value: str) -> Path:
    inventory = build_inventory(tmp_path / "agency")
    hosts = inventory / "hosts.yml"
    doc = yaml.safe_load(hosts.read_text())
    doc["all"]["children"]["facility_devices"]["hosts"]["ups01"][name] = value
    hosts.write_text(yaml.safe_dump(doc))
    return inventory


@pytest.mark.parametrize("key", ["snmp_auth_password", "snmp_priv_password"])
def test_a_clear_text_snmp_password_in_the_inventory_is_refused(tmp_path: Path,
                                                                key: str) -> None:
    with pytest.raises(InventoryError) as caught:
        load_inventory(_facility_var(tmp_path, key, "hunter2-in-clear"))
    said = caught.value.one_line()
    assert "hosts.yml:" in said and f"{key} is written in clear text" in said
    assert "hunter2" not in said


@pytest.mark.parametrize(("key", "value", "said"), [
    ("snmp_auth_protocol", "MD5", "snmp_auth_protocol"),
    ("snmp_priv_protocol", "DES", "snmp_priv_protocol"),
    ("server_room", "basement", "unknown server room 'basement'"),
])
def test_weak_protocols_and_unknown_rooms_are_refused(tmp_path: Path, key: str, value: str,
                                                      said: str) -> None:
    with pytest.raises(InventoryError, match=said):
        load_inventory(_facility_var(tmp_path, key, value))


def test_a_vaulted_or_looked_up_password_is_accepted(tmp_path: Path) -> None:
    path = build_inventory(tmp_path / "agency")  # the group's passwords: environment lookups
    hosts = path / "hosts.yml"
    hosts.write_text(hosts.read_text().replace(
        "ups01: {role: ups, server_room: primary, ansible_host: 10.50.90.50}",
        "ups01:\n          role: ups\n          server_room: primary\n"
        "          ansible_host: 10.50.90.50\n          snmp_auth_password: !vault |\n"
        "            $ANSIBLE_VAULT;1.1;AES256\n            6231326263353933\n"))
    inventory = load_inventory(path)
    assert sorted((d.name, d.role, d.server_room) for d in inventory.facility_devices) == [
        ("env01", "sensor", "primary"), ("ups01", "ups", "primary")]
    ups01 = next(d for d in inventory.facility_devices if d.name == "ups01")
    assert ups01.vars["snmp_auth_password"] == "<vault-encrypted>"  # never decrypted here


# -- what a hostile agent can send -----------------------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_VALUES = (st.none() | st.booleans() | st.integers() | st.integers(-2**40, 2**40)
           | st.binary(max_size=300) | st.text(max_size=50) | st.floats())
_SUBIDS = st.integers(0, 2**70).map(str) | st.sampled_from(["1", "2", "3", "4", "5", "01",
                                                            "9" * 5000])


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(list(UPS_OIDS.values())), _VALUES, max_size=7),
       st.dictionaries(st.builds(lambda c, e: f"{SENSOR_TABLE}.{c}.{e}", _SUBIDS, _SUBIDS),
                       _VALUES, max_size=12),
       st.dictionaries(st.builds(lambda e: f"{ENT_PHYSICAL_NAME}.{e}", _SUBIDS), _VALUES,
                       max_size=4))
def test_any_answer_becomes_facts_or_a_reason(scalars: dict[str, Any], table: dict[str, Any],
                                              names: dict[str, Any]) -> None:
    """Whatever an agent answers (any type, any size, sub-identifiers of any length): facts,
    or AnswerError with the reason; never another exception."""
    try:
        facts = facility_facts(scalars, table, names)
    except AnswerError as exc:
        assert len(str(exc)) < 300
        return
    assert isinstance(facts["sensors"], list)


def test_an_answer_that_breaks_pysnmp_is_a_reason_not_a_traceback(
        capfd: pytest.CaptureFixture[str]) -> None:
    """pysnmp raised inside its datagram callback and asyncio printed the traceback on stderr
    (the read then timed out): now the reason says what broke, and stderr stays clean."""
    import socket
    import threading

    from egov_audit.facility.client import SnmpError, read_device

    agent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    agent.bind(("127.0.0.1", 0))

    def answer() -> None:
        _, peer = agent.recvfrom(65535)
        agent.sendto(bytes.fromhex("600710020103301102"), peer)  # a BER tag pyasn1 trips on

    threading.Thread(target=answer, daemon=True).start()
    try:
        with pytest.raises(SnmpError, match="an answer pysnmp could not process: TypeError"):
            read_device("127.0.0.1", Credentials("u", "SHA", "a" * 12, "AES", "p" * 12),
                        port=agent.getsockname()[1], timeout=0.5, retries=0, deadline=5)
    finally:
        agent.close()
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and "Exception in callback" not in captured.err

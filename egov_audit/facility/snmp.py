"""Reading a facility device over SNMPv3 and making its answers facts.

The device may be compromised or broken: every value is checked for its type and range before
it becomes a fact, and an answer that makes no sense (a string where a number belongs, a battery
status outside the MIB's enumeration) fails the device with the reason, never the scan. No
credential is ever part of a fact, a reason or a log line.

    UPS-MIB (RFC 1628), scalars under 1.3.6.1.2.1.33.1:
      upsIdentManufacturer .1.1.0, upsIdentModel .1.2.0            (strings)
      upsBatteryStatus .2.1.0 (1 unknown, 2 normal, 3 low, 4 depleted)
      upsSecondsOnBattery .2.2.0, upsEstimatedMinutesRemaining .2.3.0,
      upsEstimatedChargeRemaining .2.4.0 (percent)
      upsOutputSource .4.1.0 (1 other, 2 none, 3 normal, 4 bypass, 5 battery, 6 booster,
                              7 reducer)
      upsAlarmsPresent .6.1.0
    ENTITY-SENSOR-MIB (RFC 3433), entPhySensorTable 1.3.6.1.2.1.99.1.1.1, per entity index:
      .1 type (8 celsius, 9 percentRH, ...), .2 scale (9 units, 8 milli, ...), .3 precision,
      .4 value, .5 oper status (1 ok, 2 unavailable, 3 nonoperational)
    ENTITY-MIB entPhysicalName 1.3.6.1.2.1.47.1.1.1.1.7.<index> names a sensor where it can.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

UPS = "1.3.6.1.2.1.33.1"
UPS_OIDS = {
    "manufacturer": f"{UPS}.1.1.0", "model": f"{UPS}.1.2.0",
    "battery_status": f"{UPS}.2.1.0", "seconds_on_battery": f"{UPS}.2.2.0",
    "minutes_remaining": f"{UPS}.2.3.0", "charge_pct": f"{UPS}.2.4.0",
    "output_source": f"{UPS}.4.1.0", "alarms": f"{UPS}.6.1.0",
}
SENSOR_TABLE = "1.3.6.1.2.1.99.1.1.1"
ENT_PHYSICAL_NAME = "1.3.6.1.2.1.47.1.1.1.1.7"
BATTERY_STATUS = {1: "unknown", 2: "normal", 3: "low", 4: "depleted"}
OUTPUT_SOURCE = {1: "other", 2: "none", 3: "normal", 4: "bypass", 5: "battery", 6: "booster",
                 7: "reducer"}
SENSOR_TYPE = {1: "other", 2: "unknown", 3: "volts_ac", 4: "volts_dc", 5: "amperes", 6: "watts",
               7: "hertz", 8: "celsius", 9: "percent_rh", 10: "rpm", 11: "cmm",
               12: "truthvalue", 13: "special_enum", 14: "dbm"}
SENSOR_STATUS = {1: "ok", 2: "unavailable", 3: "nonoperational"}
# entPhySensorScale: the power of ten of the value's unit (units = 10^0)
SCALE = {1: -24, 2: -21, 3: -18, 4: -15, 5: -12, 6: -9, 7: -6, 8: -3, 9: 0, 10: 3, 11: 6, 12: 9,
         13: 12, 14: 15, 15: 18, 16: 21, 17: 24}
MAX_SENSORS = 256
_MAX_TEXT = 128


class AnswerError(ValueError):
    """The device answered something the MIB does not allow."""


@dataclass(frozen=True)
class Credentials:
    """SNMPv3 USM settings. Secrets live here only for the time of the request; repr hides them."""

    user: str
    auth_protocol: str  # SHA, SHA-224, SHA-256, SHA-384, SHA-512
    auth_password: str
    priv_protocol: str  # AES, AES-192, AES-256
    priv_password: str

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, auth={self.auth_protocol}, " \
               f"priv={self.priv_protocol}, passwords hidden)"


def _integer(value: Any, what: str, low: int = 0, high: int = 2**32 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise AnswerError(f"{what}: {_shown(value)} is not an integer in {low}-{high}")
    return value


def _enum(value: Any, table: Mapping[int, str], what: str) -> str:
    number = _integer(value, what, 0, 2**31 - 1)
    if number not in table:
        raise AnswerError(f"{what}: {number} is not a value the MIB defines")
    return table[number]


def _text(value: Any) -> str:
    """A device string as printable text, bounded (it ends up in reports)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        raise AnswerError(f"{_shown(value)} is not a string")
    return "".join(c if c.isprintable() else "?" for c in value)[:_MAX_TEXT]


def _shown(value: Any) -> str:
    return repr(value)[:40]


def ups_facts(answers: Mapping[str, Any]) -> dict[str, Any] | None:
    """UPS-MIB scalars (OID -> Python value; absent when the device has no such object) as
    facts; None when the device speaks no UPS-MIB at all."""
    got = {name: answers[oid] for name, oid in UPS_OIDS.items() if answers.get(oid) is not None}
    if not got:
        return None
    if "battery_status" not in got or "output_source" not in got:
        raise AnswerError("UPS-MIB without upsBatteryStatus or upsOutputSource")
    facts: dict[str, Any] = {
        "battery_status": _enum(got["battery_status"], BATTERY_STATUS, "upsBatteryStatus"),
        "output_source": _enum(got["output_source"], OUTPUT_SOURCE, "upsOutputSource"),
    }
    for name, what, high in (("seconds_on_battery", "upsSecondsOnBattery", 2**31 - 1),
                             ("minutes_remaining", "upsEstimatedMinutesRemaining", 2**31 - 1),
                             ("charge_pct", "upsEstimatedChargeRemaining", 100),
                             ("alarms", "upsAlarmsPresent", 2**32 - 1)):
        if name in got:
            facts[name] = _integer(got[name], what, 0, high)
    for name in ("manufacturer", "model"):
        if name in got:
            facts[name] = _text(got[name])
    return facts


def sensor_facts(table: Mapping[str, Any], names: Mapping[str, Any]) -> list[dict[str, Any]]:
    """ENTITY-SENSOR-MIB rows (OID -> value, from a WALK of entPhySensorTable) as facts: one per
    entity index, the value scaled to its unit (°C, %RH) with its precision."""
    rows: dict[int, dict[int, Any]] = {}
    for oid, value in table.items():
        if not oid.startswith(SENSOR_TABLE + "."):
            continue
        column, _, entity = oid[len(SENSOR_TABLE) + 1:].partition(".")
        # sub-identifiers are 32-bit (RFC 2578): bounded before they are converted
        if not (column.isascii() and column.isdigit() and entity.isascii()
                and entity.isdigit() and len(column) <= 10 and len(entity) <= 10):
            raise AnswerError(f"entPhySensorTable: unexpected OID {_shown(oid)}")
        rows.setdefault(int(entity), {})[int(column)] = value
        if len(rows) > MAX_SENSORS:
            raise AnswerError(f"more than {MAX_SENSORS} sensors")
    out = []
    for index, row in sorted(rows.items()):
        if not {1, 2, 3, 4, 5} <= set(row):
            raise AnswerError(f"entPhySensorTable row {index} is incomplete")
        kind = _enum(row[1], SENSOR_TYPE, "entPhySensorType")
        scale = SCALE.get(_integer(row[2], "entPhySensorScale", 1, 17), 0)
        precision = _integer(row[3], "entPhySensorPrecision", -8, 9)
        raw = _integer(row[4], "entPhySensorValue", -1_000_000_000, 1_000_000_000)
        value = round(raw * 10.0 ** (scale - precision), 6)
        name = names.get(f"{ENT_PHYSICAL_NAME}.{index}")
        out.append({"index": index, "name": _text(name) if name is not None else f"sensor {index}",
                    "type": kind, "value": value,
                    "status": _enum(row[5], SENSOR_STATUS, "entPhySensorOperStatus")})
    return out


def facility_facts(scalars: Mapping[str, Any], table: Mapping[str, Any],
                   names: Mapping[str, Any]) -> dict[str, Any]:
    """Everything read from one device as its facts (raises AnswerError on nonsense)."""
    ups = ups_facts(scalars)
    sensors = sensor_facts(table, names)
    if ups is None and not sensors:
        raise AnswerError("the device answers neither UPS-MIB nor ENTITY-SENSOR-MIB")
    facts: dict[str, Any] = {"sensors": sensors}
    if ups is not None:
        facts["ups"] = ups
    return facts

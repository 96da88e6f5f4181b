"""Server rooms as measured: what the UPSes and room sensors (group facility_devices, read over
SNMPv3) report, against the level's requirement and against the room's survey. Each finding
shows the survey value and the measured value side by side.

A room with no networked UPS or sensor declared is judged by its survey alone (these controls
are not applicable there); a room whose devices could not be read is not assessed, with each
device's reason."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..facility.kind import FACILITY_SNMP
from ..inventory.model import FacilityDevice, ServerRoom, locate
from ..models import Location, TargetKind, Text
from ..policy import Control
from .context import CheckContext, Finding, Verdicts, cap_list, named_check

if TYPE_CHECKING:
    from ..evidence.model import HostEvidence

ROOM = TargetKind.SERVER_ROOM
_NONE_DECLARED = Text("không khai báo UPS hay cảm biến nối mạng nào trong phòng này (nhóm "
                      "facility_devices): phòng được đánh giá theo phiếu khảo sát",
                      "no networked UPS or sensor is declared in this room (group "
                      "facility_devices): the room is judged by its survey")


@dataclass(frozen=True)
class Reading:
    """What one UPS or room sensor reported over SNMP, and when."""

    device: FacilityDevice
    facts: Mapping[str, Any]
    collected_at: str


def _survey(room: ServerRoom, section: str, key: str) -> Any:
    value = (room.data.get(section) or {}).get(key)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _survey_where(room: ServerRoom, section: str, key: str) -> Location:
    if _survey(room, section, key) is not None:
        return locate(room.source, (section, key))
    return locate(room.source)


def _readings(ctx: CheckContext, room: ServerRoom, verdicts: Verdicts
              ) -> tuple[list[Reading], list[Finding]]:
    """The room's collected readings, or the one finding that says why there are none."""
    devices = [d for d in ctx.inventory.facility_devices if d.server_room == room.id]
    if not devices:
        return [], [verdicts.not_applicable(f"Không áp dụng: {_NONE_DECLARED.vi}.",
                                            f"Not applicable: {_NONE_DECLARED.en}.",
                                            _NONE_DECLARED, (locate(room.source),))]
    facility = ctx.of(FACILITY_SNMP) or {}
    readings: list[Reading] = []
    missing: list[str] = []
    for device in devices:
        found: HostEvidence | None = facility.get(device.name)
        if found is not None and found.collected:
            readings.append(Reading(device, found.facts, found.collected_at))
        else:
            reason = "no evidence collected" if found is None else (found.reason or found.status)
            missing.append(f"{device.name}: {reason}")
    if readings:
        return readings, []
    why = cap_list(missing, 5)
    return [], [verdicts.not_assessed(
        f"Không đánh giá được: không đọc được thiết bị nào của phòng ({why}).",
        f"Not assessed: none of the room's devices could be read ({why}).",
        Text(f"không đọc được: {why}", f"not read: {why}"),
        [device.where for device in devices[:10]])]


def _per_room(ctx: CheckContext, expected: Callable[[ServerRoom], Text | str],
              judge: Callable[[ServerRoom, Verdicts, list[Reading]], list[Finding]]
              ) -> list[Finding]:
    out: list[Finding] = []
    for room in ctx.inventory.server_rooms:
        verdicts = Verdicts(f"room:{room.id}", ROOM, expected(room))
        readings, unjudged = _readings(ctx, room, verdicts)
        out.extend(unjudged or judge(room, verdicts, readings))
    return out


def _ups(readings: Sequence[Reading]) -> list[tuple[Reading, Mapping[str, Any]]]:
    return [(r, r.facts["ups"]) for r in readings if isinstance(r.facts.get("ups"), Mapping)]


def _sensors(readings: Sequence[Reading], kind: str) -> list[tuple[Reading, Mapping[str, Any]]]:
    return [(r, s) for r in readings for s in r.facts.get("sensors", ())
            if s.get("type") == kind]


def _where(room: ServerRoom, section: str, key: str,
           readings: Sequence[Reading]) -> list[Location]:
    return [_survey_where(room, section, key), *(r.device.where for r in readings[:10])]


def _number(value: float) -> str:
    return f"{value:g}"


# -- ROOM-PWR-07 ------------------------------------------------------------------------------
@named_check("facility_ups_runtime", ROOM, requires=Text(
    "thời gian lưu điện đo được của UPS ≥ {min_ups_runtime_min} phút",
    "a measured UPS runtime of at least {min_ups_runtime_min} minutes"),
    reads=[FACILITY_SNMP], params=["server_room.min_ups_runtime_min"])
def facility_ups_runtime(ctx: CheckContext, control: Control,
                         args: Mapping[str, Any]) -> list[Finding]:
    """Every UPS of the room estimates at least the level's minimum runtime on battery
    (upsEstimatedMinutesRemaining), beside the survey's figure."""
    minimum = float(ctx.param("server_room.min_ups_runtime_min", control))

    def judge(room: ServerRoom, verdicts: Verdicts, readings: list[Reading]) -> list[Finding]:
        ups = [(r, u) for r, u in _ups(readings) if "minutes_remaining" in u]
        survey = _survey(room, "power", "ups_runtime_min")
        claimed = Text(f"khảo sát: {_number(survey)} phút" if survey is not None
                       else "khảo sát: không khai báo",
                       f"survey: {_number(survey)} min" if survey is not None
                       else "survey: not declared")
        where = _where(room, "power", "ups_runtime_min", readings)
        if not ups:
            return [verdicts.not_applicable(
                "Không có UPS nào của phòng báo thời gian lưu điện còn lại.",
                "No UPS of the room reports its remaining runtime.", claimed, where)]
        measured = [(r.device.name, int(u["minutes_remaining"])) for r, u in ups]
        seen = ", ".join(f"{name}: {minutes}" for name, minutes in measured)
        observed = Text(f"đo được (phút) {seen} · {claimed.vi}",
                        f"measured (min) {seen} · {claimed.en}")
        seen_vi = ", ".join(f"{name} {minutes} phút" for name, minutes in measured)
        seen_en = ", ".join(f"{name} {minutes} min" for name, minutes in measured)
        short = [(name, minutes) for name, minutes in measured if minutes < minimum]
        if not short:
            return [verdicts.passed(f"UPS lưu điện đủ {_number(minimum)} phút: {seen_vi}.",
                                    f"The UPSes hold at least {_number(minimum)} min: "
                                    f"{seen_en}.", observed, where)]
        worst = ", ".join(f"{name} {minutes} phút" for name, minutes in short)
        worst_en = ", ".join(f"{name} {minutes} min" for name, minutes in short)
        return [verdicts.failed(
            f"UPS lưu điện dưới {_number(minimum)} phút: {worst} ({claimed.vi}).",
            f"UPS runtime below {_number(minimum)} min: {worst_en} ({claimed.en}).",
            observed, where)]

    return _per_room(ctx, lambda room: Text(f"≥ {_number(minimum)} phút",
                                            f"≥ {_number(minimum)} min"), judge)


# -- ROOM-PWR-08 ------------------------------------------------------------------------------
_BAD_BATTERY = {"low": Text("ắc quy yếu", "battery low"),
                "depleted": Text("ắc quy cạn", "battery depleted")}


@named_check("facility_ups_power", ROOM, requires=Text(
    "UPS chạy bằng điện lưới, ắc quy bình thường, không có cảnh báo",
    "UPSes on mains, their batteries normal, no alarm present"), reads=[FACILITY_SNMP])
def facility_ups_power(ctx: CheckContext, control: Control,
                       args: Mapping[str, Any]) -> list[Finding]:
    """Each UPS runs on mains (upsOutputSource normal), its battery is not low or depleted
    (upsBatteryStatus) and it has no alarm present (upsAlarmsPresent)."""

    def judge(room: ServerRoom, verdicts: Verdicts, readings: list[Reading]) -> list[Finding]:
        ups = _ups(readings)
        where = [r.device.where for r in readings[:10]]
        if not ups:
            return [verdicts.not_applicable("Phòng không có UPS nào trả lời UPS-MIB.",
                                            "No UPS of the room answers UPS-MIB.",
                                            Text("không có UPS", "no UPS"), where)]
        states: list[str] = []
        bad_vi: list[str] = []
        bad_en: list[str] = []
        for reading, facts in ups:
            name = reading.device.name
            alarms = int(facts.get("alarms", 0))
            states.append(f"{name}: output {facts['output_source']}, battery "
                          f"{facts['battery_status']}, alarms {alarms}")
            vi: list[str] = []
            en: list[str] = []
            if facts["output_source"] != "normal":
                seconds = facts.get("seconds_on_battery")
                since = f", {seconds} s" if seconds else ""
                vi.append(f"nguồn ra {facts['output_source']}{since}")
                en.append(f"output source {facts['output_source']}{since}")
            if facts["battery_status"] in _BAD_BATTERY:
                vi.append(_BAD_BATTERY[facts["battery_status"]].vi)
                en.append(_BAD_BATTERY[facts["battery_status"]].en)
            if alarms:
                vi.append(f"cảnh báo: {alarms}")
                en.append(f"alarms present: {alarms}")
            if en:
                bad_vi.append(f"{name} ({', '.join(vi)})")
                bad_en.append(f"{name} ({', '.join(en)})")
        observed = "; ".join(states)
        if not bad_en:
            return [verdicts.passed("Mọi UPS chạy điện lưới, ắc quy bình thường.",
                                    "Every UPS is on mains with a normal battery.", observed,
                                    where)]
        return [verdicts.failed(f"UPS không ở trạng thái bình thường: {', '.join(bad_vi)}.",
                                f"UPSes not in a normal state: {', '.join(bad_en)}.",
                                observed, where)]

    return _per_room(ctx, lambda room: Text(
        "điện lưới (output normal), ắc quy normal, 0 cảnh báo",
        "on mains (output normal), battery normal, 0 alarms"), judge)


# -- ROOM-ENV-03 / ROOM-ENV-04 ----------------------------------------------------------------
def _in_range(ctx: CheckContext, control: Control, param: str, kind: str, survey_key: str,
              unit: str, what: Text) -> list[Finding]:
    low, high = (float(v) for v in ctx.param(param, control))

    def judge(room: ServerRoom, verdicts: Verdicts, readings: list[Reading]) -> list[Finding]:
        sensors = _sensors(readings, kind)
        survey = _survey(room, "environment", survey_key)
        claimed = Text(f"khảo sát: {_number(survey)}{unit}" if survey is not None
                       else "khảo sát: không khai báo",
                       f"survey: {_number(survey)}{unit}" if survey is not None
                       else "survey: not declared")
        where = _where(room, "environment", survey_key, readings)
        working = [(r, s) for r, s in sensors if s.get("status") == "ok"]
        if not sensors:
            return [verdicts.not_applicable(f"Phòng không có cảm biến {what.vi}.",
                                            f"The room has no {what.en} sensor.", claimed,
                                            where)]
        if not working:
            down = ", ".join(f"{r.device.name}/{s['name']}: {s['status']}" for r, s in sensors)
            return [verdicts.not_assessed(f"Không cảm biến {what.vi} nào hoạt động: {down}.",
                                          f"No {what.en} sensor is working: {down}.",
                                          Text(f"{down} · {claimed.vi}", f"{down} · {claimed.en}"),
                                          where)]
        seen = "; ".join(f"{r.device.name}/{s['name']}: {_number(s['value'])}{unit}"
                         for r, s in working)
        observed = Text(f"đo được {seen} · {claimed.vi}", f"measured {seen} · {claimed.en}")
        outside = [f"{r.device.name}/{s['name']}: {_number(s['value'])}{unit}"
                   for r, s in working if not low <= float(s["value"]) <= high]
        if not outside:
            return [verdicts.passed(f"{what.vi.capitalize()} trong khoảng {_number(low)}-"
                                    f"{_number(high)}{unit}: {seen}.",
                                    f"{what.en.capitalize()} within {_number(low)}-"
                                    f"{_number(high)}{unit}: {seen}.", observed, where)]
        return [verdicts.failed(f"{what.vi.capitalize()} ngoài khoảng {_number(low)}-"
                                f"{_number(high)}{unit}: {'; '.join(outside)} ({claimed.vi}).",
                                f"{what.en.capitalize()} outside {_number(low)}-"
                                f"{_number(high)}{unit}: {'; '.join(outside)} ({claimed.en}).",
                                observed, where)]

    return _per_room(ctx, lambda room: f"{_number(low)}-{_number(high)}{unit}", judge)


@named_check("facility_temperature", ROOM, requires=Text(
    "nhiệt độ đo được trong khoảng {inlet_temp_range_c} °C",
    "a measured temperature within {inlet_temp_range_c} °C"),
    reads=[FACILITY_SNMP], params=["server_room.inlet_temp_range_c"])
def facility_temperature(ctx: CheckContext, control: Control,
                         args: Mapping[str, Any]) -> list[Finding]:
    """Every working temperature sensor of the room (ENTITY-SENSOR-MIB, celsius) reads within
    the level's range, beside the survey's inlet temperature."""
    return _in_range(ctx, control, "server_room.inlet_temp_range_c", "celsius", "inlet_temp_c",
                     " °C", Text("nhiệt độ", "temperature"))


@named_check("facility_humidity", ROOM, requires=Text(
    "độ ẩm đo được trong khoảng {humidity_range_pct} %",
    "a measured relative humidity within {humidity_range_pct} %"),
    reads=[FACILITY_SNMP], params=["server_room.humidity_range_pct"])
def facility_humidity(ctx: CheckContext, control: Control,
                      args: Mapping[str, Any]) -> list[Finding]:
    """Every working humidity sensor of the room (ENTITY-SENSOR-MIB, percentRH) reads within the
    level's range, beside the survey's humidity."""
    return _in_range(ctx, control, "server_room.humidity_range_pct", "percent_rh",
                     "humidity_pct", " %", Text("độ ẩm", "humidity"))


# -- ROOM-MEAS-01 -----------------------------------------------------------------------------
# how far the survey may be from a measurement before they disagree: runtimes move with the load,
# a room's temperature and humidity through the day
RUNTIME_TOLERANCE = (5.0, 0.25)  # minutes, and a share of the survey's figure
TEMPERATURE_TOLERANCE = 3.0  # °C
HUMIDITY_TOLERANCE = 10.0  # percentage points


def _apart(tolerance: float) -> Callable[[float, float], bool]:
    return lambda survey, measured: abs(survey - measured) > tolerance


@named_check("facility_survey_agrees", ROOM, requires=Text(
    "phiếu khảo sát phòng máy chủ khớp với số đo của thiết bị",
    "the server-room survey agrees with what its devices measure"), reads=[FACILITY_SNMP])
def facility_survey_agrees(ctx: CheckContext, control: Control,
                           args: Mapping[str, Any]) -> list[Finding]:
    """The survey's UPS runtime is not above the measured one by more than 5 minutes or a
    quarter; its temperature and humidity are within 3 °C and 10 points of the sensors'."""

    def judge(room: ServerRoom, verdicts: Verdicts, readings: list[Reading]) -> list[Finding]:
        pairs_vi: list[str] = []
        pairs_en: list[str] = []
        off_vi: list[str] = []
        off_en: list[str] = []
        where: list[Location] = []

        def compare(label: Text, section: str, key: str, measured: list[float], unit: str,
                    disagrees: Callable[[float, float], bool], aggregate: str) -> None:
            survey = _survey(room, section, key)
            if survey is None or not measured:
                return
            value = min(measured) if aggregate == "min" else sum(measured) / len(measured)
            pair_vi = f"{label.vi}: khảo sát {_number(survey)}{unit}, đo {_number(value)}{unit}"
            pair_en = f"{label.en}: survey {_number(survey)}{unit}, measured " \
                      f"{_number(round(value, 1))}{unit}"
            pairs_vi.append(pair_vi)
            pairs_en.append(pair_en)
            where.append(_survey_where(room, section, key))
            if disagrees(float(survey), value):
                off_vi.append(pair_vi)
                off_en.append(pair_en)

        runtime = [float(u["minutes_remaining"]) for _, u in _ups(readings)
                   if "minutes_remaining" in u]
        compare(Text("thời gian lưu điện", "UPS runtime"), "power", "ups_runtime_min", runtime,
                " min", lambda survey, got: survey - got > max(RUNTIME_TOLERANCE[0],
                                                                RUNTIME_TOLERANCE[1] * survey),
                "min")
        for kind, key, label, unit, tolerance in (
                ("celsius", "inlet_temp_c", Text("nhiệt độ", "temperature"), " °C",
                 TEMPERATURE_TOLERANCE),
                ("percent_rh", "humidity_pct", Text("độ ẩm", "humidity"), " %",
                 HUMIDITY_TOLERANCE)):
            values = [float(s["value"]) for _, s in _sensors(readings, kind)
                      if s.get("status") == "ok"]
            compare(label, "environment", key, values, unit, _apart(tolerance), "mean")
        where.extend(r.device.where for r in readings[:10])
        observed = Text("; ".join(pairs_vi), "; ".join(pairs_en))
        if not pairs_en:
            return [verdicts.not_applicable(
                "Không có giá trị khảo sát nào đo được để đối chiếu.",
                "No survey value has a measurement to compare with.",
                Text("không có gì để đối chiếu", "nothing to compare"), where)]
        if not off_en:
            return [verdicts.passed(f"Khảo sát khớp với số đo: {'; '.join(pairs_vi)}.",
                                    f"The survey agrees with the measurements: "
                                    f"{'; '.join(pairs_en)}.", observed, where)]
        return [verdicts.failed(f"Khảo sát khác số đo: {'; '.join(off_vi)}.",
                                f"The survey disagrees with the measurements: "
                                f"{'; '.join(off_en)}.", observed, where)]

    return _per_room(ctx, lambda room: Text(
        "khảo sát khớp số đo (lưu điện, nhiệt độ ±3 °C, độ ẩm ±10 %)",
        "survey matches the measurements (runtime, temperature ±3 °C, humidity ±10 %)"), judge)

"""Real UPSes and room sensors: Net-SNMP agents (SNMPv3 only, UPS-MIB and ENTITY-SENSOR-MIB
served by pass_persist) in their own network namespaces, read by `egov-audit scan` through the
facility play of playbooks/collect.yml, their readings judged against the level and against the
rooms' survey. A UPS whose credentials are refused, one that never answers and one that answers
garbage are not assessed with their reasons while the rest is judged; no SNMP password is in any
output; the machine's links, routes and firewall are unchanged. Root only: CI runs as root."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from egov_audit import lab as lab_module
from tests.helpers import bundle_dict
from tests.helpers import run_long as run_cli
from tests.lab.conftest import StartLab

pytestmark = [pytest.mark.lab,
              pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root; CI runs as root")]

CONTROLS = ("ROOM-PWR-07", "ROOM-PWR-08", "ROOM-ENV-03", "ROOM-ENV-04", "ROOM-MEAS-01")


@pytest.fixture(scope="module")
def facility_lab(start_lab: StartLab) -> lab_module.Lab:
    return start_lab("facilitylab", lab_module.FACILITY, keeps_network=True)


def _secrets(lab: lab_module.Lab) -> dict[str, str]:
    return dict(line.split("=", 1) for line in
                (lab.state / "facility.env").read_text().splitlines() if line)


@pytest.fixture(scope="module")
def scanned(facility_lab: lab_module.Lab, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[Any, dict[str, Any], Path]:
    evidence = tmp_path_factory.mktemp("facility-evidence")
    env = {**os.environ, **_secrets(facility_lab)}
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        proc = run_cli("scan", str(facility_lab.inventory), "--evidence", str(evidence), "-f",
                       "json", "--lang", "en", "--fail-on", "none")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc, bundle_dict(proc.stdout), evidence


def _verdicts(bundle: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(r["control"], r["target"]): r["status"] for r in bundle["results"]
            if r["control"] in CONTROLS}


def test_the_rooms_are_judged_on_what_their_devices_measure(scanned: Any) -> None:
    _, bundle, evidence = scanned
    verdicts = _verdicts(bundle)
    assert verdicts == {
        # a healthy UPS (42 min) and a hot room (31.5 °C, 55 %): the survey said 22 °C
        ("ROOM-PWR-07", "room:main"): "pass", ("ROOM-PWR-08", "room:main"): "pass",
        ("ROOM-ENV-03", "room:main"): "fail", ("ROOM-ENV-04", "room:main"): "pass",
        ("ROOM-MEAS-01", "room:main"): "fail",
        # a UPS on battery, its battery low, 4 minutes left: the survey said 30
        ("ROOM-PWR-07", "room:annex"): "fail", ("ROOM-PWR-08", "room:annex"): "fail",
        ("ROOM-ENV-03", "room:annex"): "not_applicable",
        ("ROOM-ENV-04", "room:annex"): "not_applicable",
        ("ROOM-MEAS-01", "room:annex"): "fail",
        # nothing could be read there
        **{(control, "room:store"): "not_assessed" for control in CONTROLS},
    }, verdicts
    by_key = {(r["control"], r["target"]): r for r in bundle["results"]}
    runtime = by_key[("ROOM-PWR-07", "room:annex")]
    # survey and measurement side by side, in both languages
    assert "ups02: 4" in runtime["observed"]["en"] and "survey: 30 min" in runtime["observed"]["en"]
    assert "khảo sát: 30 phút" in runtime["observed"]["vi"]
    assert "output source battery" in by_key[("ROOM-PWR-08", "room:annex")]["message"]["en"]
    assert "31.5 °C" in by_key[("ROOM-ENV-03", "room:main")]["observed"]["en"]
    ups02 = bundle_dict((evidence / "facility" / "ups02.json").read_text())
    assert ups02["facts"]["ups"] == {
        "battery_status": "low", "output_source": "battery", "seconds_on_battery": 600,
        "minutes_remaining": 4, "charge_pct": 18, "alarms": 1, "manufacturer": "LabPower",
        "model": "LP-3000 RT"}


def test_unreadable_devices_are_not_assessed_with_their_reasons(scanned: Any) -> None:
    proc, bundle, _ = scanned
    targets = {t["id"]: t for t in bundle["targets"] if t["kind"] == "facility"}
    assert {name: t["status"] for name, t in targets.items()} == {
        "ups01": "assessed", "env01": "assessed", "ups02": "assessed",
        "ups03": "failed", "ups04": "failed", "ups05": "failed"}
    assert "Wrong SNMP PDU digest" in targets["ups03"]["reason"]  # refused credentials
    assert "timeout" in targets["ups04"]["reason"]  # silence
    assert "non-SNMP answers" in targets["ups05"]["reason"]  # garbage
    store = next(r for r in bundle["results"]
                 if r["control"] == "ROOM-PWR-07" and r["target"] == "room:store")
    for device in ("ups03", "ups04", "ups05"):
        assert device in store["message"]["en"]
    assert "3 failed" in proc.stderr


def test_a_password_missing_from_the_environment_is_named(facility_lab: lab_module.Lab,
                                                          tmp_path: Path) -> None:
    """The inventory reads the SNMP passwords from the environment; one variable unset: every
    device says which password and which variable, not ZeroDivisionError; nothing secret."""
    secrets = _secrets(facility_lab)
    unset = "EGOV_LAB_SNMP_AUTH"
    assert unset in secrets
    proc = run_cli("scan", str(facility_lab.inventory), "--evidence", str(tmp_path / "ev"),
                   "-f", "json", "--lang", "en", "--fail-on", "none",
                   env={k: v for k, v in secrets.items() if k != unset})
    assert proc.returncode == 0, proc.stderr[-2000:]
    targets = {t["id"]: t for t in bundle_dict(proc.stdout)["targets"]
               if t["kind"] == "facility"}
    said = (f"snmp_auth_password is empty for this facility device (from environment variable "
            f"{unset}, which is not set)")
    uses_it = [name for name, t in targets.items() if said in t.get("reason", "")]
    assert {"ups01", "env01", "ups02"} <= set(uses_it), targets
    assert "ZeroDivisionError" not in proc.stdout + proc.stderr
    for secret in secrets.values():
        assert secret not in proc.stdout + proc.stderr


def test_no_snmp_password_is_in_any_output(facility_lab: lab_module.Lab, scanned: Any) -> None:
    proc, _, evidence = scanned
    written = [proc.stdout, proc.stderr, *(p.read_text() for p in evidence.rglob("*")
                                           if p.is_file())]
    for secret in _secrets(facility_lab).values():
        assert not any(secret in text for text in written), secret


def test_evaluate_offline_gives_the_same_verdicts(facility_lab: lab_module.Lab,
                                                  scanned: Any) -> None:
    _, bundle, evidence = scanned
    again = run_cli("evaluate", str(facility_lab.inventory), "--evidence", str(evidence), "-f",
                    "json", "--fail-on", "none")
    assert again.returncode == 0, again.stderr[-2000:]
    assert _verdicts(bundle_dict(again.stdout)) == _verdicts(bundle)

"""`--device-configs`: a folder of router and firewall backups judged through the real command
line. Gaps point at the backup's file and line in every format (SARIF included); no secret of
any vendor's backup reaches any output; a bad file costs only its own device."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import (
    FIXTURES,
    REPO,
    build_device_configs,
    build_inventory,
    bundle_dict,
    run_cli,
)

SONG_LAM = REPO / "inventories" / "song-lam"
SONG_LAM_CONFIGS = SONG_LAM / ".egov-audit" / "device-configs"
FORMATS = ("text", "json", "markdown", "html", "csv", "junit", "sarif", "xlsx")


def _planted(folder: Path) -> list[str]:
    """The secret values written in the fixture backups: every PLANTED-... token."""
    import re

    found: set[str] = set()
    for path in folder.iterdir():
        if path.is_file():
            found.update(re.findall(r"PLANTED[\w-]*", path.read_text()))
    return sorted(found)


@pytest.fixture(scope="module")
def every_vendor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compliant pair plus one backup of each vendor in scope, secrets planted in each."""
    folder = tmp_path_factory.mktemp("configs") / "backups"
    build_device_configs(folder)
    for name in ("fgt01.conf", "srx01.conf", "frr-edge.cfg", "planted-secrets.cfg"):
        shutil.copy(FIXTURES / "device-configs" / name, folder / name)
    shutil.copy(FIXTURES / "device-configs" / "edge01.cfg", folder / "ios-weak.cfg")
    shutil.copy(FIXTURES / "device-configs" / "fw01.cfg", folder / "asa-weak.cfg")
    return folder


def test_no_secret_reaches_any_report(every_vendor: Path, tmp_path: Path) -> None:
    planted = _planted(every_vendor)
    assert len(planted) >= 20  # every vendor's fixture plants its own
    inventory = build_inventory(tmp_path / "agency")
    for fmt in FORMATS:
        out = tmp_path / f"report.{fmt}"
        proc = run_cli("validate", str(inventory), "--device-configs", str(every_vendor),
                       "--documentation-as-public", "-f", fmt, "-o", str(out), "--lang", "en")
        assert proc.returncode == 1, proc.stderr
        if fmt == "xlsx":
            import zipfile

            with zipfile.ZipFile(out) as book:
                written = "".join(book.read(n).decode("utf-8", "replace")
                                  for n in book.namelist())
        else:
            written = out.read_text()
        leaked = [s for s in planted if s in written + proc.stdout + proc.stderr]
        assert leaked == [], (fmt, leaked)


def test_sarif_points_at_the_backup_line(every_vendor: Path, tmp_path: Path) -> None:
    inventory = build_inventory(tmp_path / "agency")
    out = tmp_path / "r.sarif"
    proc = run_cli("validate", str(inventory), "--device-configs", str(every_vendor),
                   "--documentation-as-public", "-f", "sarif", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    results = bundle_dict(out.read_text())["runs"][0]["results"]
    telnet = [r for r in results if r["ruleId"] == "NETDEV-TEL-01"
              and "ios-weak" in json.dumps(r["locations"])]
    assert telnet, [r["ruleId"] for r in results]
    place = telnet[0]["locations"][0]["physicalLocation"]
    assert place["artifactLocation"]["uri"].endswith("ios-weak.cfg")
    line = place["region"]["startLine"]
    assert (every_vendor / "ios-weak.cfg").read_text().splitlines()[line - 1] == \
        " transport input ssh telnet"


def test_song_lam_gaps_found_from_its_backups() -> None:
    """The demo's province: the declared plan and the configured one side by side."""
    proc = run_cli("validate", str(SONG_LAM), "--device-configs", str(SONG_LAM_CONFIGS),
                   "-f", "json", cwd=REPO)
    assert proc.returncode == 1, proc.stderr
    bundle = bundle_dict(proc.stdout)
    failing = {(r["control"], r["target"]) for r in bundle["results"] if r["status"] == "fail"}
    assert {("NET-BGP-01", "network"), ("NET-BGP-03", "network"), ("NET-DEV-01", "network"),
            ("NETDEV-TEL-01", "edge01"), ("NETDEV-SNMP-01", "fw01"),
            ("NETDEV-PWD-01", "edge01")} <= failing
    announced = next(r for r in bundle["results"] if r["control"] == "NET-BGP-03")
    assert "203.0.113.0/24" in announced["message"]["en"]
    assert [t["id"] for t in bundle["targets"] if t["kind"] == "device"] == ["edge01", "fw01"]
    # without the backups the devices are listed, and no device control runs
    plain = bundle_dict(run_cli("validate", str(SONG_LAM), "-f", "json", cwd=REPO).stdout)
    assert not [r for r in plain["results"] if r["control"].startswith(("NETDEV-", "NET-DEV-"))]
    assert {t["id"] for t in plain["targets"] if t["kind"] == "device"} == {"edge01", "fw01"}


def test_a_bad_backup_costs_only_its_device(tmp_path: Path) -> None:
    configs = build_device_configs(tmp_path / "configs",
                                   {"fw01": {"text": "\x00\x01 not a configuration\n"}})
    inventory = build_inventory(tmp_path / "agency")
    proc = run_cli("validate", str(inventory), "--device-configs", str(configs),
                   "--documentation-as-public", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    bundle = bundle_dict(proc.stdout)
    fw01 = next(t for t in bundle["targets"] if t["id"] == "fw01")
    assert fw01["status"] == "failed" and "fw01.cfg" in fw01["reason"]
    edge = [r for r in bundle["results"] if r["target"] == "edge01"]
    assert edge and all(r["status"] == "pass" for r in edge)
    assert {r["status"] for r in bundle["results"] if r["target"] == "fw01"} == {"not_assessed"}


@pytest.mark.parametrize("number", ["9" * 5000, "99999999999", "0" * 4400 + "1"])
def test_a_number_without_bound_costs_only_its_device(tmp_path: Path, number: str) -> None:
    """`neighbor X remote-as <5,000 digits>` ended validate with `internal error: ValueError`
    and every other device's verdicts were lost: now its device alone is refused, with the file,
    the line and the number shortened."""
    original = (FIXTURES / "device-configs-compliant" / "edge01.cfg").read_text()
    old = next(line for line in original.splitlines() if "remote-as" in line)
    line_number = original.splitlines().index(old) + 1
    configs = build_device_configs(tmp_path / "configs", {"edge01": {"replace": {
        old: old.rsplit(" ", 1)[0] + " " + number}}})
    inventory = build_inventory(tmp_path / "agency")
    proc = run_cli("validate", str(inventory), "--device-configs", str(configs),
                   "--documentation-as-public", "-f", "json", "--lang", "en")
    assert proc.returncode == 1, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    bundle = bundle_dict(proc.stdout)
    edge = next(t for t in bundle["targets"] if t["id"] == "edge01")
    assert edge["status"] == "failed", edge
    assert f"edge01.cfg:{line_number}: remote-as" in edge["reason"], edge["reason"]
    assert "is not a whole number from 0 to 4294967295" in edge["reason"]
    assert len(edge["reason"]) < 300  # never the number whole
    fw = [r for r in bundle["results"] if r["target"] == "fw01"]
    assert fw and all(r["status"] == "pass" for r in fw)


@pytest.mark.parametrize("folder", ["missing", "a-file"])
def test_a_folder_that_is_not_one_is_one_clear_line(folder: str, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    inventory = build_inventory(tmp_path / "agency")
    proc = run_cli("validate", str(inventory), "--device-configs", str(tmp_path / folder),
                   "--lang", "en")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and folder in proc.stderr


def test_devices_outside_their_group_are_refused(tmp_path: Path) -> None:
    inventory = build_inventory(tmp_path / "agency", patch={
        "set": {"hosts.app01.ansible_network_os": "cisco.ios.ios"}})
    proc = run_cli("validate", str(inventory), "--lang", "en")
    assert proc.returncode == 2
    assert "sets ansible_network_os but is not in group network_devices" in proc.stderr
    assert "hosts.yml" in proc.stderr

"""`egov-audit validate` as a real subprocess on the bundled sample inventories."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.helpers import REPO, bundle_dict, run_cli

SAMPLES = ["inventories/song-lam", "inventories/bo-hts", "inventories/ha-son"]


def test_console_script_is_installed() -> None:
    exe = shutil.which("egov-audit") or str(Path(__file__).parents[2] / ".venv/bin/egov-audit")
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False,
                          env={**os.environ, "EGOV_AUDIT_LANG": "en"})
    assert proc.returncode == 0 and "egov-audit" in proc.stdout
    # the catalogue a result bundle would record: its version and digest
    from egov_audit.checks.vocabulary import load_catalogue

    policy = load_catalogue()
    assert f"policies {policy.version} ({policy.digest[:19]}…), {len(policy.controls)} " \
        "controls" in proc.stdout
    vietnamese = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False,
                                env={**os.environ, "EGOV_AUDIT_LANG": "vi"})
    assert f"bộ chính sách {policy.version}" in vietnamese.stdout and "biện pháp kiểm soát" in \
        vietnamese.stdout


def test_national_validation_of_all_samples_finds_the_planted_overlap() -> None:
    proc = run_cli("validate", *SAMPLES, "--documentation-as-public", "-f", "json", cwd=REPO)
    assert proc.returncode == 1, proc.stderr
    data = bundle_dict(proc.stdout)
    assert [b["agency"]["code"] for b in data["bundles"]] == ["song-lam", "bo-hts", "ha-son"]
    (overlap,) = [r for r in data["national"]["results"] if r["control"] == "NET-IP-05"]
    assert overlap["status"] == "fail"
    observed = overlap["observed"]["en"]
    assert "ha-son ↔ song-lam" in observed
    assert "203.0.113.0/25" in observed and "203.0.113.64/26" in observed
    files = {loc["file"] for loc in overlap["locations"]}
    assert files == {"inventories/song-lam/group_vars/all/network.yml",
                     "inventories/ha-son/group_vars/all.yml"}
    scores = {b["agency"]["code"]: b["scores"]["overall"] for b in data["bundles"]}
    # the nearly compliant ministry scores best, the small province worst
    assert scores["bo-hts"] > scores["song-lam"] > scores["ha-son"]
    assert scores["bo-hts"] >= 90


def test_sample_province_gaps_are_the_ones_planted() -> None:
    proc = run_cli("validate", "inventories/song-lam", "-f", "json", cwd=REPO)
    data = bundle_dict(proc.stdout)
    failing = {(r["control"], r["target"]) for r in data["results"] if r["status"] == "fail"}
    assert {("NET-ASN-01", "network"), ("NET-IP-01", "network"), ("NET-IP-03", "network"),
            ("NET-IP-04", "network"), ("NET-IP-06", "file01"), ("NET-IP-07", "network"),
            ("NET-ZONE-01", "network"), ("NET-ZONE-02", "dvcdb01"), ("NET-ZONE-03", "network"),
            ("ROOM-LOC-01", "room:ubnd-b1"), ("ROOM-CCTV-02", "room:ubnd-b1")} <= failing
    assert data["options"] == {"documentation_as_public": False, "require_explicit": False}


def test_text_report_in_both_languages_from_the_real_cli() -> None:
    vi = run_cli("validate", "inventories/song-lam", "--lang", "vi", cwd=REPO)
    en = run_cli("validate", "inventories/song-lam", "--lang", "en", cwd=REPO)
    assert vi.returncode == en.returncode == 1
    assert "Báo cáo" in vi.stdout and "Gap report" in en.stdout
    assert "\x1b[" not in vi.stdout  # no colours when not writing to a terminal


def test_junit_and_sarif_files(tmp_path: Path) -> None:
    junit = tmp_path / "r.xml"
    sarif = tmp_path / "r.sarif"
    assert run_cli("validate", *SAMPLES, "-f", "junit", "-o", str(junit), cwd=REPO).returncode == 1
    assert run_cli("validate", *SAMPLES, "-f", "sarif", "-o", str(sarif), cwd=REPO).returncode == 1
    assert junit.read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>')
    log = bundle_dict(sarif.read_text())
    assert log["runs"][0]["tool"]["driver"]["name"] == "egov-audit"


def test_a_national_validation_judges_every_inventory_and_names_each_broken_one(
        tmp_path: Path) -> None:
    """`validate A B C D` stopped at the first broken inventory: now each broken one is named
    on its own line (exit 2) and the others are judged and reported, national checks included."""
    for name, sample in (("a", "song-lam"), ("b", "bo-hts"), ("c", "ha-son"), ("d", "ha-son")):
        shutil.copytree(REPO / "inventories" / sample, tmp_path / name)
    agency = tmp_path / "a" / "group_vars" / "all" / "agency.yml"
    agency.write_text(agency.read_text() + "  level: [\n")  # broken YAML
    shared = tmp_path / "c" / "group_vars" / "all.yml"
    shared.write_text(shared.read_text().replace("code: ha-son", "code: bo-hts"))  # taken code
    proc = run_cli("validate", *(str(tmp_path / n) for n in "abcd"), "-f", "json", "--lang",
                   "en", "--documentation-as-public", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 2, errors
    assert errors[0].startswith(f"egov-audit: error: {agency}:14:1: invalid YAML")
    assert errors[1] == f"egov-audit: error: {tmp_path / 'c'}: agency code 'bo-hts' is also " \
                        f"used by {tmp_path / 'b'}"
    result_set = bundle_dict(proc.stdout)
    assert [b["agency"]["code"] for b in result_set["bundles"]] == ["bo-hts", "ha-son"]
    assert result_set["national"]["results"]  # the national checks ran on the readable ones
    vietnamese = run_cli("validate", *(str(tmp_path / n) for n in "abcd"), "--lang", "vi",
                         cwd=tmp_path)
    assert vietnamese.returncode == 2 and vietnamese.stderr.count("egov-audit: lỗi: ") == 2

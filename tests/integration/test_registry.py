"""`--registry-file`: the declared ASN and blocks checked against the registry's delegation
statistics through the real command line: both ways, the three ways of naming the file, the
national holder list, and bad files refused with one line (file:line), in both languages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REGISTRY, REPO, build_inventory, build_registry, bundle_dict, run_cli

SAMPLE = REPO / "docs" / "samples" / "delegated-apnic-extended-sample"


def _results(path: Path, control_prefix: str = "NET-REG") -> dict[str, dict[str, Any]]:
    data = bundle_dict(path.read_text())
    bundles = data.get("bundles", [data])
    out = {}
    for bundle in bundles:
        for r in bundle["results"]:
            if r["control"].startswith(control_prefix):
                out[f"{bundle['agency']['code']}/{r['control']}"] = r
    for r in (data.get("national") or {}).get("results", []):
        if r["control"].startswith(control_prefix):
            out[f"national/{r['control']}"] = r
    return out


def test_the_compliant_agency_passes_against_its_registry_and_each_gap_points_at_both_files(
        tmp_path: Path) -> None:
    inventory = build_inventory(tmp_path / "agency")
    out = tmp_path / "r.json"
    run = run_cli("validate", str(inventory), "--registry-file", str(REGISTRY), "-f", "json",
                  "-o", str(out), "--fail-on", "none")
    assert run.returncode == 0, run.stderr
    found = _results(out)
    assert {k: r["status"] for k, r in found.items()} == {
        "compliant/NET-REG-01": "pass", "compliant/NET-REG-02": "pass",
        "compliant/NET-REG-03": "pass", "compliant/NET-REG-04": "not_applicable"}
    files = {loc["file"] for loc in found["compliant/NET-REG-01"]["locations"]}
    assert str(REGISTRY) in files and any(f.endswith("network.yml") for f in files)

    # the same agency, its ASN now Japan's and its IPv6 block another holder's
    registry = build_registry(tmp_path / "delegated", {"replace": {
        "apnic|VN|asn|64501": "apnic|JP|asn|64501",
        "2001:db8:a::|48|20190315|allocated|A91C0E5A": "2001:db8:a::|48|20190315|allocated|X1"}})
    run = run_cli("validate", str(inventory), "--registry-file", str(registry), "-f", "json",
                  "-o", str(out), "--fail-on", "none")
    found = _results(out)
    assert found["compliant/NET-REG-01"]["status"] == "fail"
    observed = found["compliant/NET-REG-01"]["observed"]["en"]
    assert "AS64501 · JP · allocated · 2019-03-15" in observed
    assert {"file": str(registry), "line": 7, "column": None} in \
        found["compliant/NET-REG-01"]["locations"]
    assert found["compliant/NET-REG-03"]["status"] == "fail"
    assert "X1: 2001:db8:a::/48" in found["compliant/NET-REG-03"]["observed"]["en"]


def test_without_a_registry_file_the_controls_say_why_in_both_languages(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    run_cli("validate", str(build_inventory(tmp_path / "agency")), "-f", "json", "-o", str(out),
            "--fail-on", "none")
    found = _results(out)
    assert len(found) == 4 and all(r["status"] == "not_assessed" for r in found.values())
    message = found["compliant/NET-REG-02"]["message"]
    assert "--registry-file" in message["en"] and "tệp thống kê" in message["vi"]


def test_the_environment_and_the_inventory_name_the_file_the_option_wins(tmp_path: Path) -> None:
    inventory = build_inventory(tmp_path / "agency")
    inside = inventory / ".egov-audit" / "delegated-apnic-extended-latest"
    build_registry(inside, {"replace": {"apnic|VN|asn|64501": "apnic|JP|asn|64501"}})
    network = inventory / "group_vars/all/network.yml"
    doc = yaml.safe_load(network.read_text())
    doc["network"]["registry_file"] = ".egov-audit/delegated-apnic-extended-latest"
    network.write_text(yaml.safe_dump(doc))
    out = tmp_path / "r.json"

    def asn_status(*extra: str, env: dict[str, str] | None = None) -> str:
        saved = dict(os.environ)
        os.environ.update(env or {})
        try:
            run = run_cli("validate", str(inventory), "-f", "json", "-o", str(out),
                          "--fail-on", "none", *extra)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        assert run.returncode == 0, run.stderr
        return str(_results(out)["compliant/NET-REG-01"]["status"])

    assert asn_status() == "fail"  # the inventory's own file (the ASN is Japan's there)
    assert asn_status(env={"EGOV_AUDIT_REGISTRY_FILE": str(REGISTRY)}) == "pass"
    assert asn_status("--registry-file", str(REGISTRY),
                      env={"EGOV_AUDIT_REGISTRY_FILE": str(inside)}) == "pass"


@pytest.mark.parametrize("declared", ["../outside", "/etc/passwd", "link/delegated"])
def test_an_inventory_cannot_point_the_registry_outside_its_folder(tmp_path: Path,
                                                                   declared: str) -> None:
    inventory = build_inventory(tmp_path / "agency")
    (tmp_path / "outside").write_text(REGISTRY.read_text())
    (inventory / "link").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "delegated").write_text(REGISTRY.read_text())
    network = inventory / "group_vars/all/network.yml"
    doc = yaml.safe_load(network.read_text())
    doc["network"]["registry_file"] = declared
    network.write_text(yaml.safe_dump(doc))
    run = run_cli("validate", str(inventory), "--lang", "en")
    assert run.returncode == 2 and run.stdout == ""
    line = run.stderr.strip()
    assert "\n" not in line and "Traceback" not in line and "network.yml:" in line, line
    assert "registry_file" in line


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "egov-audit: error: {file}:1: the version line announces 16 records, the file has "
           "15: truncated or altered (download it again)"),
    ("vi", "egov-audit: lỗi: {file}:1: dòng phiên bản báo 16 bản ghi, tệp có 15: tệp bị cắt cụt "
           "hoặc bị sửa (hãy tải lại)"),
])
def test_a_truncated_registry_file_is_one_line_and_exit_2(tmp_path: Path, lang: str,
                                                          said: str) -> None:
    registry = build_registry(tmp_path / "delegated", {"drop": ["apnic|AU|ipv6"]},
                              recount=False)
    run = run_cli("validate", str(build_inventory(tmp_path / "agency")), "--registry-file",
                  str(registry), "--lang", lang)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == said.format(file=registry) + "\n"


@pytest.mark.parametrize(("where", "edit", "line"), [
    ("header", {"replace": {"2.3|apnic|20261201|16|": "2.3|apnic|20261201|" + "9" * 5000 + "|"}},
     1),
    ("summary", {"replace": {"apnic|*|asn|*|4|summary": "apnic|*|asn|*|" + "9" * 5000
                             + "|summary"}}, 4),
    ("asn start", {"replace": {"apnic|JP|asn|64496|": "apnic|JP|asn|" + "9" * 5000 + "|"}}, 13),
    ("value", {"replace": {"apnic|JP|asn|64496|1|": "apnic|JP|asn|64496|" + "9" * 4000 + "|"}},
     13),
])
def test_a_number_without_bound_is_one_line_that_never_echoes_it(
        tmp_path: Path, where: str, edit: dict[str, Any], line: int) -> None:
    """Registry files crashed with a bare ValueError in the header, summary and record lines,
    and echoed a 4,000-digit value: now one line, file:line, the number shortened."""
    registry = build_registry(tmp_path / "delegated", edit, recount=False)
    run = run_cli("validate", str(build_inventory(tmp_path / "agency")), "--registry-file",
                  str(registry), "--lang", "en")
    assert run.returncode == 2, (where, run.stderr[-500:])
    assert f"{registry}:{line}: " in run.stderr and "digits)" in run.stderr, run.stderr[:500]
    assert len(run.stderr) < 400 and "internal error" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_a_malformed_line_names_its_line_and_hostile_bytes_stay_out_of_the_terminal(
        tmp_path: Path) -> None:
    registry = build_registry(tmp_path / "delegated", {"replace": {
        "apnic|JP|asn|64496": "apnic|JP|asn|\x1b[31m64496"}})
    run = run_cli("validate", str(build_inventory(tmp_path / "agency")), "--registry-file",
                  str(registry), "--lang", "en")
    assert run.returncode == 2
    assert f"{registry}:13: " in run.stderr and "is not a valid asn start" in run.stderr
    assert "\x1b" not in run.stderr


def test_national_mode_lists_holders_shared_by_agencies(tmp_path: Path) -> None:
    agency = build_inventory(tmp_path / "agency")
    other = build_inventory(tmp_path / "other", "other")
    shared = build_registry(tmp_path / "delegated", {"replace": {"A92B07E1": "A91C0E5A"}})
    out = tmp_path / "r.json"
    run = run_cli("validate", str(agency), str(other), "--registry-file", str(shared), "-f",
                  "json", "-o", str(out), "--fail-on", "none")
    assert run.returncode == 0, run.stderr
    national = _results(out)["national/NET-REG-05"]
    assert national["status"] == "fail"
    assert "A91C0E5A ← compliant, other" in national["observed"]["en"]
    run = run_cli("validate", str(agency), str(other), "--registry-file", str(REGISTRY), "-f",
                  "json", "-o", str(out), "--fail-on", "none")
    assert _results(out)["national/NET-REG-05"]["status"] == "pass"


def test_the_sample_agencies_against_the_sample_registry(tmp_path: Path) -> None:
    """What `make demo` shows: the province's provider block that is its own delegation, the
    private ASN that no registry lists, the ministry that passes."""
    out = tmp_path / "r.json"
    samples = sorted(p for p in (REPO / "inventories").iterdir() if p.is_dir())
    run = run_cli("validate", *map(str, samples), "--registry-file", str(SAMPLE), "-f", "json",
                  "-o", str(out), "--fail-on", "none")
    assert run.returncode == 0, run.stderr
    status = {k: r["status"] for k, r in _results(out).items()}
    assert status["bo-hts/NET-REG-01"] == status["bo-hts/NET-REG-02"] == "pass"
    assert status["bo-hts/NET-REG-03"] == "pass"
    assert status["song-lam/NET-REG-04"] == "fail"
    assert status["ha-son/NET-REG-01"] == "fail"
    assert status["national/NET-REG-05"] == "pass"


@pytest.mark.parametrize(("other_block", "expected"), [
    ("10.210.16.128/25", "fail"),  # the Central Post Office Department's space handed out twice
    ("10.210.17.0/24", "pass"),
])
def test_the_specialized_networks_space_is_unique_across_agencies(
        tmp_path: Path, other_block: str, expected: str) -> None:
    """NET-IP-05 through the command line: TSLCD blocks (private space) and the subnets inside
    them are compared across agencies; ordinary private space behind NAT is not."""
    agency = build_inventory(tmp_path / "agency", patch={
        "append": {"network.address_blocks": {"prefix": "10.210.16.0/24",
                                              "allocated_by": "TSLCD"},
                   "network.zones": {"name": "tslcd", "kind": "internal",
                                     "subnets": ["10.210.16.0/26"]}}})
    other = build_inventory(tmp_path / "other", "other", {
        "append": {"network.address_blocks": {"prefix": other_block, "allocated_by": "TSLCD"}}})
    out = tmp_path / "r.json"
    run = run_cli("validate", str(agency), str(other), "--documentation-as-public", "-f", "json",
                  "-o", str(out), "--fail-on", "none")
    assert run.returncode == 0, run.stderr
    national = _results(out, "NET-IP-05")["national/NET-IP-05"]
    assert national["status"] == expected, national["message"]["en"]
    # both agencies use 10.50.0.0/16 behind NAT (allocated internally): never a finding
    assert "10.50." not in national["observed"]["en"]
    if expected == "fail":
        assert "compliant 10.210.16.0/24 ⊇ other 10.210.16.128/25" in national["observed"]["en"]

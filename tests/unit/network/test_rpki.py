"""The VRP reader (rpki-client's and Routinator's JSON output, read strictly) and route origin
validation as RFC 6811 defines it: valid, invalid by origin, invalid by max-length, not found."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from egov_audit.ipnet import parse_net
from egov_audit.network.rpki import INVALID, NOT_FOUND, VALID, RpkiError, read_vrps
from tests.helpers import FIXTURES, REGISTRY, build_inventory, bundle_dict, run_cli

RPKI_CLIENT = FIXTURES / "rpki" / "rpki-client.json"
ROUTINATOR = FIXTURES / "rpki" / "routinator.json"


def test_rpki_clients_output_is_read_with_its_metadata_and_lines() -> None:
    vrps = read_vrps(RPKI_CLIENT)
    assert (vrps.tool, vrps.generated, vrps.date, vrps.count) == (
        "rpki-client", "2026-12-01T06:00:00Z", "2026-12-01", 8)
    assert vrps.sha256.startswith("sha256:") and len(vrps.sha256) == 71
    [first] = vrps.covering(parse_net("192.0.2.0/24"))
    assert (first.asn, first.max_length, first.ta, first.line) == (64501, 24, "apnic", 16)
    assert first.shown == "192.0.2.0/24-24 AS64501 (apnic)"
    assert vrps.location(first).line == 16
    assert len(list(vrps)) == 8


def test_routinators_output_is_read_alike() -> None:
    vrps = read_vrps(ROUTINATOR)
    assert (vrps.tool, vrps.generated, vrps.count) == ("Routinator", "2026-12-01T06:00:00Z", 2)
    [vrp] = vrps.covering(parse_net("2001:db8:a::/48"))
    assert vrp.asn == 64501 and vrp.prefix.text == "2001:db8:a::/48"  # one spelling
    assert vrps.validate(parse_net("2001:db8:a::/48"), 64501).state == VALID


@pytest.mark.parametrize(("route", "origin", "state", "reason"), [
    ("192.0.2.0/24", 64501, VALID, ""),
    ("192.0.2.0/25", 64501, INVALID, "max_length"),  # more specific than the ROA allows
    ("198.51.100.0/24", 64501, INVALID, "origin"),  # the ROA names AS64502
    ("2001:db8:b::/48", 64500, VALID, ""),
    ("2001:db8:b:100::/56", 64500, VALID, ""),  # the second ROA allows up to /56
    ("2001:db8:b:100::/64", 64500, INVALID, "max_length"),
    ("2001:db8:b::/48", 64501, INVALID, "origin"),
    ("198.18.0.0/24", 64501, INVALID, "origin"),  # an AS0 ROA: nobody may originate it
    ("198.18.0.0/24", 0, INVALID, "origin"),  # not even AS0 (RFC 6483 section 4)
    ("10.0.0.0/8", 64501, NOT_FOUND, ""),
    ("192.0.0.0/16", 64501, NOT_FOUND, ""),  # less specific than any ROA: not covered
    ("2001:db8:c::/48", 64501, NOT_FOUND, ""),
])
def test_route_origin_validation(route: str, origin: int, state: str, reason: str) -> None:
    found = read_vrps(RPKI_CLIENT).validate(parse_net(route), origin)
    assert (found.state, found.reason) == (state, reason)
    assert bool(found.covering) == (state != NOT_FOUND)
    assert bool(found.matching) == (state == VALID)
    assert all(v.asn == origin and v.max_length >= parse_net(route).prefixlen
               for v in found.matching)


def _roa_changed(change: dict[str, object]) -> str:
    data = json.loads(RPKI_CLIENT.read_text())
    data["roas"][0].update(change)
    for key, value in list(change.items()):
        if value is None:
            del data["roas"][0][key]
    # one ROA a line, as rpki-client writes it: the line of a bad ROA is said
    roas = ",\n".join(json.dumps(r) for r in data["roas"])
    head = json.dumps({"metadata": data["metadata"]})[:-1]
    return f'{head},\n"roas": [\n{roas}\n]}}\n'


BAD = [
    (lambda: "{", 1, "not JSON"),
    (lambda: '{"metadata": {"buildtime": "2026-12-01T06:00:00Z"}}', None,
     "not a VRP file: no list of ROAs"),
    (lambda: '{"roas": []}', None, "no metadata"),
    (lambda: '{"metadata": {"buildtime": "yesterday"}, "roas": []}', None,
     "metadata.buildtime 'yesterday' is not a UTC time"),
    (lambda: '{"metadata": {"buildmachine": "x"}, "roas": []}', None, "has no build time"),
    (lambda: '{"metadata": {"buildtime": "2026-12-01T06:00:00Z"}, "roas": [1, 2]}', None,
     "roas[0]: not an object"),
    (lambda: '{"metadata": {}, "metadata": {}, "roas": []}', None, "duplicate key 'metadata'"),
    (lambda: _roa_changed({"asn": "ASX"}), 3, "roas[0]: 'ASX' is not an AS number"),
    (lambda: _roa_changed({"asn": 2**32}), 3, "roas[0]: 4294967296 is not an AS number"),
    (lambda: _roa_changed({"asn": True}), 3, "roas[0]: True is not an AS number"),
    (lambda: _roa_changed({"prefix": "192.0.2.1/24"}), 3, "'192.0.2.1/24' has host bits set"),
    (lambda: _roa_changed({"prefix": "192.0.2.0/33"}), 3, "prefix length must be 0-32"),
    (lambda: _roa_changed({"prefix": 7}), 3, "roas[0]: the prefix is not text"),
    (lambda: _roa_changed({"maxLength": 23}), 3,
     "roas[0]: maxLength 23 is not between the prefix length 24 and 32"),
    (lambda: _roa_changed({"maxLength": 33}), 3, "maxLength 33 is not between"),
    (lambda: _roa_changed({"maxLength": True}), 3, "maxLength True is not between"),
    (lambda: _roa_changed({"maxLength": None}), 3, "roas[0]: no 'maxLength'"),
    (lambda: _roa_changed({"ta": "../../etc"}), 3, "the trust anchor '../../etc' is not a name"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD)
def test_a_bad_file_is_refused_whole_with_its_place(tmp_path: Path, text, line: int | None,
                                                    message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "vrps.json"
    path.write_text(text())
    with pytest.raises(RpkiError) as err:
        read_vrps(path)
    assert message in err.value.message, err.value.message
    assert err.value.file == str(path) and err.value.line == line


def test_a_bad_file_on_the_command_line_is_one_line_and_exit_2(tmp_path: Path) -> None:
    inventory = build_inventory(tmp_path / "inv")
    bad = tmp_path / "vrps.json"
    bad.write_text(_roa_changed({"maxLength": 23}))
    for lang, said in (("en", "maxLength 23 is not between the prefix length 24 and 32"),
                       ("vi", "roas[0]")):
        proc = run_cli("validate", str(inventory), "--vrp-file", str(bad), "--lang", lang)
        assert proc.returncode == 2, proc.stderr
        [line] = proc.stderr.strip().splitlines()
        assert f"{bad}:3" in line and said in line and "Traceback" not in proc.stderr
    assert "maxLength" in proc.stderr and "not between" not in proc.stderr  # Vietnamese


def test_the_report_names_the_vrp_set_and_says_when_it_is_old(tmp_path: Path) -> None:
    inventory = build_inventory(tmp_path / "inv")
    out = tmp_path / "bundle.json"
    proc = run_cli("validate", str(inventory), "--vrp-file", str(RPKI_CLIENT), "-f", "json",
                   "-o", str(out), "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr
    notices = [n["en"] for n in bundle_dict(out.read_text())["notices"]]
    assert any(n.startswith(f"Checked against the VRP set {RPKI_CLIENT} (rpki-client, "
                            "2026-12-01T06:00:00Z, 8 VRPs, sha256:") for n in notices), notices
    assert any("The VRP set is" in n and "days old" in n for n in notices), notices


def test_a_vrp_file_the_inventory_names_stays_inside_it(tmp_path: Path) -> None:
    inventory = build_inventory(tmp_path / "inv")
    network = inventory / "group_vars" / "all" / "network.yml"
    original = network.read_text()
    network.write_text(original.replace("network:\n", "network:\n  vrp_file: ../vrps.json\n", 1))
    proc = run_cli("validate", str(inventory), "--lang", "en")
    assert proc.returncode == 2 and "network.yml:2:13: network.vrp_file: '../vrps.json' does " \
        "not match" in proc.stderr, proc.stderr  # the schema refuses a way up
    (tmp_path / "vrps.json").write_bytes(RPKI_CLIENT.read_bytes())
    (inventory / "link.json").symlink_to(tmp_path / "vrps.json")  # and the gate a way out
    network.write_text(original.replace("network:\n", "network:\n  vrp_file: link.json\n", 1))
    proc = run_cli("validate", str(inventory), "--lang", "en")
    assert proc.returncode == 2 and "'link.json' leads outside the inventory folder (give a " \
        "file elsewhere with --vrp-file)" in proc.stderr, proc.stderr
    assert "network.yml:2" in proc.stderr
    (inventory / "vrps.json").write_bytes(RPKI_CLIENT.read_bytes())
    network.write_text(original.replace("network:\n", "network:\n  vrp_file: vrps.json\n", 1))
    proc = run_cli("validate", str(inventory), "--lang", "en", "--fail-on", "none")
    assert proc.returncode == 0 and "Checked against the VRP set" in proc.stdout, proc.stderr


def _scores(inventory: Path, tmp_path: Path, *extra: str) -> tuple[int, dict[str, object]]:
    out = tmp_path / "bundle.json"
    proc = run_cli("validate", str(inventory), "-f", "json", "-o", str(out), "--fail-on", "low",
                   "--documentation-as-public", "--registry-file", str(REGISTRY), *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, bundle_dict(out.read_text())["scores"]


def test_internet_standards_are_judged_beside_the_baseline_and_scored_apart(
        tmp_path: Path) -> None:
    """NET-RPKI-01 is cited by the internet-standards profile only: with a VRP file it is judged
    beside the agency's baseline, in a score of its own; the compliance score, its counts and
    the exit status of --fail-on are what they are without it."""
    inventory = build_inventory(tmp_path / "inv")
    code, without = _scores(inventory, tmp_path)
    assert "beside" not in without and "beside_counts" not in without
    code_good, good = _scores(inventory, tmp_path, "--vrp-file", str(RPKI_CLIENT))
    bad_file = tmp_path / "other-origin.json"
    data = json.loads(RPKI_CLIENT.read_text())
    for roa in data["roas"]:
        roa["asn"] = 64502 if roa["asn"] == 64501 else roa["asn"]
    bad_file.write_text(json.dumps(data))
    code_bad, bad = _scores(inventory, tmp_path, "--vrp-file", str(bad_file))
    for scores in (good, bad):
        assert {k: v for k, v in scores.items() if not k.startswith("beside")} == without
    assert code == code_good == code_bad == 0  # a profile's gap never fails --fail-on
    assert (good["beside"], good["beside_counts"]["pass"]) == (100.0, 1)
    assert (bad["beside"], bad["beside_counts"]["fail"]) == (0.0, 1)
    for lang, line, tag in (
            ("en", "Internet standards, judged beside (not in the compliance score): 0.0/100 "
                   "(1 fail)", "NET-RPKI-01 network [Internet standards, not scored]"),
            ("vi", "Tiêu chuẩn Internet, đánh giá bên cạnh (không tính vào điểm tuân thủ): "
                   "0,0/100 (1 không đạt)", "NET-RPKI-01 network [tiêu chuẩn Internet, không "
                                            "tính điểm]")):
        proc = run_cli("validate", str(inventory), "--vrp-file", str(bad_file), "--lang", lang,
                       "--documentation-as-public", "--fail-on", "none")
        assert line in proc.stdout and tag in proc.stdout, proc.stdout[:3000]


def test_every_report_says_a_profiles_gap_is_not_scored(tmp_path: Path) -> None:
    inventory = build_inventory(tmp_path / "inv")
    bad_file = tmp_path / "other-origin.json"
    data = json.loads(RPKI_CLIENT.read_text())
    data["roas"] = [r for r in data["roas"] if r["asn"] != 64501]  # not found
    bad_file.write_text(json.dumps(data))
    said = {}
    for fmt in ("markdown", "html"):
        out = tmp_path / f"report.{fmt}"
        proc = run_cli("validate", str(inventory), "--vrp-file", str(bad_file), "-f", fmt, "-o",
                       str(out), "--lang", "en", "--documentation-as-public", "--fail-on", "none")
        assert proc.returncode == 0, proc.stderr
        said[fmt] = out.read_text()
    assert "**Internet standards, judged beside (not in the compliance score):** 0.0/100" \
        in said["markdown"]
    assert "NET-RPKI-01 — Each of the agency's provider-independent blocks has a valid ROA for " \
           "its ASN (Internet standards, not scored)" in said["markdown"]
    assert "**Clause:** internet-standards: RFC 6811" in said["markdown"]
    assert "Internet standards, judged beside (not in the compliance score): 0.0/100" \
        in said["html"]
    assert "<strong>internet-standards:</strong> RFC 6811" in said["html"]
    assert "(Internet standards, not scored)" in said["html"]


def test_machine_formats_mark_a_profiles_gap_as_not_scored(tmp_path: Path) -> None:
    """CSV and XLSX say it in a column, SARIF makes it a note (a code-scanning gate on errors
    and warnings does not stop on it, as --fail-on does not) with scored false, and JUnit puts
    it in a suite of its own (agency.profile, property scored=false)."""
    # openpyxl and ElementTree: only this test reads those formats back
    import xml.etree.ElementTree as ET

    from openpyxl import load_workbook

    inventory = build_inventory(tmp_path / "inv")
    bad_file = tmp_path / "not-found.json"
    data = json.loads(RPKI_CLIENT.read_text())
    data["roas"] = [r for r in data["roas"] if r["asn"] != 64501]
    bad_file.write_text(json.dumps(data))
    out: dict[str, Path] = {}
    for fmt in ("csv", "xlsx", "sarif", "junit"):
        out[fmt] = tmp_path / f"report.{fmt}"
        proc = run_cli("validate", str(inventory), "--vrp-file", str(bad_file), "-f", fmt, "-o",
                       str(out[fmt]), "--lang", "en", "--documentation-as-public",
                       "--fail-on", "none")
        assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(out["csv"].read_text("utf-8-sig").splitlines()))
    column = rows[0].index("In the compliance score")
    scored = {row[1]: row[column] for row in rows[1:]}
    assert scored.pop("NET-RPKI-01") == "no" and set(scored.values()) == {"yes"}
    sheet = load_workbook(out["xlsx"]).worksheets[0]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    column = cells[0].index("In the compliance score")
    assert {r[1]: r[column] for r in cells[1:]}["NET-RPKI-01"] == "no"
    sarif = json.loads(out["sarif"].read_text())["runs"][0]["results"]
    rpki = [r for r in sarif if r["ruleId"] == "NET-RPKI-01"]
    assert [(r["level"], r["properties"]["scored"], r["properties"]["profile"]) for r in rpki] \
        == [("note", False, "internet-standards")]
    assert all("scored" not in r["properties"] for r in sarif if r["ruleId"] != "NET-RPKI-01")
    suites = {s.get("name"): s for s in ET.parse(out["junit"]).getroot()}
    profile = suites.pop("compliant.internet-standards")
    assert [c.get("classname") for c in profile.iter("testcase")] == ["compliant.NET-RPKI-01"]
    assert profile.get("failures") == "1"
    assert {p.get("name"): p.get("value") for p in profile.iter("property")}["scored"] == "false"
    assert not any(c.get("classname") == "compliant.NET-RPKI-01"
                   for s in suites.values() for c in s.iter("testcase"))

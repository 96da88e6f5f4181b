"""The command line through click's runner."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from egov_audit.cli import cli
from tests.helpers import REGISTRY, REPO, build_inventory, bundle_dict

SONG_LAM = str(REPO / "inventories/song-lam")
BO_HTS = str(REPO / "inventories/bo-hts")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_prints_a_gap_report_and_exits_1_on_findings() -> None:
    code, out, _ = _run("validate", SONG_LAM, "--lang", "en")
    assert code == 1
    assert "Gap report" in out and "NET-ZONE-02" in out and "Compliance score" in out


def test_fail_on_threshold(tmp_path: Path) -> None:
    # the nearly compliant ministry: its one medium finding is waived by its waivers file
    assert _run("validate", BO_HTS, "--documentation-as-public")[0] == 0
    no_waivers = tmp_path / "none.yml"
    no_waivers.write_text("waivers: []\n")
    code, out, _ = _run("validate", BO_HTS, "--documentation-as-public", "--format", "json",
                        "--waivers", str(no_waivers))
    assert code == 1
    data = bundle_dict(out)
    worst = max(("low", "medium", "high", "critical").index(r["severity"])
                for r in data["results"] if r["status"] in ("fail", "error"))
    assert worst == 1  # medium
    assert _run("validate", BO_HTS, "--documentation-as-public", "--waivers", str(no_waivers),
                "--fail-on", "high")[0] == 0
    assert _run("validate", SONG_LAM, "--fail-on", "none")[0] == 0
    assert _run("validate", SONG_LAM, "--fail-on", "critical")[0] == 1


def test_compliant_inventory_exits_0(tmp_path: Path) -> None:
    path = build_inventory(tmp_path / "inv")
    code, out, _ = _run("validate", str(path), "--documentation-as-public",
                        "--registry-file", str(REGISTRY))
    assert code == 0 and "100.0/100" in out


def test_output_file_is_written_and_stdout_stays_empty(tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    code, out, _ = _run("validate", SONG_LAM, "-f", "json", "-o", str(target))
    assert code == 1 and out == ""
    assert bundle_dict(target.read_text())["agency"]["code"] == "song-lam"
    assert [p.name for p in tmp_path.iterdir()] == ["bundle.json"]  # no temp file left


def test_report_renders_a_saved_bundle(tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    _run("validate", SONG_LAM, "-f", "json", "-o", str(target))
    code, out, _ = _run("report", str(target), "-f", "sarif")
    assert code == 1 and bundle_dict(out)["version"] == "2.1.0"
    code, out, _ = _run("report", str(target), "--lang", "vi", "--fail-on", "none")
    assert code == 0 and "Điểm tuân thủ" in out


def test_baseline_and_level_overrides() -> None:
    _, out, _ = _run("validate", SONG_LAM, "-f", "json", "--baseline", "tcvn-14423-2025",
                     "--level", "2")
    data = bundle_dict(out)
    assert (data["baseline"], data["level"]) == ("tcvn-14423-2025", 2)
    code, _, err = _run("validate", SONG_LAM, "--baseline", "nope")
    assert code == 2 and "unknown baseline 'nope'" in err


def test_input_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    path = build_inventory(tmp_path / "inv", patch={"set": {"network.zones[0].subnets":
                                                            ["10.0.0.0/33"]}})
    code, out, err = _run("validate", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "network.yml:" in err and "10.0.0.0/33" in err


def test_policies_list_and_show() -> None:
    code, out, _ = _run("policies", "list", "--baseline", "tcvn-14423-2025", "--level", "2",
                        "--area", "ip_addressing", "--lang", "en")
    assert code == 0 and "NET-IP-04" in out and "ROOM-" not in out
    assert "NET-ZONE-04" not in _run("policies", "list", "--level", "3")[1]
    code, out, _ = _run("policies", "list", "-f", "json")
    assert len(bundle_dict(out)) >= 50
    code, out, _ = _run("policies", "show", "net-ip-05", "--lang", "vi")
    assert code == 0 and "Không trùng địa chỉ giữa các đơn vị" in out


def test_schema_command_publishes_the_result_bundle_schema() -> None:
    code, out, _ = _run("schema", "result-bundle")
    assert code == 0 and bundle_dict(out)["properties"]["schema"]["const"] == \
        "egov-audit/result-bundle@1"


def test_nothing_is_written_when_the_input_is_bad(tmp_path: Path) -> None:
    path = build_inventory(tmp_path / "inv", patch={"set": {"agency.level": 9}})
    target = tmp_path / "out.json"
    code, _, err = _run("validate", str(path), "-f", "json", "-o", str(target))
    assert code == 2 and "agency.level" in err
    assert not target.exists() and not list(tmp_path.glob(".out.json.*"))


def test_an_existing_report_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old report\n")
    _run("validate", SONG_LAM, "-o", str(target), "--lang", "en")
    text = target.read_text()
    assert text.startswith("egov-audit · Gap report") and "old report" not in text


def test_evaluate_require_explicit_is_recorded_and_applied(tmp_path: Path) -> None:
    from tests.helpers import build_evidence

    inventory = build_inventory(tmp_path / "agency")
    evidence = build_evidence(tmp_path / "evidence", inventory,
                              {"set": {"sshd.defaults": ["maxauthtries"]}}, "web01")
    outputs = {}
    for flag in ([], ["--require-explicit"]):
        out = tmp_path / f"bundle{len(flag)}.json"
        result = CliRunner().invoke(cli, ["evaluate", str(inventory), "--evidence",
                                          str(evidence), "--documentation-as-public",
                                          "-f", "json", "-o", str(out), "--fail-on", "none",
                                          *flag])
        assert result.exit_code == 0, result.output
        outputs[bool(flag)] = bundle_dict(out.read_text())
    for strict, bundle in outputs.items():
        assert bundle["options"]["require_explicit"] is strict
        status = {(r["control"], r["target"]): r["status"] for r in bundle["results"]}
        assert status[("HOST-SSH-03", "web01")] == ("fail" if strict else "pass")

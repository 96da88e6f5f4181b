"""CONTRIBUTING.md's recipes, each done once in a copy of the catalogue: a control, an operator,
a named check, a report format, a baseline, an evidence kind. If a recipe stops being true, this
fails, and CONTRIBUTING.md must say the new way."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from egov_audit.audit import AuditRequest, validate
from egov_audit.checks.context import NAMED_CHECKS, AuditOptions, Finding, named_check
from egov_audit.checks.operators import OPERATORS, _register
from egov_audit.checks.requirements import requirement_matrix
from egov_audit.checks.vocabulary import load_catalogue
from egov_audit.errors import PolicyError
from egov_audit.evidence.kind import EvidenceKind
from egov_audit.inventory import load_inventory
from egov_audit.models import EvidenceStatus, Status, TargetKind, TargetStatus, Text
from egov_audit.policy import DEFAULT_POLICIES, DEFAULT_REFERENCE_MODELS, Control, PolicySet
from egov_audit.report.interface import ReportOptions, renderer
from tests.helpers import build_inventory

BASELINES = ("tcvn-11930-2017", "tcvn-14423-2025")


@pytest.fixture
def catalogue(tmp_path: Path) -> tuple[Path, Path]:
    pol, models = tmp_path / "policies", tmp_path / "reference_models"
    shutil.copytree(DEFAULT_POLICIES, pol)
    shutil.copytree(DEFAULT_REFERENCE_MODELS, models)
    return pol, models


def _edit(path: Path, fn: Any) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def _add_control(pol: Path, control: Mapping[str, Any], family: str = "server_room/cctv",
                 from_level: int = 1) -> None:
    _edit(pol / f"{family}.yml", lambda d: d["controls"].append(dict(control)))
    for baseline in BASELINES:
        _edit(pol / "baselines" / f"{baseline}.yml",
              lambda d: d["families"][family]["controls"].update(
                  {control["id"]: {"from_level": from_level}}))


def _status(pol: Path, models: Path, inventory: Path, control: str) -> list[Status]:
    request = AuditRequest([inventory], options=AuditOptions(True), policies_dir=pol,
                           models_dir=models)
    return [r.status for r in validate(request, load_catalogue(pol, models)).all_results()
            if r.control == control]


def _control(control_id: str, check: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": control_id, "title": {"vi": "Thử nghiệm", "en": "A test control"},
            "description": {"vi": "Mô tả thử nghiệm.", "en": "A test description."},
            "severity": "low", "check": dict(check),
            "remediation": {"vi": "Sửa lại.", "en": "Fix it."}}


def test_add_a_control_with_a_parameter(catalogue: tuple[Path, Path], tmp_path: Path) -> None:
    pol, models = catalogue
    _add_control(pol, _control("ROOM-CCTV-09", {"fact": "cctv.retention_days", "op": "ge",
                                                "param": "server_room.cctv_min_days_test"}))
    with pytest.raises(PolicyError, match=re.escape(
            "parameter 'server_room.cctv_min_days_test' is not defined for tcvn-11930-2017 at "
            "level 1")):
        load_catalogue(pol, models)
    for baseline in BASELINES:
        _edit(models / "server_room.yml", lambda d, b=baseline: d["parameters"][b][1].update(
            cctv_min_days_test=200))
    policy = load_catalogue(pol, models)
    assert policy.control("ROOM-CCTV-09").family == "server_room/cctv"
    good = build_inventory(tmp_path / "good")  # keeps 365 days
    bad = build_inventory(tmp_path / "bad", patch={"set": {
        "server_rooms[0].cctv.retention_days": 30}})
    assert set(_status(pol, models, good, "ROOM-CCTV-09")) == {Status.PASS}
    assert Status.FAIL in _status(pol, models, bad, "ROOM-CCTV-09")  # the first room
    rows = {r.control: r for r in requirement_matrix(policy, BASELINES[1], 1).rows}
    assert rows["ROOM-CCTV-09"].required.en == "cctv.retention_days: at least 200"


@pytest.fixture
def operator() -> Iterator[str]:
    @_register("ends_with", "kết thúc bằng {value}", "ending with {value}")
    def ends_with(observed: Any, expected: Any) -> bool:
        return str(observed).endswith(str(expected))

    try:
        yield "ends_with"
    finally:
        del OPERATORS["ends_with"]


def test_add_an_operator(catalogue: tuple[Path, Path], tmp_path: Path, operator: str) -> None:
    pol, models = catalogue
    control = _control("ROOM-CCTV-09", {"fact": "region", "op": operator, "value": "Bộ"})
    control["target"] = "agency"
    _add_control(pol, control)
    good = build_inventory(tmp_path / "good", patch={"set": {"agency.region": "Văn phòng Bộ"}})
    bad = build_inventory(tmp_path / "bad", patch={"set": {"agency.region": "Miền Bắc"}})
    assert _status(pol, models, good, "ROOM-CCTV-09") == [Status.PASS]
    assert _status(pol, models, bad, "ROOM-CCTV-09") == [Status.FAIL]


@pytest.fixture
def named() -> Iterator[str]:
    @named_check("rooms_at_least", TargetKind.AGENCY,
                 requires=Text("có tối thiểu {count} phòng máy chủ",
                               "at least {count} server rooms"),
                 args={"count": {"type": "integer", "minimum": 1}}, defaults={"count": 1})
    def rooms_at_least(ctx: Any, control: Control, args: Mapping[str, Any]) -> list[Finding]:
        have = len(ctx.inventory.server_rooms)
        status = Status.PASS if have >= args["count"] else Status.FAIL
        return [Finding(ctx.inventory.agency.code, TargetKind.AGENCY, status,
                        Text(f"{have} phòng.", f"{have} rooms."), str(args["count"]),
                        str(have))]

    try:
        yield "rooms_at_least"
    finally:
        del NAMED_CHECKS["rooms_at_least"]


def test_add_a_named_check(catalogue: tuple[Path, Path], tmp_path: Path, named: str) -> None:
    pol, models = catalogue
    control = _control("ROOM-SITE-09", {"named": named, "args": {"count": 2}})
    control["target"] = "agency"
    _add_control(pol, control, family="server_room/site")
    inventory = build_inventory(tmp_path / "one")
    rooms = len(load_inventory(inventory).server_rooms)
    assert _status(pol, models, inventory, "ROOM-SITE-09") == \
        [Status.PASS if rooms >= 2 else Status.FAIL]
    _edit(pol / "server_room/site.yml", lambda d: d["controls"][-1]["check"].update(
        args={"count": rooms + 1}))
    assert _status(pol, models, inventory, "ROOM-SITE-09") == [Status.FAIL]
    rows = {r.control: r for r in
            requirement_matrix(load_catalogue(pol, models), BASELINES[0], 1).rows}
    assert rows["ROOM-SITE-09"].required.vi == f"có tối thiểu {rooms + 1} phòng máy chủ"
    _edit(pol / "server_room/site.yml", lambda d: d["controls"][-1]["check"].update(
        args={"cuont": 2}))
    with pytest.raises(PolicyError, match="takes no argument 'cuont'"):
        load_catalogue(pol, models)


def test_add_a_report_format(policy: PolicySet, monkeypatch: pytest.MonkeyPatch) -> None:
    """A format is one line in FORMATS (its name, the module that renders it) and a function
    that module registers with @reporter; the CLI offers it from FORMATS."""
    import egov_audit.report.interface as interface

    formats = {**interface.FORMATS, "matrix": {**interface.FORMATS["matrix"], "tsv": "matrix"}}
    monkeypatch.setattr(interface, "FORMATS", formats)
    monkeypatch.setattr(interface, "REPORTERS", dict(interface.REPORTERS))

    @interface.reporter("matrix", "tsv")
    def render_tsv(matrix: Any, options: ReportOptions) -> str:
        return "\n".join(f"{r.control}\t{r.required.get(options.lang)}" for r in matrix.rows)

    assert "tsv" in interface.formats("matrix")
    out = renderer("matrix", "tsv")(requirement_matrix(policy, BASELINES[1], 2),
                                    ReportOptions(lang="en"))
    assert isinstance(out, str) and "HOST-PWD-01\tlogin_defs.pass_max_days: at most 60" in out


def test_add_a_device_vendor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A vendor is its module (how its configuration is read, what its facts mean) and one
    entry in network/vendors.py: its configurations are then recognised and judged by every
    device check. Here a vendor whose OS speaks the Cisco-like syntax: its entry reuses that
    family's reader and meaning."""
    import re

    from egov_audit.network import cisco, vendors
    from tests.helpers import DEVICE_CONFIGS, build_device_configs

    acme = vendors.Vendor("acme_os", re.compile(r"^acme-os \d", re.M), cisco.parse_ios,
                          cisco.ios_facts)
    monkeypatch.setattr(vendors, "VENDORS", (acme, *vendors.VENDORS))
    monkeypatch.setattr(vendors, "VENDORS_BY_NAME", {**vendors.VENDORS_BY_NAME, "acme_os": acme})
    original = (DEVICE_CONFIGS / "edge01.cfg").read_text()
    inventory = build_inventory(tmp_path / "agency")

    def device_results(configs: Path) -> dict[str, Status]:
        request = AuditRequest([inventory], options=AuditOptions(True), device_configs=configs)
        return {r.control: r.status for r in validate(request).all_results()
                if r.target == "edge01"}

    from egov_audit.network.evidence import read_device_evidence

    ios = device_results(build_device_configs(tmp_path / "ios"))
    acme_configs = build_device_configs(tmp_path / "acme", {"edge01": {
        "text": "acme-os 7.2\n" + original}})
    assert read_device_evidence(acme_configs)["edge01"].facts["vendor"] == "acme_os"
    renamed = device_results(acme_configs)
    assert ios and renamed == ios and Status.NOT_ASSESSED not in renamed.values()


def test_add_a_baseline(catalogue: tuple[Path, Path], tmp_path: Path) -> None:
    """One file plus parameters: a (test) ISO/IEC 27001 mapping of two families."""
    pol, models = catalogue
    baseline = {
        "title": {"vi": "ISO/IEC 27001:2022 (thử nghiệm)", "en": "ISO/IEC 27001:2022 (test)"},
        "regulations": ["ISO/IEC 27001:2022 Annex A"],
        "level_clauses": {1: "A.8", 2: "A.8", 3: "A.8", 4: "A.8", 5: "A.8"},
        "certainty": "unsure",
        "families": {
            "network/zones": {"clause": "A.8.22 Segregation of networks",
                              "controls": {"NET-ZONE-01": {"from_level": 1}}},
            "server_room/cctv": {
                "clause": {"vi": "A.7.4 Giám sát an ninh vật lý",
                           "en": "A.7.4 Physical security monitoring"},
                "controls": {"ROOM-CCTV-01": {"from_level": 1},
                             "ROOM-CCTV-02": {"from_level": 2, "params": {
                                 "server_room.cctv_retention_days": 400}}}}}}
    (pol / "baselines" / "iso-27001-2022.yml").write_text(
        yaml.safe_dump(baseline, allow_unicode=True, sort_keys=False), "utf-8")
    with pytest.raises(PolicyError, match=re.escape(
            "parameter 'network.required_zone_kinds' is not defined for iso-27001-2022 at "
            "level 1")):
        load_catalogue(pol, models)
    _edit(models / "network.yml", lambda d: d["parameters"].update(
        {"iso-27001-2022": {1: {"required_zone_kinds": ["dmz", "internal"]}}}))
    policy = load_catalogue(pol, models)
    assert [c.id for c in policy.select("iso-27001-2022", 1)] == ["NET-ZONE-01", "ROOM-CCTV-01"]
    rows = {r.control: r for r in requirement_matrix(policy, "iso-27001-2022", 3).rows}
    assert rows["ROOM-CCTV-02"].required.en == "cctv.retention_days: at least 400"
    assert rows["NET-ZONE-01"].clause.vi == "A.8.22 Segregation of networks"
    inventory = build_inventory(tmp_path / "agency")  # CCTV kept 365 days
    request = AuditRequest([inventory], baseline="iso-27001-2022", level=3,
                           options=AuditOptions(True), policies_dir=pol, models_dir=models)
    bundle = validate(request, policy).bundles[0]
    assert bundle.baseline == "iso-27001-2022"
    status = {(r.control, r.status) for r in bundle.results}
    assert {c for c, _ in status} == {"NET-ZONE-01", "ROOM-CCTV-01", "ROOM-CCTV-02"}
    assert ("NET-ZONE-01", Status.PASS) in status
    assert ("ROOM-CCTV-02", Status.FAIL) in status  # 365 days < this baseline's 400
    assert bundle.scores.overall is not None


def test_add_an_evidence_kind(catalogue: tuple[Path, Path], tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A kind is its module's entry (schema, reader, collector, what it covers, freshness,
    what a run has of it) and one line in egov_audit/kinds.py; the audit then lists its
    targets, and a control whose check reads it runs only when a run has it."""
    import egov_audit.kinds
    from egov_audit.evidence.kind import Sources
    from egov_audit.evidence.model import HostEvidence

    def read(folder: Path) -> dict[str, HostEvidence]:
        data = yaml.safe_load((folder / "ups.yml").read_text("utf-8"))
        return {name: HostEvidence(name, EvidenceStatus.COLLECTED,
                                   collected_at="2026-12-01T00:00:00Z", facts=facts)
                for name, facts in data.items()}

    def gather(sources: Sources) -> dict[str, HostEvidence] | None:
        folder = sources.inventory.root / ".egov-audit"  # beside the waivers
        return read(folder) if (folder / "ups.yml").is_file() else None

    kind = EvidenceKind(
        name="ups_readings", title=Text("Số đo của UPS", "UPS readings"),
        schema=None, bundle_schema="ups.yml", feeds=frozenset({TargetKind.AGENCY}),
        collector=None, read=read, expected=lambda inventory: [
            ("ups-1", TargetKind.FACILITY), ("ups-2", TargetKind.FACILITY)],
        max_age_days=1, not_given="declared; not read", gather=gather)
    monkeypatch.setitem(egov_audit.kinds.EVIDENCE_KINDS, kind.name, kind)  # the line in kinds.py

    @named_check("ups_minutes", TargetKind.AGENCY, reads=[kind],
                 requires=Text("UPS đủ 15 phút", "UPSes last 15 minutes"))
    def ups_minutes(ctx: Any, control: Control, args: Mapping[str, Any]) -> list[Finding]:
        short = sorted(name for name, found in ctx.of(kind).items()
                       if found.facts["minutes"] < 15)
        return [Finding(ctx.inventory.agency.code, TargetKind.AGENCY,
                        Status.FAIL if short else Status.PASS, Text("UPS", "UPS"),
                        observed=", ".join(short))]

    try:
        pol, models = catalogue
        control = _control("ROOM-SITE-09", {"named": "ups_minutes"})
        control["target"] = "agency"
        _add_control(pol, control, family="server_room/site")
        inventory = build_inventory(tmp_path / "agency")
        request = AuditRequest([inventory], options=AuditOptions(True), policies_dir=pol,
                               models_dir=models)
        policy = load_catalogue(pol, models)

        bundle = validate(request, policy).bundles[0]  # not given: listed, the control waits
        assert {t.id: t.reason for t in bundle.targets if t.kind is TargetKind.FACILITY}[
            "ups-1"] == "declared; not read"
        assert "ROOM-SITE-09" not in {r.control for r in bundle.results}

        (inventory / ".egov-audit").mkdir()
        (inventory / ".egov-audit" / "ups.yml").write_text("ups-1: {minutes: 9}\n", "utf-8")
        bundle = validate(request, policy).bundles[0]
        targets = {t.id: t.status for t in bundle.targets}
        assert targets["ups-1"] == TargetStatus.ASSESSED
        assert targets["ups-2"] == TargetStatus.FAILED  # expected, not found
        [result] = [r for r in bundle.results if r.control == "ROOM-SITE-09"]
        assert result.status is Status.FAIL and result.observed.en == "ups-1"
        assert kind.is_stale("2026-11-01T00:00:00Z")
    finally:
        del NAMED_CHECKS["ups_minutes"]

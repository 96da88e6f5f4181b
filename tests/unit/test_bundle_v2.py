"""Version 2 bundles on saved results: message templates render back exactly, a bundle reads as
it was written, and its texts come from its own records, not the installed catalogue."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from egov_audit.bundle import (
    V2Writer,
    bundle_from_dict,
    prepare_rows,
    read_result_set,
    read_v2,
    record,
    write_bundle,
)
from egov_audit.bundle.templates import render, template_of, well_formed
from egov_audit.bundle.v2 import MAX_RECORD
from egov_audit.errors import ReportError
from egov_audit.models import Target, TargetKind, Text

CORPUS = Path(__file__).parents[1] / "fixtures" / "bundles_v1"

MESSAGES = [
    # (message, observed, expected, target)
    (Text("sshd.maxauthtries = 6; yêu cầu: <= 4.", "sshd.maxauthtries = 6; required: <= 4."),
     Text.same("6"), Text("<= 4", "<= 4"), "web01"),
    (Text("Máy web01 có {2} tài khoản", "Host web01 has {2} accounts"), Text.same("{2}"),
     Text.same(""), "web01"),
    (Text("}{ {o} {{e}} {0}", "}{ {o} {{e}} {0}"), Text.same("{o}"), Text.same("{0}"), "{t}"),
    (Text("10.0.0.1/24 nằm ngoài 10.0.0.0/25 (22 cổng)", "10.0.0.1/24 outside 10.0.0.0/25 "
          "(22 ports)"), Text.same("10.0.0.1/24"), Text.same("10.0.0.0/25"), "app-01"),
    (Text("abcabc abc", "abc abcabc"), Text.same("abc"), Text.same("abcabc"), "abc"),
    (Text("", ""), Text.same(""), Text.same(""), ""),
    (Text("Nhiệt độ 31.5 °C, quá 27 °C", "Temperature 31.5 °C, over 27 °C"),
     Text("31.5 °C", "31.5 °C"), Text("<= 27 °C", "<= 27 °C"), "room:main"),
]


@pytest.mark.parametrize(("message", "observed", "expected", "target"), MESSAGES)
def test_a_template_renders_back_to_its_message(message: Text, observed: Text, expected: Text,
                                                target: str) -> None:
    template, args = template_of(message, observed, expected, target)
    assert well_formed(template.vi) and well_formed(template.en)
    for lang in ("vi", "en"):
        assert render(template.get(lang), observed.get(lang), expected.get(lang), target,
                      args) == message.get(lang)


def test_a_template_is_shared_by_the_hosts_it_fits() -> None:
    one = template_of(Text("x = 6; yêu cầu: 4.", "x = 6; required: 4."), Text.same("6"),
                      Text.same("4"), "web01")
    other = template_of(Text("x = 9; yêu cầu: 4.", "x = 9; required: 4."), Text.same("9"),
                        Text.same("4"), "web02")
    assert one[0] == other[0] and one[1] != other[1]  # one template, each its own arguments


@pytest.mark.parametrize("name", ["song-lam.json", "song-lam.signed.json", "ha-son.signed.json",
                                  "bo-hts.signed.json"])
def test_a_v1_bundle_written_as_v2_reads_back_the_same(name: str) -> None:
    (bundle,) = read_result_set(CORPUS / name).bundles
    out = io.BytesIO()
    write_bundle(out, bundle)
    again, _ = read_v2(out.getvalue().splitlines(keepends=True), name, ReportError)
    assert again == bundle
    assert len(out.getvalue()) < (CORPUS / name).stat().st_size


def test_a_bundle_reads_with_its_own_texts_not_the_installed_catalogue() -> None:
    data = json.loads((CORPUS / "song-lam.json").read_text())
    first = data["results"][0]
    first["message"] = {"vi": "Thông điệp của phiên bản cũ", "en": "An old version's message"}
    data["controls"][first["control"]]["title"] = {"vi": "Tiêu đề cũ", "en": "An old title"}
    bundle = bundle_from_dict(data)
    out = io.BytesIO()
    write_bundle(out, bundle)
    again, _ = read_v2(out.getvalue().splitlines(keepends=True), "old", ReportError)
    assert again.results[0].message.en == "An old version's message"
    assert again.controls[first["control"]].title.en == "An old title"


@pytest.mark.parametrize("name", ["song-lam.json", "bo-hts.signed.json"])
def test_every_written_line_is_canonical_json(name: str) -> None:
    # the writer builds rows and control records as text: each must be what record() makes
    (bundle,) = read_result_set(CORPUS / name).bundles
    out = io.BytesIO()
    write_bundle(out, bundle)
    lines = out.getvalue().splitlines(keepends=True)
    assert any(line.startswith(b'{"control":') for line in lines)
    for line in lines:
        assert record(json.loads(line)) == line


def test_results_written_in_parts_make_the_bundle_written_whole() -> None:
    (bundle,) = read_result_set(CORPUS / "ha-son.signed.json").bundles
    whole, parts = io.BytesIO(), io.BytesIO()
    write_bundle(whole, bundle)
    writer = V2Writer(parts, bundle)
    results = bundle.results
    # each part prepared on its own (as a worker would), added in order
    for first in range(0, len(results), 7):
        writer.add_rows(prepare_rows(results[first:first + 7]))
    writer.close(bundle)
    again, _ = read_v2(parts.getvalue().splitlines(keepends=True), "parts", ReportError)
    assert again == bundle
    assert len(parts.getvalue()) <= len(whole.getvalue()) * 1.05


def test_the_end_of_a_large_agency_reads_back(tmp_path: Path) -> None:
    """The end record lists every target and every fact bundle's digest: past the bound of an
    ordinary record for ten thousand hosts, and still read (it has a bound of its own)."""
    (bundle,) = read_result_set(CORPUS / "song-lam.json").bundles
    hosts = [f"srv{i:05d}" for i in range(12_000)]
    large = replace(bundle, targets=(*bundle.targets,
                                     *(Target(h, TargetKind.HOST) for h in hosts)),
                    evidence_digests={h: "sha256:" + "0" * 64 for h in hosts})
    path = tmp_path / "large.json"
    with path.open("wb") as out:
        write_bundle(out, large)
    end = path.read_bytes().splitlines()[-1]
    assert end.startswith(b'{"end":') and len(end) > MAX_RECORD
    (again,) = read_result_set(path).bundles
    assert again.targets == large.targets and len(again.evidence_digests) == 12_000

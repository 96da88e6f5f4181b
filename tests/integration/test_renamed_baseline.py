"""The second baseline was first named tcvn-14423-2026; the standard is TCVN 14423:2025. The
former id is still accepted everywhere a baseline is named, with a notice, and judged as the
baseline it now is: an inventory (merge requests of agencies that have not updated), `--baseline`,
and the bundles signed before the rename that the national store holds or receives (their signed
bodies are left as they were signed)."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pytest

from egov_audit.sign import KeyRegistry
from egov_audit.store import Store, open_store, prepare, store_incoming
from egov_audit.store.postgres import PostgresStore
from egov_audit.store.sqlite import SQLiteStore
from tests.helpers import REPO, build_inventory, bundle_dict, run_cli

FORMER, NOW = "tcvn-14423-2026", "tcvn-14423-2025"
CORPUS = REPO / "tests" / "fixtures" / "bundles_v1"  # bo-hts.signed.json names the former id


def _judged(bundle: dict[str, Any]) -> dict[str, Any]:
    return {"baseline": bundle["baseline"], "level": bundle["level"],
            "scores": bundle["scores"],
            "results": sorted((r["control"], r["target"], r["status"], r["clause"]["en"])
                              for r in bundle["results"])}


def _validate(inventory: Path, *extra: str) -> tuple[dict[str, Any], str]:
    out = inventory.parent / f"{inventory.name}.json"
    proc = run_cli("validate", str(inventory), "-f", "json", "-o", str(out), "--fail-on",
                   "none", *extra)
    assert proc.returncode == 0, proc.stderr
    return bundle_dict(out.read_text("utf-8")), proc.stderr


def test_an_inventory_naming_the_former_id_is_judged_as_the_baseline_now(
        tmp_path: Path) -> None:
    now = build_inventory(tmp_path / "now")
    former = build_inventory(tmp_path / "former")
    agency = former / "group_vars" / "all" / "agency.yml"
    text = agency.read_text("utf-8")
    assert f"baseline: {NOW}" in text
    agency.write_text(text.replace(NOW, FORMER), "utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "baseline:" in row)

    judged_now, _ = _validate(now)
    judged_former, _ = _validate(former)
    assert _judged(judged_former) == _judged(judged_now)
    assert judged_former["baseline"] == NOW
    assert judged_now["notices"] == []
    [notice] = judged_former["notices"]
    assert f"{FORMER} is now named {NOW}" in notice["en"]
    assert f"agency.yml:{line}" in notice["en"]  # where to update it
    assert f"{FORMER} nay có tên {NOW}" in notice["vi"]

    report = run_cli("validate", str(former), "--lang", "vi", "--fail-on", "none")
    assert report.returncode == 0 and f"!! Khung tiêu chuẩn {FORMER} nay có tên {NOW}" \
        in report.stdout, report.stdout[:2000]


def test_the_former_id_on_the_command_line(tmp_path: Path) -> None:
    inventory = build_inventory(tmp_path / "inv")
    judged, _ = _validate(inventory, "--baseline", FORMER, "--level", "3")
    assert (judged["baseline"], judged["level"]) == (NOW, 3)
    assert "--baseline still names it by the former id" in judged["notices"][0]["en"]

    for lang, said in (("en", f"Baseline {FORMER} is now named {NOW}"),
                       ("vi", f"Khung tiêu chuẩn {FORMER} nay có tên {NOW}")):
        proc = run_cli("policies", "matrix", "--baseline", FORMER, "--level", "2", "-f", "json",
                       "--lang", lang)
        assert proc.returncode == 0 and said in proc.stderr, proc.stderr
        matrix = json.loads(proc.stdout)
        assert matrix["baseline"] == NOW
        assert "Ministry of Science and Technology" in matrix["baseline_issuer"]["en"]
        same = run_cli("policies", "matrix", "--baseline", NOW, "--level", "2", "-f", "json",
                       "--lang", lang)
        assert same.returncode == 0 and same.stderr == ""
        assert json.loads(same.stdout) == matrix

    listed = run_cli("policies", "list", "--baseline", FORMER, "--level", "1", "-f", "json")
    assert listed.returncode == 0 and f"is now named {NOW}" in listed.stderr
    controls = json.loads(listed.stdout)
    assert controls and all(NOW in c["baselines"] for c in controls)

    wrong = run_cli("validate", str(inventory), "--baseline", "tcvn-14423-2024")
    assert wrong.returncode == 2 and "unknown baseline 'tcvn-14423-2024'" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def _national(db: str, baseline: str) -> list[str]:
    proc = run_cli("scores", "--db", db, "--baseline", baseline, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    return sorted(row["code"] for row in json.loads(proc.stdout)["agencies"])


def test_bundles_signed_under_the_former_id_are_stored_as_the_baseline_now(
        tmp_path: Path) -> None:
    db = str(tmp_path / "national.db")
    bundles = sorted(CORPUS.glob("*.signed.json"))
    assert json.loads((CORPUS / "bo-hts.signed.json").read_text())["baseline"] == FORMER
    proc = run_cli("collect", *map(str, bundles), "--db", db, "--keys", str(CORPUS / "registry"))
    assert proc.returncode == 0, proc.stderr
    with open_store(db) as store:
        table = {row["code"]: row["baseline"] for row in store.national_table()}
        assert table == {"bo-hts": NOW, "ha-son": "tcvn-11930-2017",
                         "song-lam": "tcvn-11930-2017"}
        body = store.execute("SELECT body FROM bundles WHERE agency = 'bo-hts'").fetchone()[0]
    assert _national(db, NOW) == _national(db, FORMER) == ["bo-hts"]
    # the body is the file as it was signed, former id and all
    assert zlib.decompress(bytes(body)) == (CORPUS / "bo-hts.signed.json").read_bytes()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "national.db")
    return str(request.getfixturevalue("postgres").new_database())


def _rows(store: Store) -> list[tuple[Any, ...]]:
    return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in store.execute("SELECT baseline, overall, digest, body FROM bundles")]


def test_a_store_an_older_egov_audit_filled_is_brought_to_the_baseline_now(db: str) -> None:
    """Rows stored under the former id (by an egov-audit that did not know the rename) take the
    id now when the store is next opened; nothing else in them changes."""
    registry = KeyRegistry.from_dir(CORPUS / "registry")
    store_class = PostgresStore if db.startswith("postgresql") else SQLiteStore
    with store_class(db) as older:  # no renames known: what an older egov-audit did
        store_incoming(older, prepare(CORPUS / "bo-hts.signed.json", registry), registry)
        before = _rows(older)
    assert [row[0] for row in before] == [FORMER]
    with open_store(db, create=False) as store:
        assert _rows(store) == [(NOW, *before[0][1:])]
        assert [r["baseline"] for r in store.national_table()] == [NOW]
        assert [r["code"] for r in store.national_table(baseline=FORMER)] == ["bo-hts"]


def test_rescoring_a_bundle_of_the_former_id_judges_it_alike(tmp_path: Path) -> None:
    """`rescore` re-judges bo-hts's bundle (signed under the former id, with its inventory,
    which names the former id too) against today's catalogue: as the baseline now, to the same
    verdicts, not refused."""
    db = str(tmp_path / "national.db")
    proc = run_cli("collect", str(CORPUS / "bo-hts.signed.json"), "--db", db, "--keys",
                   str(CORPUS / "registry"))
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("rescore", "--db", db, "--policies", str(REPO / "policies"), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["not_rescored"] == []
    [agency] = report["agencies"]
    assert agency["new_agency"] == "bo-hts"
    changed = ("newly_failing", "newly_passing", "controls_added", "controls_removed",
               "targets_added", "targets_removed")
    assert all(agency[key] == [] for key in changed), agency
    assert all(score["delta"] == 0.0 for score in agency["scores"].values())

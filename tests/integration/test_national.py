"""National inspectors end to end: the three sample agencies are validated, their bundles signed,
collected into SQLite and into a real PostgreSQL server, and the national table is asserted on
both; tampered, replayed and wrongly signed bundles are refused; two collectors at once lose
nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from egov_audit.sign import canonical
from egov_audit.store import open_store
from tests.helpers import REPO, VRPS, bundle_dict
from tests.helpers import run_long as run_cli

AGENCIES = ("song-lam", "bo-hts", "ha-son")


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("national")
    keys, registry = work / "keys", work / "registry"
    registry.mkdir()
    out: dict[str, Any] = {"work": work, "keys": keys, "registry": registry, "bundles": {}}
    for agency in AGENCIES:
        assert run_cli("keygen", "--agency", agency, "--out", str(keys)).returncode == 0
        (registry / f"{agency}.pub").write_bytes((keys / f"{agency}.pub").read_bytes())
        bundle = work / f"{agency}.json"
        # with a VRP file, the internet-standards profile judges the agency's own blocks:
        # a score beside the baseline's for the national table
        proc = run_cli("validate", str(REPO / "inventories" / agency), "-f", "json", "-o",
                       str(bundle), "--documentation-as-public", "--fail-on", "none",
                       "--vrp-file", str(VRPS))
        assert proc.returncode == 0, proc.stderr
        proc = run_cli("sign", str(bundle), "--key", str(keys / f"{agency}.key"))
        assert proc.returncode == 0, proc.stderr
        out["bundles"][agency] = work / f"{agency}.signed.json"
    return out


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "national.db")
    server = request.getfixturevalue("postgres")
    return str(server.new_database())


def _collect(db: str, registry: Path, *bundles: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("collect", *map(str, bundles), "--db", db, "--keys", str(registry))


def _rewrite(source: Path, target: Path, change: Any) -> Path:
    data = bundle_dict(source.read_text())
    change(data)
    target.write_text(json.dumps(data))
    return target


def test_collect_and_the_national_table(db: str, signed: dict[str, Any]) -> None:
    bundles = signed["bundles"]
    proc = _collect(db, signed["registry"], *bundles.values())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("stored ") == 3
    again = _collect(db, signed["registry"], bundles["song-lam"])
    assert again.returncode == 0 and "duplicate" in again.stdout  # idempotent
    with open_store(db) as store:
        table = store.national_table()
        assert [r["code"] for r in table] == ["bo-hts", "song-lam", "ha-son"]  # best first
        for row in table:
            bundle = bundle_dict(bundles[row["code"]].read_text())
            assert row["overall"] == bundle["scores"]["overall"]
            assert row["security"] == bundle["scores"]["by_area"]["security"]
            assert row["level"] == bundle["level"] and row["submissions"] == 1
            # the internet-standards profile's score, apart from the compliance score
            assert row["beside"] == bundle["scores"].get("beside"), row["code"]
        assert any(r["beside"] is not None for r in table), table
        assert [r["code"] for r in store.national_table(kind="province")] == ["song-lam",
                                                                             "ha-son"]
        assert [r["code"] for r in store.national_table(level=4)] == ["bo-hts"]
        gaps = store.common_gaps()
        assert gaps[0]["agencies"] >= 2 and {"control", "severity", "targets"} <= set(gaps[0])
        # migrations: agencies and bundles, waivers, portals, instants, results as rows (and
        # without a foreign key)
        assert store.version() == 11
        for row in table:  # every result of each agency's bundle is a row
            bundle = bundle_dict(bundles[row["code"]].read_text())
            rows = store.execute("SELECT r.control, r.target, r.status FROM results r JOIN "
                                 "bundles b ON b.id = r.bundle_id WHERE b.agency = ?",
                                 (row["code"],)).fetchall()
            assert sorted(map(tuple, rows)) == sorted(
                (r["control"], r["target"], r["status"]) for r in bundle["results"])
    text = run_cli("scores", "--db", db, "--lang", "vi")
    assert text.returncode == 0 and "Thiếu hụt phổ biến nhất" in text.stdout
    assert "Tiêu chuẩn Internet (điểm riêng)" in text.stdout
    data = bundle_dict(run_cli("scores", "--db", db, "-f", "json").stdout)
    assert [a["code"] for a in data["agencies"]] == ["bo-hts", "song-lam", "ha-son"]


def test_national_questions_in_sql(db: str, signed: dict[str, Any]) -> None:
    """The agencies failing a control (their latest bundle), its pass rate by month nationally
    and per region, an agency's history: from the results' rows, equal to what the bundles
    say."""
    bundles = signed["bundles"]
    assert _collect(db, signed["registry"], *bundles.values()).returncode == 0
    data = {code: bundle_dict(path.read_text()) for code, path in bundles.items()}
    control = "NET-ASN-01"
    expected_failing = {}
    for code, bundle in data.items():
        mine = [r for r in bundle["results"] if r["control"] == control]
        failing = sum(r["status"] in ("fail", "error") for r in mine)
        if failing:
            expected_failing[code] = failing
    assert expected_failing, "the samples have an agency without its own AS number"
    with open_store(db) as store:
        assert {r["code"]: r["failing"] for r in store.failing(control)} == expected_failing
        assert store.failing(control, region="nowhere") == []
        judged = [r for b in data.values() for r in b["results"] if r["control"] == control
                  and r["status"] in ("pass", "fail", "error", "not_assessed")]
        (month,) = store.pass_rate(control)
        assert month["judged"] == len(judged)
        assert month["passed"] == sum(r["status"] == "pass" for r in judged)
        regions = store.pass_rate(control, by_region=True)
        assert {r["region"] for r in regions} == {b["agency"].get("region") for b in
                                                  data.values()}
        assert sum(r["judged"] for r in regions) == len(judged)
        (only,) = store.history("ha-son")
        assert only["overall"] == data["ha-son"]["scores"]["overall"]
    done = run_cli("control", control, "--db", db, "--lang", "en")
    assert done.returncode == 0 and "agencies failing it" in done.stdout
    assert all(code in done.stdout for code in expected_failing)
    as_json = json.loads(run_cli("control", control, "--db", db, "-f", "json").stdout)
    assert {r["code"] for r in as_json["failing"]} == set(expected_failing)
    done = run_cli("history", "ha-son", "--db", db, "-f", "csv")
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 2  # a header, a row
    done = run_cli("control", "1; DROP TABLE results", "--db", db)
    assert done.returncode == 2 and "not a control identifier" in done.stderr


def test_a_newer_bundle_becomes_the_latest_and_history_is_kept(
        db: str, signed: dict[str, Any]) -> None:
    work, keys = signed["work"], signed["keys"]
    first = signed["bundles"]["song-lam"]
    assert _collect(db, signed["registry"], first).returncode == 0
    proc = run_cli("validate", str(REPO / "inventories/song-lam"), "-f", "json", "-o",
                   str(work / "later.json"), "--fail-on", "none")  # no demo opt-in: lower
    assert proc.returncode == 0
    assert run_cli("sign", str(work / "later.json"), "--key",
                   str(keys / "song-lam.key")).returncode == 0
    assert _collect(db, signed["registry"], work / "later.signed.json").returncode == 0
    with open_store(db) as store:
        (row,) = store.national_table()
        later = bundle_dict((work / "later.signed.json").read_text())
        assert row["overall"] == later["scores"]["overall"] and row["submissions"] == 2
        earlier = bundle_dict(first.read_text())["scores"]["overall"]
        assert row["trend"] == round(later["scores"]["overall"] - earlier, 1)
        assert len(store.history("song-lam")) == 2


def _finished(signed: dict[str, Any], name: str, finished_at: str) -> Path:
    """song-lam's bundle with another end time, signed again by song-lam."""
    work = signed["work"]
    source = bundle_dict((work / "song-lam.json").read_text())
    source["finished_at"] = finished_at
    (work / f"{name}.json").write_text(json.dumps(source))
    proc = run_cli("sign", str(work / f"{name}.json"), "--key",
                   str(signed["keys"] / "song-lam.key"))
    assert proc.returncode == 0, proc.stderr
    return work / f"{name}.signed.json"


def test_times_are_compared_as_instants_not_as_text(db: str, signed: dict[str, Any]) -> None:
    """20:00+07:00 is 13:00Z: older than 13:59Z although its text sorts after it; 21:00+07:00
    (14:00Z) is newer. Without a zone, a bundle is refused at the gate."""
    first = _finished(signed, "at-1359z", "2026-12-01T13:59:00Z")
    older = _finished(signed, "at-2000-07", "2026-12-01T20:00:00+07:00")
    newer = _finished(signed, "at-2100-07", "2026-12-01T21:00:00+07:00")
    assert _collect(db, signed["registry"], first).returncode == 0
    proc = _collect(db, signed["registry"], older)
    assert proc.returncode == 1 and "stale: song-lam already has a bundle from" in proc.stdout \
        + proc.stderr, proc.stdout + proc.stderr
    proc = _collect(db, signed["registry"], newer)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open_store(db) as store:
        history = store.history("song-lam")
        assert [h["finished_at"] for h in history] == ["2026-12-01T13:59:00Z",
                                                       "2026-12-01T21:00:00+07:00"]
        (row,) = store.national_table()
        assert row["date"] == "2026-12-01T21:00:00+07:00"
    naive = _rewrite(first, signed["work"] / "naive.json",
                     lambda d: d.__setitem__("finished_at", "2026-12-02T00:00:00"))
    proc = _collect(db, signed["registry"], naive)
    assert proc.returncode == 1 and "refused" in proc.stderr
    assert "'2026-12-02T00:00:00'" in proc.stderr


def test_a_database_of_schema_3_gets_the_instants_of_its_bundles(
        signed: dict[str, Any], tmp_path: Path) -> None:
    """Bundles stored before migration 4 are given their UTC instants, and ordered by them."""
    import sqlite3

    db = str(tmp_path / "old.db")
    assert _collect(db, signed["registry"],
                    _finished(signed, "old-1359z", "2026-12-01T13:59:00Z")).returncode == 0
    # back to schema 3, as an older egov-audit left it, with a later bundle in another offset
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE results")
        conn.execute("ALTER TABLE bundles DROP COLUMN format")
        conn.execute("DELETE FROM schema_migrations WHERE version IN (5, 6)")
        conn.execute("DROP INDEX bundles_by_agency_instant")
        conn.execute("ALTER TABLE bundles DROP COLUMN finished_utc")
        conn.execute("DELETE FROM schema_migrations WHERE version = 4")
        conn.execute("UPDATE bundles SET finished_at = '2026-12-01T21:00:00+07:00'")
    with open_store(db) as store:
        assert store.version() == 11
        (utc,) = store.execute("SELECT finished_utc FROM bundles").fetchone()
        assert utc == "2026-12-01T14:00:00.000000Z"
        # refilled (5), then moved to a table without a foreign key (6), rows and all
        assert store.execute("SELECT COUNT(*) FROM results").fetchone()[0] > 0
        assert store.execute("PRAGMA foreign_key_list(results)").fetchall() == []
    proc = _collect(db, signed["registry"], _finished(signed, "old-1359z-b",
                                                      "2026-12-01T13:59:30Z"))
    assert proc.returncode == 1 and "stale" in proc.stdout + proc.stderr


def _flip_status(d: dict[str, Any]) -> None:
    failed = next(r for r in d["results"] if r["status"] == "fail")
    failed["status"] = "pass"


def _remove_failed(d: dict[str, Any]) -> None:
    d["results"].remove(next(r for r in d["results"] if r["status"] == "fail"))


def _score(d: dict[str, Any]) -> None:
    d["scores"]["overall"] = 99.9


def _swap_agency(d: dict[str, Any]) -> None:
    d["agency"]["code"] = "bo-hts"  # claims to be another agency


def _unsign(d: dict[str, Any]) -> None:
    del d["signature"]


def _policy(d: dict[str, Any]) -> None:
    d["policy_digest"] = "sha256:" + "0" * 64


def _add_waiver(d: dict[str, Any]) -> None:
    d["waivers"] = [*d.get("waivers", []), {"control": "NET-IP-04", "targets": ["network"],
                                             "state": "active", "applied_to": 1}]


@pytest.mark.parametrize("tamper,reason", [
    (_flip_status, "changed after signing"), (_score, "changed after signing"),
    (_remove_failed, "changed after signing"), (_swap_agency, "signature names agency"),
    (_unsign, "not signed"), (_policy, "changed after signing"),
    (_add_waiver, "changed after signing"),
])
def test_tampered_bundles_are_refused_and_the_good_ones_stored(
        db: str, signed: dict[str, Any], tamper: Any, reason: str) -> None:
    work = signed["work"]
    bad = _rewrite(signed["bundles"]["song-lam"], work / f"bad-{tamper.__name__}.json", tamper)
    proc = _collect(db, signed["registry"], bad, signed["bundles"]["ha-son"])
    assert proc.returncode == 1
    assert reason in proc.stderr and "Traceback" not in proc.stderr
    assert "stored " in proc.stdout and "ha-son" in proc.stdout
    with open_store(db) as store:
        assert [r["code"] for r in store.national_table()] == ["ha-son"]
    verify = run_cli("verify", str(bad), "--keys", str(signed["registry"]))
    assert verify.returncode == 1 and reason in verify.stderr


def test_another_agencys_key_is_refused(db: str, signed: dict[str, Any]) -> None:
    work = signed["work"]
    forged = work / "forged.json"
    assert run_cli("sign", str(work / "song-lam.json"), "--key",
                   str(signed["keys"] / "ha-son.key"), "-o", str(forged)).returncode == 0
    proc = _collect(db, signed["registry"], forged)
    assert proc.returncode == 1 and "not registered for agency 'song-lam'" in proc.stderr


def test_an_old_bundle_replayed_as_new_is_refused(db: str, signed: dict[str, Any]) -> None:
    work, keys = signed["work"], signed["keys"]
    old = signed["bundles"]["ha-son"]
    proc = run_cli("validate", str(REPO / "inventories/ha-son"), "-f", "json", "-o",
                   str(work / "ha-son-new.json"), "--fail-on", "none")
    assert proc.returncode == 0
    run_cli("sign", str(work / "ha-son-new.json"), "--key", str(keys / "ha-son.key"))
    assert _collect(db, signed["registry"], work / "ha-son-new.signed.json").returncode == 0
    proc = _collect(db, signed["registry"], old)
    assert proc.returncode == 1 and "stale" in proc.stderr
    # and moving its date forward breaks the signature
    moved = _rewrite(old, work / "ha-son-moved.json",
                     lambda d: d.update(finished_at="2099-01-01T00:00:00Z"))
    proc = _collect(db, signed["registry"], moved)
    assert proc.returncode == 1 and "changed after signing" in proc.stderr


def _many(signed: dict[str, Any], prefix: str, count: int) -> list[Path]:
    """`count` signed bundles of distinct agencies, made from one sample bundle."""
    from egov_audit.sign import keygen, load_private, sign

    work = signed["work"] / prefix
    work.mkdir(exist_ok=True)
    base = bundle_dict((signed["work"] / "song-lam.json").read_text())
    paths = []
    for i in range(count):
        code = f"{prefix}-{i:03d}"
        private, public = keygen(work / "keys", code)
        (signed["registry"] / f"{code}.pub").write_bytes(public.read_bytes())
        data = {**base, "agency": {**base["agency"], "code": code}}
        path = work / f"{code}.json"
        path.write_text(json.dumps(sign(data, load_private(private))))
        paths.append(path)
    return paths


def test_two_collectors_at_once_lose_nothing(db: str, signed: dict[str, Any]) -> None:
    tag = "pg" if db.startswith("postgresql") else "sq"
    first, second = _many(signed, f"{tag}1", 25), _many(signed, f"{tag}2", 25)
    procs = [subprocess.Popen([sys.executable, "-m", "egov_audit", "collect", *map(str, batch),
                               "--db", db, "--keys", str(signed["registry"])],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for batch in (first, second)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert out.count("stored ") == 25
    with open_store(db) as store:
        codes = {r["code"] for r in store.national_table()}
        assert {p.stem for p in first + second} <= codes


def test_canonical_form_is_stable() -> None:
    a = {"b": [1, {"y": "Hà Nội", "x": 2.5}], "a": None}
    b = {"a": None, "b": [1, {"x": 2.5, "y": "Hà Nội"}]}
    assert canonical(a) == canonical(b) == '{"a":null,"b":[1,{"x":2.5,"y":"Hà Nội"}]}'.encode()


def test_rescore_stored_evidence_against_newer_policies(db: str, signed: dict[str, Any],
                                                        tmp_path: Path) -> None:
    """A scan's bundle is signed with its inventory and evidence, collected, and re-scored
    against a newer host baseline without any host: the changed control shows up."""
    import shutil

    from tests.helpers import build_evidence, build_inventory

    inventory = build_inventory(tmp_path / "inv")
    evidence = build_evidence(tmp_path / "evidence", inventory)
    bundle = tmp_path / "scan.json"
    proc = run_cli("evaluate", str(inventory), "--evidence", str(evidence), "-f", "json", "-o",
                   str(bundle), "--documentation-as-public", "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr
    from egov_audit.sign import keygen

    private, public = keygen(tmp_path / "keys", "compliant")
    shutil.copy(public, signed["registry"] / "compliant.pub")
    proc = run_cli("sign", str(bundle), "--key", str(private), "--inventory", str(inventory),
                   "--evidence", str(evidence), "-o", str(tmp_path / "signed.json"))
    assert proc.returncode == 0, proc.stderr
    assert _collect(db, signed["registry"], tmp_path / "signed.json").returncode == 0
    shutil.rmtree(evidence)  # re-scoring never needs the hosts or the agency's files
    shutil.rmtree(inventory)
    models = tmp_path / "models"
    shutil.copytree(REPO / "reference_models", models)
    host = models / "host.yml"
    host.write_text(host.read_text().replace("ssh_max_auth_tries: 5           # lock after 5",
                                             "ssh_max_auth_tries: 2           # lock after 5"))
    proc = run_cli("rescore", "--db", db, "--policies", str(REPO / "policies"),
                   "--reference-models", str(models), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    (agency,) = bundle_dict(proc.stdout)["agencies"]
    assert agency["new_agency"] == "compliant"
    assert {(c["control"], c["target"]) for c in agency["newly_failing"]} == {
        ("HOST-SSH-03", h) for h in ("web01", "app01", "db01", "jump01", "log01", "ntp01", "ws01")}
    assert agency["scores"]["overall"]["delta"] < 0


def _hog(path: Path, megabytes: int) -> Path:
    """A bundle file of empty objects: a few bytes each in the file, about 95 in memory."""
    count = megabytes * 2**20 // 3
    with path.open("wb") as out:
        out.write(b"[")
        for _ in range(count // 100_000):
            out.write(b"{}," * 100_000)
        out.write(b"{}]")
    return path


def _limited(args: list[str], limit_bytes: int, gate: bool) -> subprocess.CompletedProcess[str]:
    """The CLI under an address-space limit (`ulimit -v`); without `gate`, the memory estimate
    of the strict reader is switched off, so that the MemoryError itself is met."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    prelude = "" if gate else (
        "import egov_audit.gates.jsonin as j; j.shortfall = lambda need: None; ")
    code = prelude + "import sys; from egov_audit.cli import main; sys.argv[0] = 'egov-audit'; " \
        "main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=600, check=False, preexec_fn=limit, cwd=REPO)


@pytest.mark.slow
@pytest.mark.parametrize("gate", [True, False], ids=["estimated", "memory-error"])
def test_a_bundle_that_exhausts_memory_costs_only_itself(signed: dict[str, Any], tmp_path: Path,
                                                         gate: bool) -> None:
    """120 MB of `[{},{},...]` under a 3 GB limit ended the run with `out of memory` and the
    good bundles of the batch were not stored. Now it is refused with its reason (before it is
    built, from the strict reader's count; or, past that, when the MemoryError comes) and every
    other bundle is stored."""
    hog = _hog(tmp_path / "hog.json", 120)
    bundles = signed["bundles"]
    db = str(tmp_path / "national.db")
    batch = [bundles["song-lam"], hog, bundles["bo-hts"], hog, bundles["ha-son"]]
    proc = _limited(["collect", *map(str, batch), "--db", db, "--keys", str(signed["registry"]),
                     "--lang", "en"], 3 * 2**30, gate)
    assert proc.returncode == 1, proc.stderr[-2000:]
    refused = [line for line in proc.stderr.splitlines() if line.startswith(f"refused {hog}")]
    assert len(refused) == 2, proc.stderr[-2000:]
    said = "would take about" if gate else "out of memory while reading it"
    assert all(said in line for line in refused), refused
    assert proc.stdout.count("stored ") == 3, proc.stdout
    with open_store(db) as store:
        assert sorted(r["code"] for r in store.national_table()) == sorted(AGENCIES)


def test_rescore_over_every_core_says_what_one_process_says(tmp_path: Path) -> None:
    """Agencies re-scored by worker processes (each reading its own bundle from the store):
    the same report as one process, agency by agency, in order."""
    corpus = REPO / "tests" / "fixtures" / "bundles_v1"  # version 1, with their inventories
    db = str(tmp_path / "national.db")
    assert _collect(db, corpus / "registry", *sorted(corpus.glob("*.signed.json"))
                    ).returncode == 0
    said = {}
    for workers in ("1", "2"):
        proc = run_cli("rescore", "--db", db, "--policies", str(REPO / "policies"),
                       "--workers", workers, "-f", "json")
        assert proc.returncode == 0, proc.stderr
        report = json.loads(proc.stdout)
        for agency in report["agencies"]:
            agency["new"].pop("date")  # when it was re-scored
        said[workers] = report
    assert said["1"] == said["2"]
    assert [a["new_agency"] for a in said["1"]["agencies"]] == ["bo-hts", "ha-son", "song-lam"]


@pytest.mark.parametrize("change,reason", [
    # a malformed row amid the rows: found while they are being loaded
    (lambda row: b'[0,0,"maybe",0,""]\n', "maybe"),
    # a status changed: every row well formed, found at the signature, after the load
    (lambda row: row.replace(b'"pass"', b'"fail"', 1) if b'"pass"' in row else
     row.replace(b'"fail"', b'"pass"', 1), "changed after signing"),
])
def test_a_version_2_bundle_refused_mid_load_leaves_no_row(db: str, signed: dict[str, Any],
                                                           change: Any, reason: str) -> None:
    """A version 2 bundle goes into the store as it is read (one bulk load of its rows): one
    refused on the way, or at its signature, leaves nothing behind, and the next is stored."""
    source = signed["bundles"]["song-lam"]
    lines = source.read_bytes().splitlines(keepends=True)
    rows = [i for i, line in enumerate(lines) if line.startswith(b"[")]
    middle = rows[len(rows) // 2]
    lines[middle] = change(lines[middle])
    bad = signed["work"] / f"mid-load-{reason[:5]}.json"
    bad.write_bytes(b"".join(lines))
    proc = _collect(db, signed["registry"], bad, signed["bundles"]["ha-son"])
    assert proc.returncode == 1 and reason in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "stored " in proc.stdout
    with open_store(db) as store:
        assert [r["code"] for r in store.national_table()] == ["ha-son"]
        agencies = store.execute("SELECT DISTINCT b.agency FROM results r JOIN bundles b ON "
                                 "b.id = r.bundle_id").fetchall()
        assert [a[0] for a in agencies] == ["ha-son"]


def test_migration_9_counts_what_submitting_counts(tmp_path: Path,
                                                   signed: dict[str, Any]) -> None:
    """The infrastructure parts' counts made from the stored rows (migration 9, for bundles
    stored before it) are the ones a submission tallies as it stores."""
    from egov_audit.store import MIGRATIONS

    db = str(tmp_path / "national.db")
    assert _collect(db, signed["registry"], *signed["bundles"].values()).returncode == 0
    query = ("SELECT bundle_id, part, severity, counted, passed FROM infrastructure_counts "
             "ORDER BY 1, 2, 3")
    with open_store(db) as store:
        tallied = store.execute(query).fetchall()
        assert {row[1] for row in tallied} == {"network", "server_rooms"}
        with store.transaction():
            store.execute("DELETE FROM infrastructure_counts")
            store.execute(MIGRATIONS[8][1])
        assert store.execute(query).fetchall() == tallied


def test_migration_10_gives_stored_bundles_their_vietnam_month(
        signed: dict[str, Any], tmp_path: Path) -> None:
    import sqlite3

    db = str(tmp_path / "old.db")
    late = _finished(signed, "new-year", "2026-12-31T20:00:00Z")
    assert _collect(db, signed["registry"], late).returncode == 0
    with sqlite3.connect(db) as conn:  # back to schema 9, as an older egov-audit left it
        conn.execute("ALTER TABLE bundles DROP COLUMN period")
        conn.execute("DELETE FROM schema_migrations WHERE version = 10")
    with open_store(db) as store:
        assert store.version() == 11
        assert store.execute("SELECT period FROM bundles").fetchall() == [("2027-01",)]
        assert [r["quarter"] for r in store.quarterly()] == ["2027-Q1"]

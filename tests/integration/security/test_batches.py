"""Boundary: the national database and the batches that fill and read it. One bad bundle or one
broken agency never loses the others; every failure is one named line, never `internal error`."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest

from tests.helpers import REPO, bundle_dict
from tests.integration.security.conftest import Agency, run


def _count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM bundles").fetchone()[0])


def test_collect_stores_every_good_bundle_and_refuses_each_bad_one(agency: Agency,
                                                                    tmp_path: Path) -> None:
    signed = agency.signed.read_text()
    bad = {
        "dup.json": signed.replace('"level": 5', '"level": 5, "level": 4', 1),
        "nan.json": signed.replace('"overall": ', '"overall": NaN, "x": ', 1),
        "cut.json": signed[:100],
        "set.json": json.dumps({"schema": "egov-audit/result-set@1", "bundles": [],
                                "national": None}),
        "unsigned.json": agency.bundle.read_text(),
    }
    paths = []
    for name, text in bad.items():
        (tmp_path / name).write_text(text)
        paths.append(tmp_path / name)
    db = tmp_path / "n.db"
    done = run("collect", *paths[:2], agency.signed, *paths[2:], "--db", db, "--keys",
               agency.keys)
    assert done.code == 1
    assert f"stored {agency.signed}: compliant" in done.out
    refused = {line.split(":")[0] for line in done.err.strip().splitlines()}
    assert refused == {f"refused {p}" for p in paths}
    assert "duplicate key 'level'" in done.err and "NaN is not a JSON number" in done.err
    assert "the bundle is not signed" in done.err and "a result set" in done.err
    assert "internal error" not in done.err
    assert _count(db) == 1


def _collected(agency: Agency, tmp_path: Path) -> Path:
    db = tmp_path / "n.db"
    assert run("collect", agency.signed, "--db", db, "--keys", agency.keys).code == 0
    return db


def _rewrite_body(db: Path, change: object) -> None:
    with sqlite3.connect(db) as conn:
        body = conn.execute("SELECT body FROM bundles").fetchone()[0]
        data = bundle_dict(zlib.decompress(body))
        new = change(data) if callable(change) else change
        blob = new if isinstance(new, bytes) else zlib.compress(json.dumps(new).encode())
        conn.execute("UPDATE bundles SET body = ?", (blob,))


@pytest.mark.parametrize(("change", "reason"), [
    (b"not zlib at all", "stored bundle is not readable"),
    (zlib.compress(b'{"a": 1, "a": 2}'), "duplicate key 'a'"),
    (lambda d: {**d, "level": 2.0}, "2.0 is not an integer level"),
    (lambda d: {**d, "inputs": {**d["inputs"], "inventory_files": {
        "../../etc/cron.d/x": "* * * * * root touch /tmp/owned"}}},
     "packed inventory path '../../etc/cron.d/x' is not a plain relative path"),
    (lambda d: {**d, "inputs": {**d["inputs"], "evidence": {"../x": {}}}},
     "packed evidence host '../x' is not a file name"),
    (lambda d: {**d, "inputs": {**d["inputs"], "inventory_files": {"/etc/x": "y"}}},
     "packed inventory path '/etc/x' is not a relative path"),
])
def test_rescore_reports_a_broken_agency_and_goes_on(agency: Agency, tmp_path: Path,
                                                     change: object, reason: str) -> None:
    db = _collected(agency, tmp_path)
    _rewrite_body(db, change)
    done = run("rescore", "--db", db, "--policies", REPO / "policies")
    assert done.code == 1, done.out + done.err
    assert "compliant: not re-scored: " in done.out and reason in done.out
    assert not Path("/tmp/owned").exists() and "internal error" not in done.err


def test_rescore_of_a_good_store_succeeds(agency: Agency, tmp_path: Path) -> None:
    db = _collected(agency, tmp_path)
    done = run("rescore", "--db", db, "--policies", REPO / "policies",
               "-f", "json")
    assert done.code == 0, done.err
    assert bundle_dict(done.out)["not_rescored"] == []


@pytest.mark.parametrize("command", ["scores", "rescore"])
def test_reading_a_missing_database_never_creates_one(tmp_path: Path, command: str) -> None:
    db = tmp_path / "typo.db"
    args = ["--policies", str(REPO / "policies")] \
        if command == "rescore" else []
    done = run(command, "--db", db, *args)
    assert done.code == 2
    assert done.err.strip() == \
        f"egov-audit: error: {db}: no such database (collect bundles into it first)"
    assert not db.exists()


def test_a_foreign_sqlite_database_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE schema_migrations (name TEXT)")
    done = run("scores", "--db", db)
    assert done.code == 2 and "not an egov-audit database, or a damaged one" in done.err
    assert len(done.err.strip().splitlines()) == 1


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not a database\n" * 100)
    done = run("scores", "--db", db)
    assert done.code == 2 and "file is not a database" in done.err
    assert len(done.err.strip().splitlines()) == 1


def test_a_newer_database_schema_is_refused(agency: Agency, tmp_path: Path) -> None:
    db = _collected(agency, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (99, 'later')")
    done = run("scores", "--db", db)
    assert done.code == 2 and "newer than this egov-audit knows" in done.err


def test_a_refused_postgresql_connection_is_one_line_without_the_password() -> None:
    done = run("scores", "--db", "postgresql://inspector:s3cret@127.0.0.1:1/national")
    assert done.code == 2 and "cannot open the database" in done.err
    assert len(done.err.strip().splitlines()) == 1
    assert "s3cret" not in done.err and "inspector:***@" in done.err

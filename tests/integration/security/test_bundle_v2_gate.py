"""Boundary: result bundles of version 2 (one record a line). Every rule of the strict reader
holds per record, every record is checked against the schema of its kind and its indexes, and
a signature covers every byte before it: a hostile bundle is refused with the file, the line
and the reason (exit 2, or 1 `rejected` for verify and collect), never a traceback; one bad
bundle in a batch never loses the others."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from egov_audit.store import open_store
from tests.helpers import bundle_dict
from tests.integration.security.conftest import Agency, run

Lines = list[bytes]
Mutation = Callable[[Lines], Lines]


def _first(lines: Lines, prefix: bytes) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(prefix))


def _replace(prefix: bytes, old: bytes, new: bytes) -> Mutation:
    """In the first record starting with `prefix` that holds `old`, `old` becomes `new`."""
    def change(lines: Lines) -> Lines:
        index = next(i for i, line in enumerate(lines) if line.startswith(prefix) and old in line)
        return [*lines[:index], lines[index].replace(old, new, 1), *lines[index + 1:]]
    return change


def _row(new: bytes) -> Mutation:
    """The first result row replaced by `new`."""
    def change(lines: Lines) -> Lines:
        index = _first(lines, b"[")
        return [*lines[:index], new + b"\n", *lines[index + 1:]]
    return change


def _insert_before(prefix: bytes, new: bytes) -> Mutation:
    def change(lines: Lines) -> Lines:
        index = _first(lines, prefix)
        return [*lines[:index], new + b"\n", *lines[index:]]
    return change


def _drop(prefix: bytes) -> Mutation:
    def change(lines: Lines) -> Lines:
        index = _first(lines, prefix)
        return [*lines[:index], *lines[index + 1:]]
    return change


# (case, mutation of a valid bundle's records, what the refusal says)
HOSTILE: list[tuple[str, Mutation, str]] = [
    ("duplicate-key", _replace(b'{"$schema"', b'"level":', b'"level":1,"level":'),
     "duplicate key 'level' in an object"),
    ("nan", _replace(b'{"end"', b'"overall":', b'"overall":NaN,"x":'), "NaN is not a JSON number"),
    ("huge-integer", _row(b'[0,0,"pass",0,"x",[],{"locations":[["f",' + b"9" * 20 + b"]]}]"),
     "is out of range (at most 64 bits)"),
    ("lone-surrogate", _replace(b'{"target"', b'"id":"', b'"id":"\\ud800'),
     "a string holds a lone UTF-16 surrogate (not text)"),
    ("deep-nesting", _row(b"[0,0,\"pass\",0," + b"[" * 70 + b"]" * 70 + b"]"),
     "nested more than 64 levels deep"),
    ("not-utf8", _replace(b'{"target"', b'"id":"', b'"id":"\xff'), "not UTF-8 text"),
    ("not-json", _row(b"[0,0,"), "not JSON"),
    ("control-out-of-range", _row(b'[999,0,"pass",0,"x"]'), "control 999 is not defined"),
    ("target-out-of-range", _row(b'[0,999,"pass",0,"x"]'), "target 999 is not defined"),
    ("not-a-status", _row(b'[0,0,"fine",0,"x"]'), "'fine' is not a status"),
    ("too-many-items", _row(b'[0,0,"pass",0,"x",[],{},1]'), "8 items (5 to 7)"),
    ("bool-index", _row(b'[true,0,"pass",0,"x"]'), "control True is not defined"),
    ("observed-not-text", _row(b'[0,0,"pass",0,{"vi":1,"en":"x"}]'),
     "the observed value is not text"),
    ("unknown-extra", _row(b'[0,0,"pass",0,"x",[],{"evil":1}]'), "its last item is not an object"),
    ("missing-argument", _replace(b'{"message"', b'"vi":"', b'"vi":"{7}'),
     "its message needs an argument it does not give"),
    ("stray-brace", _replace(b'{"message"', b'"en":"', b'"en":"{'),
     "a brace that is not a placeholder"),
    ("unknown-record", _insert_before(b'{"end"', b'{"surprise":{}}'),
     "not a record of a version 2 bundle"),
    ("second-header", _insert_before(b'{"end"', b'{"$schema":"egov-audit/result-bundle@2"}'),
     "not a record of a version 2 bundle"),
    ("bad-target-kind", _replace(b'{"target"', b'"kind":"', b'"kind":"x'), "target record"),
    ("control-id-markup", _replace(b'{"control"', b'"id":"', b'"id":"<script>'),
     "control record: control.id"),
    ("bad-date", _replace(b'{"end"', b'"finished_at":"2026-12-', b'"finished_at":"2026-13-'),
     "is not a date and time"),
    ("row-count", _drop(b"["), "results said"),
    ("no-end", _drop(b'{"end"'), "end record"),  # none, or the inputs come before it
    ("record-after-end", lambda lines: [*lines, lines[_first(lines, b'{"target"')]],
     "a target record comes after the end record"),
    ("cut-short", lambda lines: [*lines[:-1], lines[-1].rstrip(b"\n")],
     "the last line is cut short"),
]


def _write(agency: Agency, source: Path, mutation: Mutation, name: str) -> Path:
    lines = source.read_bytes().splitlines(keepends=True)
    path = agency.root / name
    path.write_bytes(b"".join(mutation(lines)))
    return path


@pytest.mark.parametrize(("case", "mutation", "reason"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_report_refuses_a_hostile_v2_bundle(agency: Agency, case: str, mutation: Mutation,
                                            reason: str) -> None:
    path = _write(agency, agency.bundle_v2, mutation, "hostile.json")
    out = agency.root / "report.html"
    done = run("report", path, "-f", "html", "-o", out)
    assert done.code == 2, (case, done.err)
    assert done.err.startswith(f"egov-audit: error: {path}:"), done.err  # with its line
    assert reason in done.err, done.err
    assert len(done.err.strip().splitlines()) == 1 and "Traceback" not in done.err
    assert not out.exists()


@pytest.mark.parametrize(("case", "mutation", "reason"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_verify_rejects_a_hostile_v2_bundle(agency: Agency, case: str, mutation: Mutation,
                                            reason: str) -> None:
    def keep_signature_last(lines: Lines) -> Lines:
        *body, signature = lines
        return [*mutation(body), signature] if case != "cut-short" else mutation(lines)

    path = _write(agency, agency.signed_v2, keep_signature_last, "hostile.signed.json")
    done = run("verify", path, "--keys", agency.keys)
    assert done.code == 1, (case, done.out, done.err)
    assert done.err.startswith(f"egov-audit: rejected: {path}") and reason in done.err, done.err


TAMPERED: list[tuple[str, Mutation]] = [
    ("status", _replace(b'[', b'"fail"', b'"pass"')),
    ("template", _replace(b'{"message"', b'"en":"', b'"en":"All is well. ')),
    ("score", _replace(b'{"end"', b'"overall":', b'"overall":99.0,"x":')),
    ("dropped-row-and-count", lambda lines: [
        line.replace(b'"results":', b'"results":-1+', 1) for line in lines]),
    ("inputs", _replace(b'{"inputs"', b'"inventory_files":{', b'"inventory_files":{"x":"y",')),
]


@pytest.mark.parametrize(("case", "mutation"), TAMPERED, ids=[t[0] for t in TAMPERED])
def test_any_changed_byte_breaks_the_v2_signature(agency: Agency, case: str,
                                                  mutation: Mutation) -> None:
    original = agency.signed_v2.read_bytes().splitlines(keepends=True)
    changed = mutation(original)
    if case == "dropped-row-and-count":  # a row gone, and the count said again
        rows = [i for i, line in enumerate(original) if line.startswith(b"[")]
        changed = [line for i, line in enumerate(original) if i != rows[0]]
        end = _first(changed, b'{"end"')
        count = len(rows)
        changed[end] = changed[end].replace(f'"results":{count}'.encode(),
                                            f'"results":{count - 1}'.encode())
    path = agency.root / "tampered.json"
    path.write_bytes(b"".join(changed))
    done = run("verify", path, "--keys", agency.keys)
    assert done.code == 1 and "changed after signing" in done.err, (case, done.err)


def test_a_signed_v2_bundle_verifies_compressed_and_reports_the_same(agency: Agency) -> None:
    assert run("verify", agency.signed_v2, "--keys", agency.keys).code == 0
    packed = agency.root / "bundle.v2.signed.json.gz"
    packed.write_bytes(gzip.compress(agency.signed_v2.read_bytes()))
    done = run("verify", packed, "--keys", agency.keys)
    assert done.code == 0, done.err
    assert run("report", packed, "--lang", "en").out == \
        run("report", agency.signed_v2, "--lang", "en").out
    # a gzip stream cut short is refused as such
    cut = agency.root / "cut.json.gz"
    cut.write_bytes(packed.read_bytes()[:-40])
    done = run("report", cut)
    assert done.code == 2 and "cannot read" in done.err and "Traceback" not in done.err


def test_a_signature_by_a_key_not_registered_for_the_agency_is_refused(agency: Agency) -> None:
    assert run("keygen", "--agency", "compliant", "--out", agency.root / "other").code == 0
    resigned = agency.root / "resigned.json"
    done = run("sign", agency.bundle_v2, "--key", agency.root / "other" / "compliant.key",
               "-o", resigned)
    assert done.code == 0, done.err
    done = run("verify", resigned, "--keys", agency.keys)
    assert done.code == 1 and "not registered for agency 'compliant'" in done.err


def test_v1_and_v2_of_one_audit_say_the_same(agency: Agency) -> None:
    """The same results through either format: every reader sees one bundle."""
    v1, v2 = bundle_dict(agency.bundle.read_text()), bundle_dict(agency.bundle_v2.read_text())
    assert v1 == v2
    for fmt in ("text", "markdown", "csv", "sarif", "junit"):
        assert run("report", agency.bundle, "-f", fmt).out == \
            run("report", agency.bundle_v2, "-f", fmt).out, fmt
    done = run("diff", agency.bundle, agency.bundle_v2)
    assert done.code == 0, done.err
    assert agency.bundle_v2.stat().st_size * 2 < agency.bundle.stat().st_size


def test_collect_stores_each_good_bundle_of_either_version_and_refuses_each_bad_one(
        agency: Agency, tmp_path: Path) -> None:
    lines = agency.signed_v2.read_bytes().splitlines(keepends=True)
    bad_record = tmp_path / "bad-record.json"
    bad_record.write_bytes(b"".join(_row(b'[0,999,"pass",0,"x"]')(lines[:-1])) + lines[-1])
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(b"".join(_replace(b"[", b'"fail"', b'"pass"')(lines)))
    unsigned = agency.bundle_v2
    db = tmp_path / "national.db"
    done = run("collect", bad_record, tampered, unsigned, agency.signed_v2, "--db", db,
               "--keys", agency.keys)
    assert done.code == 1
    assert done.err.count("refused") == 3, done.err
    assert "target 999 is not defined" in done.err and "changed after signing" in done.err
    assert "not signed" in done.err
    assert done.out.count("stored") == 1
    with open_store(db) as store:
        (rows,) = store.execute("SELECT COUNT(*) FROM results").fetchone()
        assert rows == len(bundle_dict(agency.signed_v2.read_text())["results"])
        assert store.execute("SELECT COUNT(*) FROM bundles").fetchone()[0] == 1
    # the same again is a duplicate; the version 1 bundle of the same audit is older: a replay
    done = run("collect", agency.signed_v2, "--db", db, "--keys", agency.keys)
    assert done.code == 0 and "duplicate" in done.out
    done = run("collect", agency.signed, "--db", db, "--keys", agency.keys)
    assert done.code == 1 and "stale" in done.err


def test_a_replayed_v2_bundle_is_refused_and_leaves_nothing(agency: Agency,
                                                            tmp_path: Path) -> None:
    lines = agency.bundle_v2.read_bytes().splitlines(keepends=True)
    older = tmp_path / "older.json"
    older.write_bytes(b"".join(_replace(b'{"end"', b'"finished_at":"2', b'"finished_at":"1')(
        lines)))
    signed_older = tmp_path / "older.signed.json"
    assert run("sign", older, "--key", agency.private, "-o", signed_older).code == 0
    db = tmp_path / "national.db"
    assert run("collect", agency.signed_v2, "--db", db, "--keys", agency.keys).code == 0
    with open_store(db) as store:
        before = store.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    done = run("collect", signed_older, "--db", db, "--keys", agency.keys)
    assert done.code == 1 and "stale" in done.err
    with open_store(db) as store:
        assert store.execute("SELECT COUNT(*) FROM results").fetchone()[0] == before
        assert store.execute("SELECT COUNT(*) FROM bundles").fetchone()[0] == 1


def test_signing_again_replaces_the_signature_and_packs_inputs_once(agency: Agency) -> None:
    again = agency.root / "again.json"
    assert run("sign", agency.signed_v2, "--key", agency.private, "-o", again).code == 0
    assert again.read_bytes().count(b'{"signature"') == 1
    assert run("verify", again, "--keys", agency.keys).code == 0
    done = run("sign", agency.signed_v2, "--key", agency.private, "--inventory",
               agency.inventory, "-o", agency.root / "twice.json")
    assert done.code == 2 and "a second inputs record" in done.err


def test_the_v1_corpus_is_still_verified_reported_and_collected(tmp_path: Path) -> None:
    corpus = Path(__file__).parents[2] / "fixtures" / "bundles_v1"
    registry = corpus / "registry"
    signed = sorted(corpus.glob("*.signed.json"))
    assert len(signed) == 3
    for path in signed:
        done = run("verify", path, "--keys", registry)
        assert done.code == 0, done.err
    assert run("report", corpus / "song-lam.json", "--lang", "en").code in (0, 1)
    copy = tmp_path / "song-lam.json"
    shutil.copy(corpus / "song-lam.json", copy)
    v2 = tmp_path / "song-lam.v2.json"
    # read as version 1, written as version 2: the same bundle
    assert run("report", copy, "-f", "json", "-o", v2, "--fail-on", "none").code == 0
    assert bundle_dict(v2.read_text()) == json.loads(copy.read_text())
    db = tmp_path / "national.db"
    done = run("collect", *signed, "--db", db, "--keys", registry)
    assert done.code == 0, done.err
    with open_store(db) as store:
        counts = dict(store.execute("SELECT b.agency, COUNT(*) FROM results r JOIN bundles b "
                                    "ON b.id = r.bundle_id GROUP BY b.agency").fetchall())
    assert counts == {p.name.split(".")[0]: len(json.loads(p.read_text())["results"])
                      for p in signed}

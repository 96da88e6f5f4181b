"""Boundary: result bundles that travel between agencies and inspectors. Every command that reads
a bundle reads it through the strict reader and the bundle gate: a hostile bundle is refused with
the file and the reason (exit 2, or 1 `rejected` for verify), never a traceback, never read
differently by two commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.security.conftest import Agency, run

Mutation = Callable[[str], str | bytes]


def _set(path: str, raw: str) -> Mutation:
    """Replace the JSON value at a top-level key or a dotted path with raw JSON text."""
    def change(text: str) -> str:
        data = json.loads(text)
        keys = path.split(".")
        target = data
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        marker = "\u0000MARK\u0000"
        target[keys[-1]] = marker
        return json.dumps(data, ensure_ascii=False).replace(json.dumps(marker), raw)
    return change


# (case id, mutation of a valid bundle's text, what the refusal says)
HOSTILE: list[tuple[str, Mutation, str]] = [
    ("duplicate-key", lambda t: t.replace('"level": 5', '"level": 5, "level": 1', 1),
     "duplicate key 'level' in an object"),
    ("duplicate-nested-key", lambda t: t.replace('"code": "compliant"',
                                                 '"code": "compliant", "code": "other"', 1),
     "duplicate key 'code' in an object"),
    ("nan", _set("scores.overall", "NaN"), "NaN is not a JSON number"),
    ("infinity", _set("scores.overall", "Infinity"), "Infinity is not a JSON number"),
    ("minus-infinity", _set("scores.coverage", "-Infinity"), "-Infinity is not a JSON number"),
    ("float-overflow", _set("scores.overall", "1e999"), "number 1e999 is out of range"),
    ("huge-integer", _set("level", str(2**70)), "is out of range (at most 64 bits)"),
    ("5000-digit-integer", _set("level", "9" * 5000), "is out of range (at most 64 bits)"),
    ("lone-surrogate", _set("agency.name.vi", '"\\ud800 x"'),
     "a string holds a lone UTF-16 surrogate (not text)"),
    ("deep-nesting", _set("options", "[" * 200 + "]" * 200), "nested more than 64 levels deep"),
    ("not-utf8", lambda t: t.replace("Đơn vị", "X").encode("utf-8")[:-2] + b"\xff\xfe}",
     "not UTF-8 text"),
    ("truncated", lambda t: t[: len(t) // 2], "not JSON:"),
    ("trailing-garbage", lambda t: t + "\n{}", "not JSON: Extra data"),
    ("nul-byte", lambda t: t.replace('"compliant"', '"compl\u0000iant"', 1).encode() + b"\x00",
     "not JSON"),
    ("empty-file", lambda t: "", "not JSON: Expecting value"),
    ("top-level-array", lambda t: "[" + t + "]", "not an egov-audit result bundle"),
    ("no-schema", lambda t: t.replace('"egov-audit/result-bundle@1"', '"x"', 1),
     "not an egov-audit result bundle"),
    ("float-level", _set("level", "3.0"), "3.0 is not an integer level"),
    ("bool-level", _set("level", "true"), "True is not of type 'integer'"),
    ("bad-date", _set("finished_at", '"2026-13-45T00:00:00Z"'),
     "'2026-13-45T00:00:00Z' is not a date and time"),
    ("words-for-date", _set("started_at", '"yesterday"'), "'yesterday' does not match"),
    ("agency-code-path", _set("agency.code", '"../x"'), "'../x' does not match"),
    ("control-id-markup", _set("results.0.control", '"<script>alert(1)</script>"'),
     "does not match"),
    ("result-missing-status", lambda t: t.replace('"status": "pass"', '"statuz": "pass"', 1),
     "'status' is a required property"),
]


def _hostile(agency: Agency, mutation: Mutation) -> Path:
    changed = mutation(agency.bundle.read_text())
    path = agency.root / "hostile.json"
    if isinstance(changed, bytes):
        path.write_bytes(changed)
    else:
        path.write_text(changed)
    return path


@pytest.mark.parametrize(("case", "mutation", "reason"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_report_refuses_a_hostile_bundle(agency: Agency, case: str, mutation: Mutation,
                                         reason: str) -> None:
    path = _hostile(agency, mutation)
    out = agency.root / "report.html"
    done = run("report", path, "-f", "html", "-o", out)
    assert done.code == 2, (case, done.err)
    assert done.err.startswith(f"egov-audit: error: {path}"), done.err
    assert reason in done.err, done.err
    assert len(done.err.strip().splitlines()) == 1 and "Traceback" not in done.err
    assert not out.exists()


@pytest.mark.parametrize(("case", "mutation", "reason"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_verify_rejects_a_hostile_bundle(agency: Agency, case: str, mutation: Mutation,
                                         reason: str) -> None:
    signed = agency.signed.read_text()
    path = agency.root / "hostile.signed.json"
    changed = mutation(signed)
    path.write_bytes(changed if isinstance(changed, bytes) else changed.encode())
    done = run("verify", path, "--keys", agency.keys)
    assert done.code == 1, (case, done.out, done.err)
    assert done.err.startswith(f"egov-audit: rejected: {path}: ") and reason in done.err


def test_duplicate_keys_cannot_keep_a_signature_valid_while_changing_a_value(
        agency: Agency) -> None:
    """The classic: a verifier keeping the first value and an evaluator keeping the last."""
    text = agency.signed.read_text()
    forged = text.replace('"overall": ', '"overall": 100.0, "overall": ', 1)
    path = agency.root / "forged.json"
    path.write_text(forged)
    done = run("verify", path, "--keys", agency.keys)
    assert done.code == 1 and "duplicate key 'overall'" in done.err
    assert run("verify", agency.signed, "--keys", agency.keys).code == 0


def test_a_changed_score_breaks_the_signature(agency: Agency) -> None:
    data = json.loads(agency.signed.read_text())
    data["scores"]["overall"] = 100.0
    path = agency.write("tampered.json", data)
    done = run("verify", path, "--keys", agency.keys)
    assert done.code == 1 and "it was changed after signing" in done.err


def _second_agency(agency: Agency, code: str) -> tuple[Path, Path]:
    assert run("keygen", "--agency", code, "--out", agency.root / "other").code == 0
    return agency.root / "other" / f"{code}.key", agency.root / "other" / f"{code}.pub"


def test_verify_pubkey_binds_the_key_to_its_agency(agency: Agency) -> None:
    """A bundle of agency A signed with B's key: --pubkey B.pub no longer says `valid`."""
    other_key, other_pub = _second_agency(agency, "other")
    data = agency.data()
    signed_by_b = agency.root / "by-b.json"
    assert run("sign", agency.bundle, "--key", other_key, "-o", signed_by_b).code == 0
    done = run("verify", signed_by_b, "--pubkey", other_pub)
    assert done.code == 1, done.out
    assert f"no key is registered for agency {data['agency']['code']!r}" in done.err
    # the same key named for the claimed agency with --agency is still the other agency's key
    # material: the signature names its key id, which is not registered for `compliant` there
    done = run("verify", signed_by_b, "--pubkey", agency.keys / "compliant.pub")
    assert done.code == 1 and "not registered for agency 'compliant'" in done.err
    assert run("verify", agency.signed, "--pubkey", agency.keys / "compliant.pub").code == 0


def test_verify_pubkey_with_an_explicit_agency(agency: Agency) -> None:
    _, other_pub = _second_agency(agency, "other")
    done = run("verify", agency.signed, "--pubkey", other_pub, "--agency", "compliant")
    assert done.code == 1 and "which is not registered for agency 'compliant'" in done.err
    done = run("verify", agency.signed, "--pubkey", agency.keys / "compliant.pub",
               "--agency", "other")
    assert done.code == 1 and "no key is registered for agency 'compliant'" in done.err


def test_a_key_registry_file_that_is_not_an_agency_code_is_refused(agency: Agency) -> None:
    (agency.keys / "x y.pub").write_text((agency.keys / "compliant.pub").read_text())
    done = run("verify", agency.signed, "--keys", agency.keys)
    assert done.code == 2 and "key registry file x y.pub: agency code 'x y' is not valid" \
        in done.err


def test_diff_refuses_a_hostile_bundle_on_either_side(agency: Agency) -> None:
    path = _hostile(agency, HOSTILE[0][1])
    for args in ((agency.bundle, path), (path, agency.bundle)):
        done = run("diff", *args)
        assert done.code == 2 and "duplicate key 'level'" in done.err


def test_sign_refuses_a_result_set(agency: Agency) -> None:
    data = {"schema": "egov-audit/result-set@1", "bundles": [agency.data()], "national": None}
    path = agency.write("set.json", data)
    done = run("sign", path, "--key", agency.private)
    assert done.code == 2 and "sign each agency's bundle" in done.err
    assert not (agency.root / "set.signed.json").exists()


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory", "dev-null"])
def test_special_files_as_bundles_are_refused_at_once(agency: Agency, kind: str) -> None:
    """A FIFO would block forever, /dev/zero never ends: refused before any byte is read (run
    as a real process with a timeout: a hang fails the test instead of hanging it)."""
    path = agency.root / "special.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "dev-null":
        path.symlink_to("/dev/null")
    else:
        path.mkdir()
    proc = subprocess.run([sys.executable, "-m", "egov_audit", "report", str(path)],
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"egov-audit: error: {path}: not a regular file"


def test_a_schema_error_never_echoes_a_long_key_whole(agency: Agency) -> None:
    """Found by the fuzz tier: a 5,000-digit key in a bundle came back whole in the error's
    JSON path (a 5,065-character line)."""
    data = agency.data()
    first = next(iter(data["controls"]))
    data["controls"][first]["clauses"] = {"9" * 5000: None}
    done = run("report", agency.write("long-key.json", data), "--lang", "en")
    assert done.code == 2 and "is not of type 'object'" in done.err
    assert len(done.err) < 500 and "9" * 41 not in done.err


def test_evaluating_again_and_again_keeps_no_catalogue(agency: Agency) -> None:
    """Found by the fuzz tier: the address space of every catalogue ever loaded was kept (a
    process that evaluates many agencies grew by 0.7 MB for each)."""
    from egov_audit.audit import AuditRequest, evaluate
    from egov_audit.checks.ip_plan import _address_space

    for _ in range(12):
        evaluate(AuditRequest(inventories=[agency.inventory]), agency.evidence)
    assert _address_space.cache_info().currsize <= 4

"""The service's commands as administrators and agencies type them: accounts and keys
(`serve user`, `serve key`, each change in the audit log), and `submit`'s answers when it
cannot deliver or is refused (the server itself: tests/integration/test_serve_load.py and
tests/browser/test_serve_browser.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from egov_audit.store import open_store
from tests.helpers import run_cli


def _cli(db: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "egov_audit", "serve", "--db", str(db), *args,
                           "--lang", "en"], input=stdin, capture_output=True, text=True,
                          timeout=120, check=False)


def test_accounts_and_keys_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "national.db"
    added = _cli(db, "user", "add", "root", "--role", "admin", "--password-stdin",
                 stdin="a long enough password\n")
    assert added.returncode == 0 and "account root added (admin)" in added.stdout
    short = _cli(db, "user", "add", "x", "--role", "inspector", "--password-stdin",
                 stdin="short\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    assert "Traceback" not in short.stderr
    twice = _cli(db, "user", "add", "root", "--role", "admin", "--password-stdin",
                 stdin="a long enough password\n")
    assert twice.returncode == 2 and "exists" in twice.stderr
    no_agency = _cli(db, "user", "add", "it", "--role", "agency", "--password-stdin",
                     stdin="a long enough password\n")
    assert no_agency.returncode == 2
    assert _cli(db, "user", "disable", "root").returncode == 0
    assert _cli(db, "user", "disable", "nobody").returncode == 2

    for name in ("one", "two"):
        assert run_cli("keygen", "--agency", "song-lam", "--out",
                       str(tmp_path / name)).returncode == 0
    first = _cli(db, "key", "add", "song-lam", str(tmp_path / "one" / "song-lam.pub"))
    assert first.returncode == 0 and "registered for song-lam" in first.stdout
    again = _cli(db, "key", "add", "song-lam", str(tmp_path / "one" / "song-lam.pub"))
    assert again.returncode == 2 and "already registered" in again.stderr
    (tmp_path / "bad.pub").write_text("not a key")
    assert _cli(db, "key", "add", "song-lam", str(tmp_path / "bad.pub")).returncode == 2
    rotated = _cli(db, "key", "rotate", "song-lam", str(tmp_path / "two" / "song-lam.pub"))
    assert rotated.returncode == 0, rotated.stderr
    assert "registered" in rotated.stdout and "revoked" in rotated.stdout
    listed = _cli(db, "key", "list").stdout.splitlines()
    assert len(listed) == 2 and sum(1 for line in listed if line.endswith(" -")) == 1
    bad_time = _cli(db, "key", "revoke", listed[0].split()[1], "--at", "yesterday")
    assert bad_time.returncode == 2 and "revocation time" in bad_time.stderr

    with open_store(str(db)) as store:
        actions = [e.action for e in reversed(store.audit_log())]
        assert actions == ["account.add", "account.disable", "key.add", "key.add",
                           "key.revoke"]
        assert all(e.actor.startswith("cli:") for e in store.audit_log())
        registry = store.key_registry()
        assert len(registry.keys["song-lam"]) == 2 and len(registry.revoked) == 1


def test_submit_says_why_it_could_not_deliver(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_text("{}")
    plain = run_cli("submit", "http://audit.example.gov.vn", str(bundle), "--lang", "en")
    assert plain.returncode == 2 and "use https://" in plain.stderr
    down = run_cli("submit", "http://127.0.0.1:9", str(bundle), "--retries", "1",
                   "--lang", "en")
    assert down.returncode == 2 and "cannot reach" in down.stderr
    assert down.stderr.count("cannot reach") == 2  # the first try said, then the last
    missing = run_cli("submit", "https://audit.example.gov.vn", str(tmp_path / "none.json"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_collect_verifies_against_the_keys_in_the_store(tmp_path: Path) -> None:
    """Without --keys, `collect` takes the registry the service keeps (with its revocations)."""
    from tests.helpers import signed_samples

    signed = signed_samples(tmp_path, ("song-lam",))["song-lam"]
    db = tmp_path / "national.db"
    nothing = run_cli("collect", str(signed), "--db", str(db), "--lang", "en")
    assert nothing.returncode == 1 and "no key is registered" in nothing.stderr
    assert _cli(db, "key", "add", "song-lam", str(tmp_path / "song-lam.pub")).returncode == 0
    key_id = _cli(db, "key", "list").stdout.split()[1]
    assert _cli(db, "key", "revoke", key_id, "--at", "2020-01-01T00:00:00Z").returncode == 0
    revoked = run_cli("collect", str(signed), "--db", str(db), "--lang", "en")
    assert revoked.returncode == 1 and "revoked" in revoked.stderr
    # the revocation moved past the signing time
    with open_store(str(db)) as store, store.transaction():
        store.execute("UPDATE agency_keys SET revoked_at = '2999-01-01T00:00:00.000000Z'")
    stored = run_cli("collect", str(signed), "--db", str(db), "--lang", "en")
    assert stored.returncode == 0 and stored.stdout.startswith("stored "), stored.stderr

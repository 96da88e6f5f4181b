"""egov-audit's cache (egov_audit/cache.py): a loaded catalogue and the schema code come back
from it only when nothing they depend on changed, and only from the user's own private files:
a planted, shared, linked or damaged entry is never loaded."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from egov_audit import cache
from egov_audit.checks.vocabulary import load_catalogue
from egov_audit.errors import PolicyError
from egov_audit.schemas.validation import _compile
from tests.helpers import REPO, run_cli


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EGOV_AUDIT_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(REPO / "policies", folder)
    return folder


def _entries(folder: Path, kind: str) -> list[Path]:
    return sorted(folder.glob(f"{kind}-*"))


def test_a_catalogue_is_loaded_once_then_read_back(cache_dir: Path, policies: Path) -> None:
    first = load_catalogue(policies)
    [entry] = _entries(cache_dir, "catalogue")
    assert oct(cache_dir.stat().st_mode & 0o777) == "0o700"
    assert oct(entry.stat().st_mode & 0o777) == "0o600"
    second = load_catalogue(policies)
    assert second is not first and second.digest == first.digest
    assert second.controls == first.controls and second.models == first.models
    assert [c.where for c in second.controls] == [c.where for c in first.controls]


def test_any_change_to_a_policy_file_is_a_new_catalogue(cache_dir: Path, policies: Path) -> None:
    before = load_catalogue(policies)
    ssh = policies / "host/ssh.yml"
    ssh.write_text(ssh.read_text().replace("severity: high", "severity: low", 1))
    after = load_catalogue(policies)
    assert after.digest != before.digest
    assert len(_entries(cache_dir, "catalogue")) == 2
    # and a broken one is an error every time, never a catalogue from the cache
    ssh.write_text(ssh.read_text() + "\n  - id: [not, a, control\n")
    for _ in range(2):
        with pytest.raises(PolicyError):
            load_catalogue(policies)


def test_the_same_files_elsewhere_keep_their_own_locations(cache_dir: Path, policies: Path,
                                                           tmp_path: Path) -> None:
    here = load_catalogue(policies)
    moved = shutil.copytree(policies, tmp_path / "elsewhere")
    there = load_catalogue(moved)
    assert here.digest == there.digest  # the same catalogue ...
    assert str(moved) in there.controls[0].where.file  # ... whose messages name its own files


def _plant(folder: Path, policies: Path, marker: Path) -> Path:
    """The entry a load of `policies` would read, replaced by a pickle that runs a command."""
    load_catalogue(policies)
    [entry] = _entries(folder, "catalogue")

    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return os.system, (f"touch {marker}",)

    entry.write_bytes(pickle.dumps(Exploit()))
    return entry


@pytest.mark.parametrize("how", ["group-writable file", "world-writable folder", "symlink"])
def test_a_planted_entry_is_never_loaded(cache_dir: Path, policies: Path, tmp_path: Path,
                                         how: str) -> None:
    marker = tmp_path / "ran"
    entry = _plant(cache_dir, policies, marker)
    if how == "group-writable file":
        entry.chmod(0o660)
    elif how == "world-writable folder":
        cache_dir.chmod(0o777)
    else:
        outside = tmp_path / "outside.pickle"
        entry.rename(outside)
        entry.symlink_to(outside)
    policy = load_catalogue(policies)
    assert not marker.exists()
    assert policy.controls  # loaded from the files instead


def test_an_entry_of_our_own_is_trusted_as_pycache_is(cache_dir: Path, policies: Path,
                                                      tmp_path: Path) -> None:
    """The boundary of the gate, shown: what the user's own private folder holds is run (as
    Python runs what __pycache__ holds). Anyone who can write there can already change the
    user's code; the tests above are everyone else."""
    marker = tmp_path / "ran"
    _plant(cache_dir, policies, marker)
    load_catalogue(policies)
    assert marker.exists()


def test_a_damaged_entry_is_a_miss(cache_dir: Path, policies: Path) -> None:
    load_catalogue(policies)
    [entry] = _entries(cache_dir, "catalogue")
    entry.write_bytes(b"\x80\x05not a pickle")
    assert load_catalogue(policies).controls
    assert entry.read_bytes()[:2] == b"\x80\x05" and len(entry.read_bytes()) > 1000  # rewritten


def test_the_cache_can_be_turned_off(tmp_path: Path, policies: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGOV_AUDIT_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert load_catalogue(policies).controls
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


def test_old_entries_are_pruned(cache_dir: Path) -> None:
    for i in range(cache.KEEP["schema"] + 5):
        validate = _compile({"type": "object", "properties": {f"p{i}": {"type": "integer"}}})
        validate({f"p{i}": 1})
    assert len(_entries(cache_dir, "schema")) == cache.KEEP["schema"]


def test_schema_code_comes_back_and_still_says_no(cache_dir: Path) -> None:
    # a pattern and a number: the generated code's re and Decimal are names we give it
    schema = {"type": "object", "required": ["zone"],
              "properties": {"zone": {"type": "string", "pattern": "^[a-z]+$"},
                             "load": {"type": "number", "maximum": 1}}}
    for _ in range(2):
        validate = _compile(schema)
        validate({"zone": "dmz", "load": 0.5})
        validate({"zone": "dmz", "load": 1})
        for bad in ({}, {"zone": "DMZ"}, {"zone": 3}, {"zone": "dmz", "load": "0.5"},
                    {"zone": "dmz", "load": 1.5}):
            with pytest.raises(Exception, match="must"):
                validate(bad)
    assert len(_entries(cache_dir, "schema")) == 1
    _entries(cache_dir, "schema")[0].write_bytes(b"garbage")
    with pytest.raises(Exception, match="must"):
        _compile(schema)({"zone": 3})


def test_the_cli_fills_and_uses_the_cache(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    env = {"EGOV_AUDIT_CACHE_DIR": str(folder)}
    for _ in range(2):
        proc = run_cli("validate", str(REPO / "inventories/song-lam"), "--fail-on", "none",
                       env=env)
        assert proc.returncode == 0, proc.stderr
    assert _entries(folder, "catalogue") and _entries(folder, "schema")


def test_a_cold_validate_imports_only_what_it_uses(tmp_path: Path) -> None:
    """A validate in a new process (as pre-commit and CI run it), its cache filled: no evidence
    kind, collector, renderer of another format, signing or network library is imported, and
    nothing that only writes files (each of these was once imported at start-up)."""
    import subprocess
    import sys

    env = {**os.environ, "EGOV_AUDIT_CACHE_DIR": str(tmp_path / "cache")}
    code = ("import sys\nfrom egov_audit.cli import main\n"
            f"sys.argv = ['egov-audit', 'validate', {str(REPO / 'inventories/song-lam')!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n")
    for _ in range(2):  # the first run fills the cache (and may write with tempfile)
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, check=False, cwd=REPO)
    modules = set(proc.stderr.split("\n")[-2].split())
    assert "egov_audit.audit" in modules and "egov_audit.checks.ip_plan" in modules
    unwanted = {"egov_audit.evidence.host_facts", "egov_audit.evidence.folder",
                "egov_audit.collect.interface", "egov_audit.network.registry",
                "egov_audit.bundle", "egov_audit.runner", "egov_audit.report.html",
                "egov_audit.report.xlsx", "netaddr", "tempfile", "ansible_runner", "jinja2",
                "rich", "openpyxl", "cryptography", "psycopg", "pysnmp", "dns", "sslyze",
                "nassl",
                "ttp", "jsonschema", "fastjsonschema", "decimal"}
    assert sorted(modules & unwanted) == []


def test_another_fastjsonschema_is_a_new_schema_entry(cache_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated code is never reused across fastjsonschema versions (read from its installed
    files, without importing it)."""
    schema = {"type": "object", "properties": {"zone": {"type": "string"}}}
    assert "fastjsonschema" in cache._installed("fastjsonschema")
    _compile(schema)
    _compile(schema)
    assert len(_entries(cache_dir, "schema")) == 1
    monkeypatch.setattr(cache, "_installed", lambda package: "another copy")
    _compile(schema)({"zone": "dmz"})
    assert len(_entries(cache_dir, "schema")) == 2

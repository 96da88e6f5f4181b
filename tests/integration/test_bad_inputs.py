"""Bad input: exit code 2, one clear line naming the file (and line), never a traceback or a hang.
Runs the real command line as a subprocess."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import BASES, FIXTURES, run_cli

pytestmark = pytest.mark.slow  # runs the real CLI once per corpus case

CORPUS = FIXTURES / "bad_inputs"
CASES: dict[str, dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yml").read_text())["cases"]


def assert_clean_error(proc: subprocess.CompletedProcess[str], must_contain: str,
                       file: Path | None, line: bool) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    message = lines[0]
    assert message.startswith("egov-audit: error: "), message
    assert must_contain in message, message
    assert len(message) < 600, "the error line must stay readable"
    if file is not None:
        assert str(file) in message, message
        if line:
            assert re.search(re.escape(str(file)) + r":\d+", message), message


def _inventory(tmp_path: Path, name: str) -> Path:
    inv = tmp_path / "inv"
    shutil.copytree(BASES / "compliant", inv)
    overlay = CORPUS / name
    if overlay.is_dir():
        shutil.copytree(overlay, inv, dirs_exist_ok=True)
    return inv


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_case(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    inv = _inventory(tmp_path, name)
    proc = run_cli("validate", str(inv))
    target = inv if case["file"] == "." else inv / case["file"]
    assert_clean_error(proc, case["expect"], target, case["line"])
    assert not Path("/tmp/egov-pwned").exists()


def test_corpus_has_at_least_30_cases() -> None:
    assert len(CASES) + len(GENERATED) >= 30


def _huge(inv: Path) -> Path:
    target = inv / "group_vars/all/network.yml"
    with open(target, "w") as handle:
        handle.write("network:\n  zones:\n")
        chunk = "    - {name: z, kind: dmz, subnets: [10.0.0.0/24]}\n" * 1000
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk)
    return target


def _symlink_loop(inv: Path) -> Path:
    target = inv / "group_vars/all/network.yml"
    target.unlink()
    loop = inv / "group_vars/all/loop.lnk"  # not a vars file name: only network.yml is read
    target.symlink_to(loop)
    loop.symlink_to(target)
    return target


def _fifo(inv: Path) -> Path:
    target = inv / "group_vars/all/network.yml"
    target.unlink()
    os.mkfifo(target)
    return target


def _directory(inv: Path) -> Path:
    target = inv / "hosts.yml"
    target.unlink()
    target.mkdir()
    (target / "x").write_text("x")
    return target


def _unreadable(inv: Path) -> Path:
    target = inv / "group_vars/all/network.yml"
    target.chmod(0)
    return target


GENERATED = {
    "file_of_50_mb": (_huge, "file too large", True),
    "symlink_loop": (_symlink_loop, "cannot read", False),
    "fifo_instead_of_file": (_fifo, "not a regular file", False),
    "directory_instead_of_hosts_file": (_directory, "not a regular file", False),
    "unreadable_file": (_unreadable, "Permission denied", False),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_case(name: str, tmp_path: Path) -> None:
    make, expect, _ = GENERATED[name]
    inv = _inventory(tmp_path, "none")
    target = make(inv)
    preexec = None
    if name == "unreadable_file" and os.geteuid() == 0:
        # root reads anything: drop the capabilities that let it, so permissions apply
        preexec = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
                   "--bounding-set=-dac_override,-dac_read_search"]
    proc = run_cli("validate", str(inv), preexec=preexec)
    assert_clean_error(proc, expect, target, line=False)


def test_several_agencies_with_one_code(tmp_path: Path) -> None:
    first = _inventory(tmp_path / "a", "none")
    second = _inventory(tmp_path / "b", "none")
    proc = run_cli("validate", str(first), str(second), "--lang", "en")
    # a national validation judges every inventory it can (issue 29): the first is reported,
    # the second named on its one error line, and the run ends with exit 2
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"egov-audit: error: {second}: agency code 'compliant' is also used by {first}"]
    assert f"Inventory: {first}" in proc.stdout


@pytest.mark.parametrize("args,expect", [
    (["validate"], "Missing argument"),
    (["validate", "--level", "9", "x"], "Invalid value for '--level'"),
    (["validate", "--format", "pdf", "x"], "Invalid value for '--format'"),
    (["report", "/nonexistent.json"], "cannot read"),
    (["policies", "show", "NOPE-01"], "unknown control"),
    (["policies", "list", "--baseline", "nope"], "unknown baseline"),
])
def test_usage_errors(args: list[str], expect: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2 and expect in proc.stderr and "Traceback" not in proc.stderr


def test_report_of_a_file_that_is_not_a_bundle(tmp_path: Path) -> None:
    bogus = tmp_path / "b.json"
    bogus.write_text('{"schema": "egov-audit/result-bundle@1", "results": 5}')
    proc = run_cli("report", str(bogus))
    assert_clean_error(proc, "is a required property", bogus, line=False)
    bogus.write_text("{not json")
    assert_clean_error(run_cli("report", str(bogus)), "not JSON", bogus, line=True)

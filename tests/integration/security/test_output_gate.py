"""Boundary: files the tool writes. Through one writer: never replaces a device, a FIFO or a
directory, never overwrites one of its own inputs, keeps an existing file's mode, 0600 for keys,
and leaves no temporary file behind, even when the write fails or is interrupted."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from egov_audit.errors import ReportError
from egov_audit.gates import fileout
from tests.integration.security.conftest import Agency, run

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root; CI is root")


def _entries(directory: Path) -> set[str]:
    return set(os.listdir(directory))


@needs_root
def test_a_device_node_output_is_written_into_never_replaced(agency: Agency,
                                                              tmp_path: Path) -> None:
    """`-o /dev/null` as root, on a device node the test makes (never the machine's /dev)."""
    tmp_path = tmp_path / "dev"
    tmp_path.mkdir()
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    before = os.stat(null)
    done = run("report", agency.bundle, "-f", "html", "-o", null)
    assert done.code == 1, done.err  # findings: the report was written, nothing refused
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino
    assert _entries(tmp_path) == {"null"}


def test_a_fifo_output_is_written_into(agency: Agency, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        done = run("report", agency.bundle, "-f", "json", "-o", fifo)
    finally:
        thread.join(timeout=30)
    assert done.code == 1
    assert received and received[0].startswith(b"{")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_fifo_without_a_reader_is_refused_at_once(agency: Agency, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = run("report", agency.bundle, "-o", fifo)
    assert done.code == 2 and done.err.strip() == \
        f"egov-audit: error: {fifo}: cannot write: No such device or address"


def test_a_directory_output_is_refused(agency: Agency) -> None:
    done = run("report", agency.bundle, "-o", agency.evidence)
    assert done.code == 2
    assert done.err.strip() == \
        f"egov-audit: error: {agency.evidence}: a directory: refusing to replace it"


def test_the_output_may_not_be_the_input(agency: Agency) -> None:
    before = agency.bundle.read_bytes()
    done = run("report", agency.bundle, "-f", "json", "-o", agency.bundle)
    assert done.code == 2 and "the output is one of the inputs" in done.err
    assert agency.bundle.read_bytes() == before


def test_the_output_may_not_be_the_input_through_a_link(agency: Agency) -> None:
    link = agency.root / "alias.json"
    link.symlink_to(agency.bundle)
    before = agency.bundle.read_bytes()
    done = run("report", agency.bundle, "-o", link)
    assert done.code == 2 and "the output is one of the inputs" in done.err
    assert agency.bundle.read_bytes() == before and link.is_symlink()


def test_validate_never_overwrites_an_inventory_file(agency: Agency) -> None:
    hosts = agency.inventory / "hosts.yml"
    before = hosts.read_bytes()
    done = run("validate", agency.inventory, "-o", hosts)
    assert done.code == 2 and "the output is a file inside an input" in done.err
    assert hosts.read_bytes() == before


def test_evaluate_never_overwrites_a_fact_bundle(agency: Agency) -> None:
    fact = agency.evidence / "web01.json"
    before = fact.read_bytes()
    done = run("evaluate", agency.inventory, "--evidence", agency.evidence, "-o", fact)
    assert done.code == 2 and "the output is a file inside an input" in done.err
    assert fact.read_bytes() == before


def test_sign_never_overwrites_its_key(agency: Agency) -> None:
    before = agency.private.read_bytes()
    done = run("sign", agency.bundle, "--key", agency.private, "-o", agency.private)
    assert done.code == 2 and "the output is one of the inputs" in done.err
    assert agency.private.read_bytes() == before


@pytest.mark.parametrize("name", ["other.key", "notes.txt", "report.html", "id_ed25519"])
def test_no_output_replaces_another_agencys_key_whatever_its_name(agency: Agency,
                                                                  tmp_path: Path,
                                                                  name: str) -> None:
    other = tmp_path / "other-keys"
    assert run("keygen", "--agency", "other", "--out", other).code == 0
    victim = tmp_path / name
    victim.write_bytes((other / "other.key").read_bytes())
    before = victim.read_bytes()
    for args in (["sign", agency.bundle, "--key", agency.private, "-o", victim],
                 ["report", agency.bundle, "-f", "json", "-o", victim],
                 ["evaluate", agency.inventory, "--evidence", agency.evidence, "-o", victim]):
        done = run(*args)
        assert done.code == 2, (args[0], done.err)
        assert "holds private key material: refusing to replace it" in done.err, done.err
        assert victim.read_bytes() == before
    # an OpenSSH key, a PKCS#1 key, and one through a symbolic link, too
    for text in ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n",
                 "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n"):
        victim.write_text(text)
        link = tmp_path / "link.json"
        link.unlink(missing_ok=True)
        link.symlink_to(victim)
        for target in (victim, link):
            done = run("report", agency.bundle, "-f", "json", "-o", target)
            assert done.code == 2 and "private key material" in done.err
            assert victim.read_text() == text


def test_an_existing_files_mode_is_kept(agency: Agency) -> None:
    out = agency.root / "private-report.html"
    out.write_text("old")
    out.chmod(0o600)
    assert run("report", agency.bundle, "-f", "html", "-o", out).code == 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text() != "old"


def test_a_link_to_a_regular_file_is_kept_and_its_target_written(agency: Agency) -> None:
    target = agency.root / "real.md"
    target.write_text("old")
    link = agency.root / "latest.md"
    link.symlink_to(target)
    assert run("report", agency.bundle, "-f", "markdown", "-o", link).code == 1
    assert link.is_symlink() and target.read_text().startswith("# ")


def test_a_dangling_link_is_not_written_through(agency: Agency) -> None:
    link = agency.root / "dangling.md"
    link.symlink_to(agency.root / "nowhere" / "x.md")
    done = run("report", agency.bundle, "-o", link)
    assert done.code == 2 and "a dangling symbolic link" in done.err
    assert not (agency.root / "nowhere").exists()


def test_a_missing_folder_is_one_clear_line(agency: Agency) -> None:
    out = agency.root / "no" / "such" / "report.txt"
    done = run("report", agency.bundle, "-o", out)
    assert done.code == 2
    assert done.err.strip() == f"egov-audit: error: {out}: cannot write: No such file or directory"


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileout.os, "fsync", disk_full)
    with pytest.raises(ReportError, match="No space left on device"):
        fileout.write_output(tmp_path / "report.txt", "x" * 100_000)
    assert _entries(tmp_path) == set()
    (tmp_path / "report.txt").write_text("old")
    with pytest.raises(ReportError):
        fileout.write_output(tmp_path / "report.txt", "new")
    assert _entries(tmp_path) == {"report.txt"}
    assert (tmp_path / "report.txt").read_text() == "old"


def test_an_interrupted_write_leaves_no_file_at_all(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C or `kill` (the CLI turns SIGTERM into the same unwinding) in the middle of a
    write; and while it writes, the file has no name at all (O_TMPFILE), so even SIGKILL leaves
    nothing."""
    seen: list[set[str]] = []

    def interrupted(fd: int) -> None:
        seen.append(_entries(tmp_path))
        raise KeyboardInterrupt

    monkeypatch.setattr(fileout.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fileout.write_output(tmp_path / "report.txt", "x" * 1_000_000)
    assert seen == [set()]  # nothing named existed while the data was being written
    assert _entries(tmp_path) == set()


def test_a_stream_that_breaks_midway_leaves_the_old_file(tmp_path: Path) -> None:
    """A result bundle written as it is made (`evaluate -f json -o`): an error after part of it
    was written leaves no file, or the previous one untouched; a complete one replaces it."""
    target = tmp_path / "bundle.json"
    with pytest.raises(ReportError, match="the evidence went away"), \
            fileout.open_output(target) as out:
        out.write(b"{" * 1_000_000)
        raise ReportError("the evidence went away")
    assert _entries(tmp_path) == set()
    target.write_text("old")
    target.chmod(0o640)
    with pytest.raises(ReportError), fileout.open_output(target) as out:
        out.write(b'{"half":')
        raise ReportError("the evidence went away")
    assert target.read_text() == "old" and _entries(tmp_path) == {"bundle.json"}
    with fileout.open_output(target) as out:
        out.write(b'{"whole": ')
        out.write(b"true}")
    assert target.read_text() == '{"whole": true}'
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and _entries(tmp_path) == {"bundle.json"}


def test_keygen_never_replaces_a_key(agency: Agency) -> None:
    before = agency.private.read_bytes()
    done = run("keygen", "--agency", "compliant", "--out", agency.private.parent)
    assert done.code == 2 and "exists: refusing to replace a key" in done.err
    assert agency.private.read_bytes() == before


def test_keygen_refuses_when_only_the_public_key_exists(tmp_path: Path) -> None:
    (tmp_path / "x.pub").write_text("registered\n")
    done = run("keygen", "--agency", "x", "--out", tmp_path)
    assert done.code == 2 and f"{tmp_path / 'x.pub'}: exists" in done.err
    assert _entries(tmp_path) == {"x.pub"}


@pytest.mark.parametrize("code", ["../x", "a/b", "..", ".hidden", "x y", "-rf", ""])
def test_keygen_refuses_an_agency_code_that_is_not_a_file_name(tmp_path: Path,
                                                               code: str) -> None:
    out = tmp_path / "keys"
    done = run("keygen", "--agency", code, "--out", out)
    assert done.code == 2 and "is not valid" in done.err, done.err
    assert _entries(tmp_path) == set()


def test_keygen_writes_the_private_key_0600_and_the_public_key_0644(tmp_path: Path) -> None:
    assert run("keygen", "--agency", "song-lam", "--out", tmp_path).code == 0
    assert stat.S_IMODE((tmp_path / "song-lam.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "song-lam.pub").stat().st_mode) == 0o644
    assert _entries(tmp_path) == {"song-lam.key", "song-lam.pub"}

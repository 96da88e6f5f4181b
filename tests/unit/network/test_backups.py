"""A folder of backups (plain, Oxidized, RANCID) to network fact bundles: every file through the
input gate on its own; one bad file never loses the other devices."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from egov_audit.errors import UsageError
from egov_audit.network.backups import device_name, read_device_configs

CONFIGS = Path(__file__).parents[2] / "fixtures" / "device-configs"


@pytest.mark.parametrize(("file_name", "device"), [
    ("edge01.cfg", "edge01"), ("fgt01.conf", "fgt01"), ("core-sw1", "core-sw1"),
    ("r1.example.gov.vn.txt", "r1.example.gov.vn"), (".git", None), ("all.cfg", None),
    ("a b.cfg", None), ("localhost", None), (".cfg", None), ("README.md", None),
    ("router.db", None),
])
def test_device_names_come_from_file_names(file_name: str, device: str | None) -> None:
    assert device_name(file_name) == device


def test_one_bad_backup_never_loses_the_others(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    for name in ("edge01.cfg", "fw01.cfg", "fgt01.conf", "srx01.conf"):
        shutil.copy(CONFIGS / name, folder / name)
    shutil.copy(CONFIGS / "frr-edge.cfg", folder / "frr-edge")  # Oxidized: no suffix
    (folder / "binary.cfg").write_bytes(b"hostname x\n\xff\xfe\n")
    (folder / "empty.cfg").write_text("")
    os.mkfifo(folder / "pipe.cfg")
    (folder / "leak.cfg").symlink_to("/etc/passwd")
    (folder / "twice.cfg").write_text("version 15.2\nhostname twice\n")
    (folder / "twice.txt").write_text("version 15.2\nhostname twice\n")
    (folder / "big.cfg").write_text("version 15.2\n" + "!\n" * 6000)
    (folder / ".git").mkdir()
    (folder / "README.md").write_text("not a device\n")
    (folder / "sub").mkdir()
    found = read_device_configs(folder, max_bytes=10_000)
    good = {d: b.bundle["vendor"] for d, b in found.items() if b.bundle is not None}
    assert good == {"edge01": "cisco_ios", "fw01": "cisco_asa", "fgt01": "fortios",
                    "srx01": "junos", "frr-edge": "frr"}
    reasons = {d: b.reason for d, b in found.items() if b.bundle is None}
    assert reasons["binary"].startswith("not valid UTF-8")
    assert reasons["empty"] == "cannot tell which vendor's configuration this is"
    assert reasons["pipe"] == "not a regular file"
    assert reasons["leak"].startswith("a symbolic link: refused")
    assert reasons["twice"] == "two backups for one device (twice.cfg and twice.txt)"
    assert reasons["big"].startswith("file too large")
    assert set(found) == {*good, "binary", "empty", "pipe", "leak", "twice", "big"}
    # a backup's time is its file's
    assert found["edge01"].bundle is not None
    assert found["edge01"].bundle["collected_at"].endswith("Z")
    assert found["edge01"].bundle["source"]["kind"] == "backup"


def test_a_rancid_group_folder_is_read_from_configs(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    shutil.copy(CONFIGS / "edge01.cfg", tmp_path / "configs" / "edge01")
    (tmp_path / "router.db").write_text("edge01;cisco;up\n")
    assert list(read_device_configs(tmp_path)) == ["edge01"]


def test_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such directory"):
        read_device_configs(tmp_path / "nope")

"""The lab's boot: a host whose first boot does not come up is started once more, alone,
before the lab gives up (a boot among two hundred on two cores can lose a race once); one
that fails twice still stops the lab, saying why. Root only: CI runs as root."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from egov_audit import lab as lab_module
from egov_audit.errors import UsageError
from egov_audit.lab import lifecycle

pytestmark = [pytest.mark.lab,
              pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root; CI runs as root")]

HOST = lab_module.LabHost("bt001", "127.0.7.1", "hardened", "servers", "application")


def _failing_first(times: int) -> tuple[list[str], object]:
    """A `_launch` whose first `times` boots of the host end at once (a process that exits),
    then the real one."""
    real = lifecycle._launch
    launched: list[str] = []

    def launch(host: lab_module.LabHost, state: Path, boot: Path) -> None:
        launched.append(host.name)
        if launched.count(host.name) <= times:
            directory = state / "hosts" / host.name
            (directory / "console.log").write_text("boot lost its race\n")
            proc = subprocess.Popen(["true"])
            proc.wait()
            (directory / "unshare.pid").write_text(str(proc.pid))
            return
        real(host, state, boot)

    return launched, launch


def test_a_host_that_did_not_boot_is_started_once_more(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    launched, launch = _failing_first(1)
    monkeypatch.setattr(lifecycle, "_launch", launch)
    state = tmp_path / "state"
    lab = lab_module.up((HOST,), state)
    try:
        assert launched == ["bt001", "bt001"]
        assert "127.0.7.1" in (state / "known_hosts").read_text()
        assert lab.hosts == (HOST,)
    finally:
        lab_module.down(state)


def test_a_host_that_fails_twice_stops_the_lab_and_says_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    launched, launch = _failing_first(2)
    monkeypatch.setattr(lifecycle, "_launch", launch)
    state = tmp_path / "state"
    with pytest.raises(UsageError, match="bt001: its boot ended: boot lost its race"):
        lab_module.up((HOST,), state)
    assert launched == ["bt001", "bt001"] and not state.exists()

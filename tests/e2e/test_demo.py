"""`make demo` is the first thing a new user runs: its script must go through every step (as
root it starts the lab; otherwise it scans this machine through a local connection)."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.helpers import REPO


@pytest.mark.lab
@pytest.mark.slow
def test_the_demo_runs_every_step_and_ends_with_the_remediation_playbook() -> None:
    proc = subprocess.run(["bash", str(REPO / "tools" / "demo.sh")], cwd=REPO,
                          capture_output=True, text=True, timeout=900, check=False,
                          env={**os.environ, "REPORT_LANG": "en"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for step in ("== 1. egov-audit validate", "== 2. the three sample agencies",
                 "== 3. egov-audit scan", "== 4. egov-audit fix"):
        assert step in proc.stdout
    assert "results re-evaluated from the evidence" in proc.stdout
    assert "- name: !unsafe 'HOST-" in proc.stdout
    assert "fixes; apply with: egov-audit fix BUNDLE --inventory DIR --evidence DIR --apply" \
        in proc.stdout

"""Host verdicts on real hosts: every scenario under tests/scenarios/<CONTROL>/ puts one fresh
lab host into one state (after the `hardened` profile); all of them are scanned in one run, and
the control's verdict on each host must be the one its file name says (.pass.sh / .fail.sh).
This is how ComplianceAsCode and OpenSCAP test their rules; the scenarios are our own."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from egov_audit import lab as lab_module
from tests.helpers import REPO, bundle_dict
from tests.helpers import run_long as run_cli
from tests.lab.conftest import StartLab

pytestmark = [pytest.mark.lab, pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root; CI runs as root")]

SCENARIOS = sorted((REPO / "tests" / "scenarios").glob("*/*.sh"))


def _expected(path: Path) -> str:
    return "pass" if path.name.endswith(".pass.sh") else "fail"


def _host(index: int, path: Path) -> lab_module.LabHost:
    # 127.0.3.0/24: apart from the shared lab (127.0.1.x) and the fix lab
    return lab_module.LabHost(f"sc{index:03d}", f"127.0.3.{index + 1}", "hardened", "servers",
                              "application", port=2222, scenario=str(path))


@pytest.fixture(scope="module")
def verdicts(start_lab: StartLab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    hosts = tuple(_host(i, path) for i, path in enumerate(SCENARIOS))
    started = time.monotonic()
    lab = start_lab("scenarios", hosts)
    booted = time.monotonic()
    evidence = tmp_path_factory.mktemp("evidence")
    proc = run_cli("scan", str(lab.inventory), "--evidence", str(evidence), "--forks", "10",
                   "--timeout", "60", "-f", "json", "--lang", "en", "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = bundle_dict(proc.stdout)
    print(f"\n{len(hosts)} scenario hosts: booted in {booted - started:.1f} s, scanned in "
          f"{time.monotonic() - booted:.1f} s")
    return {"results": {(r["target"], r["control"]): r for r in data["results"]},
            "targets": {t["id"]: t for t in data["targets"]}}


def test_scenarios_name_host_controls_and_say_why() -> None:
    from egov_audit.checks.vocabulary import load_catalogue

    host_controls = {c.id for c in load_catalogue().controls if c.id.startswith("HOST-")}
    assert SCENARIOS
    for path in SCENARIOS:
        assert path.parent.name in host_controls, path
        assert path.name.endswith((".pass.sh", ".fail.sh")), path
        assert path.read_text("utf-8").startswith("# "), f"{path}: say what the state is"


@pytest.mark.parametrize("path", SCENARIOS,
                         ids=[f"{p.parent.name}/{p.name}" for p in SCENARIOS])
def test_scenario_verdict(verdicts: dict[str, Any], path: Path) -> None:
    host = _host(SCENARIOS.index(path), path).name
    assert verdicts["targets"][host]["status"] == "assessed", verdicts["targets"][host]
    result = verdicts["results"][(host, path.parent.name)]
    assert result["status"] == _expected(path), (path.read_text(), result["message"]["en"],
                                                 result["observed"]["en"])


# HOST-NET-01 judges where a host sits in the network, not how it is configured: the lab hosts
# share the machine's interfaces, so it is tested by test_lab_scan.py on hosts placed for it
NOT_BY_SCENARIO = {"HOST-NET-01"}


# the families where hosts differ most in how a setting is written: 5 scenarios at least
RICH_FAMILIES = ("HOST-SSH-", "HOST-SESS-", "HOST-PWD-", "HOST-ACC-")


def test_every_host_control_has_scenarios_both_ways() -> None:
    from egov_audit.checks.vocabulary import load_catalogue

    by_control: dict[str, list[str]] = {}
    for path in SCENARIOS:
        by_control.setdefault(path.parent.name, []).append(_expected(path))
    short = []
    for control in load_catalogue().controls:
        if not control.id.startswith("HOST-") or control.id in NOT_BY_SCENARIO:
            continue
        verdicts = by_control.get(control.id, [])
        wanted = 5 if control.id.startswith(RICH_FAMILIES) else 3
        if len(verdicts) < wanted or {"pass", "fail"} - set(verdicts):
            short.append(f"{control.id}: {len(verdicts)} of {wanted} "
                         f"({', '.join(sorted(set(verdicts)))})")
    assert short == [], "scenarios per host control: 3 (5 for SSH, session, password, " \
                        "accounts), a pass and a fail among them"

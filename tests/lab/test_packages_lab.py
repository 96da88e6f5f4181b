"""Pending updates on real hosts: what the collector reads from `apt list --upgradable` is what
`apt-get -s upgrade` (the collector's previous, slower way) says on the same host, HOST-UPD-01
judges it the same, and apt's binary cache is read when fresh and never rewritten when stale.

The hosts: two with the machine's own package lists and apt's cache on (the `server` profile; one
with its cache gone stale since), one offered security updates by a local repository, one with
nothing pending and the cache switched off as container images do. Root only: CI runs as root."""

from __future__ import annotations

import os
import re
import subprocess
from typing import Any

import pytest

from egov_audit import lab as lab_module
from tests.helpers import bundle_dict
from tests.helpers import run_long as run_cli
from tests.lab.conftest import StartLab

pytestmark = [pytest.mark.lab,
              pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root; CI runs as root")]

# 127.0.5.0/24: apart from the other labs
HOSTS = {"srv01": "server", "srv02": "server", "db01": "weak", "app01": "typical"}
STALE = ("# a package installed with dpkg since apt last built its cache\n"
         "touch /var/lib/dpkg/status\n")
CACHE_FILES = ("/var/cache/apt/pkgcache.bin", "/var/cache/apt/srcpkgcache.bin")


def _ssh(lab: lab_module.Lab, host: str, command: str) -> str:
    return subprocess.run(["ssh", "-F", str(lab.state / "ssh_config"), host, command],
                          capture_output=True, text=True, check=True, timeout=120).stdout


def _cache_stamps(lab: lab_module.Lab, host: str) -> str:
    return _ssh(lab, host, "stat -c '%n %s %.9Y' " + " ".join(CACHE_FILES) + " 2>&1 || true")


@pytest.fixture(scope="module")
def lab(start_lab: StartLab, tmp_path_factory: pytest.TempPathFactory) -> lab_module.Lab:
    work = tmp_path_factory.mktemp("packages")
    stale = work / "stale.sh"
    stale.write_text(STALE)
    hosts = tuple(lab_module.LabHost(name, f"127.0.5.{i + 1}", profile, "servers",
                                     "application", scenario=str(stale) if name == "srv02" else "")
                  for i, (name, profile) in enumerate(HOSTS.items()))
    return start_lab("packages", hosts)


@pytest.fixture(scope="module")
def scan(lab: lab_module.Lab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    evidence = tmp_path_factory.mktemp("evidence")
    before = {host: _cache_stamps(lab, host) for host in HOSTS}
    proc = run_cli("scan", str(lab.inventory), "--evidence", str(evidence), "-f", "json",
                   "--lang", "en", "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr[-2000:]
    after = {host: _cache_stamps(lab, host) for host in HOSTS}
    facts = {host: bundle_dict((evidence / f"{host}.json").read_text())["facts"]["updates"]
             for host in HOSTS}
    verdicts = {r["target"]: r["status"] for r in bundle_dict(proc.stdout)["results"]
                if r["control"] == "HOST-UPD-01"}
    return {"facts": facts, "verdicts": verdicts, "before": before, "after": after}


def _simulated_upgrade(lab: lab_module.Lab, host: str) -> dict[str, Any]:
    """What `apt-get -s upgrade` says (told not to write apt's cache, like the collector)."""
    out = _ssh(lab, host, "LC_ALL=C apt-get -s -o Debug::NoLocking=true -o "
                          "Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= upgrade")
    installs = [line for line in out.splitlines() if line.startswith("Inst ")]
    summary = re.search(r"(\d+) upgraded, \d+ newly installed, \d+ to remove and (\d+) not "
                        r"upgraded", out)
    assert summary, out[-500:]
    security = sorted(line.split()[1] for line in installs
                      if re.search(r"[-/ ]security\b", line, re.I))
    return {"upgraded": len(installs), "kept_back": int(summary.group(2)),
            "security": security}


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_the_upgradable_list_says_what_the_upgrade_simulation_says(
        lab: lab_module.Lab, scan: dict[str, Any], host: str) -> None:
    facts, old = scan["facts"][host], _simulated_upgrade(lab, host)
    assert facts["checked"] is True and facts["manager"] == "apt"
    # the list also counts what `upgrade` keeps back (it needs a new package): still pending
    assert facts["pending"] == old["upgraded"] + old["kept_back"]
    security = facts["security_packages"]
    assert set(old["security"]) <= set(security)
    if old["kept_back"] == 0:
        assert security == old["security"] and facts["security_pending"] == len(old["security"])
    expected = "fail" if facts["security_pending"] else "pass"
    assert scan["verdicts"][host] == expected
    assert (scan["verdicts"][host] == "fail") == bool(old["security"] or old["kept_back"])


def test_the_lab_states_are_the_ones_intended(scan: dict[str, Any]) -> None:
    facts = scan["facts"]
    assert facts["db01"]["security_packages"] == ["libssl3", "openssl"]
    assert facts["db01"]["pending"] == 3 and scan["verdicts"]["db01"] == "fail"
    assert facts["app01"]["pending"] == 0 and scan["verdicts"]["app01"] == "pass"
    # a real server's lists: the machine's installed packages against its mirrors
    assert facts["srv01"] == facts["srv02"] | {"package_cache": "fresh"}


def test_the_package_cache_is_reported_and_never_rewritten(lab: lab_module.Lab,
                                                          scan: dict[str, Any]) -> None:
    states = {host: facts["package_cache"] for host, facts in scan["facts"].items()}
    assert states == {"srv01": "fresh", "srv02": "stale", "db01": "disabled",
                      "app01": "disabled"}
    assert "pkgcache.bin" in scan["before"]["srv02"]
    # apt run by root would have rebuilt srv02's stale cache: the scan told it not to
    assert scan["before"] == scan["after"]
    # ... which plain apt does: the guard is needed (run last, it changes srv02)
    _ssh(lab, "srv02", "apt list --upgradable >/dev/null 2>&1")
    assert _cache_stamps(lab, "srv02") != scan["before"]["srv02"]

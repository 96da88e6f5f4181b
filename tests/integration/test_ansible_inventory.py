"""Inventories stay clean for Ansible: what egov-audit keeps in an inventory directory (the
waivers) is never read by `ansible-inventory` as an inventory source or group, so AWX inventory
syncs raise no warning; the INI conversion egov-audit suggests keeps group_vars as group_vars."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO

pytestmark = pytest.mark.slow

ANSIBLE_INVENTORY = str(Path(sys.executable).parent / "ansible-inventory")
SAMPLES = sorted((REPO / "inventories").iterdir())


def _inventory(source: Path, cwd: Path, *extra: str,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ANSIBLE_INVENTORY, "-i", str(source), "--list", *extra], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "ANSIBLE_DEPRECATION_WARNINGS": "False",
                               **(env or {})})


@pytest.mark.parametrize("inventory", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_inventories_load_without_a_warning(inventory: Path, tmp_path: Path) -> None:
    done = _inventory(inventory, tmp_path)
    assert done.returncode == 0 and "WARNING" not in done.stderr, done.stderr
    groups = set(json.loads(done.stdout)) - {"_meta", "all", "ungrouped"}
    declared = {name for name in _groups(inventory)}
    assert groups <= declared and "waivers" not in groups


def _groups(inventory: Path) -> set[str]:
    def walk(node: dict[str, object]) -> set[str]:
        found = set()
        for name, child in ((node.get("children") or {}) if isinstance(node, dict)
                            else {}).items():
            found |= {name} | walk(child or {})
        return found

    data = yaml.safe_load((inventory / "hosts.yml").read_text("utf-8"))
    return walk(data.get("all", {}))


def test_waivers_are_invisible_to_ansible(tmp_path: Path) -> None:
    assert (REPO / "inventories/bo-hts/.egov-audit/waivers.yml").is_file()
    inventory = tmp_path / "inv"
    shutil.copytree(REPO / "inventories/song-lam", inventory)
    (inventory / ".egov-audit").mkdir(exist_ok=True)  # song-lam keeps device backups there
    shutil.copy(REPO / "inventories/bo-hts/.egov-audit/waivers.yml",
                inventory / ".egov-audit/waivers.yml")
    done = _inventory(inventory, tmp_path)
    assert done.returncode == 0 and "WARNING" not in done.stderr, done.stderr
    # the old place is what made AWX warn: the reason for the move
    (inventory / ".egov-audit").rename(inventory / "egov-audit")
    assert "Skipping 'waivers'" in _inventory(inventory, tmp_path).stderr


def test_the_suggested_ini_conversion_keeps_group_vars_apart(tmp_path: Path) -> None:
    from egov_audit.errors import InventoryError
    from egov_audit.inventory import load_inventory

    inventory = tmp_path / "agency"
    shutil.copytree(REPO / "inventories/song-lam/group_vars", inventory / "group_vars")
    (inventory / "hosts.ini").write_text(
        "[servers]\nweb01 ansible_host=10.20.10.11 zone=servers role=application\n")
    with pytest.raises(InventoryError) as refused:
        load_inventory(inventory)
    command = refused.value.message.split("`")[1]
    assert command.startswith("ANSIBLE_VARS_ENABLED= ansible-inventory -i FILE")
    converted = _inventory(inventory / "hosts.ini", inventory, "--yaml", "--export",
                           env={"ANSIBLE_VARS_ENABLED": ""})
    assert converted.returncode == 0, converted.stderr
    assert "agency" not in converted.stdout  # group_vars/all stayed in group_vars
    (inventory / "hosts.yml").write_text(converted.stdout)
    (inventory / "hosts.ini").unlink()
    loaded = load_inventory(inventory)
    assert loaded.agency.code == "song-lam" and [h.name for h in loaded.hosts] == ["web01"]

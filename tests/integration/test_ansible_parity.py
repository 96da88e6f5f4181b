"""Our Ansible inventory reader against the real thing: `ansible-inventory --list` must resolve
the same variables for every host (precedence, file and directory forms, ranges)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from egov_audit.inventory.ansible_dir import read_inventory_dir
from tests.helpers import FIXTURES, REPO

pytestmark = pytest.mark.slow  # runs ansible-inventory per inventory

INVENTORIES = [FIXTURES / "precedence", *sorted((REPO / "inventories").iterdir()),
               FIXTURES / "inventories" / "compliant"]


def _ansible_hostvars(inventory: Path, tmp_path: Path) -> dict[str, dict[str, Any]]:
    exe = shutil.which("ansible-inventory") or str(REPO / ".venv/bin/ansible-inventory")
    env = {**os.environ, "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
           "ANSIBLE_CONFIG": str(tmp_path / "none.cfg"), "ANSIBLE_NOCOLOR": "1"}
    proc = subprocess.run([exe, "-i", str(inventory), "--list"], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    hostvars: dict[str, dict[str, Any]] = json.loads(proc.stdout)["_meta"]["hostvars"]
    return hostvars


@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda p: p.name)
def test_same_variables_as_ansible(inventory: Path, tmp_path: Path) -> None:
    expected = _ansible_hostvars(inventory, tmp_path)
    ours = {h.name: h.vars for h in read_inventory_dir(inventory).resolved_hosts}
    assert set(ours) == set(expected)
    for host, variables in expected.items():
        assert json.loads(json.dumps(ours[host])) == variables, host

"""The remediation roles act on exactly the names the collector reports: default
accounts (HOST-ACC-03) and insecure daemons (HOST-SVC-01)."""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import yaml

from egov_audit.paths import data_root
from tests.helpers import load_collector_module


def _collector() -> ModuleType:
    module: ModuleType = load_collector_module()
    return module


def _tasks(name: str) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = yaml.safe_load(
        (data_root() / "playbooks/roles" / f"remediate_{name}" / "tasks/main.yml").read_text())
    return tasks


def test_default_account_names_match_the_collector() -> None:
    names = next(t["ansible.builtin.set_fact"]["remediate_accounts_default_names"]
                 for t in _tasks("accounts")
                 if "remediate_accounts_default_names" in t.get("ansible.builtin.set_fact", {}))
    assert names == list(_collector().DEFAULT_ACCOUNTS)


def test_insecure_daemon_names_match_the_collector() -> None:
    pattern = next(t["vars"]["remediate_services_insecure_daemons"] for t in _tasks("services")
                   if "remediate_services_insecure_daemons" in t.get("vars", {}))
    daemons = _collector().INSECURE_DAEMONS
    assert all(re.fullmatch(pattern, name) for name in daemons)
    assert not re.fullmatch(pattern, "sshd") and not re.fullmatch(pattern, "inXtelnetd")
    assert len(pattern.split("|")) == len(daemons)

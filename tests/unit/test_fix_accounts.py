"""The remediation of default accounts locks exactly the names the collector reports."""

from __future__ import annotations

import importlib.util

import yaml

from egov_audit.paths import data_root


def test_default_account_names_match_the_collector() -> None:
    spec = importlib.util.spec_from_file_location(
        "egov_host_facts", data_root() / "playbooks/library/egov_host_facts.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tasks = yaml.safe_load((data_root() / "playbooks/remediate/accounts.yml").read_text())
    names = next(t["ansible.builtin.set_fact"]["egov_default_accounts"] for t in tasks
                 if "egov_default_accounts" in t.get("ansible.builtin.set_fact", {}))
    assert names == list(module.DEFAULT_ACCOUNTS)

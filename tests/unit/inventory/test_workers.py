"""Worker nodes in the inventory: `workers` (group all) declares them, `egov_worker` on a host
or group names one; the scan sends a node only its own hosts. Wrong declarations are one line
with file:line, before anything runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from egov_audit.collect.selection import remote_groups
from egov_audit.errors import InventoryError
from egov_audit.inventory import load_inventory
from tests.helpers import build_inventory

WORKERS = [{"name": "segment-a", "host": "10.50.90.5", "user": "egov",
            "runner": "/opt/egov-audit/bin/ansible-runner",
            "identity_file": "~/.ssh/egov-worker", "known_hosts": "/etc/egov-audit/known_hosts"},
           {"name": "segment-b", "host": "worker-b.tinh.gov.vn", "port": 2222}]


def _agency(tmp_path: Path, workers: Any = WORKERS,
            host_vars: dict[str, dict[str, Any]] | None = None,
            device_vars: dict[str, Any] | None = None) -> Path:
    inventory = build_inventory(tmp_path / "agency")
    (inventory / "group_vars/all/workers.yml").write_text(yaml.safe_dump({"workers": workers}))
    hosts = inventory / "hosts.yml"
    doc = yaml.safe_load(hosts.read_text())
    for name, values in (host_vars or {}).items():
        doc["all"]["hosts"][name].update(values)
    if device_vars:
        doc["all"]["children"]["network_devices"]["hosts"]["edge01"].update(device_vars)
    hosts.write_text(yaml.safe_dump(doc))
    return inventory


def test_hosts_are_grouped_by_the_node_they_name(tmp_path: Path) -> None:
    inventory = load_inventory(_agency(tmp_path, host_vars={
        "app01": {"egov_worker": "segment-a"}, "db01": {"egov_worker": "segment-a"},
        "log01": {"egov_worker": "segment-b"}}))
    assert [w.name for w in inventory.workers] == ["segment-a", "segment-b"]
    assert inventory.workers[1].port == 2222 and inventory.workers[1].runner == "ansible-runner"
    groups = remote_groups(inventory, [h.name for h in inventory.hosts])
    assert {g.node.name: g.hosts for g in groups} == {"segment-a": ("app01", "db01"),
                                                       "segment-b": ("log01",)}
    sent = groups[0].inventory["all"]["hosts"]
    assert set(sent) == {"app01", "db01"}  # a node is told of its own hosts only
    assert sent["app01"]["ansible_host"] == "10.50.10.10" and sent["app01"]["zone"] == "servers"
    # --limit: a host left out is not sent
    assert {g.node.name: g.hosts for g in remote_groups(inventory, ["db01"])} == \
        {"segment-a": ("db01",)}


@pytest.mark.parametrize(("workers", "host_vars", "device_vars", "said"), [
    (WORKERS, {"app01": {"egov_worker": "segment-z"}}, None,
     "host 'app01': unknown worker node 'segment-z' (workers: segment-a, segment-b)"),
    ([WORKERS[0], WORKERS[0]], None, None, "worker node 'segment-a' is declared twice"),
    ([{"name": "a", "host": "-oProxyCommand=x"}], None, None, "does not match"),
    ([{"name": "a", "host": "10.0.0.5", "runner": "ansible-runner; rm -rf /"}], None, None,
     "does not match"),
    ([{"name": "a", "host": "10.0.0.5", "ssh_args": "-o ProxyCommand=x"}], None, None,
     "ssh_args"),
    (WORKERS, None, {"egov_worker": "segment-a"},
     "worker nodes collect from servers"),
])
def test_wrong_declarations_are_refused_with_their_place(
        tmp_path: Path, workers: Any, host_vars: Any, device_vars: Any, said: str) -> None:
    with pytest.raises(InventoryError) as caught:
        load_inventory(_agency(tmp_path, workers, host_vars, device_vars))
    line = caught.value.one_line()
    assert said in line, line
    assert (".yml:" in line), line

"""Ansible's inventory layout and variable precedence, without Ansible."""

from __future__ import annotations

from pathlib import Path

import pytest

from egov_audit.errors import InventoryError
from egov_audit.inventory.ansible_dir import expand_host_pattern, read_inventory_dir


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_precedence_follows_ansible(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "hosts.yml": """
all:
  vars: {v: all-inline, only_all: 1}
  children:
    web:
      vars: {v: web-inline, w: web-inline}
      children:
        web_prod:
          vars: {v: web_prod-inline}
          hosts:
            h1: {v: host-inline}
            h2:
    db:
      hosts:
        h3:
""",
        "group_vars/all.yml": "v: all-file\nfrom_all_file: 1\n",
        "group_vars/web/main.yml": "w: web-file\nv: web-file\n",
        "group_vars/web_prod.yaml": "v: web_prod-file\n",
        "host_vars/h1/a.yml": "v: host-file-a\n",
        "host_vars/h1/b.yml": "v: host-file-b\n",
    })
    inv = read_inventory_dir(root)
    hosts = {h.name: h for h in inv.resolved_hosts}
    assert hosts["h1"].vars["v"] == "host-file-b"  # host_vars dir, files in sorted order
    assert hosts["h2"].vars["v"] == "web_prod-file"  # deeper group's file beats shallower
    assert hosts["h2"].vars["w"] == "web-file"  # group_vars files beat inline group vars
    assert hosts["h3"].vars["v"] == "all-file"  # group_vars/all beats inline all vars
    assert hosts["h3"].vars["only_all"] == 1
    assert hosts["h2"].groups == ("all", "web", "web_prod")
    # every variable remembers the file that declared it
    assert hosts["h2"].sources["v"].source.display.endswith("group_vars/web_prod.yaml")
    assert inv.all_vars["v"] == "all-file"


def test_inline_host_vars_beat_group_vars_files(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "hosts.yml": "all:\n  children:\n    g:\n      hosts:\n        h: {x: inline}\n",
        "group_vars/g.yml": "x: group-file\n",
    })
    assert read_inventory_dir(root).resolved_hosts[0].vars["x"] == "inline"


def test_group_priority_orders_siblings(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "hosts.yml": """
all:
  children:
    a: {vars: {x: a, ansible_group_priority: 10}, hosts: {h: }}
    b: {vars: {x: b}, hosts: {h: }}
""",
    })
    assert read_inventory_dir(root).resolved_hosts[0].vars["x"] == "a"


def test_host_ranges() -> None:
    assert expand_host_pattern("web[01:03].vn") == ["web01.vn", "web02.vn", "web03.vn"]
    assert expand_host_pattern("db[a:c]") == ["dba", "dbb", "dbc"]
    assert expand_host_pattern("n[0:4:2]") == ["n0", "n2", "n4"]


def test_several_sources_merge(tmp_path: Path) -> None:
    root = _write(tmp_path, {"a.yml": "all:\n  hosts:\n    h1:\n",
                             "b.yaml": "extra:\n  hosts:\n    h2:\n"})
    inv = read_inventory_dir(root)
    assert [h.name for h in inv.resolved_hosts] == ["h1", "h2"]
    assert "extra" in inv.resolved_hosts[1].groups


def test_group_cycles_are_an_error(tmp_path: Path) -> None:
    root = _write(tmp_path, {"hosts.yml": "all:\n  children:\n    a:\n      children:\n"
                                          "        b:\n          children:\n            a:\n"})
    with pytest.raises(InventoryError, match="cycle"):
        read_inventory_dir(root)


def test_ini_inventories_are_refused_with_advice(tmp_path: Path) -> None:
    root = _write(tmp_path, {"hosts": "[web]\nh1\n"})
    with pytest.raises(InventoryError, match="ansible-inventory"):
        read_inventory_dir(root)


def test_symlink_loop_in_group_vars_dir_terminates(tmp_path: Path) -> None:
    root = _write(tmp_path, {"hosts.yml": "all:\n  hosts:\n    h:\n",
                             "group_vars/all/a.yml": "x: 1\n"})
    (root / "group_vars/all/loop").symlink_to(root / "group_vars/all")
    inv = read_inventory_dir(root)
    assert inv.all_vars["x"] == 1

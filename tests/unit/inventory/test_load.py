"""Schema and plan errors name file, line, column and the JSON path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from egov_audit.errors import InventoryError
from egov_audit.inventory import load_inventory
from egov_audit.policy import PolicySet
from tests.helpers import build_inventory


def _error(tmp_path: Path, policy: PolicySet, patch: dict[str, Any]) -> InventoryError:
    path = build_inventory(tmp_path / "inv", patch=patch)
    with pytest.raises(InventoryError) as err:
        load_inventory(path, known_roles=set(policy.model("network")["roles"]))
    return err.value


def test_loads_the_compliant_fixture(tmp_path: Path, policy: PolicySet) -> None:
    inv = load_inventory(build_inventory(tmp_path / "inv"))
    assert inv.agency.code == "compliant" and inv.agency.level == 5
    assert [z.name for z in inv.network.zones][:2] == ["perimeter", "dmz"]
    assert {h.name for h in inv.hosts} == {"web01", "app01", "db01", "jump01", "log01", "ntp01",
                                           "ws01"}
    assert [(d.name, d.role) for d in inv.devices] == [("edge01", "router"), ("fw01", "firewall")]
    assert [r.id for r in inv.server_rooms] == ["primary", "standby"]


def test_bad_cidr_names_file_line_column_and_path(tmp_path: Path, policy: PolicySet) -> None:
    err = _error(tmp_path, policy, {"set": {"network.zones[2].subnets": ["10.0.0.0/33"]}})
    assert err.file and err.file.endswith("group_vars/all/network.yml")
    assert err.line is not None and err.column is not None
    assert err.path == "network.zones[2].subnets[0]"
    assert "'10.0.0.0/33' is not an IP network" in err.message
    assert err.one_line().startswith(f"{err.file}:{err.line}:{err.column}: network.zones[2]")


def test_schema_error_points_into_the_document(tmp_path: Path, policy: PolicySet) -> None:
    err = _error(tmp_path, policy, {"set": {"network.zones[1].vlan": "twenty"}})
    assert err.path == "network.zones[1].vlan" and "not of type 'integer'" in err.message


def test_unknown_zone_kind(tmp_path: Path, policy: PolicySet) -> None:
    err = _error(tmp_path, policy, {"set": {"network.zones[0].kind": "edge"}})
    assert err.path == "network.zones[0].kind" and "'edge' is not one of" in err.message


def test_unknown_zone_of_a_host(tmp_path: Path, policy: PolicySet) -> None:
    err = _error(tmp_path, policy, {"set": {"hosts.web01.zone": "dmzz"}})
    assert "unknown zone 'dmzz'" in err.message and err.file and err.file.endswith("hosts.yml")


def test_unknown_role(tmp_path: Path, policy: PolicySet) -> None:
    err = _error(tmp_path, policy, {"set": {"hosts.web01.role": "webserver"}})
    assert "unknown role 'webserver'" in err.message


def test_duplicate_zone_names(tmp_path: Path, policy: PolicySet) -> None:
    err = _error(tmp_path, policy, {"set": {"network.zones[1].name": "perimeter"}})
    assert "duplicate zone name" in err.message


def test_missing_agency(tmp_path: Path, policy: PolicySet) -> None:
    path = build_inventory(tmp_path / "inv")
    (path / "group_vars/all/agency.yml").unlink()
    with pytest.raises(InventoryError, match="no `agency` variable"):
        load_inventory(path)


def test_bad_host_address(tmp_path: Path, policy: PolicySet) -> None:
    err = _error(tmp_path, policy, {"set": {"hosts.web01.addresses": ["2001:db8::g"]}})
    assert "not a valid IPv6 address" in err.message and err.line is not None

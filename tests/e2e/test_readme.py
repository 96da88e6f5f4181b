"""The annotated inventory example in README.md is a real, valid inventory."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers import REPO, run_cli


def test_readme_inventory_example_validates(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```yaml\n# (hosts\.yml|group_vars/all/\w+\.yml)[^\n]*\n(.*?)```",
                        readme, flags=re.S)
    assert {name for name, _ in blocks} == {"hosts.yml", "group_vars/all/agency.yml",
                                            "group_vars/all/network.yml",
                                            "group_vars/all/server_rooms.yml"}
    for name, body in blocks:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
    proc = run_cli("validate", str(tmp_path), "-f", "json", "--lang", "en")
    assert proc.returncode == 1, proc.stderr  # the example has gaps, and no input error
    data = json.loads(proc.stdout)
    failing = {r["control"] for r in data["results"] if r["status"] == "fail"}
    assert {"NET-ZONE-02", "NET-ASN-01", "ROOM-LOC-01"} <= failing

"""The build's view of the package (pyproject.toml) matches the source tree: every Python
package is listed, and the data the repository keeps at its top level goes inside the package.
tests/e2e/test_install.py builds the wheel and installs it."""

from __future__ import annotations

import tomllib

from tests.helpers import REPO


def _setuptools() -> dict[str, object]:
    config: dict[str, object] = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))[
        "tool"]["setuptools"]
    return config


def test_every_python_package_is_listed() -> None:
    found = {".".join(p.parent.relative_to(REPO).parts)
             for p in (REPO / "egov_audit").rglob("__init__.py")}
    listed = set(_setuptools()["packages"])  # type: ignore[call-overload]
    assert found | {"egov_audit._data"} == listed


def test_the_top_level_data_is_packaged_from_the_repository() -> None:
    config = _setuptools()
    assert config["package-dir"] == {"egov_audit._data": "."}
    patterns = config["package-data"]["egov_audit._data"]  # type: ignore[index]
    for top in ("ansible.cfg", "policies/", "reference_models/", "playbooks/"):
        assert any(p.startswith(top) for p in patterns), top

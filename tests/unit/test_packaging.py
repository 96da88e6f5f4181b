"""The build's view of the package (pyproject.toml) matches the source tree: every Python
package is listed, and the data the repository keeps at its top level goes inside the package.
tests/integration/test_install.py builds the wheel and installs it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.helpers import REPO, run_cli


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


def test_the_execution_environment_pins_what_the_tests_ran_with() -> None:
    import yaml

    ee = yaml.safe_load((REPO / "execution-environment.yml").read_text("utf-8"))
    pins = dict(line.split("==") for line in (REPO / "constraints.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    for name in ("ansible_core", "ansible_runner"):
        package, version = ee["dependencies"][name]["package_pip"].split("==")
        assert pins[package] == version, package


@pytest.mark.slow
def test_ansible_builder_accepts_the_execution_environment(tmp_path: Path) -> None:
    """As the recipe says (docs/AWX.md): the collection artifact in dist/ beside the file, then
    ansible-builder. No image is built (no registry here): the image's own install command is
    run on the context ansible-builder made."""
    import os
    import shutil
    import subprocess
    import sys

    shutil.copy(REPO / "execution-environment.yml", tmp_path)
    built = run_cli("collection", "build", "--output", str(tmp_path / "dist"), timeout=300)
    assert built.returncode == 0, built.stderr
    done = subprocess.run([str(Path(sys.executable).parent / "ansible-builder"), "create",
                           "-f", "execution-environment.yml", "--context", "context"],
                          capture_output=True, text=True, timeout=120, check=False,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    pins = dict(line.split("==") for line in (REPO / "constraints.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    dockerfile = (tmp_path / "context" / "Dockerfile").read_text()
    assert (f'ANSIBLE_INSTALL_REFS="ansible-core=={pins["ansible-core"]} '
            f'ansible-runner=={pins["ansible-runner"]}"') in dockerfile
    # the collection goes into the image from the context, offline
    assert list((tmp_path / "context/_build/collections").glob("egov-audit-*.tar.gz"))
    lines = dockerfile.splitlines()
    copy = lines.index("COPY _build/collections/ /tmp/egov-audit-collection/")
    install = lines[copy + 1]
    assert install.startswith("RUN ansible-galaxy collection install --offline")
    image = tmp_path / "image"
    shutil.copytree(tmp_path / "context/_build/collections", image / "tmp-collection")
    command = install.removeprefix("RUN ").replace(
        "/tmp/egov-audit-collection", str(image / "tmp-collection")).replace(
        "/usr/share/ansible/collections", str(image / "collections"))
    ran = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=300,
                         check=False, env={**os.environ, "ANSIBLE_HOME": str(image / "home"),
                                           "PATH": f"{Path(sys.executable).parent}:"
                                                   f"{os.environ['PATH']}"})
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert (image / "collections/ansible_collections/egov/audit/MANIFEST.json").is_file()

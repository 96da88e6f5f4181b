"""The build's view of the package (pyproject.toml) matches the source tree: every Python
package is listed, and the data the repository keeps at its top level goes inside the package.
tests/integration/test_install.py builds the wheel and installs it."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tests.helpers import REPO, run_cli


def _setuptools() -> dict[str, object]:
    config: dict[str, object] = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))[
        "tool"]["setuptools"]
    return config


def _setup_packages() -> list[str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("egov_audit_setup", REPO / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    import setuptools

    real, setuptools.setup = setuptools.setup, lambda **_: None  # read it, build nothing
    try:
        spec.loader.exec_module(module)
    finally:
        setuptools.setup = real
    packages: list[str] = module.packages()
    return packages


def test_every_python_package_and_data_folder_is_listed() -> None:
    """setup.py lists every folder, so setuptools takes each one's files as declared (no
    "would be ignored"); every Python package is among them."""
    listed = set(_setup_packages())
    found = {".".join(p.parent.relative_to(REPO).parts)
             for p in (REPO / "egov_audit").rglob("__init__.py")}
    assert found <= listed and "egov_audit._data" in listed
    assert {"egov_audit._data.policies.host", "egov_audit._data.playbooks.roles.remediate_sshd"
            ".tasks", "egov_audit.locale.vi.LC_MESSAGES"} <= listed
    assert not [p for p in listed if "__pycache__" in p]


def test_the_top_level_data_is_packaged_from_the_repository() -> None:
    config = _setuptools()
    # egov_audit's own mapping first: setuptools-scm's version file goes there, once
    assert list(config["package-dir"].items()) == [  # type: ignore[attr-defined]
        ("egov_audit", "egov_audit"), ("egov_audit._data", ".")]
    assert config["include-package-data"] is False
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
    for requirement in ee["dependencies"]["python"]:
        package, version = requirement.split("==")
        assert pins[package] == version, package
    # the network collections: the versions of the `ansible` package the tests ran with
    import ansible_collections

    shipped = Path(ansible_collections.__path__[0])
    for collection in ee["dependencies"]["galaxy"]["collections"]:
        manifest = json.loads((shipped / collection["name"].replace(".", "/") /
                               "MANIFEST.json").read_text())
        assert manifest["collection_info"]["version"] == collection["version"], collection


@pytest.mark.slow
def test_ansible_builder_accepts_the_execution_environment(tmp_path: Path) -> None:
    """As the recipe says (docs/AWX.md): the collection artifact and egov-audit's wheel in dist/
    beside the file, then `ansible-builder create`. No image is built (no container runtime or
    registry here): the build context is checked to install egov-audit, the network
    collections, pysnmp and sslyze, and the image's own install commands are run on it."""
    import os
    import shutil
    import subprocess
    import sys

    import yaml

    from egov_audit import __version__

    shutil.copy(REPO / "execution-environment.yml", tmp_path)
    built = run_cli("collection", "build", "--output", str(tmp_path / "dist"), timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                            "--no-build-isolation", "--wheel-dir", str(tmp_path / "dist"),
                            str(REPO)], capture_output=True, text=True, timeout=600,
                           check=False, cwd=tmp_path,
                           env={**os.environ, "SETUPTOOLS_SCM_PRETEND_VERSION": __version__})
    assert wheel.returncode == 0, wheel.stderr[-2000:]
    done = subprocess.run([str(Path(sys.executable).parent / "ansible-builder"), "create",
                           "-f", "execution-environment.yml", "--context", "context"],
                          capture_output=True, text=True, timeout=120, check=False,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    context = tmp_path / "context"
    pins = dict(line.split("==") for line in (REPO / "constraints.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    dockerfile = (context / "Dockerfile").read_text()
    assert (f'ANSIBLE_INSTALL_REFS="ansible-core=={pins["ansible-core"]} '
            f'ansible-runner=={pins["ansible-runner"]}"') in dockerfile
    # Python: pysnmp and sslyze as the tests ran them, then egov-audit's own wheel
    requirements = (context / "_build/requirements.txt").read_text().split()
    for package in ("pysnmp", "sslyze", "cryptography", "paramiko"):
        assert f"{package}=={pins[package]}" in requirements, package
    (packed,) = (context / "_build/wheels").glob("egov_audit-*.whl")
    assert packed.name.startswith(f"egov_audit-{__version__.split('+')[0]}")
    lines = dockerfile.splitlines()
    copy = lines.index("COPY _build/wheels/ /tmp/egov-audit-wheels/")
    assert lines[copy + 1].startswith("RUN $PYCMD -m pip install --no-cache-dir "
                                      "/tmp/egov-audit-wheels/egov_audit-*.whl")
    # the network collections, from Galaxy in the image's galaxy stage
    wanted = yaml.safe_load((context / "_build/requirements.yml").read_text())["collections"]
    assert {c["name"] for c in wanted} >= {"ansible.netcommon", "ansible.utils", "cisco.ios",
                                            "junipernetworks.junos", "fortinet.fortios"}
    assert "ansible-galaxy collection install" in dockerfile and \
        "-r requirements.yml" in dockerfile
    # the egov.audit collection from the context, offline, once its dependency is there (as
    # the galaxy stage leaves it: here copied from the `ansible` package the tests ran with)
    assert list((context / "_build/collections").glob("egov-audit-*.tar.gz"))
    copy = lines.index("COPY _build/collections/ /tmp/egov-audit-collection/")
    install = lines[copy + 1]
    assert install.startswith("RUN ansible-galaxy collection install --offline")
    image = tmp_path / "image"
    import ansible_collections

    shipped = Path(ansible_collections.__path__[0])
    for name in ("ansible/netcommon", "ansible/utils"):
        shutil.copytree(shipped / name, image / "collections/ansible_collections" / name)
    shutil.copytree(context / "_build/collections", image / "tmp-collection")
    command = install.removeprefix("RUN ").replace(
        "/tmp/egov-audit-collection", str(image / "tmp-collection")).replace(
        "/usr/share/ansible/collections", str(image / "collections"))
    ran = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=300,
                         check=False, env={**os.environ, "ANSIBLE_HOME": str(image / "home"),
                                           "PATH": f"{Path(sys.executable).parent}:"
                                                   f"{os.environ['PATH']}"})
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert (image / "collections/ansible_collections/egov/audit/MANIFEST.json").is_file()

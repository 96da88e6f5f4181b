"""Where the bundled data lives: the repository's own folders (a checkout, an editable install),
or the copies the build puts inside the package (egov_audit/_data/: a wheel, pipx, --user)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
PACKAGED = PACKAGE / "_data"


def _in_checkout() -> bool:
    # an installed package sits in site-packages, whose parent is no egov-audit repository
    return (REPO / "pyproject.toml").is_file() and (REPO / "policies").is_dir()


def data_root() -> Path:
    """The folder that holds policies/, reference_models/, playbooks/ and ansible.cfg."""
    return REPO if _in_checkout() else PACKAGED


def data_dir(name: str) -> Path:
    return data_root() / name


def roles_dir() -> Path:
    """The remediation roles (playbooks/roles), which `fix` runs and the collection ships."""
    return data_dir("playbooks") / "roles"

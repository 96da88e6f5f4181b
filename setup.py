"""The packages of the distribution, computed from the tree (pyproject.toml holds everything
else): egov_audit's own folders, and the repository's top-level data (policies/,
reference_models/, playbooks/), which the build puts inside the package as egov_audit._data.
Every folder is listed, data-only ones included, so setuptools takes each one's files as
declared instead of warning that it "would be ignored"; a new role or policy folder needs no
edit here."""

from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
DATA_FOLDERS = ("policies", "reference_models", "playbooks")


def _folders(top: Path) -> list[Path]:
    return [top, *sorted(p for p in top.rglob("*")
                         if p.is_dir() and "__pycache__" not in p.parts)]


def packages() -> list[str]:
    code = [".".join(p.relative_to(ROOT).parts) for p in _folders(ROOT / "egov_audit")]
    data = ["egov_audit._data." + ".".join(p.relative_to(ROOT).parts)
            for top in DATA_FOLDERS for p in _folders(ROOT / top)]
    return [*code, "egov_audit._data", *data]


setup(packages=packages())

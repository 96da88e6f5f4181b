"""Where the bundled data lives: the repository's own folders (a checkout, an editable install)
or the copies a regular install puts under <prefix>/share/egov-audit/."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def data_dir(name: str) -> Path:
    in_repo = REPO / name
    if in_repo.is_dir():
        return in_repo
    return Path(sys.prefix) / "share" / "egov-audit" / name


def data_root() -> Path:
    """The folder that holds policies/, reference_models/ and playbooks/."""
    return data_dir("playbooks").parent

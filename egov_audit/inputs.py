"""What an audit was computed from, packed into a bundle before it is signed (the inventory's
files and the hosts' fact bundles), so that inspectors can re-score it against a newer policy
version without going back to the agency or its hosts."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .collect.evidence import MAX_BUNDLE_BYTES, read_evidence_dir
from .errors import EgovAuditError, UsageError
from .yamlsource import MAX_FILE_BYTES, read_text

_SKIP = {".git", "__pycache__"}


def pack(inventory: Path, evidence: Path | None) -> dict[str, Any]:
    """The inventory's text files (relative path -> text) and the evidence bundles."""
    if not inventory.is_dir():
        raise UsageError("no such inventory directory", file=str(inventory))
    files: dict[str, str] = {}
    for path in sorted(inventory.rglob("*")):
        if any(part in _SKIP for part in path.parts) or not path.is_file():
            continue
        if path.suffix not in (".yml", ".yaml", ".json", "") or path.name.startswith("."):
            continue
        rel = path.relative_to(inventory).as_posix()
        files[rel] = read_text(path, str(path), UsageError, MAX_FILE_BYTES)
    facts: dict[str, Any] = {}
    if evidence is not None:
        for host, found in read_evidence_dir(evidence).items():
            raw = (evidence / f"{host}.json").read_bytes()[:MAX_BUNDLE_BYTES]
            facts[host] = json.loads(raw)
            assert found.host == host
    return {"inventory_files": files, "evidence": facts}


def unpack(inputs: Mapping[str, Any], directory: Path) -> tuple[Path, Path | None]:
    """Write packed inputs back to files: (inventory dir, evidence dir or None)."""
    inventory = directory / "inventory"
    for rel, text in inputs.get("inventory_files", {}).items():
        target = (inventory / rel).resolve()
        if not str(target).startswith(str(inventory.resolve()) + "/"):
            raise EgovAuditError(f"packed inventory path {rel!r} escapes the inventory")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    evidence_data = inputs.get("evidence") or {}
    if not evidence_data:
        return inventory, None
    evidence = directory / "evidence"
    evidence.mkdir()
    for host, bundle in evidence_data.items():
        if "/" in host:
            raise EgovAuditError(f"packed evidence host {host!r} is not a file name")
        (evidence / f"{host}.json").write_text(json.dumps(bundle))
    return inventory, evidence


def workdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="egov-audit-rescore-")

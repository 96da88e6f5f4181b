"""What an audit was computed from, packed into a bundle before it is signed (the inventory's
files, the hosts' fact bundles and the portals' probe bundles), so that inspectors can re-score
it against a newer policy version without going back to the agency or its hosts.

Packing is a boundary (what leaves the agency): only the files the inventory loader itself reads
(regular files inside the inventory tree: links that leave it are refused by the loader), never
anything that looks like key material. Unpacking is another (what arrives from an agency): paths
must be plain relative paths, host names plain file names, sizes bounded.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import EgovAuditError, Message, UsageError
from .evidence.host_facts import read_evidence_dir
from .gates.keys import document_holds_private_key
from .gates.names import is_file_name
from .inventory.ansible_dir import read_inventory_dir
from .portal.evidence import PORTALS_DIR, read_portals
from .waivers import DEFAULT_PATH as WAIVERS_PATH
from .waivers import find_waivers
from .yamlsource import MAX_FILE_BYTES, parse_yaml, read_text

MAX_PACKED_FILES = 10_000
MAX_PACKED_BYTES = 256 * 1024 * 1024


class InputsError(EgovAuditError):
    """Packed inputs are unsafe or malformed."""


def _inventory_files(inventory: Path) -> list[tuple[str, Path, Any]]:
    """(relative path, path, what the YAML decodes to) of every file the loader reads, and of
    the waivers file."""
    raw = read_inventory_dir(inventory, str(inventory))
    out = [(source.path.relative_to(inventory).as_posix(), source.path, source.data)
           for source in raw.files]
    waivers = find_waivers(inventory)
    if waivers is not None:
        shown = str(inventory / waivers)
        decoded = parse_yaml(read_text(inventory / waivers, shown, UsageError), inventory /
                             waivers, shown, UsageError).data
        out.append((waivers.as_posix(), inventory / waivers, decoded))
    return out


def pack(inventory: Path, evidence: Path | None) -> dict[str, Any]:
    """The inventory's files (relative path -> text) and the evidence bundles."""
    if not inventory.is_dir():
        raise UsageError(Message("no such inventory directory"), file=str(inventory))
    files: dict[str, str] = {}
    for rel, path, decoded in _inventory_files(inventory):
        shown = str(inventory / rel)
        text = read_text(path, shown, UsageError, MAX_FILE_BYTES)
        # the text, and every string YAML decodes from it (a folded or escaped header)
        if document_holds_private_key(text, decoded):
            raise UsageError(Message("looks like private key material: refusing to pack it into a"
                                     " bundle that leaves the agency"), file=shown)
        files[rel] = text
    facts: dict[str, Any] = {}
    if evidence is not None:
        for host, found in read_evidence_dir(evidence).items():
            if found.data is None:
                raise UsageError(Message("unusable evidence of {host}: {reason}", host=host,
                                         reason=found.reason),
                                 file=str(evidence / f"{host}.json"))
            facts[host] = found.data
    packed: dict[str, Any] = {"inventory_files": files, "evidence": facts}
    if evidence is not None:
        portals = {}
        for name, found in (read_portals(evidence) or {}).items():
            if found.data is None:
                raise UsageError(Message("unusable evidence of {host}: {reason}", host=name,
                                         reason=found.reason),
                                 file=str(evidence / PORTALS_DIR / f"{name}.json"))
            portals[name] = found.data
        if portals:
            packed["portals"] = portals
    return packed


def _check_rel(rel: object) -> str:
    """A packed path: relative, plain components, nothing hidden (but the waivers file, whose
    folder is hidden from Ansible), no way up."""
    if rel == WAIVERS_PATH.as_posix():
        return rel
    if not isinstance(rel, str) or not rel or rel.startswith("/") or len(rel) > 1024:
        raise InputsError(Message("packed inventory path {rel!r} is not a relative path",
                                  rel=str(rel)[:80]))
    for part in rel.split("/"):
        if not is_file_name(part):
            raise InputsError(Message("packed inventory path {rel!r} is not a plain relative path",
                                      rel=rel[:80]))
    return rel


def check_inputs(inputs: object) -> Mapping[str, Any]:
    """The structure of packed inputs, before anything is written from them."""
    if not isinstance(inputs, Mapping):
        raise InputsError(Message("packed inputs are not an object"))
    files = inputs.get("inventory_files", {})
    evidence = inputs.get("evidence") or {}
    portals = inputs.get("portals") or {}
    if not isinstance(files, Mapping) or not isinstance(evidence, Mapping) or \
            not isinstance(portals, Mapping):
        raise InputsError(Message("packed inputs: `inventory_files`, `evidence` and `portals` "
                                  "must be objects"))
    if len(files) > MAX_PACKED_FILES or len(evidence) + len(portals) > MAX_PACKED_FILES:
        raise InputsError(Message("packed inputs hold more than {max_packed_files:,} files",
                                  max_packed_files=MAX_PACKED_FILES))
    total = 0
    for rel, text in files.items():
        _check_rel(rel)
        if not isinstance(text, str):
            raise InputsError(Message("packed inventory file {rel!r} is not text", rel=rel[:80]))
        total += len(text)
    for host, bundle in (*evidence.items(), *portals.items()):
        if not isinstance(host, str) or not is_file_name(host):
            raise InputsError(Message("packed evidence host {host!r} is not a file name",
                                      host=str(host)[:80]))
        if not isinstance(bundle, Mapping):
            raise InputsError(Message("packed evidence of {host!r} is not an object",
                                      host=host[:80]))
    if total > MAX_PACKED_BYTES:
        raise InputsError(Message("packed inventory files exceed {value} MB",
                                  value=MAX_PACKED_BYTES >> 20))
    return inputs


def unpack(inputs: Mapping[str, Any], directory: Path) -> tuple[Path, Path | None]:
    """Write packed inputs back to files: (inventory dir, evidence dir or None)."""
    check_inputs(inputs)
    inventory = directory / "inventory"
    inventory.mkdir()
    for rel, text in inputs.get("inventory_files", {}).items():
        target = inventory / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    evidence_data = inputs.get("evidence") or {}
    portals = inputs.get("portals") or {}
    if not evidence_data and not portals:
        return inventory, None
    evidence = directory / "evidence"
    evidence.mkdir()
    for host, bundle in evidence_data.items():
        (evidence / f"{host}.json").write_text(json.dumps(bundle))
    if portals:  # read back through the portal bundles' own strict reader, like the rest

        (evidence / PORTALS_DIR).mkdir()
        for name, bundle in portals.items():
            (evidence / PORTALS_DIR / f"{name}.json").write_text(json.dumps(bundle))
    return inventory, evidence


def workdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="egov-audit-rescore-")

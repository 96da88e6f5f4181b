"""Test helpers: build inventories from the fixture bases with one change at a time."""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from egov_audit.bundle import bundle_to_dict, read_v2
from egov_audit.bundle.v2 import HEAD_PREFIX
from egov_audit.errors import ReportError

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
BASES = FIXTURES / "inventories"

# which file of an inventory holds which top-level document
_DOCS = {"agency": "group_vars/all/agency.yml", "network": "group_vars/all/network.yml",
         "server_rooms": "group_vars/all/server_rooms.yml"}
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _split(path: str) -> list[str | int]:
    return [int(index) if index else name for name, index in _TOKEN.findall(path)]


def _walk(doc: Any, keys: list[str | int]) -> Any:
    for key in keys:
        doc = doc[key]
    return doc


def apply_patch(docs: dict[str, Any], patch: Mapping[str, Any]) -> None:
    """set: {path: value}, delete: [path], append: {path: item}. Paths start with agency,
    network, server_rooms or hosts (hosts.<name>.<var>)."""
    for path, value in (patch.get("set") or {}).items():
        keys = _split(path)
        _walk(docs, keys[:-1])[keys[-1]] = copy.deepcopy(value)
    for path in patch.get("delete") or []:
        keys = _split(path)
        del _walk(docs, keys[:-1])[keys[-1]]
    for path, item in (patch.get("append") or {}).items():
        _walk(docs, _split(path)).append(copy.deepcopy(item))


def build_inventory(dest: Path, base: str = "compliant",
                    patch: Mapping[str, Any] | None = None) -> Path:
    """Copy a fixture base inventory to dest and apply a patch to its documents."""
    shutil.copytree(BASES / base, dest)
    if not patch:
        return dest
    docs: dict[str, Any] = {}
    for name, rel in _DOCS.items():
        docs[name] = yaml.safe_load((dest / rel).read_text())[name]
    hosts_doc = yaml.safe_load((dest / "hosts.yml").read_text())
    docs["hosts"] = hosts_doc["all"]["hosts"]
    devices = hosts_doc["all"].get("children", {}).get("network_devices")
    if devices is not None:
        docs["devices"] = devices["hosts"]
    facility = hosts_doc["all"].get("children", {}).get("facility_devices")
    if facility is not None:
        docs["facility"] = facility["hosts"]
    apply_patch(docs, patch)
    for name, rel in _DOCS.items():
        (dest / rel).write_text(yaml.safe_dump({name: docs[name]}, allow_unicode=True))
    hosts_doc["all"]["hosts"] = docs["hosts"]
    (dest / "hosts.yml").write_text(yaml.safe_dump(hosts_doc, allow_unicode=True))
    return dest


DEVICE_CONFIGS = FIXTURES / "device-configs-compliant"


def build_device_configs(dest: Path, edits: Mapping[str, Any] | None = None) -> Path:
    """The compliant base's device backups, edited per device: `{name: {replace: {old: new},
    append: [line]}}`; `{name: null}` leaves the device's backup out; `{name: {from: file}}`
    adds the backup tests/fixtures/device-configs/<file> under that name, `{name: {text: t}}`
    one with that text."""
    dest.mkdir(parents=True)
    texts = {path.stem: path.read_text() for path in DEVICE_CONFIGS.glob("*.cfg")}
    for name, edit in (edits or {}).items():
        if edit is None:
            texts.pop(name)
            continue
        if "from" in edit:
            texts[name] = (FIXTURES / "device-configs" / edit["from"]).read_text()
        if "text" in edit:
            texts[name] = edit["text"]
        for old, new in (edit.get("replace") or {}).items():
            assert old in texts[name], f"{name}: {old!r} is not in the backup"
            texts[name] = texts[name].replace(old, new)
        if edit.get("append"):
            texts[name] += "\n".join(edit["append"]) + "\n"
    for name, text in texts.items():
        (dest / f"{name}.cfg").write_text(text)
    return dest


REGISTRY = FIXTURES / "registry" / "delegated-apnic-extended-compliant"


VRPS = FIXTURES / "rpki" / "rpki-client.json"


def build_vrps(dest: Path, roas: Sequence[Mapping[str, Any]] | None = None) -> Path:
    """The fixture VRP file (rpki-client's layout, valid ROAs for the compliant base's blocks),
    its ROAs replaced by `roas` when given."""
    if roas is None:
        dest.write_bytes(VRPS.read_bytes())
        return dest
    data = json.loads(VRPS.read_text())
    data["roas"] = [dict(roa) for roa in roas]
    dest.write_text(json.dumps(data, indent=1))
    return dest


def build_registry(dest: Path, edits: Mapping[str, Any] | None = None,
                   recount: bool = True) -> Path:
    """The compliant base's registry statistics file, edited: `{replace: {old: new}, drop:
    [substring of the lines to drop], append: [line], plain: true}` (plain: the format without
    holder ids, as delegated-apnic-latest). `recount` keeps the version line's and
    the summaries' counts true to the records (off: to build a truncated file)."""
    lines = REGISTRY.read_text().splitlines()
    edits = edits or {}
    for old, new in (edits.get("replace") or {}).items():
        assert any(old in line for line in lines), f"{old!r} is not in the registry file"
        lines = [line.replace(old, new) for line in lines]
    for gone in edits.get("drop") or []:
        assert any(gone in line for line in lines), f"{gone!r} is not in the registry file"
        lines = [line for line in lines if gone not in line]
    lines += list(edits.get("append") or [])
    if edits.get("plain"):
        lines = [line if line.startswith("#") or line.endswith("|summary") or i == 0
                 else "|".join(line.split("|")[:7]) for i, line in enumerate(lines)]
    if recount:
        records = [line.split("|") for line in lines[1:]
                   if line and not line.startswith("#") and not line.endswith("|summary")]
        head = lines[0].split("|")
        head[3] = str(len(records))
        lines[0] = "|".join(head)
        for i, line in enumerate(lines):
            if line.endswith("|summary"):
                fields = line.split("|")
                fields[4] = str(sum(1 for r in records if r[2] == fields[2]))
                lines[i] = "|".join(fields)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("\n".join(lines) + "\n")
    return dest


def build_evidence(dest: Path, inventory: Path, facts: Mapping[str, Any] | None = None,
                   target: str | None = None, status: Mapping[str, str] | None = None,
                   extra_hosts: list[str] | None = None,
                   facility: Mapping[str, Any] | None = None,
                   portals: Mapping[str, Any] | None = None) -> Path:
    """Evidence for every host of `inventory` from evidence/hardened.json: `facts` patches the
    bundle of `target` (every host when None); `status` makes hosts `unreachable` or `missing`.
    Every UPS and room sensor gets its bundle from evidence/facility.json (by role), patched
    per device by `facility`: `{device: {set: {"ups.minutes_remaining": 4}}}`, `{device:
    {failed: reason}}`, `{device: null}` (no bundle). Every declared portal gets its probe
    bundle from evidence/portal.json (web or mail), patched alike by `portals`."""
    import json

    from egov_audit.evidence.folder import write_bundle
    from egov_audit.evidence.formats import FACT_BUNDLE_SCHEMA
    from egov_audit.evidence.host_facts import record_failure
    from egov_audit.inventory import load_inventory

    template = (FIXTURES / "evidence" / "hardened.json").read_text()
    status = status or {}
    hosts = [(h.name, h.addresses[0].net.text if h.addresses else "192.0.2.99")
             for h in load_inventory(inventory).hosts]
    hosts += [(name, "203.0.113.99") for name in extra_hosts or []]
    for name, address in hosts:
        if status.get(name) == "missing":
            continue
        if status.get(name) == "unreachable":
            record_failure(dest, name, "unreachable", "ssh: connect to host: Connection refused")
            continue
        length = "64" if ":" in address else "24"
        bundle = json.loads(template.replace("HOST", name)
                            .replace("ADDRESS", f"{address}/{length}"))
        assert bundle["schema"] == FACT_BUNDLE_SCHEMA
        if facts and (target is None or target == name):
            wrapper = {"facts": bundle["facts"]}
            apply_patch(wrapper, {k: {f"facts.{p}": v for p, v in vs.items()}
                                  if isinstance(vs, dict) else [f"facts.{p}" for p in vs]
                                  for k, vs in facts.items()})
        write_bundle(dest, bundle)
    _facility_evidence(dest, inventory, facility or {})
    _portal_evidence(dest, inventory, portals or {})
    return dest


def _portal_evidence(dest: Path, inventory: Path, edits: Mapping[str, Any]) -> None:
    """A probe bundle per declared portal: a compliant one (collected now, its certificate
    valid for 90 more days), patched by `edits`."""
    import json
    from datetime import UTC, datetime, timedelta

    from egov_audit.evidence.model import now
    from egov_audit.inventory import load_inventory
    from egov_audit.portal.evidence import write_portal_bundle
    from egov_audit.portal.probe import PORTAL_FACT_BUNDLE

    today = datetime.now(UTC)
    stamp = {"NOT_BEFORE": (today - timedelta(days=1)).isoformat(timespec="seconds"),
             "NOT_AFTER": (today + timedelta(days=90)).isoformat(timespec="seconds")}
    template = (FIXTURES / "evidence" / "portal.json").read_text()
    for name, value in stamp.items():
        template = template.replace(name, value.replace("+00:00", "Z"))
    for portal in load_inventory(inventory).network.portals:
        edit = edits.get(portal.name, {})
        if edit is None:
            continue
        base = {"schema": PORTAL_FACT_BUNDLE, "portal": portal.name, "kind": portal.kind,
                "url": portal.url or portal.host, "collected_at": now()}
        if "failed" in edit:
            write_portal_bundle(dest, {**base, "status": "unreachable",
                                       "reason": edit["failed"]})
            continue
        # host names are plain text in JSON: [a-z0-9.-]
        text = template.replace("NAME", portal.host).replace(
            "DOMAIN", portal.host.split(".", 1)[1] if portal.is_web else portal.host)
        facts = json.loads(text)["web" if portal.is_web else "mail"]
        apply_patch(facts, {k: v for k, v in edit.items() if k in ("set", "delete", "append")})
        write_portal_bundle(dest, {**base, "status": "collected", "facts": facts})


def _facility_evidence(dest: Path, inventory: Path, edits: Mapping[str, Any]) -> None:
    import json

    from egov_audit.evidence.model import now
    from egov_audit.facility.evidence import (
        FACILITY_DIR,
        facility_bundle,
        record_facility_failure,
        write_facility_bundle,
    )
    from egov_audit.inventory import load_inventory

    bases = json.loads((FIXTURES / "evidence" / "facility.json").read_text())
    for device in load_inventory(inventory).facility_devices:
        edit = edits.get(device.name, {})
        if edit is None:
            continue
        if "failed" in edit:
            record_facility_failure(dest / FACILITY_DIR, device.name, "failed", edit["failed"])
            continue
        facts = copy.deepcopy(bases[device.role])
        apply_patch(facts, {k: v for k, v in edit.items() if k in ("set", "delete", "append")})
        write_facility_bundle(dest / FACILITY_DIR, device.name, facility_bundle(
            device.name, device.server_room, device.role, device.address, 161, facts, now()))


def tree_digest(root: str) -> str:
    """Checksum of a directory tree: paths, modes, owners and contents (read-only scans)."""
    import hashlib
    import os

    digest = hashlib.sha256()
    for base, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(base, name)
            try:
                st = os.lstat(path)
                digest.update(f"{path[len(root):]}:{st.st_mode:o}:{st.st_uid}".encode())
                if not os.path.islink(path) and os.path.isfile(path):
                    with open(path, "rb") as handle:
                        digest.update(handle.read())
            except OSError:
                continue
    return digest.hexdigest()


CLI_TIMEOUT = 60  # a bad input must fail fast, never hang


def run_cli(*args: str, preexec: list[str] | None = None, cwd: Path | None = None,
            timeout: float = CLI_TIMEOUT, env: dict[str, str] | None = None) -> Any:
    """The real command line, as a subprocess (`env`: variables set for it)."""
    import os
    import subprocess
    import sys

    command = [*(preexec or []), sys.executable, "-m", "egov_audit", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env={**os.environ, "EGOV_AUDIT_DEBUG": "", **(env or {})},
                          check=False)


def run_long(*args: str, **kwargs: Any) -> Any:
    """The real command line for work on hosts or databases: ten minutes, not one."""
    return run_cli(*args, timeout=600, **kwargs)


def load_collector_module() -> Any:
    """playbooks/library/egov_host_facts.py as a Python module (Ansible ships it to hosts; the
    tests import it to call its parsers), with its module_utils (one per fact family) put where
    Ansible puts them, under ansible.module_utils. What is returned reads every name of the
    module and of its module_utils, as the single module it once was."""
    import importlib.util
    import sys
    import types

    from egov_audit.paths import data_root

    def load(name: str, path: Path) -> types.ModuleType:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module

    utils = data_root() / "playbooks/module_utils"
    first = utils / "egov_host_common.py"  # the others import it
    paths = [first, *sorted(p for p in utils.glob("egov_host_*.py") if p != first)]
    parts = [load(f"ansible.module_utils.{path.stem}", path) for path in paths]
    module = load("egov_host_facts", data_root() / "playbooks/library/egov_host_facts.py")
    merged = types.SimpleNamespace()
    for part in (*parts, module):
        merged.__dict__.update({k: v for k, v in vars(part).items() if not k.startswith("__")})
    return merged


def ansible_exe(name: str) -> str:
    """An Ansible command installed beside this Python (a virtualenv is often not on PATH)."""
    import sys

    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def install_collection(dest: Path) -> Path:
    """The egov.audit collection as an operator gets it: the artifact `egov-audit collection
    build` makes, installed by `ansible-galaxy collection install` (offline: Galaxy cannot be
    reached) into a collections path of its own, which is returned."""
    import os
    import subprocess

    # where an agency keeps its copy (galaxy.yml's repository, as Galaxy asks)
    built = run_long("collection", "build", "--output", str(dest / "dist"), "--repository",
                     "https://git.example.gov.vn/egov-audit")
    assert built.returncode == 0, built.stderr
    (artifact,) = (dest / "dist").glob("egov-audit-*.tar.gz")
    installed = subprocess.run(
        [ansible_exe("ansible-galaxy"), "collection", "install", "--offline", "-p",
         str(dest / "collections"), str(artifact)], capture_output=True, text=True,
        timeout=300, check=False, env={**os.environ, "ANSIBLE_HOME": str(dest / "home")})
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (dest / "collections/ansible_collections/egov/audit/MANIFEST.json").is_file()
    return dest / "collections"


def machine_network() -> dict[str, Any]:
    """What a lab must leave as it found it: the machine's links, routes (every table) and
    firewall ruleset."""
    import json
    import subprocess

    def run(*command: str) -> str:
        return subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=30).stdout

    links = sorted(link["ifname"] for link in json.loads(run("ip", "-j", "link", "show")))
    return {"links": links, "routes": run("ip", "route", "show", "table", "all"),
            "routes6": run("ip", "-6", "route", "show", "table", "all"),
            "nft": run("nft", "list", "ruleset")}


def bundle_dict(text: str | bytes) -> Any:
    """A bundle as `-f json` prints it (version 2, one record a line) as its version 1 document
    (what every reader reads: texts rendered from the bundle's own templates, its signature and
    inputs kept); any other JSON text as it parses."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if not raw.startswith(HEAD_PREFIX):
        return json.loads(raw)
    bundle, stream = read_v2(io.BytesIO(raw).readlines(), "bundle", ReportError)
    data = bundle_to_dict(bundle)
    if stream.inputs is not None:
        data["inputs"] = stream.inputs
    if stream.signature is not None:
        data["signature"] = stream.signature
    return data


def v1_file(source: Path, dest: Path) -> Path:
    """A version 2 bundle file written again as the version 1 document of the same results
    (for the corpus that proves version 1 is still read, signed and refused as before)."""
    dest.write_text(json.dumps(bundle_dict(source.read_bytes()), ensure_ascii=False, indent=2)
                    + "\n")
    return dest


def signed_samples(work: Path, agencies: tuple[str, ...]) -> dict[str, Path]:
    """Each sample agency's key pair (<agency>.key, <agency>.pub in `work`) and its validated
    bundle, signed as `sign` writes it (<agency>.signed.json), made by the real command line."""
    signed = {}
    for agency in agencies:
        assert run_cli("keygen", "--agency", agency, "--out", str(work)).returncode == 0
        bundle = work / f"{agency}.json"
        proc = run_cli("validate", str(REPO / "inventories" / agency), "-f", "json", "-o",
                       str(bundle), "--documentation-as-public", "--fail-on", "none",
                       timeout=600)
        assert proc.returncode == 0, proc.stderr
        proc = run_cli("sign", str(bundle), "--key", str(work / f"{agency}.key"))
        assert proc.returncode == 0, proc.stderr
        signed[agency] = work / f"{agency}.signed.json"
    return signed

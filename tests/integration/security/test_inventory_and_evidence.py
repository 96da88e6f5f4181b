"""Boundaries: inventories (merge requests from anyone, validated in CI; packed into signed
bundles) and evidence (written from what possibly compromised hosts said)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import bundle_dict
from tests.integration.security.conftest import Agency, run


def _hosts(agency: Agency, text: str) -> None:
    (agency.inventory / "hosts.yml").write_text(text)


# -- inventories through validate ---------------------------------------------------------------
@pytest.mark.parametrize(("pattern", "reason"), [
    ("web[0:99999999]", "host range '[0:99999999]' is not valid"),
    ("a[0:99999]b[0:99999]", "expands to more than 100,000 hosts"),
    ("x[1:9][1:9][1:9][1:9][1:9][1:9]", "expands to more than 100,000 hosts"),
    ("web[9:1]", "end not below start"),
    ("web[1:9:0]", "has a bad step"),
    ("web[a:zz]", "is not valid"),
])
def test_host_ranges_are_bounded_before_any_expansion(agency: Agency, pattern: str,
                                                      reason: str) -> None:
    _hosts(agency, f"all:\n  hosts:\n    '{pattern}': {{zone: dmz, role: web_portal}}\n")
    started = time.monotonic()
    done = run("validate", agency.inventory)
    assert time.monotonic() - started < 10
    assert done.code == 2 and reason in done.err, done.err
    assert f"{agency.inventory / 'hosts.yml'}:3:" in done.err
    assert f": all.hosts.{pattern}: " in done.err


def test_many_ranges_together_are_bounded_too(agency: Agency) -> None:
    lines = "".join(f"    g{i}x[0:60000]: {{zone: dmz, role: web_portal}}\n" for i in range(3))
    _hosts(agency, "all:\n  hosts:\n" + lines)
    done = run("validate", agency.inventory)
    assert done.code == 2 and "the inventory names more than 100,000 hosts" in done.err


@pytest.mark.parametrize("name", ["../etc/x", "a/b", ".hidden", "we b01", "tab\tname"])
def test_host_names_that_are_not_file_names_are_refused(agency: Agency, name: str) -> None:
    _hosts(agency, f"all:\n  hosts:\n    {json.dumps(name)}: {{zone: dmz, role: web_portal}}\n")
    done = run("validate", agency.inventory)
    assert done.code == 2 and "is not valid (no '/', spaces, control characters" in done.err
    assert len(done.err.strip().splitlines()) == 1


@pytest.mark.parametrize("outside", ["/etc/passwd", "KEY"])
def test_a_link_that_leaves_the_inventory_is_refused(agency: Agency, outside: str) -> None:
    target = agency.private if outside == "KEY" else Path(outside)
    link = agency.inventory / "group_vars" / "all" / "extra.yml"
    link.symlink_to(target)
    done = run("validate", agency.inventory)
    assert done.code == 2
    assert done.err.strip() == (f"egov-audit: error: {link}: a link that leaves the inventory "
                                "directory: refused")
    assert "root:" not in done.err and "PRIVATE" not in done.err


def test_a_link_inside_the_inventory_is_fine(agency: Agency) -> None:
    (agency.inventory / "group_vars" / "all" / "again.yml").symlink_to(
        agency.inventory / "group_vars" / "all" / "agency.yml")
    assert run("validate", agency.inventory, "--documentation-as-public").code == 0


@pytest.mark.parametrize(("prefix", "instead"), [
    ("::ffff:10.50.10.0/120", "10.50.10.0/24"),
    ("::10.50.10.0/120", "10.50.10.0/24"),
])
def test_ipv4_written_as_ipv6_is_refused(agency: Agency, prefix: str, instead: str) -> None:
    network = agency.inventory / "group_vars" / "all" / "network.yml"
    text = network.read_text()
    assert "10.50.10.0/24" in text
    network.write_text(text.replace("10.50.10.0/24", json.dumps(prefix), 1))
    done = run("validate", agency.inventory)
    assert done.code == 2 and "is IPv4 written as IPv6" in done.err
    assert f"write it as {instead}" in done.err


def test_a_mapped_address_cannot_hide_a_national_overlap(agency: Agency, tmp_path: Path) -> None:
    """The same block written as IPv4 in one agency and IPv4-mapped IPv6 in another would escape
    NET-IP-05: refused, so the plan must be written where the check sees it."""
    from tests.helpers import build_inventory

    other = build_inventory(tmp_path / "other", patch={"set": {
        "agency.code": "other", "network.address_blocks[0].prefix": "::ffff:192.0.2.0/120"}})
    done = run("validate", agency.inventory, other)
    assert done.code == 2 and "write it as 192.0.2.0/24" in done.err


@pytest.mark.parametrize(("written", "said"), [
    ("9" * 5000, "a number of 5,000 characters: at most 64 bits"),
    ("0x" + "f" * 3000, "a number of 3,002 characters: at most 64 bits"),
    ("0b" + "1" * 70, "a number beyond 64 bits"),
    ("18446744073709551616", "a number beyond 64 bits")])
def test_a_number_in_an_inventory_is_bounded_before_it_is_built(agency: Agency, written: str,
                                                                said: str) -> None:
    """5,000 digits ended validate with a bare ValueError; hex and binary of any length went
    through. Now file:line:column and what is wrong, exit 2."""
    path = agency.inventory / "group_vars" / "all" / "agency.yml"
    original = path.read_text()
    lines = original.splitlines()
    number = next(i for i, line in enumerate(lines) if line.strip().startswith("level:"))
    lines[number] = lines[number].split(":")[0] + ": " + written
    path.write_text("\n".join(lines) + "\n")
    try:
        done = run("validate", agency.inventory, "--lang", "en")
    finally:
        path.write_text(original)
    assert done.code == 2, done.err
    assert f"agency.yml:{number + 1}:" in done.err and said in done.err, done.err
    assert len(done.err) < 400


# -- sign --inventory packs only what the loader reads --------------------------------------------
def test_sign_refuses_an_inventory_link_to_a_private_key(agency: Agency) -> None:
    (agency.inventory / "group_vars" / "all" / "zz.yml").symlink_to(agency.private)
    out = agency.root / "out.json"
    done = run("sign", agency.bundle, "--key", agency.private, "--inventory", agency.inventory,
               "-o", out)
    assert done.code == 2 and "a link that leaves the inventory directory" in done.err
    assert not out.exists()


def test_sign_refuses_key_material_inside_the_inventory(agency: Agency) -> None:
    leaked = agency.inventory / "host_vars" / "web01.yml"
    leaked.parent.mkdir(exist_ok=True)
    leaked.write_text("deploy_key: |\n  " + "\n  ".join(agency.private.read_text().splitlines())
                      + "\n")
    out = agency.root / "out.json"
    done = run("sign", agency.bundle, "--key", agency.private, "--inventory", agency.inventory,
               "-o", out)
    assert done.code == 2
    assert done.err.strip() == (f"egov-audit: error: {leaked}: looks like private key material:"
                                " refusing to pack it into a bundle that leaves the agency")
    assert not out.exists()


def _yaml_hiding(key_text: str, how: str) -> str:
    """A host_vars document whose value, once YAML has decoded it, is the key."""
    lines = key_text.strip().splitlines()
    if how == "folded":  # `>-` joins lines with spaces: the header is split over two lines
        split = [line.replace("PRIVATE KEY", "PRIVATE\n  KEY") for line in lines]
        return "deploy_key: >-\n  " + "\n  ".join(split) + "\n"
    if how == "escaped":  # a double-quoted string: every space written \x20, lines \n
        body = "\\n".join(lines).replace(" ", "\\x20")
        return f'deploy_key: "{body}"\n'
    if how == "body-only":  # the header lines left out: the key's body alone
        return "deploy_key: " + "".join(lines[1:-1]) + "\n"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["folded", "escaped", "body-only"])
def test_sign_refuses_key_material_that_yaml_hides(agency: Agency, how: str) -> None:
    leaked = agency.inventory / "host_vars" / "web01.yml"
    leaked.parent.mkdir(exist_ok=True)
    document = _yaml_hiding(agency.private.read_text(), how)
    leaked.write_text(document)
    if how != "body-only":  # the raw text alone no longer shows the header
        assert "PRIVATE KEY-----" not in document
    out = agency.root / "out.json"
    done = run("sign", agency.bundle, "--key", agency.private, "--inventory", agency.inventory,
               "-o", out)
    assert done.code == 2, done.err
    assert "looks like private key material" in done.err and str(leaked) in done.err
    assert not out.exists()


def test_sign_packs_only_the_files_the_loader_reads(agency: Agency) -> None:
    (agency.inventory / "notes.txt").write_text("not an inventory file")
    (agency.inventory / "backup").mkdir()
    (agency.inventory / "backup" / "old.yml").write_text("x: 1\n")
    out = agency.root / "out.json"
    assert run("sign", agency.bundle, "--key", agency.private, "--inventory", agency.inventory,
               "-o", out).code == 0
    packed = bundle_dict(out.read_text())["inputs"]["inventory_files"]
    assert sorted(packed) == ["group_vars/all/agency.yml", "group_vars/all/network.yml",
                              "group_vars/all/server_rooms.yml", "hosts.yml"]


def test_sign_refuses_a_fifo_in_the_inventory(agency: Agency) -> None:
    os.mkfifo(agency.inventory / "group_vars" / "all" / "pipe.yml")
    proc = subprocess.run([sys.executable, "-m", "egov_audit", "sign", str(agency.bundle),
                           "--key", str(agency.private), "--inventory", str(agency.inventory)],
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 2 and "pipe.yml: not a regular file" in proc.stderr


# -- evidence through evaluate --------------------------------------------------------------------
def _evaluate(agency: Agency) -> dict[str, dict[str, str]]:
    out = agency.root / "result.json"
    proc = subprocess.run([sys.executable, "-m", "egov_audit", "evaluate", str(agency.inventory),
                           "--evidence", str(agency.evidence), "-f", "json", "-o", str(out),
                           "--fail-on", "none"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return {t["id"]: t for t in bundle_dict(out.read_text())["targets"]}


@pytest.mark.parametrize(("kind", "reason"), [
    ("fifo", "evidence refused: not a regular file"),
    ("dev-zero", "evidence refused: not a regular file"),
    ("directory", "evidence refused: not a regular file"),
    ("duplicate-key", "duplicate key 'status' in an object"),
    ("nan", "NaN is not a JSON number"),
    ("lone-surrogate", "lone UTF-16 surrogate"),
    ("deep", "nested more than 64 levels deep"),
    ("other-host", "evidence file names host 'app01'"),
    ("naive-time", "evidence does not match the fact-bundle schema"),
    ("not-a-time", "evidence does not match the fact-bundle schema"),
])
def test_hostile_evidence_fails_its_host_and_only_its_host(agency: Agency, kind: str,
                                                          reason: str) -> None:
    path = agency.evidence / "web01.json"
    text = path.read_text()
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    elif kind == "duplicate-key":
        path.write_text(text.replace('"status": "collected"',
                                     '"status": "collected", "status": "collected"', 1))
    elif kind == "nan":
        path.write_text(text.replace('"schema"', '"x": NaN, "schema"', 1))
    elif kind == "lone-surrogate":
        path.write_text(text.replace('"schema"', '"x": "\\udfff", "schema"', 1))
    elif kind == "deep":
        path.write_text(text.replace('"schema"', '"x": ' + "[" * 99 + "]" * 99 + ', "schema"', 1))
    elif kind in ("naive-time", "not-a-time"):  # an instant nobody can place
        data = bundle_dict(text)
        data["collected_at"] = "2026-12-01T00:00:00" if kind == "naive-time" else "yesterday"
        path.write_text(json.dumps(data))
    else:
        path.write_text(text.replace('"host": "web01"', '"host": "app01"', 1))
    targets = _evaluate(agency)
    assert targets["web01"]["status"] == "failed" and reason in targets["web01"]["reason"]
    assert all(t["status"] == "assessed" for name, t in targets.items()
               if t["kind"] == "host" and name != "web01")


def test_an_evidence_folder_with_too_many_files_is_refused(agency: Agency,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    from egov_audit.errors import CollectionError
    from egov_audit.evidence import host_facts as evidence

    monkeypatch.setattr(evidence, "MAX_EVIDENCE_FILES", 3)
    with pytest.raises(CollectionError, match="more than 3 fact bundles: refused"):
        evidence.read_evidence_dir(agency.evidence)


def test_sign_names_a_corrupt_fact_bundle(agency: Agency) -> None:
    corrupt = agency.evidence / "db01.json"
    corrupt.write_text(corrupt.read_text()[:200])
    out = agency.root / "out.json"
    done = run("sign", agency.bundle, "--key", agency.private, "--inventory", agency.inventory,
               "--evidence", agency.evidence, "-o", out)
    assert done.code == 2
    assert done.err.startswith(f"egov-audit: error: {corrupt}: unusable evidence of db01: "
                               "evidence is not valid JSON")
    assert not out.exists()

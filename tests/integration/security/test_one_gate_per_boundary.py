"""The gates stay the only ways through their boundaries: a new command that parses JSON, writes a
file, runs Ansible or builds a Jinja environment by itself fails here, and must use the gate (or
be added below with the reason it is not a boundary)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "egov_audit"

# (what, pattern, the only modules allowed to do it, why those)
RULES = [
    ("parse JSON", re.compile(r"\bjson\.loads?\("), {
        "gates/jsonin.py": "the strict reader itself",
        "schemas/validation.py": "the package's own schemas",
        "lab/lifecycle.py": "the lab's own state and `ip -j` output of its own namespaces",
        "lab/internet.py": "the lab internet's own description, written by lab/portals.py",
        "rescore.py": "reads back the JSON it rendered itself",
    }),
    ("write a file", re.compile(r"\.write_(text|bytes)\(|os\.replace\(|\bos\.link\(|"
                                r"open\([^)]*['\"][wa]b?['\"]"), {
        "gates/fileout.py": "the output writer itself",
        "lab/lifecycle.py": "the lab's own state folder",
        "lab/portals.py": "the lab internet's own folder: zones, certificates, configurations",
        "lab/dns.py": "the lab internet's own folder: its zone files, Knot and Unbound settings",
        "lab/internet.py": "the lab internet's readiness mark, in its own folder",
        "inputs.py": "unpacks into a temporary folder it created itself, after check_inputs",
        "collection.py": "lays the collection out, from the package's own files, in a temporary "
                         "folder its caller created",
        "cache.py": "egov-audit's own cache folder (owner-only, written whole by rename)",
        "runner.py": "a worker node's job stream, in the run's own temporary folder",
        "serve/intake.py": "spools an upload into a temporary file it made itself (mkstemp), "
                           "then read through collect's own gate",
    }),
    ("run Ansible", re.compile(r"\bimport ansible_runner\b|ansible_runner\.run"), {
        "runner.py": "the Ansible execution adapter",
    }),
    ("build a Jinja environment", re.compile(r"\bEnvironment\("), {
        "gates/sanitize.py": "the HTML environment: autoescape and finalize",
    }),
    ("load YAML", re.compile(r"\byaml\.(load|safe_load|full_load|unsafe_load)\("), {
        "yamlsource.py": "the safe, bounded YAML loader",
    }),
    ("unpickle or unmarshal", re.compile(r"\b(pickle|marshal)\.loads?\(|\bUnpickler\("), {
        "cache.py": "reads back only the user's own private entries (it runs what they say, as "
                    "__pycache__ does)",
    }),
]


@pytest.mark.parametrize(("what", "pattern", "allowed"), [r[:3] for r in RULES],
                         ids=[r[0] for r in RULES])
def test_only_the_gate_does_it(what: str, pattern: re.Pattern[str],
                               allowed: dict[str, str]) -> None:
    found = {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
             if pattern.search(path.read_text())}
    assert found <= set(allowed), f"{what} outside its gate: {sorted(found - set(allowed))}"

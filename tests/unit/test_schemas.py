"""The fast schema path (fastjsonschema, compiled without detailed exceptions) says yes exactly
when the reference validator (jsonschema, draft 2020-12) does: on every shipped document and on
thousands of mutations of them (a key dropped, a value of another type)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from egov_audit.schemas.validation import _fast_validator, _validator
from tests.helpers import BASES, FIXTURES, REPO


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def _documents() -> dict[str, list[Any]]:
    docs: dict[str, list[Any]] = {name: [] for name in (
        "agency", "network", "server_rooms", "control", "baseline", "reference_model",
        "catalogue", "waivers", "fact-bundle")}
    for root in [*sorted((REPO / "inventories").iterdir()), *sorted(BASES.iterdir())]:
        for path in sorted((root / "group_vars" / "all").glob("*.yml")):
            for key, value in (_yaml(path) or {}).items():
                if key in docs:
                    docs[key].append(value)
        waivers = root / ".egov-audit" / "waivers.yml"
        if waivers.exists():
            docs["waivers"].append(_yaml(waivers))
    policies = REPO / "policies"
    docs["catalogue"].append(_yaml(policies / "catalogue.yml"))
    docs["baseline"] += [_yaml(p) for p in sorted((policies / "baselines").glob("*.yml"))]
    docs["control"] += [_yaml(p) for p in sorted(policies.glob("*/*.yml"))
                        if p.parent.name != "baselines"]
    docs["reference_model"] += [_yaml(p) for p in sorted((REPO / "reference_models").glob("*.yml"))]
    template = (FIXTURES / "evidence" / "hardened.json").read_text("utf-8")
    docs["fact-bundle"].append(json.loads(template.replace("HOST", "h1")
                                          .replace("ADDRESS", "192.0.2.1/24")))
    return docs


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc[:3]):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


_OTHER = {str: 7, int: "7", float: "7", bool: "yes", list: {"a": 1}, dict: ["a"],
          type(None): 0}


def _mutations(doc: Any, limit: int = 60) -> Iterator[Any]:
    """The document, then up to `limit` of its paths (spread over it) dropped and retyped."""
    yield doc
    paths = list(_paths(doc))
    step = max(1, len(paths) // limit)
    for path in paths[::step]:
        for kind in ("drop", "retype"):
            mutated = copy.deepcopy(doc)
            parent = mutated
            for key in path[:-1]:
                parent = parent[key]
            if kind == "drop":
                del parent[path[-1]]
            else:
                parent[path[-1]] = _OTHER.get(type(parent[path[-1]]))
            yield mutated


DOCS = _documents()


@pytest.mark.parametrize("name", sorted(DOCS))
def test_fast_path_agrees_with_the_reference_validator(name: str) -> None:
    assert DOCS[name], f"no {name} document found"
    fast, reference = _fast_validator(name), _validator(name)
    checked = rejected = 0
    for doc in DOCS[name]:
        for variant in _mutations(doc):
            try:
                fast(variant)
                fast_says = True
            except Exception:
                fast_says = False
            assert fast_says == reference.is_valid(variant), (name, variant)
            checked += 1
            rejected += not fast_says
    assert checked > 10 and 0 < rejected < checked


def test_schema_references_are_resolved_at_home_never_fetched(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The result set refers to the result bundle by its $id (an https URL): fastjsonschema is
    handed our own schema, and nothing ever opens a connection (it would otherwise fetch it)."""
    import socket

    from egov_audit.schemas import validation as schemas

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a schema reference tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setenv("EGOV_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    schemas._fast_validator.cache_clear()
    try:
        schemas._fast_validator("result-set")  # compiles, with the bundle's schema inlined
        with pytest.raises(ValueError, match="outside egov-audit's schemas refused"):
            schemas._compile({"$ref": "https://schemas.example.org/evil.json"})
    finally:
        schemas._fast_validator.cache_clear()

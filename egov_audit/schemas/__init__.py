"""The JSON Schemas shipped with egov-audit, and validation that reports file:line:column."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..errors import EgovAuditError
from ..yamlsource import PathKey, SourceFile

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

SCHEMA_NAMES = ("agency", "network", "server_rooms", "host", "control", "reference_model",
                "baseline", "catalogue", "result-bundle", "result-set", "fact-bundle", "waivers")


@cache
def load_schema(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(name: str) -> Validator:
    from jsonschema import Draft202012Validator

    schema = load_schema(name)
    if "$ref" not in json.dumps(schema).replace('"$ref": "#', ""):
        return Draft202012Validator(schema)
    # cross-file references (the result set refers to the result bundle)
    from referencing import Registry, Resource

    registry: Registry[Any] = Registry().with_resources(
        (load_schema(other)["$id"], Resource.from_contents(load_schema(other)))
        for other in SCHEMA_NAMES)
    return Draft202012Validator(schema, registry=registry)


@cache
def _fast_validator(name: str) -> Callable[[Any], Any]:
    """The same schema compiled to Python by fastjsonschema: ~15x faster than jsonschema on a
    national plan of 100,000 prefixes. It only says yes or no quickly; jsonschema (the reference)
    explains a no. Our schemas use only keywords that mean the same in draft 7 and 2020-12."""
    schema = dict(load_schema(name))
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return _compile(schema)


def _compile(schema: Mapping[str, Any]) -> Callable[[Any], Any]:
    """fastjsonschema without its detailed exceptions: we only ask it yes or no (jsonschema
    explains a no), and without them the generated code is a third the size, compiled 2-3x
    faster: most of a cold start's schema cost. Its generator cannot build `const` checks
    without details; those schemas keep them."""
    import fastjsonschema

    try:
        return fastjsonschema.compile(dict(schema), detailed_exceptions=False)
    except KeyError:
        return fastjsonschema.compile(dict(schema))


def is_valid(data: Any, name: str) -> bool:
    try:
        _fast_validator(name)(data)
    except Exception:  # JsonSchemaValueException, or anything odd: let jsonschema decide
        return _validator(name).is_valid(data)
    return True


@cache
def _fast_inline(schema_json: str) -> Callable[[Any], Any]:
    return _compile(json.loads(schema_json))


def first_error(data: Any, schema: str | Mapping[str, Any]) -> SchemaProblem | None:
    """Why `data` does not match a shipped schema (by name) or a given one: the most relevant
    error (jsonschema's best match), or None when it matches. The fast compiled validator
    answers the usual yes; jsonschema (70 ms to import) is loaded only to explain a no."""
    if isinstance(schema, str):
        if is_valid(data, schema):
            return None
    else:
        try:
            _fast_inline(json.dumps(schema, sort_keys=True))(data)
            return None
        except Exception:
            pass
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    validator = _validator(schema) if isinstance(schema, str) \
        else Draft202012Validator(dict(schema))
    error = best_match(validator.iter_errors(data))
    if error is None:
        return None
    return SchemaProblem(error.message, tuple(error.absolute_path))


@dataclass(frozen=True)
class SchemaProblem:
    message: str
    path: tuple[PathKey, ...]


def _short(message: str, limit: int = 240) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


def validate(data: Any, name: str, source: SourceFile, base: Sequence[PathKey],
             error_cls: type[EgovAuditError], label: str | None = None) -> None:
    """Raise error_cls at the file, line and JSON path of the first schema violation."""
    if is_valid(data, name):
        return
    error = first_error(data, name)
    if error is None:
        return
    path = tuple(base) + error.path
    line, column = source.locate(path)
    shown = (label, *error.path) if label else path
    from ..yamlsource import format_path

    raise error_cls(_short(error.message), file=source.display, line=line, column=column,
                    path=format_path(shown))

"""The JSON Schemas shipped with egov-audit, and validation that reports file:line:column."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..cache import schema_code
from ..errors import EgovAuditError, Message
from ..yamlsource import PathKey, SourceFile, format_path

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

SCHEMA_NAMES = ("agency", "network", "server_rooms", "host", "control", "reference_model",
                "baseline", "catalogue", "result-bundle", "result-set", "fact-bundle", "waivers",
                "network-fact-bundle", "device", "facility-fact-bundle", "facility",
                "portal-fact-bundle", "workers", "result-bundle-v2")


_HERE = Path(__file__).resolve().parent


@cache
def load_schema(name: str) -> dict[str, Any]:
    # beside this module, in a checkout and in an installed package alike (importlib.resources
    # would cost a cold start its zipfile import)
    text = (_HERE / f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(name: str) -> Validator:
    # jsonschema: only to explain a rejection (fastjsonschema checks)
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


class _No(Exception):
    """What the generated code raises for a no (is_valid catches any exception)."""


class _NoDecimal:
    """Never an instance: our readers (the strict JSON reader, YAML) make no Decimal."""


# the generated module's own imports, replaced by names given to it: importing fastjsonschema
# (all its drafts' generators) and decimal cost a cold validate 6 ms. Should a new version
# write them otherwise, the line stays and the module imports them itself: slower, as right.
_GENERATED_IMPORTS = frozenset((
    "from decimal import Decimal", "import re",
    "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException"))
_GENERATED_NAMES = {"Decimal": _NoDecimal, "re": re, "JsonSchemaValueException": _No,
                    "JsonSchemaValuesException": _No}


def _compile(schema: Mapping[str, Any]) -> Callable[[Any], Any]:
    """fastjsonschema without its detailed exceptions: we only ask it yes or no (jsonschema
    explains a no), and without them the generated code is a third the size, compiled 2-3x
    faster, and runs without building an error path at every array item. A reference to another
    of our schemas (the result set names the result bundle) is resolved here, never fetched:
    any other reference is refused. The generated module is kept compiled in egov-audit's cache
    (egov_audit/cache.py): generating and compiling it was most of a cold start's schema cost."""
    definition = dict(_fast_form(schema))
    text = json.dumps(definition, sort_keys=True)
    handlers = {"https": _our_schema, "http": _our_schema}

    def generate() -> tuple[str, str]:  # on a miss only
        # fastjsonschema: only to compile a schema the cache does not hold
        from fastjsonschema import compile_to_code
        from fastjsonschema.ref_resolver import RefResolver

        function = RefResolver.from_schema(definition, store={},
                                           handlers=handlers).get_scope_name()
        source = compile_to_code(definition, handlers=handlers, detailed_exceptions=False)
        head, _, body = source.partition("\n\n")  # the module's preamble: version, imports
        kept = [line for line in head.split("\n") if line not in _GENERATED_IMPORTS]
        return function, "\n".join(kept) + "\n\n" + body

    function, code = schema_code(text, generate)
    namespace: dict[str, Any] = dict(_GENERATED_NAMES)
    exec(code, namespace)  # code fastjsonschema generated from our own schema
    validator: Callable[[Any], Any] = namespace[function]
    return validator


class _Recursive(Exception):
    pass


_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_VALUES = ("enum", "default", "examples", "required")


def _fast_form(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema as fastjsonschema is given it, the same meaning written for its fast code:
    - every reference replaced by what it names (our own schemas only): the code generated for
      a reference is a function call that formats the item's path at every array item, even
      when nothing fails; inlined, an array of 100,000 results is checked in one loop (a schema
      that refers to itself keeps its references);
    - every `const: X` written `enum: [X]`: fastjsonschema cannot generate `const` without its
      detailed exceptions, which build those paths too."""
    try:
        out: Mapping[str, Any] = _rewrite(schema, schema, (), inline=True)
    except _Recursive:
        out = _rewrite(schema, schema, (), inline=False)
    return out


def _rewrite(node: Any, document: Mapping[str, Any], seen: tuple[str, ...], inline: bool) -> Any:
    if isinstance(node, list):
        return [_rewrite(item, document, seen, inline) for item in node]
    if not isinstance(node, Mapping):
        return node
    ref = node.get("$ref")
    if inline and isinstance(ref, str):  # its siblings in our schemas are descriptions only
        if ref in seen:
            raise _Recursive(ref)
        target, target_document = _resolve(ref, document)
        return _rewrite(target, target_document, (*seen, ref), inline)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if inline and (key in ("$defs", "definitions") or (seen and key in ("$id", "$schema"))):
            continue  # everything they held is inlined where it is used
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):
            out[key] = {name: _rewrite(sub, document, seen, inline)
                        for name, sub in value.items()}
        elif key == "const" and "enum" not in node:
            out["enum"] = [value]
        elif key in _VALUES:
            out[key] = value
        else:
            out[key] = _rewrite(value, document, seen, inline)
    return out


def _resolve(ref: str, document: Mapping[str, Any]) -> tuple[Any, Mapping[str, Any]]:
    """What `#/$defs/x`, `result-bundle.schema.json#/$defs/x` or an $id URL names, and the
    document it is in. Only our own schemas: anything else is refused."""
    where, _, pointer = ref.partition("#")
    if where:
        name = where.rsplit("/", 1)[-1].removesuffix(".schema.json")
        if name not in SCHEMA_NAMES:
            raise ValueError(f"schema reference outside egov-audit's schemas refused: "
                             f"{ref[:200]}")
        document = load_schema(name)
    target: Any = document
    for part in [p for p in pointer.split("/") if p]:
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target, document


def _our_schema(uri: str) -> Any:
    """One of egov-audit's own schemas by its $id, for references left in a schema that
    refers to itself; nothing is ever fetched."""
    for name in SCHEMA_NAMES:
        if load_schema(name).get("$id") == uri:
            return _rewrite(load_schema(name), load_schema(name), (), inline=False)
    raise ValueError(f"schema reference outside egov-audit's schemas refused: {uri[:200]}")


def is_valid(data: Any, name: str) -> bool:
    try:
        _fast_validator(name)(data)
    except Exception:  # JsonSchemaValueException, or anything odd: let jsonschema decide
        return _validator(name).is_valid(data)
    return True


@cache
def _fast_inline(schema_json: str) -> Callable[[Any], Any]:
    return _compile(json.loads(schema_json))


def compiled_check(schema: Mapping[str, Any]) -> Callable[[Any], bool]:
    """A given schema compiled once: a yes or no per value, for a reader that checks
    thousands of small records against it (first_error says why a no)."""
    validator = _fast_inline(json.dumps(schema, sort_keys=True))

    def check(data: Any) -> bool:
        try:
            validator(data)
        except Exception:  # JsonSchemaValueException, or anything odd: first_error decides
            return False
        return True

    return check


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
    # jsonschema: only to explain a rejection (fastjsonschema checks)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    validator = _validator(schema) if isinstance(schema, str) \
        else Draft202012Validator(dict(schema))
    error = best_match(validator.iter_errors(data))
    if error is None:
        return None
    return SchemaProblem(_said(error), tuple(error.absolute_path))


def _said(error: Any) -> str:
    """jsonschema's message as a Message that can be said in Vietnamese, for the validators an
    inventory author meets; kept only when its English is jsonschema's own, word for word (a
    new jsonschema wording falls back to the plain English)."""
    kind, expected, instance = error.validator, error.validator_value, error.instance
    message: Message | None = None
    if kind == "required" and isinstance(instance, dict):
        missing = [name for name in expected if name not in instance]
        if missing:
            message = Message("{name!r} is a required property", name=missing[0])
    elif kind == "enum":
        message = Message("{value!r} is not one of {allowed!r}", value=instance,
                          allowed=expected)
    elif kind == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        message = Message("{value!r} is not of type {kinds}", value=instance,
                          kinds=", ".join(repr(k) for k in kinds))
    elif kind == "pattern":
        message = Message("{value!r} does not match {pattern!r}", value=instance,
                          pattern=expected)
    elif kind == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        patterns = error.schema.get("patternProperties", {})
        extra = [k for k in instance if k not in allowed
                 and not any(re.search(p, k) for p in patterns)]
        names = ", ".join(repr(k) for k in sorted(extra))
        message = Message("Additional properties are not allowed ({names} was unexpected)",
                          names=names) if len(extra) == 1 else Message(
            "Additional properties are not allowed ({names} were unexpected)", names=names)
    elif kind == "minimum":
        message = Message("{value!r} is less than the minimum of {limit!r}", value=instance,
                          limit=expected)
    elif kind == "maximum":
        message = Message("{value!r} is greater than the maximum of {limit!r}",
                          value=instance, limit=expected)
    elif kind in ("minItems", "minLength", "minProperties") and expected == 1:
        message = Message("{value!r} should be non-empty", value=instance)
    elif kind == "const":
        message = Message("{expected!r} was expected", expected=expected)
    return message if message is not None and message == error.message else error.message


@dataclass(frozen=True)
class SchemaProblem:
    """Why a document does not match its schema, and where in it."""

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

    message = error.message if len(error.message) <= 240 and "\n" not in error.message \
        else _short(error.message)
    raise error_cls(message, file=source.display, line=line, column=column,
                    path=format_path(shown))

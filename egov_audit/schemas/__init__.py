"""The JSON Schemas shipped with egov-audit (the *.schema.json files here), and `validation`
(checking a document, reporting file:line:column)."""

from .validation import (
    SCHEMA_NAMES,
    SchemaProblem,
    compiled_check,
    first_error,
    is_valid,
    load_schema,
    validate,
)

__all__ = [
    "SCHEMA_NAMES",
    "SchemaProblem",
    "compiled_check",
    "first_error",
    "is_valid",
    "load_schema",
    "validate",
]

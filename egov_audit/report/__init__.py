"""Reporters, keyed by format name. Importing this package registers them all."""

from __future__ import annotations

from . import csv, html, junit, markdown, sarif, text, xlsx  # noqa: F401  (registrations)
from . import json as json_reporter  # noqa: F401
from .interface import REPORTERS, Reporter, ReportOptions

__all__ = ["REPORTERS", "ReportOptions", "Reporter", "get_reporter"]


def get_reporter(name: str) -> Reporter:
    from ..errors import UsageError

    try:
        return REPORTERS[name]
    except KeyError:
        raise UsageError(f"unknown format {name!r} (known: {', '.join(sorted(REPORTERS))})") \
            from None

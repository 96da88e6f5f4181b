"""The gap-report formats, keyed by name. Importing this module registers them all."""

from __future__ import annotations

from . import csv, html, junit, markdown, sarif, text, xlsx  # noqa: F401  (registrations)
from . import json as json_reporter  # noqa: F401
from .interface import REPORTERS, Render

__all__ = ["GAP_RENDERERS", "REPORTERS"]

GAP_RENDERERS: dict[str, Render] = {name: r.render for name, r in REPORTERS.items()}

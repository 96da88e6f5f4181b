"""The gap-report formats, keyed by name. A format's module is imported (and registers itself)
when that format is used: a text report does not pay for openpyxl, Jinja or the XML writers."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from . import interface
from .interface import Render, Reporter

__all__ = ["GAP_RENDERERS", "REPORTERS"]

# format -> the module under egov_audit.report that registers it
_MODULES = {"text": "text", "json": "json", "junit": "junit", "sarif": "sarif", "html": "html",
            "markdown": "markdown", "csv": "csv", "xlsx": "xlsx"}


class _Reporters(Mapping[str, Reporter]):
    def __getitem__(self, fmt: str) -> Reporter:
        importlib.import_module(f"{__package__}.{_MODULES[fmt]}")
        return interface.REPORTERS[fmt]

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


class _Renderers(Mapping[str, Render]):
    def __getitem__(self, fmt: str) -> Render:
        return REPORTERS[fmt].render

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


REPORTERS: Mapping[str, Reporter] = _Reporters()
GAP_RENDERERS: Mapping[str, Render] = _Renderers()

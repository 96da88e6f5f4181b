"""Everything egov-audit renders, through one interface: a Reporter is one format of one
subject (gap reports, diffs, re-scoring, the national table, the requirement matrix), registered
with @reporter by the module that renders it; FORMATS lists them all without importing any, so
the CLI's choices cost nothing at start-up."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import Message, UsageError


@dataclass(frozen=True)
class ReportOptions:
    """How a report is rendered: its language, colour, both languages side by side."""

    lang: str = "vi"
    color: bool = False
    bilingual: bool = False  # Vietnamese and English side by side (the requirement matrix)
    # the script nonce of an HTML report served by the national service: the one its
    # Content-Security-Policy header names (a file on its own makes its own)
    nonce: str | None = None

    @property
    def langs(self) -> tuple[str, ...]:
        return ("vi", "en") if self.bilingual else (self.lang,)


Render = Callable[[Any, ReportOptions], str | bytes]

# every subject egov-audit renders (gap reports, diffs, re-scoring, the national table, the
# requirement matrix), its formats, and the module under egov_audit.report that renders each:
# the one list of format names (the CLI's choices come from here). A module is imported only
# when one of its formats is used: a text report does not pay for openpyxl, Jinja or XML.
FORMATS: Mapping[str, Mapping[str, str]] = {
    "gaps": {"text": "text", "json": "json", "junit": "junit", "sarif": "sarif", "html": "html",
             "markdown": "markdown", "csv": "csv", "xlsx": "xlsx"},
    "diff": {"text": "diff", "json": "diff", "markdown": "diff", "html": "diff"},
    "rescore": {"text": "diff", "json": "diff"},
    "national": {fmt: "national" for fmt in ("text", "json", "csv", "xlsx", "html")},
    "matrix": {fmt: "matrix" for fmt in ("text", "markdown", "html", "csv", "xlsx", "json")},
    "control": {fmt: "questions" for fmt in ("text", "json", "csv")},
    "history": {fmt: "questions" for fmt in ("text", "json", "csv")},
    # any table of the national service's pages, as inspectors download it
    "table": {fmt: "table" for fmt in ("csv", "xlsx")},
}


@dataclass(frozen=True)
class Reporter:
    """One format of one subject: `render(data, options)` gives the text (or the bytes of a
    binary format such as xlsx)."""

    subject: str
    format: str
    render: Render


REPORTERS: dict[tuple[str, str], Reporter] = {}


def reporter(subject: str, fmt: str) -> Callable[[Render], Render]:
    """Register a render function as the `fmt` format of `subject` (listed in FORMATS)."""

    def wrap(render: Render) -> Render:
        if fmt not in FORMATS.get(subject, {}):
            raise RuntimeError(f"{subject} {fmt}: not in report.interface.FORMATS")
        REPORTERS[(subject, fmt)] = Reporter(subject, fmt, render)
        return render

    return wrap


def formats(subject: str) -> tuple[str, ...]:
    return tuple(FORMATS[subject])


def renderer(subject: str, fmt: str) -> Render:
    known = FORMATS[subject]
    if fmt not in known:
        raise UsageError(Message("unknown format {fmt!r} (known: {value})", fmt=fmt,
                                 value=', '.join(known)))
    importlib.import_module(f"{__package__}.{known[fmt]}")  # it registers its formats
    return REPORTERS[(subject, fmt)].render


def render(subject: str, fmt: str, data: Any, options: ReportOptions) -> str | bytes:
    return renderer(subject, fmt)(data, options)

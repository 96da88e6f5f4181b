"""Everything egov-audit renders, in one registry: per subject (gap reports, diffs, the national
table, re-scoring, the requirement matrix) the formats it has and the module that renders them.
The CLI takes its format choices from here. A subject's module is imported only when one of its
formats is used, so listing the choices costs nothing at start-up."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import Message, UsageError

if TYPE_CHECKING:  # the CLI reads this registry at start-up: it imports nothing heavy
    from ..models import ResultSet


@dataclass(frozen=True)
class ReportOptions:
    """How a report is rendered: its language, colour, both languages side by side."""

    lang: str = "vi"
    color: bool = False
    bilingual: bool = False  # Vietnamese and English side by side (the requirement matrix)

    @property
    def langs(self) -> tuple[str, ...]:
        return ("vi", "en") if self.bilingual else (self.lang,)


class Reporter(Protocol):
    """A gap-report format: renders a result set (one or several agencies' bundles)."""

    name: str
    suffix: str

    def render(self, result_set: ResultSet, options: ReportOptions) -> str | bytes: ...


REPORTERS: dict[str, Reporter] = {}


def register(reporter: Reporter) -> Reporter:
    REPORTERS[reporter.name] = reporter
    return reporter


Render = Callable[[Any, ReportOptions], str | bytes]


@dataclass(frozen=True)
class Subject:
    """Something egov-audit renders: `module.table` is `{format: render(data, options)}` with
    exactly these formats (a test holds the two together)."""

    name: str
    module: str
    table: str
    formats: tuple[str, ...]


SUBJECTS: Mapping[str, Subject] = {s.name: s for s in (
    Subject("gaps", "egov_audit.report.gaps", "GAP_RENDERERS",
            ("text", "json", "junit", "sarif", "html", "markdown", "csv", "xlsx")),
    Subject("diff", "egov_audit.report.diff", "DIFF_RENDERERS",
            ("text", "json", "markdown", "html")),
    Subject("rescore", "egov_audit.report.diff", "RESCORE_RENDERERS", ("text", "json")),
    Subject("national", "egov_audit.report.national", "NATIONAL_RENDERERS",
            ("text", "json", "csv", "xlsx", "html")),
    Subject("matrix", "egov_audit.report.matrix", "MATRIX_RENDERERS",
            ("text", "markdown", "html", "csv", "xlsx", "json")),
)}


def formats(subject: str) -> tuple[str, ...]:
    return SUBJECTS[subject].formats


def renderer(subject: str, fmt: str) -> Render:
    spec = SUBJECTS[subject]
    if fmt not in spec.formats:
        raise UsageError(Message("unknown format {fmt!r} (known: {value})", fmt=fmt,
                                 value=', '.join(spec.formats)))
    table: Mapping[str, Render] = getattr(importlib.import_module(spec.module), spec.table)
    return table[fmt]


def render(subject: str, fmt: str, data: Any, options: ReportOptions) -> str | bytes:
    return renderer(subject, fmt)(data, options)

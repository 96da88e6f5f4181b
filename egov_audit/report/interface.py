"""The Reporter interface and its registry: one reporter per output format, all reading the same
result set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..models import ResultSet


@dataclass(frozen=True)
class ReportOptions:
    lang: str = "vi"
    color: bool = False


class Reporter(Protocol):
    name: str
    suffix: str

    def render(self, result_set: ResultSet, options: ReportOptions) -> str | bytes: ...


REPORTERS: dict[str, Reporter] = {}


def register(reporter: Reporter) -> Reporter:
    REPORTERS[reporter.name] = reporter
    return reporter

"""Where a command's report goes and which exit code follows it: 0 no finding at or above
--fail-on, 1 findings, 2 an input that was refused."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click

from ..gates.fileout import write_output
from ..gates.sanitize import terminal
from ..i18n import _
from ..models import ResultSet, Severity, Status
from ..report.interface import ReportOptions, render
from .base import fail


def write(output: Path | None, rendered: str | bytes, inputs: Sequence[Path | None],
          fmt: str) -> None:
    """A rendered report to its file (through the output gate) or to standard output."""
    if output is not None:
        write_output(output, rendered, inputs=[p for p in inputs if p is not None])
    elif isinstance(rendered, bytes):
        if sys.stdout.isatty():
            fail(_("--format {format} is a binary file: give --output FILE").format(
                format=fmt))
        sys.stdout.buffer.write(rendered)
    else:
        click.echo(rendered, nl=False)


def emit(result_set: ResultSet, fmt: str, output: Path | None, lang: str,
         color: bool | None, fail_on: str, inputs: Sequence[Path | None] = ()) -> NoReturn:
    use_color = color if color is not None else (
        output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    rendered = render("gaps", fmt, result_set, ReportOptions(lang=lang, color=use_color))
    write(output, rendered, inputs, fmt)
    if result_set.refused:  # the others were judged and reported; each broken one is named

        for problem in result_set.refused:
            click.echo(_("egov-audit: error: {message}").format(message=terminal(problem.said())),
                       err=True)
        raise click.exceptions.Exit(2)
    if fail_on == "none":
        raise click.exceptions.Exit(0)
    threshold = Severity(fail_on)
    failing = [r for r in result_set.scored_results()
               if r.status in (Status.FAIL, Status.ERROR) and r.severity.rank >= threshold.rank]
    raise click.exceptions.Exit(1 if failing else 0)

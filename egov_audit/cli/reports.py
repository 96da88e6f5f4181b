"""Saved bundles rendered again: `report` (another format) and `diff` (what changed)."""

from __future__ import annotations

from pathlib import Path

import click

from ..bundle import read_result_set
from ..diff import diff_sets
from ..models import Severity
from ..report.interface import ReportOptions, formats, render
from .base import SEVERITIES, Command, option
from .options import lang_option, output_options
from .output import emit, write


@click.command(cls=Command)
@click.argument("bundle", type=click.Path(path_type=Path))
@output_options
def report(bundle: Path, fmt: str, output: Path | None, lang: str, color: bool | None,
           fail_on: str) -> None:
    """Render a saved result bundle (or result set) in another format."""
    emit(read_result_set(bundle), fmt, output, lang, color, fail_on, [bundle])


@click.command("diff", cls=Command)
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@option("--format", "-f", "fmt", type=click.Choice(formats("diff")),
        default="text", show_default=True)
@option("--output", "-o", type=click.Path(path_type=Path))
@option("--allow-different-agencies", is_flag=True,
        help="Compare bundles of two different agencies anyway.")
@option("--fail-on", type=click.Choice(SEVERITIES), default="none", show_default=True,
        help="Exit 1 if a result became failing at this severity or above.")
@lang_option
def diff_cmd(old: Path, new: Path, fmt: str, output: Path | None,
             allow_different_agencies: bool, fail_on: str, lang: str) -> None:
    """What changed between two saved bundles of an agency: newly failing, newly passing, still
    failing, controls and targets added or removed, the score change per area."""
    diffs = diff_sets(read_result_set(old), read_result_set(new), allow_different_agencies)
    write(output, render("diff", fmt, diffs, ReportOptions(lang=lang)), [old, new], fmt)
    if fail_on != "none":
        threshold = Severity(fail_on)
        worse = [c for d in diffs for c in d.newly_failing if c.severity.rank >= threshold.rank]
        raise click.exceptions.Exit(1 if worse else 0)

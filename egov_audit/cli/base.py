"""What every command is built from: commands and options that speak the language of the
run, the one way to stop with an error (one line, exit 2), the severities of --fail-on."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import NoReturn

import click

from ..gates.sanitize import terminal
from ..i18n import _, bind_click

bind_click()  # before any command is built (egov_audit/i18n.py says why)

SEVERITIES = ("low", "medium", "high", "critical", "none")
# what --help shows as --lang's default (the value is the run's language: i18n.language_from)
LANG_DEFAULT = "vi, or $EGOV_AUDIT_LANG, or the locale ($LANGUAGE, $LC_ALL, $LC_MESSAGES, $LANG)"


def fail(message: str) -> NoReturn:
    click.echo(_("egov-audit: error: {message}").format(message=terminal(message)), err=True)
    raise click.exceptions.Exit(2)


@contextmanager
def translated(thing: click.Command | click.Option) -> Iterator[None]:
    """Show a help text in the language of this run: the source text is the message id
    (tools/messages.py reads the same texts from the command tree)."""
    help_text, short, shown = thing.help, getattr(thing, "short_help", None), \
        getattr(thing, "show_default", None)
    if help_text:
        thing.help = _(inspect.cleandoc(help_text) if isinstance(thing, click.Command)
                       else help_text)
    if isinstance(short, str):
        thing.short_help = _(short)  # type: ignore[union-attr]
    if isinstance(shown, str):
        thing.show_default = _(shown)  # type: ignore[union-attr]
    try:
        yield
    finally:
        thing.help = help_text
        if isinstance(short, str):
            thing.short_help = short  # type: ignore[union-attr]
        if isinstance(shown, str):
            thing.show_default = shown  # type: ignore[union-attr]


class Option(click.Option):
    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        with translated(self):
            return super().get_help_record(ctx)

    def make_metavar(self, ctx: click.Context) -> str:
        # TEXT, INTEGER RANGE, FILE...: the words of the run's language (tools/messages.py
        # extracts every one the command tree shows)
        return _(super().make_metavar(ctx))


class Translated(click.Command):
    """A command whose help is shown in the language of the run."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with translated(self):
            super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with translated(self):
            return super().get_short_help_str(limit)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        # [OPTIONS], INVENTORIES..., COMMAND [ARGS]...: as the run's language writes them
        return [_(piece) for piece in super().collect_usage_pieces(ctx)]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        # Click makes --help once per command and keeps it: its text is set for this run
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option


class Command(Translated):
    pass


option = partial(click.option, cls=Option)


class Group(Translated, click.Group):
    """A group of commands (policies, lab, collection) whose help speaks the run's language."""

    command_class = Command
    group_class = type  # its groups are of this class too

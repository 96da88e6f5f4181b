"""The inspectors' store: `collect` (verified bundles in), `rescore` (newer policies over
them), `scores` (the national table)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from ..checks.vocabulary import load_catalogue
from ..errors import EgovAuditError, translated
from ..gates.names import check_agency_code, check_control_id
from ..gates.sanitize import terminal
from ..i18n import _
from ..report.interface import ReportOptions, formats, render
from ..report.national import NationalTable
from ..report.questions import AgencyHistory, ControlNationally
from ..rescore import rescore
from ..sign import KeyRegistry
from ..store import open_store, store_incoming, take_in
from .base import Command, option
from .options import lang_option, messages_lang_option, workers_option
from .output import write


@click.command("collect", cls=Command)
@click.argument("bundles", nargs=-1, required=True, type=click.Path(path_type=Path))
@option("--db", default="egov-audit.db", show_default=True,
        help="A SQLite file, or a postgresql:// URL.")
@option("--keys", type=click.Path(file_okay=False, path_type=Path),
        help="The key registry: one <agency code>.pub per agency (default: the keys "
             "registered in the store, with their revocations: serve key).")
@messages_lang_option
def collect_cmd(bundles: Sequence[Path], db: str, keys: Path | None) -> None:
    """Verify signed bundles and store them for the national table. Each bad bundle is refused
    with its reason; the good ones are stored. Exit 1 if any was refused."""
    refused = 0
    with open_store(db) as store:
        # the store's registry whole: bundles are read and verified in a thread of their own
        registry = KeyRegistry.from_dir(keys) if keys else store.key_registry(whole=True)
        for incoming in take_in(bundles, registry):
            path = incoming.path
            # one bad bundle is refused with its reason; every other one is still stored
            try:
                try:
                    outcome = store_incoming(store, incoming, registry)
                except MemoryError:
                    raise EgovAuditError(_("out of memory while storing it: refused (the other "
                                           "bundles go on)"), file=str(path)) from None
            except EgovAuditError as exc:
                refused += 1
                reason = translated(exc.message) if exc.file == str(path) else exc.said()
                click.echo(_("refused {file}: {reason}").format(
                    file=terminal(str(path)), reason=terminal(reason)), err=True)
                continue
            words = {"stored": _("stored"), "duplicate": _("duplicate")}
            click.echo(f"{words.get(outcome.outcome, outcome.outcome)} {terminal(str(path))}: "
                       f"{terminal(outcome.agency)} {terminal(outcome.finished_at)}")
    raise click.exceptions.Exit(1 if refused else 0)


@click.command("rescore", cls=Command)
@option("--db", default="egov-audit.db", show_default=True,
        help="A SQLite file, or a postgresql:// URL.")
@option("--policies", type=click.Path(file_okay=False, path_type=Path), required=True,
        help="The newer policies directory.")
@option("--reference-models", type=click.Path(file_okay=False, path_type=Path),
        help="The newer reference models (default: the bundled ones).")
@option("--format", "-f", "fmt", type=click.Choice(formats("rescore")), default="text",
        show_default=True)
@workers_option
@lang_option
def rescore_cmd(db: str, policies: Path, reference_models: Path | None, fmt: str,
                workers: int | None, lang: str) -> None:
    """Re-evaluate each agency's latest stored bundle (its packed inventory and evidence)
    against newer policies, without going back to the hosts, and say what changed."""
    items = rescore(db, policies, reference_models, workers)
    click.echo(render("rescore", fmt, items, ReportOptions(lang=lang)), nl=False)
    raise click.exceptions.Exit(1 if any(i.failed for i in items) else 0)


@click.command("scores", cls=Command)
@option("--db", default="egov-audit.db", show_default=True,
        help="A SQLite file, or a postgresql:// URL.")
@option("--kind", type=click.Choice(["province", "ministry"]))
@option("--region")
@option("--baseline")
@option("--level", type=click.IntRange(1, 5))
@option("--format", "-f", "fmt", type=click.Choice(formats("national")),
        default="text", show_default=True)
@option("--output", "-o", type=click.Path(path_type=Path))
@lang_option
def scores_cmd(db: str, kind: str | None, region: str | None, baseline: str | None,
               level: int | None, fmt: str, output: Path | None, lang: str) -> None:
    """The national table: each agency's latest scores, trend, and the most common gaps."""
    with open_store(db, create=False) as store:
        # the common gaps are named by the bundled catalogue's titles
        table = NationalTable(store.national_table(kind, region, baseline, level),
                              store.common_gaps(kind, region, baseline, level),
                              {c.id: c.title for c in load_catalogue().controls})
    write(output, render("national", fmt, table, ReportOptions(lang=lang)), [Path(db)], fmt)


@click.command("control", cls=Command)
@click.argument("control")
@option("--db", default="egov-audit.db", show_default=True,
        help="A SQLite file, or a postgresql:// URL.")
@option("--kind", type=click.Choice(["province", "ministry"]))
@option("--region")
@option("--by-region", is_flag=True, help="The pass rate per region, not nationally.")
@option("--format", "-f", "fmt", type=click.Choice(formats("control")), default="text",
        show_default=True)
@option("--output", "-o", type=click.Path(path_type=Path))
@lang_option
def control_cmd(control: str, db: str, kind: str | None, region: str | None, by_region: bool,
                fmt: str, output: Path | None, lang: str) -> None:
    """One control across the nation: the agencies whose latest bundle fails it, and its pass
    rate month by month over every submission (nationally, or --by-region)."""
    check_control_id(control)
    with open_store(db, create=False) as store:
        data = ControlNationally(
            control, next((c.title for c in load_catalogue().controls if c.id == control),
                          None),
            store.failing(control, kind, region), store.pass_rate(control, by_region))
    write(output, render("control", fmt, data, ReportOptions(lang=lang)), [Path(db)], fmt)


@click.command("history", cls=Command)
@click.argument("agency")
@option("--db", default="egov-audit.db", show_default=True,
        help="A SQLite file, or a postgresql:// URL.")
@option("--format", "-f", "fmt", type=click.Choice(formats("history")), default="text",
        show_default=True)
@option("--output", "-o", type=click.Path(path_type=Path))
@lang_option
def history_cmd(agency: str, db: str, fmt: str, output: Path | None, lang: str) -> None:
    """An agency's submitted bundles, oldest first: scores, hosts and gaps of each."""
    check_agency_code(agency)
    with open_store(db, create=False) as store:
        data = AgencyHistory(agency, store.history(agency))
    write(output, render("history", fmt, data, ReportOptions(lang=lang)), [Path(db)], fmt)

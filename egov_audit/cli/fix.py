"""From a bundle to a playbook that fixes its failing host controls: `fix` (and `--apply`)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import click

from ..checks.vocabulary import load_catalogue
from ..fix import FixRequest, prepare, render_playbook
from ..fix_apply import apply_fixes
from ..gates.fileout import write_output
from ..report.common import label, shown_number, terminal
from .base import Command, option
from .options import lang_option
from .output import write


@click.command("fix", cls=Command)
@click.argument("bundle", type=click.Path(path_type=Path))
@option("--inventory", type=click.Path(file_okay=False, path_type=Path),
        help="The inventory the plays run against and the bundle's evidence is judged "
             "with (default: the one the bundle names, which is then said).")
@option("--evidence", "evidence_dir", type=click.Path(file_okay=False, path_type=Path),
        help="The evidence the bundle was made from, re-evaluated to know what fails "
             "(default: packed in the bundle, else evidence/<agency>); --apply's re-scan "
             "writes here.")
@option("--keys", type=click.Path(file_okay=False, path_type=Path),
        help="Trust a signed bundle's results as they are, if its signature verifies "
             "against this key registry (one <agency code>.pub per agency).")
@option("--output", "-o", type=click.Path(path_type=Path),
        help="Write the playbook here (default: standard output; with --apply a temporary "
             "file).")
@option("--controls", help="Only these controls (comma-separated; wildcards: HOST-SSH-*).")
@option("--limit", "-l", help="Only these hosts (comma-separated; wildcards).")
@option("--max-age", type=float, default=7, show_default=True,
        help="Refuse evidence older than this many days (the hosts may have changed).")
@option("--allow-controller", is_flag=True,
        help="Also fix an inventory host that is this machine (local connection, "
             "loopback address).")
@option("--apply", "do_apply", is_flag=True,
        help="Run it: a preview in check mode, a confirmation, the change, a re-scan.")
@option("--yes", is_flag=True, help="With --apply: do not ask for confirmation.")
@option("--insecure-no-host-key-checking", "no_host_key_checking", is_flag=True)
@lang_option
def fix_cmd(bundle: Path, inventory: Path | None, evidence_dir: Path | None, keys: Path | None,
            output: Path | None, controls: str | None, limit: str | None, max_age: float,
            allow_controller: bool, do_apply: bool, yes: bool, no_host_key_checking: bool,
            lang: str) -> None:
    """Turn a result bundle into an Ansible playbook that fixes the failing host controls on the
    failing hosts, and with --apply run it safely and re-scan. What fails is re-evaluated from
    the bundle's evidence (or taken from a bundle whose signature verifies with --keys)."""

    def split(text: str | None) -> tuple[str, ...]:
        return tuple(item.strip() for item in (text or "").split(",") if item.strip())

    policy = load_catalogue()
    prepared = prepare(FixRequest(bundle, inventory, evidence_dir, keys, split(controls),
                                  split(limit), max_age, lang, allow_controller), policy)
    for notice in prepared.notices:
        click.echo(f"egov-audit: {notice}", err=True)  # in the report's language (fix.py)
    plan = prepared.plan
    fixes = sum(len(v) for v in plan.hosts.values())
    click.echo(label("fix.summary", lang).format(fixes=fixes, hosts=len(plan.hosts),
                                                 manual=len(plan.manual)), err=True)
    for manual in plan.manual:
        click.echo(label("fix.manual", lang).format(control=manual.control,
                                                    target=terminal(manual.target),
                                                    text=terminal(manual.remediation)), err=True)
    if plan.empty:
        raise click.exceptions.Exit(0)
    playbook_text = render_playbook(plan, policy, str(bundle), lang)
    inputs = [p for p in (bundle, inventory, evidence_dir, keys) if p is not None]
    if not do_apply:
        write(output, playbook_text, inputs, "yaml")
        raise click.exceptions.Exit(0)

    work = Path(tempfile.mkdtemp(prefix="egov-audit-fix-"))
    try:  # the playbook of a run without --output is a temporary file
        playbook = output or work / "remediation.yml"
        write_output(playbook, playbook_text, inputs=inputs)

        def confirm(preview: Any) -> bool:
            click.echo(label("fix.preview", lang))
            for host in sorted(plan.hosts):
                would = preview.changed.get(host, [])
                click.echo(label("fix.would", lang).format(host=terminal(host), count=len(would))
                           + "".join(f"\n    - {terminal(t)}" for t in would))
            if yes or click.confirm(label("fix.confirm", lang), default=False):
                return True
            click.echo(label("fix.nothing", lang))
            return False

        outcome = apply_fixes(prepared, playbook, policy, confirm,
                              host_key_checking=not no_host_key_checking)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    applied = outcome.applied
    if applied is None:
        raise click.exceptions.Exit(0)
    for host, failures in sorted(applied.failed.items()):
        for failure in failures:
            click.echo(label("fix.failed", lang).format(host=terminal(host),
                                                        why=terminal(failure)), err=True)
    for host, reason in sorted(applied.unreachable.items()):
        click.echo(label("fix.unreachable", lang).format(host=terminal(host),
                                                         why=terminal(reason)), err=True)
    click.echo(label("fix.applied", lang).format(
        changes=sum(len(v) for v in applied.changed.values()), hosts=len(outcome.hosts),
        failed=len(applied.failed)))
    if outcome.hosts:
        click.echo(label("fix.score", lang).format(
            before=shown_number(outcome.score_before, lang),
            after=shown_number(outcome.score_after, lang)))
        for change in outcome.hosts:
            click.echo(label("fix.host_after", lang).format(
                host=terminal(change.host), before=change.failing_before,
                after=change.failing_after))
    raise click.exceptions.Exit(0 if outcome.ok else 1)

"""Going to the hosts and portals: `scan` (collect over Ansible, then evaluate) and `probe`
(the public portals from outside)."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ..audit import AuditRequest
from ..checks.context import AuditOptions
from ..collect.interface import CollectOptions
from ..errors import translated
from ..i18n import _
from ..models import EvidenceStatus as Got  # what collecting from a host gave
from ..pipeline import Run
from ..portal.dnssec import AnchorError, read_anchors
from ..portal.probe import ProbeOptions, split_server
from ..report.common import terminal
from .base import Command, fail, option
from .options import (
    audit_options,
    device_configs_option,
    evidence_options,
    output_options,
    policy_options,
    probe_options,
)
from .output import emit
from .validate import emit_evaluated


@click.command(cls=Command)
@click.argument("inventory", type=click.Path(path_type=Path))
@option("--evidence", "evidence_dir", type=click.Path(file_okay=False, path_type=Path),
        help="Where the fact bundles go (default: evidence/<agency code>).")
@option("--limit", "-l", help="Only these hosts or groups (an Ansible pattern).")
@option("--forks", type=click.IntRange(1, 500), default=10, show_default=True,
        help="Hosts collected in parallel.")
@option("--timeout", type=click.IntRange(5, 86400), default=120, show_default=True,
        help="Seconds a host may take before it is given up (not_assessed).")
@option("--known-hosts", type=click.Path(dir_okay=False, path_type=Path),
        help="The SSH host keys of the network devices (network_cli reads them from "
             "~/.ssh/known_hosts; with this option, from FILE).")
@option("--insecure-no-host-key-checking", "no_host_key_checking", is_flag=True,
        help="Do NOT verify SSH host keys. Only for throw-away labs: anyone on the path "
             "can impersonate the hosts.")
@option("--probe-portals", is_flag=True,
        help="Also probe the declared public portals from outside (as `egov-audit probe` "
             "does), into the same evidence folder.")
@probe_options
@device_configs_option
@evidence_options
@audit_options
@policy_options
@output_options
def scan(inventory: Path, evidence_dir: Path | None, limit: str | None, forks: int,
         timeout: int, known_hosts: Path | None, no_host_key_checking: bool,
         probe_portals: bool, resolver: str | None, ca_file: Path | None,
         trust_anchor: Path | None, probe_timeout: float, concurrency: int, allow_private: bool,
         device_configs: Path | None, registry_file: Path | None,
         vrp_file: Path | None,
         require_explicit: bool, workers: int | None,
         baseline: str | None, level: int | None,
         documentation_as_public: bool, waivers: Path | None, policies: Path | None,
         reference_models: Path | None,
         fmt: str, output: Path | None, lang: str, color: bool | None, fail_on: str) -> None:
    """Collect evidence from the inventory's hosts over Ansible (read-only), then evaluate every
    control: the declared plan and what the hosts really are."""
    if no_host_key_checking:
        click.secho(_("egov-audit: WARNING: SSH host key checking is OFF for this scan: the "
                      "hosts are not authenticated. Use this only in a lab."), err=True,
                    fg="red", bold=True)
    run = Run(AuditRequest(inventories=[inventory], baseline=baseline, level=level,
                           options=AuditOptions(documentation_as_public, require_explicit),
                           policies_dir=policies, models_dir=reference_models, waivers=waivers,
                           device_configs=device_configs, registry_file=registry_file,
                           vrp_file=vrp_file,
                           workers=workers))
    if evidence_dir is None:
        evidence_dir = Path("evidence") / run.inventory().agency.code
    options = CollectOptions(limit=limit, forks=forks, timeout=timeout,
                             host_key_checking=not no_host_key_checking,
                             known_hosts=known_hosts)
    portals = probe_settings(resolver, ca_file, trust_anchor, probe_timeout, concurrency,
                             allow_private) if probe_portals else None
    with _Progress() as progress:
        report = run.collect(evidence_dir, options, progress=progress.host, portals=portals,
                             portal_progress=portal_progress)

    click.echo(_("egov-audit: {hosts} hosts in {seconds} s: {collected} collected, "
                 "{unreachable} unreachable, {failed} failed; evidence in {folder}").format(
        hosts=len(report.outcomes), seconds=f"{report.seconds:.1f}",
        collected=report.count(Got.COLLECTED), unreachable=report.count(Got.UNREACHABLE),
        failed=report.count(Got.FAILED), folder=terminal(str(evidence_dir))), err=True)
    status_words = {Got.UNREACHABLE: _("unreachable"), Got.FAILED: _("failed")}
    for outcome in report.outcomes:
        if outcome.status is not Got.COLLECTED:
            click.echo(f"  {terminal(outcome.host)}: {status_words[outcome.status]}: "
                       f"{terminal(outcome.reason, 300)}", err=True)
    emit_evaluated(run, evidence_dir, fmt, output, lang, color, fail_on,
                   [inventory, evidence_dir, device_configs, registry_file, vrp_file, waivers,
                    policies,
                    reference_models])


class _Progress:
    """A progress bar on stderr (hosts done / failed / unreachable) when it is a terminal."""

    def __init__(self) -> None:
        self.done = self.failed = self.unreachable = 0
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if sys.stderr.isatty():
            # rich draws the bar on a terminal only: a scan in CI or cron never loads it
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("[bold]" + _("scan")), BarColumn(),
                                 TextColumn("{task.description}"), TimeElapsedColumn(),
                                 console=Console(stderr=True), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task(self._text(), total=None)
        return self

    def _text(self) -> str:
        return _("{done} done · {failed} failed · {unreachable} unreachable").format(
            done=self.done, failed=self.failed, unreachable=self.unreachable)

    def host(self, outcome: Any) -> None:
        self.done += outcome.status is Got.COLLECTED
        self.failed += outcome.status is Got.FAILED
        self.unreachable += outcome.status is Got.UNREACHABLE
        if self._bar is not None:
            self._bar.update(self._task, description=self._text())

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@click.command(cls=Command)
@click.argument("inventories", nargs=-1, required=True, type=click.Path(path_type=Path))
@option("--evidence", "evidence_dir", type=click.Path(file_okay=False, path_type=Path),
        help="Where the portals' evidence goes (default: evidence/<agency code>/portals, one "
             "folder per agency).")
@probe_options
@device_configs_option
@audit_options
@policy_options
@output_options
def probe(inventories: Sequence[Path], evidence_dir: Path | None, resolver: str | None,
          ca_file: Path | None, trust_anchor: Path | None, probe_timeout: float,
          concurrency: int, allow_private: bool, device_configs: Path | None,
          registry_file: Path | None,
          vrp_file: Path | None, baseline: str | None, level: int | None,
          documentation_as_public: bool, waivers: Path | None, policies: Path | None,
          reference_models: Path | None, fmt: str, output: Path | None, lang: str,
          color: bool | None, fail_on: str) -> None:
    """Probe the inventories' declared public portals from outside, without any access to the
    agencies (DNS and DNSSEC, IPv4 and IPv6, TLS and certificates, HTTP headers), then check
    the declared plan with what they show. Only the declared URLs are contacted."""

    settings = probe_settings(resolver, ca_file, trust_anchor, probe_timeout, concurrency,
                              allow_private)
    several = len(inventories) > 1
    run = Run(AuditRequest(inventories=list(inventories), baseline=baseline, level=level,
                           options=AuditOptions(documentation_as_public=documentation_as_public),
                           policies_dir=policies, models_dir=reference_models, waivers=waivers,
                           device_configs=device_configs, registry_file=registry_file,
                           vrp_file=vrp_file))
    if evidence_dir is None:
        evidence_dir = Path("evidence") if several else \
            Path("evidence") / run.inventory().agency.code
    counts = {"collected": 0, "unreachable": 0, "failed": 0}

    def progress(code: str, portal: str, bundle: dict[str, Any]) -> None:
        counts[bundle["status"]] = counts.get(bundle["status"], 0) + 1
        portal_progress(code, portal, bundle)

    started = time.monotonic()
    result_set = run.probe(evidence_dir, settings, progress)
    click.echo(_("egov-audit: {portals} portals in {seconds} s: {collected} probed, "
                 "{unreachable} unreachable, {failed} failed; evidence in {folder}").format(
        portals=sum(counts.values()), seconds=f"{time.monotonic() - started:.1f}",
        collected=counts["collected"], unreachable=counts["unreachable"],
        failed=counts["failed"], folder=terminal(str(evidence_dir))), err=True)
    emit(result_set, fmt, output, lang, color, fail_on,
         [*inventories, evidence_dir, device_configs, registry_file, vrp_file, waivers,
          policies,
          reference_models])


def probe_settings(resolver: str | None, ca_file: Path | None, trust_anchor: Path | None,
                   probe_timeout: float, concurrency: int, allow_private: bool) -> Any:
    if resolver is not None:
        try:
            split_server(resolver)
        except ValueError:
            fail(_("--resolver {value!r}: not an address or ADDRESS:PORT").format(
                value=resolver[:80]))
    if ca_file is not None and not ca_file.is_file():
        fail(_("--ca-file {value!r}: no such file").format(value=str(ca_file)[:200]))
    if trust_anchor is not None:
        try:
            read_anchors(trust_anchor.read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError) as exc:
            fail(_("--trust-anchor {value!r}: cannot be read: {why}").format(
                value=str(trust_anchor)[:200], why=terminal(str(exc), 120)))
        except AnchorError as exc:
            fail(_("{file}: {why}").format(file=terminal(str(trust_anchor), 200),
                                          why=terminal(str(translated(exc)), 200)))
    return ProbeOptions(resolver, ca_file, probe_timeout, concurrency, allow_private,
                        trust_anchor)


def portal_progress(code: str, portal: str, bundle: dict[str, Any]) -> None:
    if bundle["status"] == "collected":
        return
    words = {"unreachable": _("unreachable"), "failed": _("failed")}
    click.echo(f"  {terminal(code)} {terminal(portal)}: {words.get(bundle['status'], '?')}: "
               f"{terminal(str(bundle.get('reason', '')), 300)}", err=True)

"""The egov-audit command line. The only place that prints, exits and maps errors to exit codes:
0 no finding at or above --fail-on, 1 findings, 2 usage or input error (one line, no traceback).
Heavy modules are imported inside the commands to keep start-up fast."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .errors import EgovAuditError, translated
from .i18n import _, bind_click, language_from, use
from .models import TargetKind
from .report.interface import formats

bind_click()  # before the commands are built (egov_audit/i18n.py says why)

# the published schemas, named by their files (importing the schema package would load YAML
# and validators just to list them; a test holds this equal to schemas.SCHEMA_NAMES)
PUBLISHED_SCHEMAS = tuple(sorted(p.name.removesuffix(".schema.json") for p in
                                 (Path(__file__).parent / "schemas").glob("*.schema.json")))

if TYPE_CHECKING:
    from .audit import AuditRequest
    from .models import ResultSet

# kept equal to the reporter registry by a test
SEVERITIES = ("low", "medium", "high", "critical", "none")


def _fail(message: str) -> NoReturn:
    from .gates.sanitize import terminal

    click.echo(_("egov-audit: error: {message}").format(message=terminal(message)), err=True)
    raise click.exceptions.Exit(2)


@contextmanager
def _translated(thing: click.Command | click.Option) -> Iterator[None]:
    """Show a help text in the language of this run: the source text is the message id
    (tools/messages.py reads the same texts from the command tree)."""
    import inspect

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


class _Option(click.Option):
    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        with _translated(self):
            return super().get_help_record(ctx)


class _Translated(click.Command):
    """A command whose help is shown in the language of the run."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self):
            super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self):
            return super().get_short_help_str(limit)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        # Click makes --help once per command and keeps it: its text is set for this run
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option


class _Command(_Translated):
    pass


_option = partial(click.option, cls=_Option)


class _Cli(_Translated, click.Group):
    """Maps egov-audit's errors to one line on stderr and exit code 2, never a traceback.
    Speaks the language of the run (--lang, $EGOV_AUDIT_LANG, else Vietnamese), help included."""

    command_class = _Command
    group_class = type  # subgroups are _Cli too

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        use(language_from(sys.argv[1:] if args is None else list(args)))
        return super().main(args, *rest, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        # a command is one short process holding big object graphs (YAML node trees, results):
        # the cyclic GC would rescan them for nothing, costing seconds on a national plan. Put
        # back as found: the CLI also runs inside other programs (tests, AWX plugins)
        enabled = gc.isenabled()
        gc.disable()
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except EgovAuditError as exc:
            _fail(exc.said())
        except RecursionError:
            _fail(_("input nested too deeply"))
        except MemoryError:
            _fail(_("out of memory"))
        except Exception as exc:
            if os.environ.get("EGOV_AUDIT_DEBUG"):
                raise
            _fail(_("internal error: {error} (set EGOV_AUDIT_DEBUG=1 for details)").format(
                error=f"{type(exc).__name__}: {exc}"))
        finally:
            if enabled:
                gc.enable()


def _lang_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return _option("--lang", type=click.Choice(["vi", "en"]),
                        default=lambda: os.environ.get("EGOV_AUDIT_LANG", "vi"),
                        show_default="vi, or $EGOV_AUDIT_LANG",
                        help="Language of the report and of the messages around it.")(fn)


def _messages_lang_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--lang for a command without a report: the language of its messages (read from the
    command line before Click parses it, like every command's --lang)."""
    return _option("--lang", type=click.Choice(["vi", "en"]), expose_value=False,
                   default=lambda: os.environ.get("EGOV_AUDIT_LANG", "vi"),
                   show_default="vi, or $EGOV_AUDIT_LANG",
                   help="Language of the messages.")(fn)


def _output_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = _option("--fail-on", type=click.Choice(SEVERITIES), default="low",
                      show_default=True,
                      help="Exit 1 if a result fails (or errors) at this severity or above; "
                           "'none' never does.")(fn)
    fn = _option("--output", "-o", type=click.Path(path_type=Path),
                      help="Write the report to this file (atomically) instead of stdout.")(fn)
    fn = _option("--format", "-f", "fmt", type=click.Choice(formats("gaps")), default="text",
                      show_default=True, help="Output format.")(fn)
    fn = _option("--color/--no-color", default=None,
                      help="Colour the text report (default: when writing to a terminal).")(fn)
    return _lang_option(fn)


def _policy_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = _option("--reference-models", type=click.Path(file_okay=False, path_type=Path),
                      help="Reference models directory (default: the bundled one, or "
                           "$EGOV_AUDIT_REFERENCE_MODELS).")(fn)
    fn = _option("--policies", type=click.Path(file_okay=False, path_type=Path),
                      help="Policies directory (default: the bundled one, or "
                           "$EGOV_AUDIT_POLICIES).")(fn)
    return fn


def _write(output: Path | None, rendered: str | bytes, inputs: Sequence[Path | None],
           fmt: str) -> None:
    """A rendered report to its file (through the output gate) or to standard output."""
    from .gates.fileout import write_output

    if output is not None:
        write_output(output, rendered, inputs=[p for p in inputs if p is not None])
    elif isinstance(rendered, bytes):
        if sys.stdout.isatty():
            _fail(_("--format {format} is a binary file: give --output FILE").format(
                format=fmt))
        sys.stdout.buffer.write(rendered)
    else:
        click.echo(rendered, nl=False)


def _emit(result_set: ResultSet, fmt: str, output: Path | None, lang: str,
          color: bool | None, fail_on: str, inputs: Sequence[Path | None] = ()) -> NoReturn:
    from .models import Severity, Status
    from .report.interface import ReportOptions, render

    use_color = color if color is not None else (
        output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    rendered = render("gaps", fmt, result_set, ReportOptions(lang=lang, color=use_color))
    _write(output, rendered, inputs, fmt)
    if result_set.refused:  # the others were judged and reported; each broken one is named
        from .gates.sanitize import terminal

        for problem in result_set.refused:
            click.echo(_("egov-audit: error: {message}").format(message=terminal(problem.said())),
                       err=True)
        raise click.exceptions.Exit(2)
    if fail_on == "none":
        raise click.exceptions.Exit(0)
    threshold = Severity(fail_on)
    failing = [r for r in result_set.all_results()
               if r.status in (Status.FAIL, Status.ERROR) and r.severity.rank >= threshold.rank]
    raise click.exceptions.Exit(1 if failing else 0)


def _emit_evaluated(request: AuditRequest, evidence_dir: Path, fmt: str, output: Path | None,
                    lang: str, color: bool | None, fail_on: str,
                    inputs: Sequence[Path | None]) -> NoReturn:
    """An evidence folder evaluated (scan, evaluate) and emitted. `-f json -o FILE` writes the
    result bundle as it is made (tens of thousands of hosts in bounded memory) and exits 1 when
    a result fails at --fail-on or above, as `_emit` does."""
    from .audit import evaluate, evaluate_into
    from .models import Severity

    if fmt == "json" and output is not None:
        tally = evaluate_into(request, evidence_dir, output, [p for p in inputs if p])
        failing = fail_on != "none" and tally.failing_at(Severity(fail_on)) > 0
        raise click.exceptions.Exit(1 if failing else 0)
    _emit(evaluate(request, evidence_dir), fmt, output, lang, color, fail_on, inputs)


def _evidence_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    return _option("--require-explicit", is_flag=True,
                        help="A host setting left to the software's compiled-in default fails "
                             "('relies on the default'), for audit methods that demand written "
                             "settings.")(fn)


def _audit_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = _option("--waivers", type=click.Path(dir_okay=False, path_type=Path),
                      help="Approved exceptions (default: <inventory>/.egov-audit/waivers.yml "
                           "when it exists).")(fn)
    fn = _option("--documentation-as-public", is_flag=True,
                      help="Count documentation addresses and ASNs (RFC 5737/3849/5398) as "
                           "public, for demos on sample data. The report says so.")(fn)
    fn = _option("--level", type=click.IntRange(1, 5),
                      help="Audit at this security level instead of the agency's own.")(fn)
    fn = _option("--baseline",
                      help="Audit against this baseline instead of the agency's own.")(fn)
    return fn


def _device_configs_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = _option("--registry-file", type=click.Path(dir_okay=False, path_type=Path),
                 envvar="EGOV_AUDIT_REGISTRY_FILE", show_envvar=True,
                 help="The registry's delegation statistics, as APNIC publishes them daily "
                      "(delegated-apnic-extended-latest, downloaded by you: egov-audit never "
                      "downloads anything): the declared ASN and address blocks are checked "
                      "against it. Else the inventory's network.registry_file.")(fn)
    return _option("--device-configs", type=click.Path(path_type=Path),
                   help="A folder of router and firewall configuration backups (Oxidized, "
                        "RANCID, or <device>.cfg files): judged offline against the declared "
                        "network.")(fn)


def _probe_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = _option("--allow-private", is_flag=True,
                 help="Also probe portal addresses in private and shared space (RFC 1918, "
                      "100.64.0.0/10, fc00::/7, documentation ranges): an intranet's or a "
                      "lab's. Each such address is named in the results. Loopback, "
                      "link-local, metadata and this machine's own addresses are never "
                      "probed.")(fn)
    fn = _option("--concurrency", type=click.IntRange(1, 256), default=16, show_default=True,
                 help="Portals probed at once.")(fn)
    fn = _option("--probe-timeout", type=click.FloatRange(0.5, 120), default=5.0,
                 show_default=True,
                 help="Seconds each DNS query, connection and TLS handshake may take.")(fn)
    fn = _option("--ca-file", type=click.Path(dir_okay=False, path_type=Path),
                 envvar="EGOV_AUDIT_CA_FILE", show_envvar=True,
                 help="Trust these certificate authorities (PEM) instead of this machine's "
                      "when judging portals' certificates.")(fn)
    return _option("--resolver", envvar="EGOV_AUDIT_RESOLVER", show_envvar=True,
                   help="The validating DNS resolver to ask (ADDRESS or ADDRESS:PORT; default: "
                        "this machine's). DNSSEC is judged by its AD flag: use a resolver "
                        "that validates.")(fn)


def _probe_settings(resolver: str | None, ca_file: Path | None, probe_timeout: float,
                    concurrency: int, allow_private: bool) -> Any:
    from .portal.probe import ProbeOptions, split_server

    if resolver is not None:
        try:
            split_server(resolver)
        except ValueError:
            _fail(_("--resolver {value!r}: not an address or ADDRESS:PORT").format(
                value=resolver[:80]))
    if ca_file is not None and not ca_file.is_file():
        _fail(_("--ca-file {value!r}: no such file").format(value=str(ca_file)[:200]))
    return ProbeOptions(resolver, ca_file, probe_timeout, concurrency, allow_private)


def _portal_progress(code: str, portal: str, bundle: dict[str, Any]) -> None:
    from .report.common import terminal

    if bundle["status"] == "collected":
        return
    words = {"unreachable": _("unreachable"), "failed": _("failed")}
    click.echo(f"  {terminal(code)} {terminal(portal)}: {words.get(bundle['status'], '?')}: "
               f"{terminal(str(bundle.get('reason', '')), 300)}", err=True)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """The tool's version and the catalogue it audits with (what a result bundle records)."""
    if not value or ctx.resilient_parsing:
        return
    from .checks.vocabulary import load_catalogue

    click.echo(f"egov-audit {__version__}")
    try:
        policy = load_catalogue()
    except EgovAuditError as exc:
        _fail(exc.said())
    click.echo(_("policies {version} ({digest}…), {count} controls").format(
        version=policy.version, digest=policy.digest[:19], count=len(policy.controls)))
    ctx.exit()


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"],
                                         "max_content_width": 100})
@_option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_print_version,
              help="Print the version and the policy catalogue's version, then exit.")
def cli() -> None:
    """Audit Vietnamese government agencies against the network, server-room and security
    reference models, and report the gaps with compliance scores."""


@cli.command()
@click.argument("inventories", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@_device_configs_option
@_audit_options
@_policy_options
@_output_options
def validate(inventories: Sequence[Path], device_configs: Path | None,
             registry_file: Path | None, baseline: str | None,
             level: int | None,
             documentation_as_public: bool, waivers: Path | None, policies: Path | None,
             reference_models: Path | None, fmt: str, output: Path | None, lang: str,
             color: bool | None, fail_on: str) -> None:
    """Check inventories without contacting any host: schemas, network and IP plan, server rooms,
    agency services. With several inventories, also the national checks across them."""
    from .audit import AuditRequest
    from .audit import validate as run_validate
    from .checks.context import AuditOptions

    request = AuditRequest(inventories=list(inventories), baseline=baseline, level=level,
                           options=AuditOptions(documentation_as_public=documentation_as_public),
                           policies_dir=policies, models_dir=reference_models, waivers=waivers,
                           device_configs=device_configs, registry_file=registry_file)
    _emit(run_validate(request), fmt, output, lang, color, fail_on,
          [*inventories, device_configs, registry_file, waivers, policies, reference_models])


@cli.command()
@click.argument("inventory", type=click.Path(path_type=Path))
@_option("--evidence", "evidence_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the fact bundles go (default: evidence/<agency code>).")
@_option("--limit", "-l", help="Only these hosts or groups (an Ansible pattern).")
@_option("--forks", type=click.IntRange(1, 500), default=10, show_default=True,
              help="Hosts collected in parallel.")
@_option("--timeout", type=click.IntRange(5, 86400), default=120, show_default=True,
              help="Seconds a host may take before it is given up (not_assessed).")
@_option("--known-hosts", type=click.Path(dir_okay=False, path_type=Path),
         help="The SSH host keys of the network devices (network_cli reads them from "
              "~/.ssh/known_hosts; with this option, from FILE).")
@_option("--insecure-no-host-key-checking", "no_host_key_checking", is_flag=True,
              help="Do NOT verify SSH host keys. Only for throw-away labs: anyone on the path "
                   "can impersonate the hosts.")
@_option("--probe-portals", is_flag=True,
         help="Also probe the declared public portals from outside (as `egov-audit probe` "
              "does), into the same evidence folder.")
@_probe_options
@_device_configs_option
@_evidence_options
@_audit_options
@_policy_options
@_output_options
def scan(inventory: Path, evidence_dir: Path | None, limit: str | None, forks: int,
         timeout: int, known_hosts: Path | None, no_host_key_checking: bool,
         probe_portals: bool, resolver: str | None, ca_file: Path | None,
         probe_timeout: float, concurrency: int, allow_private: bool,
         device_configs: Path | None, registry_file: Path | None,
         require_explicit: bool,
         baseline: str | None, level: int | None,
         documentation_as_public: bool, waivers: Path | None, policies: Path | None,
         reference_models: Path | None,
         fmt: str, output: Path | None, lang: str, color: bool | None, fail_on: str) -> None:
    """Collect evidence from the inventory's hosts over Ansible (read-only), then evaluate every
    control: the declared plan and what the hosts really are."""
    from .audit import AuditRequest, collect_evidence
    from .checks.context import AuditOptions
    from .collect.interface import CollectOptions
    from .inventory import load_inventory

    if no_host_key_checking:
        click.secho(_("egov-audit: WARNING: SSH host key checking is OFF for this scan: the "
                      "hosts are not authenticated. Use this only in a lab."), err=True,
                    fg="red", bold=True)
    if evidence_dir is None:
        evidence_dir = Path("evidence") / load_inventory(inventory).agency.code
    request = AuditRequest(inventories=[inventory], baseline=baseline, level=level,
                           options=AuditOptions(documentation_as_public, require_explicit),
                           policies_dir=policies, models_dir=reference_models, waivers=waivers,
                           device_configs=device_configs, registry_file=registry_file)
    options = CollectOptions(limit=limit, forks=forks, timeout=timeout,
                             host_key_checking=not no_host_key_checking,
                             known_hosts=known_hosts)
    portals = _probe_settings(resolver, ca_file, probe_timeout, concurrency, allow_private) \
        if probe_portals else None
    with _Progress() as progress:
        report = collect_evidence(request, evidence_dir, options, progress=progress.host,
                                  portals=portals, portal_progress=_portal_progress)
    from .models import EvidenceStatus as Got
    from .report.common import terminal

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
    _emit_evaluated(request, evidence_dir, fmt, output, lang, color, fail_on,
                    [inventory, evidence_dir, device_configs, registry_file, waivers, policies,
                     reference_models])


class _Progress:
    """A progress bar on stderr (hosts done / failed / unreachable) when it is a terminal."""

    def __init__(self) -> None:
        self.done = self.failed = self.unreachable = 0
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if sys.stderr.isatty():
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
        from .models import EvidenceStatus

        self.done += outcome.status is EvidenceStatus.COLLECTED
        self.failed += outcome.status is EvidenceStatus.FAILED
        self.unreachable += outcome.status is EvidenceStatus.UNREACHABLE
        if self._bar is not None:
            self._bar.update(self._task, description=self._text())

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@cli.command()
@click.argument("inventories", nargs=-1, required=True, type=click.Path(path_type=Path))
@_option("--evidence", "evidence_dir", type=click.Path(file_okay=False, path_type=Path),
         help="Where the portals' evidence goes (default: evidence/<agency code>/portals, one "
              "folder per agency).")
@_probe_options
@_device_configs_option
@_audit_options
@_policy_options
@_output_options
def probe(inventories: Sequence[Path], evidence_dir: Path | None, resolver: str | None,
          ca_file: Path | None, probe_timeout: float, concurrency: int, allow_private: bool,
          device_configs: Path | None, registry_file: Path | None, baseline: str | None,
          level: int | None, documentation_as_public: bool, waivers: Path | None,
          policies: Path | None, reference_models: Path | None, fmt: str,
          output: Path | None, lang: str, color: bool | None, fail_on: str) -> None:
    """Probe the inventories' declared public portals from outside, without any access to the
    agencies (DNS and DNSSEC, IPv4 and IPv6, TLS and certificates, HTTP headers), then check
    the declared plan with what they show. Only the declared URLs are contacted."""
    import time

    from .audit import AuditRequest
    from .audit import probe as run_probe
    from .checks.context import AuditOptions
    from .inventory import load_inventory
    from .report.common import terminal

    settings = _probe_settings(resolver, ca_file, probe_timeout, concurrency, allow_private)
    several = len(inventories) > 1
    if evidence_dir is None:
        evidence_dir = Path("evidence") if several else \
            Path("evidence") / load_inventory(inventories[0]).agency.code
    request = AuditRequest(inventories=list(inventories), baseline=baseline, level=level,
                           options=AuditOptions(documentation_as_public=documentation_as_public),
                           policies_dir=policies, models_dir=reference_models, waivers=waivers,
                           device_configs=device_configs, registry_file=registry_file)
    counts = {"collected": 0, "unreachable": 0, "failed": 0}

    def progress(code: str, portal: str, bundle: dict[str, Any]) -> None:
        counts[bundle["status"]] = counts.get(bundle["status"], 0) + 1
        _portal_progress(code, portal, bundle)

    started = time.monotonic()
    result_set = run_probe(request, evidence_dir, settings, progress)
    click.echo(_("egov-audit: {portals} portals in {seconds} s: {collected} probed, "
                 "{unreachable} unreachable, {failed} failed; evidence in {folder}").format(
        portals=sum(counts.values()), seconds=f"{time.monotonic() - started:.1f}",
        collected=counts["collected"], unreachable=counts["unreachable"],
        failed=counts["failed"], folder=terminal(str(evidence_dir))), err=True)
    _emit(result_set, fmt, output, lang, color, fail_on,
          [*inventories, evidence_dir, device_configs, registry_file, waivers, policies,
           reference_models])


@cli.command("evaluate")
@click.argument("inventory", type=click.Path(path_type=Path))
@_option("--evidence", "evidence_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The fact bundles a scan (or plain ansible-playbook) wrote, or the "
                   "ansible-runner artifacts folder of a collection run (AWX job events).")
@_device_configs_option
@_evidence_options
@_audit_options
@_policy_options
@_output_options
def evaluate_cmd(inventory: Path, evidence_dir: Path, device_configs: Path | None,
                 registry_file: Path | None, require_explicit: bool,
                 baseline: str | None, level: int | None,
                 documentation_as_public: bool, waivers: Path | None, policies: Path | None,
                 reference_models: Path | None, fmt: str, output: Path | None, lang: str,
                 color: bool | None, fail_on: str) -> None:
    """Re-evaluate saved evidence offline (for instance against a newer policy version)."""
    from .audit import AuditRequest
    from .checks.context import AuditOptions

    request = AuditRequest(inventories=[inventory], baseline=baseline, level=level,
                           options=AuditOptions(documentation_as_public, require_explicit),
                           policies_dir=policies, models_dir=reference_models, waivers=waivers,
                           device_configs=device_configs, registry_file=registry_file)
    _emit_evaluated(request, evidence_dir, fmt, output, lang, color, fail_on,
                    [inventory, evidence_dir, device_configs, registry_file, waivers, policies,
                     reference_models])


@cli.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@_output_options
def report(bundle: Path, fmt: str, output: Path | None, lang: str, color: bool | None,
           fail_on: str) -> None:
    """Render a saved result bundle (or result set) in another format."""
    from .bundle import read_result_set

    _emit(read_result_set(bundle), fmt, output, lang, color, fail_on, [bundle])


@cli.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@_option("--format", "-f", "fmt", type=click.Choice(formats("diff")),
              default="text", show_default=True)
@_option("--output", "-o", type=click.Path(path_type=Path))
@_option("--allow-different-agencies", is_flag=True,
              help="Compare bundles of two different agencies anyway.")
@_option("--fail-on", type=click.Choice(SEVERITIES), default="none", show_default=True,
              help="Exit 1 if a result became failing at this severity or above.")
@_lang_option
def diff_cmd(old: Path, new: Path, fmt: str, output: Path | None,
             allow_different_agencies: bool, fail_on: str, lang: str) -> None:
    """What changed between two saved bundles of an agency: newly failing, newly passing, still
    failing, controls and targets added or removed, the score change per area."""
    from .bundle import read_result_set
    from .diff import diff_sets
    from .models import Severity
    from .report.interface import ReportOptions, render

    diffs = diff_sets(read_result_set(old), read_result_set(new), allow_different_agencies)
    _write(output, render("diff", fmt, diffs, ReportOptions(lang=lang)), [old, new], fmt)
    if fail_on != "none":
        threshold = Severity(fail_on)
        worse = [c for d in diffs for c in d.newly_failing if c.severity.rank >= threshold.rank]
        raise click.exceptions.Exit(1 if worse else 0)


@cli.command()
@_option("--agency", required=True, help="The agency code the key is for.")
@_option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("keys"), show_default=True)
@_messages_lang_option
def keygen(agency: str, out_dir: Path) -> None:
    """Make an Ed25519 key pair for an agency: <code>.key (keep it secret) and <code>.pub (send
    it to the inspectors, who register it)."""
    from .gates.sanitize import terminal
    from .sign import key_id, load_private
    from .sign import keygen as make

    private, public = make(out_dir, agency)
    click.echo(_("private key {private} (mode 0600), public key {public}, id {key}").format(
        private=terminal(str(private)), public=terminal(str(public)),
        key=key_id(load_private(private).public_key())))


@cli.command("sign")
@click.argument("bundle", type=click.Path(path_type=Path))
@_option("--key", "key_path", required=True, type=click.Path(path_type=Path))
@_option("--output", "-o", type=click.Path(path_type=Path),
              help="Default: BUNDLE with .signed.json.")
@_option("--inventory", "inventory_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Pack the inventory the bundle was computed from (for re-scoring).")
@_option("--evidence", "evidence_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Pack the hosts' fact bundles and the portals' probe evidence too (for "
                   "re-scoring a scan or a probe).")
@_messages_lang_option
def sign_cmd(bundle: Path, key_path: Path, output: Path | None, inventory_dir: Path | None,
             evidence_dir: Path | None) -> None:
    """Sign a result bundle with the agency's private key (optionally with its inputs, so that
    inspectors can re-score it against newer policies)."""
    import json

    from .bundle import read_json
    from .gates.fileout import write_output
    from .gates.sanitize import terminal
    from .inputs import pack
    from .sign import load_private, sign

    if evidence_dir is not None and inventory_dir is None:
        _fail(_("--evidence needs --inventory"))
    data = read_json(bundle)
    if data.get("schema") != "egov-audit/result-bundle@1":
        _fail(_("{file}: a result set of several agencies: sign each agency's bundle").format(
            file=bundle))
    if inventory_dir is not None:
        data["inputs"] = pack(inventory_dir, evidence_dir)
    signed = sign(data, load_private(key_path))
    target = output or bundle.with_name(bundle.name.removesuffix(".json") + ".signed.json")
    write_output(target, json.dumps(signed, ensure_ascii=False, indent=2) + "\n",
                 inputs=[p for p in (bundle, key_path, inventory_dir, evidence_dir) if p])
    click.echo(_("signed {file} ({key})").format(file=terminal(str(target)),
                                                 key=signed["signature"]["key_id"]))


def _registry(keys: Path | None, pubkey: Path | None, agency: str | None) -> Any:
    from .sign import KeyRegistry

    if keys is not None and pubkey is not None:
        _fail(_("give either --keys or --pubkey, not both"))
    if keys is not None:
        return KeyRegistry.from_dir(keys)
    if pubkey is not None:
        # the key is bound to the agency it was registered for, never to the bundle's claim
        return KeyRegistry.single(agency or pubkey.name.removesuffix(".pub"), pubkey)
    _fail(_("give the registered public keys: --keys DIR (one <agency>.pub each) or --pubkey"))


@cli.command("verify")
@click.argument("bundle", type=click.Path(path_type=Path))
@_option("--pubkey", type=click.Path(dir_okay=False, path_type=Path),
              help="The public key registered for the bundle's agency.")
@_option("--agency", help="With --pubkey: the agency the key is registered for (default: "
                                "the key file's name, <agency code>.pub).")
@_option("--keys", type=click.Path(file_okay=False, path_type=Path),
              help="A registry: one <agency code>.pub per agency.")
@_messages_lang_option
def verify_cmd(bundle: Path, pubkey: Path | None, agency: str | None, keys: Path | None) -> None:
    """Check a signed bundle: exit 0 if it is intact and signed by a key registered for its
    agency, 1 (with the reason) if not."""
    from .bundle import read_json
    from .gates.sanitize import terminal
    from .sign import TrustError, verify

    registry = _registry(keys, pubkey, agency)
    try:
        data = read_json(bundle, TrustError)
        verified = verify(data, registry)
    except TrustError as exc:
        click.echo(_("egov-audit: rejected: {file}: {reason}").format(
            file=terminal(str(bundle)), reason=terminal(translated(exc.message))), err=True)
        raise click.exceptions.Exit(1) from None
    click.echo(_("valid: {file} is {agency}'s, signed with {key}").format(
        file=terminal(str(bundle)), agency=terminal(data["agency"]["code"]),
        key=verified.key_id))


@cli.command("collect")
@click.argument("bundles", nargs=-1, required=True, type=click.Path(path_type=Path))
@_option("--db", default="egov-audit.db", show_default=True,
              help="A SQLite file, or a postgresql:// URL.")
@_option("--keys", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The key registry: one <agency code>.pub per agency.")
@_messages_lang_option
def collect_cmd(bundles: Sequence[Path], db: str, keys: Path) -> None:
    """Verify signed bundles and store them for the national table. Each bad bundle is refused
    with its reason; the good ones are stored. Exit 1 if any was refused."""
    from .gates.sanitize import terminal
    from .sign import KeyRegistry
    from .store import open_store, take_in

    registry = KeyRegistry.from_dir(keys)
    refused = 0
    with open_store(db) as store:
        for incoming in take_in(bundles, registry):
            path = incoming.path
            # one bad bundle is refused with its reason; every other one is still stored
            try:
                if incoming.refused is not None:
                    raise incoming.refused
                assert incoming.data is not None
                try:
                    outcome = store.submit(incoming.data, incoming.digest, incoming.key_id,
                                           incoming.raw)
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


@cli.command("rescore")
@_option("--db", default="egov-audit.db", show_default=True,
              help="A SQLite file, or a postgresql:// URL.")
@_option("--policies", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The newer policies directory.")
@_option("--reference-models", type=click.Path(file_okay=False, path_type=Path),
              help="The newer reference models (default: the bundled ones).")
@_option("--format", "-f", "fmt", type=click.Choice(formats("rescore")), default="text",
              show_default=True)
@_lang_option
def rescore_cmd(db: str, policies: Path, reference_models: Path | None, fmt: str,
                lang: str) -> None:
    """Re-evaluate each agency's latest stored bundle (its packed inventory and evidence)
    against newer policies, without going back to the hosts, and say what changed."""
    from .report.interface import ReportOptions, render
    from .rescore import rescore

    items = rescore(db, policies, reference_models)
    click.echo(render("rescore", fmt, items, ReportOptions(lang=lang)), nl=False)
    raise click.exceptions.Exit(1 if any(i.failed for i in items) else 0)


@cli.command("scores")
@_option("--db", default="egov-audit.db", show_default=True,
              help="A SQLite file, or a postgresql:// URL.")
@_option("--kind", type=click.Choice(["province", "ministry"]))
@_option("--region")
@_option("--baseline")
@_option("--level", type=click.IntRange(1, 5))
@_option("--format", "-f", "fmt", type=click.Choice(formats("national")),
              default="text", show_default=True)
@_option("--output", "-o", type=click.Path(path_type=Path))
@_lang_option
def scores_cmd(db: str, kind: str | None, region: str | None, baseline: str | None,
               level: int | None, fmt: str, output: Path | None, lang: str) -> None:
    """The national table: each agency's latest scores, trend, and the most common gaps."""
    from .checks.vocabulary import load_catalogue
    from .report.interface import ReportOptions, render
    from .report.national import NationalTable
    from .store import open_store

    with open_store(db, create=False) as store:
        # the common gaps are named by the bundled catalogue's titles
        table = NationalTable(store.national_table(kind, region, baseline, level),
                              store.common_gaps(kind, region, baseline, level),
                              {c.id: c.title for c in load_catalogue().controls})
    _write(output, render("national", fmt, table, ReportOptions(lang=lang)), [Path(db)], fmt)


@cli.group()
def policies() -> None:
    """The control catalogue."""


@policies.command("list")
@_option("--baseline", help="Only controls of this baseline.")
@_option("--level", type=click.IntRange(1, 5), help="Only controls that apply at this level.")
@_option("--area", type=click.Choice(["infrastructure", "ip_addressing", "security"]))
@_option("--target", type=click.Choice([kind.value for kind in TargetKind]))
@_option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text")
@_policy_options
@_lang_option
def policies_list(baseline: str | None, level: int | None, area: str | None, target: str | None,
                  fmt: str, policies: Path | None, reference_models: Path | None,
                  lang: str) -> None:
    """List controls, filtered by baseline, level, area and target."""
    import json

    from .checks.vocabulary import load_catalogue

    policy = load_catalogue(policies, reference_models)
    if baseline is not None and baseline not in policy.baselines:
        _fail(_("unknown baseline {name} (known: {known})").format(
            name=repr(baseline), known=", ".join(sorted(policy.baselines))))
    rows = []
    for control in policy.controls:
        if (area and control.area != area) or (target and control.target != target):
            continue
        if baseline and baseline not in control.baselines:
            continue
        if level is not None:
            chosen = [baseline] if baseline else list(control.baselines)
            if not any(control.applies(b, level) for b in chosen):
                continue
        rows.append(control)
    if fmt == "json":
        click.echo(json.dumps([{
            "id": c.id, "title": c.title.to_dict(), "area": c.area.value,
            "target": c.target.value, "severity": c.severity.value,
            "baselines": {b: {"clause": r.clause.to_dict(), "from_level": r.from_level}
                          for b, r in c.baselines.items()}} for c in rows],
            ensure_ascii=False, indent=2))
        return
    from .report.common import terminal

    for c in rows:
        levels = " ".join(f"{b}≥{r.from_level}" for b, r in c.baselines.items())
        click.echo(f"{c.id:<16} {c.severity.value:<8} {c.area.value:<14} {c.target.value:<11} "
                   f"{terminal(c.title.get(lang))}  [{levels}]")
    click.echo(_("{count} controls · policy {version} · {digest}…").format(
        count=len(rows), version=policy.version, digest=policy.digest[:19]), err=True)


@policies.command("show")
@click.argument("control_id")
@_policy_options
@_lang_option
def policies_show(control_id: str, policies: Path | None, reference_models: Path | None,
                  lang: str) -> None:
    """Show one control in full: what each baseline requires of it at each level."""
    from .checks.requirements import required_value
    from .checks.vocabulary import load_catalogue
    from .collection import role_fqcn
    from .report.common import label, terminal

    policy = load_catalogue(policies, reference_models)
    try:
        c = policy.control(control_id.upper())
    except KeyError:
        _fail(_("unknown control {name} (see `egov-audit policies list`)").format(
            name=repr(control_id)))

    def line(key: str, value: str) -> None:
        click.echo(f"  {label(key, lang)}: {terminal(value)}")

    click.echo(f"{c.id} — {terminal(c.title.get(lang))}")
    click.echo(f"  {terminal(c.description.get(lang))}")
    line("col.area", label(f"area.{c.area.value}", lang))
    line("col.target_kind", label(f"targetkind.{c.target.value}", lang))
    line("col.severity", label(f"severity.{c.severity.value}", lang))
    line("col.family", f"{policy.families[c.family].get(lang)} ({c.family})")
    for baseline, ref in c.baselines.items():
        click.echo(f"  {terminal(baseline)}: {terminal(ref.clause.get(lang))}")
        previous = None
        for level in range(ref.from_level, 6):
            required = required_value(policy, c, baseline, level).get(lang)
            if required != previous:  # levels are cumulative: say only what changes
                click.echo(f"    {label('level', lang)} {level}+: {terminal(required)}")
            previous = required
    line("col.fix", c.remediation.get(lang))
    if c.owner:
        line("col.closes", c.owner.get(lang))
    if c.form:
        line("col.form", c.form.get(lang))
    if c.remediation_role:
        line("role", role_fqcn(c.remediation_role))
    line("where", str(c.where))


@policies.command("matrix")
@_option("--baseline", required=True, help="The baseline (see `egov-audit policies list`).")
@_option("--level", type=click.IntRange(1, 5), required=True, help="The security level.")
@_option("--format", "-f", "fmt", type=click.Choice(formats("matrix")), default="text",
              show_default=True)
@_option("--output", "-o", type=click.Path(path_type=Path),
              help="Write it to this file instead of stdout.")
@_option("--bilingual", is_flag=True,
              help="Vietnamese and English side by side (for documents a regulator reviews).")
@_policy_options
@_lang_option
def policies_matrix(baseline: str, level: int, fmt: str, output: Path | None, bilingual: bool,
                    policies: Path | None, reference_models: Path | None, lang: str) -> None:
    """The requirement matrix: every control a baseline requires at a level, its clause, the
    required value, severity, who closes a gap and through which procedure."""
    from .checks.requirements import requirement_matrix
    from .checks.vocabulary import load_catalogue
    from .policy import DEFAULT_POLICIES, DEFAULT_REFERENCE_MODELS
    from .report.interface import ReportOptions, render

    policy = load_catalogue(policies, reference_models)
    matrix = requirement_matrix(policy, baseline, level)
    _write(output, render("matrix", fmt, matrix, ReportOptions(lang=lang, bilingual=bilingual)),
           [policies or DEFAULT_POLICIES, reference_models or DEFAULT_REFERENCE_MODELS], fmt)


@cli.command("fix")
@click.argument("bundle", type=click.Path(path_type=Path))
@_option("--inventory", type=click.Path(file_okay=False, path_type=Path),
              help="The inventory the plays run against and the bundle's evidence is judged "
                   "with (default: the one the bundle names, which is then said).")
@_option("--evidence", "evidence_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The evidence the bundle was made from, re-evaluated to know what fails "
                   "(default: packed in the bundle, else evidence/<agency>); --apply's re-scan "
                   "writes here.")
@_option("--keys", type=click.Path(file_okay=False, path_type=Path),
              help="Trust a signed bundle's results as they are, if its signature verifies "
                   "against this key registry (one <agency code>.pub per agency).")
@_option("--output", "-o", type=click.Path(path_type=Path),
              help="Write the playbook here (default: standard output; with --apply a temporary "
                   "file).")
@_option("--controls", help="Only these controls (comma-separated; wildcards: HOST-SSH-*).")
@_option("--limit", "-l", help="Only these hosts (comma-separated; wildcards).")
@_option("--max-age", type=float, default=7, show_default=True,
              help="Refuse evidence older than this many days (the hosts may have changed).")
@_option("--allow-controller", is_flag=True,
              help="Also fix an inventory host that is this machine (local connection, "
                   "loopback address).")
@_option("--apply", "do_apply", is_flag=True,
              help="Run it: a preview in check mode, a confirmation, the change, a re-scan.")
@_option("--yes", is_flag=True, help="With --apply: do not ask for confirmation.")
@_option("--insecure-no-host-key-checking", "no_host_key_checking", is_flag=True)
@_lang_option
def fix_cmd(bundle: Path, inventory: Path | None, evidence_dir: Path | None, keys: Path | None,
            output: Path | None, controls: str | None, limit: str | None, max_age: float,
            allow_controller: bool, do_apply: bool, yes: bool, no_host_key_checking: bool,
            lang: str) -> None:
    """Turn a result bundle into an Ansible playbook that fixes the failing host controls on the
    failing hosts, and with --apply run it safely and re-scan. What fails is re-evaluated from
    the bundle's evidence (or taken from a bundle whose signature verifies with --keys)."""
    import shutil
    import tempfile

    from .checks.vocabulary import load_catalogue
    from .fix import FixRequest, apply_fixes, prepare, render_playbook
    from .gates.fileout import write_output
    from .report.common import label, terminal

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
        _write(output, playbook_text, inputs, "yaml")
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
        click.echo(label("fix.score", lang).format(before=_score(outcome.score_before),
                                                   after=_score(outcome.score_after)))
        for change in outcome.hosts:
            click.echo(label("fix.host_after", lang).format(
                host=terminal(change.host), before=change.failing_before,
                after=change.failing_after))
    raise click.exceptions.Exit(0 if outcome.ok else 1)


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


@cli.group()
def lab() -> None:
    """A lab of real SSH hosts on loopback addresses, for trying scans (root only)."""


@lab.command("up")
@_option("--faults", is_flag=True,
              help="Also start the fault hosts (down, dropping, hanging, no Python, broken "
                   "sshd_config, hostile).")
@_option("--network", is_flag=True,
         help="Also start the routers: FRRouting in their own network namespaces, an agency "
              "edge multihomed over BGP to two providers and a weak edge behind one.")
@_option("--facility", is_flag=True,
         help="Also start the server rooms' UPSes and sensors: Net-SNMP agents (SNMPv3 only) in "
              "their own network namespaces, one healthy UPS, one on battery, a hot room, and "
              "three that cannot be read. Their passwords are in STATE/facility.env.")
@_option("--portals", is_flag=True,
         help="Also start a small internet for public portals in its own network namespace: "
              "an authoritative DNS server with signed zones, a validating resolver and HTTPS "
              "servers for the sample agencies' portals, and faulty ones. Probe them with "
              "`egov-audit lab exec -- egov-audit probe ... --allow-private` (the lab's "
              "addresses are private space).")
@_option("--state", type=click.Path(file_okay=False, path_type=Path),
              help="Lab state directory (default /tmp/egov-audit-lab or "
                   "$EGOV_AUDIT_LAB_STATE).")
@_messages_lang_option
def lab_up(faults: bool, network: bool, facility: bool, portals: bool,
           state: Path | None) -> None:
    """Start the lab hosts and write an inventory for them."""
    from . import lab as lab_module

    hosts = lab_module.SERVERS + (lab_module.FAULTS if faults else ()) + \
        (lab_module.NETWORK + lab_module.FIREWALLS if network else ()) + \
        (lab_module.FACILITY if facility else ())
    started = lab_module.up(hosts, state or lab_module.DEFAULT_STATE,
                            lab_module.NETWORK_LINKS if network else (), portals=portals)
    for host in started.hosts:
        state_text = f"{host.ip}:{host.port}" if host.start else _("declared, not started")
        click.echo(f"  {host.name:<10} {host.profile:<13} {state_text}")
    click.echo(_("lab up: inventory {inventory}").format(inventory=started.inventory))
    if network:
        click.echo(_("scan it: egov-audit scan {inventory} --known-hosts {known_hosts}").format(
            inventory=started.inventory, known_hosts=started.state / "known_hosts"))
    else:
        click.echo(_("scan it: egov-audit scan {inventory}").format(inventory=started.inventory))
    if portals:
        click.echo(_("probe the portals: egov-audit lab exec -- egov-audit probe "
                     "inventories/song-lam inventories/bo-hts --allow-private"))


@lab.command("exec", context_settings={"ignore_unknown_options": True})
@_option("--state", type=click.Path(file_okay=False, path_type=Path))
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@_messages_lang_option
def lab_exec(state: Path | None, command: Sequence[str]) -> None:
    """Run a command inside the lab internet (lab up --portals), told its resolver and CA
    (EGOV_AUDIT_RESOLVER, EGOV_AUDIT_CA_FILE): the lab's portals, nothing beyond."""
    from . import lab as lab_module
    from .lab import portals as lab_portals

    internet = lab_portals.running(state or lab_module.DEFAULT_STATE)
    if internet is None:
        _fail(_("the lab internet is not up (egov-audit lab up --portals)"))
    import subprocess

    env = {**os.environ, **internet.environment()}
    try:
        completed = subprocess.run([*internet.command(), *command], env=env, check=False)
    except OSError as exc:
        _fail(str(exc))
    raise click.exceptions.Exit(completed.returncode)


@lab.command("down")
@_option("--state", type=click.Path(file_okay=False, path_type=Path))
@_messages_lang_option
def lab_down(state: Path | None) -> None:
    """Stop the lab hosts and delete the lab state."""
    from . import lab as lab_module

    stopped = lab_module.down(state or lab_module.DEFAULT_STATE)
    click.echo(_("lab down: {count} hosts stopped").format(count=len(stopped)))


@cli.group()
def collection() -> None:
    """The egov.audit Ansible collection: the collector module, the collection playbook and
    the remediation roles that the playbooks of `fix` name."""


@collection.command("build")
@_option("--output", "-o", "output_dir", type=click.Path(file_okay=False, path_type=Path),
         default=Path("."), show_default=True, help="The folder the artifact is written to.")
@_messages_lang_option
def collection_build(output_dir: Path) -> None:
    """Build the collection artifact (egov-audit-X.Y.Z.tar.gz, this release's version) with
    ansible-galaxy; install it with `ansible-galaxy collection install FILE`."""
    import tempfile

    from .collection import COLLECTION, build
    from .gates.fileout import write_output
    from .gates.sanitize import terminal

    with tempfile.TemporaryDirectory(prefix="egov-audit-collection-") as work:
        artifact = build(__version__, Path(work))
        output_dir.mkdir(parents=True, exist_ok=True)
        target = output_dir / artifact.name
        write_output(target, artifact.read_bytes())
    click.echo(_("collection {name}: {path}").format(name=COLLECTION,
                                                     path=terminal(str(target))))
    click.echo(_("install it: ansible-galaxy collection install {path}").format(
        path=terminal(str(target))))


@cli.command()
@click.argument("name", type=click.Choice(PUBLISHED_SCHEMAS))
@_messages_lang_option
def schema(name: str) -> None:
    """Print a published JSON Schema: inventory documents, policies, evidence (fact-bundle,
    network-fact-bundle), results (result-bundle, result-set)."""
    import json

    from .schemas import load_schema

    click.echo(json.dumps(load_schema(name), ensure_ascii=False, indent=2))


def _terminated(signum: int, frame: object) -> NoReturn:
    # `kill` (SIGTERM) unwinds like Ctrl-C: every finally block runs, so a write in progress
    # leaves no temporary file and fix --apply removes its temporary playbook
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> None:
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    try:
        cli.main(args=argv, prog_name="egov-audit")
    except KeyboardInterrupt:
        click.echo(_("egov-audit: interrupted"), err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()

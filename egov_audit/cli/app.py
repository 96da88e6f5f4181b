"""The egov-audit command line: the group that loads each command's module when that command
runs (click's lazy group: a cold `validate` loads what validate uses, nothing of `fix` or
`lab`), and `main`. The CLI is the only place that prints, exits and maps errors to exit
codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or input error (one line, no
traceback)."""

from __future__ import annotations

import gc
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from .. import __version__
from ..errors import EgovAuditError
from ..i18n import _, language, language_from, use
from .base import LANG_DEFAULT, Command, Translated, fail, option

# each command, by name: the module that defines it and its name there
COMMANDS = {
    "validate": "validate:validate", "scan": "scan:scan", "probe": "scan:probe",
    "evaluate": "validate:evaluate_cmd", "report": "reports:report", "diff": "reports:diff_cmd",
    "keygen": "signing:keygen", "sign": "signing:sign_cmd", "verify": "signing:verify_cmd",
    "collect": "national:collect_cmd", "rescore": "national:rescore_cmd",
    "scores": "national:scores_cmd", "control": "national:control_cmd",
    "history": "national:history_cmd", "policies": "policies:policies", "fix": "fix:fix_cmd",
    "lab": "lab:lab", "collection": "collection:collection", "schema": "schema:schema",
    "serve": "serve:serve", "submit": "serve:submit_cmd",
}


class Cli(Translated, click.Group):
    """Maps egov-audit's errors to one line on stderr and exit code 2, never a traceback.
    Speaks the language of the run (--lang, $EGOV_AUDIT_LANG, else Vietnamese), help included.
    Loads a command's module when the command is asked for."""

    command_class = Command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            module, attribute = COMMANDS[name].split(":")
            command = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
            assert isinstance(command, click.Command) and command.name == name, name
            self.commands[name] = command
        return self.commands.get(name)

    def every_command(self) -> dict[str, click.Command]:
        """Every command, loaded (for tools that walk the tree: the message catalog, tests)."""
        context = click.Context(self)
        return {name: command for name in self.list_commands(context)
                if (command := self.get_command(context, name)) is not None}

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
        except BrokenPipeError:
            _reader_gone()
        except EgovAuditError as exc:
            fail(exc.said())
        except RecursionError:
            fail(_("input nested too deeply"))
        except MemoryError:
            fail(_("out of memory"))
        except Exception as exc:
            if os.environ.get("EGOV_AUDIT_DEBUG"):
                raise
            fail(_("internal error: {error} (set EGOV_AUDIT_DEBUG=1 for details)").format(
                error=f"{type(exc).__name__}: {exc}"))
        finally:
            if enabled:
                gc.enable()


def _reader_gone() -> NoReturn:
    """The reader of stdout went away (`egov-audit policies list | head`): stop quietly, as
    a command killed by SIGPIPE does (exit 141), with nothing more written to the closed pipe
    (the interpreter's own flush at exit included)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(128 + signal.SIGPIPE)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """The tool's version and the catalogue it audits with (what a result bundle records)."""
    if not value or ctx.resilient_parsing:
        return
    # the catalogue loads only when --version is asked for: every other command's start skips it
    from ..checks.vocabulary import load_catalogue

    click.echo(f"egov-audit {__version__}")
    try:
        policy = load_catalogue()
    except EgovAuditError as exc:
        fail(exc.said())
    click.echo(_("policies {version} ({digest}…), {count} controls").format(
        version=policy.version, digest=policy.digest[:19], count=len(policy.controls)))
    ctx.exit()


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"],
                                        "max_content_width": 100})
@option("--version", is_flag=True, expose_value=False, is_eager=True,
        callback=_print_version,
        help="Print the version and the policy catalogue's version, then exit.")
@option("--lang", type=click.Choice(["vi", "en"]), expose_value=False, default=language,
        show_default=LANG_DEFAULT,
        help="Language of the messages (read before anything else: every command takes it).")
def cli() -> None:
    """Audit Vietnamese government agencies against the network, server-room and security
    reference models, and report the gaps with compliance scores."""


def _terminated(signum: int, frame: object) -> NoReturn:
    # `kill` (SIGTERM) unwinds like Ctrl-C: every finally block runs, so a write in progress
    # leaves no temporary file and fix --apply removes its temporary playbook
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _terminated)
    try:
        cli.main(args=argv, prog_name="egov-audit")
    except BrokenPipeError:  # in Click's own output (--help | head), outside a command
        _reader_gone()
    except KeyboardInterrupt:
        click.echo(_("egov-audit: interrupted"), err=True)
        sys.exit(130)

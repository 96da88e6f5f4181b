"""The national service: `serve` (the web application over the national store), its accounts
(`serve user add|disable|enable|password`) and the agencies' keys (`serve key add|revoke|list`);
and `submit`, with which an agency sends its signed bundle to it."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import Message, UsageError
from ..gates.filein import read_bytes
from ..gates.names import check_agency_code
from ..gates.sanitize import terminal
from ..i18n import _, language, said_in
from .base import Group, fail, option
from .options import messages_lang_option

if TYPE_CHECKING:
    from ..store import Store

DB_ENV = "EGOV_AUDIT_DB"


def _need_extra() -> None:
    try:
        import argon2  # noqa: F401  (the service's extra: checked before anything starts)
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        fail(_("the national service needs its extra: pip install 'egov-audit[serve]'"))


@click.group("serve", cls=Group, invoke_without_command=True)
@option("--db", envvar=DB_ENV, required=True,
        help="The national store: a postgresql:// URL (or a SQLite file for a trial); "
             "$EGOV_AUDIT_DB.")
@option("--host", default="127.0.0.1", show_default=True,
        help="The address to listen on (behind nginx: loopback).")
@option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@option("--max-bundle-mb", default=256, show_default=True, type=click.IntRange(1, 4096),
        help="The largest bundle accepted, in MiB (413 above it).")
@option("--connections", default=8, show_default=True, type=click.IntRange(1, 200),
        help="Open database connections of this instance.")
@option("--forwarded-allow-ips", default="127.0.0.1", show_default=True,
        help="The proxies whose X-Forwarded-For is believed (the client's address is what "
             "login rate limits count).")
@option("--access-log", is_flag=True, help="Log every request (uvicorn's access log).")
@messages_lang_option
@click.pass_context
def serve(ctx: click.Context, db: str, host: str, port: int, max_bundle_mb: int,
          connections: int, forwarded_allow_ips: str, access_log: bool) -> None:
    """Serve the national service: agencies submit signed bundles (POST /api/v1/bundles),
    inspectors see the nation, each agency and each control. Stateless: run as many as you
    like behind one nginx over the same PostgreSQL."""
    ctx.obj = db
    if ctx.invoked_subcommand is not None:
        return
    _need_extra()
    # uvicorn and the application: only when serving
    import uvicorn

    from ..serve.app import Settings, create_app  # the service: only when serving
    from ..store import open_store

    with open_store(db):  # migrated (and reachable) before the first request
        pass
    app = create_app(Settings(db, max_bundle_mb * 1024 * 1024, connections=connections))
    click.echo(_("serving {db} on http://{host}:{port}").format(
        db=terminal(_redacted(db)), host=host, port=port), err=True)
    uvicorn.run(app, host=host, port=port, proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips, server_header=False,
                log_level="info" if access_log else "warning", access_log=access_log,
                timeout_graceful_shutdown=30)


def _redacted(db: str) -> str:
    from ..store.base import redact  # the store's own rule for showing a URL

    return redact(db)


def _store(ctx: click.Context) -> Store:
    from ..store import open_store  # only for the account and key commands

    return open_store(str(ctx.obj))


def _actor() -> str:
    return "cli:" + (os.environ.get("SUDO_USER") or os.environ.get("USER") or "root")


@serve.group("user", cls=Group)
@messages_lang_option
def user() -> None:
    """The service's accounts: administrators, inspectors, agencies."""


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt(_("Password"), hide_input=True, confirmation_prompt=True))


@user.command("add")
@click.argument("name")
@option("--role", type=click.Choice(["admin", "inspector", "agency"]), required=True)
@option("--agency", help="The agency an agency account sees (its code).")
@option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@messages_lang_option
@click.pass_context
def user_add(ctx: click.Context, name: str, role: str, agency: str | None,
             password_stdin: bool) -> None:
    """Add an account (its password is asked for, or read from standard input)."""
    _need_extra()
    # the service's password rules and hashing (argon2-cffi, its extra)
    from ..serve.auth import check_account_name, check_password_text, hash_password

    check_account_name(name)
    if agency is not None:
        check_agency_code(agency)
    password = check_password_text(_password(password_stdin))
    with _store(ctx) as store:
        store.add_account(name, role, agency, hash_password(password), _actor())
    click.echo(_("account {name} added ({role})").format(name=terminal(name), role=role))


def _account_state(command: str, disabled: bool, help_text: str) -> None:
    """`serve user disable` and `serve user enable`: one account's state, said back."""
    @user.command(command, help=help_text)
    @click.argument("name")
    @messages_lang_option
    @click.pass_context
    def change(ctx: click.Context, name: str) -> None:
        with _store(ctx) as store:
            store.set_disabled(name, disabled, _actor())
        done = _("account {name} disabled") if disabled else _("account {name} enabled")
        click.echo(done.format(name=terminal(name)))


_account_state("disable", True, "Disable an account: its sessions end at once.")
_account_state("enable", False, "Enable a disabled account again.")


@user.command("password")
@click.argument("name")
@option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@messages_lang_option
@click.pass_context
def user_password(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set an account's password: its sessions end at once."""
    _need_extra()
    # the service's password rules and hashing (argon2-cffi, its extra)
    from ..serve.auth import check_password_text, hash_password

    password = check_password_text(_password(password_stdin))
    with _store(ctx) as store:
        store.set_password(name, hash_password(password), _actor())
    click.echo(_("password of {name} changed").format(name=terminal(name)))


@serve.group("key", cls=Group)
@messages_lang_option
def key() -> None:
    """The agencies' signing keys, against which submitted bundles are verified."""


def _public_key_text(path: Path) -> str:
    raw = read_bytes(path, str(path), UsageError, 64 * 1024)
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        raise UsageError(Message("cannot read a public key: not ASCII PEM text"),
                         file=str(path)) from None


@key.command("add")
@click.argument("agency")
@click.argument("public_key", type=click.Path(dir_okay=False, path_type=Path))
@messages_lang_option
@click.pass_context
def key_add(ctx: click.Context, agency: str, public_key: Path) -> None:
    """Register an agency's public key (the .pub file `keygen` made)."""
    check_agency_code(agency)
    text = _public_key_text(public_key)
    with _store(ctx) as store:
        for record in store.add_key(agency, text, _actor()):
            click.echo(_("key {key} registered for {agency}").format(
                key=record.key_id, agency=terminal(agency)))


@key.command("rotate")
@click.argument("agency")
@click.argument("public_key", type=click.Path(dir_okay=False, path_type=Path))
@option("--at", "revoked_at", help="From when the agency's earlier keys sign nothing (an ISO "
                                   "8601 time with its UTC offset); default: now.")
@messages_lang_option
@click.pass_context
def key_rotate(ctx: click.Context, agency: str, public_key: Path,
               revoked_at: str | None) -> None:
    """Register an agency's new key and revoke its earlier ones (from --at, default now): one
    change, in one transaction."""
    check_agency_code(agency)
    text = _public_key_text(public_key)
    when = revoked_at or datetime.now(UTC).isoformat(timespec="seconds")
    with _store(ctx) as store:
        added, revoked = store.rotate_keys(agency, text, when, _actor())
    for record in added:
        click.echo(_("key {key} registered for {agency}").format(
            key=record.key_id, agency=terminal(agency)))
    for record in revoked:
        click.echo(_("key {key} of {agency} revoked from {at}").format(
            key=terminal(record.key_id), agency=terminal(record.agency), at=record.revoked_at))


@key.command("revoke")
@click.argument("key_id")
@option("--at", "revoked_at", help="From when it signs nothing (an ISO 8601 time with its UTC "
                                   "offset); default: now.")
@messages_lang_option
@click.pass_context
def key_revoke(ctx: click.Context, key_id: str, revoked_at: str | None) -> None:
    """Revoke a key: bundles it signed at or after the given time are refused."""
    when = revoked_at or datetime.now(UTC).isoformat(timespec="seconds")
    with _store(ctx) as store:
        record = store.revoke_key(key_id, when, _actor())
    click.echo(_("key {key} of {agency} revoked from {at}").format(
        key=terminal(record.key_id), agency=terminal(record.agency), at=record.revoked_at))


@key.command("list")
@messages_lang_option
@click.pass_context
def key_list(ctx: click.Context) -> None:
    """The registered keys: agency, key id, when added, when revoked."""
    with _store(ctx) as store:
        for record in store.agency_keys():
            click.echo(f"{terminal(record.agency)}  {record.key_id}  {record.added_at}  "
                       f"{record.revoked_at or '-'}")


@click.command("submit", cls=Group.command_class)
@click.argument("url")
@click.argument("bundle", type=click.Path(dir_okay=False, path_type=Path))
@option("--ca-file", type=click.Path(dir_okay=False, path_type=Path),
        help="The CA certificate(s) the service's certificate is checked against (default: "
             "the system's).")
@option("--retries", default=5, show_default=True, type=click.IntRange(0, 20),
        help="Tries again this many times when the service cannot be reached or is busy.")
@messages_lang_option
def submit_cmd(url: str, bundle: Path, ca_file: Path | None, retries: int) -> None:
    """Send a signed bundle to the national service. Exit 0 when it is stored (or was
    already), 1 when the service refused it (the reason is printed), 2 when it could not be
    delivered."""
    from ..submit import submit  # only for this command

    answer = submit(url, bundle, ca_file=ca_file, retries=retries,
                    said=lambda text: click.echo(terminal(said_in(text, language())),
                                                 err=True))
    if answer.accepted:
        words = {"stored": _("stored"), "duplicate": _("duplicate")}
        click.echo(f"{words.get(answer.outcome, answer.outcome)} {terminal(str(bundle))}: "
                   f"{terminal(answer.agency or '-')} {terminal(answer.finished_at or '-')}")
        raise click.exceptions.Exit(0)
    reason = answer.reason.get(language()) or answer.outcome
    click.echo(_("refused {file}: {reason}").format(
        file=terminal(str(bundle)), reason=terminal(f"{answer.status} {reason}")), err=True)
    raise click.exceptions.Exit(1)

"""An agency's signature on its bundles: `keygen`, `sign` and `verify`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..bundle import checked_v2, read_json, record, v2_lines
from ..errors import ReportError, translated
from ..gates.fileout import open_output, write_output
from ..gates.sanitize import terminal
from ..i18n import _
from ..inputs import pack
from ..sign import (
    KeyRegistry,
    TrustError,
    key_id,
    load_private,
    sign,
    sign_v2,
    verify,
    verify_v2,
)
from ..sign import keygen as make
from .base import Command, fail, option
from .options import messages_lang_option


@click.command(cls=Command)
@option("--agency", required=True, help="The agency code the key is for.")
@option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
        default=Path("keys"), show_default=True)
@messages_lang_option
def keygen(agency: str, out_dir: Path) -> None:
    """Make an Ed25519 key pair for an agency: <code>.key (keep it secret) and <code>.pub (send
    it to the inspectors, who register it)."""
    private, public = make(out_dir, agency)
    click.echo(_("private key {private} (mode 0600), public key {public}, id {key}").format(
        private=terminal(str(private)), public=terminal(str(public)),
        key=key_id(load_private(private).public_key())))


@click.command("sign", cls=Command)
@click.argument("bundle", type=click.Path(path_type=Path))
@option("--key", "key_path", required=True, type=click.Path(path_type=Path))
@option("--output", "-o", type=click.Path(path_type=Path),
        help="Default: BUNDLE with .signed.json.")
@option("--inventory", "inventory_dir", type=click.Path(file_okay=False, path_type=Path),
        help="Pack the inventory the bundle was computed from (for re-scoring).")
@option("--evidence", "evidence_dir", type=click.Path(file_okay=False, path_type=Path),
        help="Pack the hosts' fact bundles and the portals' probe evidence too (for "
             "re-scoring a scan or a probe).")
@messages_lang_option
def sign_cmd(bundle: Path, key_path: Path, output: Path | None, inventory_dir: Path | None,
             evidence_dir: Path | None) -> None:
    """Sign a result bundle with the agency's private key (optionally with its inputs, so that
    inspectors can re-score it against newer policies)."""

    if evidence_dir is not None and inventory_dir is None:
        fail(_("--evidence needs --inventory"))
    target = output or bundle.with_name(bundle.name.removesuffix(".json") + ".signed.json")
    with v2_lines(bundle, ReportError) as records:
        if records is not None:  # version 2: copied record by record, signed as it streams
            extra = [record({"inputs": pack(inventory_dir, evidence_dir)})] \
                if inventory_dir is not None else []
            private = load_private(key_path)
            with open_output(target, inputs=[p for p in (bundle, key_path, inventory_dir,
                                                         evidence_dir) if p]) as out:
                signature = sign_v2(records, str(bundle), private, out, extra)
            click.echo(_("signed {file} ({key})").format(file=terminal(str(target)),
                                                         key=signature["key_id"]))
            return
    data = read_json(bundle)
    if data.get("schema") != "egov-audit/result-bundle@1":
        fail(_("{file}: a result set of several agencies: sign each agency's bundle").format(
            file=bundle))
    if inventory_dir is not None:
        data["inputs"] = pack(inventory_dir, evidence_dir)
    signed = sign(data, load_private(key_path))
    write_output(target, json.dumps(signed, ensure_ascii=False, indent=2) + "\n",
                 inputs=[p for p in (bundle, key_path, inventory_dir, evidence_dir) if p])
    click.echo(_("signed {file} ({key})").format(file=terminal(str(target)),
                                                 key=signed["signature"]["key_id"]))


def _registry(keys: Path | None, pubkey: Path | None, agency: str | None) -> Any:
    if keys is not None and pubkey is not None:
        fail(_("give either --keys or --pubkey, not both"))
    if keys is not None:
        return KeyRegistry.from_dir(keys)
    if pubkey is not None:
        # the key is bound to the agency it was registered for, never to the bundle's claim
        return KeyRegistry.single(agency or pubkey.name.removesuffix(".pub"), pubkey)
    fail(_("give the registered public keys: --keys DIR (one <agency>.pub each) or --pubkey"))


@click.command("verify", cls=Command)
@click.argument("bundle", type=click.Path(path_type=Path))
@option("--pubkey", type=click.Path(dir_okay=False, path_type=Path),
        help="The public key registered for the bundle's agency.")
@option("--agency", help="With --pubkey: the agency the key is registered for (default: "
        "the key file's name, <agency code>.pub).")
@option("--keys", type=click.Path(file_okay=False, path_type=Path),
        help="A registry: one <agency code>.pub per agency.")
@messages_lang_option
def verify_cmd(bundle: Path, pubkey: Path | None, agency: str | None, keys: Path | None) -> None:
    """Check a signed bundle: exit 0 if it is intact and signed by a key registered for its
    agency, 1 (with the reason) if not."""
    registry = _registry(keys, pubkey, agency)
    try:
        stream = checked_v2(bundle, TrustError)
        if stream is not None:
            verified = verify_v2(stream, registry)
            code = stream.header["agency"]["code"]
        else:
            data = read_json(bundle, TrustError)
            verified = verify(data, registry)
            code = data["agency"]["code"]
    except TrustError as exc:
        click.echo(_("egov-audit: rejected: {file}: {reason}").format(
            file=terminal(str(bundle)), reason=terminal(translated(exc.message))), err=True)
        raise click.exceptions.Exit(1) from None
    click.echo(_("valid: {file} is {agency}'s, signed with {key}").format(
        file=terminal(str(bundle)), agency=terminal(code),
        key=verified.key_id))

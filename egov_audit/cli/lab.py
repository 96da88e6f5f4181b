"""The lab of real hosts on loopback: `lab up`, `lab exec`, `lab down` (root only)."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path

import click

from .. import lab as lab_module
from ..i18n import _
from ..lab import portals as lab_portals
from .base import Group, fail, option
from .options import messages_lang_option


@click.group(cls=Group)
def lab() -> None:
    """A lab of real SSH hosts on loopback addresses, for trying scans (root only)."""


@lab.command("up")
@option("--faults", is_flag=True,
        help="Also start the fault hosts (down, dropping, hanging, no Python, broken "
             "sshd_config, hostile).")
@option("--network", is_flag=True,
        help="Also start the routers: FRRouting in their own network namespaces, an agency "
             "edge multihomed over BGP to two providers and a weak edge behind one.")
@option("--facility", is_flag=True,
        help="Also start the server rooms' UPSes and sensors: Net-SNMP agents (SNMPv3 only) in "
             "their own network namespaces, one healthy UPS, one on battery, a hot room, and "
             "three that cannot be read. Their passwords are in STATE/facility.env.")
@option("--portals", is_flag=True,
        help="Also start a small internet for public portals in its own network namespace: "
             "a signed DNS hierarchy from its own root (Knot DNS), a validating resolver and HTTPS "
             "servers for the sample agencies' portals, and faulty ones. Probe them with "
             "`egov-audit lab exec -- egov-audit probe ... --allow-private` (the lab's "
             "addresses are private space).")
@option("--state", type=click.Path(file_okay=False, path_type=Path),
        help="Lab state directory (default /tmp/egov-audit-lab or "
             "$EGOV_AUDIT_LAB_STATE).")
@messages_lang_option
def lab_up(faults: bool, network: bool, facility: bool, portals: bool,
           state: Path | None) -> None:
    """Start the lab hosts and write an inventory for them."""
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
    # a lab in another state folder is reached again only with the same --state
    again = f" --state {shlex.quote(str(state))}" if state is not None else ""
    if portals:
        click.echo(_("probe the portals: egov-audit lab exec{state} -- egov-audit probe "
                     "inventories/song-lam inventories/bo-hts --allow-private").format(
                         state=again))
    click.echo(_("stop it: egov-audit lab down{state}").format(state=again))


@lab.command("exec", context_settings={"ignore_unknown_options": True})
@option("--state", type=click.Path(file_okay=False, path_type=Path))
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@messages_lang_option
def lab_exec(state: Path | None, command: Sequence[str]) -> None:
    """Run a command inside the lab internet (lab up --portals), told its resolver and CA
    (EGOV_AUDIT_RESOLVER, EGOV_AUDIT_CA_FILE): the lab's portals, nothing beyond."""
    internet = lab_portals.running(state or lab_module.DEFAULT_STATE)
    if internet is None:
        fail(_("the lab internet is not up (egov-audit lab up --portals)"))

    env = {**os.environ, **internet.environment()}
    try:
        completed = subprocess.run([*internet.command(), *command], env=env, check=False)
    except OSError as exc:
        fail(str(exc))
    raise click.exceptions.Exit(completed.returncode)


@lab.command("down")
@option("--state", type=click.Path(file_okay=False, path_type=Path))
@messages_lang_option
def lab_down(state: Path | None) -> None:
    """Stop the lab hosts and delete the lab state."""
    stopped = lab_module.down(state or lab_module.DEFAULT_STATE)
    click.echo(_("lab down: {count} hosts stopped").format(count=len(stopped)))

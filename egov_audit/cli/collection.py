"""The egov.audit Ansible collection: `collection build`."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from .. import __version__
from ..collection import COLLECTION, build, repository_problem
from ..gates.fileout import write_output
from ..gates.sanitize import terminal
from ..i18n import _
from .base import Group, fail, option
from .options import messages_lang_option


@click.group(cls=Group)
def collection() -> None:
    """The egov.audit Ansible collection: the collector module, the collection playbook and
    the remediation roles that the playbooks of `fix` name."""


@collection.command("build")
@option("--output", "-o", "output_dir", type=click.Path(file_okay=False, path_type=Path),
        default=Path("."), show_default=True, help="The folder the artifact is written to.")
@option("--repository", envvar="EGOV_AUDIT_REPOSITORY", show_envvar=True, metavar="URL",
        help="Where this copy's sources are (https://...: your agency's or the nation's Git "
             "server), written into galaxy.yml as Galaxy asks.")
@messages_lang_option
def collection_build(output_dir: Path, repository: str | None) -> None:
    """Build the collection artifact (egov-audit-X.Y.Z.tar.gz, this release's version) with
    ansible-galaxy; install it with `ansible-galaxy collection install FILE`."""
    if repository is not None and repository_problem(repository):
        fail(_("--repository {value!r}: not an https:// address of a repository").format(
            value=repository[:100]))
    with tempfile.TemporaryDirectory(prefix="egov-audit-collection-") as work:
        artifact = build(__version__, Path(work), repository)
        output_dir.mkdir(parents=True, exist_ok=True)
        target = output_dir / artifact.name
        write_output(target, artifact.read_bytes())
    click.echo(_("collection {name}: {path}").format(name=COLLECTION,
                                                     path=terminal(str(target))))
    click.echo(_("install it: ansible-galaxy collection install {path}").format(
        path=terminal(str(target))))

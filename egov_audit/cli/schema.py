"""The published JSON Schemas: `schema NAME`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..schemas import load_schema
from .base import Command
from .options import messages_lang_option

# the published schemas, named by their files (importing the schema package would load YAML
# and validators just to list them; a test holds this equal to schemas.SCHEMA_NAMES)
PUBLISHED_SCHEMAS = tuple(sorted(p.name.removesuffix(".schema.json") for p in
                                 (Path(__file__).parent.parent / "schemas").glob("*.schema.json")))


@click.command(cls=Command)
@click.argument("name", type=click.Choice(PUBLISHED_SCHEMAS))
@messages_lang_option
def schema(name: str) -> None:
    """Print a published JSON Schema: inventory documents, policies, evidence (fact-bundle,
    network-fact-bundle), results (result-bundle, result-set)."""

    click.echo(json.dumps(load_schema(name), ensure_ascii=False, indent=2))

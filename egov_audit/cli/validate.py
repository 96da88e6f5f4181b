"""Judging inventories without a host: `validate` (the declared plan), `evaluate` (the evidence
a scan saved, offline)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click

from ..audit import AuditRequest
from ..checks.context import AuditOptions
from ..models import Severity
from ..pipeline import Run
from .base import Command, option
from .options import (
    audit_options,
    device_configs_option,
    evidence_options,
    output_options,
    policy_options,
)
from .output import emit


@click.command(cls=Command)
@click.argument("inventories", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@device_configs_option
@audit_options
@policy_options
@output_options
def validate(inventories: Sequence[Path], device_configs: Path | None,
             registry_file: Path | None,
             vrp_file: Path | None, baseline: str | None,
             level: int | None,
             documentation_as_public: bool, waivers: Path | None, policies: Path | None,
             reference_models: Path | None, fmt: str, output: Path | None, lang: str,
             color: bool | None, fail_on: str) -> None:
    """Check inventories without contacting any host: schemas, network and IP plan, server rooms,
    agency services. With several inventories, also the national checks across them."""
    request = AuditRequest(inventories=list(inventories), baseline=baseline, level=level,
                           options=AuditOptions(documentation_as_public=documentation_as_public),
                           policies_dir=policies, models_dir=reference_models, waivers=waivers,
                           device_configs=device_configs, registry_file=registry_file,
                           vrp_file=vrp_file)
    emit(Run(request).validate(), fmt, output, lang, color, fail_on,
         [*inventories, device_configs, registry_file, vrp_file, waivers,
          policies, reference_models])


@click.command("evaluate", cls=Command)
@click.argument("inventory", type=click.Path(path_type=Path))
@option("--evidence", "evidence_dir", required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="The fact bundles a scan (or plain ansible-playbook) wrote, or the "
             "ansible-runner artifacts folder of a collection run (AWX job events).")
@device_configs_option
@evidence_options
@audit_options
@policy_options
@output_options
def evaluate_cmd(inventory: Path, evidence_dir: Path, device_configs: Path | None,
                 registry_file: Path | None,
                 vrp_file: Path | None, require_explicit: bool, workers: int | None,
                 baseline: str | None, level: int | None,
                 documentation_as_public: bool, waivers: Path | None, policies: Path | None,
                 reference_models: Path | None, fmt: str, output: Path | None, lang: str,
                 color: bool | None, fail_on: str) -> None:
    """Re-evaluate saved evidence offline (for instance against a newer policy version)."""
    request = AuditRequest(inventories=[inventory], baseline=baseline, level=level,
                           options=AuditOptions(documentation_as_public, require_explicit),
                           policies_dir=policies, models_dir=reference_models, waivers=waivers,
                           device_configs=device_configs, registry_file=registry_file,
                           vrp_file=vrp_file,
                           workers=workers)
    emit_evaluated(Run(request), evidence_dir, fmt, output, lang, color, fail_on,
                   [inventory, evidence_dir, device_configs, registry_file, vrp_file, waivers,
                    policies,
                    reference_models])


def emit_evaluated(run: Run, evidence_dir: Path, fmt: str, output: Path | None,
                   lang: str, color: bool | None, fail_on: str,
                   inputs: Sequence[Path | None]) -> NoReturn:
    """An evidence folder evaluated (scan, evaluate) and emitted. `-f json -o FILE` writes the
    result bundle as it is made (tens of thousands of hosts in bounded memory) and exits 1 when
    a result fails at --fail-on or above, as `emit` does."""
    if fmt == "json" and output is not None:
        tally = run.evaluate_into(evidence_dir, output, [p for p in inputs if p])
        failing = fail_on != "none" and tally.failing_at(Severity(fail_on)) > 0
        raise click.exceptions.Exit(1 if failing else 0)
    emit(run.evaluate(evidence_dir), fmt, output, lang, color, fail_on, inputs)

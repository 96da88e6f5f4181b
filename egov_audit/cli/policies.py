"""The control catalogue: `policies list`, `show` and `matrix`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..checks.requirements import required_value, requirement_matrix
from ..checks.vocabulary import load_catalogue
from ..collection import role_fqcn
from ..i18n import _
from ..models import TargetKind
from ..policy import DEFAULT_POLICIES, DEFAULT_REFERENCE_MODELS, PolicySet
from ..report.common import label, terminal
from ..report.interface import ReportOptions, formats, render
from .base import Group, fail, option
from .options import lang_option, policy_options
from .output import write


def _named_baseline(policy: PolicySet, name: str | None, lang: str) -> str | None:
    """The id of the baseline --baseline names; a renamed baseline's former id is taken, said
    on stderr."""
    if name is None:
        return None
    baseline = policy.baseline_named(name)
    if baseline is None:
        fail(_("unknown baseline {name} (known: {known})").format(
            name=repr(name), known=", ".join(sorted(policy.baselines))))
    if baseline.id != name:
        click.echo(terminal(baseline.renamed_notice(name, "--baseline").get(lang)), err=True)
    return baseline.id


@click.group(cls=Group)
def policies() -> None:
    """The control catalogue."""


@policies.command("list")
@option("--baseline", help="Only controls of this baseline.")
@option("--level", type=click.IntRange(1, 5), help="Only controls that apply at this level.")
@option("--area", type=click.Choice(["infrastructure", "ip_addressing", "security"]))
@option("--target", type=click.Choice([kind.value for kind in TargetKind]))
@option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text")
@policy_options
@lang_option
def policies_list(baseline: str | None, level: int | None, area: str | None, target: str | None,
                  fmt: str, policies: Path | None, reference_models: Path | None,
                  lang: str) -> None:
    """List controls, filtered by baseline, level, area and target."""

    policy = load_catalogue(policies, reference_models)
    baseline = _named_baseline(policy, baseline, lang)
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

    for c in rows:
        levels = " ".join(f"{b}≥{r.from_level}" for b, r in c.baselines.items())
        click.echo(f"{c.id:<16} {c.severity.value:<8} {c.area.value:<14} {c.target.value:<11} "
                   f"{terminal(c.title.get(lang))}  [{levels}]")
    click.echo(_("{count} controls · policy {version} · {digest}…").format(
        count=len(rows), version=policy.version, digest=policy.digest[:19]), err=True)


@policies.command("show")
@click.argument("control_id")
@policy_options
@lang_option
def policies_show(control_id: str, policies: Path | None, reference_models: Path | None,
                  lang: str) -> None:
    """Show one control in full: what each baseline requires of it at each level."""
    policy = load_catalogue(policies, reference_models)
    try:
        c = policy.control(control_id.upper())
    except KeyError:
        fail(_("unknown control {name} (see `egov-audit policies list`)").format(
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
@option("--baseline", required=True, help="The baseline (see `egov-audit policies list`).")
@option("--level", type=click.IntRange(1, 5), help="The security level.")
@option("--format", "-f", "fmt", type=click.Choice(formats("matrix")), default="text",
        show_default=True)
@option("--output", "-o", type=click.Path(path_type=Path),
        help="Write it to this file instead of stdout.")
@option("--bilingual", is_flag=True,
        help="Vietnamese and English side by side (for documents a regulator reviews).")
@policy_options
@lang_option
def policies_matrix(baseline: str, level: int | None, fmt: str, output: Path | None,
                    bilingual: bool, policies: Path | None, reference_models: Path | None,
                    lang: str) -> None:
    """The requirement matrix: every control a baseline requires at a level, its clause, the
    required value, severity, who closes a gap and through which procedure."""
    policy = load_catalogue(policies, reference_models)
    named = _named_baseline(policy, baseline, lang) or baseline
    if level is None:
        meta = policy.baselines.get(named)
        if meta is not None and not meta.beside:
            fail(_("--level is needed: baseline {name} has security levels 1 to 5").format(
                name=named))
        level = 1  # a profile cites its controls from level 1: one matrix for every level
    matrix = requirement_matrix(policy, named, level)
    write(output, render("matrix", fmt, matrix, ReportOptions(lang=lang, bilingual=bilingual)),
          [policies or DEFAULT_POLICIES, reference_models or DEFAULT_REFERENCE_MODELS], fmt)

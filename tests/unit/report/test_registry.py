"""One registry of everything rendered: each subject's module renders exactly the formats the
registry lists, and the command line offers exactly those."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
import pytest

from egov_audit.cli import cli
from egov_audit.errors import UsageError
from egov_audit.report.interface import FORMATS, REPORTERS, formats, renderer, reporter


@pytest.mark.parametrize("subject", sorted(FORMATS))
def test_each_subject_renders_exactly_its_formats(subject: str) -> None:
    for module in set(FORMATS[subject].values()):
        importlib.import_module(f"egov_audit.report.{module}")
    assert sorted(fmt for s, fmt in REPORTERS if s == subject) == sorted(FORMATS[subject])
    for fmt in FORMATS[subject]:
        assert callable(renderer(subject, fmt))
        assert REPORTERS[(subject, fmt)].format == fmt
    with pytest.raises(UsageError, match="unknown format 'docx'"):
        renderer(subject, "docx")


def test_a_format_not_in_the_list_cannot_register() -> None:
    """FORMATS is the one list of format names: a module cannot add one behind its back."""
    with pytest.raises(RuntimeError, match=r"not in report\.interface\.FORMATS"):
        reporter("gaps", "docx")(lambda data, options: "")


COMMANDS = {("report",): "gaps", ("validate",): "gaps", ("scan",): "gaps",
            ("evaluate",): "gaps", ("diff",): "diff", ("rescore",): "rescore",
            ("scores",): "national", ("policies", "matrix"): "matrix"}


@pytest.mark.parametrize("path,subject", sorted(COMMANDS.items()))
def test_cli_format_choices_come_from_the_registry(path: tuple[str, ...], subject: str) -> None:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)  # loaded on demand
        assert found is not None
        command = found
    option = next(p for p in command.params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == formats(subject)


def test_reading_the_registry_imports_no_renderer() -> None:
    """The commands need the format choices when they are built: that must not cost the
    renderers of the gap report (each is loaded when its format is asked for)."""
    code = ("import sys\nfrom egov_audit.cli import cli\ncli.every_command()\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('egov_audit.report.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    loaded = set(out.split())
    assert "egov_audit.report.interface" in loaded
    renderers = {f"egov_audit.report.{name}" for name in
                 ("text", "html", "xlsx", "markdown", "csv", "junit", "sarif", "json", "gaps")}
    assert loaded & renderers == set()

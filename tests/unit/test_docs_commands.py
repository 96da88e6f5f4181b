"""What the documentation shows a user is what the tool does: the sample gap report in
docs/getting-started.md is the real output of its command (tools/gen_docs.py writes it; only
the run's time differs), and every `egov-audit ...` line of a shell block in README.md and
docs/ names a command that exists, with options that command takes."""

from __future__ import annotations

import re
import shlex
import sys

import click
import pytest

from egov_audit.cli import cli
from tests.helpers import REPO

sys.path.insert(0, str(REPO / "tools"))
from gen_docs import SAMPLE_BEGIN, SAMPLE_END, sample_report

_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```(?:sh|bash|console)\n(.*?)^```", re.S | re.M)


def test_the_sample_gap_report_is_a_real_run() -> None:
    guide = (REPO / "docs" / "getting-started.md").read_text("utf-8")
    committed = guide.partition(SAMPLE_BEGIN)[2].partition(SAMPLE_END)[0]
    assert committed, "docs/getting-started.md has no sample block"
    fresh = sample_report()
    assert _INSTANT.sub("TIME", committed) == _INSTANT.sub("TIME", fresh), \
        "the sample gap report is stale: make docs"


def _command_lines() -> list[tuple[str, str]]:
    found = []
    for page in _PAGES:
        for block in _BLOCK.findall(page.read_text("utf-8")):
            joined = block.replace("\\\n", " ")
            for line in joined.splitlines():
                line = line.split(" #", 1)[0].strip().removeprefix("$ ").removeprefix("sudo ")
                for part in re.split(r"\s*(?:&&|\||;)\s*", line):
                    part = part.strip()
                    if part.startswith(("egov-audit ", ".venv/bin/egov-audit ")):
                        found.append((page.name, part))
    return found


COMMAND_LINES = _command_lines()


def test_the_documentation_shows_many_commands() -> None:
    assert len(COMMAND_LINES) > 30
    assert {page for page, _ in COMMAND_LINES} >= {"README.md", "national.md", "remediation.md"}


def _options(command: click.Command) -> set[str]:
    names = {"--help"}
    for param in command.params:
        if isinstance(param, click.Option):
            names |= set(param.opts) | set(param.secondary_opts)
    return names


@pytest.mark.parametrize(("page", "line"), COMMAND_LINES,
                         ids=[f"{p}:{line[:60]}" for p, line in COMMAND_LINES])
def test_each_documented_command_exists_with_its_options(page: str, line: str) -> None:
    try:
        words = shlex.split(line)[1:]
    except ValueError:  # an unfinished quote in prose-like examples: nothing to check
        pytest.skip("not a complete command line")
    _check(page, line, words)


def _check(page: str, line: str, words: list[str]) -> None:
    command: click.Command = cli
    taken = _options(cli)  # the group's own (--lang, --version) go before the command
    context = click.Context(cli)
    for index, word in enumerate(words):
        if word == "--":  # `lab exec -- egov-audit ...`: the command it runs, checked too
            rest = words[index + 1:]
            if rest[:1] == ["egov-audit"]:
                _check(page, line, rest[1:])
            break
        if word.startswith("-"):
            name = word.split("=", 1)[0]
            assert name in taken | _options(command), f"{page}: {line}: no option {name}"
            continue
        if isinstance(command, click.Group) and words[index - 1:index] != ["--lang"]:
            sub = command.get_command(context, word)
            if sub is None and word in ("...", "…"):
                break
            assert sub is not None, f"{page}: {line}: no command {word!r}"
            command, context = sub, click.Context(sub, parent=context)

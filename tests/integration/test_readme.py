"""README.md and the documentation say what is true: the README starts a new user with the two
commands and stays short, the annotated inventory example is a real, valid inventory, every
command example runs as shown, and the tables of commands and options match the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import REPO, bundle_dict, run_cli

# the README and the guide's pages (the reference documents, AWX.md's templates included, show
# commands with placeholders a reader fills in)
GUIDE = ("index", "getting-started", "inventory", "scanning", "network-devices", "server-rooms",
         "portals", "remediation", "lab", "national", "policies", "cli", "layout")
PAGES = [REPO / "README.md", *(REPO / "docs" / f"{name}.md" for name in GUIDE)]


def test_the_readme_starts_with_the_two_commands_and_stays_short() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) < 250
    first = re.search(r"```sh\n(.*?)```", readme, flags=re.S)
    assert first is not None
    assert [line.split("#")[0].strip() for line in first.group(1).splitlines()] == \
        ["make demo", "make test"]


def test_readme_inventory_example_validates(tmp_path: Path) -> None:
    readme = "".join(page.read_text("utf-8") for page in PAGES)  # inventory.md, scanning.md
    blocks = re.findall(r"```yaml\n# (hosts\.yml|group_vars/all/\w+\.yml)[^\n]*\n(.*?)```",
                        readme, flags=re.S)
    assert {name for name, _ in blocks} == {"hosts.yml", "group_vars/all/agency.yml",
                                            "group_vars/all/network.yml",
                                            "group_vars/all/server_rooms.yml",
                                            "group_vars/all/workers.yml"}
    for name, body in blocks:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
    proc = run_cli("validate", str(tmp_path), "-f", "json", "--lang", "en")
    assert proc.returncode == 1, proc.stderr  # the example has gaps, and no input error
    data = bundle_dict(proc.stdout)
    failing = {r["control"] for r in data["results"] if r["status"] == "fail"}
    assert {"NET-ZONE-02", "NET-ASN-01", "ROOM-LOC-01"} <= failing


# -- the command examples: each one that needs no host, lab or root runs as the README shows --

# real hosts, root, or portals on the network: the lab tests run those (inside the lab internet)
SKIP = ("sudo ", "make ", "egov-audit scan ", "egov-audit probe ")


def _commands() -> list[tuple[str, str]]:
    """(page:line, command) of every egov-audit example in the sh blocks of the README and the
    documentation, continuation lines joined, comments and optional [...] parts dropped, in
    the order a reader meets them."""
    out = []
    for page in PAGES:
        readme = page.read_text("utf-8")
        for block in re.finditer(r"```sh\n(.*?)```", readme, flags=re.S):
            first = readme[:block.start()].count("\n") + 2
            text = block.group(1).replace("\\\n", " ")
            for offset, line in enumerate(text.splitlines()):
                line = re.sub(r"\s+#.*$", "", line).strip()
                line = re.sub(r"\s\[[^\]]*\]", "", line)
                if line.startswith("egov-audit ") or line.startswith(SKIP):
                    out.append((f"{page.relative_to(REPO)}:{first + offset}", line))
    return out


@pytest.mark.slow  # some twenty runs of the command line
def test_the_readme_command_examples_run(tmp_path: Path) -> None:
    """In a workspace with what the README says comes before (an agency's evidence, a key
    registry the inspectors keep, a newer catalogue), every example runs, exits 0 or 1 (the
    README's codes: 1 means findings) and writes the files it names."""
    import shlex
    import shutil

    from egov_audit.evidence.model import now
    from tests.helpers import build_evidence

    work = tmp_path / "work"
    shutil.copytree(REPO / "inventories", work / "inventories")
    shutil.copytree(REPO / "docs" / "samples", work / "docs" / "samples")  # the registry sample
    # hosts with one fixable gap, so that `fix` has a playbook to write
    evidence = build_evidence(work / "evidence" / "song-lam", work / "inventories" / "song-lam",
                              {"set": {"sshd.maxauthtries": 10}})
    for bundle in evidence.glob("*.json"):  # as if the README's scan had just run
        data = bundle_dict(bundle.read_text())
        data["collected_at"] = now()
        bundle.write_text(json.dumps(data))
    shutil.copytree(REPO / "policies", work / "policies-2027")
    ran = []
    for line, command in _commands():
        if command.startswith(SKIP) or "--apply" in command:
            continue
        args = shlex.split(command)[1:]
        # what the README's prose puts before each step
        if args[0] in ("fix", "report") and not (work / "song-lam.json").exists():
            _cli(work, "evaluate", "inventories/song-lam", "--evidence", "evidence/song-lam",
                 "-f", "json", "-o", "song-lam.json")
        if args[0] == "verify":
            (work / "registry").mkdir(exist_ok=True)
            shutil.copy(work / "keys" / "song-lam.pub", work / "registry")
        if args[0] == "collect":
            (work / "bundles").mkdir(exist_ok=True)
            shutil.copy(work / "song-lam.signed.json", work / "bundles")
        if args[0] == "diff":
            for name in ("last-quarter.json", "today.json"):
                if not (work / name).exists():
                    _cli(work, "validate", "inventories/song-lam", "-f", "json", "-o", name)
        # the shell would expand a wildcard
        args = [found for a in args for found in
                (sorted(str(p.relative_to(work)) for p in work.glob(a)) if "*" in a else [a])]
        done = run_cli(*args, cwd=work)
        # 1 means findings: only the commands that report them may exit 1
        allowed = (0, 1) if args[0] in ("validate", "evaluate", "report") else (0,)
        assert done.returncode in allowed, (line, command, done.stdout[-500:], done.stderr)
        assert "error" not in done.stderr and "refused" not in done.stderr, (line, command,
                                                                            done.stderr)
        for flag in ("-o", "--out"):
            if flag in args:
                assert (work / args[args.index(flag) + 1]).exists(), (line, command)
        ran.append(args[0])
    assert {"evaluate", "fix", "keygen", "validate", "sign", "verify", "collect", "scores",
            "rescore", "policies", "diff"} <= set(ran)


def _cli(work: Path, *args: str) -> None:
    done = run_cli(*args, cwd=work)
    assert done.returncode in (0, 1), done.stderr


def _table(title: str) -> list[str]:
    readme = (REPO / "docs" / "cli.md").read_text("utf-8")
    section = readme.split(title, 1)[1].split("\n\n", 2)[1]
    # an escaped pipe inside a cell is not a column separator
    return [row.replace("\\|", "/") for row in section.splitlines() if row.startswith("| `")]


def test_the_options_table_matches_the_command_line() -> None:
    import click

    from egov_audit.cli import cli

    def options(name: str) -> set[str]:
        command = cli.every_command()[name]
        return {opt for p in command.params if isinstance(p, click.Option) for opt in p.opts
                if opt.startswith("--") and opt != "--help"}

    shared = options("validate") & options("scan") & options("evaluate")
    rows = _table("Options of `validate`, `scan`, `evaluate` and `report`:")
    documented = {opt.split()[0].split("/")[0] for row in rows
                  for opt in re.findall(r"`(--[a-z-]+(?:/--[a-z-]+)?[^`]*)`", row.split("|")[1])}
    assert documented == shared
    formats = re.findall(r"`([a-z]+)`", next(r for r in rows if "`--format`" in r).split("|")[2])
    choice = next(p for p in cli.every_command()["validate"].params if p.name == "fmt").type
    assert isinstance(choice, click.Choice) and set(formats) == set(choice.choices)


def test_the_commands_table_lists_every_command() -> None:
    from egov_audit.cli import cli

    rows = _table("## The command line")
    listed = {name for row in rows for name in re.findall(r"`egov-audit ([a-z]+)", row)}
    listed |= {name for row in rows for name in re.findall(r", `([a-z]+)`", row.split("|")[1])}
    assert listed == set(cli.every_command())

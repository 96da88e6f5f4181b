"""The command line's message catalog, made with Babel: `make messages` runs this to write
egov_audit/locale/egov_audit.pot and update the Vietnamese catalog from it, and
`make compile-messages` (with --compile) writes the .mo the tool reads.

The messages are: every `_()` and `ngettext()` in egov_audit's code (Babel's
extractor); every help text of the command tree (command descriptions, option help, the words
shown for defaults), read from Click's objects as they are shown; and Click's own messages
("Usage:", "Missing option", ...), extracted from the installed Click."""

from __future__ import annotations

import argparse
import inspect
import io
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_file  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from egov_audit.i18n import DOMAIN, LOCALE_DIR  # noqa: E402

KEYWORDS = {"_": None, "ngettext": (1, 2), "Message": None}  # Message: errors.py
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types")
# words Click looks up through a variable (`_(extra["required"])`): extraction cannot see them
CLICK_LOOKED_UP = ("required",)
POT = LOCALE_DIR / f"{DOMAIN}.pot"
# the catalogs' header dates stay put: a rebuilt catalog differs only where a message did
FIXED_DATE = datetime(2026, 12, 1, tzinfo=UTC)


def _po(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _code_messages(root: Path, files: Iterator[Path]) -> Iterator[tuple[object, str]]:
    for path in files:
        for _lineno, message, _comments, _context in extract_from_file(
                "python", str(path), keywords=KEYWORDS):
            yield message, str(path.relative_to(root))


def _help_texts() -> Iterator[tuple[str, str]]:
    import click

    from egov_audit.cli import cli

    def walk(command: click.Command, path: str) -> Iterator[tuple[str, str]]:
        if command.help:
            yield inspect.cleandoc(command.help), path
        context = click.Context(command)
        # the usage line's words and the options' metavars, as Click writes them in English
        usage = click.Group if isinstance(command, click.Group) else click.Command
        for piece in usage.collect_usage_pieces(command, context):
            if "|" not in piece:  # a list of choices is the values themselves
                yield piece, f"{path}:usage"
        for param in command.params:
            if isinstance(param, click.Option):
                if param.help:
                    yield param.help, f"{path}:{param.opts[0]}"
                if isinstance(param.show_default, str):
                    yield param.show_default, f"{path}:{param.opts[0]}:default"
                metavar = click.Option.make_metavar(param, context)
                # a list of choices is the values themselves: nothing to translate
                if not param.is_flag and not param.count and "|" not in metavar:
                    yield metavar, f"{path}:{param.opts[0]}:metavar"
        if isinstance(command, click.Group):
            context = click.Context(command)  # the top group loads each command on demand
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                if sub is not None:
                    yield from walk(sub, f"{path}:{name}")

    yield from walk(cli, "egov-audit")


def catalog() -> Catalog:
    """Every message the command line can show, as a Babel catalog (the template)."""
    import click

    template = Catalog(project="egov-audit", domain=DOMAIN, charset="utf-8",
                       creation_date=FIXED_DATE, revision_date=FIXED_DATE)
    package = REPO / "egov_audit"
    for message, where in _code_messages(REPO, iter(sorted(package.rglob("*.py")))):
        template.add(message, locations=[(where, None)])  # type: ignore[arg-type]
    click_root = Path(click.__file__).parent
    for message, where in _code_messages(click_root.parent, (
            click_root / f"{name}.py" for name in CLICK_MODULES)):
        template.add(message, locations=[(where, None)], auto_comments=["Click"])  # type: ignore[arg-type]
    for message in CLICK_LOOKED_UP:
        template.add(message, locations=[("click/core.py", None)], auto_comments=["Click"])  # type: ignore[arg-type]
    for text, where in _help_texts():
        template.add(text, locations=[(where, None)], auto_comments=["--help"])
    return template


def _written(cat: Catalog) -> bytes:
    out = io.BytesIO()
    cat.creation_date = cat.revision_date = FIXED_DATE
    write_po(out, cat, width=100, sort_output=True, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compile", action="store_true", help="write the .mo files only")
    args = parser.parse_args()
    languages = [p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir()]
    if not args.compile:
        template = catalog()
        POT.write_bytes(_written(template))
        for lang in languages:
            with _po(lang).open("rb") as handle:
                translated = read_po(handle, locale=lang)
            translated.update(template, no_fuzzy_matching=True)
            _po(lang).write_bytes(_written(translated))
    for lang in languages:
        with _po(lang).open("rb") as handle:
            translated = read_po(handle, locale=lang)
        with _po(lang).with_suffix(".mo").open("wb") as handle:
            write_mo(handle, translated)


if __name__ == "__main__":
    main()

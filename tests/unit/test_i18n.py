"""Every message the command line can show exists in Vietnamese and in English: the gettext
catalog (egov_audit/locale/) covers every `_()` of the code, every help text of the command
tree and Click's own messages; the compiled catalog is the current one; the language follows
--lang, then $EGOV_AUDIT_LANG, and is Vietnamese by default."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from egov_audit.i18n import DOMAIN, LOCALE_DIR, language_from
from tests.helpers import REPO, build_inventory, run_cli


def _tool() -> Any:
    """tools/messages.py: how `make messages` builds the catalog."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("egov_messages", REPO / "tools/messages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


messages = _tool()

PO = LOCALE_DIR / "vi" / "LC_MESSAGES" / f"{DOMAIN}.po"
PLACEHOLDERS = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sd]")


@pytest.fixture(scope="module")
def vietnamese() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="vi")


@pytest.fixture(scope="module")
def template() -> Catalog:
    return messages.catalog()


def _ids(catalog: Catalog) -> set[Any]:
    return {m.id for m in catalog if m.id}


def test_every_message_has_its_vietnamese(vietnamese: Catalog, template: Catalog) -> None:
    untranslated = []
    for message in template:
        if not message.id:
            continue
        found = vietnamese.get(message.id)
        strings = found.string if found is not None else None
        texts = strings if isinstance(strings, tuple) else (strings,)
        if found is None or found.fuzzy or not all(texts):
            untranslated.append(message.id)
    assert untranslated == [], "run `make messages` and translate egov_audit/locale/vi"


def test_placeholders_survive_translation(vietnamese: Catalog) -> None:
    """A translation names the same placeholders as its English (Vietnamese has one plural
    form: it follows the English plural)."""
    for message in vietnamese:
        if not message.id:
            continue
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in targets:
            assert set(PLACEHOLDERS.findall(text)) == set(PLACEHOLDERS.findall(source)), \
                (message.id, text)


def test_the_catalog_is_current(vietnamese: Catalog, template: Catalog) -> None:
    """No message is missing and none is left over: `make messages` was run after the code
    changed, and the template on disk is what it writes."""
    assert _ids(vietnamese) == _ids(template)
    assert messages.POT.read_bytes() == messages._written(template)


def test_the_compiled_catalog_is_the_current_one(vietnamese: Catalog) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, vietnamese)
    assert PO.with_suffix(".mo").read_bytes() == compiled.getvalue(), \
        "run `make compile-messages`"


@pytest.mark.parametrize(("argv", "environ", "expected"), [
    ([], {}, "vi"),
    ([], {"EGOV_AUDIT_LANG": "en"}, "en"),
    (["validate", "--lang", "en", "x"], {"EGOV_AUDIT_LANG": "vi"}, "en"),
    (["validate", "--lang=vi"], {"EGOV_AUDIT_LANG": "en"}, "vi"),
    (["validate", "--lang", "fr"], {"EGOV_AUDIT_LANG": "xx"}, "vi"),
    # the platform's conventions, in gettext's order, after --lang and $EGOV_AUDIT_LANG
    ([], {"LANG": "en_US.UTF-8"}, "en"),
    ([], {"LANG": "vi_VN.UTF-8"}, "vi"),
    ([], {"LANG": "C.UTF-8"}, "vi"),
    ([], {"LANG": "POSIX"}, "vi"),
    ([], {"LANG": "fr_FR.UTF-8"}, "vi"),
    ([], {"LC_MESSAGES": "en_GB", "LANG": "vi_VN.UTF-8"}, "en"),
    ([], {"LC_ALL": "vi_VN@euro", "LC_MESSAGES": "en_GB"}, "vi"),
    ([], {"LANGUAGE": "fr:en:vi", "LC_ALL": "vi_VN.UTF-8"}, "en"),
    ([], {"LANGUAGE": "de", "LC_ALL": "", "LANG": "en_US"}, "en"),
    ([], {"EGOV_AUDIT_LANG": "vi", "LANG": "en_US.UTF-8"}, "vi"),
    (["--lang", "vi"], {"LANGUAGE": "en"}, "vi"),
])
def test_the_language_of_a_run(argv: list[str], environ: dict[str, str],
                               expected: str) -> None:
    assert language_from(argv, environ) == expected


def test_every_command_takes_lang_even_before_the_command() -> None:
    """`egov-audit --lang en --help`, as the README says every command takes it."""
    proc = run_cli("--lang", "en", "--help", env={"EGOV_AUDIT_LANG": "vi"})
    assert proc.returncode == 0, proc.stderr
    assert "Usage: egov-audit" in proc.stdout and "Options" in proc.stdout
    proc = run_cli("--lang", "vi", "--help")
    assert proc.returncode == 0 and "Cách dùng: egov-audit" in proc.stdout, proc.stderr


def test_a_reader_that_goes_away_ends_the_run_quietly() -> None:
    """`egov-audit policies list | head -1`: exit 141 (as SIGPIPE would), no "internal
    error", no traceback, no "Exception ignored" at the interpreter's exit. The reader is gone
    before the first write (a pipe whose read end is closed), so it is the same every run."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, "-m", "egov_audit", "policies", "list"],
                              stdout=write, stderr=subprocess.PIPE, text=True, timeout=120,
                              check=False, cwd=REPO)
    finally:
        os.close(write)
    assert proc.returncode == 141, proc.stderr
    for said in ("internal error", "Traceback", "Exception ignored", "BrokenPipe"):
        assert said not in proc.stderr, proc.stderr


def _help(*args: str) -> str:
    from egov_audit.cli import cli

    result = CliRunner().invoke(cli, list(args))
    return result.output


@pytest.mark.parametrize("command", [[], ["validate"], ["scan"], ["fix"], ["policies", "list"],
                                     ["lab", "up"], ["collect"]])
def test_help_speaks_vietnamese_and_english(command: list[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGOV_AUDIT_LANG", "vi")
    vietnamese = _help(*command, "--help")
    english = _help(*command, "--help", "--lang", "en") if command and command[0] not in (
        "lab", "collect") else None
    assert vietnamese.startswith("Cách dùng:") and "Tùy chọn:" in vietnamese
    assert "Show this message and exit." not in vietnamese
    if english is not None:
        assert english.startswith("Usage:") and "Options:" in english


def test_vietnamese_help_has_no_english_metavar(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command's usage line and every option's metavar in the run's language: no
    [OPTIONS], TEXT, PATH, FILE, INTEGER RANGE... left in Vietnamese help."""
    import click

    from egov_audit.cli import cli

    monkeypatch.setenv("EGOV_AUDIT_LANG", "vi")
    english = re.compile(r"\[OPTIONS\]|\b(TEXT|PATH|FILE|DIRECTORY|INTEGER|FLOAT|COMMAND|ARGS|"
                         r"INVENTOR(Y|IES)|BUNDLES?|RANGE)\b")
    seen = 0

    def walk(command: click.Command, path: list[str]) -> None:
        nonlocal seen
        shown = _help(*path, "--help")
        assert shown.startswith("Cách dùng:"), (path, shown[:200])
        usage, options = shown.split("\n", 1)[0], shown.split("Tùy chọn:", 1)[-1]
        metavars = [line.split()[1] for line in options.splitlines()
                    if line.startswith("  -") and len(line.split()) > 1
                    and not line.split()[1][0].islower()]
        assert not english.search(usage + " " + " ".join(metavars)), (path, usage, metavars)
        seen += 1
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                if sub is not None:
                    walk(sub, [*path, name])

    walk(cli, [])
    assert seen > 30


def test_errors_speak_the_language_of_the_run(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    from egov_audit.cli import cli

    monkeypatch.setenv("EGOV_AUDIT_LANG", "vi")
    missing = CliRunner().invoke(cli, ["validate"])
    assert missing.exit_code == 2 and "Lỗi: Thiếu đối số 'INVENTORIES...'" in missing.output
    unknown = CliRunner().invoke(cli, ["policies", "show", "NOPE"])
    assert "egov-audit: lỗi: biện pháp kiểm soát không xác định 'NOPE'" in unknown.output
    english = CliRunner().invoke(cli, ["policies", "show", "NOPE", "--lang", "en"])
    assert "egov-audit: error: unknown control 'NOPE'" in english.output


def test_every_command_takes_lang() -> None:
    """--lang chooses the language of any run, not only of the commands that write reports."""
    import click

    from egov_audit.cli import cli

    def leaves(command: click.Command) -> list[click.Command]:
        if isinstance(command, click.Group):
            context = click.Context(command)  # the top group loads each command on demand
            return [leaf for name in command.list_commands(context)
                    for leaf in leaves(command.get_command(context, name) or command)]
        return [command]

    missing = [c.name for c in leaves(cli)
               if not any("--lang" in p.opts for p in c.params if isinstance(p, click.Option))]
    assert missing == []
    done = CliRunner().invoke(cli, ["schema", "agency", "--lang", "vi"])
    assert done.exit_code == 0 and '"$schema"' in done.output


@pytest.mark.parametrize(("patch", "vietnamese", "english"), [
    ({"set": {"hosts.web01.addresses": ["192.0.2.300"]}},
     "không phải địa chỉ IPv4 hợp lệ", "'192.0.2.300' is not a valid IPv4 address"),
    ({"set": {"agency.level": 9}},
     "9 lớn hơn giá trị tối đa 5", "9 is greater than the maximum of 5"),
    ({"set": {"agency.kind": "county"}},
     "'county' không thuộc các giá trị", "'county' is not one of"),
    ({"delete": ["agency.baseline"]},
     "thiếu thuộc tính bắt buộc 'baseline'", "'baseline' is a required property"),
])
def test_errors_from_deep_inside_speak_the_language_of_the_run(
        tmp_path: Path, patch: dict[str, Any], vietnamese: str, english: str) -> None:
    """The loader, the address parser and the schema raise English Messages; the CLI says them
    in the run's language, with the same file and line."""
    inventory = build_inventory(tmp_path / "agency", patch=patch)
    said = {lang: run_cli("validate", str(inventory), "--lang", lang) for lang in ("vi", "en")}
    for lang, proc in said.items():
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, (lang, proc.stderr)
    assert vietnamese in said["vi"].stderr and english not in said["vi"].stderr
    assert english in said["en"].stderr
    where = said["en"].stderr.split(": ")[2]  # egov-audit: error: FILE:LINE:COL: ...
    assert where in said["vi"].stderr


def test_a_message_kept_in_a_result_stays_english_in_any_language() -> None:
    """Bundles keep what they are told in English whoever made them: only the CLI translates."""
    from egov_audit.errors import Message, UsageError, message_of, translated
    from egov_audit.i18n import use

    error = ValueError(Message("{text!r} is not an IP address", text="x"))
    try:
        use("vi")
        assert str(error) == "'x' is not an IP address" and str(message_of(error)) == str(error)
        assert translated(error) == "'x' không phải địa chỉ IP"
        wrapped = UsageError(Message("host {name!r}: {exc}", name="h", exc=error), file="f")
        assert wrapped.one_line() == "f: host 'h': 'x' is not an IP address"
        assert wrapped.said() == "f: máy chủ 'h': 'x' không phải địa chỉ IP"
    finally:
        use("en")


def test_a_message_survives_copy_and_pickle() -> None:
    import copy
    import pickle

    from egov_audit.errors import Message

    message = Message("{value!r} is not one of {allowed!r}", value="{x}", allowed=["a"])
    for again in (copy.deepcopy(message), pickle.loads(pickle.dumps(message))):
        assert again == message == "'{x}' is not one of ['a']"
        assert isinstance(again, Message) and again.values == message.values

"""docs/GLOSSARY.md is the one glossary: every Vietnamese text a person reads (the CLI's
catalog, the reports' labels) says a term with its word wherever the English says the term."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from egov_audit.i18n import LOCALE_DIR
from egov_audit.report.common import LABELS
from egov_audit.serve.labels import WORDS
from tests.helpers import REPO

# identifiers are not words: `code`, --options, {placeholders}, METAVARS, paths and file names
_IDENTIFIERS = re.compile(r"`[^`]*`|--[\w-]+|\{[^}]*\}|\b[A-Z][A-Z_]+\b|[\w<>-]*[_/.][\w<>./-]*")


def _glossary() -> list[tuple[list[str], list[str], dict[str, str]]]:
    rows = []
    text = (REPO / "docs" / "GLOSSARY.md").read_text("utf-8")
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("English", "---"):
            continue
        compounds = dict(part.split(" = ") for part in cells[2].split(", ") if " = " in part)
        rows.append(([t.strip() for t in cells[0].split(",")],
                     [w.strip() for w in cells[1].split(",")], compounds))
    return rows


def _texts() -> Iterator[tuple[str, str]]:
    with (LOCALE_DIR / "vi" / "LC_MESSAGES" / "egov_audit.po").open("rb") as handle:
        for message in read_po(handle):
            if message.id and isinstance(message.id, str) and "Click" not in \
                    message.auto_comments:
                yield message.id, str(message.string)
    for text in LABELS.values():
        yield text.en, text.vi
    for text in WORDS.values():  # the national service's own words
        yield text.en, text.vi


def test_the_glossary_is_read() -> None:
    terms = {t for english, _, _ in _glossary() for t in english}
    assert {"inventory", "evidence", "bundle", "baseline", "control", "waiver"} <= terms


@pytest.mark.parametrize(("english", "words", "compounds"), _glossary(),
                         ids=lambda value: value[0] if isinstance(value, list) else "")
def test_each_term_has_one_word_everywhere(english: list[str], words: list[str],
                                           compounds: dict[str, str]) -> None:
    wrong = []
    for source, vietnamese in _texts():
        plain = " ".join(_IDENTIFIERS.sub(" ", source).split())
        said = " ".join(vietnamese.split()).lower()
        for compound, word in compounds.items():
            if re.search(rf"\b{re.escape(compound)}s?\b", plain, re.I):
                plain = re.sub(rf"\b{re.escape(compound)}s?\b", " ", plain, flags=re.I)
                if word not in said:
                    wrong.append((source[:80], vietnamese[:80]))
        if any(re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", plain, re.I) for t in english) \
                and not any(w in said for w in words):
            wrong.append((source[:80], vietnamese[:80]))
    assert wrong == []


# the tone mark on the main vowel, as Vietnamese legal texts write them (hóa, khóa, xóa, tùy,
# thủy): never on the last letter of a word-final oa, oe or uy (hoá, khoá, tuỳ), except after
# q, where u belongs to the consonant (quý)
_NEW_STYLE = re.compile(r"(?<![qQ])(?:[oO][áàảãạéèẻẽẹ]|[uU][ýỳỷỹỵ])(?![\wÀ-ỹ])")


def test_one_spelling_convention_everywhere() -> None:
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=REPO,
                             check=True).stdout.split()
    found = []
    for name in tracked:
        path = REPO / name
        if path.suffix in (".mo", ".png", ".xlsx", ".gz", ".db") or not path.is_file() \
                or path == Path(__file__):  # this file names the forms it forbids
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{name}: {m.group(0)}" for m in _NEW_STYLE.finditer(text)]
    assert found == [], found[:20]

"""One sanitiser per medium. Everything a report shows may come from a hostile place (a bundle
from another agency, a host that is compromised, a file name in an inventory), so every reporter
and every table, the national ones included, passes untrusted text through the function of its
medium, and only here is it decided what is dangerous there:

- `terminal`: no control sequence (ESC, CSI, OSC, BEL, backspace, C1) and no bidirectional
  override reaches a terminal; newlines and tabs become spaces (one item, one line);
- `markdown`: inert text: no markup, no HTML, no link, no table break, one line;
- `cell`: a CSV or XLSX cell that a spreadsheet never runs as a formula;
- `xml_text`: only characters XML 1.0 can carry (the serialiser escapes the rest);
- `sarif`: text for code-scanning UIs (SARIF's JSON escapes quotes, not what a reader sees):
  every control character and bidirectional override made visible;
- `html`: escaped text for HTML (the HTML report's Jinja environment autoescapes with the same
  rule and strips the same control characters).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment


class _Pattern:
    """A regular expression compiled when first used: these Unicode character classes take
    milliseconds each to compile, and a command uses one or two of them (cold start)."""

    def __init__(self, source: str) -> None:
        self.source = source

    @cached_property
    def _compiled(self) -> re.Pattern[str]:
        return re.compile(self.source)

    def sub(self, replacement: str | Callable[[re.Match[str]], str], text: str) -> str:
        return self._compiled.sub(replacement, text)

    def search(self, text: str) -> re.Match[str] | None:
        return self._compiled.search(text)


# C0 controls except tab/newline, DEL, C1 controls; and the Unicode bidirectional controls
# (they reorder what a reader sees: "Trojan Source")
_CONTROL = _Pattern(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                      r"\u2066-\u2069]")
_WHITESPACE_CONTROL = _Pattern(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]")
REPLACEMENT = "\ufffd"
# reports repeat the same texts thousands of times (titles, clauses, observed values per host):
# the sanitisers are pure, so each distinct text is sanitised once
_cached = lru_cache(maxsize=1 << 16)
# XML 1.0's Char production; the rest cannot be carried, even escaped
_NOT_XML = _Pattern("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@_cached
def clean(text: str, limit: int = 2000) -> str:
    """Untrusted text with every control character made visible (U+FFFD); newlines and tabs are
    kept (for media that wrap or quote them)."""
    text = _CONTROL.sub(REPLACEMENT, str(text))
    return _cut(text, limit)


@_cached
def sarif(text: str, limit: int = 4000) -> str:
    """Text of a SARIF log: JSON keeps U+202E and friends as they are, and the UIs that show
    SARIF (code scanning, IDEs) render them, reordering what the reader sees."""
    return clean(text, limit)


@_cached
def terminal(text: str, limit: int = 2000) -> str:
    """Untrusted text for a terminal line: no control sequence, no line break."""
    text = _WHITESPACE_CONTROL.sub(" ", str(text))
    return clean(text, limit)


# every ASCII punctuation that can start markup in CommonMark or GitHub Markdown: emphasis,
# code, links and images, HTML and entities, tables, headings, strikethrough
_MD_SPECIAL = _Pattern(r"([\\`*_{}\[\]()<>#+!|~&])")
# the colon of a URL scheme (`javascript:x`, `https://`): escaped, no link can form
_SCHEME = _Pattern(r"(?<=[A-Za-z0-9+.\-]):(?=/|[A-Za-z])")


# anything the terminal sanitiser would change (a fast test: most texts hold none of it)
_ANY_CONTROL = _Pattern(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                          r"\u2066-\u2069]")


@_cached
def markdown(text: str, limit: int = 600) -> str:
    """Untrusted text as inert Markdown on one line: every markup character escaped, URL
    schemes broken (`javascript:` and autolinks), no raw HTML."""
    text = str(text)
    if len(text) > limit:
        text = _cut(text, limit)
    if _ANY_CONTROL.search(text):  # reports hold tens of thousands of texts: the rare case only
        text = " ".join(terminal(text, limit).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _SCHEME.sub(r"\\:", text) if ":" in text else text


# `clean`'s characters and those XML cannot hold, in one pass
_NOT_IN_CELL = _Pattern("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                          "\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
# what makes a spreadsheet cell a formula, in ASCII and full-width forms
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CELL_LIMIT = 32_000  # Excel's own limit is 32,767 characters


@_cached
def cell(value: object) -> object:
    """A CSV or XLSX cell: numbers stay numbers; text never starts a formula (a leading
    apostrophe, as spreadsheets themselves mark text) and carries no control character nor any
    character XML cannot hold (an XLSX file is XML: one such character makes it unreadable)."""
    if value is None or isinstance(value, (int, float)):
        return value
    text = _cut(_NOT_IN_CELL.sub(REPLACEMENT, str(value)), CELL_LIMIT)
    if text.lstrip(" ").startswith(_FORMULA_START):
        return "'" + text
    return text


def cell_text(value: object) -> str:
    """`cell` for CSV, where every cell is text."""
    out = cell(value)
    return "" if out is None else str(out)


@_cached
def xml_text(text: str, limit: int = 10_000) -> str:
    """Untrusted text for an XML element or attribute (the serialiser escapes < > & ")."""
    text = _CONTROL.sub(REPLACEMENT, str(text))
    return _cut(_NOT_XML.sub(REPLACEMENT, text), limit)


@_cached
def html(text: str, limit: int = 10_000) -> str:
    """Untrusted text, escaped for HTML."""
    # MarkupSafe: only for HTML
    from markupsafe import escape

    return str(escape(clean(text, limit)))


# what JSON inside an HTML <script> element may not hold as it is: nothing in it can then end
# the element or open markup (U+2028/2029 are line ends to older JavaScript parsers)
_JSON_IN_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                               "\u2028": "\\u2028", "\u2029": "\\u2029"})


def html_json(rows: Sequence[Sequence[str]]) -> str:
    """Rows of untrusted text for a `<script type="application/json">` element of an HTML
    report (a long table the report's own script fills in when it is opened): each text
    through `clean` as shown text is, the JSON escaped so that it stays data. The script puts
    the values in the page as text (textContent), never as markup."""
    data = [[clean(str(value), 100_000) for value in row] for row in rows]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_IN_HTML)


def html_environment(package: str = "egov_audit.report", **options: Any) -> Environment:
    """The Jinja environment of every HTML report and page (`package`: whose templates folder):
    autoescape on for every template, untrusted
    text through `finalize` (control characters out before autoescape escapes it; markup we built
    ourselves is left as it is), nothing from a file ever used as a template."""
    # Jinja and MarkupSafe: only for HTML
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    def finalize(value: object) -> object:
        # called for every {{ }} of a report: kept to one type test and one cached call
        if type(value) is str:
            return clean(value, 100_000)
        if isinstance(value, str) and not isinstance(value, Markup):
            return clean(str(value), 100_000)
        return value

    return Environment(loader=PackageLoader(package, "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       finalize=finalize, **options)

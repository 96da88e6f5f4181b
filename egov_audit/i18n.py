"""The command line's own words in Vietnamese and English, as gettext catalogs: the source text
is English; egov_audit/locale/vi/LC_MESSAGES/egov_audit.po holds the Vietnamese, compiled to
egov_audit.mo (`make messages` extracts and updates with Babel, `make compile-messages`
compiles). Reports carry their words as Text (vi, en) pairs; this is for everything around
them: --help, progress, summaries and errors, Click's own included. Vietnamese comes first: it
is the default unless --lang, $EGOV_AUDIT_LANG or the platform's locale (LANGUAGE, LC_ALL,
LC_MESSAGES, LANG) says otherwise."""

from __future__ import annotations

import functools
import gettext
import importlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

DOMAIN = "egov_audit"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("vi", "en")
DEFAULT = "vi"
ENVIRONMENT = "EGOV_AUDIT_LANG"

# Click's modules that look their words up through gettext (`from gettext import gettext as
# _`): pointed at the active catalog, so "Usage:", "Options" and Click's errors follow the
# language too. The catalog holds Click's messages as well (tests/unit/test_i18n.py checks it)
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types")

_active: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def _(message: str) -> str:
    return _active.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _active.ngettext(singular, plural, count)


@functools.cache
def catalog(lang: str) -> gettext.NullTranslations:
    """A language's catalog, for a text said in a language other than the run's (the national
    service answers each request in its own)."""
    if lang not in LANGUAGES or lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=False)


def said_in(message: str, lang: str) -> str:
    """A message (an errors.Message: its template and values) in `lang`, whatever the run's
    language is; any other text as it is."""
    template, values = getattr(message, "template", None), getattr(message, "values", None)
    if not isinstance(template, str) or not isinstance(values, dict):
        return str(message)
    return catalog(lang).gettext(template).format(
        **{key: said_in(value, lang) if isinstance(value, str) else value
           for key, value in values.items()})


def language() -> str:
    return _language


# the platform's own conventions, in gettext's order: LANGUAGE (a list, "vi:en"), then the
# locale that names the messages' language (LC_ALL, LC_MESSAGES, LANG: "vi_VN.UTF-8")
PLATFORM = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def _named(value: str) -> str | None:
    """The language a locale name or a LANGUAGE list names first: vi, en, or None (C, POSIX,
    a language this tool does not speak)."""
    for item in value.split(":"):
        code = item.split(".", 1)[0].split("@", 1)[0].split("_", 1)[0].lower()
        if code in LANGUAGES:
            return code
    return None


def language_from(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> str:
    """--lang on the command line, else $EGOV_AUDIT_LANG, else the first of $LANGUAGE,
    $LC_ALL, $LC_MESSAGES, $LANG that names vi or en, else Vietnamese."""
    for index, arg in enumerate(argv):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else (
            argv[index + 1] if arg == "--lang" and index + 1 < len(argv) else None)
        if value in LANGUAGES:
            return value
    value = environ.get(ENVIRONMENT, "")
    if value in LANGUAGES:
        return value
    for name in PLATFORM:
        named = _named(environ.get(name, ""))
        if named is not None:
            return named
    return DEFAULT


def use(lang: str) -> None:
    """Speak `lang` from now on (the CLI calls it once, before Click reads the arguments)."""
    global _active, _language
    _language = lang if lang in LANGUAGES else DEFAULT
    _active = gettext.NullTranslations() if _language == "en" else gettext.translation(
        DOMAIN, LOCALE_DIR, languages=[_language], fallback=False)
    bind_click()


def bind_click() -> None:
    """Point Click's word look-ups at the active catalog. The CLI does it as soon as it imports
    Click too: Click looks up words as the commands are built, and gettext's own look-up
    searches the system's locale folders for each (some seventy searches, 4 ms of a cold start)."""
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]

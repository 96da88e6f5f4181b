"""One error family. Every error carries a one-line, user-facing message; the CLI maps them
to exit code 2 and prints nothing else (no traceback).

Messages are `Message`s: English text, as every string is (a bundle that keeps a reason keeps
the same words whatever language its maker spoke), which the CLI says in the language of the
run (`said()`): the template is a gettext message id, extracted by
`make messages` like the CLI's own."""

from __future__ import annotations

from typing import Any

from .i18n import _


class Message(str):
    """An English message made from a template and its values, that can also be said in the
    language of the run. Values that are Messages are translated with it."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, /, **values: Any) -> Message:
        self = super().__new__(cls, template.format(**values))
        self.template = template
        self.values = values
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle keep the template and values
        return _rebuild, (self.template, self.values)

    def translated(self) -> str:
        return _(self.template).format(**{key: translated(value)
                                          for key, value in self.values.items()})


def _rebuild(template: str, values: dict[str, Any]) -> Message:
    return Message(template, **values)


def translated(value: Any) -> Any:
    """A Message (or an exception made with one) in the language of the run; anything else
    as it is."""
    if isinstance(value, BaseException):
        value = message_of(value)
    return value.translated() if isinstance(value, Message) else value


def message_of(exc: BaseException) -> str:
    """The Message an exception was made with (ValueError(Message(...)) from a parser), else
    its text."""
    if isinstance(exc, EgovAuditError):
        return exc.message
    first = exc.args[0] if len(exc.args) == 1 else None
    return first if isinstance(first, Message) else str(exc)


class EgovAuditError(Exception):
    """Base of every error egov-audit raises on purpose."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None, path: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return self._where() + self.message

    def said(self) -> str:
        """The one line in the language of the run (what the CLI prints)."""
        return self._where() + str(translated(self.message))

    def _where(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        at = f"{self.path}: " if self.path else ""
        return f"{where}{at}"


class InventoryError(EgovAuditError):
    """An inventory file is missing, unreadable, malformed or contradicts itself."""


class PolicyError(EgovAuditError):
    """A policy, reference model or baseline is malformed or inconsistent."""


class CollectionError(EgovAuditError):
    """Collecting evidence from hosts failed as a whole (not one unreachable host)."""


class ReportError(EgovAuditError):
    """A result bundle cannot be read or rendered."""


class UsageError(EgovAuditError):
    """The command line asks for something that cannot be done."""

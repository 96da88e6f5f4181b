"""One error family. Every error carries a one-line, user-facing message; the CLI maps them
to exit code 2 and prints nothing else (no traceback)."""

from __future__ import annotations


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
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        at = f"{self.path}: " if self.path else ""
        return f"{where}{at}{self.message}"


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

"""Which store a URL names: PostgreSQL for postgresql:// (psycopg loads only then), else a
SQLite file."""

from __future__ import annotations

from pathlib import Path

from ..errors import Message, UsageError
from .base import Store
from .sqlite import SQLiteStore


def open_store(url: str | Path, create: bool = True) -> Store:
    """The national store; `create=False` (reading commands): a missing SQLite file is an error,
    not a new empty database."""
    text = str(url)
    if not text:
        raise UsageError(Message("no database URL"))
    if text.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore  # psycopg: only for a PostgreSQL store

        return PostgresStore(text, create)

    return SQLiteStore(text, create)

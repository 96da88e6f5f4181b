"""Which store a URL names: PostgreSQL for postgresql:// (psycopg loads only then), else a
SQLite file."""

from __future__ import annotations

from pathlib import Path

from ..checks.vocabulary import load_catalogue
from ..errors import Message, UsageError
from .base import Store
from .sqlite import SQLiteStore


def open_store(url: str | Path, create: bool = True) -> Store:
    """The national store; `create=False` (reading commands): a missing SQLite file is an error,
    not a new empty database. Bundles are stored by the baseline ids of egov-audit's own
    catalogue (the nation's): a renamed baseline's former id is taken as its id now."""
    text = str(url)
    if not text:
        raise UsageError(Message("no database URL"))
    renamed = load_catalogue().renamed_baselines
    if text.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore  # psycopg: only for a PostgreSQL store

        return PostgresStore(text, create, renamed)

    return SQLiteStore(text, create, renamed)

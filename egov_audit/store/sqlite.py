"""The national store in SQLite (the default: a file, nothing to install)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import Message
from .base import Store, StoreError, redact


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url


class SQLiteStore(Store):
    SERIAL = "INTEGER"
    BLOB = "BLOB"

    def connect(self, create: bool) -> sqlite3.Connection:
        path = sqlite_path(self.url)
        if not create and not Path(path).is_file():
            raise StoreError(Message("no such database (collect bundles into it first)"),
                             file=redact(self.url))
        # a second collector opening the same new file may find it locked while the first one
        # switches it to WAL or migrates it: wait and try again rather than fail
        for attempt in range(100):
            # one user at a time, but not always the same thread: the service lends a store
            # to whichever thread serves a request
            conn = sqlite3.connect(path, timeout=60, isolation_level=None,
                                   check_same_thread=False)
            try:
                conn.execute("PRAGMA busy_timeout=60000")
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA foreign_keys=ON")
                return conn
            except sqlite3.OperationalError as exc:
                conn.close()
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(0.05 * (1 + attempt % 10))
        raise StoreError(Message("the database stayed locked"), file=path)

    def driver_errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.Error,)

    def begin(self, lock: str | None) -> None:
        # the write lock at once (BEGIN IMMEDIATE): two collect processes queue, not fail
        for attempt in range(50):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError:
                time.sleep(0.05 * (attempt + 1))
        raise StoreError(Message("the database stayed locked"))

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        self.conn.execute("ROLLBACK")

    def insert_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(statement, rows)

    def copy_rows(self, table: str, columns: Sequence[str],
                  rows: Iterable[Sequence[Any]]) -> None:
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                              rows)

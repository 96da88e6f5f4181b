"""The national store in PostgreSQL (a postgresql:// URL), through psycopg."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import psycopg

from ..errors import Message
from .base import Store, StoreError, one_line, redact


class PostgresStore(Store):
    SERIAL = "BIGSERIAL"
    BLOB = "BYTEA"
    PARAMETER = "%s"

    def connect(self, create: bool) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=False, connect_timeout=30)

    def driver_errors(self) -> tuple[type[BaseException], ...]:
        return (psycopg.Error,)

    def begin(self, lock: str | None) -> None:
        # a transaction starts with the first statement; writers of one agency serialise
        if lock:
            self.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (lock,))

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def idle(self) -> None:
        try:
            if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                self.conn.rollback()
        except psycopg.Error as exc:
            raise StoreError(Message("database error: {exc}", exc=one_line(exc)),
                             file=redact(self.url)) from None

    def insert_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(statement, rows)

    def copy_rows(self, table: str, columns: Sequence[str],
                  rows: Iterable[Sequence[Any]]) -> None:
        # COPY: one stream for all the rows (executemany is a round trip's work per row); the
        # server takes in what is sent while the next rows are made
        with self.conn.cursor() as cursor, \
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

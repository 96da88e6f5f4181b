"""The service's connections to the national store: a few kept open and lent to one request
at a time (a request's work runs in a thread, the store's drivers are synchronous). A
connection that fails is closed and replaced, so a restarted PostgreSQL costs the requests in
flight (answered 503, Retry-After) and nothing after it."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from ..errors import Message
from ..store import Store, StoreError, open_store

T = TypeVar("T")


class Unavailable(StoreError):
    """The store cannot be reached now: the client should try again later (HTTP 503)."""


class StorePool:
    """At most `size` open stores, lent one at a time; a borrower waits up to `wait`
    seconds for one."""

    def __init__(self, url: str, size: int = 8, wait: float = 30.0) -> None:
        self.url = url
        self.size = size
        self.wait = wait
        self._idle: queue.LifoQueue[Store] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def store(self) -> Iterator[Store]:
        if not self._slots.acquire(timeout=self.wait):
            raise Unavailable(Message("the national store is busy: try again shortly"))
        try:
            try:
                store = self._idle.get_nowait()
            except queue.Empty:
                store = self._open()
            try:
                yield store
                store.idle()
            except StoreError:
                _close(store)  # a connection that failed is not lent again
                raise
            except BaseException:
                try:
                    store.idle()
                except StoreError:
                    _close(store)
                    raise
                self._idle.put(store)
                raise
            self._idle.put(store)
        finally:
            self._slots.release()

    def run(self, work: Callable[[Store], T]) -> T:
        with self.store() as store:
            return work(store)

    def _open(self) -> Store:
        try:
            return open_store(self.url)
        except StoreError as exc:
            raise Unavailable(exc.message) from None

    def close(self) -> None:
        while True:
            try:
                _close(self._idle.get_nowait())
            except queue.Empty:
                return


def _close(store: Store) -> None:
    with contextlib.suppress(Exception):  # a broken connection may fail to close: dropped
        store.close()

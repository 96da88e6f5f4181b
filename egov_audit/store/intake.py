"""Bundles as `collect` takes them in: each read, checked and verified, the next ones prepared
while the current one is stored, one bad bundle refused with its reason."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..bundle import BUNDLE_SCHEMA, is_v2, read_json_bytes, v2_lines
from ..errors import EgovAuditError, Message
from ..sign import KeyRegistry, TrustError, verify

if TYPE_CHECKING:
    from .base import Store, Submission


@dataclass(frozen=True)
class Incoming:
    """One bundle file as `collect` takes it in: read, checked and its signature verified, or
    why it is refused."""

    path: Path
    version: int = 1  # 2: read as it is stored (Store.submit_stream), not ahead
    data: dict[str, Any] | None = None
    raw: bytes = b""  # the file's bytes, kept as the stored body
    digest: str = ""
    key_id: str = ""
    refused: EgovAuditError | None = None


# a bundle file this large is read alone, after the ones before it are stored: reading it
# beside another would let one exhaust the memory the other needs
READ_ALONE_BYTES = 32 * 1024 * 1024


def prepare(path: Path, registry: KeyRegistry) -> Incoming:
    """One bundle file read, checked and verified through `collect`'s gate (a version 2 one
    only recognised: it is verified as it is stored), or why it is refused."""
    try:
        if is_v2(path, TrustError):
            return Incoming(path, version=2)
        data, raw = read_json_bytes(path, TrustError)
        if data.get("schema") != BUNDLE_SCHEMA:
            raise TrustError(Message("a result set: collect each agency's signed bundle"))
        verified = verify(data, registry)
    except EgovAuditError as exc:  # one bad bundle is refused, the others go on
        return Incoming(path, refused=exc)
    except MemoryError:  # what was built of it is gone with the frame
        return Incoming(path, refused=TrustError(Message(
            "out of memory while reading it: refused (the other bundles go on)"),
            file=str(path)))
    except Exception as exc:  # a bug must cost this bundle only, said with its reason
        error = type(exc).__name__ + ": " + str(exc)[:200]
        return Incoming(path, refused=TrustError(Message("could not be read: {error}",
                                                         error=error), file=str(path)))
    return Incoming(path, 1, data, raw, verified.digest, verified.key_id)


def store_incoming(store: Store, incoming: Incoming, registry: KeyRegistry) -> Submission:
    """Store a prepared bundle: a version 2 one streamed into the store and verified at its end
    (TrustError or StoreError when it is refused)."""
    if incoming.refused is not None:
        raise incoming.refused
    if incoming.version == 2:
        with v2_lines(incoming.path, TrustError) as records:
            assert records is not None, "prepare said it is version 2"
            return store.submit_stream(records, str(incoming.path), registry)
    assert incoming.data is not None
    return store.submit(incoming.data, incoming.digest, incoming.key_id, incoming.raw)


def take_in(paths: Iterable[Path], registry: KeyRegistry, ahead: int = 2) -> Iterator[Incoming]:
    """Each bundle read, checked and verified in order, the next `ahead` ones prepared in a
    thread while the caller stores the current one: a database's round trips (PostgreSQL's
    server runs beside this process) would otherwise leave this process idle. At most
    `ahead` + 1 bundles are held at once, and a large one alone. Whatever fails while one
    bundle is read (a MemoryError included) refuses that bundle with its reason."""
    def large(path: Path) -> bool:
        try:
            return path.stat().st_size > READ_ALONE_BYTES
        except OSError:
            return False  # the gate says why, when it reads it

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="egov-intake") as pool:
        pending: deque[Future[Incoming]] = deque()
        for path in paths:
            if large(path):
                while pending:
                    yield pending.popleft().result()
                yield prepare(path, registry)  # alone: nothing else is being read or held
                continue
            pending.append(pool.submit(prepare, path, registry))
            if len(pending) > max(1, ahead):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

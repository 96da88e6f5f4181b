"""The one way a file from outside is read: regular files only, bounded. Used by the strict JSON
reader, the YAML loader and the key loader."""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

from ..errors import EgovAuditError, Message


def _open_regular(path: Path, display: str, error_cls: type[EgovAuditError]) -> int:
    """A descriptor of a regular file, opened without blocking and checked on the descriptor:
    a FIFO, a device or a directory is refused, never read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error_cls(Message("cannot read: {value}", value=exc.strerror or exc),
                        file=display) from None
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError as exc:
        os.close(fd)
        raise error_cls(Message("cannot read: {value}", value=exc.strerror or exc),
                        file=display) from None
    if not regular:
        os.close(fd)
        raise error_cls(Message("not a regular file"), file=display)
    return fd


def read_bytes(path: Path, display: str, error_cls: type[EgovAuditError],
               max_bytes: int) -> bytes:
    """A regular file's bytes, at most `max_bytes`. Opened without blocking and checked on the
    open descriptor: a FIFO, a device or a directory is refused, never read."""
    fd = _open_regular(path, display, error_cls)
    try:
        st = os.fstat(fd)
        if st.st_size > max_bytes:
            raise error_cls(Message("file too large ({st_size} bytes; the limit is {max_bytes})",
                                    st_size=st.st_size, max_bytes=max_bytes),
                            file=display)
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise error_cls(Message("cannot read: {value}", value=exc.strerror or exc),
                        file=display) from None
    finally:
        os.close(fd)
    if size > max_bytes:
        raise error_cls(Message("file too large (the limit is {max_bytes} bytes)",
                                max_bytes=max_bytes), file=display)
    return b"".join(chunks)


_GZIP_MAGIC = b"\x1f\x8b"


@contextmanager
def open_stream(path: Path, display: str, error_cls: type[EgovAuditError]) -> Iterator[BinaryIO]:
    """A regular file opened for streaming (checked as `read_bytes` checks it), decompressed on
    the fly when it is gzip (known by its first bytes, not its name)."""
    fd = _open_regular(path, display, error_cls)
    try:
        raw = io.BufferedReader(io.FileIO(fd, "rb", closefd=True), buffer_size=1 << 20)
    except BaseException:
        os.close(fd)
        raise
    with raw:
        if raw.peek(2)[:2] == _GZIP_MAGIC:
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield cast(BinaryIO, unzipped)
        else:
            yield raw


def is_gzip(data: bytes) -> bool:
    return data[:2] == _GZIP_MAGIC


def lines(stream: BinaryIO, display: str, error_cls: type[EgovAuditError], max_line: int,
          long_prefix: bytes | tuple[bytes, ...], max_long: int, max_total: int,
          start: bytes = b"") -> Iterator[bytes]:
    """The lines of a line-delimited document, each with its newline, read with bounded memory:
    a line longer than `max_line` is refused unless it starts with `long_prefix` (or one of
    several; then up to `max_long`), and the whole stream past `max_total` bytes (decompressed)
    is refused. `start`: the beginning of the first line, already read from the stream."""
    total = 0
    number = 0
    try:
        while True:
            line = start + stream.readline(max_line + 1 - len(start))
            start = b""
            if not line:
                return
            number += 1
            if len(line) > max_line and not line.endswith(b"\n"):
                if not line.startswith(long_prefix):
                    raise error_cls(Message("line {number} is longer than {max_line:,} bytes",
                                            number=number, max_line=max_line), file=display)
                line += stream.readline(max_long + 1 - len(line))
                if len(line) > max_long:
                    raise error_cls(Message("line {number} is longer than {max_line:,} bytes",
                                            number=number, max_line=max_long), file=display)
            total += len(line)
            if total > max_total:
                raise error_cls(Message("file too large (the limit is {max_bytes} bytes)",
                                        max_bytes=max_total), file=display)
            yield line
    except (OSError, EOFError, zlib.error) as exc:  # a damaged or truncated gzip stream
        raise error_cls(Message("cannot read: {value}", value=str(exc)[:200] or
                                type(exc).__name__), file=display) from None

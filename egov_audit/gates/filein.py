"""The one way a file from outside is read: regular files only, bounded. Used by the strict JSON
reader, the YAML loader and the key loader."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import EgovAuditError, Message


def read_bytes(path: Path, display: str, error_cls: type[EgovAuditError],
               max_bytes: int) -> bytes:
    """A regular file's bytes, at most `max_bytes`. Opened without blocking and checked on the
    open descriptor: a FIFO, a device or a directory is refused, never read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error_cls(Message("cannot read: {value}", value=exc.strerror or exc),
                        file=display) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise error_cls(Message("not a regular file"), file=display)
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

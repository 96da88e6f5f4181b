"""Atomic output: a report is either completely written or not there at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import EgovAuditError, ReportError


def write_atomic(path: Path, text: str | bytes, mode: int = 0o644,
                 error_cls: type[EgovAuditError] = ReportError) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise error_cls(f"cannot write: {exc.strerror or exc}", file=str(path)) from None
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise error_cls(f"cannot write: {exc.strerror or exc}", file=str(path)) from None

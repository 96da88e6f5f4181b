"""Bundle files of either version, as the commands that read them need them: `report`, `diff`
and `evaluate` read a result set, `sign`, `verify` and `fix` one agency's bundle. The version
is known from the file's first line, never its name; a gzip file is read decompressed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EgovAuditError, Message, ReportError
from ..gates.filein import lines, open_stream
from ..models import Bundle, ResultSet
from .v1 import BUNDLE_SCHEMA, bundle_from_dict, read_json, result_set_from_dict
from .v2 import (
    HEAD_PREFIX,
    LONG_RECORDS,
    MAX_INPUTS_RECORD,
    MAX_RECORD,
    MAX_STREAM,
    V2Stream,
    read_v2,
)


@contextmanager
def v2_lines(path: Path, error_cls: type[EgovAuditError]) -> Iterator[Iterator[bytes] | None]:
    """The lines of a version 2 bundle file, bounded (None: the file is not version 2)."""
    with open_stream(path, str(path), error_cls) as stream:
        start = stream.readline(len(HEAD_PREFIX))
        if start != HEAD_PREFIX:
            yield None
            return
        yield lines(stream, str(path), error_cls, MAX_RECORD, LONG_RECORDS, MAX_INPUTS_RECORD,
                    MAX_STREAM, start)


def is_v2(path: Path, error_cls: type[EgovAuditError]) -> bool:
    with v2_lines(path, error_cls) as records:
        return records is not None


def checked_v2(path: Path, error_cls: type[EgovAuditError]) -> V2Stream | None:
    """A version 2 bundle file read through every check, record by record, nothing kept but
    its header, end and signature (None: the file is not version 2)."""
    with v2_lines(path, error_cls) as records:
        if records is None:
            return None
        stream = V2Stream(str(path), error_cls)
        for _ in stream.rows(records):
            pass
        return stream


def read_result_set(path: Path) -> ResultSet:
    """Read a saved bundle (version 1 or 2) or result set; a file that is not one is a
    ReportError."""
    with v2_lines(path, ReportError) as records:
        if records is not None:
            return ResultSet((read_v2(records, str(path), ReportError)[0],))
    return result_set_from_dict(read_json(path))


@dataclass(frozen=True)
class Opened:
    """One agency's bundle as `sign`, `verify` and `fix` read it: the bundle, and what its
    signature is checked over (version 1: the document; version 2: the stream's digest)."""

    bundle: Bundle
    version: int
    data: dict[str, Any] | None = None
    stream: V2Stream | None = None

    @property
    def inputs(self) -> Mapping[str, Any] | None:
        return self.stream.inputs if self.stream is not None else \
            (self.data or {}).get("inputs")


def open_bundle(path: Path, error_cls: type[EgovAuditError] = ReportError) -> Opened:
    """One agency's bundle through its gate (a result set of several agencies is refused)."""
    with v2_lines(path, error_cls) as records:
        if records is not None:
            bundle, stream = read_v2(records, str(path), error_cls)
            return Opened(bundle, 2, stream=stream)
    data = read_json(path, error_cls)
    if data.get("schema") != BUNDLE_SCHEMA:
        raise error_cls(Message("a result set of several agencies: give one agency's bundle"),
                        file=str(path))
    return Opened(bundle_from_dict(data), 1, data=data)

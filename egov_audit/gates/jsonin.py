"""The strict JSON reader: the one way JSON from outside (bundles that travel between agencies and
inspectors, fact bundles written from what a possibly compromised host said, packed inputs) becomes
data.

JSON parsers disagree on the corners of the format, and a signature is only worth something if
the verifier and every later reader see the same values. So anything that two readers could read
differently, or that crashes a later step, is refused here with the file and the reason:
- duplicate keys in an object (one reader keeps the first, another the last);
- NaN, Infinity and -Infinity (not JSON; they break arithmetic and canonical forms);
- numbers out of range: integers beyond 64 bits (databases and other tools overflow), floats
  that overflow to infinity;
- lone UTF-16 surrogates (`"\\ud800"`: not text; they fail when written as UTF-8);
- nesting deeper than `MAX_DEPTH`; and, through `filein.read_bytes`, files larger than the
  caller's bound and anything that is not a regular file (a FIFO would block, /dev/zero would
  never end).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from ..errors import EgovAuditError, Message
from .filein import read_bytes
from .memory import estimate, shortfall

MAX_DEPTH = 64
MAX_INT = 2**63 - 1  # SQLite INTEGER, PostgreSQL BIGINT
# a lone surrogate can only come from a \uD8xx-\uDFxx escape: the UTF-8 decoder refuses raw ones
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# for measuring depth and counting values: escapes removed, then everything but brackets,
# commas and quotes
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}",')
# every digit a 9, everything else a space: a run of 19 digits (as long as MAX_INT) is then
# one find() in C (a regular expression for it costs ten times more on a large bundle)
_DIGITS_AS_NINES = bytes(0x39 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_NINETEEN_DIGITS = b"9" * 19


class StrictJsonError(ValueError):
    """Why a JSON text was refused (the caller adds the file)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise StrictJsonError(Message("duplicate key {key!r} in an object", key=key[:80]))
            seen.add(key)
    return out


def _constant(name: str) -> Any:
    raise StrictJsonError(Message("{name} is not a JSON number", name=name))


def _int(text: str) -> int:
    # checked on the digits, before int(): a 5,000-digit number must not reach the converter
    if len(text.lstrip("-")) > 19 or abs(int(text)) > MAX_INT:
        raise StrictJsonError(Message("integer {text}{value} is out of range (at most 64 bits)",
                                      text=text[:30], value='…' if len(text) > 30 else ''))
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise StrictJsonError(Message("number {text} is out of range", text=text[:30]))
    return value


def _depth(raw: bytes) -> int:
    return _nesting(_skeleton(raw)[0])


def _skeleton(raw: bytes) -> tuple[bytes, int, int]:
    """The text's structure (escapes gone, then everything but brackets, commas and quotes), and
    how many arrays and objects and how many values it holds at most (brackets and commas
    inside strings are counted too: an upper bound), in C-speed passes that build no list: what
    the memory estimate reads before anything else is made."""
    if b"\\" in raw:
        # of the escapes only \\ and \" matter here (the rest hold no bracket or quote):
        # backslash pairs first, left to right, as a parser reads them
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    # removing adjacent quotes keeps the pairing of the others: an empty string goes, or two
    # strings merge into one, whose content is dropped later anyway
    reduced = raw.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    containers = reduced.count(b"[") + reduced.count(b"{")
    return reduced, containers, containers + reduced.count(b",") + 1


def _nesting(reduced: bytes) -> int:
    """How deeply arrays and objects nest, without recursion (0.2 s for a 60 MB bundle): what
    is inside strings and the commas go, then the innermost pairs of brackets, one level per
    pass. Each pass marks the empty pairs and drops the marks: three copies, no list (a
    regular expression's substitution built one entry per pair, 640 MB for a 120 MB file)."""
    brackets = b"".join(reduced.split(b'"')[::2]) if b'"' in reduced else reduced
    brackets = brackets.replace(b",", b"")
    depth = 0
    while brackets:
        inner = brackets.replace(b"[]", b"<>").replace(b"{}", b"<>").replace(b"<>", b"")
        if len(inner) == len(brackets):  # unbalanced: the parser reports it with its position
            break
        brackets = inner
        depth += 1
        if depth > MAX_DEPTH:
            break
    return depth


def _long_digit_run(raw: bytes) -> bool:
    """Whether 19 digits or more follow each other somewhere in `raw`."""
    return _NINETEEN_DIGITS in raw.translate(_DIGITS_AS_NINES)


def _surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            for key, inner in item.items():
                stack.append(key)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)
    return False


def loads(data: str | bytes) -> Any:
    """Parse one JSON text strictly; StrictJsonError says why it was refused."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise StrictJsonError(Message("not UTF-8 text (byte {start})", start=exc.start),
                                  line) from None
        raw = data
    else:
        text, raw = data, data.encode("utf-8", "surrogatepass")
    reduced, containers, values = _skeleton(raw)
    # counted before one object is built: a text made to exhaust memory is refused here
    short = shortfall(estimate(len(raw), containers, values))
    if short is not None:
        raise StrictJsonError(Message(
            "would take about {need:,} MB of memory to read ({containers:,} arrays and objects, "
            "{values:,} values), more than the {have:,} MB this process may still use",
            need=short[0], containers=containers, values=values, have=short[1]))
    if _nesting(reduced) > MAX_DEPTH:
        raise StrictJsonError(Message("nested more than {max_depth} levels deep",
                                      max_depth=MAX_DEPTH))
    del reduced
    return _parse(text, raw)


# a line this short cannot hold more than it costs to read: the memory estimate is skipped
SHORT_LINE = 64 * 1024


def loads_line(raw: bytes) -> Any:
    """One record of a line-delimited document (a version 2 result bundle): the same strict
    rules as `loads`, without the memory estimate on a short line (its size bounds what it
    builds), and without the depth scan on one too short to nest past MAX_DEPTH."""
    if len(raw) > SHORT_LINE:
        return loads(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StrictJsonError(Message("not UTF-8 text (byte {start})", start=exc.start)) from None
    if len(raw) > 2 * MAX_DEPTH and _nesting(_skeleton(raw)[0]) > MAX_DEPTH:
        raise StrictJsonError(Message("nested more than {max_depth} levels deep",
                                      max_depth=MAX_DEPTH))
    return _parse(text, raw)


def _parse(text: str, raw: bytes) -> Any:
    # integers are checked one by one only where one could be out of range (19 digits or
    # more somewhere): a fact bundle holds dozens, and the check costs a call each
    parse_int = _int if _long_digit_run(raw) else None
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant,
                           parse_int=parse_int, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise StrictJsonError(Message("not JSON: {msg}", msg=exc.msg),
                              exc.lineno, exc.colno) from None
    except RecursionError:
        raise StrictJsonError(Message("nested more than {max_depth} levels deep",
                                      max_depth=MAX_DEPTH)) from None
    except ValueError as exc:  # our hooks, and int() limits
        if isinstance(exc, StrictJsonError):
            raise
        raise StrictJsonError(Message("not JSON: {exc}", exc=exc)) from None
    if _SURROGATE_ESCAPE.search(text) and _surrogate(value):
        raise StrictJsonError(Message("a string holds a lone UTF-16 surrogate (not text)"))
    return value


def decode(raw: bytes, display: str, error_cls: type[EgovAuditError]) -> Any:
    """Bytes of a JSON document to data, strictly (UTF-8, a byte-order mark tolerated)."""
    try:
        return loads(raw)
    except StrictJsonError as exc:
        raise error_cls(exc.message, file=display, line=exc.line, column=exc.column) from None


def read_json_file(path: Path, error_cls: type[EgovAuditError], max_bytes: int,
                   display: str | None = None) -> Any:
    """Read and parse one JSON file through the gate."""
    shown = display or str(path)
    return decode(read_bytes(path, shown, error_cls, max_bytes), shown, error_cls)

"""Whole numbers read from text that someone else wrote (device configurations, registry files,
inventories, SNMP answers): bounded before they are converted. Python refuses to convert more
than 4,300 digits with a bare ValueError (and a parser that let it through lost every other
device of the batch); a number beyond its field's range would only fail later, far from its
line. `bounded_int` checks the digits (ASCII only: `int()` also takes other scripts' digits)
and the range, and raises the caller's error with the file and line; the value is never echoed
whole."""

from __future__ import annotations

import re

from ..errors import EgovAuditError, Message

_DIGITS = re.compile(r"[0-9]+")
MAX_DIGITS = 20  # 2**64 has 20 digits: no field of any input needs more


def shown(text: str) -> str:
    """A number as an error may show it: at most 20 characters, and how long it really is."""
    return text if len(text) <= MAX_DIGITS else f"{text[:12]}… ({len(text):,} digits)"


def bounded_int(text: str, what: str, maximum: int, *, minimum: int = 0,
                error_cls: type[EgovAuditError], file: str | None = None,
                line: int | None = None) -> int:
    """`text` as an integer in [minimum, maximum], or `error_cls` naming file, line and field."""
    digits = text.strip()
    if not _DIGITS.fullmatch(digits) or len(digits) > max(MAX_DIGITS, len(str(maximum))):
        raise error_cls(Message("{what} {value!r} is not a whole number from {minimum} to "
                                "{maximum}", what=what, value=shown(digits), minimum=minimum,
                                maximum=maximum), file=file, line=line)
    value = int(digits.lstrip("0") or "0")
    if not minimum <= value <= maximum:
        raise error_cls(Message("{what} {value} is not a whole number from {minimum} to "
                                "{maximum}", what=what, value=value, minimum=minimum,
                                maximum=maximum), file=file, line=line)
    return value


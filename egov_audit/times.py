"""Timestamps as instants. Every timestamp egov-audit reads (a bundle's start and end, a
signature's, evidence's collection) is written by someone else, in any offset: compared as
text, `2026-12-01T20:00:00+07:00` (13:00Z) sorts after `2026-12-01T13:59:00Z`. They are parsed
into UTC instants before any comparison, and one without a zone is refused (its instant is
unknown). `utc_key` is the canonical text of an instant: fixed width, so text order is time
order (what the national store indexes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

# Vietnam's time (Indochina Time, UTC+07:00, no daylight saving): the months and quarters
# agencies report in, and the national service counts them in
VIETNAM = timezone(timedelta(hours=7), "ICT")

# RFC 3339 with a zone: what every published schema requires of a timestamp
PATTERN = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
           r"(Z|[+-][0-9]{2}:[0-9]{2})$")


def instant(text: str) -> datetime:
    """The UTC instant a timestamp names. ValueError: not a date and time, or no zone."""
    if not isinstance(text, str) or len(text) > 64:
        raise ValueError("is not a date and time")
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("is not a date and time") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("is a date and time without a time zone")
    return parsed.astimezone(UTC)


def utc_key(text: str) -> str:
    """The instant as fixed-width UTC text (YYYY-MM-DDTHH:MM:SS.ffffffZ): text order is time
    order."""
    return instant(text).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_at_or_after(text: str, since: str) -> bool:
    """Whether `text` names an instant at or after `since`; False if either is unreadable."""
    try:
        return instant(text) >= instant(since)
    except ValueError:
        return False


def vietnam_month(text: str) -> str:
    """The month (YYYY-MM) an instant falls in, in Vietnam: 2026-12-31T20:00:00Z is January."""
    return instant(text).astimezone(VIETNAM).strftime("%Y-%m")

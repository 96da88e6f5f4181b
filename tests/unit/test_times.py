"""Timestamps as instants (egov_audit/times.py): generated times in every offset and precision
order as their instants do, whatever their text; a time without a zone is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_audit.times import instant, is_at_or_after, utc_key

BUDGET = settings(max_examples=300, deadline=None, derandomize=True)
OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
MOMENTS = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2999, 1, 1),
                       timezones=OFFSETS)


def _text(moment: datetime, style: int) -> str:
    text = moment.isoformat(timespec=("seconds", "milliseconds", "microseconds")[style % 3])
    return text.replace("+00:00", "Z") if style >= 3 else text


@BUDGET
@given(MOMENTS, MOMENTS, st.integers(0, 5), st.integers(0, 5))
def test_text_keys_order_as_instants(a: datetime, b: datetime, sa: int, sb: int) -> None:
    ta, tb = _text(a, sa), _text(b, sb)
    ia, ib = instant(ta), instant(tb)
    assert (utc_key(ta) < utc_key(tb)) == (ia < ib)
    assert is_at_or_after(ta, tb) == (ia >= ib)
    assert ia.tzinfo is UTC


def test_the_examples_of_the_issue() -> None:
    assert instant("2026-12-01T20:00:00+07:00") < instant("2026-12-01T13:59:00Z")
    assert "2026-12-01T20:00:00+07:00" > "2026-12-01T13:59:00Z"  # what text comparison said
    assert utc_key("2026-12-01T20:00:00+07:00") < utc_key("2026-12-01T13:59:00Z")
    assert utc_key("2026-12-01T13:00:00.123456789Z") == "2026-12-01T13:00:00.123456Z"


@pytest.mark.parametrize("text", ["2026-12-01T20:00:00", "2026-12-01", "yesterday", "",
                                  "2026-13-01T00:00:00Z", "9" * 100])
def test_a_time_without_a_zone_or_not_a_time_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="date and time"):
        instant(text)
    assert not is_at_or_after(text, "2026-01-01T00:00:00Z")


def test_months_are_counted_in_vietnam() -> None:
    from egov_audit.times import vietnam_month

    assert vietnam_month("2026-12-31T16:59:59Z") == "2026-12"
    assert vietnam_month("2026-12-31T17:00:00Z") == "2027-01"  # midnight in Hà Nội
    assert vietnam_month("2027-01-01T00:30:00+07:00") == "2027-01"
    assert vietnam_month("2026-12-31T23:30:00-05:00") == "2027-01"

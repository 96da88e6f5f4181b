"""Properties of the gates, checked by Hypothesis on generated inputs (a bounded budget, so CI
stays fast): the strict reader, the host-range expander, the prefix parser, the sanitisers."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_audit.gates import jsonin, sanitize
from egov_audit.inventory.ansible_dir import (
    MAX_RANGE_HOSTS,
    count_host_pattern,
    expand_host_pattern,
)
from egov_audit.ipnet import check_declared, format_addr, parse_net

BUDGET = settings(max_examples=150, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])

# text without lone surrogates (what JSON can carry), with the characters that matter to
# parsers: quotes, backslashes, brackets
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20) | \
    st.text(alphabet='"\\[]{}:,', max_size=10)
SCALARS = (st.none() | st.booleans() | st.integers(-jsonin.MAX_INT, jsonin.MAX_INT)
           | st.floats(allow_nan=False, allow_infinity=False) | TEXT)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(TEXT, inner, max_size=4), max_leaves=30)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@BUDGET
@given(JSON_VALUES, st.booleans())
def test_the_strict_reader_reads_every_plain_json_document_as_json_does(value: Any,
                                                                       ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert jsonin.loads(text) == json.loads(text)
    assert jsonin.loads(text.encode("utf-8")) == json.loads(text)


@BUDGET
@given(JSON_VALUES)
def test_the_depth_scan_is_exact(value: Any) -> None:
    assert jsonin._depth(json.dumps(value).encode()) == _depth(value)


@BUDGET
@given(st.dictionaries(TEXT, SCALARS, min_size=1, max_size=5), st.data())
def test_a_duplicate_key_anywhere_is_refused(obj: dict[str, Any], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(obj)))
    body = json.dumps(obj)[1:-1]
    text = "{" + body + ", " + json.dumps(key) + ": 1}"
    wrapped = data.draw(st.sampled_from(["{}", '{{"a": [{}]}}', "[1, {}]"])).format(text)
    with pytest.raises(jsonin.StrictJsonError, match="duplicate key"):
        jsonin.loads(wrapped)


@BUDGET
@given(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e400",
                        str(2**63), str(-(2**63) - 1), "9" * 30]), st.data())
def test_numbers_other_readers_disagree_on_are_refused(number: str, data: st.DataObject) -> None:
    place = data.draw(st.sampled_from(["[{}]", '{{"x": {}}}', '[1, {{"y": [{}]}}]']))
    with pytest.raises(jsonin.StrictJsonError):
        jsonin.loads(place.format(number))


@BUDGET
@given(st.integers(0xD800, 0xDFFF), TEXT)
def test_a_lone_surrogate_is_refused(code: int, text: str) -> None:
    with pytest.raises(jsonin.StrictJsonError, match="surrogate"):
        jsonin.loads(json.dumps([text])[:-2] + f'\\u{code:04x}"]')


RANGES = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(1, 5)),
                  min_size=1, max_size=3)


@BUDGET
@given(RANGES, st.sampled_from(["web", "db-", "x.y"]))
def test_a_host_range_expands_to_exactly_the_names_it_counts(ranges: list[tuple[int, int, int]],
                                                             stem: str) -> None:
    pattern = stem + "".join(f"[{min(a, b)}:{max(a, b)}:{step}]" for a, b, step in ranges)
    names = expand_host_pattern(pattern)
    # (web[0:11][0:10] names web110 twice, as in Ansible: the same host)
    assert len(names) == count_host_pattern(pattern)
    assert all(re.fullmatch(r"[\w.-]+", n) for n in names)


@BUDGET
@given(st.lists(st.integers(2, 99_999), min_size=2, max_size=6))
def test_a_host_range_bomb_is_refused_before_anything_is_made(sizes: list[int]) -> None:
    pattern = "h" + "".join(f"[1:{n}]" for n in sizes)
    product = 1
    for n in sizes:
        product *= n
    if product <= MAX_RANGE_HOSTS:
        assert count_host_pattern(pattern) == product
    else:
        with pytest.raises(ValueError, match="expands to more than"):
            expand_host_pattern(pattern)


@BUDGET
@given(st.sampled_from([4, 6]), st.data())
def test_a_prefix_reads_back_as_written(version: int, data: st.DataObject) -> None:
    bits = 32 if version == 4 else 128
    length = data.draw(st.integers(0, bits))
    value = data.draw(st.integers(0, 2**bits - 1)) >> (bits - length) << (bits - length)
    text = f"{format_addr(version, value)}/{length}"
    net = parse_net(text)
    assert (net.version, net.first, net.prefixlen) == (version, value, length)
    assert net.last == value | ((1 << (bits - length)) - 1)


@BUDGET
@given(st.integers(0, 2**32 - 1), st.integers(96, 128), st.sampled_from(["::ffff:", "::"]))
def test_ipv4_in_ipv6_notation_is_never_accepted(v4: int, length: int, form: str) -> None:
    host_bits = 128 - length
    v4 = v4 >> host_bits << host_bits if host_bits < 32 else 0
    if form == "::" and v4 < 2:
        return  # :: and ::1 are IPv6's own
    text = f"{form}{format_addr(4, v4)}/{length}"
    with pytest.raises(ValueError, match="IPv4 written as IPv6"):
        check_declared(parse_net(text))


ANY_TEXT = st.text(max_size=200) | st.text(alphabet="\x1b\x07\n\r\t\u202e<>[]()|`*_=+-@:&!#"
                                           "abc", max_size=60)
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@BUDGET
@given(ANY_TEXT)
def test_terminal_text_is_one_line_without_control_characters(text: str) -> None:
    assert not _CONTROLS.search(sanitize.terminal(text))


@BUDGET
@given(ANY_TEXT)
def test_markdown_text_renders_as_one_paragraph_of_text(text: str) -> None:
    from markdown_it import MarkdownIt

    shown = sanitize.markdown(text)
    html = MarkdownIt("commonmark", {"html": True}).render(f"x {shown}")
    assert re.fullmatch(r"<p>[^<]*</p>\n", html), html


@BUDGET
@given(ANY_TEXT)
def test_a_cell_never_starts_a_formula(text: str) -> None:
    value = sanitize.cell(text)
    assert isinstance(value, str)
    assert not value.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "\n")) or \
        value.startswith("'")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", value)


@BUDGET
@given(ANY_TEXT)
def test_xml_text_always_makes_well_formed_xml(text: str) -> None:
    element = ET.Element("case", name=sanitize.xml_text(text))
    element.text = sanitize.xml_text(text)
    parsed = ET.fromstring(ET.tostring(element, encoding="unicode"))
    assert parsed.text == element.text or (parsed.text or "") == element.text.replace("\r", "\n")


@BUDGET
@given(ANY_TEXT)
def test_html_text_holds_no_tag(text: str) -> None:
    assert "<" not in sanitize.html(text) and ">" not in sanitize.html(text)


# -- memory: told before anything is built ------------------------------------------------------
UNITS = st.sampled_from([b"{},", b"[],", b"0,", b'"ab",', b'{"a":0},', b"[[[0]]],", b"0.5,",
                         b'{"k":[1,2]},', b'"\\u00e9x",', b"true,", b"null,"])


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(UNITS, st.integers(1, 20_000)), min_size=1, max_size=4))
def test_the_memory_estimate_is_never_below_what_reading_takes(shape: list[tuple[bytes, int]]
                                                               ) -> None:
    """Documents of the densest shapes, mixed: the strict reader's estimate, made before one
    object is built, is at least what building them takes (tracemalloc's peak)."""
    import tracemalloc

    from egov_audit.gates.memory import estimate

    raw = b"[" + b"".join(unit * count for unit, count in shape).rstrip(b",") + b"]"
    _, containers, values = jsonin._skeleton(raw)
    tracemalloc.start()
    try:
        jsonin.loads(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert estimate(len(raw), containers, values) >= peak


@BUDGET
@given(st.text(max_size=60))
def test_sarif_text_carries_no_control_and_no_bidirectional_override(text: str) -> None:
    shown = sanitize.sarif(text)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                         "\u2066-\u2069]", shown)
    assert len(shown) <= 4000

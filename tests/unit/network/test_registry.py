"""The registry statistics reader: the published format read strictly, looked up by bisection;
every malformed, truncated or foreign file refused with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from egov_audit.ipnet import parse_net
from egov_audit.network.registry import RegistryError, parse_registry, read_registry
from tests.helpers import REGISTRY, build_registry


def test_the_sample_file_is_read_with_its_header_and_holders() -> None:
    registry = read_registry(REGISTRY)
    assert (registry.registry, registry.date, registry.records) == ("apnic", "2026-11-30", 16)
    assert registry.extended and registry.sha256.startswith("sha256:")
    asn = registry.asn(64501)
    assert asn is not None and asn.delegated_in_vn and asn.holder == "A91C0E5A"
    assert asn.line == 7 and asn.shown == "AS64501 · VN · allocated · 2019-03-15 · A91C0E5A"
    assert registry.asn(64499) is None
    japan = registry.asn(64496)
    assert japan is not None and japan.cc == "JP" and not japan.delegated_in_vn


def test_lookups_cover_adjacent_records_and_find_records_inside_a_block() -> None:
    registry = read_registry(REGISTRY)
    covering, whole = registry.covering(parse_net("203.0.113.128/25"))
    assert whole and [d.resource for d in covering] == ["203.0.113.128/26", "203.0.113.192/26"]
    covering, whole = registry.covering(parse_net("192.0.2.0/23"))
    assert not whole and [d.resource for d in covering] == ["192.0.2.0/24"]
    assert registry.covering(parse_net("198.18.0.0/15")) == ([], False)
    covering, whole = registry.covering(parse_net("2001:db8:a:20::/64"))
    assert whole and covering[0].resource == "2001:db8:a::/48"
    inside = registry.inside(parse_net("203.0.113.0/24"))
    assert [d.resource for d in inside] == ["203.0.113.0/25", "203.0.113.128/26",
                                            "203.0.113.192/26"]
    assert registry.inside(parse_net("203.0.113.200/29")) == []
    available = registry.covering(parse_net("2001:db8:e::/48"))[0][0]
    assert available.status == "available" and available.cc == "" and not available.holder


def test_the_plain_format_has_no_holders(tmp_path: Path) -> None:
    registry = read_registry(build_registry(tmp_path / "plain", {"plain": True}))
    assert not registry.extended and registry.records == 16
    found = registry.asn(64501)
    assert found is not None and found.holder == ""


def test_an_ipv4_run_that_is_not_one_prefix_is_shown_as_a_range(tmp_path: Path) -> None:
    path = build_registry(tmp_path / "r", {"append": [
        "apnic|VN|ipv4|198.18.0.0|768|20200101|allocated|A97A0001"]})
    found = read_registry(path).covering(parse_net("198.18.2.0/24"))[0][0]
    assert found.resource == "198.18.0.0-198.18.2.255"


BAD = [
    ({"replace": {"2.3|apnic|": "3|apnic|"}}, 1, "unknown format version '3'"),
    ({"replace": {"2.3|apnic|": "2.3|vnnic|"}}, 1, "unknown registry 'vnnic'"),
    ({"replace": {"|64501|1|": "|AS64501|1|"}}, 7, "'AS64501' is not a valid asn start"),
    ({"replace": {"|192.0.2.0|256|": "|192.0.2|256|"}}, 8, "'192.0.2' is not a valid ipv4"),
    ({"replace": {"|192.0.2.0|256|": "|192.0.2.0|-5|"}}, 8, "the value '-5' is not a number"),
    ({"replace": {"|2001:db8:a::|48|": "|2001:db8:a::|129|"}}, 9, "prefix length of 129"),
    ({"replace": {"|2001:db8:a::|48|": "|2001:db8:a::1|48|"}}, 9, "is not a network address"),
    ({"replace": {"|64502|1|20200601|allocated|": "|64502|1|20200601|stolen|"}}, 10,
     "unknown status 'stolen'"),
    ({"replace": {"apnic|JP|asn": "apnic|Japan|asn"}}, 13, "'Japan' is not a country code"),
    ({"replace": {"apnic|JP|asn": "ripencc|JP|asn"}}, 13, "a record of registry 'ripencc'"),
    ({"replace": {"apnic|JP|asn|64496": "apnic|JP|as|64496"}}, 13, "unknown resource type 'as'"),
    ({"replace": {"|20110412|allocated|A93F11A2": "|2011-04-12|allocated|A93F11A2"}}, 13,
     "the date '2011-04-12' is not YYYYMMDD"),
    ({"replace": {"20150720|allocated|A94D1C33": "20150720|allocated|<script>"}}, 15,
     "the opaque id is not a registry id"),
    ({"replace": {"apnic|VN|ipv4|203.0.113.192|64|20160105|assigned|A95E2D44":
                  "apnic|VN|ipv4|203.0.113.192|64"}}, 16, "5 fields where a record has at least 7"),
    ({"replace": {"apnic|VN|ipv4|203.0.113.192|64|20160105|assigned|A95E2D44":
                  "apnic|VN|ipv4|203.0.113.192|64|20160105|assigned"}}, 16,
     "mixes the plain and the extended record format"),
    ({"append": ["apnic|VN|ipv4|192.0.2.128|64|20200101|allocated|A97A0001"]}, 23,
     "overlaps the record of line 8"),
    ({"replace": {"apnic|*|ipv4|*|7|summary": "apnic|*|ipv4|*|x|summary"}}, 5,
     "a malformed summary line"),
    ({"append": ["apnic|ZZ|asn|4294967295|2||reserved|"]}, 23, "outside the asn space"),
]


@pytest.mark.parametrize(("edits", "line", "said"), BAD, ids=[b[2][:40] for b in BAD])
def test_a_malformed_line_refuses_the_file_with_its_line(tmp_path: Path, edits: dict[str, object],
                                                        line: int, said: str) -> None:
    path = build_registry(tmp_path / "delegated", edits, recount=False)
    with pytest.raises(RegistryError) as caught:
        read_registry(path)
    assert caught.value.line == line, caught.value.one_line()
    assert said in caught.value.one_line()
    assert caught.value.one_line().startswith(f"{path}:{line}: ")


def test_a_truncated_download_is_refused(tmp_path: Path) -> None:
    text = REGISTRY.read_text()
    cut = tmp_path / "cut"
    cut.write_text(text[: text.index("apnic|AU|ipv6")])
    with pytest.raises(RegistryError, match=r"cut:1: the version line announces 16 records, "
                                            r"the file has 10: truncated"):
        read_registry(cut)
    # a record dropped and the total fixed by hand: the summaries still tell
    path = build_registry(tmp_path / "altered", {"drop": ["|198.51.100.0|"]}, recount=False)
    lines = path.read_text().replace("2.3|apnic|20261201|16|", "2.3|apnic|20261201|15|")
    path.write_text(lines)
    with pytest.raises(RegistryError, match="the ipv4 summary announces 7 records, the file has 6"):
        read_registry(path)


@pytest.mark.parametrize(("content", "said"), [
    (b"", "empty: no version line"),
    (b"# only a comment\n", "empty: no version line"),
    (b"<html><body>Service unavailable</body></html>\n", "the first line is not the version"),
    (b"2.3|apnic|20261201|0|19830613|2026-11-30|+1000\n", "the end date '2026-11-30'"),
    ("2.3|apnic|20261201|1|19830613|20261130|+1000\napnic|VN|asn|1|1|20200101|allocated|Ã\n"
     .encode(), "a byte that is not ASCII"),
])
def test_files_that_are_no_registry_statistics_are_refused(tmp_path: Path, content: bytes,
                                                           said: str) -> None:
    path = tmp_path / "file"
    path.write_bytes(content)
    with pytest.raises(RegistryError, match=said):
        read_registry(path)


def test_a_fifo_or_folder_is_never_read(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(RegistryError, match="not a regular file"):
        read_registry(fifo)
    with pytest.raises(RegistryError, match="not a regular file"):
        read_registry(tmp_path)


def test_windows_line_endings_and_extensions_beyond_the_opaque_id_are_accepted() -> None:
    text = REGISTRY.read_text().replace("A91C0E5A\n", "A91C0E5A|e-stats\n")
    registry = parse_registry(text.replace("\n", "\r\n"), "crlf")
    found = registry.asn(64501)
    assert found is not None and found.holder == "A91C0E5A" and registry.records == 16

from __future__ import annotations

import pytest

from egov_audit.ipnet import format_addr, parse_addr, parse_net


def test_parse_networks() -> None:
    net = parse_net("192.0.2.0/24")
    assert (net.version, net.first, net.last, net.prefixlen) == (4, 0xC0000200, 0xC00002FF, 24)
    v6 = parse_net("2001:db8::/32")
    assert v6.version == 6 and v6.last - v6.first == 2**96 - 1
    assert parse_net("0.0.0.0/0").last == 2**32 - 1


@pytest.mark.parametrize("text,reason", [
    ("10.0.0.0/33", "prefix length"), ("10.0.0.0", "address/prefix"),
    ("10.0.0.1/24", "host bits"), ("10.0.0/24", "not an IP network"),
    ("010.0.0.0/8", "not an IP network"), ("2001:db8:::/32", "not an IP network"),
    ("2001:db8::/129", "prefix length"), ("2001:db8::1/32", "host bits"),
    ("10.0.0.0/-1", "prefix length"), ("10.0.0.0/a", "prefix length")])
def test_bad_networks_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_net(text)


def test_addresses() -> None:
    assert parse_addr("192.0.2.5/24").first == parse_addr("192.0.2.5").first
    assert format_addr(6, parse_addr("2001:db8::1").first) == "2001:db8::1"
    with pytest.raises(ValueError):
        parse_addr("256.1.1.1")

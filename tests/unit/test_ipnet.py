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


def test_the_uncovered_part_is_netaddrs_set_difference() -> None:
    """The exact part of a subnet outside the blocks, against netaddr's IPSet as the reference:
    random subnets and blocks of both families, overlapping, nested, touching, none."""
    import random

    from netaddr import IPNetwork, IPSet

    from egov_audit.ipnet import uncovered

    rng = random.Random(17)

    def prefix(version: int, base: int, width: int) -> str:
        bits = 32 if version == 4 else 128
        length = rng.randint(bits - width, bits)
        value = (base | rng.getrandbits(width)) >> (bits - length) << (bits - length)
        return f"{format_addr(version, value)}/{length}"

    def nearby(version: int) -> int:  # mostly the same region, so that prefixes meet
        if rng.random() < .2:
            return 0
        return 0x0A000000 if version == 4 else 0x20010DB8 << 96

    for _ in range(400):
        version = rng.choice((4, 4, 6))
        net = parse_net(prefix(version, nearby(version), 12))
        families = [version if rng.random() < .85 else 10 - version
                    for _ in range(rng.randint(0, 6))]
        covers = [parse_net(prefix(v, nearby(v), 14)) for v in families]
        got = [p.text for p in uncovered(net, covers)]
        want = IPSet([IPNetwork(net.text)]) - IPSet(
            [IPNetwork(c.text) for c in covers if c.version == net.version])
        assert [parse_net(t).first for t in got] == [c.first for c in want.iter_cidrs()]
        assert [parse_net(t).prefixlen for t in got] == [c.prefixlen for c in want.iter_cidrs()]
    assert [p.text for p in uncovered(parse_net("10.0.0.0/24"), [parse_net("10.0.0.0/25")])] \
        == ["10.0.0.128/25"]
    assert uncovered(parse_net("10.0.0.0/24"), [parse_net("10.0.0.0/8")]) == []
    assert [p.text for p in uncovered(parse_net("0.0.0.0/0"), [])] == ["0.0.0.0/0"]
    assert [p.text for p in uncovered(parse_net("2001:db8::/126"),
                                      [parse_net("2001:db8::1/128")])] \
        == ["2001:db8::/128", "2001:db8::2/127"]

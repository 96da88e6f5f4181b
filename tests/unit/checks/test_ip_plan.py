from __future__ import annotations

import random

from egov_audit.checks.ip_plan import classify_asn, classify_net, nested_pairs
from egov_audit.ipnet import Net, format_addr, parse_net
from egov_audit.policy import PolicySet


def _random_prefixes(rng: random.Random, n: int) -> list[Net]:
    out = []
    for _ in range(n):
        if rng.random() < 0.7:
            length = rng.randint(8, 30)
            value = rng.getrandbits(32) & ~((1 << (32 - length)) - 1) & 0x0FFFFFFF
            out.append(parse_net(f"{format_addr(4, value)}/{length}"))
        else:
            length = rng.randint(16, 64)
            value = (0x2001_0DB8 << 96 | rng.getrandbits(96)) & ~((1 << (128 - length)) - 1)
            out.append(parse_net(f"{format_addr(6, value)}/{length}"))
    return out


def test_sweep_finds_exactly_the_overlapping_pairs_brute_force_finds() -> None:
    rng = random.Random(7)
    for _ in range(20):
        nets = _random_prefixes(rng, 120)
        nets += nets[:5]  # identical prefixes overlap too
        items = [(net, i) for i, net in enumerate(nets)]
        found = {frozenset(p) for p in nested_pairs(items)}
        brute = {frozenset((i, j)) for i, a in enumerate(nets) for j, b in enumerate(nets)
                 if i < j and a.version == b.version and a.first <= b.last
                 and b.first <= a.last}
        assert found == brute


def test_families_never_mix() -> None:
    items = [(parse_net("0.0.0.0/0"), "v4"), (parse_net("::/0"), "v6")]
    assert list(nested_pairs(items)) == []


def test_classification(policy: PolicySet) -> None:
    assert classify_net(policy, parse_net("10.1.0.0/16")) == ("private", "RFC 1918")
    assert classify_net(policy, parse_net("100.64.0.0/10"))[0] == "shared"  # type: ignore[index]
    assert classify_net(policy, parse_net("198.51.100.0/24"))[0] == "documentation"  # type: ignore[index]
    assert classify_net(policy, parse_net("14.160.0.0/11")) is None  # a real public block
    assert classify_net(policy, parse_net("2402:800::/32")) is None  # real global unicast
    assert classify_net(policy, parse_net("fd00::/8"))[0] == "private"  # type: ignore[index]
    assert classify_net(policy, parse_net("4000::/16"))[0] == "reserved"  # type: ignore[index]
    assert classify_net(policy, parse_net("0.0.0.0/0")) is not None  # touches special space
    assert classify_asn(policy, 7552) is None
    assert classify_asn(policy, 65000) == ("private", "RFC 6996")
    assert classify_asn(policy, 4200000000)[0] == "private"  # type: ignore[index]
    assert classify_asn(policy, 64496)[0] == "documentation"  # type: ignore[index]
    assert classify_asn(policy, 65536)[0] == "documentation"  # type: ignore[index]

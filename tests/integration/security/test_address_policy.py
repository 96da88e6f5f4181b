"""The address policy (egov_audit/gates/addresses.py), on generated addresses: every place a
connection must never go, in every notation an IPv6 address can carry an IPv4 one, and written
every way the text of an address can be written, is refused (with --allow-private too); private
space only with the option; public addresses, however wrapped, are not refused."""

from __future__ import annotations

import ipaddress
import socket

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_audit.gates.addresses import METADATA, AddressPolicy, embedded_ipv4, is_this_machine

BUDGET = settings(max_examples=300, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])
STRICT, LAX = AddressPolicy(), AddressPolicy(allow_private=True)


def _v4(net: str) -> st.SearchStrategy[ipaddress.IPv4Address]:
    network = ipaddress.ip_network(net)
    return st.integers(int(network[0]), int(network[-1])).map(ipaddress.IPv4Address)


NEVER_V4 = (_v4("127.0.0.0/8") | _v4("0.0.0.0/8") | _v4("169.254.0.0/16")
            | _v4("224.0.0.0/4") | _v4("240.0.0.0/4")
            | st.sampled_from([a for a in METADATA if a.version == 4]))
PRIVATE_V4 = (_v4("10.0.0.0/8") | _v4("172.16.0.0/12") | _v4("192.168.0.0/16")
              | _v4("100.64.0.0/10"))
# public IPv4: a few real providers' blocks
PUBLIC_V4 = _v4("8.8.8.0/24") | _v4("1.1.1.0/24") | _v4("203.162.0.0/16") | _v4("14.160.0.0/12")
BITS = st.integers(0, 2**32 - 1)


def _wrap(v4: ipaddress.IPv4Address, how: str, noise: int) -> ipaddress.IPv6Address:
    """v4 inside an IPv6 address, by one of the standard embeddings."""
    value = int(v4)
    if how == "mapped":
        return ipaddress.IPv6Address((0xFFFF << 32) | value)
    if how == "translated":
        return ipaddress.IPv6Address((0xFFFF << 48) | value)
    if how == "compatible":
        return ipaddress.IPv6Address(value)
    if how == "nat64":
        return ipaddress.IPv6Address((0x0064FF9B << 96) | value)
    if how == "nat64-local":
        return ipaddress.IPv6Address((0x0064FF9B0001 << 80) | ((noise & 0xFFFF) << 32) | value)
    if how == "6to4":
        return ipaddress.IPv6Address((0x2002 << 112) | (value << 80) | noise)
    # Teredo: prefix, server, flags and port (noise), the client inverted; the other party is
    # a public address (65.54.227.120, a real Teredo server)
    if how == "teredo-client":
        return ipaddress.IPv6Address((0x20010000 << 96) | (0x4136E378 << 64) | (noise << 32)
                                     | (~value & 0xFFFFFFFF))
    if how == "teredo-server":
        return ipaddress.IPv6Address((0x20010000 << 96) | (value << 64) | (noise << 32)
                                     | (~0x4136E378 & 0xFFFFFFFF))
    if how == "isatap":
        return ipaddress.IPv6Address((0x2001DB8 << 96) | (0x5EFE << 32) | value)
    raise AssertionError(how)


EMBEDDINGS = st.sampled_from(["mapped", "translated", "compatible", "nat64", "nat64-local",
                              "6to4", "teredo-client", "teredo-server", "isatap"])


@st.composite
def _spelled(draw: st.DrawFn, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """One of the texts that name this address: compressed, exploded, upper case, the last 32
    bits as a dotted quad."""
    if ip.version == 4:
        return str(ip)
    forms = [ip.compressed, ip.exploded, ip.compressed.upper(), ip.exploded.upper()]
    head = ip.exploded.rsplit(":", 2)[0]
    low = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    forms.append(f"{head}:{low}")
    return draw(st.sampled_from(forms))


@BUDGET
@given(NEVER_V4, EMBEDDINGS, BITS, st.data())
def test_never_places_are_refused_in_every_notation(v4: ipaddress.IPv4Address, how: str,
                                                    noise: int, data: st.DataObject) -> None:
    for ip in (v4, _wrap(v4, how, noise)):
        text = data.draw(_spelled(ip))
        assert STRICT.refusal(text), text
        assert LAX.refusal(text), text  # --allow-private never opens these
        assert v4 in embedded_ipv4(ip) or ip == v4


@BUDGET
@given(PRIVATE_V4, st.sampled_from(["mapped", "translated", "compatible", "nat64",
                                    "nat64-local", "6to4", "teredo-client", "teredo-server"]),
       BITS, st.data())
def test_private_space_only_with_the_option(v4: ipaddress.IPv4Address, how: str, noise: int,
                                            data: st.DataObject) -> None:
    for ip in (v4, _wrap(v4, how, noise)):
        text = data.draw(_spelled(ip))
        assert "--allow-private" in STRICT.refusal(text), text
        assert LAX.refusal(text) == "", text


@BUDGET
@given(PUBLIC_V4, st.sampled_from(["mapped", "nat64", "6to4"]), BITS, st.data())
def test_public_addresses_however_wrapped_are_probed(v4: ipaddress.IPv4Address, how: str,
                                                     noise: int, data: st.DataObject) -> None:
    if how == "6to4":
        noise &= (1 << 64) - 1  # a host in a 6to4 site (never a multicast or odd prefix)
    for ip in (v4, _wrap(v4, how, noise)):
        text = data.draw(_spelled(ip))
        assert STRICT.refusal(text) == "", text


@BUDGET
@given(st.integers(0, 2**128 - 1))
def test_any_ipv6_address_is_judged_without_error(value: int) -> None:
    text = str(ipaddress.IPv6Address(value))
    assert isinstance(STRICT.refusal(text), str)
    if ipaddress.IPv6Address(value).is_loopback or ipaddress.IPv6Address(value).is_link_local:
        assert STRICT.refusal(text) and LAX.refusal(text)


def test_ipv6_places_of_their_own() -> None:
    for text in ("::1", "::", "fe80::1", "FE80::abcd", "ff02::1", "ff0e::1", "fd00:ec2::254",
                 "fec0::1", "fe80::1%1", "not-an-address", "1.2.3", "01.2.3.4"):
        assert STRICT.refusal(text) and LAX.refusal(text), text
    for text in ("fd12:3456::1", "fc00::1", "2001:db8::1"):
        assert STRICT.refusal(text) and not LAX.refusal(text), text
    assert STRICT.refusal("2001:4860:4860::8888") == ""


def test_this_machines_own_addresses_are_refused() -> None:
    own = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    own |= {"127.0.0.1"}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("8.8.8.8", 53))  # no packet: the source the kernel would use
            own.add(probe.getsockname()[0])
        except OSError:
            pass
    for address in own:
        assert LAX.refusal(address), address
        assert is_this_machine(address), address
        if ":" not in address:
            assert LAX.refusal(f"::ffff:{address}"), address


@BUDGET
@given(_v4("127.0.0.0/8") | _v4("0.0.0.0/8"), EMBEDDINGS.filter(
    lambda h: h in ("mapped", "compatible", "translated")), BITS)
def test_the_controller_is_recognised_however_written(v4: ipaddress.IPv4Address, how: str,
                                                      noise: int) -> None:
    assert is_this_machine(str(v4))
    assert is_this_machine(str(_wrap(v4, how, noise)))
    assert is_this_machine(f"[{_wrap(v4, how, noise)}]")


def test_the_controller_by_name() -> None:
    for name in ("localhost", "LOCALHOST.", "localhost.localdomain", "ip6-localhost",
                 "foo.localhost", socket.gethostname(), socket.gethostname().upper()):
        assert is_this_machine(name), name
    for name in ("192.0.2.77", "2001:db8::77", "web01.example.invalid"):
        assert not is_this_machine(name), name

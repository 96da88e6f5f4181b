"""The address policy: where egov-audit may open a connection that someone else chose.

A portal's DNS is the agency's to set (and an attacker's, if it is compromised): it must not
turn the inspector's probe against the inspector's own machine, its cloud's metadata service
or its LAN. Every outbound connection whose address comes from outside the operator's own
statement (a portal's A/AAAA records, its MX hosts' addresses) asks `AddressPolicy.refusal`
first, and a refused address is reported, never contacted.

The same address has many spellings, so every embedding of an IPv4 address in an IPv6 one is
unwrapped first (IPv4-mapped and -translated, IPv4-compatible, NAT64, 6to4, Teredo, ISATAP),
and each address found is judged: the connection is refused if any of them is.

`is_this_machine` is the other half: the controller rule of `fix` (a host that is this
machine, however it is written) uses it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata and instance services: never a portal, always refused (AWS IMDS and ECS/EKS
# agents, GCP, Azure, OpenStack, DigitalOcean, Oracle: 169.254.169.254; Alibaba: 100.100.100.200;
# Oracle's legacy 192.0.0.192; AWS's IPv6 IMDS and EKS agent)
METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "169.254.170.23", "100.100.100.200", "192.0.0.192",
    "fd00:ec2::254", "fd00:ec2::23"))

_MAPPED = ipaddress.ip_network("::ffff:0:0/96")  # RFC 4291 2.5.5.2
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # RFC 2765 (SIIT)
_COMPATIBLE = ipaddress.ip_network("::/96")  # RFC 4291 2.5.5.1, deprecated
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215 local-use
_6TO4 = ipaddress.ip_network("2002::/16")  # RFC 3056
_TEREDO = ipaddress.ip_network("2001::/32")  # RFC 4380
_ISATAP_IID = (0x00005EFE, 0x02005EFE)  # RFC 5214: ::0:5efe:a.b.c.d, ::200:5efe:a.b.c.d
_LOW32 = 0xFFFFFFFF


def embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """Every IPv4 address that this IPv6 address carries, by any of the standard embeddings
    (a packet to it may end up at that IPv4 address: the kernel, a NAT64 gateway, a 6to4 or
    Teredo relay, an ISATAP tunnel)."""
    value = int(ip)
    low = ipaddress.IPv4Address(value & _LOW32)
    found: list[ipaddress.IPv4Address] = []
    if ip in _MAPPED or ip in _TRANSLATED or ip in _NAT64 or (ip in _COMPATIBLE and value > 1):
        found.append(low)
    if ip in _NAT64_LOCAL:  # RFC 6052 embeds at 32..96 bits depending on the prefix length
        found.append(low)
    if ip in _6TO4:
        found.append(ipaddress.IPv4Address((value >> 80) & _LOW32))
    if ip in _TEREDO:  # the server's address, and the client's (obfuscated: inverted)
        found.append(ipaddress.IPv4Address((value >> 64) & _LOW32))
        found.append(ipaddress.IPv4Address(~value & _LOW32))
    if (value >> 32) & _LOW32 in _ISATAP_IID:
        found.append(low)
    return tuple(dict.fromkeys(found))


def spellings(ip: IPAddress) -> tuple[IPAddress, ...]:
    """The address and every IPv4 address embedded in it."""
    if isinstance(ip, ipaddress.IPv6Address):
        return (ip, *embedded_ipv4(ip))
    return (ip,)


def _unspecified(ip: IPAddress) -> bool:
    """:: and 0.0.0.0, and all of 0.0.0.0/8 ('this network': Linux connects it to itself)."""
    return ip.is_unspecified or (ip.version == 4 and int(ip) >> 24 == 0)


def _never(ip: IPAddress) -> str:
    """Why no connection may ever go to this (unwrapped) address, or ""."""
    if ip in METADATA:
        return "a cloud metadata address"
    if _unspecified(ip):
        return "an unspecified address ('this network')"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.version == 4 and ip.is_reserved:
        return "a reserved or broadcast address"
    if ip.version == 6 and ip.is_site_local:
        return "a site-local address"
    return ""


def is_own_address(ip: IPAddress) -> bool:
    """Whether the address is one of this machine's (in its current network namespace).

    The kernel knows exactly: a UDP socket "connected" to one of the machine's own addresses
    takes that address as its source (it is routed through the local table), to any other
    address the source is the outgoing interface's. No packet is sent."""
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.connect((str(ip), 9))
        return bool(ipaddress.ip_address(sock.getsockname()[0].split("%", 1)[0]) == ip)
    return False


def _is_container(ip: IPAddress) -> bool:
    """An IPv6 address that only carries an IPv4 one: the IPv4 address is what is reached
    (Python counts the prefixes themselves as private)."""
    return isinstance(ip, ipaddress.IPv6Address) and bool(embedded_ipv4(ip)) and any(
        ip in net for net in (_MAPPED, _TRANSLATED, _COMPATIBLE, _NAT64, _NAT64_LOCAL, _TEREDO))


def _private(ip: IPAddress) -> bool:
    # not globally reachable: RFC 1918, shared (RFC 6598), ULA, documentation, benchmarking,
    # the IETF's own assignments... (IANA's special-purpose registries, as Python keeps them)
    return not ip.is_global


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses a connection may go to. Loopback, link-local, unspecified, multicast,
    reserved, metadata and this machine's own addresses never; private and shared space only
    when the operator allows it (`--allow-private`), and the result then says so."""

    allow_private: bool = False

    def refusal(self, address: str) -> str:
        """Why this address must not be contacted ("" when it may be). Anything that does not
        parse as one address is refused too."""
        if "%" in address:
            return "an address scoped to an interface of this machine"
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return "not an IP address"
        for each in spellings(ip):
            why = _never(each)
            if why:
                return why if each == ip else f"{why} ({each}) written as {address}"
        for each in spellings(ip):
            if is_own_address(each):
                return "an address of this machine" if each == ip else \
                    f"an address of this machine ({each}) written as {address}"
        private = _first_private(ip)
        if private is not None and not self.allow_private:
            what = "a private or shared address" if private == ip else \
                f"a private or shared address ({private}) written as {address}"
            return f"{what}: probed only with --allow-private"
        return ""

    @staticmethod
    def needs_permission(address: str) -> bool:
        """Whether the address lies in private or shared space (probed only when allowed)."""
        try:
            return _first_private(ipaddress.ip_address(address)) is not None
        except ValueError:
            return False


def _first_private(ip: IPAddress) -> IPAddress | None:
    """The first spelling of the address in private or shared space (a container prefix is not
    where the packet goes: what it carries is), or None."""
    judged = spellings(ip)[1:] if _is_container(ip) else spellings(ip)
    return next((each for each in judged if _private(each)), None)


# -- this machine, by any name ----------------------------------------------------------------
LOCAL_CONNECTIONS = frozenset({"local", "ansible.builtin.local", "ansible.legacy.local"})


@lru_cache(maxsize=1)
def _own_names() -> frozenset[str]:
    names = {"localhost", "localhost.localdomain", "localhost6", "localhost6.localdomain6",
             "ip6-localhost", "ip6-loopback"}
    with contextlib.suppress(OSError):
        names.add(socket.gethostname().lower())
        names.add(socket.getfqdn().lower())
    return frozenset(names)


def is_this_machine(host: str, resolve: bool = True) -> str:
    """Why `host` (an address or a name, as an inventory's ansible_host gives it) is this
    machine ("" when it is not, as far as can be told): a loopback, unspecified or own address
    in any spelling; a name of this machine; a name that resolves to such an address."""
    text = host.strip().rstrip(".").lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        ip = None
    if ip is not None:
        if any(each.is_loopback or _unspecified(each) for each in spellings(ip)):
            return f"{host} is a loopback or unspecified address"
        if any(is_own_address(each) for each in spellings(ip)):
            return f"{host} is an address of this machine"
        return ""
    if text in _own_names() or text.endswith(".localhost"):
        return f"{host} is a name of this machine"
    if not resolve or not text:
        return ""
    try:
        answers = socket.getaddrinfo(text, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return ""
    for *_, sockaddr in answers:
        if is_this_machine(str(sockaddr[0]), resolve=False):
            return f"{host} resolves to this machine ({sockaddr[0]})"
    return ""

"""IP addressing: ASN, provider-independent blocks, the subnet plan, overlaps (per agency and
across agencies), host addresses.

Overlap detection is an integer sort-and-sweep per address family, O(n log n + k): CIDR prefixes
are laminar (two prefixes overlap only if one contains the other), so after sorting by
(first, -last) every prefix still open on the stack contains the current one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from ..evidence.kind import HOST_FACTS
from ..inventory.model import Prefix, locate
from ..ipnet import Net, format_addr, parse_addr, parse_net, uncovered
from ..models import Location, TargetKind, Text
from ..policy import Control, PolicySet
from .context import (
    CheckContext,
    Finding,
    NationalContext,
    Verdicts,
    cap_list,
    named_check,
    not_assessed_host,
)

T = TypeVar("T")
NET = TargetKind.NETWORK


# -- sort and sweep -------------------------------------------------------------------------
def nested_pairs(items: Sequence[tuple[Net, T]]) -> Iterator[tuple[T, T]]:
    """Yield (outer, inner) for every pair of overlapping prefixes; identical prefixes overlap.
    Families never mix: IPv4 and IPv6 are swept separately."""
    for version in (4, 6):
        family = [(net.first, -net.last, net.last, item) for net, item in items
                  if net.version == version]
        family.sort(key=lambda entry: (entry[0], entry[1]))
        stack: list[tuple[int, T]] = []
        for first, _, last, item in family:
            while stack and stack[-1][0] < first:
                stack.pop()
            for _, outer in stack:
                yield outer, item
            stack.append((last, item))


def _merged(nets: Sequence[Net]) -> dict[int, tuple[list[int], list[int]]]:
    """Per family, the union of `nets` as sorted disjoint [first, last] runs."""
    out: dict[int, tuple[list[int], list[int]]] = {}
    for version in (4, 6):
        runs = sorted((n.first, n.last) for n in nets if n.version == version)
        firsts: list[int] = []
        lasts: list[int] = []
        for first, last in runs:
            if lasts and first <= lasts[-1] + 1:
                lasts[-1] = max(lasts[-1], last)
            else:
                firsts.append(first)
                lasts.append(last)
        out[version] = (firsts, lasts)
    return out


def _covered(net: Net, runs: Mapping[int, tuple[list[int], list[int]]]) -> bool:
    firsts, lasts = runs[net.version]
    i = bisect_right(firsts, net.first) - 1
    return i >= 0 and lasts[i] >= net.last


# -- special-purpose address space ------------------------------------------------------------
@dataclass(frozen=True)
class SpecialRange:
    """A special-purpose address range (private, documentation...) and its RFC."""

    net: Net
    kind: str
    ref: str


@dataclass(frozen=True)
class _AddressSpace:
    """Special ranges per family as sorted, disjoint runs, for O(log n) classification."""

    firsts: dict[int, list[int]]
    lasts: dict[int, list[int]]
    ranges: dict[int, list[SpecialRange]]
    global_unicast: Net
    asn: list[tuple[int, int, str, str]]


@lru_cache(maxsize=4)  # keyed by the catalogue: an unbounded cache kept every one ever loaded
def _address_space(policy: PolicySet) -> _AddressSpace:
    model = policy.model("address_space")
    special = sorted((SpecialRange(parse_net(e["prefix"]), e["kind"], e["ref"])
                      for e in [*model["ipv4"], *model["ipv6"]["special"]]),
                     key=lambda r: (r.net.version, r.net.first))
    ranges: dict[int, list[SpecialRange]] = {4: [], 6: []}
    for entry in special:
        family = ranges[entry.net.version]
        if family and family[-1].net.last >= entry.net.first:
            raise ValueError(f"special ranges overlap: {family[-1].net.text} {entry.net.text}")
        family.append(entry)
    asn = [(e["first"], e["last"], e["kind"], e["ref"]) for e in model["asn"]]
    return _AddressSpace({v: [r.net.first for r in rs] for v, rs in ranges.items()},
                         {v: [r.net.last for r in rs] for v, rs in ranges.items()}, ranges,
                         parse_net(model["ipv6"]["global_unicast"]), asn)


def classify_net(policy: PolicySet, net: Net) -> tuple[str, str] | None:
    """(kind, reference) of the special range the prefix touches; None if it is public."""
    space = _address_space(policy)
    # the last special range starting at or before the prefix's end is the only candidate:
    # the ranges are disjoint, so every earlier one ends before it
    i = bisect_right(space.firsts[net.version], net.last) - 1
    if i >= 0 and space.lasts[net.version][i] >= net.first:
        entry = space.ranges[net.version][i]
        return entry.kind, entry.ref
    if net.version == 6 and not space.global_unicast.contains(net):
        return "reserved", "RFC 4291 (outside global unicast 2000::/3)"
    return None


def classify_asn(policy: PolicySet, asn: int) -> tuple[str, str] | None:
    for first, last, kind, ref in _address_space(policy).asn:
        if first <= asn <= last:
            return kind, ref
    return None


_KIND_TEXT = {
    "private": Text("riêng (private)", "private"),
    "shared": Text("dùng chung CGN (shared)", "shared (CGN)"),
    "documentation": Text("dành cho tài liệu (documentation)", "documentation"),
    "reserved": Text("dành riêng (reserved)", "reserved"),
    "loopback": Text("loopback", "loopback"),
    "link_local": Text("link-local", "link-local"),
    "multicast": Text("multicast", "multicast"),
}


_PUBLIC = Text("công cộng", "public")


def _public(ctx_options_doc: bool, classified: tuple[str, str] | None) -> bool:
    return classified is None or (ctx_options_doc and classified[0] == "documentation")


# -- NET-ASN-01 -----------------------------------------------------------------------------
@named_check("asn_public", NET, requires=Text("có số hiệu mạng (ASN) công cộng riêng",
                                              "its own public AS number (ASN)"))
def asn_public(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """The agency holds its own public AS number."""
    plan = ctx.inventory.network
    where = (_loc(ctx, ("asn",)),)
    expected = Text("ASN công cộng (do VNNIC cấp)", "public ASN (VNNIC)")
    net = Verdicts("network", NET, expected)
    if plan.asn is None:
        return [net.failed("Đơn vị chưa có số hiệu mạng (ASN) riêng.",
                           "The agency has no AS number of its own.", "null", where)]
    classified = classify_asn(ctx.policy, plan.asn)
    if _public(ctx.options.documentation_as_public, classified):
        note = " (documentation ASN counted as public: demo)" if classified else ""
        return [net.passed(f"ASN {plan.asn} là số hiệu mạng công cộng.{note}",
                           f"AS{plan.asn} is a public AS number.{note}", f"AS{plan.asn}", where)]
    assert classified is not None
    kind, ref = classified
    return [net.failed(f"ASN {plan.asn} thuộc dải {_KIND_TEXT[kind].vi} ({ref}), không phải "
                       "ASN công cộng riêng của đơn vị.",
                       f"AS{plan.asn} is a {_KIND_TEXT[kind].en} AS number ({ref}), not a "
                       "public ASN of the agency's own.",
                       Text(f"AS{plan.asn} ({_KIND_TEXT[kind].vi}, {ref})",
                            f"AS{plan.asn} ({_KIND_TEXT[kind].en}, {ref})"), where)]


def _loc(ctx: CheckContext, subpath: tuple[Any, ...]) -> Location:
    return locate(ctx.inventory.network.source, subpath)


# -- NET-IP-01 / NET-IP-02 -------------------------------------------------------------------
@named_check("pi_block", NET, requires=Text(
    "có khối địa chỉ IPv{version} độc lập, công cộng, do VNNIC cấp",
    "a provider-independent public IPv{version} block allocated by VNNIC"),
             args={"version": {"enum": [4, 6]}})
def pi_block(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """The agency holds a provider-independent (VNNIC) public block of the given IP version."""
    version = int(args["version"])
    family = f"IPv{version}"
    blocks = [b for b in ctx.inventory.network.blocks if b.prefix.net.version == version]
    unicast = " (global unicast)" if version == 6 else ""
    expected = Text(f"khối {family} công cộng do VNNIC cấp{unicast}",
                    f"public {family} block allocated by VNNIC{unicast}")
    net = Verdicts("network", NET, expected)
    seen_vi: list[str] = []
    seen_en: list[str] = []
    good: list[str] = []
    for block in blocks:
        classified = classify_net(ctx.policy, block.prefix.net)
        is_pi = block.allocated_by.strip().upper() == "VNNIC"
        kind = _KIND_TEXT[classified[0]] if classified else _PUBLIC
        seen_vi.append(f"{block.prefix.net.text} ({block.allocated_by}, {kind.vi})")
        seen_en.append(f"{block.prefix.net.text} ({block.allocated_by}, {kind.en})")
        if is_pi and _public(ctx.options.documentation_as_public, classified):
            good.append(block.prefix.net.text)
    observed = Text(cap_list(seen_vi), cap_list(seen_en)) if blocks else \
        Text(f"không có khối {family}", f"no {family} block")
    locs = tuple(b.prefix.where for b in blocks[:20]) or (_loc(ctx, ("address_blocks",)),)
    if good:
        return [net.passed(f"Có khối địa chỉ {family} độc lập: {', '.join(good)}.",
                           f"Holds a provider-independent {family} block: {', '.join(good)}.",
                           observed, locs)]
    return [net.failed(f"Không có khối địa chỉ {family} độc lập (do VNNIC cấp, công cộng).",
                       f"No provider-independent public {family} block (allocated by VNNIC).",
                       observed, locs)]


# -- NET-IP-03 -------------------------------------------------------------------------------
@named_check("subnets_within_blocks", NET, requires=Text(
    "mọi mạng con của các vùng nằm trong khối địa chỉ đã khai báo của đơn vị",
    "every zone subnet inside the agency's declared address blocks"))
def subnets_within_blocks(ctx: CheckContext, control: Control,
                          args: Mapping[str, Any]) -> list[Finding]:
    """Every zone subnet lies inside the agency's declared address blocks (private space too:
    the plan declares its RFC 1918 / ULA supernets as blocks allocated by `internal`)."""
    plan = ctx.inventory.network
    runs = _merged([b.prefix.net for b in plan.blocks])
    outside: list[tuple[str, Prefix]] = []
    checked = 0
    for zone in plan.zones:
        for subnet in zone.subnets:
            checked += 1
            if not _covered(subnet.net, runs):
                outside.append((zone.name, subnet))
    expected = Text("mọi mạng con nằm trong khối địa chỉ của đơn vị",
                    "every zone subnet inside an address block of the agency")
    net = Verdicts("network", NET, expected)
    if not checked:
        return [net.not_applicable("Chưa khai báo mạng con nào.", "No subnet is declared.",
                                   Text("không có mạng con", "no subnet"))]
    if not outside:
        return [net.passed(f"Cả {checked} mạng con nằm trong các khối địa chỉ.",
                           f"All {checked} subnets lie inside the address blocks.",
                           Text(f"{checked} mạng con, đều nằm trong",
                                f"{checked} subnets, all inside"))]
    detail = [f"{s.net.text} ({zone}{_outside_part(plan.blocks, s.net)})" for zone, s in outside]
    return [net.failed(f"{len(outside)} mạng con nằm ngoài các khối địa chỉ của đơn vị: "
                       f"{cap_list(detail, 10)}.",
                       f"{len(outside)} subnets lie outside the agency's address blocks: "
                       f"{cap_list(detail, 10)}.", cap_list(detail),
                       tuple(s.where for _, s in outside[:20]))]


def _outside_part(blocks: Sequence[Any], net: Net) -> str:
    """The exact part of a subnet that no block covers."""
    cidrs = [part.text for part in uncovered(net, (b.prefix.net for b in blocks))]
    if cidrs == [net.text] or not cidrs:
        return ""
    return ", outside: " + ", ".join(cidrs[:4]) + (" …" if len(cidrs) > 4 else "")


# -- NET-IP-04 -------------------------------------------------------------------------------
@named_check("subnet_overlap", NET, requires=Text("các mạng con của các vùng không chồng lấn nhau",
                                           "no two zone subnets overlap"))
def subnet_overlap(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """No two subnets of the agency's zones overlap."""
    items = [(s.net, (zone.name, s)) for zone in ctx.inventory.network.zones
             for s in zone.subnets]
    pairs = list(nested_pairs(items))
    expected = Text("không có mạng con chồng lấn", "no overlapping subnets")
    net = Verdicts("network", NET, expected)
    if not pairs:
        return [net.passed(f"Không có mạng con chồng lấn ({len(items)} mạng con).",
                           f"No overlapping subnets ({len(items)} subnets).",
                           Text(f"{len(items)} mạng con, không chồng lấn",
                                f"{len(items)} subnets, none overlapping"))]
    detail = [f"{a.net.text} ({za}) ⊇ {b.net.text} ({zb})" for (za, a), (zb, b) in pairs]
    locs: list[Location] = []
    for (_, a), (_, b) in pairs[:10]:
        locs.extend((a.where, b.where))
    return [net.failed(f"{len(pairs)} cặp mạng con chồng lấn: {cap_list(detail, 10)}.",
                       f"{len(pairs)} overlapping subnet pairs: {cap_list(detail, 10)}.",
                       cap_list(detail), tuple(locs))]


# -- NET-IP-05 (national) ---------------------------------------------------------------------
@named_check("national_overlap", TargetKind.NATIONAL, requires=Text(
    "không có khối địa chỉ hay mạng con nào trùng với của đơn vị khác",
    "no address block or subnet overlaps another agency's"))
def national_overlap(ctx: NationalContext, control: Control,
                     args: Mapping[str, Any]) -> list[Finding]:
    """No address block or subnet of one agency overlaps another agency's: public space, and
    the specialized data network's (TSLCD) blocks and every subnet inside them, private ranges
    included (the Central Post Office Department allocates them uniquely)."""
    items: list[tuple[Net, tuple[str, Prefix]]] = []
    for agency in ctx.agencies:
        code = agency.inventory.agency.code
        plan = agency.inventory.network
        tslcd = [b.prefix.net for b in plan.blocks if _is_tslcd(b.allocated_by)]
        for block in plan.blocks:
            if _is_tslcd(block.allocated_by) or _overlap_relevant(ctx.policy, block.prefix.net):
                items.append((block.prefix.net, (code, block.prefix)))
        for zone in plan.zones:
            for subnet in zone.subnets:
                if _overlap_relevant(ctx.policy, subnet.net) or \
                        any(block.contains(subnet.net) for block in tslcd):
                    items.append((subnet.net, (code, subnet)))
    by_pair: dict[tuple[str, str], list[str]] = {}
    locs: list[Location] = []
    for (code_a, a), (code_b, b) in nested_pairs(items):
        if code_a == code_b:
            continue
        key = (min(code_a, code_b), max(code_a, code_b))
        by_pair.setdefault(key, []).append(f"{code_a} {a.net.text} ⊇ {code_b} {b.net.text}")
        if len(locs) < 20:
            locs.extend((a.where, b.where))
    expected = Text("không có tiền tố dùng chung giữa các đơn vị",
                    "no prefix shared between agencies")
    national = Verdicts("national", TargetKind.NATIONAL, expected)
    agencies = len(ctx.agencies)
    if not by_pair:
        return [national.passed(f"Không có chồng lấn địa chỉ giữa {agencies} đơn vị "
                                f"({len(items)} tiền tố).",
                                f"No address overlap between {agencies} agencies "
                                f"({len(items)} prefixes).",
                                Text(f"{len(items)} tiền tố, không chồng lấn",
                                     f"{len(items)} prefixes, no overlap"))]
    detail = [f"{a} ↔ {b}: {cap_list(pairs, 3)}" for (a, b), pairs in sorted(by_pair.items())]
    return [national.failed(
        f"{len(by_pair)} cặp đơn vị có địa chỉ chồng lấn: {cap_list(detail, 5)}",
        f"{len(by_pair)} agency pairs have overlapping addresses: {cap_list(detail, 5)}",
        cap_list(detail, 50), tuple(locs))]


def _is_tslcd(allocated_by: str) -> bool:
    return allocated_by.strip().upper() == "TSLCD"


def _overlap_relevant(policy: PolicySet, net: Net) -> bool:
    # Private space is reused by every agency behind NAT: only public space must not be
    # duplicated (TSLCD-allocated space, centrally unique, is added by the caller).
    # Documentation ranges are kept: they stand for public space in the samples.
    classified = classify_net(policy, net)
    return classified is None or classified[0] == "documentation"


# -- NET-ASN-02 (national) ---------------------------------------------------------------------
@named_check("national_asn_unique", TargetKind.NATIONAL, requires=Text(
    "không có hai đơn vị khai báo cùng một ASN", "no two agencies declare the same ASN"))
def national_asn_unique(ctx: NationalContext, control: Control,
                        args: Mapping[str, Any]) -> list[Finding]:
    """No two agencies declare the same AS number."""
    holders: dict[int, list[str]] = {}
    where: dict[int, list[Location]] = {}
    for agency in ctx.agencies:
        asn = agency.inventory.network.asn
        if asn is not None:
            holders.setdefault(asn, []).append(agency.inventory.agency.code)
            where.setdefault(asn, []).append(_loc(agency, ("asn",)))
    shared = {asn: codes for asn, codes in holders.items() if len(codes) > 1}
    expected = Text("mỗi ASN chỉ do một đơn vị khai báo", "each ASN declared by one agency")
    national = Verdicts("national", TargetKind.NATIONAL, expected)
    if not shared:
        return [national.passed(f"{len(holders)} ASN, không trùng lặp.",
                                f"{len(holders)} ASNs, none shared.",
                                Text("không có ASN trùng", "no shared ASN"))]
    detail = [f"AS{asn}: {', '.join(codes)}" for asn, codes in sorted(shared.items())]
    return [national.failed(f"ASN bị khai báo trùng: {cap_list(detail, 10)}.",
                            f"ASNs declared by several agencies: {cap_list(detail, 10)}.",
                            cap_list(detail),
                            tuple(loc for asn in sorted(shared) for loc in where[asn])[:20])]


# -- NET-IP-06 -------------------------------------------------------------------------------
@named_check("host_address_in_zone", TargetKind.HOST, requires=Text(
    "mọi địa chỉ của máy chủ nằm trong mạng con thuộc vùng của nó",
    "every address of a host inside a subnet of its zone"))
def host_address_in_zone(ctx: CheckContext, control: Control,
                         args: Mapping[str, Any]) -> list[Finding]:
    """Every address of a host lies in a subnet of the host's zone."""
    out: list[Finding] = []
    plan = ctx.inventory.network
    for host in ctx.judged_hosts:
        zone = plan.zone(host.zone)
        assert zone is not None  # the loader refuses unknown zones
        subnets = ", ".join(s.net.text for s in zone.subnets) or "none"
        expected = Text(f"thuộc vùng {zone.name}: {subnets}", f"in zone {zone.name}: {subnets}")
        on_host = Verdicts(host.name, TargetKind.HOST, expected)
        if not host.addresses:
            out.append(on_host.not_assessed(
                "Máy chủ chưa khai báo địa chỉ IP (ansible_host là tên miền và không có "
                "`addresses`).",
                "No IP address declared (ansible_host is a name and there are no `addresses`).",
                Text("không có địa chỉ", "no address"), (host.where,)))
            continue
        stray = [a for a in host.addresses
                 if not any(s.net.contains(a.net) for s in zone.subnets)]
        shown = ", ".join(a.net.text for a in host.addresses)
        if stray:
            wrong = ", ".join(a.net.text for a in stray)
            out.append(on_host.failed(f"Địa chỉ {wrong} không thuộc vùng {zone.name} ({subnets}).",
                                      f"Address {wrong} is not in zone {zone.name} ({subnets}).",
                                      shown, tuple(a.where for a in stray)))
        else:
            out.append(on_host.passed(f"Địa chỉ {shown} thuộc vùng {zone.name}.",
                                      f"Address {shown} is in zone {zone.name}.", shown))
    return out


# -- NET-IP-07 -------------------------------------------------------------------------------
@named_check("zones_dual_stack", NET, requires=Text(
    "các vùng ({kinds}) có cả mạng con IPv4 và IPv6",
    "the zones ({kinds}) have both IPv4 and IPv6 subnets"),
    args={"kinds": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
    defaults={"kinds": ["dmz"]})
def zones_dual_stack(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """Zones of the given kinds (public-facing: DMZ) have both an IPv4 and an IPv6 subnet."""
    kinds = list(args["kinds"])
    zones = [z for z in ctx.inventory.network.zones if z.kind in kinds]
    expected = Text(f"vùng loại {', '.join(kinds)} có mạng con IPv4 và IPv6",
                    f"zones of kind {', '.join(kinds)} with IPv4 and IPv6 subnets")
    net = Verdicts("network", NET, expected)
    if not zones:
        return [net.not_applicable(f"Không có vùng loại {', '.join(kinds)}.",
                                   f"No zone of kind {', '.join(kinds)}.",
                                   Text("không có vùng này", "no such zone"))]
    single = [z for z in zones if {s.net.version for s in z.subnets} != {4, 6}]
    observed = "; ".join(
        f"{z.name}: {', '.join(s.net.text for s in z.subnets) or '-'}" for z in zones)
    if single:
        names = ", ".join(z.name for z in single)
        return [net.failed(f"Vùng chưa chạy song song IPv4/IPv6 (dual-stack): {names}.",
                           f"Zones not dual-stack (IPv4 and IPv6): {names}.", observed,
                           tuple(z.where for z in single))]
    return [net.passed("Các vùng công cộng đã có IPv4 và IPv6.",
                       "Public-facing zones are dual-stack.", observed)]


# -- NET-IP-08 -------------------------------------------------------------------------------
@named_check("duplicate_host_addresses", NET, requires=Text(
    "không có hai máy chủ khai báo cùng một địa chỉ IP",
    "no two hosts declare the same IP address"))
def duplicate_host_addresses(ctx: CheckContext, control: Control,
                             args: Mapping[str, Any]) -> list[Finding]:
    """No two hosts declare the same IP address."""
    owners: dict[tuple[int, int], list[tuple[str, Location]]] = {}
    for host in ctx.inventory.hosts:
        for address in host.addresses:
            owners.setdefault((address.net.version, address.net.first), []).append(
                (host.name, address.where))
    dups = {key: hosts for key, hosts in owners.items() if len(hosts) > 1}
    expected = Text("mỗi địa chỉ chỉ dùng cho một máy chủ", "each address used by one host")
    net = Verdicts("network", NET, expected)
    if not owners:
        return [net.not_applicable("Không có máy chủ nào khai báo địa chỉ IP.",
                                   "No host declares an IP address.",
                                   Text("không có địa chỉ", "no address"))]
    if not dups:
        return [net.passed(f"{len(owners)} địa chỉ, không trùng.",
                           f"{len(owners)} addresses, none shared.",
                           Text(f"{len(owners)} địa chỉ", f"{len(owners)} addresses"))]
    detail = [f"{format_addr(v, value)}: {', '.join(h for h, _ in hosts)}"
              for (v, value), hosts in sorted(dups.items())]
    locs = tuple(loc for hosts in dups.values() for _, loc in hosts)[:20]
    return [net.failed(f"Địa chỉ IP bị dùng trùng: {cap_list(detail, 10)}.",
                       f"IP addresses used by several hosts: {cap_list(detail, 10)}.",
                       cap_list(detail), locs)]


# -- live data (scan, evaluate) -----------------------------------------------------------------
_NOT_PLANNED = ("127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10")


def _live_addresses(facts: Mapping[str, Any]) -> list[Net]:
    """Global addresses a host reports on its interfaces (loopback and link-local left out)."""
    skip = [parse_net(p) for p in _NOT_PLANNED]
    out: list[Net] = []
    interfaces = facts.get("interfaces")
    for iface in interfaces if isinstance(interfaces, list) else []:
        addresses = iface.get("addresses") if isinstance(iface, dict) else None
        for text in addresses if isinstance(addresses, list) else []:
            try:
                net = parse_addr(str(text))
            except ValueError:
                continue
            if not any(s.contains(net) for s in skip):
                out.append(net)
    return out


@named_check("host_live_addresses", TargetKind.HOST, requires=Text(
    "địa chỉ thực tế của máy chủ nằm trong mạng con của vùng đã khai báo",
    "the addresses a host really has inside the subnets of its declared zone"),
    reads=[HOST_FACTS])
def host_live_addresses(ctx: CheckContext, control: Control,
                        args: Mapping[str, Any]) -> list[Finding]:
    """The addresses a host really has lie in the subnets of its declared zone."""
    out: list[Finding] = []
    evidence = ctx.of(HOST_FACTS) or {}
    for host in ctx.judged_hosts:
        found = evidence.get(host.name)
        if found is None or not found.collected:
            out.append(not_assessed_host(host.name, found))
            continue
        zone = ctx.inventory.network.zone(host.zone)
        assert zone is not None
        subnets = ", ".join(s.net.text for s in zone.subnets) or "-"
        expected = Text(f"thuộc vùng {zone.name}: {subnets}", f"in zone {zone.name}: {subnets}")
        on_host = Verdicts(host.name, TargetKind.HOST, expected)
        live = _live_addresses(found.facts)
        shown = ", ".join(n.text for n in live)
        if not live:
            out.append(on_host.not_assessed("Máy chủ không báo địa chỉ toàn cục nào.",
                                            "The host reports no global address.",
                                            Text("không có địa chỉ", "no address"), (host.where,)))
            continue
        stray = [n for n in live if not any(s.net.contains(n) for s in zone.subnets)]
        if stray:
            wrong = ", ".join(n.text for n in stray[:10])
            out.append(on_host.failed(f"Địa chỉ thực tế {wrong} không thuộc vùng {zone.name} "
                                      f"({subnets}).",
                                      f"Live address {wrong} is not in zone {zone.name} "
                                      f"({subnets}).", shown, (host.where,)))
        else:
            out.append(on_host.passed(f"Địa chỉ thực tế {shown} thuộc vùng {zone.name}.",
                                      f"Live addresses {shown} are in zone {zone.name}.", shown))
    return out


@named_check("answering_hosts_declared", NET, requires=Text(
    "mọi máy chủ trả lời khi quét đều được khai báo trong inventory",
    "every host that answered the scan is declared in the inventory"), reads=[HOST_FACTS])
def answering_hosts_declared(ctx: CheckContext, control: Control,
                             args: Mapping[str, Any]) -> list[Finding]:
    """Every host that answered the scan is declared in the inventory's plan."""
    declared = {h.name for h in ctx.inventory.hosts}
    answered = sorted(h for h, e in (ctx.of(HOST_FACTS) or {}).items() if e.collected)
    stray = [h for h in answered if h not in declared]
    expected = Text("mọi máy chủ trả lời đều có trong quy hoạch",
                    "every answering host is in the plan")
    net = Verdicts("network", NET, expected)
    if stray:
        names = cap_list(stray)
        return [net.failed(f"Máy chủ trả lời nhưng không có trong quy hoạch: {names}.",
                           f"Hosts answered but are missing from the plan: {names}.", names,
                           (_loc(ctx, ("zones",)),))]
    return [net.passed(f"{len(answered)} máy chủ trả lời, đều có trong quy hoạch.",
                       f"{len(answered)} answering hosts, all in the plan.",
                       Text(f"{len(answered)} máy chủ", f"{len(answered)} hosts"))]

"""The declared network plan judged against the devices' configurations: zones configured on
interfaces, firewalls between zones, the inter-zone policy, BGP (the agency's own AS, multihoming,
its own prefixes announced). Per-device checks are in devices.py."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..inventory.model import locate
from ..ipnet import Net, parse_net
from ..models import Text
from ..network.kinds import DEVICE_CONFIG
from ..policy import Control
from .context import (
    CheckContext,
    CheckFn,
    Finding,
    Verdicts,
    cap_list,
    named_check,
)
from .devices import NET, _address, _at, _devices, _roles, _where, _within

Placed = tuple[str, Mapping[str, Any], Mapping[str, Any], Net]  # device, facts, interface, address


def _interfaces(ctx: CheckContext) -> tuple[list[Placed], dict[int, list[int]]]:
    """Every address of every interface that is up, sorted by address, with each IP version's
    sorted address values for bisection (built once per audit: 1,000 routers hold 300,000)."""
    cached = ctx.cache.get("device_interfaces")
    if cached is None:
        placed: list[Placed] = []
        for device, facts in _devices(ctx):
            for interface in facts.get("interfaces") or []:
                if interface.get("shutdown"):
                    continue
                for text in interface.get("addresses") or []:
                    address = _address(text)
                    if address is not None:
                        placed.append((device, facts, interface, address))
        placed.sort(key=lambda p: (p[3].version, p[3].first))
        keys: dict[int, list[int]] = {4: [], 6: []}
        for item in placed:
            keys[item[3].version].append(item[3].first)
        cached = ctx.cache["device_interfaces"] = (placed, keys)
    return cached


def _on(ctx: CheckContext, subnet: Net) -> list[Placed]:
    """The interface addresses inside `subnet`."""
    placed, keys = _interfaces(ctx)
    values = keys[subnet.version]
    offset = 0 if subnet.version == 4 else len(keys[4])
    low, high = bisect_left(values, subnet.first), bisect_right(values, subnet.last)
    return placed[offset + low:offset + high]


def _network_checks(name: str, requires: Text, params: Sequence[str] = ()
                    ) -> Callable[[CheckFn], CheckFn]:
    return named_check(name, NET, requires, reads=[DEVICE_CONFIG], params=params)


def _no_devices(v: Verdicts) -> list[Finding]:
    return [v.not_assessed("Không có cấu hình thiết bị mạng nào dùng được.",
                           "No usable network device configuration.",
                           Text("không có cấu hình thiết bị", "no device configuration"))]


@_network_checks("zone_subnets_configured", Text(
    "mỗi dải mạng của vùng đã khai báo có trên một giao diện của thiết bị mạng",
    "every declared zone subnet is on an interface of a network device"))
def zone_subnets_configured(ctx: CheckContext, control: Control,
                            args: Mapping[str, Any]) -> list[Finding]:
    """Every declared zone subnet is configured on an interface (up) of a router, firewall
    or layer-3 switch: a zone that no device routes exists only on paper."""
    v = Verdicts("network", NET, Text("mỗi dải mạng của vùng có trên giao diện thiết bị",
                                      "every zone subnet on a device interface"))
    if not _devices(ctx):
        return _no_devices(v)
    out = []
    for zone in ctx.inventory.network.zones:
        for subnet in zone.subnets:
            on = [(d, f, i) for d, f, i, _ in _on(ctx, subnet.net)]
            if on:
                shown = cap_list(sorted({f"{d} {i.get('name')}" for d, _, i in on}))
                out.append(v.passed(f"Vùng {zone.name} ({subnet.net.text}) có trên {shown}.",
                                    f"Zone {zone.name} ({subnet.net.text}) is on {shown}.",
                                    shown, [_at(f, i.get("line")) for _, f, i in on][:5]))
            else:
                out.append(v.failed(
                    f"Dải {subnet.net.text} của vùng {zone.name} không có trên giao diện nào "
                    "của thiết bị mạng.",
                    f"Subnet {subnet.net.text} of zone {zone.name} is on no network device "
                    "interface.", Text("không có trên thiết bị", "on no device"),
                    [subnet.where]))
    return out


@_network_checks("zones_behind_firewall", Text(
    "vùng khai báo tách bằng tường lửa kết thúc trên giao diện tường lửa",
    "zones declared separated by a firewall terminate on firewall interfaces"))
def zones_behind_firewall(ctx: CheckContext, control: Control,
                          args: Mapping[str, Any]) -> list[Finding]:
    """Zones declared `separated_by: firewall` terminate on a device of role firewall: an
    interface of a router or switch in such a zone routes it around the firewall (in the
    perimeter zone, edge routers are where they belong)."""
    v = Verdicts("network", NET, Text("chỉ giao diện tường lửa trong vùng",
                                      "only firewall interfaces in the zone"))
    if not _devices(ctx):
        return _no_devices(v)
    roles = _roles(ctx)
    out = []
    for zone in ctx.inventory.network.zones:
        if zone.separated_by != "firewall":
            continue
        on = [(d, f, i) for s in zone.subnets for d, f, i, _ in _on(ctx, s.net)]
        # the perimeter is where the edge routers meet the firewall's outside: routers belong
        bypass = [(d, f, i) for d, f, i in on if roles.get(d) != "firewall"
                  and not (zone.kind == "perimeter" and roles.get(d) == "router")]
        walls = sorted({d for d, _, _ in on if roles.get(d) == "firewall"})
        if bypass:
            shown = cap_list(sorted({f"{d} {i.get('name')} ({roles.get(d, 'undeclared')})"
                                     for d, _, i in bypass}))
            out.append(v.failed(
                f"Vùng {zone.name} khai báo tách bằng tường lửa nhưng kết thúc trên {shown}.",
                f"Zone {zone.name} is declared separated by a firewall but terminates on "
                f"{shown}.", shown,
                [*[_at(f, i.get("line")) for _, f, i in bypass][:5], zone.where]))
        elif not walls:
            out.append(v.failed(
                f"Vùng {zone.name} khai báo tách bằng tường lửa nhưng không tường lửa nào có "
                "giao diện trong vùng.",
                f"Zone {zone.name} is declared separated by a firewall but no firewall has an "
                "interface in it.", Text("không có tường lửa", "no firewall"), [zone.where]))
        else:
            out.append(v.passed(f"Vùng {zone.name} kết thúc trên tường lửa {', '.join(walls)}.",
                                f"Zone {zone.name} terminates on firewall {', '.join(walls)}.",
                                ", ".join(walls)))
    return out


_ANY = frozenset({"any", "all", "any4", "any6"})


def _open_policies(facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rules that let anything reach anything: permit-any ACL entries, any-to-any policies."""
    out = [{"line": e.get("line"), "what": str(e.get("acl"))}
           for e in facts.get("acl_permit_any") or []]
    seen = {o["line"] for o in out}
    for policy in facts.get("policies") or []:
        if str(policy.get("action")) not in ("accept", "permit"):
            continue
        lists = [{str(x).lower() for x in policy.get(k) or []}
                 for k in ("source", "destination", "service")]
        if all(values & (_ANY | {"all"}) for values in lists) and policy.get("line") not in seen:
            out.append({"line": policy.get("line"), "what": f"policy {policy.get('id')}"})
    return out


def _default_permit(ctx: CheckContext, facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Traffic that passes without a rule: a device whose default for forwarded traffic is not
    drop (or that has no such default written), an interface that lets traffic through without
    a rule (always, or in a zone the plan separates by firewall)."""
    out: list[dict[str, Any]] = []
    default = facts.get("forwarding_default")
    if isinstance(default, Mapping):
        if default.get("value") != "drop":
            what = "forward: policy accept" if default.get("value") else "forward: -"
            out.append({"line": default.get("line"), "what": what})
        return out
    guarded = [s.net for z in ctx.inventory.network.zones if z.separated_by == "firewall"
               for s in z.subnets]
    for interface in facts.get("passes_without_rule") or []:
        if not isinstance(interface, Mapping):
            continue
        if interface.get("when") == "always" or any(
                _within(_address(a), guarded) for a in interface.get("addresses") or []):
            out.append({"line": interface.get("line"), "what": str(interface.get("what"))})
    return out


@_network_checks("interzone_deny_default", Text(
    "chính sách giữa các vùng mặc định chặn, không có luật cho phép mọi nguồn tới mọi đích",
    "inter-zone policy denies by default, with no any-to-any rule"))
def interzone_deny_default(ctx: CheckContext, control: Control,
                           args: Mapping[str, Any]) -> list[Finding]:
    """On every firewall: no rule lets any source reach any destination on any service, and
    no interface passes traffic without a rule (deny by default)."""
    v = Verdicts("network", NET, Text("mặc định chặn; không có luật any-any",
                                      "deny by default; no any-to-any rule"))
    roles = _roles(ctx)
    firewalls = [(d, f) for d, f in _devices(ctx) if roles.get(d) == "firewall"]
    if not firewalls:
        if not _devices(ctx):
            return _no_devices(v)
        return [v.failed("Không có cấu hình tường lửa nào (thiết bị role: firewall).",
                         "No firewall configuration (a device with role: firewall).",
                         Text("không có tường lửa", "no firewall"))]
    out = []
    for device, facts in firewalls:
        loose = _open_policies(facts) + _default_permit(ctx, facts)
        if loose:
            shown = cap_list([str(o["what"]) for o in loose])
            out.append(v.failed(f"{device}: cho phép lưu lượng không cần luật cụ thể: {shown}.",
                                f"{device}: traffic passes without a specific rule: {shown}.",
                                f"{device}: {shown}", _where(facts, loose)))
        else:
            out.append(v.passed(f"{device}: mặc định chặn, không có luật any-any.",
                                f"{device}: denies by default, no any-to-any rule.", device))
    return out


def _bgp(ctx: CheckContext) -> list[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    return [(d, f, f["bgp"]) for d, f in _devices(ctx)
            if isinstance(f.get("bgp"), Mapping) and f["bgp"].get("local_as") is not None]


@_network_checks("bgp_local_as_declared", Text(
    "ASN khai báo là AS cục bộ trong cấu hình BGP", "the declared ASN is the BGP local AS"))
def bgp_local_as_declared(ctx: CheckContext, control: Control,
                          args: Mapping[str, Any]) -> list[Finding]:
    """The declared ASN is the local AS every BGP router runs (a router running another AS,
    or a network declaring none while routing with one, contradicts the declaration)."""
    plan = ctx.inventory.network
    asn = plan.asn
    v = Verdicts("network", NET, f"AS{asn}" if asn is not None else Text(
        "không khai báo ASN", "no ASN declared"))
    declared_at = locate(plan.source, ("asn",))
    speakers = _bgp(ctx)
    if not speakers:
        if not _devices(ctx):
            return _no_devices(v)
        if asn is None:
            return [v.not_applicable("Không khai báo ASN và không thiết bị nào chạy BGP.",
                                     "No ASN declared and no device runs BGP.",
                                     Text("không chạy BGP", "no BGP"))]
        return [v.failed(f"Khai báo AS{asn} nhưng không thiết bị nào chạy BGP.",
                         f"AS{asn} is declared but no device runs BGP.",
                         Text("không chạy BGP", "no BGP"), [declared_at])]
    out = []
    for device, facts, bgp in speakers:
        local = bgp["local_as"]
        where = [_at(facts, bgp.get("line"))]
        if asn == local:
            out.append(v.passed(f"{device} chạy BGP với AS{local} đã khai báo.",
                                f"{device} runs BGP as the declared AS{local}.",
                                f"{device}: AS{local}", where))
        else:
            said = Text(f"khai báo AS{asn}", f"declared AS{asn}") if asn is not None \
                else Text("không khai báo ASN", "no ASN declared")
            out.append(v.failed(f"{device} chạy BGP với AS{local}, mâu thuẫn với {said.vi}.",
                                f"{device} runs BGP as AS{local}, contradicting {said.en}.",
                                f"{device}: AS{local}", [*where, declared_at]))
    return out


def _ebgp(bgp: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    local = bgp.get("local_as")
    return [n for n in bgp.get("neighbors") or []
            if isinstance(n, Mapping) and n.get("remote_as") not in (None, local)]


@_network_checks("bgp_multihomed", Text(
    "BGP với tối thiểu {min_internet_providers} AS nhà cung cấp khác nhau",
    "BGP sessions to at least {min_internet_providers} distinct provider ASes"),
    params=["network.min_internet_providers"])
def bgp_multihomed(ctx: CheckContext, control: Control,
                   args: Mapping[str, Any]) -> list[Finding]:
    """Multihoming as configured: eBGP neighbours in at least `min_internet_providers`
    distinct ASes (counting only Established sessions when the state was collected live)."""
    minimum = int(ctx.param("network.min_internet_providers", control))
    v = Verdicts("network", NET, Text(f"BGP tới tối thiểu {minimum} AS khác nhau",
                                      f"BGP to at least {minimum} distinct ASes"))
    speakers = _bgp(ctx)
    if not speakers:
        if not _devices(ctx):
            return _no_devices(v)
        return [v.failed("Không thiết bị nào chạy BGP: không có multihoming.",
                         "No device runs BGP: no multihoming.",
                         Text("không chạy BGP", "no BGP"))]
    peers: dict[int, list[tuple[Mapping[str, Any], Mapping[str, Any]]]] = {}
    down = []
    for _, facts, bgp in speakers:
        for neighbour in _ebgp(bgp):
            state = neighbour.get("state")
            if state is not None and str(state).lower() != "established":
                down.append((facts, neighbour))
                continue
            peers.setdefault(int(neighbour["remote_as"]), []).append((facts, neighbour))
    shown = cap_list([f"AS{a}" for a in sorted(peers)]) or "-"
    where = [_at(f, n.get("line")) for items in peers.values() for f, n in items][:10]
    if len(peers) >= minimum:
        return [v.passed(f"BGP tới {len(peers)} AS khác nhau: {shown}.",
                         f"BGP to {len(peers)} distinct ASes: {shown}.", shown, where)]
    note = ""
    if down:
        note = f" ({len(down)} not Established)"
    return [v.failed(f"BGP chỉ tới {len(peers)} AS ({shown}){note}; yêu cầu tối thiểu "
                     f"{minimum}.", f"BGP to only {len(peers)} AS(es) ({shown}){note}; at "
                     f"least {minimum} are required.", shown,
                     where + [_at(f, n.get("line")) for f, n in down][:10]
                     or [_at(speakers[0][1], speakers[0][2].get("line"))])]


@_network_checks("bgp_announces_own", Text(
    "BGP chỉ quảng bá khối địa chỉ độc lập của đơn vị",
    "BGP announces only the agency's own independent blocks"))
def bgp_announces_own(ctx: CheckContext, control: Control,
                      args: Mapping[str, Any]) -> list[Finding]:
    """Every announced prefix lies in one of the agency's provider-independent blocks
    (allocated by VNNIC): announcing a provider's space or anyone else's is a gap."""
    plan = ctx.inventory.network
    own = [b for b in plan.blocks if b.allocated_by == "VNNIC"]
    v = Verdicts("network", NET, cap_list([b.prefix.net.text for b in own]) or Text(
        "khối địa chỉ độc lập (VNNIC) của đơn vị", "the agency's VNNIC blocks"))
    speakers = _bgp(ctx)
    if not speakers:
        if not _devices(ctx):
            return _no_devices(v)
        return [v.not_applicable("Không thiết bị nào chạy BGP.", "No device runs BGP.",
                                 Text("không chạy BGP", "no BGP"))]
    out = []
    for device, facts, bgp in speakers:
        for network in bgp.get("networks") or []:
            try:
                prefix = parse_net(str(network.get("prefix")))
            except ValueError:
                continue
            where = [_at(facts, network.get("line"))]
            if any(b.prefix.net.contains(prefix) for b in own):
                out.append(v.passed(f"{device} quảng bá {prefix.text}, thuộc khối độc lập.",
                                    f"{device} announces {prefix.text}, in an own block.",
                                    prefix.text, where))
                continue
            holder = next((b for b in plan.blocks if b.prefix.net.contains(prefix)), None)
            if holder is not None:
                said = Text(f"thuộc khối {holder.prefix.net.text} do {holder.allocated_by} cấp",
                            f"in {holder.prefix.net.text} allocated by {holder.allocated_by}")
                where.append(holder.prefix.where)
            else:
                said = Text("không thuộc khối địa chỉ nào của đơn vị",
                            "in none of the agency's blocks")
            out.append(v.failed(f"{device} quảng bá {prefix.text}, {said.vi}.",
                                f"{device} announces {prefix.text}, {said.en}.",
                                Text(f"{prefix.text} ({said.vi})", f"{prefix.text} ({said.en})"),
                                where))
    if not out:
        out.append(v.not_applicable("BGP không quảng bá dải nào.", "BGP announces no prefix.",
                                    Text("không quảng bá", "nothing announced")))
    return out

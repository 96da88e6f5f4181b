"""Network architecture: zones required per level, host roles per zone kind, firewall
separation, management isolation, uplink redundancy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..inventory.model import locate
from ..models import TargetKind, Text
from ..policy import Control
from .context import NOT_DECLARED, CheckContext, Finding, Verdicts, cap_list, named_check

NET = TargetKind.NETWORK


def _kind_names(ctx: CheckContext, kinds: list[str]) -> Text:
    names = ctx.policy.model("network")["zone_kinds"]
    return Text(", ".join(names[k]["vi"] for k in kinds), ", ".join(names[k]["en"] for k in kinds))


@named_check("required_zones", NET, requires=Text("có đủ các vùng mạng: {required_zone_kinds}",
                                           "the network zones {required_zone_kinds} exist"),
             params=["network.required_zone_kinds"])
def required_zones(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """Every zone kind the level requires exists (parameter network.required_zone_kinds)."""
    required = list(ctx.param("network.required_zone_kinds", control))
    present = {z.kind for z in ctx.inventory.network.zones}
    missing = [k for k in required if k not in present]
    expected = ", ".join(required) or "-"
    net = Verdicts("network", NET, expected)
    observed = ", ".join(sorted(present)) or "-"
    where = (locate(ctx.inventory.network.source, ("zones",)),)
    if not required:
        return [net.not_applicable("Cấp độ này không yêu cầu phân vùng.",
                                   "This level requires no zones.", observed)]
    if missing:
        names = _kind_names(ctx, missing)
        return [net.failed(f"Thiếu vùng mạng: {names.vi}.", f"Missing zones: {names.en}.",
                           observed, where)]
    return [net.passed("Có đủ các vùng mạng theo cấp độ.", "All zones the level requires exist.",
                       observed)]


@named_check("role_zone", TargetKind.HOST, requires=Text(
    "máy chủ chỉ đặt trong vùng mà vai trò của nó được phép (mô hình tham chiếu mạng)",
    "a host only in a zone kind its role allows (network reference model)"))
def role_zone(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """A host sits only in a zone kind its role allows (reference model `roles`)."""
    roles = ctx.policy.model("network")["roles"]
    out: list[Finding] = []
    # words, not identifiers: the role's and the zone kinds' names in each language (made once
    # per role and kind, not per host)
    words: dict[tuple[str, str], tuple[Text, Text, Text]] = {}
    for host in ctx.judged_hosts:
        zone = ctx.inventory.network.zone(host.zone)
        assert zone is not None
        allowed = list(roles[host.role]["zones"])
        key = (host.role, zone.kind)
        if key not in words:
            words[key] = (Text(roles[host.role]["vi"], roles[host.role]["en"]),
                          _kind_names(ctx, allowed), _kind_names(ctx, [zone.kind]))
        role, names, kind = words[key]
        expected = Text(f"{role.vi}: {names.vi}", f"{role.en}: {names.en}")
        on_host = Verdicts(host.name, TargetKind.HOST, expected)
        observed = Text(f"vùng {zone.name} ({kind.vi})", f"zone {zone.name} ({kind.en})")
        if zone.kind in allowed:
            out.append(on_host.passed(f"{role.vi} được đặt đúng loại vùng: {kind.vi}.",
                                      f"A {role.en} is allowed in this kind of zone: "
                                      f"{kind.en}.", observed))
        else:
            where = host.sources.get("zone")
            # the host, and where its zone is assigned (often a group)
            places = tuple(dict.fromkeys([host.where, *((locate(where),) if where else ())]))
            out.append(on_host.failed(f"Máy chủ vai trò {role.vi} đặt ở vùng {zone.name} "
                                      f"({kind.vi}); chỉ được đặt ở: {names.vi}.",
                                      f"A {role.en} sits in zone {zone.name} ({kind.en}); "
                                      f"allowed only in: {names.en}.", observed, places))
    return out


@named_check("zone_firewall_separation", NET, requires=Text(
    "các vùng mô hình tham chiếu yêu cầu được tách bằng tường lửa",
    "the zones the reference model lists are separated by a firewall"))
def zone_firewall_separation(ctx: CheckContext, control: Control,
                             args: Mapping[str, Any]) -> list[Finding]:
    """Zones of the kinds the model lists are separated from the rest by a firewall."""
    kinds = set(ctx.policy.model("network")["firewall_separated_kinds"])
    zones = [z for z in ctx.inventory.network.zones if z.kind in kinds]
    expected = Text("separated_by: firewall cho " + ", ".join(sorted(kinds)),
                    "separated_by: firewall for " + ", ".join(sorted(kinds)))
    net = Verdicts("network", NET, expected)
    if not zones:
        return [net.not_applicable("Không có vùng nào cần tách bằng tường lửa.",
                                   "No zone needs firewall separation.",
                                   Text("không có vùng này", "no such zone"))]
    weak = [z for z in zones if z.separated_by not in (None, "firewall")]
    unknown = [z for z in zones if z.separated_by is None]
    observed = "; ".join(f"{z.name}: {z.separated_by or '?'}" for z in zones)
    if weak:
        names = ", ".join(f"{z.name} ({z.separated_by})" for z in weak)
        return [net.failed(f"Vùng không được tách bằng tường lửa: {names}.",
                           f"Zones not separated by a firewall: {names}.", observed,
                           tuple(z.where for z in weak))]
    if unknown:
        names = ", ".join(z.name for z in unknown)
        return [net.not_assessed(f"Chưa khai báo cách tách vùng (separated_by): {names}.",
                                 f"Separation not declared (separated_by) for: {names}.", observed,
                                 tuple(z.where for z in unknown))]
    return [net.passed("Các vùng được tách bằng tường lửa.", "Zones are separated by firewalls.",
                       observed)]


@named_check("management_isolated", NET, requires=Text("vùng quản trị không có kết nối Internet",
                                                "management zones have no Internet access"))
def management_isolated(ctx: CheckContext, control: Control,
                        args: Mapping[str, Any]) -> list[Finding]:
    """Management zones have no Internet access."""
    zones = [z for z in ctx.inventory.network.zones if z.kind == "management"]
    expected = Text("vùng quản trị: internet_access false",
                    "management zones: internet_access false")
    net = Verdicts("network", NET, expected)
    if not zones:
        return [net.not_applicable("Không có vùng quản trị.", "No management zone.",
                                   Text("không có vùng quản trị", "no management zone"))]
    observed = "; ".join(f"{z.name}: internet_access "
                         f"{'?' if z.internet_access is None else str(z.internet_access).lower()}"
                         for z in zones)
    exposed = [z for z in zones if z.internet_access is True]
    if exposed:
        names = ", ".join(z.name for z in exposed)
        return [net.failed(f"Vùng quản trị có kết nối Internet: {names}.",
                           f"Management zones with Internet access: {names}.", observed,
                           tuple(z.where for z in exposed))]
    if any(z.internet_access is None for z in zones):
        return [net.not_assessed("Chưa khai báo internet_access cho vùng quản trị.",
                                 "internet_access is not declared for the management zone.",
                                 observed, tuple(z.where for z in zones))]
    return [net.passed("Vùng quản trị không kết nối Internet.",
                       "Management zones have no Internet access.", observed)]


@named_check("internet_providers", NET, requires=Text(
    "kết nối Internet qua tối thiểu {min_internet_providers} nhà cung cấp khác nhau",
    "Internet uplinks through at least {min_internet_providers} distinct providers"),
             params=["network.min_internet_providers"])
def internet_providers(ctx: CheckContext, control: Control,
                       args: Mapping[str, Any]) -> list[Finding]:
    """Internet uplinks through at least `network.min_internet_providers` distinct providers."""
    plan = ctx.inventory.network
    minimum = int(ctx.param("network.min_internet_providers", control))
    expected = Text(f"tối thiểu {minimum} nhà cung cấp Internet khác nhau",
                    f"at least {minimum} distinct Internet providers")
    net = Verdicts("network", NET, expected)
    if "uplinks" not in plan.data:
        return [net.not_assessed("Chưa khai báo đường kết nối (uplinks).",
                                 "Uplinks are not declared.", NOT_DECLARED, (locate(plan.source),))]
    providers = sorted({u.provider.strip().casefold() for u in plan.uplinks
                        if u.kind == "internet"})
    observed = f"{len(providers)}: {', '.join(providers) or '-'}"
    if len(providers) >= minimum:
        return [net.passed(f"Kết nối Internet qua {len(providers)} nhà cung cấp.",
                           f"Internet through {len(providers)} providers.", observed)]
    return [net.failed(f"Kết nối Internet chỉ qua {len(providers)} nhà cung cấp; yêu cầu tối "
                       f"thiểu {minimum} để dự phòng.",
                       f"Internet through only {len(providers)} provider(s); at least {minimum} "
                       "are required for redundancy.", observed,
                       (locate(plan.source, ("uplinks",)),))]


@named_check("tslcd_redundant_paths", NET, requires=Text(
    "truy nhập TSLCD cấp I qua tối thiểu {min_paths} tuyến cáp quang độc lập",
    "level-I TSLCD access over at least {min_paths} separate fibre paths"),
             args={"min_paths": {"type": "integer", "minimum": 1}}, defaults={"min_paths": 2})
def tslcd_redundant_paths(ctx: CheckContext, control: Control,
                          args: Mapping[str, Any]) -> list[Finding]:
    """Level-I access to the specialized data network uses at least 2 separate fibre paths."""
    plan = ctx.inventory.network
    minimum = int(args["min_paths"])
    links = [(i, u) for i, u in enumerate(plan.uplinks)
             if u.kind == "tslcd" and u.data.get("access_level") == "I"]
    expected = Text(f"truy nhập TSLCD cấp I qua tối thiểu {minimum} tuyến cáp quang độc lập",
                    f"level-I TSLCD access over at least {minimum} separate fibre paths")
    net = Verdicts("network", NET, expected)
    if not links:
        return [net.not_applicable("Không có kết nối TSLCD cấp I.", "No level-I TSLCD access.",
                                   Text("không có kết nối TSLCD cấp I",
                                        "no level-I TSLCD uplink"))]
    observed = "; ".join(f"{u.provider}: fibre_paths {u.data.get('fibre_paths', '?')}"
                         for _, u in links)
    unknown = [u for _, u in links if "fibre_paths" not in u.data]
    short = [u for _, u in links if u.data.get("fibre_paths", minimum) < minimum]
    if short:
        return [net.failed(f"Kết nối TSLCD cấp I chưa đủ {minimum} tuyến cáp quang độc lập.",
                           f"Level-I TSLCD access has fewer than {minimum} separate fibre "
                           "paths.", observed, tuple(u.where for u in short))]
    if unknown:
        return [net.not_assessed("Chưa khai báo số tuyến cáp quang (fibre_paths).",
                                 "fibre_paths is not declared.", observed,
                                 tuple(u.where for u in unknown))]
    return [net.passed("Kết nối TSLCD cấp I có đủ tuyến dự phòng.",
                       "Level-I TSLCD access has redundant paths.", observed)]


# -- server rooms at agency level -------------------------------------------------------------
@named_check("rooms_declared", TargetKind.AGENCY, requires=Text(
    "có ít nhất một phiếu khảo sát phòng máy chủ", "at least one server room surveyed"))
def rooms_declared(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """The agency has surveyed at least one server room."""
    inv = ctx.inventory
    code = inv.agency.code
    expected = Text("tối thiểu một phiếu khảo sát phòng máy chủ",
                    "at least one server room survey")
    agency = Verdicts(code, TargetKind.AGENCY, expected)
    count = len(inv.server_rooms)
    if count:
        return [agency.passed(f"Đã khảo sát {count} phòng máy chủ.",
                              f"{count} server room(s) surveyed.", str(count))]
    where = locate(inv.server_rooms_source) if inv.server_rooms_source \
        else locate(inv.agency_source)
    return [agency.failed("Chưa có phiếu khảo sát phòng máy chủ nào (server_rooms).",
                          "No server room survey is declared (server_rooms).", "0", (where,))]


@named_check("standby_site", TargetKind.AGENCY, requires=Text(
    "có trung tâm dự phòng cách tối thiểu {min_standby_site_km} km",
    "a standby site at least {min_standby_site_km} km away"),
             params=["server_room.min_standby_site_km"])
def standby_site(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """A standby server room at least `server_room.min_standby_site_km` from the primary."""
    inv = ctx.inventory
    code = inv.agency.code
    minimum = float(ctx.param("server_room.min_standby_site_km", control))
    expected = Text(f"trung tâm dự phòng cách tối thiểu {minimum:g} km",
                    f"standby site at least {minimum:g} km away")
    agency = Verdicts(code, TargetKind.AGENCY, expected)
    standby = [r for r in inv.server_rooms if r.data.get("role") == "standby"]
    observed = Text.of(cap_list([f"{r.id}: {r.data.get('distance_to_primary_km', '?')} km"
                                 for r in standby])) if standby \
        else Text("không có phòng dự phòng", "no standby room")
    far = [r for r in standby if r.data.get("distance_to_primary_km", 0) >= minimum]
    if far:
        return [agency.passed(f"Có phòng máy chủ dự phòng cách tối thiểu {minimum:g} km.",
                              f"Has a standby room at least {minimum:g} km away.", observed)]
    if standby and all("distance_to_primary_km" not in r.data for r in standby):
        return [agency.not_assessed("Chưa khai báo khoảng cách tới phòng máy chính.",
                                    "Distance to the primary room is not declared.", observed,
                                    tuple(locate(r.source) for r in standby))]
    where = tuple(locate(r.source) for r in standby) or (
        (locate(inv.server_rooms_source),) if inv.server_rooms_source else ())
    return [agency.failed(f"Không có phòng máy chủ dự phòng cách tối thiểu {minimum:g} km.",
                          f"No standby server room at least {minimum:g} km away.", observed, where)]

"""Checks on network device configurations (routers, firewalls): each device's management
plane, and the declared network plan judged against what the devices are configured to do
(zones on interfaces, firewall separation, BGP). Findings name the device's file and line and,
where a declaration is contradicted, where the inventory declares it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..inventory.model import locate
from ..ipnet import Net, parse_addr, parse_net
from ..models import Location, TargetKind, Text
from ..network.kinds import DEVICE_CONFIG
from ..policy import Control
from .context import (
    CheckContext,
    CheckFn,
    Finding,
    Verdicts,
    cap_list,
    named_check,
    not_assessed_devices,
)

DEV, NET = TargetKind.DEVICE, TargetKind.NETWORK
HOST_MANAGED = Text("thiết bị được quản trị qua máy chủ Linux của nó (FRRouting, tường lửa "
                    "nftables): các biện pháp kiểm soát máy chủ đánh giá SSH, nhật ký và thời "
                    "gian",
                    "the device is managed through its Linux host (FRRouting, an nftables "
                    "firewall): the host controls judge SSH, logging and time")
# how a password may be kept on a device; anything else is readable or quickly cracked
STRONG_HASHES = frozenset({"scrypt", "pbkdf2-sha256", "pbkdf2-sha512", "sha256", "sha512"})


def _devices(ctx: CheckContext) -> list[tuple[str, Mapping[str, Any]]]:
    return [(name, found.facts) for name, found in sorted((ctx.of(DEVICE_CONFIG) or {}).items())
            if found.collected]


def _at(facts: Mapping[str, Any], line: Any) -> Location:
    return Location(str(facts.get("file", "")), line if isinstance(line, int) else None)


def _where(facts: Mapping[str, Any], items: Iterable[Mapping[str, Any]]) -> list[Location]:
    return [_at(facts, item.get("line")) for item in items][:20]


def _mgmt(facts: Mapping[str, Any]) -> Mapping[str, Any]:
    management = facts.get("management")
    return management if isinstance(management, Mapping) else {}


def _address(text: Any) -> Net | None:
    try:
        return parse_addr(str(text))
    except ValueError:
        return None


def _roles(ctx: CheckContext) -> dict[str, str]:
    return {device.name: device.role for device in ctx.inventory.devices}


DeviceFn = Callable[[CheckContext, Control, Verdicts, Mapping[str, Any]], Finding]


def _device_checks(name: str, expected: Text, requires: Text,
                   host_managed_na: bool = True) -> Callable[[DeviceFn], DeviceFn]:
    """Register a per-device check: `fn(ctx, control, verdicts, facts) -> Finding`, run on every
    device with a configuration; declared devices without one are not assessed."""

    def wrap(fn: DeviceFn) -> DeviceFn:
        def run(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
            out = not_assessed_devices(ctx)
            for device, facts in _devices(ctx):
                verdicts = Verdicts(device, DEV, expected)
                if host_managed_na and facts.get("managed_through_host"):
                    out.append(verdicts.not_applicable(f"Không áp dụng: {HOST_MANAGED.vi}.",
                                                       f"Not applicable: {HOST_MANAGED.en}.",
                                                       HOST_MANAGED))
                    continue
                out.append(fn(ctx, control, verdicts, facts))
            return out

        run.__doc__ = fn.__doc__
        named_check(name, DEV, requires, reads=[DEVICE_CONFIG])(run)
        return fn

    return wrap


@_device_checks("device_ssh_v2", Text("chỉ SSH phiên bản 2", "SSH version 2 only"),
                Text("quản trị thiết bị mạng chỉ qua SSH phiên bản 2",
                     "network devices managed over SSH version 2 only"))
def ssh_v2(ctx: CheckContext, control: Control, v: Verdicts,
           facts: Mapping[str, Any]) -> Finding:
    """SSH version 2 only: written `ip ssh version 2` (Cisco IOS's default also accepts v1);
    FortiOS and current Junos speak only version 2 unless told otherwise."""
    ssh = _mgmt(facts).get("ssh_version")
    if isinstance(ssh, Mapping):
        if ssh.get("value") == 2:
            return v.passed("SSH chỉ chấp nhận phiên bản 2.", "SSH accepts version 2 only.",
                            "ssh version 2", [_at(facts, ssh.get("line"))])
        return v.failed(f"SSH phiên bản {ssh.get('value')} được bật.",
                        f"SSH version {ssh.get('value')} is enabled.",
                        f"ssh version {ssh.get('value')}", [_at(facts, ssh.get("line"))])
    if facts.get("ssh_v2_only_by_default"):
        return v.passed("Hệ điều hành thiết bị chỉ hỗ trợ SSH phiên bản 2.",
                        "The device's OS speaks SSH version 2 only.",
                        Text("mặc định: chỉ phiên bản 2", "default: version 2 only"))
    return v.failed("Không cấu hình `ip ssh version 2`: mặc định thiết bị chấp nhận cả SSH "
                    "phiên bản 1 (1.99).",
                    "`ip ssh version 2` is not configured: by default the device also accepts "
                    "SSH version 1 (1.99).", Text("chưa cấu hình (1.99)", "not set (1.99)"),
                    [_at(facts, None)])


@_device_checks("device_no_telnet", Text("không có telnet", "no telnet"),
                Text("không quản trị thiết bị mạng qua telnet",
                     "no telnet management of network devices"))
def no_telnet(ctx: CheckContext, control: Control, v: Verdicts,
              facts: Mapping[str, Any]) -> Finding:
    """No telnet management: not on vty lines (`transport input telnet|all`), not allowed on an
    interface or from a network (FortiOS allowaccess, ASA `telnet`, Junos system services)."""
    found = [{"line": vty.get("transport_line") or vty.get("line"),
              "what": f"line vty {vty.get('lines')}"}
             for vty in facts.get("vty") or []
             if {"telnet", "all"} & set(vty.get("transport") or [])]
    found += [{"line": m.get("line"), "what": f"telnet {m.get('value')}"}
              for m in _mgmt(facts).get("management_from") or [] if m.get("protocol") == "telnet"]
    if found:
        shown = cap_list([str(f["what"]) for f in found])
        return v.failed(f"Cho phép quản trị qua telnet (không mã hóa): {shown}.",
                        f"Telnet (unencrypted) management is allowed: {shown}.", shown,
                        _where(facts, found))
    return v.passed("Không cho phép telnet.", "Telnet is not allowed.",
                    Text("không có telnet", "no telnet"))


@_device_checks("device_no_plain_http", Text("không có HTTP không mã hóa",
                                              "no unencrypted HTTP"),
                Text("không quản trị thiết bị mạng qua HTTP không mã hóa",
                     "no unencrypted HTTP management of network devices"))
def no_plain_http(ctx: CheckContext, control: Control, v: Verdicts,
                  facts: Mapping[str, Any]) -> Finding:
    """No plain-HTTP management (`ip http server`, FortiOS allowaccess http, Junos
    web-management http). ASA's `http` lines are ASDM, which is HTTPS only."""
    found = [f for f in facts.get("plain_http") or [] if isinstance(f, Mapping)]
    if found:
        shown = cap_list(sorted({str(f["what"]) for f in found}))
        return v.failed(f"Quản trị qua HTTP không mã hóa được bật: {shown}.",
                        f"Unencrypted HTTP management is enabled: {shown}.", shown,
                        _where(facts, found))
    return v.passed("Không bật quản trị qua HTTP không mã hóa.",
                    "Unencrypted HTTP management is off.", Text("không có HTTP", "no HTTP"))


@_device_checks("device_snmp_v3", Text("chỉ SNMPv3 (không community v1/v2c)",
                                        "SNMPv3 only (no v1/v2c community)"),
                Text("SNMP trên thiết bị mạng chỉ dùng phiên bản 3",
                     "SNMP on network devices uses version 3 only"))
def snmp_v3(ctx: CheckContext, control: Control, v: Verdicts,
            facts: Mapping[str, Any]) -> Finding:
    """SNMP v3 only: a v1/v2c community (sent in clear text, often `public`) is a gap wherever
    it is written. The community itself is never read into evidence."""
    communities = _mgmt(facts).get("snmp_communities") or []
    groups = _mgmt(facts).get("snmp_v3_groups") or []
    if communities:
        lines = ", ".join(str(c.get("line")) for c in communities[:20])
        return v.failed(f"Có {len(communities)} community SNMP v1/v2c (dòng {lines}).",
                        f"{len(communities)} SNMP v1/v2c communities (line {lines}).",
                        Text(f"{len(communities)} community v1/v2c",
                             f"{len(communities)} v1/v2c communities"),
                        _where(facts, communities))
    seen = Text(f"SNMPv3: {len(groups)} nhóm", f"SNMPv3: {len(groups)} groups") if groups \
        else Text("không bật SNMP", "SNMP not enabled")
    return v.passed("Không có community SNMP v1/v2c.", "No SNMP v1/v2c community.", seen)


def _zone_nets(ctx: CheckContext, kind: str) -> list[Net]:
    return [p.net for z in ctx.inventory.network.zones if z.kind == kind for p in z.subnets]


def _within(address: Net | None, nets: Sequence[Net]) -> bool:
    return address is not None and any(n.contains(address) for n in nets)


def _all_within(sources: Any, nets: Sequence[Net]) -> bool:
    """Every network a way in is reachable from lies in `nets` (none given: it is open)."""
    if not isinstance(sources, list) or not sources:
        return False
    for source in sources:
        try:
            network = parse_net(str(source))
        except ValueError:
            return False
        if not any(n.contains(network) for n in nets):
            return False
    return True


@_device_checks("device_management_zone", Text("chỉ quản trị từ vùng quản trị",
                                                "management from the management zone only"),
                Text("chỉ quản trị thiết bị mạng từ vùng quản trị",
                     "network devices managed from the management zone only"))
def management_zone(ctx: CheckContext, control: Control, v: Verdicts,
                    facts: Mapping[str, Any]) -> Finding:
    """Management access limited to the declared management zone: vty lines behind an
    access-class (IOS), ASA ssh/http/telnet networks inside the zone, FortiOS management
    protocols only on interfaces addressed in the zone, Junos management filtered on lo0."""
    mgmt = _zone_nets(ctx, "management")
    if not mgmt:
        return v.failed("Chưa khai báo vùng quản trị (kind: management) để giới hạn truy cập "
                        "quản trị.", "No management zone (kind: management) is declared to "
                        "limit management access to.", Text("không có vùng quản trị",
                                                            "no management zone"))
    open_to = [entry for entry in facts.get("management_access") or []
               if isinstance(entry, Mapping) and not entry.get("restricted")
               and not _all_within(entry.get("sources"), mgmt)]
    if open_to:
        shown = cap_list([str(o["what"]) for o in open_to])
        return v.failed(f"Truy cập quản trị không giới hạn trong vùng quản trị: {shown}.",
                        f"Management access is not limited to the management zone: {shown}.",
                        shown, _where(facts, open_to) or [_at(facts, None)])
    return v.passed("Truy cập quản trị được giới hạn.", "Management access is restricted.",
                    Text("chỉ từ vùng quản trị", "from the management zone only"))


def _declared(ctx: CheckContext, role: str) -> list[tuple[str, Net]]:
    return [(h.name, a.net) for h in ctx.inventory.hosts if h.role == role for a in h.addresses]


def _targets_check(v: Verdicts, facts: Mapping[str, Any], key: str, declared: list[tuple[str, Net]],
                   what: Text) -> Finding:
    configured = [t for t in _mgmt(facts).get(key) or [] if isinstance(t, Mapping)]
    names = cap_list([str(t.get("value")) for t in configured]) or "-"
    if not configured:
        return v.failed(f"Không cấu hình {what.vi}.", f"No {what.en} is configured.",
                        Text("chưa cấu hình", "not configured"), [_at(facts, None)])
    if not declared:
        return v.failed(f"Đã cấu hình {what.vi} ({names}) nhưng kho máy chủ không khai báo máy "
                        "nào để đối chiếu.",
                        f"{what.en} configured ({names}), but the inventory declares no such "
                        "host to compare with.", names, _where(facts, configured))
    addresses = {net.first: host for host, net in declared}
    matched = [t for t in configured
               if (a := _address(t.get("value"))) is not None and a.first in addresses]
    if matched:
        hosts = sorted({addresses[a.first] for t in matched
                        if (a := _address(t.get("value"))) is not None})
        return v.passed(f"{_first_up(what.vi)} trỏ tới máy đã khai báo: {', '.join(hosts)}.",
                        f"{_first_up(what.en)} points to declared {', '.join(hosts)}.", names,
                        _where(facts, matched))
    return v.failed(f"{_first_up(what.vi)} ({names}) không phải máy đã khai báo.",
                    f"{_first_up(what.en)} ({names}) is none of the declared hosts.",
                    names, _where(facts, configured))


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _declared_text(declared: list[tuple[str, Net]], what: Text) -> Text:
    shown = cap_list([f"{host} ({net.text})" for host, net in declared])
    return Text(f"{what.vi}: {shown or 'chưa khai báo'}", f"{what.en}: {shown or 'none declared'}")


def _declared_targets(role: str, key: str, what: Text, expected: Text) -> DeviceFn:
    def check(ctx: CheckContext, control: Control, v: Verdicts,
              facts: Mapping[str, Any]) -> Finding:
        declared = _declared(ctx, role)
        verdicts = Verdicts(v.target, v.kind, _declared_text(declared, expected))
        return _targets_check(verdicts, facts, key, declared, what)

    return check


_device_checks("device_syslog_declared", Text("gửi nhật ký tới máy thu thập nhật ký đã khai báo",
                                               "logs sent to the declared log collector"),
               Text("thiết bị mạng gửi nhật ký tới máy thu thập nhật ký đã khai báo",
                    "network devices send logs to the declared log collector"))(
    _declared_targets("log_collector", "syslog_hosts", Text("máy nhận nhật ký (syslog)",
                                                            "syslog target"),
                      Text("máy thu thập nhật ký", "log collectors")))
_device_checks("device_ntp_declared", Text("đồng bộ thời gian với máy chủ NTP đã khai báo",
                                            "time from the declared NTP servers"),
               Text("thiết bị mạng đồng bộ thời gian với máy chủ NTP đã khai báo",
                    "network devices take time from the declared NTP servers"))(
    _declared_targets("ntp", "ntp_servers", Text("máy chủ thời gian (NTP)", "NTP server"),
                      Text("máy chủ NTP", "NTP servers")))


@_device_checks("device_password_hashing",
                Text("mật khẩu lưu bằng băm mạnh (không type 7, không văn bản rõ)",
                     "passwords kept as strong hashes (no type 7, no clear text)"),
                Text("mật khẩu trên thiết bị mạng lưu bằng hàm băm mạnh",
                     "passwords on network devices kept as strong hashes"),
                host_managed_na=False)
def password_hashing(ctx: CheckContext, control: Control, v: Verdicts,
                     facts: Mapping[str, Any]) -> Finding:
    """Local users' and the enable password's hashing: scrypt/PBKDF2 (Cisco type 8/9, ASA
    pbkdf2), SHA-256/512 crypt (FortiOS, Junos). Clear text, reversible type 7, MD5 and the
    broken type 4 fail."""
    if facts.get("keeps_accounts") is False:  # a ruleset: its host's accounts are the host
        return v.not_applicable(f"Không áp dụng: {HOST_MANAGED.vi}.",  # are the host controls'
                                f"Not applicable: {HOST_MANAGED.en}.", HOST_MANAGED)
    accounts = [{"line": u.get("line"), "what": f"username {u.get('name')}",
                 "hash": u.get("hash")} for u in facts.get("users") or []]
    enable = _mgmt(facts).get("enable")
    if isinstance(enable, Mapping):
        accounts.append({"line": enable.get("line"), "what": "enable", "hash": enable.get("hash")})
    weak = [a for a in accounts if a["hash"] not in STRONG_HASHES and a["hash"] != "none"]
    if weak:
        shown = cap_list([f"{a['what']}: {a['hash']}" for a in weak])
        return v.failed(f"Mật khẩu lưu yếu hoặc đọc được: {shown}.",
                        f"Passwords kept weakly or readably: {shown}.", shown,
                        _where(facts, weak))
    shown = cap_list(sorted({str(a["hash"]) for a in accounts})) or "-"
    return v.passed("Mọi mật khẩu được lưu bằng hàm băm mạnh.",
                    "Every password is kept as a strong hash.", shown)


# --- the declared network plan judged against the devices' configurations -------------------

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
    from bisect import bisect_left, bisect_right

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

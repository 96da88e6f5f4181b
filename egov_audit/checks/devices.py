"""Checks on each network device's configuration (routers, firewalls): its management plane
(SSH, telnet, HTTP, SNMP, where management comes from, logging and time targets, password
hashing). network_plan.py judges the declared plan against the devices. Findings name the
device's file and line and,
where a declaration is contradicted, where the inventory declares it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..ipnet import Net, parse_addr, parse_net
from ..models import Location, TargetKind, Text
from ..network.kinds import DEVICE_CONFIG
from ..policy import Control
from .context import (
    CheckContext,
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

"""FortiGate (FortiOS) configurations to the normalised network facts. FortiOS writes nested
`config <section>` / `edit <name>` / `set <key> <values>` / `next` / `end` blocks; the TTP
template reads the sections the controls need, and each fact's line is looked up inside its
own section (names such as "port1" recur across sections).

Secrets are removed first: every `set <key> ENC <...>` value, SNMP community names (the name
is the community), SNMPv3 and RADIUS/TACACS+ keys, pre-shared keys, and quoted multi-line
certificates and private keys."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .common import MAX_ASN, as_mapping, asn, interface_address, network_prefix, optional_int
from .redact import REDACTED, Redacted

_SECRET_KEYS = re.compile(
    r"^(\s*set (?:password|passwd|psksecret|key|secret|auth-pwd|priv-pwd|private-key|"
    r"certificate|passphrase|tacacs-key|radius-secret|server-key|ppk-secret|"
    r"password2|md5-key|auth-password|priv-password))\s+(.*)$")
_SNMP_COMMUNITY = "config system snmp community"

_TEMPLATE = """
<group name="global">
config system global {{ _start_ }}
    set hostname {{ hostname | strip('"') }}
    set admin-telnet {{ admin_telnet }}
    set admin-https-redirect {{ https_redirect }}
    set pre-login-banner {{ banner }}
end {{ _end_ }}
</group>
<group name="interfaces">
config system interface {{ _start_ }}
<group name="items*">
    edit {{ name | strip('"') }}
        set ip {{ address }} {{ mask }}
        set allowaccess {{ allowaccess | ORPHRASE }}
        set role {{ role }}
        set status {{ status }}
            set ip6-address {{ address6 }}
    next {{ _end_ }}
</group>
end {{ _end_ }}
</group>
<group name="zones">
config system zone {{ _start_ }}
<group name="items*">
    edit {{ name | strip('"') }}
        set interface {{ interfaces | ORPHRASE }}
    next {{ _end_ }}
</group>
end {{ _end_ }}
</group>
<group name="policies">
config firewall policy {{ _start_ }}
<group name="items*">
    edit {{ id }}
        set srcintf {{ srcintf | ORPHRASE }}
        set dstintf {{ dstintf | ORPHRASE }}
        set srcaddr {{ srcaddr | ORPHRASE }}
        set dstaddr {{ dstaddr | ORPHRASE }}
        set service {{ service | ORPHRASE }}
        set action {{ action }}
    next {{ _end_ }}
</group>
end {{ _end_ }}
</group>
<group name="admins">
config system admin {{ _start_ }}
<group name="items*">
    edit {{ name | strip('"') }}
        set trusthost1 {{ trusthost1 | ORPHRASE }}
        set password {{ password | ORPHRASE }}
    next {{ _end_ }}
</group>
end {{ _end_ }}
</group>
<group name="bgp">
config router bgp {{ _start_ }}
    set as {{ local_as }}
    set router-id {{ router_id }}
end {{ _end_ }}
</group>
"""


def redact_fortios(lines: Sequence[str]) -> Redacted:
    out: list[str] = []
    count = 0
    in_quoted = False
    section: list[str] = []
    for line in lines:
        if in_quoted:  # the rest of a multi-line quoted secret (a key, a certificate)
            out.append(REDACTED + '"' if line.rstrip().endswith('"') else REDACTED)
            in_quoted = not line.rstrip().endswith('"')
            continue
        stripped = line.strip()
        if stripped.startswith("config "):
            section.append(stripped)
        elif stripped == "end" and section:
            section.pop()
        secret = _SECRET_KEYS.match(line)
        if secret:
            value = secret.group(2)
            out.append(f"{secret.group(1)} {_kept_kind(value)}{REDACTED}")
            count += 1
            in_quoted = value.startswith('"') and (value.count('"') == 1)
            continue
        if section and section[-1] == _SNMP_COMMUNITY and stripped.startswith("set name "):
            out.append(line[: line.index("set name ")] + "set name " + REDACTED)
            count += 1
            continue
        out.append(line)
    return Redacted(tuple(out), count)


def _kept_kind(value: str) -> str:
    """`ENC SH2...` says how the value is kept (SH2: SHA-256, AK1: SHA-1): that marker stays,
    the value goes."""
    scheme = re.match(r"ENC (SH2|AK1)", value)
    return f"ENC {scheme.group(1)} " if scheme else "ENC " if value.startswith("ENC ") else ""


_HASHES = {"ENC SH2": "sha256", "ENC AK1": "sha1"}


def _hash(password: str | None) -> str:
    if not password:
        return "none"
    for marker, kind in _HASHES.items():
        if password.startswith(marker):
            return kind
    return "reversible" if password.startswith("ENC") else "cleartext"


def _section_lines(lines: Sequence[str], header: str) -> tuple[int, int]:
    """The first and last line numbers of a top-level `config <header>` section."""
    start = None
    for number, line in enumerate(lines, 1):
        if start is None and line.strip() == header and not line.startswith(" "):
            start = number
        elif start is not None and line.rstrip() == "end":
            return start, number
    return (start, len(lines)) if start is not None else (0, -1)


def _find(lines: Sequence[str], span: tuple[int, int], text: str) -> int | None:
    first, last = span
    for number in range(max(first, 1), last + 1):
        if lines[number - 1].strip() == text:
            return number
    return None


def _items(raw: dict[str, Any], section: str) -> list[dict[str, Any]]:
    value = raw.get(section, {})
    if isinstance(value, list):
        value = value[0] if value else {}
    items = value.get("items", []) if isinstance(value, dict) else []
    return items if isinstance(items, list) else [items]


def _names(value: str | None) -> list[str]:
    """`"port1" "port2"` -> ["port1", "port2"]"""
    return [quoted or bare for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', value or "")]


def parse_fortios(redacted: Redacted) -> dict[str, Any]:
    # TTP: only when a configuration is parsed
    from ttp import ttp

    lines = redacted.lines
    parser = ttp(data="\n".join(lines) + "\n", template=_TEMPLATE)
    parser.parse()
    raw = parser.result()[0][0]
    raw = raw if isinstance(raw, dict) else {}
    spans = {name: _section_lines(lines, f"config {name}") for name in (
        "system interface", "system zone", "firewall policy", "system admin", "router bgp")}
    interfaces = []
    for item in _items(raw, "interfaces"):
        addresses = [a for a in (
            interface_address(item["address"], item["mask"])
            if item.get("address") and item.get("mask") else None,
            interface_address(item["address6"]) if item.get("address6") else None) if a]
        interfaces.append({
            "name": item["name"], "line": _find(lines, spans["system interface"],
                                                f'edit "{item["name"]}"'),
            "description": None, "addresses": addresses,
            "shutdown": item.get("status") == "down", "acl_in": None, "acl_out": None,
            "nameif": None, "security_level": None,
            "allowaccess": (item.get("allowaccess") or "").split(), "role": item.get("role")})
    zones = [{"name": z["name"], "interfaces": _names(z.get("interfaces")),
              "line": _find(lines, spans["system zone"], f'edit "{z["name"]}"')}
             for z in _items(raw, "zones")]
    policies = [{"id": p["id"], "from": _names(p.get("srcintf")), "to": _names(p.get("dstintf")),
                 "source": _names(p.get("srcaddr")), "destination": _names(p.get("dstaddr")),
                 "service": _names(p.get("service")), "action": p.get("action", "deny"),
                 "line": _find(lines, spans["firewall policy"], f"edit {p['id']}")}
                for p in _items(raw, "policies")]
    users = [{"name": a["name"], "hash": _hash(a.get("password")),
              "line": _find(lines, spans["system admin"], f'edit "{a["name"]}"')}
             for a in _items(raw, "admins")]
    glob = raw.get("global", {})
    glob = glob[0] if isinstance(glob, list) and glob else glob if isinstance(glob, dict) else {}
    return {"hostname": glob.get("hostname"), "interfaces": interfaces,
            "zones": zones, "policies": policies, "users": users,
            "bgp": _bgp(lines, raw, spans["router bgp"]),
            "vty": [], "acl_permit_any": [
                {"acl": f"policy {p['id']}", "line": p["line"]} for p in policies
                if p["action"] == "accept" and p["source"] == ["all"]
                and p["destination"] == ["all"] and p["service"] == ["ALL"]],
            "management": _management(lines, interfaces, glob)}


def _bgp(lines: Sequence[str], raw: dict[str, Any], span: tuple[int, int]
         ) -> dict[str, Any] | None:
    found = raw.get("bgp")
    found = found[0] if isinstance(found, list) and found else found
    if not isinstance(found, dict) or "local_as" not in found:
        return None
    first, last = span
    neighbors, networks = [], []
    current = None
    for number in range(max(first, 1), last + 1):
        line = lines[number - 1].strip()
        edit = re.match(r'^edit "?([^"]+)"?$', line)
        if edit:
            current = (edit.group(1), number)
        remote = re.match(r"^set remote-as (\d+)$", line)
        if remote and current:
            neighbors.append({"address": current[0],
                              "remote_as": asn(remote.group(1), "set remote-as", number),
                              "line": current[1]})
        announced = re.match(r"^set prefix (\S+) (\S+)$", line)
        prefix = network_prefix(announced.group(1), announced.group(2)) if announced else None
        if prefix:
            networks.append({"prefix": prefix, "line": number})
    written = found["local_as"]
    at = _find(lines, span, f"set as {written}")
    return {"local_as": optional_int(written, "set as", MAX_ASN, at), "line": at,
            "neighbors": neighbors, "networks": networks}


def _management(lines: Sequence[str], interfaces: list[dict[str, Any]],
                glob: dict[str, Any]) -> dict[str, Any]:
    def every(section: str, pattern: str) -> list[dict[str, Any]]:
        span = _section_lines(lines, f"config {section}")
        out = []
        for number in range(max(span[0], 1), span[1] + 1):
            match = re.match(pattern, lines[number - 1].strip())
            if match:
                out.append({"value": match.group(1), "line": number})
        return out

    def access(protocol: str) -> list[dict[str, Any]]:
        return [{"protocol": protocol, "value": i["name"], "line": i["line"]}
                for i in interfaces if protocol in i["allowaccess"]]

    communities = [{"line": c["line"]} for c in every("system snmp community",
                                                      r"^set name (.+)$")]
    banner = _find(lines, _section_lines(lines, "config system global"),
                   "set pre-login-banner enable")
    return {
        "ssh_version": None,  # FortiOS speaks SSH v2 only
        "http_server": {"value": any("http" in i["allowaccess"] for i in interfaces),
                        "line": next((i["line"] for i in interfaces
                                      if "http" in i["allowaccess"]), None)},
        "https_server": {"value": any("https" in i["allowaccess"] for i in interfaces),
                         "line": next((i["line"] for i in interfaces
                                       if "https" in i["allowaccess"]), None)},
        "management_from": access("ssh") + access("telnet") + access("http") + access("https"),
        "snmp_communities": communities,
        "snmp_v3_groups": every("system snmp user", r'^edit "?([^"]+)"?$'),
        "syslog_hosts": every("log syslogd setting", r'^set server "?([^"]+)"?$'),
        "ntp_servers": every("system ntp", r'^set server "?([^"]+)"?$'),
        "aaa": {"value": bool(every("user tacacs+", r'^edit "?([^"]+)"?$')
                              or every("user radius", r'^edit "?([^"]+)"?$')), "line": None},
        "banner": {"value": banner is not None, "line": banner},
        "enable": None,
    }


def neutral_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """FortiOS in the terms every vendor shares (network/facts.py): SSH version 2 only;
    management allowed per interface (`allowaccess`), so reachable from that interface's own
    addresses; forwarding decided by policies alone."""
    interfaces = {i.get("name"): i for i in facts.get("interfaces") or []
                  if isinstance(i, Mapping)}
    management = as_mapping(facts.get("management"))
    access = []
    for entry in management.get("management_from") or []:
        interface = interfaces.get(entry.get("value"), {})
        access.append({"line": entry.get("line"),
                       "what": f"{entry.get('protocol')} ({entry.get('value')})",
                       "restricted": False,
                       "sources": [_host_prefix(a) for a in interface.get("addresses") or []]})
    return {"ssh_v2_only_by_default": True, "management_access": access}


def _host_prefix(address: Any) -> str:
    """An interface's address as the one-address prefix it is reached on ('a.b.c.d/32')."""
    text = str(address).partition("/")[0]
    return f"{text}/{128 if ':' in text else 32}"


def parse(lines: list[str], interfaces: str = "") -> tuple[Redacted, dict[str, Any]]:
    """A configuration's lines to its facts, its secrets removed first."""
    redacted = redact_fortios(lines)
    return redacted, parse_fortios(redacted)

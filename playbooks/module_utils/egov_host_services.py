# -*- coding: utf-8 -*-
"""Service facts (policies/host/services.yml): listening sockets and insecure services, the
host firewall, the session timeout, pending security updates, anti-malware, interfaces."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import socket
import struct
from typing import AbstractSet, Dict, Iterator, List, Optional, Set, Tuple

from ansible.module_utils.egov_host_common import (
    MAX_ITEMS,
    Facts,
    Host,
    config_lines,
    text,
)

INSECURE_PORTS = {23: "telnet", 512: "rexec", 513: "rlogin", 514: "rsh", 69: "tftp", 21: "ftp"}
INSECURE_DAEMONS = {"in.telnetd": "telnet", "telnetd": "telnet", "in.rlogind": "rlogin",
                    "in.rshd": "rsh", "in.rexecd": "rexec", "in.tftpd": "tftp", "tftpd": "tftp",
                    "vsftpd": "ftp", "proftpd": "ftp", "pure-ftpd": "ftp"}
AV_AGENTS = {"clamd": "ClamAV", "freshclam": "ClamAV", "wazuh-agentd": "Wazuh",
             "ossec-agentd": "OSSEC", "falcon-sensor": "CrowdStrike Falcon",
             "mdatp": "Microsoft Defender", "wdavdaemon": "Microsoft Defender",
             "sentinelagent": "SentinelOne", "bdsecd": "Bitdefender", "esets": "ESET",
             "kesl": "Kaspersky", "ds_agent": "Trend Micro Deep Security",
             "cbagentd": "Carbon Black", "elastic-agent": "Elastic Agent", "bkav": "BKAV"}


def _proc_net(host: Host, path: str, version: int) -> List[Facts]:
    sockets = []
    for line in (host.read(path) or "").splitlines()[1:]:
        parts = line.split()
        if len(parts) < 4:
            continue
        local, state_hex = parts[1], parts[3]
        if "tcp" in path and state_hex != "0A":  # LISTEN
            continue
        address_hex, _sep, port_hex = local.partition(":")
        try:
            raw = bytes.fromhex(address_hex)
            if version == 4:
                address = socket.inet_ntop(socket.AF_INET, raw[::-1])
            else:
                words = struct.unpack("<4I", raw)
                address = socket.inet_ntop(socket.AF_INET6, struct.pack(">4I", *words))
            sockets.append({"proto": os.path.basename(path), "address": address,
                            "port": int(port_hex, 16)})
        except (ValueError, OSError, struct.error):
            continue
    return sockets


def services(host: Host, procs: AbstractSet[str]) -> Facts:
    listening = []
    for name, version in (("tcp", 4), ("tcp6", 6), ("udp", 4), ("udp6", 6)):
        listening.extend(_proc_net(host, "/proc/net/" + name, version))
    insecure = set()
    for sock in listening:
        service = INSECURE_PORTS.get(sock["port"])
        if service and (sock["proto"].startswith("tcp") or service == "tftp"):
            insecure.add(service)
    for daemon, service in INSECURE_DAEMONS.items():
        if daemon in procs:
            insecure.add(service)
    names = {"telnet": "telnet", "rlogin": "rlogin", "login": "rlogin", "rsh": "rsh",
             "shell": "rsh", "rexec": "rexec", "exec": "rexec", "tftp": "tftp", "ftp": "ftp"}
    for path in host.glob("/etc/xinetd.d/*"):
        content = host.read(path) or ""
        match = re.search(r"^\s*service\s+(\S+)", content, re.M)
        if match and match.group(1) in names and \
                not re.search(r"^\s*disable\s*=\s*yes", content, re.M):
            insecure.add(names[match.group(1)])
    for line in config_lines(host.read("/etc/inetd.conf")):
        if line.split()[0] in names:
            insecure.add(names[line.split()[0]])
    unique = sorted({(s["proto"], s["address"], s["port"]) for s in listening})
    return {"listening": [{"proto": p, "address": a, "port": n} for p, a, n in unique][:MAX_ITEMS],
            "insecure": sorted(insecure)}


def firewall(host: Host, procs: AbstractSet[str]) -> Facts:
    backends: List[str] = []
    out: Facts = {"active": False, "backends": backends}
    rc, ruleset = host.run(["nft", "-j", "list", "ruleset"])
    if rc == 0 and ruleset.strip():
        try:
            rules = sum(1 for item in json.loads(ruleset).get("nftables", []) if "rule" in item)
        except ValueError:
            rules = 0
        if rules:
            backends.append("nftables")
            out["nftables_rules"] = rules
    rc, saved = host.run(["iptables-save"])
    if rc == 0:
        rules = sum(1 for line in saved.splitlines() if line.startswith("-A "))
        policies_drop = sum(1 for line in saved.splitlines()
                            if re.match(r"^:(INPUT|FORWARD) (DROP|REJECT)", line))
        if rules or policies_drop:
            backends.append("iptables")
            out["iptables_rules"] = rules
    ufw = host.read("/etc/ufw/ufw.conf") or ""
    if re.search(r"^\s*ENABLED\s*=\s*yes", ufw, re.M):
        backends.append("ufw")
    if "firewalld" in procs:
        backends.append("firewalld")
    out["active"] = bool(out["backends"])
    return out


LOGIN_START = "/etc/profile"
MAX_SOURCED = 200  # files followed along the login sequence (sourcing loops are cut there)
_SOURCE = re.compile(r"^(?:\.|source)\s+[\"']?(/[^\s\"';]+)")
_PROFILE_D_LOOP = re.compile(r"\bfor\s+\w+\s+in\s+(/etc/profile\.d/\*\.sh)\b")
# a shell statement that sets or marks TMOUT: TMOUT=V, export/readonly TMOUT=V,
# declare/typeset [-flags ...] TMOUT[=V]
_TMOUT = re.compile(
    r"^(?:(?P<cmd>export|readonly|declare|typeset)(?P<flags>(?:\s+-[A-Za-z]+)*)\s+)?"
    r"TMOUT(?:=(?P<value>\"[^\"]*\"|'[^']*'|[^\s;]*))?(?:\s|$)")


def _statements(line: str) -> List[str]:
    """The statements of one line of shell (split on ; and && outside quotes, roughly)."""
    return [part.strip() for part in re.split(r";|&&|\|\|", line) if part.strip()]


def _login_sequence(host: Host) -> Iterator[Tuple[str, int, str]]:
    """(file, line number, statement) in the order a login shell runs them, following what
    /etc/profile sources. Conditions are not evaluated: an interactive login shell is assumed."""
    seen: Set[str] = set()

    def walk(path: str) -> Iterator[Tuple[str, int, str]]:
        if path in seen or len(seen) >= MAX_SOURCED:
            return
        seen.add(path)
        for number, raw in enumerate((host.read(path) or "").splitlines(), start=1):
            line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
            if not line:
                continue
            loop = _PROFILE_D_LOOP.search(line)
            if loop:
                for dropin in sorted(host.glob(loop.group(1))):
                    yield from walk(dropin)
                continue
            for statement in _statements(line):
                sourced = _SOURCE.match(statement)
                if sourced:
                    yield from walk(sourced.group(1))
                else:
                    yield path, number, statement

    yield from walk(LOGIN_START)


def session_timeout(host: Host) -> Facts:
    """TMOUT as a login shell ends up with: assignments in sourcing order, the last one wins,
    except that once TMOUT is readonly every later assignment fails. Each assignment is kept
    with its file and line and whether it took effect, so a report can say why."""
    value: Optional[int] = None
    raw_value: Optional[str] = None
    source: Optional[str] = None
    readonly = False
    assignments: List[Facts] = []
    for path, number, statement in _login_sequence(host):
        match = _TMOUT.match(statement)
        if not match:
            continue
        flags = "".join((match.group("flags") or "").split()).replace("-", "")
        marks_readonly = match.group("cmd") == "readonly" or \
            (match.group("cmd") in ("declare", "typeset") and "r" in flags)
        where = "%s:%d" % (path, number)
        if match.group("value") is not None:
            text_value = match.group("value").strip("\"'")
            applied = not readonly
            assignments.append({"value": text(text_value, 40), "source": where,
                                "applied": applied,
                                **({} if applied else {"ignored": "readonly"})})
            if applied:
                raw_value, source = text_value, where
                value = int(text_value) if text_value.isdigit() else None
        if marks_readonly and not readonly:
            readonly = True
    out: Facts = {"tmout": value, "tmout_readonly": readonly,
                  "tmout_assignments": assignments[:32]}
    if source is not None:
        out["tmout_source"] = source
    if raw_value is not None and value is None:
        out["tmout_invalid"] = text(raw_value, 40)  # not a number: the shell ignores it
    return out


APT_SETTINGS = ("CACHE", "Dir::Cache::pkgcache/f", "LISTS", "Dir::State::Lists/d",
                "STATUS", "Dir::State::status/f", "SOURCES", "Dir::Etc::sourcelist/f",
                "PARTS", "Dir::Etc::sourceparts/d")
SECURITY_SUITE = re.compile(r"(^|[-/,])security\b", re.I)  # bookworm-security, focal-security


def apt_paths(host: Host) -> Dict[str, str]:
    """apt's own idea of where its cache, lists and status are (apt.conf may move any)."""
    rc, out = host.run(["apt-config", "shell", *APT_SETTINGS])
    paths: Dict[str, str] = {}
    if rc != 0:
        return paths
    for line in out.splitlines():
        match = re.match(r"^([A-Z]+)='(.*)'$", line.strip())
        if match:
            paths[match.group(1)] = match.group(2).replace("'\\''", "'")
    return paths


def _newest_input(host: Host, paths: Dict[str, str]) -> float:
    """The newest modification time among what apt builds its cache from."""
    newest = 0.0
    inputs = [paths.get("STATUS", ""), paths.get("SOURCES", "")]
    for folder, pattern in ((paths.get("LISTS"), "*"), (paths.get("PARTS"), "*")):
        if folder:
            inputs += [p for p in host.glob(os.path.join(folder, pattern))
                       if not p.endswith(("/lock", "/partial", "/auxfiles"))]
    for path in inputs:
        try:
            newest = max(newest, host.stat(path).st_mtime) if path else newest
        except OSError:
            continue
    return newest


def package_cache(host: Host, paths: Dict[str, str]) -> str:
    """disabled (apt.conf turns it off, as container images do), missing, stale (older than the
    lists or the installed state: apt would rebuild it, and as root write it) or fresh."""
    cache = paths.get("CACHE", "")
    if not cache:
        return "disabled"
    try:
        built = host.stat(cache).st_mtime
    except OSError:
        return "missing"
    return "fresh" if built >= _newest_input(host, paths) else "stale"


def apt_updates(host: Host) -> Facts:
    """The upgradable packages and which come from a security suite, from apt's local lists
    (nothing is downloaded). A fresh binary cache is read as it is; otherwise apt is told to
    build it in memory, so that a root scan never rewrites it (and the evidence says why this
    host took longer)."""
    paths = apt_paths(host)
    state = package_cache(host, paths)
    command = ["apt", "list", "--upgradable"]
    if state != "fresh":
        command += ["-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache="]
    rc, out = host.run(command, timeout=120)
    if rc != 0:
        return {"manager": "apt", "checked": False, "package_cache": state}
    # name/suite[,suite...] version arch [upgradable from: version]
    # (one line per package and architecture, as apt-get's "Inst" lines)
    pending = [line.split(" ", 1)[0].split("/", 1) for line in out.splitlines()
               if "[upgradable from:" in line and "/" in line.split(" ", 1)[0]]
    security = [name for name, suites in pending if SECURITY_SUITE.search(suites)]
    return {"manager": "apt", "checked": True, "pending": len(pending),
            "security_pending": len(security),
            "security_packages": sorted(set(security))[:MAX_ITEMS], "package_cache": state}


def updates(host: Host) -> Facts:
    if host.exists("/usr/bin/apt"):
        return apt_updates(host)
    for manager in ("dnf", "yum"):
        exe = "/usr/bin/" + manager
        if host.exists(exe):
            # -C: cache only, never reach a repository
            rc, out = host.run([exe, "-C", "-q", "--security", "check-update"], timeout=120)
            if rc not in (0, 100):
                return {"manager": manager, "checked": False}
            names = [line.split()[0] for line in out.splitlines() if line and line[0].isalnum()]
            return {"manager": manager, "checked": True, "security_pending": len(names),
                    "security_packages": sorted(set(names))[:MAX_ITEMS]}
    return {"manager": None, "checked": False}


def antimalware(host: Host, procs: AbstractSet[str]) -> Facts:
    agents = sorted({label for proc, label in AV_AGENTS.items() if proc in procs})
    installed = sorted({label for proc, label in AV_AGENTS.items()
                        if any(host.exists(d + proc) for d in
                               ("/usr/sbin/", "/usr/bin/", "/opt/"))})
    return {"running": agents, "installed": installed, "present": bool(agents)}


def interfaces(host: Host) -> List[Facts]:
    addresses: Dict[str, List[str]] = {}
    rc, out = host.run(["ip", "-j", "address", "show"])
    if rc == 0:
        try:
            for iface in json.loads(out):
                name = text(iface.get("ifname", "?"), 64)
                for info in iface.get("addr_info", []):
                    local, length = info.get("local"), info.get("prefixlen")
                    if local is not None:
                        addresses.setdefault(name, []).append("%s/%s" % (local, length))
        except ValueError:
            pass
    return [{"name": n, "addresses": a[:64]} for n, a in sorted(addresses.items())][:MAX_ITEMS]

#!/usr/bin/python
# -*- coding: utf-8 -*-
"""Ansible module: gather, in one run and read-only, every fact the egov-audit host controls need.

Runs on the audited host with only the Python standard library (3.6+). It never changes the host
and never returns a secret: no password hash, no key material, no token, only derived booleans,
counts, names and settings. Everything it returns is bounded in size.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: egov_host_facts
short_description: Read-only collection of the facts egov-audit's host controls evaluate
description:
  - Reads OS release, effective sshd settings, password and lockout policy, derived account
    facts, listening sockets, insecure services, host firewall, time synchronisation, log
    forwarding and retention, auditd, session timeout, sensitive file permissions, pending
    security updates (from local package metadata only), anti-malware/EDR presence and
    interface addresses.
  - Never changes the host. Never returns password hashes, keys or tokens.
options: {}
author: egov-audit
"""

import errno
import glob
import ipaddress
import json
import os
import pwd
import re
import socket
import stat
import struct
import subprocess
import threading
import time
from typing import AbstractSet, Any, Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple

from ansible.module_utils.basic import AnsibleModule

Facts = Dict[str, Any]

VERSION = "2"
MAX_TEXT = 4096
MAX_ITEMS = 256
SYSTEM_UID_MAX = 999
INSECURE_PORTS = {23: "telnet", 512: "rexec", 513: "rlogin", 514: "rsh", 69: "tftp", 21: "ftp"}
INSECURE_DAEMONS = {"in.telnetd": "telnet", "telnetd": "telnet", "in.rlogind": "rlogin",
                    "in.rshd": "rsh", "in.rexecd": "rexec", "in.tftpd": "tftp", "tftpd": "tftp",
                    "vsftpd": "ftp", "proftpd": "ftp", "pure-ftpd": "ftp"}
TIME_DAEMONS = ("chronyd", "systemd-timesyncd", "ntpd", "ntpsec", "openntpd")
AV_AGENTS = {"clamd": "ClamAV", "freshclam": "ClamAV", "wazuh-agentd": "Wazuh",
             "ossec-agentd": "OSSEC", "falcon-sensor": "CrowdStrike Falcon",
             "mdatp": "Microsoft Defender", "wdavdaemon": "Microsoft Defender",
             "sentinelagent": "SentinelOne", "bdsecd": "Bitdefender", "esets": "ESET",
             "kesl": "Kaspersky", "ds_agent": "Trend Micro Deep Security",
             "cbagentd": "Carbon Black", "elastic-agent": "Elastic Agent", "bkav": "BKAV"}
DEFAULT_ACCOUNTS = ("admin", "administrator", "guest", "test", "user", "oracle", "postgres",
                    "ubuntu", "pi", "demo")
# reported under a key without slashes or dots (policies address facts by dotted paths)
SENSITIVE_FILES = {"/etc/shadow": "etc_shadow", "/etc/gshadow": "etc_gshadow",
                   "/etc/passwd": "etc_passwd", "/etc/group": "etc_group",
                   "/etc/ssh/sshd_config": "etc_ssh_sshd_config", "/etc/sudoers": "etc_sudoers"}


def text(value: Any, limit: int = MAX_TEXT) -> str:
    shown = value if isinstance(value, str) else str(value)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def run_command(args: List[str], timeout: int = 20) -> Tuple[Optional[int], str]:
    """Run a read-only command; (rc, stdout) or (None, '') when it is missing or hangs."""
    try:
        proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              stdin=subprocess.DEVNULL, timeout=timeout,
                              env=dict(os.environ, LC_ALL="C", LANG="C"))
    except (OSError, subprocess.TimeoutExpired):
        return None, ""
    return proc.returncode, proc.stdout[: 4 << 20].decode("utf-8", "replace")


Runner = Callable[[List[str], int], Tuple[Optional[int], str]]


class Host(object):
    """Where the facts come from. On an audited host: its own files (root "/") and commands.
    In tests: a saved file tree (tests/fixtures/hostfs/<profile>/) and recorded command outputs,
    so every parser runs on any machine in milliseconds. Every file and command the module
    reads goes through here, and only through here."""

    def __init__(self, root: str = "/", runner: Runner = run_command, euid: Optional[int] = None,
                 kernel: Optional[str] = None, hostname: Optional[str] = None) -> None:
        self.root = root
        self.runner = runner
        self.euid = os.geteuid() if euid is None else euid
        self.kernel = os.uname().release if kernel is None else kernel
        self.hostname = socket.gethostname() if hostname is None else hostname
        self.unreadable: Dict[str, str] = {}  # path: why, for files that exist but were not read

    def path(self, path: str) -> str:
        return path if self.root == "/" else os.path.join(self.root, path.lstrip("/"))

    def read(self, path: str, limit: int = 1 << 20) -> Optional[str]:
        """The text of a regular file, or None. Opened without blocking, and only read when it
        is a regular file: a FIFO or a device put where a configuration file belongs (on a
        compromised host) cannot hang the scan. What exists but cannot be read is noted."""
        try:
            fd = os.open(self.path(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        except (OSError, IOError) as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
                self.note_unreadable(path, os.strerror(exc.errno or 0) or "cannot be opened")
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                self.note_unreadable(path, "not a regular file")
                return None
            with os.fdopen(fd, "rb") as handle:
                fd = -1
                return handle.read(limit).decode("utf-8", "replace")
        except (OSError, IOError) as exc:
            self.note_unreadable(path, os.strerror(exc.errno or 0) or "cannot be read")
            return None
        finally:
            if fd >= 0:
                os.close(fd)

    def note_unreadable(self, path: str, reason: str) -> None:
        if len(self.unreadable) < 32:
            self.unreadable[path] = text(reason, 100)

    def glob(self, pattern: str) -> List[str]:
        """Paths on the host (not under the test root) matching `pattern`."""
        found = glob.glob(self.path(pattern))
        if self.root == "/":
            return found
        return ["/" + os.path.relpath(p, self.root) for p in found]

    def exists(self, path: str) -> bool:
        return os.path.exists(self.path(path))

    def isdir(self, path: str) -> bool:
        return os.path.isdir(self.path(path))

    def stat(self, path: str) -> os.stat_result:
        return os.stat(self.path(path))

    def run(self, args: List[str], timeout: int = 20) -> Tuple[Optional[int], str]:
        return self.runner(args, timeout)

    def users(self) -> List[Tuple[str, int, str]]:
        """(name, uid, shell) of every account. On the host through NSS (pwd): directory
        accounts count too; in a saved tree from its etc/passwd."""
        if self.root == "/":
            try:
                return [(u.pw_name, u.pw_uid, u.pw_shell) for u in pwd.getpwall()]
            except Exception:
                return []
        out = []
        for line in (self.read("/etc/passwd") or "").splitlines():
            fields = line.split(":")
            if len(fields) >= 7 and fields[2].isdigit():
                out.append((fields[0], int(fields[2]), fields[6]))
        return out


def config_lines(content: Optional[str]) -> Iterator[str]:
    for _, line in numbered_lines(content):
        yield line


def numbered_lines(content: Optional[str]) -> Iterator[Tuple[int, str]]:
    """(line number, text) of a `key = value` file, comments ('#' to the end) removed."""
    for number, line in enumerate((content or "").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            yield number, line


COMM_LEN = 15  # the kernel keeps a process name to 15 characters: systemd-timesyncd is
# "systemd-timesyn" in /proc/PID/comm


class Processes(AbstractSet[str]):
    """The names of the running processes. /proc/PID/comm keeps 15 characters, so a longer name
    is looked up by the program its command line started (systemd-journald and
    systemd-journal-upload are both "systemd-journal" in comm)."""

    def __init__(self, names: Iterable[str], long_names: Iterable[str] = ()) -> None:
        self._names = frozenset(name[:COMM_LEN] for name in names)
        self._long = frozenset(long_names)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return name in self._long if len(name) > COMM_LEN else name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def processes(host: Host) -> Processes:
    names, long_names = [], []
    for comm in host.glob("/proc/[0-9]*/comm"):
        name = (host.read(comm, 256) or "").strip()
        if not name:
            continue
        names.append(name)
        if len(name) == COMM_LEN:  # perhaps cut: the program's own name from its command line
            argv0 = (host.read(comm[: -len("comm")] + "cmdline", 4096) or "").split("\0")[0]
            if argv0:
                long_names.append(os.path.basename(argv0.split()[0]) if argv0.split() else "")
    return Processes(names, long_names)


# -- facts ---------------------------------------------------------------------------------
def os_release(host: Host) -> Facts:
    out = {}
    for line in config_lines(host.read("/etc/os-release")):
        key, _, value = line.partition("=")
        if key in ("ID", "VERSION_ID", "PRETTY_NAME", "ID_LIKE"):
            out[key.lower()] = text(value.strip().strip('"'), 200)
    out["kernel"] = text(host.kernel, 200)
    out["hostname"] = text(host.hostname, 255)
    return out


SSHD_KEYS = {"permitrootlogin", "passwordauthentication", "maxauthtries", "clientaliveinterval",
             "clientalivecountmax", "port", "permitemptypasswords", "x11forwarding",
             "pubkeyauthentication", "kbdinteractiveauthentication", "logingracetime",
             "listenaddress", "protocol", "usepam", "allowusers", "allowgroups", "ciphers", "macs"}


def sshd(host: Host) -> Facts:
    paths = ["/usr/sbin/sshd", "/usr/bin/sshd", "/sbin/sshd"]
    exe = next((p for p in paths if host.exists(p)), None)
    if exe is None:
        return {"installed": False}
    rc, out = host.run([exe, "-T"])
    if rc != 0:
        # a Match LocalPort block makes a bare sshd -T fail (it wants a connection); a
        # connection that no block names gives the global settings. A broken file fails both.
        rc, out = host.run([exe, "-T", "-C", _spec_arg(NEUTRAL_CONNECTION)])
    if rc != 0:
        if host.euid != 0:
            # sshd -T reads the host keys: without root nothing can be said about the config
            return {"installed": True, "readable": False}
        # a broken sshd_config: the daemon may still run with the old settings
        return {"installed": True, "readable": True, "config_valid": False}
    values = _sshd_values(out)
    values["port"] = [int(p) for p in values.get("port", []) if p.isdigit()]
    values["access_restricted"] = any(values.get(k) not in (None, "", "none")
                                      for k in ("allowusers", "allowgroups"))
    values.update({"installed": True, "readable": True, "config_valid": True})
    values.update(sshd_sources(host))
    values["contexts"] = sshd_contexts(host, exe, values, values["match_blocks"])
    return values


# settings a Match block may change that host controls judge: each Match block's connection is
# run through `sshd -T -C` and what differs from the global settings is reported per block
SSHD_CONTEXT_KEYS = ("permitrootlogin", "passwordauthentication", "maxauthtries",
                     "permitemptypasswords", "x11forwarding", "kbdinteractiveauthentication",
                     "pubkeyauthentication", "idle_timeout_s")
MAX_MATCH_CONTEXTS = 16
# a connection no Match block names (documentation addresses, a reserved name, the last
# port: sshd reads lport=0 as no port at all)
NEUTRAL_CONNECTION = {"user": "egov-audit-probe", "host": "egov-audit-probe.invalid",
                      "addr": "192.0.2.1", "laddr": "192.0.2.2", "lport": "65535"}
MATCH_KEYWORDS = {"user": "user", "group": "group", "host": "host", "address": "addr",
                  "localaddress": "laddr", "localport": "lport"}


def _sshd_values(output: str) -> Facts:
    values: Facts = {}
    for line in output.splitlines():
        key, _, value = line.partition(" ")
        if key in SSHD_KEYS:
            if key in ("port", "listenaddress"):
                values.setdefault(key, []).append(text(value, 200))
            else:
                values[key] = text(value, 1000)
    for key in ("maxauthtries", "clientaliveinterval", "clientalivecountmax", "logingracetime"):
        if key in values and values[key].isdigit():
            values[key] = int(values[key])
    interval = values.get("clientaliveinterval", 0)
    count = values.get("clientalivecountmax", 3)
    # an idle SSH session is cut after interval x count seconds; 0 means never
    values["idle_timeout_s"] = interval * count if isinstance(interval, int) and \
        isinstance(count, int) else 0
    return values


def _example(patterns: str) -> Optional[str]:
    """A value that the first positive pattern of an sshd pattern list matches: wildcards
    become a letter. None when the list has only negated patterns (it matches nothing)."""
    for pattern in patterns.split(","):
        if pattern and not pattern.startswith("!"):
            return pattern.replace("*", "x").replace("?", "x")
    return None


def _example_address(patterns: str) -> Optional[str]:
    """An address inside the first positive address pattern (CIDR or single address)."""
    for pattern in patterns.split(","):
        if pattern and not pattern.startswith("!"):
            try:
                network = ipaddress.ip_network(pattern, strict=False)
            except ValueError:
                return None  # wildcard address patterns are not followed
            return str(network.network_address + (1 if network.num_addresses > 1 else 0))
    return None


def _group_member(host: Host, group: str, user: Optional[str]) -> Optional[str]:
    """An account in `group` (listed in /etc/group, or with it as primary group), preferring
    `user` when it is one."""
    members: List[str] = []
    gid = None
    for line in (host.read("/etc/group") or "").splitlines():
        fields = line.split(":")
        if len(fields) >= 4 and fields[0] == group:
            gid = fields[2]
            members.extend(m for m in fields[3].split(",") if m)
    for line in (host.read("/etc/passwd") or "").splitlines():
        fields = line.split(":")
        if len(fields) >= 4 and gid is not None and fields[3] == gid:
            members.append(fields[0])
    if user is not None:
        return user if user in members else None
    return members[0] if members else None


def _match_connection(host: Host, criteria: str) -> Tuple[Optional[Dict[str, str]], str]:
    """A connection that the Match criteria catch, for `sshd -T -C`, or None and why not."""
    words = criteria.split()
    spec = dict(NEUTRAL_CONNECTION)
    wanted: Dict[str, str] = {}
    if len(words) % 2:
        return None, "criteria not in keyword-value pairs"
    for keyword, patterns in [(words[i], words[i + 1]) for i in range(0, len(words), 2)]:
        name = MATCH_KEYWORDS.get(keyword.lower())
        if name is None:
            return None, "the %s criterion is not followed" % text(keyword, 40)
        wanted[name] = patterns
    for name, patterns in wanted.items():
        if name == "group":
            continue
        example = _example_address(patterns) if name in ("addr", "laddr") else \
            _example(patterns)
        if example is None:
            return None, "no connection matches %s %s" % (name, text(patterns, 80))
        spec[name] = example
    if "group" in wanted:
        group = _example(wanted["group"])
        member = _group_member(host, group, spec["user"] if "user" in wanted else None) \
            if group else None
        if member is None:
            return None, "no account is in group %s" % text(wanted["group"], 80)
        spec["user"] = member
    return spec, ""


def _spec_arg(spec: Dict[str, str]) -> str:
    return ",".join("%s=%s" % (key, spec[key]) for key in sorted(spec))


def sshd_contexts(host: Host, exe: str, base: Facts, blocks: List[Facts]) -> List[Facts]:
    """What sshd uses for a connection each Match block catches, where it differs from the
    global settings: `sshd -T -C` with such a connection (earlier Match blocks that catch it
    too apply first, as in sshd)."""
    contexts: List[Facts] = []
    for block in blocks[:MAX_MATCH_CONTEXTS]:
        context: Facts = {"match": block["criteria"], "source": block["source"]}
        spec, why = _match_connection(host, block["criteria"])
        if spec is None:
            context.update({"evaluated": False, "reason": why})
        else:
            rc, out = host.run([exe, "-T", "-C", _spec_arg(spec)])
            if rc != 0:
                context.update({"evaluated": False, "reason": text(out.strip(), 200) or
                                "sshd -T -C failed"})
            else:
                values = _sshd_values(out)
                context.update({"evaluated": True, "connection": _spec_arg(spec), "values": {
                    k: values[k] for k in SSHD_CONTEXT_KEYS
                    if k in values and values[k] != base.get(k)}})
        contexts.append(context)
    return contexts


SSHD_CONFIG = "/etc/ssh/sshd_config"
# keywords whose every line counts (sshd accumulates them); for the others the first wins
SSHD_ACCUMULATING = {"port", "listenaddress", "allowusers", "allowgroups"}
# derived facts and the keywords they come from
SSHD_DERIVED = {"idle_timeout_s": ("clientaliveinterval",),
                "access_restricted": ("allowusers", "allowgroups")}


def _sshd_config_lines(host: Host, path: str) -> Iterator[Tuple[int, str, str]]:
    """(line, keyword, value) of one sshd configuration file."""
    for number, raw in enumerate((host.read(path) or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"^(\S+?)(?:\s*=\s*|\s+)(.*)$", line)
        if match:
            yield number, match.group(1).lower(), match.group(2).strip()


def sshd_sources(host: Host) -> Facts:
    """Where each setting sshd -T reports is written (file:line), the written values that lose
    (sshd takes the first), the settings of Match blocks (they apply to some connections only),
    and the settings left to sshd's compiled-in defaults. Include is read where it stands, its
    globs sorted, relative paths under /etc/ssh; a Match block ends at the next Match or at the
    end of its file."""
    sources: Dict[str, str] = {}
    ignored: List[Facts] = []
    blocks: List[Facts] = []

    def walk(path: str, depth: int, block: Optional[Facts]) -> None:
        if depth > 16:
            return
        for number, keyword, value in _sshd_config_lines(host, path):
            where = "%s:%d" % (path, number)
            if keyword == "include":
                for pattern in value.split():
                    pattern = pattern if pattern.startswith("/") else "/etc/ssh/" + pattern
                    for included in sorted(host.glob(pattern)):
                        walk(included, depth + 1, block)
            elif keyword == "match":
                block = None if value.lower() == "all" else {
                    "criteria": text(value, 200), "source": where, "settings": {}}
                if block is not None and len(blocks) < 32:
                    blocks.append(block)
            elif keyword not in SSHD_KEYS:
                continue
            elif block is not None:
                block["settings"][keyword] = text(value, 200)
            elif keyword not in sources or keyword in SSHD_ACCUMULATING:
                sources.setdefault(keyword, where)
            elif len(ignored) < 32:
                ignored.append({"keyword": keyword, "value": text(value, 200), "source": where,
                                "ignored": "an earlier line wins (%s)" % sources[keyword]})

    walk(SSHD_CONFIG, 0, None)
    defaults = sorted(k for k in SSHD_KEYS if k not in sources)
    defaults += sorted(derived for derived, keys in SSHD_DERIVED.items()
                       if all(k not in sources for k in keys))
    return {"sources": sources, "defaults": defaults, "ignored_lines": ignored,
            "match_blocks": blocks}


class Settings(object):
    """The settings of one program as it reads them: `read` is called in the order the program
    reads its files and arguments. Each value keeps where it came from (file:line); a value
    that lost to another is kept too, with the reason, so a report can say why. What the
    program uses when nothing is written comes from `facts(defaults)`, marked as a default."""

    def __init__(self) -> None:
        self.values: Facts = {}
        self.sources: Dict[str, str] = {}
        self.ignored: List[Facts] = []

    def read(self, key: str, value: Any, where: str) -> None:
        """A later value replaces an earlier one (login.defs, pwquality, PAM arguments)."""
        if key in self.sources:
            self.lose(key, "a later line wins (%s)" % where)
        self.values[key] = value
        self.sources[key] = where

    def lose(self, key: str, why: str) -> None:
        """The written value of `key` is not used after all, for the reason given."""
        if key in self.sources:
            self.refuse(key, self.values.pop(key), self.sources.pop(key), why)

    def refuse(self, key: str, value: Any, where: str, why: str) -> None:
        """A line the program reads and rejects: the value before it stays."""
        if len(self.ignored) < 32:
            shown = value if isinstance(value, (bool, int)) else text(value, 100)
            self.ignored.append({"keyword": key, "value": shown, "source": where,
                                 "ignored": text(why, 200)})

    def facts(self, defaults: Optional[Facts] = None) -> Facts:
        out = dict(self.values)
        taken = sorted(k for k in (defaults or {}) if k not in out)
        for key in taken:
            out[key] = (defaults or {})[key]
        if self.sources:
            out["sources"] = dict(self.sources)
        if taken:
            out["defaults"] = taken
        if self.ignored:
            out["ignored_lines"] = list(self.ignored)
        return out


def _integer(value: str) -> Optional[int]:
    """The whole of `value` as a decimal integer (as strtol with an end check reads it)."""
    return int(value) if re.match(r"^-?\d+$", value) else None


LOGIN_DEFS = "/etc/login.defs"
LOGIN_DEFS_NUMBERS = {"pass_max_days", "pass_min_days", "pass_min_len", "pass_warn_age",
                      "login_retries", "fail_delay"}
LOGIN_DEFS_KEYS = LOGIN_DEFS_NUMBERS | {"encrypt_method", "umask", "md5_crypt_enab"}
ENCRYPT_METHODS = {"DES", "MD5", "SHA256", "SHA512", "BCRYPT", "YESCRYPT"}
# what shadow-utils uses when login.defs does not say, or says something it cannot parse
# (login.defs(5): "If not specified, -1 will be assumed"; ENCRYPT_METHOD "DES (default)")
LOGIN_DEFS_DEFAULTS = {"pass_max_days": -1, "pass_min_days": -1, "pass_warn_age": -1,
                       "encrypt_method": "DES"}


def login_defs(host: Host) -> Facts:
    """login.defs as shadow-utils reads it: the first word is the key, the value runs to the
    end of the line (a trailing '# comment' is part of it, so a number with a comment after it
    does not parse and the default applies); a later line for the same key replaces an earlier
    one. Each value says its line; the lines that lost are kept."""
    settings = Settings()
    for number, raw in enumerate((host.read(LOGIN_DEFS) or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) != 2 or parts[0].lower() not in LOGIN_DEFS_KEYS:
            continue
        value = parts[1].lstrip(" \t\"").split('"', 1)[0]
        settings.read(parts[0].lower(), text(value, 100), "%s:%d" % (LOGIN_DEFS, number))
    for key in LOGIN_DEFS_NUMBERS & set(settings.values):
        number_value = _integer(settings.values[key])
        if number_value is None:
            settings.lose(key, "not a number: shadow-utils ignores it and uses its default")
        else:
            settings.values[key] = number_value
    method = settings.values.get("encrypt_method")
    if method is not None and method not in ENCRYPT_METHODS:
        settings.lose("encrypt_method", "not a method shadow-utils knows: it uses DES")
    defaults = dict(LOGIN_DEFS_DEFAULTS)
    if str(settings.values.get("md5_crypt_enab", "")).lower() == "yes":
        defaults["encrypt_method"] = "MD5"  # the older switch, read when ENCRYPT_METHOD is not
    return settings.facts(defaults)


def _pam_lines(host: Host) -> List[Tuple[str, str, List[str]]]:
    """(file:line, module, arguments) of every PAM rule in /etc/pam.d, in file order."""
    rules = []
    for path in sorted(host.glob("/etc/pam.d/*")):
        for number, line in numbered_lines(host.read(path)):
            # type [control] or control, then the module and its arguments
            match = re.match(r"^-?\w+\s+(?:\[[^\]]*\]|\S+)\s+(\S+)(.*)$", line)
            if match:
                module = os.path.basename(match.group(1))
                rules.append(("%s:%d" % (path, number), module, match.group(2).split()))
    return rules


PWQUALITY_CONF = "/etc/security/pwquality.conf"
PWQUALITY_KEYS = ("minlen", "minclass", "dcredit", "ucredit", "lcredit", "ocredit", "retry",
                  "difok", "maxrepeat", "enforce_for_root")
# compiled-in defaults: pwquality.conf(5) and pam_cracklib(8); history: pam_pwhistory(8)
QUALITY_DEFAULTS = {"pam_pwquality.so": {"minlen": 8, "minclass": 0},
                    "pam_cracklib.so": {"minlen": 9, "minclass": 0}}
PWHISTORY_DEFAULT = 10


def _option(key: str, value: Optional[str]) -> Any:
    if value is None:
        return True  # a flag such as enforce_for_root
    number = _integer(value.strip())
    return number if number is not None else text(value.strip(), 100)


def pwquality(host: Host) -> Facts:
    """Password quality as the PAM stack enforces it. libpwquality reads
    pwquality.conf.d/*.conf in order, then pwquality.conf; the arguments on the pam_pwquality
    line come last and win. pam_cracklib reads no file. Without a quality module in any PAM
    stack nothing enforces what the files say: their values are kept as lines that lost."""
    rules = _pam_lines(host)
    quality = [rule for rule in rules if rule[1] in QUALITY_DEFAULTS]
    module = quality[0][1] if quality else None
    settings = Settings()
    if module != "pam_cracklib.so":
        for path in [*sorted(host.glob("/etc/security/pwquality.conf.d/*.conf")),
                     PWQUALITY_CONF]:
            for number, line in numbered_lines(host.read(path)):
                key, has_value, value = line.partition("=")
                if key.strip() in PWQUALITY_KEYS:
                    settings.read(key.strip(), _option(key, value if has_value else None),
                                  "%s:%d" % (path, number))
    for where, name, args in quality:
        if name != module:
            continue
        for arg in args:
            key, has_value, value = arg.partition("=")
            if key in PWQUALITY_KEYS:
                settings.read(key, _option(key, value if has_value else None), where)
    if module is None:
        for key in list(settings.values):
            settings.lose(key, "no PAM stack loads pam_pwquality: nothing enforces it")
    defaults: Facts = dict(QUALITY_DEFAULTS[module]) if module else {}
    _history(rules, settings, defaults)
    out = settings.facts(defaults)
    out["pam_enabled"] = module is not None
    if module:
        out["module"] = module.split(".")[0]
    return out


def _history(rules: List[Tuple[str, str, List[str]]], settings: Settings,
             defaults: Facts) -> None:
    """How many old passwords are refused: pam_pwhistory's remember (10 when not given) and
    pam_unix's remember each enforce their own; the longer history is what a user meets."""
    found: List[Tuple[int, str]] = []
    for where, name, args in rules:
        if name not in ("pam_pwhistory.so", "pam_unix.so"):
            continue
        given = [_integer(a.split("=", 1)[1]) for a in args if a.startswith("remember=")]
        if given and given[-1] is not None:
            found.append((given[-1], where))
        elif name == "pam_pwhistory.so":
            defaults["remember"] = max(PWHISTORY_DEFAULT, defaults.get("remember", 0))
    if not found:
        return
    longest, where = max(found)
    if defaults.get("remember", 0) > longest:
        return  # pam_pwhistory's default keeps more than anything written
    defaults.pop("remember", None)
    for count, other in found:
        if other != where:
            settings.read("remember", count, other)
    settings.read("remember", longest, where)
    for ignored in settings.ignored:
        if ignored["keyword"] == "remember":
            ignored["ignored"] = "a longer history is enforced (%s)" % where


FAILLOCK_CONF = "/etc/security/faillock.conf"
LOCKOUT_KEYS = ("deny", "unlock_time", "fail_interval")
# compiled-in defaults: faillock.conf(5); pam_tally2 locks nobody unless deny is given
LOCKOUT_DEFAULTS = {"pam_faillock.so": {"deny": 3, "unlock_time": 600, "fail_interval": 900},
                    "pam_tally2.so": {"deny": 0}, "pam_tally.so": {"deny": 0}}


def lockout(host: Host) -> Facts:
    """Account lockout as the PAM stack enforces it. pam_faillock reads faillock.conf (or the
    file its conf= argument names), then its own arguments, which win; later rules' arguments
    replace earlier ones. Without a lockout module nothing reads faillock.conf."""
    rules = [rule for rule in _pam_lines(host) if rule[1] in LOCKOUT_DEFAULTS]
    module = rules[0][1] if rules else None
    settings = Settings()
    if module == "pam_faillock.so" or module is None:
        confs = [a.split("=", 1)[1] for _, name, args in rules if name == module
                 for a in args if a.startswith("conf=")]
        conf = confs[-1] if confs else FAILLOCK_CONF
        for number, line in numbered_lines(host.read(conf)):
            key, _, value = line.partition("=")
            if key.strip() in LOCKOUT_KEYS and _integer(value.strip()) is not None:
                settings.read(key.strip(), _integer(value.strip()), "%s:%d" % (conf, number))
    for where, name, args in rules:
        if name != module:
            continue
        for arg in args:
            key, _, value = arg.partition("=")
            if key in LOCKOUT_KEYS and _integer(value) is not None:
                settings.read(key, _integer(value), where)
    if module is None:
        for key in list(settings.values):
            settings.lose(key, "no PAM stack loads pam_faillock: nothing enforces it")
    out = settings.facts(LOCKOUT_DEFAULTS[module] if module else None)
    out["configured"] = module is not None and out.get("deny", 0) > 0
    if module:
        out["module"] = module.split(".")[0]
    return out


USERADD_DEFAULTS = "/etc/default/useradd"


def _inactive_days(host: Host) -> Facts:
    """INACTIVE of /etc/default/useradd as useradd reads it: KEY=VALUE lines, the last valid
    one wins; a value that is not a whole number is refused and the one before it stays;
    -1 (never) when none is given."""
    settings = Settings()
    for number, raw in enumerate((host.read(USERADD_DEFAULTS) or "").splitlines(), start=1):
        key, has_value, value = raw.strip().partition("=")
        if has_value and key == "INACTIVE":
            where = "%s:%d" % (USERADD_DEFAULTS, number)
            days = _integer(value.strip())
            if days is None:
                settings.refuse("inactive_days", value.strip(), where,
                                "not a number: useradd refuses it")
            else:
                settings.read("inactive_days", days, where)
    return settings.facts({"inactive_days": -1})


def accounts(host: Host) -> Facts:
    """Derived facts only: the password hashes are read to know whether one is empty or locked,
    and are never returned."""
    users = host.users()
    shells_ok = ("/bin/false", "/usr/sbin/nologin", "/sbin/nologin", "/usr/bin/false",
                 "/bin/sync")
    uid0 = sorted(name for name, uid, _ in users if uid == 0 and name != "root")
    state = {}
    shadow = host.read("/etc/shadow")
    shadow_readable = shadow is not None
    for line in (shadow or "").splitlines():
        fields = line.split(":")
        if len(fields) >= 2:
            field = fields[1]
            if field == "":
                state[fields[0]] = "empty"
            elif field.startswith(("!", "*")):
                state[fields[0]] = "locked"
            else:
                state[fields[0]] = "password"
            last_change = fields[2] if len(fields) > 2 else ""
            if last_change == "0":
                state[fields[0] + ":expired"] = "yes"
    interactive = [(name, uid) for name, uid, shell in users if shell not in shells_ok]
    empty = sorted(name for name, value in state.items() if value == "empty")
    defaults = sorted(name for name, _ in interactive if name in DEFAULT_ACCOUNTS
                      and state.get(name) == "password")
    human = sorted(name for name, uid in interactive if uid > SYSTEM_UID_MAX)
    facts: Facts = {"shadow_readable": shadow_readable, "extra_uid0": uid0[:MAX_ITEMS],
                    "empty_password": empty[:MAX_ITEMS], "default_active": defaults[:MAX_ITEMS],
                    "interactive_users": len(human), "interactive_names": human[:MAX_ITEMS]}
    facts.update(_inactive_days(host))
    return facts


def _proc_net(host: Host, path: str, version: int) -> List[Facts]:
    sockets = []
    for line in (host.read(path) or "").splitlines()[1:]:
        parts = line.split()
        if len(parts) < 4:
            continue
        local, state_hex = parts[1], parts[3]
        if "tcp" in path and state_hex != "0A":  # LISTEN
            continue
        address_hex, _, port_hex = local.partition(":")
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


def time_sync(host: Host, procs: AbstractSet[str]) -> Facts:
    running = [d for d in TIME_DAEMONS if d in procs]
    servers = []
    for path in ["/etc/chrony/chrony.conf", "/etc/chrony.conf", "/etc/ntp.conf",
                 "/etc/ntpsec/ntp.conf", *host.glob("/etc/chrony/sources.d/*.sources")]:
        for line in config_lines(host.read(path)):
            parts = line.split()
            if parts[0] in ("server", "pool", "peer") and len(parts) > 1:
                servers.append(text(parts[1], 255))
    for path in ["/etc/systemd/timesyncd.conf", *host.glob("/etc/systemd/timesyncd.conf.d/*")]:
        for line in config_lines(host.read(path)):
            key, _, value = line.partition("=")
            if key.strip() in ("NTP", "FallbackNTP"):
                servers.extend(text(v, 255) for v in value.split())
    return {"active": bool(running), "daemons": running, "servers": sorted(set(servers))[:64]}


def logging_facts(host: Host, procs: AbstractSet[str]) -> Facts:
    targets = []
    files = ["/etc/rsyslog.conf", *sorted(host.glob("/etc/rsyslog.d/*.conf"))]
    for path in files:
        for line in config_lines(host.read(path)):
            # legacy selector lines: "*.* @@collector:514" (TCP) or "@collector" (UDP)
            match = re.search(r"\s(@@?)(?:\(\w+\))?([\w.:\[\]-]+)", line)
            if match and not line.startswith(("$", "module(", "input(")):
                targets.append(text(match.group(1) + match.group(2), 255))
            # RainerScript: action(type="omfwd" target="collector" ...)
            if "omfwd" in line:
                targets.extend(text(t, 255) for t in re.findall(r'target\s*=\s*"([^"]+)"', line))
    for path in ["/etc/syslog-ng/syslog-ng.conf", *sorted(host.glob("/etc/syslog-ng/conf.d/*"))]:
        for match in re.findall(r"\b(?:network|tcp|udp|syslog)\s*\(\s*\"?([^\"\s)]+)",
                                host.read(path) or ""):
            targets.append(text(match, 255))
    upload = host.read("/etc/systemd/journal-upload.conf") or ""
    match = re.search(r"^\s*URL\s*=\s*(\S+)", upload, re.M)
    if match:
        targets.append(text(match.group(1), 255))
    daemons = [d for d in ("rsyslogd", "syslog-ng", "systemd-journal-upload") if d in procs]
    out: Facts = {"forwarding": sorted(set(targets))[:64], "daemons": daemons}
    out.update(_retention(host))
    return out


LOGROTATE_CONF = "/etc/logrotate.conf"
SYSLOG_FILES = re.compile(r"/var/log/(syslog|messages|auth\.log|secure)\b")
# days one rotation period stands for; with `size` (or no period at all: logrotate's compiled-in
# criterion is size) a file is rotated at most once per run, and logrotate runs daily
PERIOD_DAYS = {"hourly": 1.0 / 24, "daily": 1.0, "weekly": 7.0, "monthly": 30.0,
               "yearly": 365.0, "size": 1.0}
MAX_LOGROTATE_FILES = 200
# files an included folder holds that logrotate skips (its default taboo list)
LOGROTATE_TABOO = (",v", ".cfsaved", ".disabled", ".dpkg-bak", ".dpkg-del", ".dpkg-dist",
                   ".dpkg-new", ".dpkg-old", ".dpkg-tmp", ".rpmnew", ".rpmorig", ".rpmsave",
                   ".swp", ".ucf-dist", ".ucf-new", ".ucf-old", "~")


class _Rotation(object):
    """The directives that decide how long a log stays on disk, each with its line."""

    def __init__(self) -> None:
        self.period: Tuple[float, Optional[str]] = (PERIOD_DAYS["size"], None)  # compiled-in
        self.rotate: Tuple[int, Optional[str]] = (0, None)  # compiled-in: no old copy kept
        self.maxage: Tuple[Optional[int], Optional[str]] = (None, None)

    def copy(self) -> "_Rotation":
        other = _Rotation()
        other.period, other.rotate, other.maxage = self.period, self.rotate, self.maxage
        return other

    def apply(self, words: List[str], where: str) -> None:
        name = words[0]
        if name in PERIOD_DAYS:
            self.period = (PERIOD_DAYS[name], where)
        elif name == "rotate" and len(words) > 1 and _integer(words[1]) is not None:
            self.rotate = (max(int(words[1]), 0), where)
        elif name == "maxage" and len(words) > 1 and _integer(words[1]) is not None:
            self.maxage = (int(words[1]), where)

    def days(self) -> int:
        kept = self.period[0] * (self.rotate[0] + 1)  # the live file and `rotate` old copies
        if self.maxage[0] is not None:
            kept = min(kept, self.maxage[0])
        return int(kept)


def _logrotate_blocks(host: Host) -> List[Tuple[List[str], _Rotation]]:
    """(log paths, rotation) of every block logrotate reads, starting at logrotate.conf and
    following `include` (a file, or a folder's files in order) where it stands: a block takes
    the global directives written before it, as logrotate applies them."""
    blocks: List[Tuple[List[str], _Rotation]] = []
    seen: Set[str] = set()
    globals_ = _Rotation()

    def parse(path: str) -> None:
        if path in seen or len(seen) >= MAX_LOGROTATE_FILES:
            return
        seen.add(path)
        pending: List[str] = []
        block: Optional[_Rotation] = None
        for number, line in numbered_lines(host.read(path)):
            where = "%s:%d" % (path, number)
            if block is not None:
                if line.startswith("}"):
                    blocks.append((pending, block))
                    pending, block = [], None
                elif not line.startswith(("postrotate", "prerotate", "endscript")):
                    block.apply(line.split(), where)
                continue
            words = line.split()
            if words[0] == "include" and len(words) > 1:
                target = words[1]
                if host.isdir(target):
                    for child in sorted(host.glob(target.rstrip("/") + "/*")):
                        if not child.endswith(LOGROTATE_TABOO) and not host.isdir(child):
                            parse(child)
                else:
                    parse(target)
            elif "{" in line:
                pending.extend(line.split("{", 1)[0].split())
                block = globals_.copy()
            elif line.startswith("/") or line.startswith('"'):
                pending.extend(words)
            else:
                globals_.apply(words, where)

    parse(LOGROTATE_CONF)
    return blocks


def _retention(host: Host) -> Facts:
    """Days the main syslog files stay on disk: logrotate's period x (rotate + 1), capped by
    maxage; the shortest over the blocks that rotate them, with the lines it rests on. Without
    logrotate blocks for them: journald's MaxRetentionSec, when written."""
    best: Optional[Tuple[int, _Rotation]] = None
    for paths, rotation in _logrotate_blocks(host):
        if any(SYSLOG_FILES.search(p) for p in paths):
            days = rotation.days()
            if best is None or days < best[0]:
                best = (days, rotation)
    if best is not None:
        days, rotation = best
        lines = [w for w in (rotation.rotate[1], rotation.period[1], rotation.maxage[1]) if w]
        out: Facts = {"retention_days": days}
        if lines:
            out["sources"] = {"retention_days": ", ".join(lines)}
        if rotation.rotate[1] is None or rotation.period[1] is None:
            out["defaults"] = ["retention_days"]  # logrotate's compiled-in rotate 0 or size
        return out
    journald = host.read("/etc/systemd/journald.conf") or ""
    for number, line in numbered_lines(journald):
        match = re.match(r"^MaxRetentionSec\s*=\s*(\d+)\s*(d|day|days)?$", line)
        if match:
            value = int(match.group(1)) if match.group(2) else int(match.group(1)) // 86400
            return {"retention_days": value,
                    "sources": {"retention_days": "/etc/systemd/journald.conf:%d" % number}}
    return {"retention_days": None}


def auditd(host: Host, procs: AbstractSet[str]) -> Facts:
    rules = 0
    for path in [*host.glob("/etc/audit/rules.d/*.rules"), "/etc/audit/audit.rules"]:
        rules += sum(1 for line in config_lines(host.read(path)) if line.startswith("-"))
    return {"running": "auditd" in procs, "rules": rules}


# the login shell's system-wide files: /etc/profile, and what it sources (. FILE, source FILE,
# a loop over /etc/profile.d/*.sh), in the order it sources them
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


def files(host: Host) -> Facts:
    out = {}
    for path, key in SENSITIVE_FILES.items():
        try:
            st = host.stat(path)
        except OSError:
            continue
        mode = stat.S_IMODE(st.st_mode)
        out[key] = {"path": path, "mode": "%04o" % mode, "uid": st.st_uid, "gid": st.st_gid,
                     "world_readable": bool(mode & stat.S_IROTH),
                     "world_writable": bool(mode & stat.S_IWOTH)}
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


def collect(host: Host) -> Facts:
    """Every fact, from `host` (the live host, or a saved tree in tests)."""
    # the package query is the one slow part (apt reads every package list): it runs in a
    # thread of its own while everything else is read
    pending: Dict[str, Any] = {}

    def query_packages() -> None:
        try:
            pending["updates"] = updates(host)
        except Exception as exc:  # raised again below, as if it had run in this thread
            pending["error"] = exc

    worker = threading.Thread(target=query_packages)
    worker.start()
    procs = processes(host)
    facts = {
        "os": os_release(host), "sshd": sshd(host), "login_defs": login_defs(host),
        "pwquality": pwquality(host), "lockout": lockout(host), "accounts": accounts(host),
        "services": services(host, procs), "firewall": firewall(host, procs),
        "time_sync": time_sync(host, procs), "logging": logging_facts(host, procs),
        "auditd": auditd(host, procs), "session": session_timeout(host), "files": files(host),
        "antimalware": antimalware(host, procs), "interfaces": interfaces(host),
    }
    worker.join()
    if "error" in pending:
        raise pending["error"]
    facts["updates"] = pending["updates"]
    # files that exist but could not be read (not a regular file, permission denied): what
    # the programs that own them make of them is what the facts above say
    facts["unreadable_files"] = [{"path": text(path, 300), "reason": reason}
                                 for path, reason in sorted(host.unreadable.items())]
    return facts


def main() -> None:
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    started = time.time()
    host = Host()
    facts = collect(host)
    module.exit_json(changed=False, egov_facts=facts, collector={
        "name": "egov_host_facts", "version": VERSION,
        "seconds": round(time.time() - started, 3), "as_root": host.euid == 0})


if __name__ == "__main__":
    main()

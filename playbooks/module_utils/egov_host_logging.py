# -*- coding: utf-8 -*-
"""Logging and audit facts (policies/host/logging.yml): forwarding, retention (logrotate),
auditd."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from typing import AbstractSet, List, Optional, Set, Tuple

from ansible.module_utils.egov_host_common import (
    Facts,
    Host,
    config_lines,
    integer,
    numbered_lines,
    text,
)


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
        elif name == "rotate" and len(words) > 1 and integer(words[1]) is not None:
            self.rotate = (max(int(words[1]), 0), where)
        elif name == "maxage" and len(words) > 1 and integer(words[1]) is not None:
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

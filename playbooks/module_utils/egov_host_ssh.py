# -*- coding: utf-8 -*-
"""SSH facts (policies/host/ssh.yml): sshd's effective settings, per Match context, and where
each one is written."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re
from typing import Dict, Iterator, List, Optional, Tuple

from ansible.module_utils.egov_host_common import (
    Facts,
    Host,
    text,
)

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
        key, _sep, value = line.partition(" ")
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

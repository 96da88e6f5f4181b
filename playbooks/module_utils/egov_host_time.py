# -*- coding: utf-8 -*-
"""Time synchronisation facts (policies/host/time.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import AbstractSet

from ansible.module_utils.egov_host_common import (
    Facts,
    Host,
    config_lines,
    text,
)

TIME_DAEMONS = ("chronyd", "systemd-timesyncd", "ntpd", "ntpsec", "openntpd")


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
            key, _sep, value = line.partition("=")
            if key.strip() in ("NTP", "FallbackNTP"):
                servers.extend(text(v, 255) for v in value.split())
    return {"active": bool(running), "daemons": running, "servers": sorted(set(servers))[:64]}

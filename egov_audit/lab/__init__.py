"""A lab of real hosts on one machine: several sshd hosts on loopback addresses, each in its own
mount, UTS, IPC and PID namespaces with a copy-on-write view of the machine's filesystem, each
configured by a profile as a realistic agency server (hardened, typical, weak, ...) or as a
fault (a host that hangs, drops the connection, has no Python, ...). Root only.

The hosts share the machine's kernel and network stack: they are not a security boundary, and
what a profile cannot fake without touching the machine (a running chronyd, firewall rules) is
represented by a process or a file of that host only.
"""

from .hosts import (
    DEFAULT_STATE,
    FACILITY,
    FAULTS,
    FIREWALLS,
    LOOSE_RULES,
    NETWORK,
    NETWORK_LINKS,
    SERVERS,
    SNMP_SECRETS,
    SNMP_USER,
    STRICT_RULES,
    LabHost,
    LabLink,
)
from .lifecycle import (
    CUT_RUNNER,
    Lab,
    control_dir,
    direct_inventory,
    down,
    up,
)

__all__ = [
    "CUT_RUNNER",
    "DEFAULT_STATE",
    "FACILITY",
    "FAULTS",
    "FIREWALLS",
    "LOOSE_RULES",
    "NETWORK",
    "NETWORK_LINKS",
    "SERVERS",
    "SNMP_SECRETS",
    "SNMP_USER",
    "STRICT_RULES",
    "Lab",
    "LabHost",
    "LabLink",
    "control_dir",
    "direct_inventory",
    "down",
    "up",
]

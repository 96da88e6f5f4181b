# -*- coding: utf-8 -*-
"""Account facts (policies/host/accounts.yml): derived counts and names, never a hash."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible.module_utils.egov_host_common import (
    MAX_ITEMS,
    SYSTEM_UID_MAX,
    Facts,
    Host,
    Settings,
    integer,
)

DEFAULT_ACCOUNTS = ("admin", "administrator", "guest", "test", "user", "oracle", "postgres",
                    "ubuntu", "pi", "demo")


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
            days = integer(value.strip())
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
    uid0 = sorted(name for name, uid, _shell in users if uid == 0 and name != "root")
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
    defaults = sorted(name for name, _uid in interactive if name in DEFAULT_ACCOUNTS
                      and state.get(name) == "password")
    human = sorted(name for name, uid in interactive if uid > SYSTEM_UID_MAX)
    facts: Facts = {"shadow_readable": shadow_readable, "extra_uid0": uid0[:MAX_ITEMS],
                    "empty_password": empty[:MAX_ITEMS], "default_active": defaults[:MAX_ITEMS],
                    "interactive_users": len(human), "interactive_names": human[:MAX_ITEMS]}
    facts.update(_inactive_days(host))
    return facts

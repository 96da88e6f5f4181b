# -*- coding: utf-8 -*-
"""Account lockout facts (policies/host/lockout.yml): pam_faillock and pam_tally2."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible.module_utils.egov_host_common import (
    Facts,
    Host,
    Settings,
    integer,
    numbered_lines,
    pam_lines,
)

FAILLOCK_CONF = "/etc/security/faillock.conf"
LOCKOUT_KEYS = ("deny", "unlock_time", "fail_interval")
# compiled-in defaults: faillock.conf(5); pam_tally2 locks nobody unless deny is given
LOCKOUT_DEFAULTS = {"pam_faillock.so": {"deny": 3, "unlock_time": 600, "fail_interval": 900},
                    "pam_tally2.so": {"deny": 0}, "pam_tally.so": {"deny": 0}}


def lockout(host: Host) -> Facts:
    """Account lockout as the PAM stack enforces it. pam_faillock reads faillock.conf (or the
    file its conf= argument names), then its own arguments, which win; later rules' arguments
    replace earlier ones. Without a lockout module nothing reads faillock.conf."""
    rules = [rule for rule in pam_lines(host) if rule[1] in LOCKOUT_DEFAULTS]
    module = rules[0][1] if rules else None
    settings = Settings()
    if module == "pam_faillock.so" or module is None:
        confs = [a.split("=", 1)[1] for _kind, name, args in rules if name == module
                 for a in args if a.startswith("conf=")]
        conf = confs[-1] if confs else FAILLOCK_CONF
        for number, line in numbered_lines(host.read(conf)):
            key, _sep, value = line.partition("=")
            if key.strip() in LOCKOUT_KEYS and integer(value.strip()) is not None:
                settings.read(key.strip(), integer(value.strip()), "%s:%d" % (conf, number))
    for where, name, args in rules:
        if name != module:
            continue
        for arg in args:
            key, _sep, value = arg.partition("=")
            if key in LOCKOUT_KEYS and integer(value) is not None:
                settings.read(key, integer(value), where)
    if module is None:
        for key in list(settings.values):
            settings.lose(key, "no PAM stack loads pam_faillock: nothing enforces it")
    out = settings.facts(LOCKOUT_DEFAULTS[module] if module else None)
    out["configured"] = module is not None and out.get("deny", 0) > 0
    if module:
        out["module"] = module.split(".")[0]
    return out

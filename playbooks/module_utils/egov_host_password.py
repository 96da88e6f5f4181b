# -*- coding: utf-8 -*-
"""Password policy facts (policies/host/password.yml): login.defs, PAM's quality and history
rules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, List, Optional, Tuple

from ansible.module_utils.egov_host_common import (
    Facts,
    Host,
    Settings,
    integer,
    numbered_lines,
    pam_lines,
    text,
)

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
        number_value = integer(settings.values[key])
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
    number = integer(value.strip())
    return number if number is not None else text(value.strip(), 100)


def pwquality(host: Host) -> Facts:
    """Password quality as the PAM stack enforces it. libpwquality reads
    pwquality.conf.d/*.conf in order, then pwquality.conf; the arguments on the pam_pwquality
    line come last and win. pam_cracklib reads no file. Without a quality module in any PAM
    stack nothing enforces what the files say: their values are kept as lines that lost."""
    rules = pam_lines(host)
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
        given = [integer(a.split("=", 1)[1]) for a in args if a.startswith("remember=")]
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

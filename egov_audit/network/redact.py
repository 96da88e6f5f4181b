"""Secrets never leave a device configuration: every line that carries one (passwords, password
hashes, SNMP communities and v3 keys, pre-shared keys, routing-protocol keys, certificates) has
the secret replaced by `<redacted>` before anything parses the text. What stays is what the
controls need: that a secret is there and, for passwords, which kind of hashing protects it
(the type digit of Cisco-like syntax)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

REDACTED = "<redacted>"

# (pattern, replacement): group 1 is kept, the secret after it goes. Cisco IOS/IOS-XE, ASA and
# FRRouting share these forms.
_CISCO_LIKE: Sequence[tuple[re.Pattern[str], str]] = [
    # username x secret 9 $9$..., enable secret 5 ..., password 7 0822..., line password x
    (re.compile(r"^(.*?\b(?:secret|password)(?: [0-9]{1,2})?) \S.*$"), r"\1 " + REDACTED),
    (re.compile(r"^(\s*snmp-server community) \S+(.*)$"), r"\1 " + REDACTED + r"\2"),
    (re.compile(r"^(\s*snmp-server user \S+ \S+ v3(?: encrypted)? auth \S+) \S+"
                r"(?:( priv(?: \S+){1,2}) \S+)?(.*)$"), r"\1 " + REDACTED + r"\2 " + REDACTED
     + r"\3"),
    (re.compile(r"^(\s*snmp-server host \S+(?: version \S+(?: \S+)?)?) \S+(.*)$"),
     r"\1 " + REDACTED + r"\2"),
    (re.compile(r"^(.*?\b(?:key-string|authentication-key|pre-shared-key(?: local| remote)?|"
                r"key)(?: [0-9]{1,2})?(?: md5)?) (?!chain\b)\S.*$"), r"\1 " + REDACTED),
    (re.compile(r"^(\s*crypto isakmp key) \S+(.*)$"), r"\1 " + REDACTED + r"\2"),
]
# Cisco ASA writes the hashing after the value (`username x password <hash> pbkdf2 privilege
# 15`), and its SNMP hosts name an interface first: its own forms come before the shared ones
_ASA: Sequence[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\s*(?:enable password|username \S+ password|passwd)) \S+"
                r"((?: (?:pbkdf2|encrypted|nt-encrypted))?.*)$"), r"\1 " + REDACTED + r"\2"),
    (re.compile(r"^(\s*snmp-server host \S+ \S+(?: poll| trap)?) community \S+(.*)$"),
     r"\1 community " + REDACTED + r"\2"),
]
# only lines with one of these words can hold a secret: the others skip the patterns (most of
# a configuration; 6x faster on a 2,000-line router)
_MAY_HOLD = re.compile(r"secret|password|passwd|snmp-server|key|certificate")
# a key chain's `key 1` names a key, it holds none
_KEY_ID = re.compile(r"^\s*key \d+\s*$")
# a certificate's hex lines, from `certificate ...` to `quit` (one secret)
_CERT_START = re.compile(r"^\s*certificate\b")
_CERT_END = re.compile(r"^\s*quit\s*$")


@dataclass(frozen=True)
class Redacted:
    lines: tuple[str, ...]
    count: int  # how many lines had a secret removed (a certificate counts once)


def redact_cisco_like(lines: Sequence[str], asa: bool = False) -> Redacted:
    rules = [*_ASA, *_CISCO_LIKE] if asa else _CISCO_LIKE
    out: list[str] = []
    count = 0
    in_certificate = False
    for line in lines:
        if in_certificate:
            if _CERT_END.match(line):
                in_certificate = False
                out.append(line)
            else:
                out.append(" " + REDACTED)
            continue
        if _CERT_START.match(line):
            in_certificate = True
            out.append(line.split("certificate", 1)[0] + "certificate " + REDACTED)
            count += 1
            continue
        if not _MAY_HOLD.search(line) or _KEY_ID.match(line):
            out.append(line)
            continue
        for pattern, replacement in rules:
            new = pattern.sub(replacement, line)
            if new != line:
                line = new
                count += 1
                break
        out.append(line)
    return Redacted(tuple(out), count)

"""The text forms of mail's DNS records and files, read the same way by the probe and by the
controls: tag=value lists (DKIM, DMARC, MTA-STS's TXT record) and MTA-STS policy files. No
DNS library here: the controls load this at every start."""

from __future__ import annotations

from typing import Any

# RFC 5737 TEST-NET-1: an address no domain authorises to send its mail; an SPF record
# evaluated for it gives what the domain says of every sender it does not list
UNLISTED_SENDER = "192.0.2.1"


def tags(record: str) -> dict[str, str]:
    """A tag=value list (RFC 6376 §3.2; DMARC and MTA-STS use the same form): names in lower
    case, white space around values dropped (inside p=, all of it); a repeated tag keeps its
    first value."""
    out: dict[str, str] = {}
    for part in record.split(";"):
        name, equals, value = part.partition("=")
        name = name.strip().lower()
        if equals and name and name not in out:
            out[name] = "".join(value.split()) if name == "p" else value.strip()
    return out


def sts_policy(text: str) -> dict[str, Any]:
    """An MTA-STS policy file (RFC 8461 §3.2): its keys, mx as a list; of any other key
    repeated, the first applies."""
    found: dict[str, Any] = {"mx": []}
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not colon:
            continue
        if key == "mx":
            found["mx"].append(value.lower())
        elif key not in found:
            found[key] = value
    return found

"""Device configurations (backups an agency keeps, or a running configuration collected live)
to the normalised network facts: one adapter per vendor family, each a TTP template (the text
parser made for network configurations: MIT, no dependency; compared with hier_config and
ciscoconfparse2 in the commit that chose it) plus a little normalisation. Secrets are removed
(redact.py) before the template sees the text. Every fact keeps the line it came from, so a
gap can name `file:line`.

Vendors (vendors.py lists them, each its own module): Cisco IOS/IOS-XE, FRRouting and Cisco
ASA (cisco.py: one syntax family; ASA adds interface names and security levels, access groups
bound by name, management access lines), FortiOS (fortios.py: zones, policies, per-interface
management access), Juniper Junos (junos.py: brace or set format) and nftables (nftables.py)."""

from __future__ import annotations

import hashlib
from typing import Any

from ..errors import Message, UsageError
from . import vendors

NETWORK_FACT_BUNDLE = "egov-audit/network-fact-bundle@1"
MAX_LINES = 200_000

def detect_vendor(text: str) -> str | None:
    head = text[:20000]
    for vendor in vendors.VENDORS:
        if vendor.signature.search(head):
            return vendor.name
    return None


def parse_config(text: str, display: str, interfaces: str = "") -> dict[str, Any]:
    """The normalised facts of one configuration, with its vendor and how many secrets were
    removed. Unknown or not yet supported vendors are a clear error, never a guess."""
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise UsageError(Message("more than {limit:,} lines: refused", limit=MAX_LINES),
                         file=display)
    vendor = detect_vendor(text)
    if vendor is None:
        raise UsageError(Message("cannot tell which vendor's configuration this is"),
                         file=display)
    try:
        redacted, facts = vendors.VENDORS_BY_NAME[vendor].parse(lines, interfaces)
    except UsageError as exc:
        if exc.file is None:  # a vendor parser knows the line, not the file
            raise UsageError(exc.message, file=display, line=exc.line) from None
        raise
    return {"vendor": vendor, "redacted": redacted.count, "lines": len(lines), "facts": facts}


def network_fact_bundle(device: str, raw: bytes, display: str, collected_at: str,
                        kind: str = "backup", interfaces: str = "") -> dict[str, Any]:
    """One device's network fact bundle (`egov-audit schema network-fact-bundle`), from the
    bytes of its configuration: the digest is of the file as read, everything else comes from
    the text after its secrets were removed."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(Message("not valid UTF-8 (byte {start})", start=exc.start),
                         file=display) from None
    parsed = parse_config(text, display, interfaces)
    return {"schema": NETWORK_FACT_BUNDLE, "device": device, "status": "collected",
            "collected_at": collected_at,
            "source": {"kind": kind, "file": display, "sha256": hashlib.sha256(raw).hexdigest(),
                       "lines": parsed["lines"]},
            "vendor": parsed["vendor"], "redacted": parsed["redacted"], "facts": parsed["facts"]}


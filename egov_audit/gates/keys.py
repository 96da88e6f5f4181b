"""What private key material looks like, in the formats agencies hold it: PEM (PKCS#1, PKCS#8,
SEC1, OpenSSH, encrypted), PuTTY, JWK, and the bodies of OpenSSH and Ed25519 PKCS#8 keys (the
agencies' signing keys) even without their header lines. One detector, used where key material
must never go: into a packed bundle (`inputs.pack`), or under a file the tool replaces
(`gates/fileout.py`).

YAML can split or escape a header (`>-` folds `PRIVATE` and `KEY` onto one line with a space,
`"\\x20"` is a space): the detector reads any run of white space as one, and callers check the
decoded values of a YAML file as well as its text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_KEY_MATERIAL = re.compile(
    r"-----\s*BEGIN\s+(?:[A-Z0-9]+\s+)*PRIVATE\s+KEY(?:\s+BLOCK)?\s*-----"
    r"|PuTTY-User-Key-File-"
    r"|\"d\"\s*:\s*\"[A-Za-z0-9_-]{20,}\""  # a JWK's private exponent or scalar
    r"|b3BlbnNzaC1rZXktdjE"  # base64 of "openssh-key-v1\0": an OpenSSH private key body
    r"|MC4CAQAwBQYDK2VwBCIEI",  # base64 of the Ed25519 PKCS#8 prefix: a signing key's body
    re.IGNORECASE)
# what is read of an existing file before it is replaced: key files are small (a signing key
# is about 120 bytes, sign.py reads at most 64 KB), a combined PEM a few KB
SNIFF_BYTES = 1024 * 1024


def holds_private_key(text: str) -> bool:
    """Whether the text contains anything that looks like private key material."""
    return _KEY_MATERIAL.search(text) is not None


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a decoded document (keys and values), without recursion limits of its
    own: the YAML reader has bounded the nesting already."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for key, inner in item.items():
                stack.append(key)
                stack.append(inner)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def document_holds_private_key(text: str, decoded: Any) -> bool:
    """The text of a file, and every string of what it decodes to."""
    return holds_private_key(text) or any(holds_private_key(s) for s in strings_in(decoded))

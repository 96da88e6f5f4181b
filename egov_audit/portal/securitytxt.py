"""A portal's security.txt (RFC 9116) as Internet.nl reads it: the file's text is parsed by
sectxt, the validator Internet.nl itself runs (DigitalTrustCenter), so an error here carries the
code Internet.nl reports; what the probe saw over HTTP (where, which status, which media type,
over which TLS) is judged here the way sectxt judges it when it fetches.

The body comes from a server the agency controls: at most MAX_BYTES are read, and only codes,
line numbers and the clipped Contact and Expires values go into the evidence; never the text."""

from __future__ import annotations

from email.message import Message
from typing import Any

from .certificates import clip

PATH = "/.well-known/security.txt"
MAX_BYTES = 32 * 1024  # RFC 9116 sets no bound; real files are under 2 KiB
MAX_CODES = 32
MAX_CONTACTS = 10


def media_errors(content_type: str | None) -> list[dict[str, Any]]:
    """RFC 9116 §3: served as text/plain, whose charset (if named) is utf-8."""
    if content_type is None:
        return [{"code": "no_content_type", "line": None}]
    header = Message()
    header["content-type"] = content_type
    errors = []
    if header.get_content_type() != "text/plain":
        errors.append({"code": "invalid_media", "line": None})
    charset = str(header.get_param("charset", "utf-8")).lower()
    if charset not in ("utf-8", "csutf8"):
        errors.append({"code": "invalid_charset", "line": None})
    return errors


def facts_of(body: bytes, content_type: str | None, url: str, verified: bool) -> dict[str, Any]:
    """The evidence of a security.txt the probe fetched over https (status 200): sectxt's
    errors and recommendations by code and line, the Contact values and the Expires value.
    Whether Expires has passed is judged against the evidence's own time by the check, not
    against the probe's clock: sectxt's "expired" is left out."""
    # sectxt, with its PGP and language-tag libraries: only when a portal serves the file
    from sectxt import Parser

    parsed = Parser(body, urls=url)
    errors: list[dict[str, Any]] = [] if verified else [{"code": "invalid_cert", "line": None}]
    errors += media_errors(content_type)
    errors += [{"code": _code(e["code"]), "line": _line(e["line"])} for e in parsed.errors
               if e["code"] != "expired"]
    fields = [(line["field_name"], str(line["value"])) for line in parsed.lines
              if line["type"] == "field"]  # names in lower case
    out: dict[str, Any] = {
        "errors": errors[:MAX_CODES],
        "recommendations": sorted({_code(r["code"]) for r in parsed.recommendations})[:MAX_CODES],
        "contact": [clip(v, 255) for k, v in fields if k == "contact"][:MAX_CONTACTS],
        "signed": any(line["type"] == "pgp_envelope" for line in parsed.lines)}
    expires = [v for k, v in fields if k == "expires"]
    if expires:
        out["expires"] = clip(expires[0], 64)
    return out


def _code(code: str) -> str:
    # a code is shown to officials and kept in evidence: the form the schema allows
    return code if code.isascii() and code.replace("_", "").isalnum() and len(code) <= 40 \
        else "unknown"


def _line(line: object) -> int | None:
    return line if isinstance(line, int) and 0 < line < 1_000_000 else None

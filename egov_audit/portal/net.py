"""TCP connections of the probe and how their failures are told: shared by the portals' https
and the mail exchangers' SMTP."""

from __future__ import annotations

import http.client
import socket
import ssl

from .. import __version__
from .certificates import clip

USER_AGENT = f"egov-audit/{__version__} (compliance probe of declared public portals)"


def connect(address: str, port: int, timeout: float) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def failure(exc: BaseException) -> tuple[str, str]:
    """A connection's failure as (status, reason)."""
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timeout", "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "refused", "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "reset", "connection reset by the server"
    if isinstance(exc, ssl.SSLError):
        return "tls_error", f"TLS: {clip(exc.reason or exc, 200)}"
    if isinstance(exc, http.client.HTTPException):
        return "http_error", f"HTTP: {clip(type(exc).__name__)} {clip(exc, 150)}"
    if isinstance(exc, OSError):
        return "unreachable", clip(exc.strerror or exc, 200)
    return "error", clip(exc, 200)

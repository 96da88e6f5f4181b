"""`egov-audit submit URL BUNDLE`: an agency sends its signed bundle to the national service.
The standard library's HTTP client only (an agency's install stays light): TLS verified against
the system's CAs or a given CA file, plain HTTP only to this machine (a reverse proxy or a
tunnel on loopback), the file streamed (never held whole), and a refused connection, a
timeout or a 503 retried with growing waits (the server's Retry-After honoured). A 201 means
the national store committed it."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import EgovAuditError, Message, UsageError
from .gates.jsonin import StrictJsonError, loads

PATH = "/api/v1/bundles"
MAX_ANSWER = 64 * 1024


class SubmitError(EgovAuditError):
    """The bundle could not be delivered (after every retry)."""


@dataclass(frozen=True)
class Answer:
    status: int
    outcome: str  # stored | duplicate | stale | refused | too_large | unavailable
    reason: dict[str, str]  # vi, en
    agency: str | None = None
    finished_at: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status in (200, 201)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _connection(url: str, ca_file: Path | None, timeout: float
                ) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UsageError(Message("not an https:// URL: {url}", url=url[:200]))
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise UsageError(Message("plain http:// only to this machine (127.0.0.1, ::1, "
                                 "localhost): use https:// for {host}", host=parts.hostname))
    base = parts.path.rstrip("/")
    path = base if base.endswith(PATH) else base + PATH
    if parts.scheme == "http":
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout), path
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                       context=context), path


def _answer(status: int, body: bytes) -> Answer:
    try:
        data: Any = loads(body) if body else {}
    except StrictJsonError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    reason = data.get("reason") if isinstance(data.get("reason"), dict) else {}
    reason = {k: str(reason.get(k, ""))[:2000] for k in ("vi", "en")}
    outcome = str(data.get("outcome") or f"http {status}")[:40]
    agency, finished = data.get("agency"), data.get("finished_at")
    return Answer(status, outcome, reason, str(agency)[:80] if agency else None,
                  str(finished)[:64] if finished else None)


def submit(url: str, bundle: Path, *, ca_file: Path | None = None, retries: int = 5,
           timeout: float = 120.0, wait: Callable[[float], None] = time.sleep,
           said: Callable[[str], None] = lambda _: None) -> Answer:
    """Send `bundle`; the service's answer (accepted or refused), or SubmitError when it
    could not be delivered after `retries` more tries."""
    try:
        size = bundle.stat().st_size
    except OSError as exc:
        raise UsageError(Message("cannot read: {value}", value=exc.strerror or exc),
                         file=str(bundle)) from None
    delay = 1.0
    for attempt in range(retries + 1):
        connection, path = _connection(url, ca_file, timeout)
        try:
            with bundle.open("rb") as body:
                # the service may answer before it has read everything (too large): its
                # answer is then waiting to be read; if not, reading it fails
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    connection.request("POST", path, body=body, headers={
                        "Content-Type": "application/octet-stream",
                        "Content-Length": str(size), "Accept": "application/json",
                        "User-Agent": "egov-audit-submit"})
                response = connection.getresponse()
                answer = _answer(response.status, response.read(MAX_ANSWER))
                retry_after = response.getheader("Retry-After") or ""
        except ssl.SSLError as exc:  # a certificate that does not verify is never retried
            raise SubmitError(Message("TLS: {exc}", exc=str(exc)[:300])) from None
        except (OSError, http.client.HTTPException) as exc:
            problem = Message("cannot reach {url}: {exc}", url=url[:200], exc=str(exc)[:300]
                              or type(exc).__name__)
            if attempt == retries:
                raise SubmitError(problem) from None
            said(problem)
        else:
            if answer.status != 503 and answer.status < 500:
                return answer
            if attempt == retries:
                return answer
            said(Message("the service answered {status}: trying again", status=answer.status))
            if retry_after.isdigit():
                delay = max(delay, min(float(retry_after), 300.0))
        finally:
            connection.close()
        wait(delay)
        delay = min(delay * 2, 60.0)
    raise AssertionError("unreachable: the last attempt returns or raises")


"""Who is asking, and whether they may: the one place every route passes (like the trust gates
for files). Accounts have one role: admin (keys, accounts), inspector (everything, read-only)
or agency (its own agency only). A session is a signed cookie (HttpOnly, Secure, SameSite=Strict)
naming the account and its epoch (raised when the account is disabled or its password changes,
so every cookie of it dies); every form carries a CSRF token bound to the session's nonce;
failed logins are counted in the store, so every instance enforces one rate limit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, wraps
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..errors import Message
from ..store import Store
from ..store.service import Account, RecordError
from .db import StorePool

SESSION_COOKIE = "egov_session"
LANG_COOKIE = "egov_lang"
SESSION_AGE = 8 * 3600  # seconds: a working day
# the rate limit of logins: failures within the window, per account and per address
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_FAILURES_PER_ACCOUNT = 5
LOGIN_FAILURES_PER_ADDRESS = 30

# who may call a route: a role, or PUBLIC (the login page, the intake API whose signature is
# its authentication, the OpenAPI description, static files)
PUBLIC = "public"
ADMIN, INSPECTOR, AGENCY = "admin", "inspector", "agency"

Endpoint = Callable[[Request, "Visitor"], Awaitable[Response]]
Route = Callable[[Request], Awaitable[Response]]


def password_hasher() -> Any:
    # argon2-cffi: the service's extra only
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(password_hasher().hash(password))


MIN_PASSWORD = 12


def check_account_name(name: str) -> str:
    if not (0 < len(name) <= 64) or not all(c.isalnum() or c in "._-@" for c in name):
        raise RecordError(Message("an account name is 1 to 64 letters, digits, '.', '_', '-' "
                                  "or '@'"))
    return name


def check_password_text(password: object) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= 1024:
        raise RecordError(Message("a password has at least {n} characters", n=MIN_PASSWORD))
    return password


@cache
def _decoy() -> str:
    """A hash verified against when the account does not exist: the answer takes as long
    either way (no account names learned from timing)."""
    return hash_password(secrets.token_urlsafe(16))


def check_password(account: Account | None, password: str) -> bool:
    # argon2-cffi: the service's extra only
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        password_hasher().verify(account.password_hash if account else _decoy(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return account is not None and not account.disabled


@dataclass(frozen=True)
class Visitor:
    """Who made a request: an account (or nobody), the session nonce its CSRF token is bound
    to, and the language of its pages."""

    account: Account | None
    nonce: str
    lang: str
    csrf: str
    fresh: bool  # the session cookie is new (set on the response)

    @property
    def role(self) -> str | None:
        return self.account.role if self.account else None

    def sees(self, agency: str) -> bool:
        """Whether this visitor may see an agency's data."""
        if self.account is None:
            return False
        return self.account.role in (ADMIN, INSPECTOR) or self.account.agency == agency


class Sessions:
    """Signs and reads session cookies with the store's shared secret."""

    def __init__(self, pool: StorePool, secure: bool = True) -> None:
        self.pool = pool
        self.secure = secure
        self._secret: str | None = None

    def secret(self, store: Store) -> str:
        if self._secret is None:
            self._secret = store.service_secret()
        return self._secret

    def _serializer(self, store: Store) -> Any:
        # itsdangerous: the service's extra only
        from itsdangerous import URLSafeTimedSerializer

        return URLSafeTimedSerializer(self.secret(store), salt="egov-audit-session")

    def visitor(self, store: Store, cookie: str | None, lang: str) -> Visitor:
        # itsdangerous: the service's extra only
        from itsdangerous import BadData

        data: Any = None
        if cookie:
            try:
                data = self._serializer(store).loads(cookie, max_age=SESSION_AGE)
            except BadData:
                data = None
        if not isinstance(data, dict) or not isinstance(data.get("n"), str):
            return self._visitor(store, None, secrets.token_urlsafe(18), lang, fresh=True)
        account = store.account(str(data.get("a", ""))) if data.get("a") else None
        if account is not None and (account.disabled or account.epoch != data.get("e")):
            account = None  # disabled, or its password changed since: the session is over
        return self._visitor(store, account, data["n"], lang, fresh=False)

    def _visitor(self, store: Store, account: Account | None, nonce: str, lang: str,
                 fresh: bool) -> Visitor:
        token = hmac.new(self.secret(store).encode(), b"csrf:" + nonce.encode(),
                         hashlib.sha256).hexdigest()
        return Visitor(account, nonce, lang, token, fresh)

    def cookie(self, store: Store, account: Account | None, nonce: str) -> str:
        return str(self._serializer(store).dumps(
            {"a": account.name if account else "", "e": account.epoch if account else 0,
             "n": nonce}))

    def set_cookie(self, response: Response, value: str) -> None:
        response.set_cookie(SESSION_COOKIE, value, max_age=SESSION_AGE, httponly=True,
                            secure=self.secure, samesite="strict", path="/")

    def begin(self, store: Store, response: Response, account: Account | None) -> Visitor:
        """A new session (a login or a logout: a new nonce, so a token seen before is void)."""
        nonce = secrets.token_urlsafe(18)
        self.set_cookie(response, self.cookie(store, account, nonce))
        return self._visitor(store, account, nonce, "vi", fresh=False)


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in ("vi", "en") else "vi"


class Refused(Exception):
    """A request the visitor may not make: 401 (log in), 403 (not yours) or 400 (CSRF)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def guard(*roles: str, agency_param: str | None = None, form: bool = False
          ) -> Callable[[Endpoint], Route]:
    """A route's gate: which roles may call it (PUBLIC: anyone), whether an agency account
    sees it only for its own agency (the path parameter `agency_param`), and whether it is a
    form (its CSRF token is checked). The roles are kept on the route for the test that walks
    every route for every role."""
    def wrap(endpoint: Endpoint) -> Route:
        @wraps(endpoint)
        async def route(request: Request) -> Response:
            service = request.app.state.service
            visitor = await run_in_threadpool(
                service.pool.run, lambda store: service.sessions.visitor(
                    store, request.cookies.get(SESSION_COOKIE), language(request)))
            if PUBLIC not in roles:
                if visitor.account is None:
                    raise Refused(401, "login")
                if visitor.role not in roles:
                    raise Refused(403, "role")
                if agency_param is not None and not visitor.sees(
                        str(request.path_params.get(agency_param, ""))):
                    raise Refused(403, "agency")
            if form:
                sent = (await request.form()).get("csrf")
                # as bytes: compare_digest refuses text that is not ASCII (a 500, not a 400)
                if not isinstance(sent, str) or not hmac.compare_digest(
                        sent.encode("utf-8", "replace"), visitor.csrf.encode("ascii")):
                    raise Refused(400, "csrf")
            response = await endpoint(request, visitor)
            # a new visitor gets its session (its forms' CSRF token is bound to it); an API
            # caller authenticated by its bundle's signature needs none
            if visitor.fresh and not request.url.path.startswith("/api/") and \
                    SESSION_COOKIE not in response.headers.get("set-cookie", ""):
                cookie = await run_in_threadpool(
                    service.pool.run,
                    lambda store: service.sessions.cookie(store, None, visitor.nonce))
                service.sessions.set_cookie(response, cookie)
            if request.query_params.get("lang") in ("vi", "en"):
                response.set_cookie(LANG_COOKIE, visitor.lang, max_age=365 * 86400,
                                    httponly=True, secure=service.sessions.secure,
                                    samesite="strict", path="/")
            return response

        route.__roles__ = roles  # type: ignore[attr-defined]
        route.__agency_param__ = agency_param  # type: ignore[attr-defined]
        route.__form__ = form  # type: ignore[attr-defined]
        return route
    return wrap

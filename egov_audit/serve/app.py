"""The national service's application factory: its settings, the store it shares with every
other instance, the headers every answer carries (a strict Content-Security-Policy: nothing
but our own stylesheet), how refusals and an unreachable store are answered, and its routes,
each behind auth.guard."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..store import Store, StoreError
from . import admin, agency, control, intake, nation
from .auth import (
    ADMIN,
    AGENCY,
    INSPECTOR,
    LOGIN_FAILURES_PER_ACCOUNT,
    LOGIN_FAILURES_PER_ADDRESS,
    LOGIN_WINDOW,
    PUBLIC,
    Refused,
    Sessions,
    Visitor,
    check_password,
    guard,
    language,
)
from .db import StorePool, Unavailable
from .labels import word
from .pages import page

T = TypeVar("T")

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
RETRY_AFTER = "5"  # seconds: a PostgreSQL restart takes about that


@dataclass(frozen=True)
class Settings:
    db: str
    max_bundle_bytes: int = 256 * 1024 * 1024
    spool: str = field(default_factory=tempfile.gettempdir)  # where uploads are spooled
    secure_cookies: bool = True
    connections: int = 8  # open store connections per instance


class Service:
    """What the routes share: settings, the store's connections, sessions."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = StorePool(settings.db, settings.connections)
        self.sessions = Sessions(self.pool, settings.secure_cookies)

    async def read(self, work: Callable[[Store], T]) -> T:
        """Run `work` with a store, in a thread (the drivers are synchronous)."""
        return await run_in_threadpool(self.pool.run, work)

    async def work(self, job: Callable[..., T], *args: Any) -> T:
        """CPU work (rendering a report) off the event loop."""
        return await run_in_threadpool(job, *args)

    @staticmethod
    def unavailable(exc: BaseException) -> bool:
        return isinstance(exc, StoreError)


class SecurityHeaders:
    """Every answer: the strict CSP (unless a route set its own, the stored reports'), no
    sniffing, no framing, no referrer, nothing cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = {b"content-security-policy": CSP.encode(),
                         b"x-content-type-options": b"nosniff", b"x-frame-options": b"DENY",
                         b"referrer-policy": b"no-referrer",
                         b"cache-control": b"no-store",
                         b"cross-origin-opener-policy": b"same-origin"}
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def _api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    lang = language(request)
    if _api(request):
        return JSONResponse({"outcome": "refused", "reason": exc.reason},
                            status_code=exc.status)
    if exc.status == 401:
        return RedirectResponse("/login", status_code=303)
    text = word("refused.csrf" if exc.reason == "csrf" else "refused.role", lang)
    return PlainTextResponse(text, status_code=exc.status)


async def unreachable(request: Request, exc: Exception) -> Response:
    headers = {"Retry-After": RETRY_AFTER}
    if _api(request):
        return JSONResponse({"outcome": "unavailable", "reason": {
            "vi": word("unavailable", "vi"), "en": word("unavailable", "en")}},
            status_code=503, headers=headers)
    return PlainTextResponse(word("unavailable", language(request)), status_code=503,
                             headers=headers)


async def not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if _api(request):
        return JSONResponse({"outcome": "not_found" if status == 404 else "error"},
                            status_code=status)
    return PlainTextResponse(word("not_found", language(request)) if status == 404 else
                             str(status), status_code=status)


# -- the few routes of the application itself ---------------------------------------------------
@guard(PUBLIC)
async def home(request: Request, visitor: Visitor) -> Response:
    if visitor.account is None:
        return RedirectResponse("/login", status_code=303)
    if visitor.account.role == AGENCY:
        return RedirectResponse(f"/agency/{visitor.account.agency}", status_code=303)
    return RedirectResponse("/nation", status_code=303)


@guard(PUBLIC)
async def login_page(request: Request, visitor: Visitor) -> Response:
    return page(request, visitor, "login.html.j2", {"error": None})


@guard(PUBLIC, form=True)
async def login(request: Request, visitor: Visitor) -> Response:
    service: Service = request.app.state.service
    form = await request.form()
    name = str(form.get("account") or "")[:64]
    password = str(form.get("password") or "")[:1024]
    address = request.client.host if request.client else "-"

    def attempt(store: Store) -> tuple[str, Any]:
        by_account, by_address = store.login_failures(name, address, LOGIN_WINDOW)
        if by_account >= LOGIN_FAILURES_PER_ACCOUNT or by_address >= LOGIN_FAILURES_PER_ADDRESS:
            store.log_event(name or "-", "login.throttled", name, address)
            return "throttled", None
        account = store.account(name)
        if not check_password(account, password):
            store.login_failed(name, address)
            return "failed", None
        store.log_event(name, "login", name, address)
        return "ok", account

    outcome, account = await service.read(attempt)
    if outcome != "ok":
        status = 429 if outcome == "throttled" else 401
        return page(request, visitor, "login.html.j2",
                    {"error": word(f"login.{outcome}", visitor.lang)}, status)
    response = RedirectResponse("/", status_code=303)
    await service.read(lambda store: service.sessions.begin(store, response, account))
    return response


@guard(ADMIN, INSPECTOR, AGENCY, form=True)
async def logout(request: Request, visitor: Visitor) -> Response:
    service: Service = request.app.state.service
    response = RedirectResponse("/login", status_code=303)
    await service.read(lambda store: service.sessions.begin(store, response, None))
    return response


@guard(PUBLIC)
async def stylesheet(request: Request, visitor: Visitor) -> Response:
    css = files("egov_audit.serve").joinpath("static/app.css").read_text("utf-8")
    return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@guard(PUBLIC)
async def openapi(request: Request, visitor: Visitor) -> Response:
    body = files("egov_audit.serve").joinpath("openapi.json").read_bytes()
    return Response(body, media_type="application/json")


@guard(PUBLIC)
async def health(request: Request, visitor: Visitor) -> Response:
    """For a load balancer: 200 when the store answers (the guard has already asked it)."""
    return PlainTextResponse("ok")


ROUTES = [
    Route("/", home),
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/static/app.css", stylesheet),
    Route("/healthz", health),
    Route("/nation", nation.nation_page),
    Route("/nation/export/{table}.{fmt}", nation.nation_export),
    Route("/agency/{code}", agency.agency_page),
    Route("/agency/{code}/report", agency.agency_report),
    Route("/agency/{code}/diff", agency.agency_diff),
    Route("/agency/{code}/export/{table}.{fmt}", agency.agency_export),
    Route("/control/{control}", control.control_page),
    Route("/control/{control}/export/{table}.{fmt}", control.control_export),
    Route("/admin", admin.admin_page),
    Route("/admin/keys", admin.add_key, methods=["POST"]),
    Route("/admin/keys/revoke", admin.revoke_key, methods=["POST"]),
    Route("/admin/accounts", admin.add_account, methods=["POST"]),
    Route("/admin/accounts/state", admin.set_account, methods=["POST"]),
    Route("/api/v1/bundles", intake.submit_bundle, methods=["POST"]),
    Route("/api/v1/agencies/{code}/history", agency.agency_history_api),
    Route("/api/v1/openapi.json", openapi),
]


def create_app(settings: Settings) -> Starlette:
    service = Service(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            service.pool.close()

    for route in ROUTES:  # every route passes the guard: none is open by omission
        if not hasattr(route.endpoint, "__roles__"):
            raise RuntimeError(f"{route.path}: not behind auth.guard")
    app = Starlette(routes=ROUTES, lifespan=lifespan, exception_handlers={
        Refused: refused, StoreError: unreachable, Unavailable: unreachable,
        HTTPException: not_found})
    app.add_middleware(SecurityHeaders)
    app.state.service = service
    return app


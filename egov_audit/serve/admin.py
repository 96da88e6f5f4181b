"""Administration: the agencies' signing keys (register, revoke from a date), accounts (add,
disable, enable) and the audit log of every change, each change in it with who and when."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..errors import EgovAuditError
from ..gates.names import check_agency_code
from ..i18n import said_in
from ..store import Store
from ..store.service import ROLES
from .auth import ADMIN, Visitor, check_account_name, check_password_text, guard, hash_password
from .pages import page

MAX_PEM = 16 * 1024


def admin_data(store: Store) -> dict[str, Any]:
    return {"keys": store.agency_keys(), "accounts": store.accounts(),
            "log": store.audit_log(200)}


async def _show(request: Request, visitor: Visitor, error: str | None = None,
                status: int = 200) -> Response:
    data = await request.app.state.service.read(admin_data)
    return page(request, visitor, "admin.html.j2", {**data, "error": error, "roles": ROLES},
                status)


@guard(ADMIN)
async def admin_page(request: Request, visitor: Visitor) -> Response:
    return await _show(request, visitor)


def _actor(visitor: Visitor) -> str:
    assert visitor.account is not None, "the guard let only an administrator in"
    return visitor.account.name


async def _change(request: Request, visitor: Visitor, work: Any) -> Response:
    """Run one change; a refused one shows the page again with its reason (422)."""
    try:
        await request.app.state.service.read(work)
    except EgovAuditError as exc:
        if request.app.state.service.unavailable(exc):
            raise
        return await _show(request, visitor, said_in(exc.message, visitor.lang), 422)
    return RedirectResponse("/admin?done=1", status_code=303)


def _field(form: Any, name: str, limit: int = 200) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


@guard(ADMIN, form=True)
async def add_key(request: Request, visitor: Visitor) -> Response:
    form = await request.form()
    agency, pem = _field(form, "agency", 80), _field(form, "pem", MAX_PEM)

    def work(store: Store) -> None:
        store.add_key(check_agency_code(agency), pem, _actor(visitor))
    return await _change(request, visitor, work)


@guard(ADMIN, form=True)
async def revoke_key(request: Request, visitor: Visitor) -> Response:
    form = await request.form()
    key, at = _field(form, "key_id"), _field(form, "revoked_at", 64)
    when = at or datetime.now(UTC).isoformat(timespec="seconds")
    return await _change(request, visitor,
                         lambda store: store.revoke_key(key, when, _actor(visitor)))


@guard(ADMIN, form=True)
async def add_account(request: Request, visitor: Visitor) -> Response:
    form = await request.form()
    name, role = _field(form, "name", 64), _field(form, "role", 20)
    agency = _field(form, "agency", 80) or None
    password = form.get("password")

    def work(store: Store) -> None:
        check_account_name(name)
        if agency is not None:
            check_agency_code(agency)
        store.add_account(name, role, agency, hash_password(check_password_text(password)),
                          _actor(visitor))
    return await _change(request, visitor, work)


@guard(ADMIN, form=True)
async def set_account(request: Request, visitor: Visitor) -> Response:
    form = await request.form()
    name, disabled = _field(form, "name", 64), _field(form, "disabled", 2) == "1"
    return await _change(request, visitor,
                         lambda store: store.set_disabled(name, disabled, _actor(visitor)))

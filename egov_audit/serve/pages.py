"""What every page shares: its filters (in the URL, so a view can be shared), rendering a
template in the visitor's language, and a table of the page exported as CSV or XLSX through
the report registry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..errors import UsageError
from ..gates.names import check_agency_code, check_control_id
from ..gates.sanitize import html_environment
from ..report.interface import ReportOptions, render
from ..report.table import SheetTable
from .auth import Visitor
from .charts import Table
from .labels import word

KINDS = ("province", "ministry")
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Filters:
    """A page's filters, from its query string: only values that can be (anything else is
    ignored, never echoed)."""

    kind: str | None = None
    region: str | None = None

    @classmethod
    def of(cls, request: Request) -> Filters:
        kind = request.query_params.get("kind")
        region = (request.query_params.get("region") or "").strip()
        return cls(kind if kind in KINDS else None,
                   region if region and len(region) <= 120 else None)

    def query(self, **more: str) -> str:
        values = {k: v for k, v in {**asdict(self), **more}.items() if v}
        return "?" + urlencode(values) if values else ""


@cache
def environment() -> Environment:
    return html_environment("egov_audit.serve")


def shown(value: object, lang: str) -> str:
    """A cell as officials read it: no value is "-", a decimal has one digit after a comma in
    Vietnamese (62,4) and a point in English (62.4)."""
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if lang == "vi" else text
    return str(value)


def page(request: Request, visitor: Visitor, template: str, context: Mapping[str, Any],
         status: int = 200) -> Response:
    lang = visitor.lang
    kept = {k: v for k, v in request.query_params.items() if k in ("kind", "region")}

    def lang_query(new: str) -> str:
        return urlencode({**kept, "lang": new})

    body = environment().get_template(template).render(
        **context, lang=lang, w=lambda key: word(key, lang), visitor=visitor,
        path=request.url.path, lang_query=lang_query,
        export_query="?" + urlencode({**kept, "lang": lang}),
        show=lambda value: shown(value, lang))
    return HTMLResponse(body, status_code=status)


def export(request: Request, visitor: Visitor, tables: Mapping[str, Table]) -> Response:
    """One table of a page as `<name>.<csv|xlsx>` (the route's path parameters)."""
    name, fmt = request.path_params["table"], request.path_params["fmt"]
    table = tables.get(name)
    if table is None or fmt not in MEDIA:
        raise HTTPException(404)
    body = render("table", fmt, SheetTable(table.title, table.columns, table.rows),
                  ReportOptions(lang=visitor.lang))
    return Response(body, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def agency_code(request: Request) -> str:
    """The agency a path names, through the names gate (404 if it cannot be one)."""
    code = str(request.path_params.get("code", ""))
    try:
        return check_agency_code(code)
    except UsageError:  # no agency can have such a code
        raise HTTPException(404) from None


def control_id(request: Request) -> str:
    """The control a path names, through the names gate (404 if it cannot be one)."""
    try:
        return check_control_id(str(request.path_params.get("control", "")))
    except UsageError:
        raise HTTPException(404) from None

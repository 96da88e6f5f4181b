"""One agency: its score history beside the national and regional median, its submissions with
their signatures, its latest gap report (the HTML report of the bundle it signed), and what
changed between two of its submissions (the diff report). An agency account sees only its own."""

from __future__ import annotations

import secrets
import statistics
from collections import defaultdict
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..diff import diff_bundles
from ..models import ResultSet
from ..report.interface import ReportOptions, render
from ..store import Store
from ..store.results import stored_bundle
from .auth import ADMIN, AGENCY, INSPECTOR, Visitor, guard
from .charts import Table, lines
from .labels import word, words
from .pages import agency_code, export, page

# the gap and diff reports are whole documents of their own: their styles are inline, the gap
# report's one script carries the nonce this header names
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
              "script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'; "
              "frame-ancestors 'none'")


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def agency_data(store: Store, code: str, lang: str) -> dict[str, Any] | None:
    names = store.agency_names()
    if code not in names:
        return None
    name_vi, name_en, kind, region = names[code]
    w = words(lang)
    submissions = store.history(code)
    national: defaultdict[str, list[float]] = defaultdict(list)
    regional: defaultdict[str, list[float]] = defaultdict(list)
    own: dict[str, float | None] = {}
    for row in store.quarterly():
        if row["overall"] is not None:
            national[row["quarter"]].append(row["overall"])
            if region is not None and row["region"] == region:
                regional[row["quarter"]].append(row["overall"])
        if row["agency"] == code:
            own[row["quarter"]] = row["overall"]
    quarters = sorted(own)
    history = Table("history", w("history"),
                    [w("quarter"), w("score"), w("national_median"), w("regional_median")],
                    [[q, own[q], _median(national[q]), _median(regional[q])]
                     for q in quarters])
    signed = Table(
        "submissions", w("submissions"),
        [word("col.date", lang), w("score"), *(word(f"area.{a}", lang) for a in
                                                ("infrastructure", "ip_addressing", "security")),
         word("question.hosts", lang), word("question.gaps", lang), w("key_id"),
         w("signed_at"), w("received_at"), w("format"), w("digest")],
        [[s["finished_at"], s["overall"], s["infrastructure"], s["ip_addressing"],
          s["security"], s["hosts"], s["gaps"], s["key_id"], s["signed_at"],
          s["submitted_at"], s["format"], s["digest"]] for s in reversed(submissions)])
    waivers = store.latest_waivers(code)
    waived = Table(
        "waivers", w("waivers"),
        [word("col.control", lang), w("waiver.targets"), w("waiver.justification"),
         w("waiver.approved_by"), w("waiver.approved_on"), w("waiver.expires"),
         w("waiver.reference"), w("waiver.state"), w("waiver.applied")],
        [[v.get("control"), ", ".join(map(str, v.get("targets") or [])),
          v.get("justification"), v.get("approved_by"), v.get("approved_on"),
          v.get("expires"), v.get("reference"), v.get("state"), v.get("applied_to")]
         for v in waivers or []])
    chart = lines(w("history"), "c-history", quarters,
                  [(w("score"), [r[1] for r in history.rows]),
                   (w("national_median"), [r[2] for r in history.rows]),
                   (w("regional_median"), [r[3] for r in history.rows])])
    return {"code": code, "name": name_vi if lang == "vi" else name_en,
            "kind": word(f"kind.{kind}", lang), "region": region,
            "tables": {"history": history, "submissions": signed, "waivers": waived},
            "waivers_known": waivers is not None, "chart": chart,
            "ids": [s["id"] for s in reversed(submissions)],
            "dates": [s["finished_at"] for s in reversed(submissions)]}


async def _agency(request: Request, visitor: Visitor) -> dict[str, Any]:
    code = agency_code(request)
    data: dict[str, Any] | None = await request.app.state.service.read(
        lambda store: agency_data(store, code, visitor.lang))
    if data is None:
        raise HTTPException(404)
    return data


@guard(INSPECTOR, ADMIN, AGENCY, agency_param="code")
async def agency_page(request: Request, visitor: Visitor) -> Response:
    return page(request, visitor, "agency.html.j2", await _agency(request, visitor))


@guard(INSPECTOR, ADMIN, AGENCY, agency_param="code")
async def agency_export(request: Request, visitor: Visitor) -> Response:
    return export(request, visitor, (await _agency(request, visitor))["tables"])


def _bundle_id(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if not value.isdigit() or len(value) > 18:
        raise HTTPException(404)
    return int(value)


@guard(INSPECTOR, ADMIN, AGENCY, agency_param="code")
async def agency_report(request: Request, visitor: Visitor) -> Response:
    """The gap report of one of the agency's stored bundles (its latest unless `?bundle=`),
    read back through the bundle gate: a stored body is not trusted more than a file."""
    code = agency_code(request)
    wanted = _bundle_id(request, "bundle")
    stored = await request.app.state.service.read(
        lambda store: store.latest_body(code, wanted))
    if stored is None:
        raise HTTPException(404)
    nonce = secrets.token_urlsafe(16)

    def report() -> str | bytes:
        bundle, _ = stored_bundle(stored[1])
        return render("gaps", "html", ResultSet((bundle,)),
                      ReportOptions(lang=visitor.lang, nonce=nonce))

    body = await request.app.state.service.work(report)
    return HTMLResponse(body, headers={"Content-Security-Policy":
                                       REPORT_CSP.format(nonce=nonce)})


@guard(INSPECTOR, ADMIN, AGENCY, agency_param="code")
async def agency_diff(request: Request, visitor: Visitor) -> Response:
    """What changed between two of the agency's submissions (`?old=&new=`: bundle ids)."""
    code = agency_code(request)
    old_id, new_id = _bundle_id(request, "old"), _bundle_id(request, "new")
    if old_id is None or new_id is None:
        raise HTTPException(404)
    bodies = await request.app.state.service.read(
        lambda store: (store.latest_body(code, old_id), store.latest_body(code, new_id)))
    if bodies[0] is None or bodies[1] is None:
        raise HTTPException(404)

    def report() -> str | bytes:
        old, _ = stored_bundle(bodies[0][1])
        new, _ = stored_bundle(bodies[1][1])
        return render("diff", "html", [diff_bundles(old, new)],
                      ReportOptions(lang=visitor.lang))

    body = await request.app.state.service.work(report)
    return HTMLResponse(body, headers={"Content-Security-Policy":
                                       REPORT_CSP.format(nonce=secrets.token_urlsafe(16))})


@guard(INSPECTOR, ADMIN, AGENCY, agency_param="code")
async def agency_history_api(request: Request, visitor: Visitor) -> Response:
    """The agency's submissions as JSON (the same rows as `egov-audit history -f json`)."""
    code = agency_code(request)
    rows = await request.app.state.service.read(lambda store: store.history(code))
    if not rows:
        raise HTTPException(404)
    return JSONResponse({"schema": "egov-audit/agency-history@1", "agency": code,
                         "submissions": rows})

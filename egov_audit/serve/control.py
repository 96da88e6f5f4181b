"""One control across the nation: its pass rate over time, nationally and by region, and the
agencies whose latest bundle fails it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..store import Store
from .auth import ADMIN, INSPECTOR, Visitor, guard
from .charts import Table, lines
from .labels import word, words
from .nation import titles
from .pages import Filters, control_id, export, page


def control_data(store: Store, control: str, filters: Filters, lang: str) -> dict[str, Any]:
    w = words(lang)
    title = titles().get(control)
    nationally = store.pass_rate(control)
    by_region = store.pass_rate(control, by_region=True)
    failing = store.failing(control, filters.kind, filters.region)
    months = [r["month"] for r in nationally]
    rates = Table("rates", w("pass_rate"),
                  [word("col.month", lang), w("agencies"), word("question.passed", lang),
                   word("question.judged", lang), word("question.rate", lang)],
                  [[r["month"], r["agencies"], r["passed"], r["judged"], r["rate"]]
                   for r in nationally])
    regional = Table("regions", w("pass_rate_region"),
                     [word("col.month", lang), w("region"), w("agencies"),
                      word("question.passed", lang), word("question.judged", lang),
                      word("question.rate", lang)],
                     [[r["month"], r["region"] or "-", r["agencies"], r["passed"], r["judged"],
                       r["rate"]] for r in by_region])
    agencies = Table("failing", w("failing"),
                     [word("col.code", lang), w("agency"), w("region"),
                      word("question.failing", lang), word("question.judged", lang),
                      word("col.date", lang)],
                     [[r["code"], r["name_vi"] if lang == "vi" else r["name_en"],
                       r["region"] or "-", r["failing"], r["judged"], r["date"]]
                      for r in failing])
    series: dict[str, dict[str, float | None]] = {}
    for r in by_region:
        series.setdefault(r["region"] or "-", {})[r["month"]] = r["rate"]
    chart = lines(w("pass_rate"), "c-rates", months,
                  [(word("nation", lang), [r["rate"] for r in nationally]),
                   *((name, [values.get(m) for m in months])
                     for name, values in sorted(series.items())[:5])], unit="%")
    return {"control": control, "title": title.get(lang) if title else None,
            "known": title is not None, "chart": chart, "filters": filters,
            "regions": sorted({r[3] for r in store.agency_names().values() if r[3]}),
            "tables": {"rates": rates, "regions": regional, "failing": agencies}}


@guard(INSPECTOR, ADMIN)
async def control_page(request: Request, visitor: Visitor) -> Response:
    control, filters = control_id(request), Filters.of(request)
    data = await request.app.state.service.read(
        lambda store: control_data(store, control, filters, visitor.lang))
    return page(request, visitor, "control.html.j2", data)


@guard(INSPECTOR, ADMIN)
async def control_export(request: Request, visitor: Visitor) -> Response:
    control, filters = control_id(request), Filters.of(request)
    data = await request.app.state.service.read(
        lambda store: control_data(store, control, filters, visitor.lang))
    return export(request, visitor, data["tables"])

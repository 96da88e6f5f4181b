"""The nation as inspectors see it: the distribution of overall scores, scores by area, kind and
region, the national average per quarter, the most common gaps with their trend, and who has
submitted this quarter. Each chart is drawn from the table shown beside it."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..checks.vocabulary import load_catalogue
from ..store import Store
from ..times import VIETNAM
from .auth import ADMIN, INSPECTOR, Visitor, guard
from .charts import Table, columns, histogram, lines
from .labels import word, words
from .pages import Filters, export, page

AREAS = ("infrastructure", "ip_addressing", "security")
PARTS = ("network", "server_rooms")  # the infrastructure area's two parts


def current_quarter(now: datetime | None = None) -> str:
    """This quarter, in Vietnam's time (as the store counts bundles' quarters)."""
    now = (now or datetime.now(UTC)).astimezone(VIETNAM)
    return f"{now.year}-Q{(now.month + 2) // 3}"


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def titles() -> Mapping[str, Any]:
    return {c.id: c.title for c in load_catalogue().controls}


def nation_data(store: Store, filters: Filters, lang: str) -> dict[str, Any]:
    """Every table of the nation page, with the charts drawn from them."""
    table = store.national_table(filters.kind, filters.region)
    scored = [r for r in table if r["overall"] is not None]
    names = store.agency_names()
    w = words(lang)

    parts = _part_scores(store, filters)
    bins = histogram([r["overall"] for r in scored])
    distribution = Table("distribution", w("distribution"), [w("range"), w("agencies")],
                         [[name, int(count)] for name, count in bins])
    # the three areas the score reports, with the infrastructure area's two parts beside it
    area_values = {a: [r[a] for r in table if r[a] is not None] for a in AREAS}
    for part in PARTS:
        area_values[part] = [v for v in (parts.get((r["code"], part)) for r in table)
                             if v is not None]
    areas = Table("areas", w("by_area"), [w("area"), w("agencies"), w("average"), w("median")],
                  [[w(f"area.{a}"), len(area_values[a]), _mean(area_values[a]),
                    _median(area_values[a])]
                   for a in ("infrastructure", *PARTS, "ip_addressing", "security")])

    def grouped(key: str, name: str, title: str, shown: Any) -> Table:
        groups: defaultdict[str, list[float]] = defaultdict(list)
        for r in scored:
            groups[r[key] or "-"].append(r["overall"])
        return Table(name, title, [w(key), w("agencies"), w("average"), w("median")],
                     [[shown(g), len(v), _mean(v), _median(v)]
                      for g, v in sorted(groups.items())])

    kinds = grouped("kind", "kinds", w("by_kind"), lambda k: word(f"kind.{k}", lang))
    regions = grouped("region", "regions", w("by_region"), lambda r: r)

    chosen = {r["code"] for r in table}
    per_quarter: defaultdict[str, list[float]] = defaultdict(list)
    submitted_now: set[str] = set()
    this_quarter = current_quarter()
    for row in store.quarterly():
        if row["agency"] not in chosen:
            continue
        if row["overall"] is not None:
            per_quarter[row["quarter"]].append(row["overall"])
        if row["quarter"] == this_quarter:
            submitted_now.add(row["agency"])
    quarters = Table("quarters", w("quarters"),
                     [w("quarter"), w("agencies"), w("average"), w("median")],
                     [[q, len(v), _mean(v), _median(v)] for q, v in sorted(per_quarter.items())])

    known = titles()
    gaps = store.common_gaps(filters.kind, filters.region, limit=10)
    trend = store.gap_trend([g["control"] for g in gaps[:5]])
    trend_quarters = sorted({t["quarter"] for t in trend})
    counts = {(t["control"], t["quarter"]): t["agencies"] for t in trend}
    gap_table = Table(
        "gaps", w("common_gaps"),
        [word("col.control", lang), word("col.title", lang), word("col.severity", lang),
         w("agencies"), word("col.count", lang), *trend_quarters],
        [[g["control"], known[g["control"]].get(lang) if g["control"] in known else "-",
          word(f"severity.{g['severity']}", lang), g["agencies"], g["targets"],
          *(counts.get((g["control"], q), 0) for q in trend_quarters)] for g in gaps])

    late = sorted(code for code in chosen if code not in submitted_now)
    coverage = Table("late", w("late"), [word("col.code", lang), w("agency"),
                                          w("last_submission")],
                     [[code, _name(names, code, lang), next(
                         (r["date"] for r in table if r["code"] == code), None)]
                      for code in late])
    agencies = Table(
        "agencies", w("agencies_table"),
        [word("col.code", lang), w("agency"), w("kind"), w("region"), w("score"),
         *(word(f"area.{a}", lang) for a in AREAS), word("col.coverage", lang),
         word("national.beside", lang), word("national.trend", lang), word("col.date", lang)],
        [[r["code"], r["name_vi"] if lang == "vi" else r["name_en"],
          word(f"kind.{r['kind']}", lang), r["region"] or "-", r["overall"],
          *(r[a] for a in AREAS),
          None if r["coverage"] is None else round(100 * r["coverage"]), r["beside"],
          r["trend"], r["date"]] for r in table])

    charts = {
        "distribution": columns(w("distribution"), "c-distribution",
                                [(str(r[0]), float(r[1])) for r in distribution.rows]),
        "areas": columns(w("by_area"), "c-areas", [(str(r[0]), r[2]) for r in areas.rows],
                         maximum=100),
        "kinds": columns(w("by_kind"), "c-kinds", [(str(r[0]), r[2]) for r in kinds.rows],
                         maximum=100),
        "regions": columns(w("by_region"), "c-regions",
                           [(str(r[0]), r[2]) for r in regions.rows], maximum=100),
        "quarters": lines(w("quarters"), "c-quarters", [str(r[0]) for r in quarters.rows],
                          [(w("average"), [r[2] for r in quarters.rows]),
                           (w("median"), [r[3] for r in quarters.rows])]),
        "gaps": lines(w("common_gaps"), "c-gaps", trend_quarters,
                      [(str(g[0]), [float(c) for c in g[5:]]) for g in gap_table.rows[:5]],
                      maximum=float(max([1, *(c for g in gap_table.rows for c in g[5:])]))),
    }
    return {"tables": {t.name: t for t in (distribution, areas, kinds, regions, quarters,
                                           gap_table, coverage, agencies)},
            "charts": charts, "submitted": len(submitted_now), "known": len(chosen),
            "quarter": this_quarter, "regions": sorted({r[3] for r in names.values() if r[3]})}


def _part_scores(store: Store, filters: Filters) -> dict[tuple[str, str], float]:
    """Each agency's score of the network and of the server rooms (its latest bundle), weighed
    as the score weighs (the bundled catalogue's severity weights)."""
    weights = {s.value: weight for s, weight in load_catalogue().weights.items()}
    counted: defaultdict[tuple[str, str], float] = defaultdict(float)
    passed: defaultdict[tuple[str, str], float] = defaultdict(float)
    for agency, part, severity, n, ok in store.infrastructure_parts(filters.kind,
                                                                    filters.region):
        weight = weights.get(severity, 0.0)
        counted[(agency, part)] += weight * n
        passed[(agency, part)] += weight * ok
    return {key: round(100 * passed[key] / total, 1) for key, total in counted.items()
            if total}


def _name(names: Mapping[str, tuple[str, str, str, str | None]], code: str, lang: str) -> str:
    found = names.get(code)
    return code if found is None else found[0] if lang == "vi" else found[1]


@guard(INSPECTOR, ADMIN)
async def nation_page(request: Request, visitor: Visitor) -> Response:
    filters = Filters.of(request)
    data = await request.app.state.service.read(
        lambda store: nation_data(store, filters, visitor.lang))
    return page(request, visitor, "nation.html.j2", {**data, "filters": filters})


@guard(INSPECTOR, ADMIN)
async def nation_export(request: Request, visitor: Visitor) -> Response:
    filters = Filters.of(request)
    data = await request.app.state.service.read(
        lambda store: nation_data(store, filters, visitor.lang))
    return export(request, visitor, data["tables"])

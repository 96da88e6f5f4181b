"""The national questions the store answers in SQL, over the latest bundle of each agency or
over every submission: the national table, the most common gaps, the agencies failing a
control, a control's pass rate over time (nationally or per region), an agency's history.
What the national service shows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..gates.jsonin import StrictJsonError, loads

# the statuses a pass rate counts (as the score does: not applicable and waived are left out)
_JUDGED = "('pass', 'fail', 'error', 'not_assessed')"


class NationalQuestions:
    """Read-only queries, mixed into Store (which runs them: `execute`)."""

    if TYPE_CHECKING:  # Store's, which this is mixed into: declared for the type checker only
        renamed_baselines: dict[str, str]

        def execute(self, statement: str, params: Any = ()) -> Any: ...

    # never b.*: the signed bodies are large and not needed for the table
    _LATEST = ("WITH ranked AS (SELECT b.id, b.agency, b.finished_at, b.baseline, b.level, "
               "b.overall, b.infrastructure, b.ip_addressing, b.security, b.coverage, "
               "b.overall_without_waivers, b.hosts, b.waived, b.portals, b.portals_ipv6, "
               "b.portals_dnssec, b.portals_web, b.portals_https, b.beside, "
               "ROW_NUMBER() OVER (PARTITION BY agency ORDER BY "
               "finished_utc DESC, id DESC) AS rn, LAG(overall) OVER (PARTITION BY agency "
               "ORDER BY finished_utc, id) AS previous, COUNT(*) OVER (PARTITION BY agency) "
               "AS submissions FROM bundles b) ")

    def _filters(self, kind: str | None, region: str | None, baseline: str | None,
                 level: int | None) -> tuple[str, list[Any]]:
        where, params = ["r.rn = 1"], []
        if baseline is not None:  # a former id asks for the baseline it now is
            baseline = self.renamed_baselines.get(baseline, baseline)
        for column, value in (("a.kind", kind), ("a.region", region), ("r.baseline", baseline),
                              ("r.level", level)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        return " AND ".join(where), params

    def national_table(self, kind: str | None = None, region: str | None = None,
                       baseline: str | None = None, level: int | None = None
                       ) -> list[dict[str, Any]]:
        where, params = self._filters(kind, region, baseline, level)
        rows = self.execute(
            self._LATEST + "SELECT a.code, a.name_vi, a.name_en, a.kind, a.region, r.baseline, "
            "r.level, r.finished_at, r.overall, r.infrastructure, r.ip_addressing, r.security, "
            "r.coverage, r.overall_without_waivers, r.previous, r.submissions, r.hosts, "
            "r.waived, r.portals, r.portals_ipv6, r.portals_dnssec, r.portals_web, "
            "r.portals_https, r.beside FROM ranked r JOIN agencies a ON a.code = r.agency "
            "WHERE " + where +
            " ORDER BY r.overall IS NULL, r.overall DESC, a.code", params).fetchall()
        keys = ("code", "name_vi", "name_en", "kind", "region", "baseline", "level", "date",
                "overall", "infrastructure", "ip_addressing", "security", "coverage",
                "overall_without_waivers", "previous", "submissions", "hosts", "waived",
                "portals", "portals_ipv6", "portals_dnssec", "portals_web", "portals_https",
                "beside")
        table = [dict(zip(keys, row, strict=True)) for row in rows]
        for row in table:
            row["trend"] = None if row["previous"] is None or row["overall"] is None \
                else round(row["overall"] - row["previous"], 1)
        return table

    def common_gaps(self, kind: str | None = None, region: str | None = None,
                    baseline: str | None = None, level: int | None = None,
                    limit: int = 10) -> list[dict[str, Any]]:
        where, params = self._filters(kind, region, baseline, level)
        rows = self.execute(
            self._LATEST + "SELECT g.control, g.severity, g.area, COUNT(*) AS agencies, "
            "SUM(g.targets) AS targets FROM ranked r JOIN agencies a ON a.code = r.agency "
            "JOIN gaps g ON g.bundle_id = r.id WHERE " + where + " GROUP BY g.control, "
            "g.severity, g.area ORDER BY agencies DESC, targets DESC, g.control LIMIT ?",
            [*params, limit]).fetchall()
        return [dict(zip(("control", "severity", "area", "agencies", "targets"), row,
                         strict=True)) for row in rows]

    def history(self, agency: str) -> list[dict[str, Any]]:
        """Every submission of an agency, oldest first: its scores, hosts and how many of its
        results fail."""
        rows = self.execute(
            "SELECT b.finished_at, b.overall, b.digest, b.infrastructure, b.ip_addressing, "
            "b.security, b.coverage, b.hosts, b.baseline, b.level, (SELECT COALESCE(SUM("
            "g.targets), 0) FROM gaps g WHERE g.bundle_id = b.id) AS gaps, b.key_id, "
            "b.signed_at, b.format, b.submitted_at, b.id FROM bundles b "
            "WHERE b.agency = ? AND b.key_id <> '' ORDER BY b.finished_utc, b.id",
            (agency,)).fetchall()
        keys = ("finished_at", "overall", "digest", "infrastructure", "ip_addressing",
                "security", "coverage", "hosts", "baseline", "level", "gaps", "key_id",
                "signed_at", "format", "submitted_at", "id")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def failing(self, control: str, kind: str | None = None, region: str | None = None,
                baseline: str | None = None, level: int | None = None
                ) -> list[dict[str, Any]]:
        """The agencies whose latest bundle fails `control` (a fail or an error) on any
        target: how many targets fail, of how many judged, most first."""
        where, params = self._filters(kind, region, baseline, level)
        rows = self.execute(
            self._LATEST + "SELECT a.code, a.name_vi, a.name_en, a.region, r.finished_at, "
            "SUM(CASE WHEN x.status IN ('fail', 'error') THEN 1 ELSE 0 END) AS failing, "
            "COUNT(*) AS judged FROM ranked r JOIN agencies a ON a.code = r.agency "
            "JOIN results x ON x.bundle_id = r.id WHERE " + where + " AND x.control = ? AND "
            "x.status IN " + _JUDGED + " GROUP BY a.code, a.name_vi, a.name_en, a.region, "
            "r.finished_at HAVING SUM(CASE WHEN x.status IN ('fail', 'error') THEN 1 ELSE 0 "
            "END) > 0 ORDER BY failing DESC, a.code", [*params, control]).fetchall()
        keys = ("code", "name_vi", "name_en", "region", "date", "failing", "judged")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def pass_rate(self, control: str, by_region: bool = False) -> list[dict[str, Any]]:
        """`control`'s pass rate per month (in Vietnam's time) over every submission (its
        results judged: pass, fail, error, not assessed), nationally or per region."""
        region = "COALESCE(a.region, '')" if by_region else "''"
        rows = self.execute(
            "SELECT b.period AS month, " + region + " AS region, "
            "SUM(CASE WHEN x.status = 'pass' THEN 1 ELSE 0 END) AS passed, COUNT(*) AS judged, "
            "COUNT(DISTINCT b.agency) AS agencies FROM results x JOIN bundles b ON "
            "b.id = x.bundle_id JOIN agencies a ON a.code = b.agency WHERE x.control = ? AND "
            "x.status IN " + _JUDGED + " AND b.key_id <> '' GROUP BY b.period"
            + (", " + region if by_region else "") + " ORDER BY month, region",
            (control,)).fetchall()
        return [{"month": m, "region": r or None, "passed": p, "judged": j, "agencies": n,
                 "rate": round(100 * p / j, 1) if j else None} for m, r, p, j, n in rows]

    # a bundle's quarter, from its month in Vietnam's time: "2026-Q4"
    _QUARTER = ("SUBSTR(b.period, 1, 4) || '-Q' || CAST((CAST(SUBSTR(b.period, 6, 2) "
                "AS INTEGER) + 2) / 3 AS TEXT)")

    def quarterly(self) -> list[dict[str, Any]]:
        """Each agency's latest bundle of each quarter, oldest quarter first: the national
        average and medians per quarter, and who submitted when, are made of these."""
        rows = self.execute(
            "WITH q AS (SELECT b.id, b.agency, b.overall, " + self._QUARTER + " AS quarter, "
            "ROW_NUMBER() OVER (PARTITION BY b.agency, " + self._QUARTER + " ORDER BY "
            "b.finished_utc DESC, b.id DESC) AS rn FROM bundles b WHERE b.key_id <> '') "
            "SELECT q.quarter, q.agency, a.kind, a.region, q.overall, q.id FROM q JOIN agencies "
            "a ON a.code = q.agency WHERE q.rn = 1 ORDER BY q.quarter, q.agency").fetchall()
        keys = ("quarter", "agency", "kind", "region", "overall", "bundle_id")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def gap_trend(self, controls: list[str]) -> list[dict[str, Any]]:
        """For each of `controls` and each quarter: how many agencies' latest bundle of that
        quarter has the gap."""
        if not controls:
            return []
        marks = ", ".join("?" * len(controls))
        rows = self.execute(
            "WITH q AS (SELECT b.id, " + self._QUARTER + " AS quarter, ROW_NUMBER() OVER "
            "(PARTITION BY b.agency, " + self._QUARTER + " ORDER BY b.finished_utc DESC, "
            "b.id DESC) AS rn FROM bundles b WHERE b.key_id <> '') SELECT q.quarter, "
            "g.control, COUNT(*) FROM q JOIN gaps g ON g.bundle_id = q.id WHERE q.rn = 1 AND "
            "g.control IN (" + marks + ") GROUP BY q.quarter, g.control ORDER BY q.quarter, "
            "g.control", controls).fetchall()
        return [{"quarter": r[0], "control": r[1], "agencies": r[2]} for r in rows]

    def agency_names(self) -> dict[str, tuple[str, str, str, str | None]]:
        """Every agency the store knows: code -> (Vietnamese name, English name, kind,
        region)."""
        rows = self.execute("SELECT code, name_vi, name_en, kind, region FROM agencies "
                            "ORDER BY code").fetchall()
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def latest_body(self, agency: str, bundle_id: int | None = None) -> tuple[int, bytes] | None:
        """A stored bundle's signed body (compressed): the agency's latest, or the one named
        (only if it is that agency's)."""
        if bundle_id is None:
            row = self.execute("SELECT id, body FROM bundles WHERE agency = ? AND key_id <> '' "
                               "ORDER BY finished_utc DESC, id DESC LIMIT 1",
                               (agency,)).fetchone()
        else:
            row = self.execute("SELECT id, body FROM bundles WHERE agency = ? AND id = ? AND "
                               "key_id <> ''", (agency, bundle_id)).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))

    def latest_waivers(self, agency: str) -> list[dict[str, Any]] | None:
        """The waivers the agency's latest bundle lists, with their state (None: that bundle
        was stored before the store kept them apart, or what is kept is not readable)."""
        row = self.execute("SELECT waivers FROM bundles WHERE agency = ? AND key_id <> '' "
                           "ORDER BY finished_utc DESC, id DESC LIMIT 1", (agency,)).fetchone()
        if row is None or row[0] is None:
            return None
        try:
            waivers = loads(str(row[0]).encode("utf-8"))
        except StrictJsonError:
            return None
        if not isinstance(waivers, list):
            return None
        return [w for w in waivers if isinstance(w, dict)]

    def infrastructure_parts(self, kind: str | None = None, region: str | None = None
                             ) -> list[tuple[str, str, str, int, int]]:
        """(agency, part, severity, counted, passed) of each agency's latest bundle: the
        network's and the server rooms' results, to be weighed as the score weighs them."""
        where, params = self._filters(kind, region, None, None)
        return [tuple(row) for row in self.execute(
            self._LATEST + "SELECT r.agency, c.part, c.severity, c.counted, c.passed FROM "
            "ranked r JOIN agencies a ON a.code = r.agency JOIN infrastructure_counts c ON "
            "c.bundle_id = r.id WHERE " + where, params).fetchall()]

"""The national store's interface: what `collect`, `scores` and `rescore` ask of it, written
once over SQL both databases speak (their schema, its migrations, storing a verified bundle,
the national table). A database is an implementation of the few things that differ: how it is
opened, how a write transaction is taken, its types and its parameter style (sqlite.py,
postgres.py)."""

from __future__ import annotations

import json
import re
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from ..errors import EgovAuditError, Message
from ..readiness import readiness
from ..sign import TrustError
from ..times import utc_key

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: agencies, bundles (with the signed body, compressed), gaps per bundle and control
    (
        "CREATE TABLE agencies (code TEXT PRIMARY KEY, name_vi TEXT NOT NULL, "
        "name_en TEXT NOT NULL, kind TEXT NOT NULL, region TEXT)",
        "CREATE TABLE bundles (id {serial} PRIMARY KEY, "
        "agency TEXT NOT NULL REFERENCES agencies(code), digest TEXT NOT NULL UNIQUE, "
        "finished_at TEXT NOT NULL, baseline TEXT NOT NULL, level INTEGER NOT NULL, "
        "policy_version TEXT, policy_digest TEXT NOT NULL, tool_version TEXT NOT NULL, "
        "overall REAL, infrastructure REAL, ip_addressing REAL, security REAL, coverage REAL, "
        "overall_without_waivers REAL, hosts INTEGER NOT NULL, key_id TEXT NOT NULL, "
        "submitted_at TEXT NOT NULL, body {blob} NOT NULL)",
        "CREATE INDEX bundles_by_agency ON bundles (agency, finished_at)",
        "CREATE TABLE gaps (bundle_id BIGINT NOT NULL REFERENCES bundles(id), "
        "control TEXT NOT NULL, severity TEXT NOT NULL, area TEXT NOT NULL, "
        "targets INTEGER NOT NULL, PRIMARY KEY (bundle_id, control))",
    ),
    # 2: waived results are counted per bundle (scores are kept with and without waivers)
    ("ALTER TABLE bundles ADD COLUMN waived INTEGER NOT NULL DEFAULT 0",),
    # 3: public portals' readiness (egov_audit/readiness.py); NULL: none judged
    ("ALTER TABLE bundles ADD COLUMN portals INTEGER",
     "ALTER TABLE bundles ADD COLUMN portals_ipv6 INTEGER",
     "ALTER TABLE bundles ADD COLUMN portals_dnssec INTEGER",
     "ALTER TABLE bundles ADD COLUMN portals_web INTEGER",
     "ALTER TABLE bundles ADD COLUMN portals_https INTEGER"),
    # 4: each bundle's end as a UTC instant (fixed-width text: text order is time order); the
    # bundle's own finished_at stays as it was written, in whatever offset
    ("ALTER TABLE bundles ADD COLUMN finished_utc TEXT",
     "fill finished_utc",
     "CREATE INDEX bundles_by_agency_instant ON bundles (agency, finished_utc)"),
)


class StoreError(EgovAuditError):
    """The database cannot be opened, migrated or written."""


class NewerSchema(StoreError):
    """The database was migrated by a newer egov-audit."""


@dataclass(frozen=True)
class Submission:
    outcome: str  # stored | duplicate
    agency: str
    finished_at: str


def one_line(exc: BaseException) -> str:
    # drivers' messages run over several lines (libpq: one per address it tried)
    return " ".join(str(exc).split())[:500] or type(exc).__name__


def redact(url: str) -> str:
    """A database URL as it may be shown: never its password."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


class Store(ABC):
    """A national store: opened (and migrated) on construction, closed by `close` or `with`."""

    SERIAL: ClassVar[str]  # the type of an id the database numbers itself
    BLOB: ClassVar[str]  # the type of a signed body's bytes
    PARAMETER: ClassVar[str] = "?"  # how a statement's parameters are written

    def __init__(self, url: str, create: bool = True) -> None:
        self.url = url
        shown = redact(url)
        try:
            self.conn: Any = self.connect(create)
        except StoreError:
            raise
        except Exception as exc:  # each driver raises its own error types
            raise StoreError(Message("cannot open the database: {exc}", exc=one_line(exc)),
                             file=shown) from None
        unusable: tuple[type[BaseException], ...] = (StoreError, *self.driver_errors())
        try:
            self.migrate()
        except NewerSchema:
            self.conn.close()
            raise
        except unusable as exc:
            self.conn.close()
            reason = exc.message.removeprefix("database error: ") \
                if isinstance(exc, StoreError) else one_line(exc)
            raise StoreError(Message("not an egov-audit database, or a damaged one: {reason}",
                                     reason=reason),
                             file=shown) from None

    # -- what a database does its own way -------------------------------------------------------
    @abstractmethod
    def connect(self, create: bool) -> Any:
        """A connection to `self.url` (`create`: a missing database may be made)."""

    @abstractmethod
    def driver_errors(self) -> tuple[type[BaseException], ...]:
        """The errors its driver raises."""

    @abstractmethod
    def begin(self, lock: str | None) -> None:
        """Take a write transaction (`lock`: what concurrent writers serialise on)."""

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def insert_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one INSERT statement (already in the database's SQL) for each row."""

    # -- plumbing -------------------------------------------------------------------------------
    def sql(self, statement: str) -> str:
        statement = statement.format(serial=self.SERIAL, blob=self.BLOB)
        return statement.replace("?", self.PARAMETER) if self.PARAMETER != "?" else statement

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self.conn.execute(self.sql(statement), tuple(params))
        except self.driver_errors() as exc:
            raise StoreError(Message("database error: {exc}", exc=one_line(exc)),
                             file=redact(self.url)) from None

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[None]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        self.begin(lock)
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def migrate(self) -> int:
        with self.transaction("egov-audit-migrations"):
            self.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
                         "KEY, applied_at TEXT NOT NULL)")
            done = {row[0] for row in self.execute("SELECT version FROM schema_migrations")}
            if done - set(range(1, len(MIGRATIONS) + 1)):
                raise NewerSchema(f"the database is at schema version {max(done)}, newer than "
                                 f"this egov-audit knows ({len(MIGRATIONS)}): upgrade egov-audit",
                                 file=redact(self.url))
            for version, statements in enumerate(MIGRATIONS, start=1):
                if version in done:
                    continue
                for statement in statements:
                    if statement == "fill finished_utc":
                        self._fill_finished_utc()
                    else:
                        self.execute(statement)
                self.execute("INSERT INTO schema_migrations VALUES (?, ?)",
                             (version, datetime.now(UTC).isoformat()))
        return len(MIGRATIONS)

    def _fill_finished_utc(self) -> None:
        """Migration 4's data step: the instants of the bundles stored before it (their text
        was checked by the bundle gate when they came in: a zone is always there)."""
        rows = self.execute("SELECT id, finished_at FROM bundles").fetchall()
        for bundle_id, finished in rows:
            self.execute("UPDATE bundles SET finished_utc = ? WHERE id = ?",
                         (utc_key(finished), bundle_id))

    def version(self) -> int:
        return int(self.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0])

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------------
    def submit(self, bundle: Mapping[str, Any], digest: str, key: str,
               raw: bytes | None = None) -> Submission:
        """Store one verified bundle (`raw`: its file's bytes, kept as the body: read back, they
        are the same bundle). The same bundle again is a no-op; a bundle older than the
        agency's latest is refused (a replay); a newer one becomes its latest."""
        agency = bundle["agency"]
        code, finished = agency["code"], bundle["finished_at"]
        finished_utc = utc_key(finished)  # the gate has checked it: a date and time with a zone
        scores = bundle["scores"]
        by_area = scores.get("by_area", {})
        gaps: dict[str, list[Any]] = {}
        for r in bundle["results"]:
            if r["status"] in ("fail", "error", "not_assessed"):
                entry = gaps.setdefault(r["control"], [r["severity"], r["area"], 0])
                entry[2] += 1
        hosts = sum(1 for t in bundle["targets"] if t["kind"] == "host")
        portals = readiness((r["control"], r["target"], r["status"])
                            for r in bundle["results"]).columns()
        body = zlib.compress(raw if raw is not None else
                             json.dumps(bundle, ensure_ascii=False).encode("utf-8"), 1)
        with self.transaction(code):
            # one round trip: is it already here, and the agency's latest
            stored, latest = self.execute(
                "SELECT EXISTS (SELECT 1 FROM bundles WHERE digest = ?), "
                "(SELECT MAX(finished_utc) FROM bundles WHERE agency = ?)",
                (digest, code)).fetchone()
            if stored:
                return Submission("duplicate", code, finished)
            if latest is not None and finished_utc <= latest:
                raise TrustError(Message("stale: {code} already has a bundle from {latest}; this "
                                         "one is from {finished} (an old bundle replayed as new?)",
                                         code=code, latest=latest, finished=finished))
            self.execute(
                "INSERT INTO agencies (code, name_vi, name_en, kind, region) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name_vi = "
                "excluded.name_vi, name_en = excluded.name_en, kind = excluded.kind, "
                "region = excluded.region",
                (code, agency["name"]["vi"], agency["name"]["en"], agency["kind"],
                 agency.get("region")))
            row = self.execute(
                "INSERT INTO bundles (agency, digest, finished_at, baseline, level, "
                "policy_version, policy_digest, tool_version, overall, infrastructure, "
                "ip_addressing, security, coverage, overall_without_waivers, hosts, key_id, "
                "submitted_at, body, waived, portals, portals_ipv6, portals_dnssec, "
                "portals_web, portals_https, finished_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (code, digest, finished, bundle["baseline"], bundle["level"],
                 bundle.get("policy_version"), bundle["policy_digest"],
                 bundle["tool"]["version"], scores.get("overall"),
                 by_area.get("infrastructure"), by_area.get("ip_addressing"),
                 by_area.get("security"), scores.get("coverage"),
                 scores.get("overall_without_waivers"), hosts, key,
                 datetime.now(UTC).isoformat(timespec="seconds"), body,
                 scores.get("counts", {}).get("waived", 0), *portals.values(),
                 finished_utc)).fetchone()
            bundle_id = row[0]
            rows = [(bundle_id, control, severity, area, count)
                    for control, (severity, area, count) in gaps.items()]
            if rows:
                self.insert_many(self.sql("INSERT INTO gaps (bundle_id, control, severity, "
                                          "area, targets) VALUES (?, ?, ?, ?, ?)"), rows)
        return Submission("stored", code, finished)

    # -- reading ------------------------------------------------------------------------------
    # never b.*: the signed bodies are large and not needed for the table
    _LATEST = ("WITH ranked AS (SELECT b.id, b.agency, b.finished_at, b.baseline, b.level, "
               "b.overall, b.infrastructure, b.ip_addressing, b.security, b.coverage, "
               "b.overall_without_waivers, b.hosts, b.waived, b.portals, b.portals_ipv6, "
               "b.portals_dnssec, b.portals_web, b.portals_https, "
               "ROW_NUMBER() OVER (PARTITION BY agency ORDER BY "
               "finished_utc DESC, id DESC) AS rn, LAG(overall) OVER (PARTITION BY agency "
               "ORDER BY finished_utc, id) AS previous, COUNT(*) OVER (PARTITION BY agency) "
               "AS submissions FROM bundles b) ")

    def _filters(self, kind: str | None, region: str | None, baseline: str | None,
                 level: int | None) -> tuple[str, list[Any]]:
        where, params = ["r.rn = 1"], []
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
            "r.portals_https FROM ranked r JOIN agencies a ON a.code = r.agency WHERE " + where +
            " ORDER BY r.overall IS NULL, r.overall DESC, a.code", params).fetchall()
        keys = ("code", "name_vi", "name_en", "kind", "region", "baseline", "level", "date",
                "overall", "infrastructure", "ip_addressing", "security", "coverage",
                "overall_without_waivers", "previous", "submissions", "hosts", "waived",
                "portals", "portals_ipv6", "portals_dnssec", "portals_web", "portals_https")
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
        rows = self.execute("SELECT finished_at, overall, digest FROM bundles WHERE agency = ? "
                            "ORDER BY finished_utc, id", (agency,)).fetchall()
        return [{"finished_at": r[0], "overall": r[1], "digest": r[2]} for r in rows]

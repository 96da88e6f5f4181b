"""National result storage: verified bundles in SQLite (default, nothing to install) or
PostgreSQL (a postgresql:// URL), with the same schema, created and migrated by the tool."""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EgovAuditError, Message, UsageError
from ..readiness import readiness

if TYPE_CHECKING:
    from ..sign import KeyRegistry

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


class _NewerSchema(StoreError):
    """The database was migrated by a newer egov-audit."""


@dataclass(frozen=True)
class Submission:
    outcome: str  # stored | duplicate
    agency: str
    finished_at: str


@dataclass(frozen=True)
class Incoming:
    """One bundle file as `collect` takes it in: read, checked and its signature verified, or
    why it is refused."""

    path: Path
    data: dict[str, Any] | None = None
    raw: bytes = b""  # the file's bytes, kept as the stored body
    digest: str = ""
    key_id: str = ""
    refused: EgovAuditError | None = None


# a bundle file this large is read alone, after the ones before it are stored: reading it
# beside another would let one exhaust the memory the other needs
READ_ALONE_BYTES = 32 * 1024 * 1024


def take_in(paths: Iterable[Path], registry: KeyRegistry, ahead: int = 2) -> Iterator[Incoming]:
    """Each bundle read, checked and verified in order, the next `ahead` ones prepared in a
    thread while the caller stores the current one: a database's round trips (PostgreSQL's
    server runs beside this process) would otherwise leave this process idle. At most
    `ahead` + 1 bundles are held at once, and a large one alone. Whatever fails while one
    bundle is read (a MemoryError included) refuses that bundle with its reason."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from ..bundle import BUNDLE_SCHEMA, read_json_bytes
    from ..sign import TrustError, verify

    def prepare(path: Path) -> Incoming:
        try:
            data, raw = read_json_bytes(path, TrustError)
            if data.get("schema") != BUNDLE_SCHEMA:
                raise TrustError(Message("a result set: collect each agency's signed bundle"))
            verified = verify(data, registry)
        except EgovAuditError as exc:  # one bad bundle is refused, the others go on
            return Incoming(path, refused=exc)
        except MemoryError:  # what was built of it is gone with the frame
            return Incoming(path, refused=TrustError(Message(
                "out of memory while reading it: refused (the other bundles go on)"),
                file=str(path)))
        except Exception as exc:  # a bug must cost this bundle only, said with its reason
            error = type(exc).__name__ + ": " + str(exc)[:200]
            return Incoming(path, refused=TrustError(Message("could not be read: {error}",
                                                             error=error), file=str(path)))
        return Incoming(path, data, raw, verified.digest, verified.key_id)

    def large(path: Path) -> bool:
        try:
            return path.stat().st_size > READ_ALONE_BYTES
        except OSError:
            return False  # the gate says why, when it reads it

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="egov-intake") as pool:
        pending: deque[Future[Incoming]] = deque()
        for path in paths:
            if large(path):
                while pending:
                    yield pending.popleft().result()
                yield prepare(path)  # alone: nothing else is being read or held
                continue
            pending.append(pool.submit(prepare, path))
            if len(pending) > max(1, ahead):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _one_line(exc: BaseException) -> str:
    # drivers' messages run over several lines (libpq: one per address it tried)
    return " ".join(str(exc).split())[:500] or type(exc).__name__


def _driver_errors(postgres: bool) -> tuple[type[BaseException], ...]:
    if postgres:
        import psycopg

        return (psycopg.Error,)
    return (sqlite3.Error,)


class Store:
    def __init__(self, url: str, create: bool = True) -> None:
        self.url = url
        self.postgres = url.startswith(("postgresql://", "postgres://"))
        shown = _redact(url)
        if not self.postgres and not create and not Path(_sqlite_path(url)).is_file():
            raise StoreError(Message("no such database (collect bundles into it first)"),
                             file=shown)
        try:
            if self.postgres:
                import psycopg

                self.conn: Any = psycopg.connect(url, autocommit=False, connect_timeout=30)
            else:
                self.conn = self._open_sqlite(url)
        except StoreError:
            raise
        except Exception as exc:  # both drivers raise their own error types
            raise StoreError(Message("cannot open the database: {exc}", exc=_one_line(exc)),
                             file=shown) from None
        unusable: tuple[type[BaseException], ...] = (StoreError, *_driver_errors(self.postgres))
        try:
            self.migrate()
        except _NewerSchema:
            self.conn.close()
            raise
        except unusable as exc:
            self.conn.close()
            reason = exc.message.removeprefix("database error: ") \
                if isinstance(exc, StoreError) else _one_line(exc)
            raise StoreError(Message("not an egov-audit database, or a damaged one: {reason}",
                                     reason=reason),
                             file=shown) from None

    @staticmethod
    def _open_sqlite(url: str) -> sqlite3.Connection:
        path = _sqlite_path(url)
        # a second collector opening the same new file may find it locked while the first one
        # switches it to WAL or migrates it: wait and try again rather than fail
        for attempt in range(100):
            conn = sqlite3.connect(path, timeout=60, isolation_level=None)
            try:
                conn.execute("PRAGMA busy_timeout=60000")
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA foreign_keys=ON")
                return conn
            except sqlite3.OperationalError as exc:
                conn.close()
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(0.05 * (1 + attempt % 10))
        raise StoreError(Message("the database stayed locked"), file=path)

    # -- plumbing -------------------------------------------------------------------------------
    def _sql(self, statement: str) -> str:
        statement = statement.format(serial="BIGSERIAL" if self.postgres else "INTEGER",
                                     blob="BYTEA" if self.postgres else "BLOB")
        return statement.replace("?", "%s") if self.postgres else statement

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self.conn.execute(self._sql(statement), tuple(params))
        except _driver_errors(self.postgres) as exc:
            raise StoreError(Message("database error: {exc}", exc=_one_line(exc)),
                             file=_redact(self.url)) \
                from None

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[None]:
        """One write transaction. SQLite takes the write lock at once (BEGIN IMMEDIATE), so two
        collect processes queue instead of failing; PostgreSQL serialises per agency."""
        for attempt in range(50):
            try:
                if self.postgres:
                    if lock:
                        self.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (lock,))
                else:
                    self.conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError:
                time.sleep(0.05 * (attempt + 1))
        else:
            raise StoreError(Message("the database stayed locked"))
        try:
            yield
        except BaseException:
            self.conn.rollback() if self.postgres else self.conn.execute("ROLLBACK")
            raise
        self.conn.commit() if self.postgres else self.conn.execute("COMMIT")

    def migrate(self) -> int:
        with self.transaction("egov-audit-migrations"):
            self.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
                         "KEY, applied_at TEXT NOT NULL)")
            done = {row[0] for row in self.execute("SELECT version FROM schema_migrations")}
            if done - set(range(1, len(MIGRATIONS) + 1)):
                raise _NewerSchema(f"the database is at schema version {max(done)}, newer than "
                                 f"this egov-audit knows ({len(MIGRATIONS)}): upgrade egov-audit",
                                 file=_redact(self.url))
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
        from ..times import utc_key

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
        from ..sign import TrustError
        from ..times import utc_key

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
                statement = self._sql("INSERT INTO gaps (bundle_id, control, severity, area, "
                                      "targets) VALUES (?, ?, ?, ?, ?)")
                if self.postgres:
                    with self.conn.cursor() as cursor:
                        cursor.executemany(statement, rows)
                else:
                    self.conn.executemany(statement, rows)
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


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url


def _redact(url: str) -> str:
    """A database URL as it may be shown: never its password."""
    import re

    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def open_store(url: str | Path, create: bool = True) -> Store:
    """The national store; `create=False` (reading commands): a missing SQLite file is an error,
    not a new empty database."""
    text = str(url)
    if not text:
        raise UsageError(Message("no database URL"))
    return Store(text, create)

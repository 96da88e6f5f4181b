"""The national store's interface: what `collect`, `scores` and `rescore` ask of it, written
once over SQL both databases speak (their schema, its migrations, storing a verified bundle,
the national table). A database is an implementation of the few things that differ: how it is
opened, how a write transaction is taken, its types and its parameter style (sqlite.py,
postgres.py)."""

from __future__ import annotations

import json
import re
import uuid
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Any, ClassVar

from ..bundle.v2 import V2Stream
from ..errors import EgovAuditError, Message
from ..sign import KeyRegistry, TrustError, verify_v2
from ..times import utc_key, vietnam_month
from .questions import NationalQuestions
from .results import RESULT_COLUMNS, Tally, batches, hosts_of, stored_rows, v1_rows, v2_rows
from .service import ServiceRecords

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
    # 5: results as rows (national questions in SQL), filled from the bundles already stored;
    # which format each bundle's body is in
    ("CREATE TABLE results (bundle_id BIGINT NOT NULL REFERENCES bundles(id), "
     "control TEXT NOT NULL, target TEXT NOT NULL, target_kind TEXT NOT NULL, "
     "status TEXT NOT NULL, severity TEXT NOT NULL, area TEXT NOT NULL, observed TEXT NOT NULL)",
     "ALTER TABLE bundles ADD COLUMN format INTEGER NOT NULL DEFAULT 1",
     "fill results",
     "CREATE INDEX results_by_control ON results (control, status, bundle_id)",
     "CREATE INDEX results_by_bundle ON results (bundle_id)"),
    # 6: results without a foreign key: its check, row by row, was half of what PostgreSQL did
    # to take a bundle in; rows are only ever written in the transaction that makes their
    # bundle (submit), and bundles are never deleted
    ("CREATE TABLE results_new (bundle_id BIGINT NOT NULL, control TEXT NOT NULL, "
     "target TEXT NOT NULL, target_kind TEXT NOT NULL, status TEXT NOT NULL, "
     "severity TEXT NOT NULL, area TEXT NOT NULL, observed TEXT NOT NULL)",
     "INSERT INTO results_new SELECT bundle_id, control, target, target_kind, status, severity, "
     "area, observed FROM results",
     "DROP TABLE results",
     "ALTER TABLE results_new RENAME TO results",
     "CREATE INDEX results_by_control ON results (control, status, bundle_id)",
     "CREATE INDEX results_by_bundle ON results (bundle_id)"),
    # 7: the national service (egov_audit/serve): its shared secret, accounts, the agencies'
    # keys with their revocation, failed logins, the audit log; each bundle's signing time
    ("CREATE TABLE service_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
     "CREATE TABLE accounts (name TEXT PRIMARY KEY, role TEXT NOT NULL, agency TEXT, "
     "password_hash TEXT NOT NULL, disabled INTEGER NOT NULL, epoch INTEGER NOT NULL, "
     "created_at TEXT NOT NULL)",
     "CREATE TABLE agency_keys (key_id TEXT PRIMARY KEY, agency TEXT NOT NULL, "
     "public_pem TEXT NOT NULL, added_at TEXT NOT NULL, revoked_at TEXT)",
     "CREATE TABLE login_failures (at TEXT NOT NULL, account TEXT NOT NULL, "
     "address TEXT NOT NULL)",
     "CREATE INDEX login_failures_by_account ON login_failures (account, at)",
     "CREATE INDEX login_failures_by_address ON login_failures (address, at)",
     "CREATE TABLE audit_log (id {serial} PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, "
     "action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL)",
     "ALTER TABLE bundles ADD COLUMN signed_at TEXT"),
    # 8: each bundle's waivers (as its end lists them, with their state), for the service's
    # agency page; NULL: stored before, in its body only
    ("ALTER TABLE bundles ADD COLUMN waivers TEXT",),
    # 9: the infrastructure area's two parts (the network, the server rooms) counted per
    # bundle and severity, so their scores are weighed on reading (filled from the rows)
    ("CREATE TABLE infrastructure_counts (bundle_id BIGINT NOT NULL, part TEXT NOT NULL, "
     "severity TEXT NOT NULL, counted INTEGER NOT NULL, passed INTEGER NOT NULL, "
     "PRIMARY KEY (bundle_id, part, severity))",
     "INSERT INTO infrastructure_counts SELECT bundle_id, CASE WHEN target_kind = "
     "'server_room' THEN 'server_rooms' ELSE 'network' END, severity, COUNT(*), SUM(CASE WHEN "
     "status = 'pass' THEN 1 ELSE 0 END) FROM results WHERE area = 'infrastructure' AND "
     "status IN ('pass', 'fail', 'error', 'not_assessed') GROUP BY 1, 2, 3"),
    # 10: each bundle's month in Vietnam's time (YYYY-MM): the months and quarters national
    # questions count in (a bundle finished on 31 December at 20:00Z is January's)
    ("ALTER TABLE bundles ADD COLUMN period TEXT",
     "fill period"),
    # 11: the score of the controls judged beside the baseline (the internet-standards
    # profile), apart from the compliance score; NULL: none judged, or stored before (a
    # bundle's rescore fills it)
    ("ALTER TABLE bundles ADD COLUMN beside REAL",),
)


class StoreError(EgovAuditError):
    """The database cannot be opened, migrated or written."""


class NewerSchema(StoreError):
    """The database was migrated by a newer egov-audit."""


class Stale(TrustError):
    """A bundle older than its agency's latest stored one (an old bundle replayed as new?)."""


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


@dataclass(frozen=True)
class _Stored:
    """What a bundle's row gets once its end is read."""

    digest: str
    key: str
    finished: str
    scores: Mapping[str, Any]
    hosts: int
    tally: Tally
    body: bytes
    format: int
    signed_at: str | None
    waivers: list[Any]


class _Undone(Exception):
    """A submission that leaves the store as it was (the transaction is rolled back)."""

    def __init__(self, submission: Submission) -> None:
        super().__init__(submission.outcome)
        self.submission = submission


class Store(NationalQuestions, ServiceRecords, ABC):
    """A national store: opened (and migrated) on construction, closed by `close` or `with`."""

    SERIAL: ClassVar[str]  # the type of an id the database numbers itself
    BLOB: ClassVar[str]  # the type of a signed body's bytes
    PARAMETER: ClassVar[str] = "?"  # how a statement's parameters are written

    def __init__(self, url: str, create: bool = True,
                 renamed_baselines: Mapping[str, str] | None = None) -> None:
        self.url = url
        # former baseline id -> its id now: bundles are stored, and asked for, by the id now
        self.renamed_baselines = dict(renamed_baselines or {})
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
            self._rename_baselines()
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

    def idle(self) -> None:
        """End a read's transaction, if the database opened one: a connection kept between a
        service's requests must not hold one open."""

    @abstractmethod
    def insert_many(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one INSERT statement (already in the database's SQL) for each row."""

    @abstractmethod
    def copy_rows(self, table: str, columns: Sequence[str],
                  rows: Iterable[Sequence[Any]]) -> None:
        """Add rows to a table the fastest way the database has (a bulk load), taking them
        as they come: the database stores some while the caller makes the next."""

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
                    elif statement == "fill period":
                        self._fill_period()
                    elif statement == "fill results":
                        self._fill_results()
                    else:
                        self.execute(statement)
                self.execute("INSERT INTO schema_migrations VALUES (?, ?)",
                             (version, datetime.now(UTC).isoformat()))
        return len(MIGRATIONS)

    def _rename_baselines(self) -> None:
        """Bundles stored under a baseline's former id (before it was renamed, or by an older
        egov-audit) take its id now, so that the nation's table and filters see one baseline.
        The signed body keeps what was signed."""
        if not self.renamed_baselines:
            return
        marks = ", ".join("?" * len(self.renamed_baselines))
        former = tuple(self.renamed_baselines)
        if self.execute(f"SELECT 1 FROM bundles WHERE baseline IN ({marks}) LIMIT 1",
                        former).fetchone() is None:
            return  # the usual case: nothing to write, no write lock taken
        with self.transaction("egov-audit-migrations"):
            for old, new in self.renamed_baselines.items():
                self.execute("UPDATE bundles SET baseline = ? WHERE baseline = ?", (new, old))

    def _fill_finished_utc(self) -> None:
        """Migration 4's data step: the instants of the bundles stored before it (their text
        was checked by the bundle gate when they came in: a zone is always there)."""
        rows = self.execute("SELECT id, finished_at FROM bundles").fetchall()
        for bundle_id, finished in rows:
            self.execute("UPDATE bundles SET finished_utc = ? WHERE id = ?",
                         (utc_key(finished), bundle_id))

    def _fill_period(self) -> None:
        """Migration 10's data step: the Vietnam month of the bundles stored before it."""
        rows = self.execute("SELECT id, finished_at FROM bundles WHERE key_id <> ''").fetchall()
        for bundle_id, finished in rows:
            self.execute("UPDATE bundles SET period = ? WHERE id = ?",
                         (vietnam_month(finished), bundle_id))

    def _fill_results(self) -> None:
        """Migration 5's data step: the results of the bundles stored before it, as rows, one
        bundle at a time (a body the gate refuses now is left without rows, not the migration
        stopped: its agency's table entry stays as it was)."""
        ids = [row[0] for row in self.execute("SELECT id FROM bundles ORDER BY id").fetchall()]
        for bundle_id in ids:
            body = self.execute("SELECT body FROM bundles WHERE id = ?",
                                (bundle_id,)).fetchone()[0]
            try:
                for batch in batches(stored_rows(bytes(body), f"stored bundle {bundle_id}",
                                                 StoreError), bundle_id):
                    self._add_results(batch)
            except (StoreError, zlib.error, MemoryError):
                self.execute("DELETE FROM results WHERE bundle_id = ?", (bundle_id,))

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
        """Store one verified version 1 bundle (`raw`: its file's bytes, kept as the body: read
        back, they are the same bundle) and its results as rows. The same bundle again is a
        no-op; a bundle older than the agency's latest is refused (a replay); a newer one
        becomes its latest."""
        agency = bundle["agency"]
        code, finished = agency["code"], bundle["finished_at"]
        body = zlib.compress(raw if raw is not None else
                             json.dumps(bundle, ensure_ascii=False).encode("utf-8"), 1)
        with self.transaction(code):
            if self._known(digest):
                return Submission("duplicate", code, finished)
            self._refuse_stale(code, finished)
            self._agency(agency)
            bundle_id = self._new_bundle(bundle)
            tally = Tally()
            self._add_results((bundle_id, *row) for row in v1_rows(bundle, tally))
            hosts = sum(1 for t in bundle["targets"] if t["kind"] == "host")
            self._complete(bundle_id, _Stored(digest, key, finished, bundle["scores"], hosts,
                                              tally, body, 1,
                                              bundle.get("signature", {}).get("signed_at"),
                                              list(bundle.get("waivers") or [])))
        return Submission("stored", code, finished)

    def submit_stream(self, records: Iterable[bytes], display: str, registry: KeyRegistry,
                      error_cls: type[EgovAuditError] = TrustError) -> Submission:
        """Store one version 2 bundle as it is read, record by record: its rows go in as they
        come, its bytes are kept compressed as received, and at its end its
        signature is verified. A bundle refused there (tampered, unsigned, a replay), or one
        already stored, leaves nothing behind (one transaction). Memory: a record at a time."""
        stream = V2Stream(display, error_cls)
        packer = zlib.compressobj(1)
        kept: list[bytes] = []

        def keeping() -> Iterator[bytes]:
            for line in records:
                kept.append(packer.compress(line))
                yield line

        tally = Tally()
        rows = v2_rows(stream, keeping(), tally)
        first = next(rows, None)  # the header read (and checked), and the first row
        head = stream.header
        code = head["agency"]["code"]
        try:
            with self.transaction(code):
                self._agency(head["agency"])
                bundle_id = self._new_bundle(head)
                ahead = [first] if first is not None else []
                # one bulk load, fed as the records are read: the database works on the rows
                # while the next are checked
                self._add_results((bundle_id, *row) for row in chain(ahead, rows))
                verified = verify_v2(stream, registry)
                kept.append(packer.flush())
                finished = stream.end["finished_at"]
                if self._known(verified.digest):
                    raise _Undone(Submission("duplicate", code, finished))
                self._refuse_stale(code, finished)
                self._complete(bundle_id, _Stored(verified.digest, verified.key_id, finished,
                                                  stream.end["scores"], hosts_of(stream), tally,
                                                  b"".join(kept), 2,
                                                  stream.signature["signed_at"]
                                                  if stream.signature else None,
                                                  list(stream.end.get("waivers") or [])))
        except _Undone as undone:
            return undone.submission
        return Submission("stored", code, finished)

    def _add_results(self, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self.copy_rows("results", RESULT_COLUMNS, rows)
        except self.driver_errors() as exc:
            raise StoreError(Message("database error: {exc}", exc=one_line(exc)),
                             file=redact(self.url)) from None

    def _known(self, digest: str) -> bool:
        return bool(self.execute("SELECT EXISTS (SELECT 1 FROM bundles WHERE digest = ?)",
                                 (digest,)).fetchone()[0])

    def _refuse_stale(self, code: str, finished: str) -> None:
        latest = self.execute("SELECT MAX(finished_utc) FROM bundles WHERE agency = ? AND "
                              "key_id <> ''", (code,)).fetchone()[0]
        if latest is not None and utc_key(finished) <= latest:
            raise Stale(Message("stale: {code} already has a bundle from {latest}; this "
                                     "one is from {finished} (an old bundle replayed as new?)",
                                     code=code, latest=latest, finished=finished))

    def _agency(self, agency: Mapping[str, Any]) -> None:
        self.execute(
            "INSERT INTO agencies (code, name_vi, name_en, kind, region) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = "
            "excluded.name_en, kind = excluded.kind, region = excluded.region",
            (agency["code"], agency["name"]["vi"], agency["name"]["en"], agency["kind"],
             agency.get("region")))

    def _new_bundle(self, head: Mapping[str, Any]) -> int:
        """A bundle's row, from what its start says (the rest when its end is read): its
        results refer to it as they come in."""
        row = self.execute(
            "INSERT INTO bundles (agency, digest, finished_at, baseline, level, policy_version, "
            "policy_digest, tool_version, hosts, key_id, submitted_at, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?) RETURNING id",
            (head["agency"]["code"], f"pending:{uuid.uuid4()}", head["started_at"],
             self.renamed_baselines.get(head["baseline"], head["baseline"]), head["level"],
             head.get("policy_version"), head["policy_digest"],
             head["tool"]["version"], datetime.now(UTC).isoformat(timespec="seconds"),
             b"")).fetchone()
        return int(row[0])

    def _complete(self, bundle_id: int, stored: _Stored) -> None:
        scores = stored.scores
        by_area = scores.get("by_area", {})
        self.execute(
            "UPDATE bundles SET digest = ?, key_id = ?, finished_at = ?, finished_utc = ?, "
            "period = ?, "
            "overall = ?, infrastructure = ?, ip_addressing = ?, security = ?, coverage = ?, "
            "overall_without_waivers = ?, hosts = ?, waived = ?, portals = ?, portals_ipv6 = ?, "
            "portals_dnssec = ?, portals_web = ?, portals_https = ?, body = ?, format = ?, "
            "signed_at = ?, waivers = ?, beside = ? WHERE id = ?",
            (stored.digest, stored.key, stored.finished, utc_key(stored.finished),
             vietnam_month(stored.finished),
             scores.get("overall"), by_area.get("infrastructure"), by_area.get("ip_addressing"),
             by_area.get("security"), scores.get("coverage"),
             scores.get("overall_without_waivers"), stored.hosts,
             scores.get("counts", {}).get("waived", 0),
             *stored.tally.readiness().columns().values(), stored.body, stored.format,
             stored.signed_at, json.dumps(stored.waivers, ensure_ascii=False),
             scores.get("beside"), bundle_id))
        rows = [(bundle_id, control, severity, area, count)
                for control, (severity, area, count) in stored.tally.gaps.items()]
        if rows:
            self.insert_many(self.sql("INSERT INTO gaps (bundle_id, control, severity, "
                                      "area, targets) VALUES (?, ?, ?, ?, ?)"), rows)
        parts = [(bundle_id, part, severity, counted, passed)
                 for (part, severity), (counted, passed) in stored.tally.parts.items()]
        if parts:
            self.insert_many(self.sql("INSERT INTO infrastructure_counts (bundle_id, part, "
                                      "severity, counted, passed) VALUES (?, ?, ?, ?, ?)"),
                             parts)

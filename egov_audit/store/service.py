"""What the national service keeps in the store besides bundles, so that any number of its
instances share it: the secret its cookies are signed with, accounts with their roles, the
agencies' signing keys (added, revoked with a date), failed logins (the rate limit), and an
audit log of who changed what and when. Mixed into Store, like the national questions."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..errors import EgovAuditError, Message
from ..times import instant, utc_key

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from ..sign import KeyRegistry

ROLES = ("admin", "inspector", "agency")


class RecordError(EgovAuditError):
    """An account or a key that cannot be added or changed as asked."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str  # admin | inspector | agency
    agency: str | None  # the one agency an agency account sees
    password_hash: str
    disabled: bool
    epoch: int  # raised when the account is disabled or its password changes: old cookies die
    created_at: str


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    agency: str
    public_pem: str
    added_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor: str
    action: str
    subject: str
    detail: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class ServiceRecords:
    """Accounts, keys, the audit log, login failures and the cookie secret, in SQL both
    databases speak. Every change is written with its audit entry in one transaction."""

    if TYPE_CHECKING:  # Store's, which this is mixed into: declared for the type checker only
        def execute(self, statement: str, params: Any = ()) -> Any: ...

        def transaction(self, lock: str | None = None) -> AbstractContextManager[None]: ...

    # -- the cookie secret ----------------------------------------------------------------------
    def service_secret(self) -> str:
        """The secret every instance signs cookies with: made once, by whichever instance
        asks first."""
        with self.transaction("egov-audit-secret"):
            self.execute("INSERT INTO service_settings (name, value) VALUES ('cookie_secret', ?) "
                         "ON CONFLICT (name) DO NOTHING", (secrets.token_urlsafe(48),))
            row = self.execute("SELECT value FROM service_settings WHERE name = "
                               "'cookie_secret'").fetchone()
        return str(row[0])

    # -- the audit log --------------------------------------------------------------------------
    def _log(self, actor: str, action: str, subject: str, detail: str = "") -> None:
        self.execute("INSERT INTO audit_log (at, actor, action, subject, detail) VALUES "
                     "(?, ?, ?, ?, ?)", (_now(), actor, action, subject, detail))

    def log_event(self, actor: str, action: str, subject: str, detail: str = "") -> None:
        with self.transaction():
            self._log(actor, action, subject, detail)

    def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        rows = self.execute("SELECT at, actor, action, subject, detail FROM audit_log "
                            "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [AuditEntry(*row) for row in rows]

    # -- accounts -------------------------------------------------------------------------------
    def add_account(self, name: str, role: str, agency: str | None, password_hash: str,
                    actor: str) -> Account:
        if role not in ROLES:
            raise RecordError(Message("unknown role {role!r} (admin, inspector or agency)",
                                      role=role))
        if (role == "agency") != (agency is not None):
            raise RecordError(Message("an agency account names its agency; other roles none"))
        with self.transaction("egov-audit-accounts"):
            if self.account(name) is not None:
                raise RecordError(Message("the account {name!r} exists", name=name))
            self.execute("INSERT INTO accounts (name, role, agency, password_hash, disabled, "
                         "epoch, created_at) VALUES (?, ?, ?, ?, 0, 0, ?)",
                         (name, role, agency, password_hash, _now()))
            self._log(actor, "account.add", name, role + (f" {agency}" if agency else ""))
        account = self.account(name)
        assert account is not None
        return account

    def account(self, name: str) -> Account | None:
        row = self.execute("SELECT name, role, agency, password_hash, disabled, epoch, "
                           "created_at FROM accounts WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        return Account(row[0], row[1], row[2], row[3], bool(row[4]), int(row[5]), row[6])

    def accounts(self) -> list[Account]:
        names = [row[0] for row in self.execute("SELECT name FROM accounts ORDER BY name")]
        return [a for a in (self.account(n) for n in names) if a is not None]

    def set_disabled(self, name: str, disabled: bool, actor: str) -> None:
        with self.transaction("egov-audit-accounts"):
            if self.account(name) is None:
                raise RecordError(Message("no account {name!r}", name=name))
            self.execute("UPDATE accounts SET disabled = ?, epoch = epoch + 1 WHERE name = ?",
                         (1 if disabled else 0, name))
            self._log(actor, "account.disable" if disabled else "account.enable", name)

    def set_password(self, name: str, password_hash: str, actor: str) -> None:
        with self.transaction("egov-audit-accounts"):
            if self.account(name) is None:
                raise RecordError(Message("no account {name!r}", name=name))
            self.execute("UPDATE accounts SET password_hash = ?, epoch = epoch + 1 WHERE "
                         "name = ?", (password_hash, name))
            self._log(actor, "account.password", name)

    # -- failed logins (the rate limit: shared by every instance) -------------------------------
    def login_failed(self, account: str, address: str) -> None:
        with self.transaction():
            self.execute("INSERT INTO login_failures (at, account, address) VALUES (?, ?, ?)",
                         (utc_key(_now()), account, address))
            self._log(account or "-", "login.failed", account, address)

    def login_failures(self, account: str, address: str, window: timedelta) -> tuple[int, int]:
        """Failed logins within `window`: (for this account, from this address)."""
        since = utc_key((datetime.now(UTC) - window).isoformat())
        by_account = self.execute("SELECT COUNT(*) FROM login_failures WHERE account = ? AND "
                                  "at >= ?", (account, since)).fetchone()[0]
        by_address = self.execute("SELECT COUNT(*) FROM login_failures WHERE address = ? AND "
                                  "at >= ?", (address, since)).fetchone()[0]
        return int(by_account), int(by_address)

    # -- the agencies' signing keys -------------------------------------------------------------
    def add_key(self, agency: str, public_pem: str, actor: str) -> list[KeyRecord]:
        """Register every public key of a PEM text for an agency (checked: Ed25519 only)."""
        with self.transaction("egov-audit-keys"):
            added = self._add_keys(agency, public_pem, actor)
        return [k for k in self.agency_keys(agency) if k.key_id in added]

    def rotate_keys(self, agency: str, public_pem: str, revoked_at: str, actor: str
                    ) -> tuple[list[KeyRecord], list[KeyRecord]]:
        """Register an agency's new key(s) and revoke its other unrevoked keys from
        `revoked_at`, in one transaction: (added, revoked)."""
        when = self._instant(revoked_at)
        with self.transaction("egov-audit-keys"):
            earlier = [k.key_id for k in self.agency_keys(agency) if k.revoked_at is None]
            added = self._add_keys(agency, public_pem, actor)
            for kid in earlier:
                self.execute("UPDATE agency_keys SET revoked_at = ? WHERE key_id = ?",
                             (when, kid))
                self._log(actor, "key.revoke", agency, f"{kid} from {when} (rotated)")
        keys = self.agency_keys(agency)
        return ([k for k in keys if k.key_id in added], [k for k in keys if k.key_id in earlier])

    @staticmethod
    def _instant(text: str) -> str:
        try:
            return utc_key(text)
        except ValueError as exc:
            raise RecordError(Message("revocation time {value!r} {exc}", value=text[:40],
                                      exc=str(exc))) from None

    def _add_keys(self, agency: str, public_pem: str, actor: str) -> list[str]:
        from ..sign import key_id, public_keys  # cryptography: only where a key is handled

        added = []
        for public, pem in public_keys(public_pem):
            kid = key_id(public)
            known = self.execute("SELECT agency FROM agency_keys WHERE key_id = ?",
                                 (kid,)).fetchone()
            if known is not None:
                raise RecordError(Message("key {key} is already registered (for {agency})",
                                          key=kid, agency=known[0]))
            self.execute("INSERT INTO agency_keys (key_id, agency, public_pem, added_at) "
                         "VALUES (?, ?, ?, ?)", (kid, agency, pem, _now()))
            self._log(actor, "key.add", agency, kid)
            added.append(kid)
        return added

    def revoke_key(self, kid: str, revoked_at: str, actor: str) -> KeyRecord:
        """From `revoked_at` on (an instant with its UTC offset), the key signs nothing."""
        when = self._instant(revoked_at)
        with self.transaction("egov-audit-keys"):
            row = self.execute("SELECT agency, revoked_at FROM agency_keys WHERE key_id = ?",
                               (kid,)).fetchone()
            if row is None:
                raise RecordError(Message("no registered key {key}", key=kid))
            if row[1] is not None and row[1] <= when:
                raise RecordError(Message("key {key} is already revoked since {at}", key=kid,
                                          at=row[1]))
            self.execute("UPDATE agency_keys SET revoked_at = ? WHERE key_id = ?", (when, kid))
            self._log(actor, "key.revoke", row[0], f"{kid} from {when}")
        return next(k for k in self.agency_keys(row[0]) if k.key_id == kid)

    def agency_keys(self, agency: str | None = None) -> list[KeyRecord]:
        where, params = ("WHERE agency = ?", (agency,)) if agency else ("", ())
        rows = self.execute("SELECT key_id, agency, public_pem, added_at, revoked_at FROM "
                            "agency_keys " + where + " ORDER BY agency, added_at, key_id",
                            params).fetchall()
        return [KeyRecord(*row) for row in rows]

    def key_registry(self, whole: bool = False) -> KeyRegistry:
        """The registry `collect`'s gate verifies against, from the keys in the store: an
        agency's keys are read when a bundle of that agency asks for them, or all at once
        (`whole`: for a registry used beside the store, from another thread)."""
        from ..sign import KeyRegistry  # cryptography: only where a key is handled

        keys = _StoredKeys(self)
        if whole:
            for agency in list(keys):
                _ = keys[agency]  # read now, in this thread
            return KeyRegistry(dict(keys.loaded), dict(keys.revoked))
        return KeyRegistry(keys, keys.revoked)


class _StoredKeys(Mapping[str, list[Any]]):
    """An agency's public keys, read from the store when first asked for."""

    def __init__(self, records: ServiceRecords) -> None:
        self.records = records
        self.loaded: dict[str, list[Any]] = {}
        self.revoked: dict[str, datetime] = {}

    def __getitem__(self, agency: str) -> list[Any]:
        from ..sign import public_keys  # cryptography: only where a key is handled

        if agency not in self.loaded:
            found: list[Any] = []
            for record in self.records.agency_keys(agency):
                found.extend(public for public, _ in public_keys(record.public_pem))
                if record.revoked_at is not None:
                    self.revoked[record.key_id] = instant(record.revoked_at)
            if not found:
                raise KeyError(agency)
            self.loaded[agency] = found
        return self.loaded[agency]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({k.agency for k in self.records.agency_keys()}))

    def __len__(self) -> int:
        return len(set(self))

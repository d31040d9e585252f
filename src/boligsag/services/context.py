"""What every service function receives: the open database, who is acting, and the
clock. Passed in explicitly (no global app object), so tests build one directly.

Every service opens its unit of work through one of two entry points:
``ctx.read(permission)`` for reading and ``ctx.write(permission)`` for changing rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from boligsag.domain.enums import AuditAction, Role
from boligsag.domain.permissions import Permission, has_permission
from boligsag.errors import UserError
from boligsag.storage import audit, audit_anchor, keys
from boligsag.storage.database import Database, WriteStamp

from .errors import NoKeyFile, PermissionDenied, StaleRecord
from .units import ReadUnit, WriteUnit


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Local wall-clock time, which is what a social worker logs and reads."""

    def now(self) -> datetime:
        return datetime.now().replace(microsecond=0)


@dataclass
class FixedClock:
    """A controllable clock for tests and demos."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.current += timedelta(**delta)


@dataclass(frozen=True)
class Actor:
    user_id: int
    user_uuid: str
    username: str
    full_name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return has_permission(self.role, permission)


@dataclass
class AppContext:
    db: Database
    actor: Actor
    # The key file beside an encrypted database file; None over a team server's
    # database, which has none (its accounts and audit key are the server's). Readers
    # that need it call ``key_file()``.
    keys_path: Path | None
    clock: Clock = field(default_factory=SystemClock)
    # Held in memory while unlocked, to wrap it for new users and to key the audit
    # chain; never written out. Empty for a context over an unencrypted copy
    # (benchmarks) or a team server's database (which has no SQLCipher key): its audit
    # entries are then neither secretly keyed nor anchored (a ServerContext keys them
    # with the server's secret instead).
    db_key: bytes = field(default=b"", repr=False)
    # Why the user opened someone else's restricted case, by the person's uuid, for this
    # log-in (services/access_purpose.py); written into those views' audit entries.
    purposes: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # Whether this context has looked for a legacy (unkeyed) audit chain to convert.
    _chain_checked: bool = field(default=False, init=False, repr=False, compare=False)
    _audit_key: bytes = field(default=b"", init=False, repr=False, compare=False)

    @property
    def audit_key(self) -> bytes:
        """The audit chain's HMAC key, derived from the database key."""
        if not self._audit_key and self.db_key:
            self._audit_key = audit.derive_key(self.db_key)
        return self._audit_key

    def key_file(self) -> Path:
        """The key file; NoKeyFile over a database without one (a team server's)."""
        if self.keys_path is None:
            raise NoKeyFile()
        return self.keys_path

    def today(self) -> date:
        return self.clock.now().date()

    def require(self, permission: Permission) -> None:
        if not self.actor.can(permission):
            raise PermissionDenied()

    @contextmanager
    def read(self, permission: Permission | None = None) -> Iterator[ReadUnit]:
        """A unit of work that only reads: the permission is checked before the
        database is touched; a deferred transaction that never takes the write lock and
        refuses writes (ReadOnlyViolation). Entries queued with ``unit.audit`` are
        committed after the read ends and before the ``with`` returns; if that fails,
        the error propagates and the data is never handed out."""
        if permission is not None:
            self.require(permission)
        with self.db.reading() as session:
            unit = ReadUnit(session, self)
            yield unit
        if unit.queued:
            with self.db.writing(self._stamp()) as audit_session:
                for note in unit.queued:
                    self.audit(audit_session, note.action, entity=note.entity,
                               entity_uuid=note.entity_uuid, person_uuid=note.person_uuid,
                               detail=note.detail)

    @contextmanager
    def write(self, permission: Permission | None) -> Iterator[WriteUnit]:
        """A unit of work that changes rows, in this order: permission check (before
        the database is touched; ``None`` means any signed-in user), write lock
        (``BEGIN IMMEDIATE`` with the first statement), the version check of
        ``unit.load_for_edit``, the audit entries, commit. On a clean exit it commits
        (a concurrent save found then is StaleRecord); on any error it rolls back."""
        if permission is not None:
            self.require(permission)
        try:
            with self.db.writing(self._stamp()) as session:
                yield WriteUnit(session, self)
        except StaleDataError:
            # Another connection saved between our read and our write.
            raise StaleRecord() from None

    def _stamp(self) -> WriteStamp:
        return WriteStamp(user_id=self.actor.user_id, now=self.clock.now())

    def audit(
        self,
        session: Session,
        action: AuditAction,
        *,
        entity: str = "",
        entity_uuid: str | None = None,
        person_uuid: str | None = None,
        detail: str = "",
    ) -> None:
        if self.db_key and self.keys_path is not None:
            # The anchor in the key file follows this session's commit a moment later,
            # batched with other commits; lock() brings it up to date (storage/
            # audit_anchor.py). Also for sessions not opened by read()/write(), like the log-in's.
            session.info.setdefault(audit_anchor.TARGET_INFO, audit_anchor.AnchorTarget(
                self.keys_path, self.db.engine, self.audit_key))
        if not self._chain_checked:
            self._convert_legacy_chain(session)
        audit.append(
            session,
            self.audit_key,
            at=self.clock.now(),
            user_id=self.actor.user_id,
            username=self.actor.username,
            action=action,
            entity=entity,
            entity_uuid=entity_uuid,
            person_uuid=person_uuid,
            detail=detail,
        )

    def _convert_legacy_chain(self, session: Session) -> None:
        """On the first audit entry after unlock (the log-in) of a database written
        before the chain was keyed: record in a keyed entry that the unkeyed chain was
        checked, and whether it was intact. That session creates the anchor when it
        commits, before the commit returns."""
        self._chain_checked = True
        if not self.db_key or self.keys_path is None:
            return
        try:
            anchored = keys.KeyStore.load(self.keys_path).audit_anchor is not None
        except UserError:
            return  # no readable key file: nothing to anchor to; the check reports it
        conversion = None if anchored else audit.find_legacy(session, self.audit_key)
        if conversion is None:
            return
        audit.append(session, self.audit_key, at=self.clock.now(),
                     user_id=self.actor.user_id, username=self.actor.username,
                     action=AuditAction.CHAIN_CONVERTED, entity="audit_entries",
                     detail=conversion.detail())
        session.info[audit_anchor.MAY_CREATE_INFO] = True

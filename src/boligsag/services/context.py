"""What every service function receives: the open database, who is acting, and the
clock. Passed in explicitly (no global app object), so tests build one directly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction, Role
from boligsag.domain.permissions import Permission, has_permission
from boligsag.storage import audit
from boligsag.storage.database import Database, WriteStamp

from .errors import PermissionDenied


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
    keys_path: Path
    clock: Clock = field(default_factory=SystemClock)
    # Held in memory while unlocked, to wrap it for new users; never written out.
    db_key: bytes = field(default=b"", repr=False)

    def today(self) -> date:
        return self.clock.now().date()

    def require(self, permission: Permission) -> None:
        if not self.actor.can(permission):
            raise PermissionDenied()

    @contextmanager
    def uow(self, *, read_only: bool = False) -> Iterator[Session]:
        stamp = WriteStamp(user_id=self.actor.user_id, now=self.clock.now())
        with self.db.unit_of_work(stamp, read_only=read_only) as session:
            yield session

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
        audit.append(
            session,
            at=self.clock.now(),
            user_id=self.actor.user_id,
            username=self.actor.username,
            action=action,
            entity=entity,
            entity_uuid=entity_uuid,
            person_uuid=person_uuid,
            detail=detail,
        )

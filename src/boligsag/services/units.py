"""What a service holds inside ``with ctx.read(...)`` / ``with ctx.write(...)``
(services/context.py): the Session, and the few operations whose order matters.

A read unit queues its access-log entries; the context writes them after the read
transaction and before the ``with`` returns, so no data leaves a service unlogged. A
write unit appends them in its own transaction, loads records for editing (gone →
NotFound, saved by someone else since the form opened → StaleRecord) and tombstones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction
from boligsag.storage.models import Record

from .errors import NotFound, StaleRecord

if TYPE_CHECKING:
    from .context import AppContext

R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class AuditNote:
    """One access-log entry, as ``AppContext.audit`` takes it."""

    action: AuditAction
    entity: str = ""
    entity_uuid: str | None = None
    person_uuid: str | None = None
    detail: str = ""


@dataclass
class ReadUnit:
    session: Session
    ctx: AppContext
    queued: list[AuditNote] = field(default_factory=list)

    def audit(self, action: AuditAction, *, entity: str = "", entity_uuid: str | None = None,
              person_uuid: str | None = None, detail: str = "") -> None:
        """Queue an entry; it is committed before the ``with`` returns (or not at all,
        with the data, if the block fails)."""
        self.queued.append(AuditNote(action, entity, entity_uuid, person_uuid, detail))


@dataclass
class WriteUnit:
    session: Session
    ctx: AppContext

    def audit(self, action: AuditAction, *, entity: str = "", entity_uuid: str | None = None,
              person_uuid: str | None = None, detail: str = "") -> None:
        """Append an entry in this transaction: it commits with the change or not at all."""
        self.ctx.audit(self.session, action, entity=entity, entity_uuid=entity_uuid,
                       person_uuid=person_uuid, detail=detail)

    def load_live(self, model: type[R], record_id: int, what: str = "record") -> R:
        """The record, or NotFound if it does not exist or is tombstoned."""
        return get_live(self.session, model, record_id, what)

    def load_for_edit(self, model: type[R], record_id: int, version: int,
                      what: str = "record") -> R:
        """The record the form opened at ``version``: NotFound if gone, StaleRecord if
        someone saved it since."""
        record = get_live(self.session, model, record_id, what)
        check_version(record, version)
        return record

    def tombstone(self, record: Record) -> None:
        tombstone(self.ctx, record)


# -- the shared steps (casework_common re-exports them for older callers) ----------------


def get_live(session: Session, model: type[R], record_id: int, what: str) -> R:
    record = session.get(model, record_id)
    if record is None or record.deleted_at is not None:
        raise NotFound(what)
    return record


def check_version(record: Record, version: int) -> None:
    """The form was opened at ``version``; anything else means someone saved since.
    Compared explicitly because the flush-time check only covers rows that are
    actually UPDATEd, and some saves change only child rows."""
    if record.version != version:
        raise StaleRecord()


def tombstone(ctx: AppContext, record: Record) -> None:
    """Deletion travels as a tombstone, so merges and the audit trail see it."""
    record.deleted_at = ctx.clock.now()
    record.deleted_by_id = ctx.actor.user_id

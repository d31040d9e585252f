"""A laptop's audit trail, at its import, appended to the team server's chain.

As with the entries a push brings (services/sync/push.py, services/server_audit.py),
each laptop entry keeps its own fields (time, username, action, entity, detail) and
becomes a new link of the server's chain, keyed from the server's ``secret.key``; only
its user id is the server's id of the same user (import_plan.py). The laptop's chain is
verified under the laptop's own key before anything is copied (import_laptop.py, with
services/audit_check.py).

A laptop used for years holds hundreds of thousands of entries, so they are chained in
Python and inserted a batch at a time (one statement per batch), not one flush each as
``server_audit.append`` does for a push's few. Their ids are taken from the table's
sequence in one statement per batch, in order, so the chain's order (by id) is the
laptop's.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, insert, select, text
from sqlalchemy.orm import Session

from boligsag.services import server_audit
from boligsag.storage import audit
from boligsag.storage.models import AuditEntry

__all__ = ["append_laptop_trail"]

BATCH = 5_000


def append_laptop_trail(session: Session, secret: bytes, laptop: Connection,
                        user_id: Callable[[int | None], int | None]) -> int:
    """Append every entry of the laptop's ``audit_entries`` (in id order) to the server's
    chain, in ``session``'s transaction; returns how many. ``user_id`` turns a laptop
    user id into the server's."""
    key = server_audit.derive_key(secret)
    server_audit.lock_chain(session)
    previous = session.scalars(select(AuditEntry.hash).order_by(AuditEntry.id.desc())
                               .limit(1)).first() or audit.GENESIS
    table = AuditEntry.__table__
    sequence = session.execute(text("SELECT pg_get_serial_sequence('audit_entries', 'id')")
                               ).scalar_one()
    appended = 0
    result = laptop.execution_options(yield_per=BATCH).execute(
        select(table).order_by(table.c.id))
    for rows in result.partitions(BATCH):
        ids = session.execute(text("SELECT nextval(:sequence) FROM generate_series(1, :n) "
                                   "AS s(i) ORDER BY i"),
                              {"sequence": sequence, "n": len(rows)}).scalars().all()
        values = []
        for new_id, row in zip(ids, rows, strict=True):
            entry = AuditEntry(at=row.at, user_id=user_id(row.user_id), username=row.username,
                               action=row.action, entity=row.entity,
                               entity_uuid=row.entity_uuid, person_uuid=row.person_uuid,
                               detail=row.detail)
            entry.prev_hash = previous
            entry.hash = previous = audit.keyed_digest(key, previous, entry)
            values.append({"id": new_id, "at": entry.at, "user_id": entry.user_id,
                           "username": entry.username, "action": entry.action,
                           "entity": entry.entity, "entity_uuid": entry.entity_uuid,
                           "person_uuid": entry.person_uuid, "detail": entry.detail,
                           "prev_hash": entry.prev_hash, "hash": entry.hash})
        session.execute(insert(table), values)
        appended += len(values)
    return appended

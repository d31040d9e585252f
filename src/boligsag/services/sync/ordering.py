"""The order of changes on the server: ``sync_changes.seq``, and why a pull never skips one.

A pull returns the changes with ``seq`` greater than its cursor. That is only safe if
no transaction can commit a ``seq`` lower than one a pull has already seen, which a plain
sequence does not promise: push A takes seq 5, push B takes 6 and commits first, a pull
sees 6 and moves its cursor past 5 for ever.

So every writer numbers its changes at the END of its transaction, under one
transaction-scoped advisory lock (:data:`ORDER_LOCK_KEY`) that PostgreSQL holds until
commit: the next writer takes its numbers only after the previous one committed, and
any snapshot sees a prefix of the sequence. The lock is held only for the numbering, the
device row, the audit appends and the commit; the merge work happens before it, in
parallel.

Lock order, to stay free of deadlocks: a push's row locks (push.lock_rows), then this
lock, then the device's ``server_devices`` row, then the audit chain's lock
(services/server_audit.py). A login takes the device row and then the audit lock too, so
a login and a push of the same device never wait for each other in a circle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from boligsag.storage.models import ServerDevice, SyncChange
from boligsag.storage.models.sync import SYNC_SEQUENCE

__all__ = ["ORDER_LOCK_KEY", "ChangeEntry", "log_changes", "take_order_lock"]

# Fixed advisory-lock key (the bytes "BSSYNC" and 1), used for nothing else.
ORDER_LOCK_KEY = 0x42535359_4E430001


@dataclass(frozen=True)
class ChangeEntry:
    """One change to log: the row, its version after the change, the wire fields it
    touched, and who made it from where."""

    table: str
    row_uuid: str
    version: int
    fields: Sequence[str]
    deleted: bool
    user_id: int | None
    device_uuid: str | None = None
    batch_uuid: str | None = None


def take_order_lock(session: Session) -> None:
    """Wait for the previous writer's commit; hold the numbering until this one's."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ORDER_LOCK_KEY})


def log_changes(session: Session, entries: Sequence[ChangeEntry], *, now: datetime,
                device_uuid: str | None = None) -> int | None:
    """Number ``entries`` in order and add them to the change log; the caller commits
    right after (the lock taken here is held until then). Call it last in a writing
    transaction, for every change a pull should deliver, also changes the server makes
    itself. Returns the last seq given, or None when there was nothing to log.

    With ``device_uuid``, that device's ``server_devices`` row records the push right
    after the numbering (so the row lock is what a test holds to pause a push there)."""
    if not entries:
        return None
    take_order_lock(session)
    seqs = list(session.scalars(select(SYNC_SEQUENCE.next_value())
                                .select_from(func.generate_series(1, len(entries)))))
    session.execute(insert(SyncChange), [
        {"seq": seq, "table_name": e.table, "row_uuid": e.row_uuid, "version": e.version,
         "fields": json.dumps(sorted(e.fields)), "deleted": e.deleted,
         "user_id": e.user_id, "device_uuid": e.device_uuid, "batch_uuid": e.batch_uuid,
         "at": now}
        for seq, e in zip(seqs, entries, strict=True)])
    last = max(seqs)
    if device_uuid is not None:
        session.execute(update(ServerDevice).where(ServerDevice.uuid == device_uuid)
                        .values(last_push_seq=last, last_seen_at=now))
    return last

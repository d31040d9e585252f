"""Idempotent pushes: each (device, batch) is applied once (design.md "Idempotency").

A push claims its batch first, by inserting the ``sync_batches`` row. A batch already
there (its acknowledgement was lost, and the laptop pushes it again) returns the result
stored with it and changes nothing. Two copies of one batch pushed at the same time
meet at the primary key: the second insert waits for the first transaction, then finds
its row and returns its result (or, if the first rolled back, claims the batch itself).

``boligsag server prune`` removes the rows of old batches (services/server/prune.py): a
batch pushed again after that is claimed anew, and the merge recognises what it did by
its change-log entries (merge_reads.Reads.applied_before); where those are pruned too,
the merge rules keep it safe (a create already applied is a no-op or a conflict, never
a second row).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from boligsag.storage.models import SyncBatch

from .actor import SyncActor
from .errors import Refused

__all__ = ["claim", "store_result"]


def claim(session: Session, actor: SyncActor, batch_uuid: str,
          now: datetime) -> dict[str, Any] | None:
    """None when this push is the batch's first; otherwise the stored PushResult."""
    while True:
        claimed = session.execute(
            insert(SyncBatch)
            .values(device_uuid=actor.device_id, batch_uuid=batch_uuid,
                    user_id=actor.user_id, received_at=now, result="")
            .on_conflict_do_nothing(index_elements=["device_uuid", "batch_uuid"])
            .returning(SyncBatch.batch_uuid)).first()
        if claimed is not None:
            return None
        row = session.execute(select(SyncBatch.user_id, SyncBatch.result).where(
            SyncBatch.device_uuid == actor.device_id,
            SyncBatch.batch_uuid == batch_uuid)).first()
        if row is not None:
            break
        # Removed between the two statements by `boligsag server prune`
        # (services/server/prune.py), which the next insert then sees: the batch is new.
    if row.user_id != actor.user_id:
        raise Refused("this batch was pushed by another user")
    stored: dict[str, Any] = json.loads(row.result)
    return stored


def store_result(session: Session, actor: SyncActor, batch_uuid: str,
                 result: dict[str, Any]) -> None:
    session.execute(update(SyncBatch).where(
        SyncBatch.device_uuid == actor.device_id, SyncBatch.batch_uuid == batch_uuid)
        .values(result=json.dumps(result, ensure_ascii=False)))

"""Appending to and verifying the tamper-evident audit log.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's own
fields, so editing or deleting an entry anywhere breaks every later link. Entries
name records by UUID and describe actions in a few words; they never carry note
text or CPR numbers.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction

from .models import AuditEntry

GENESIS = "0" * 64


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    payload = json.dumps(
        [
            prev_hash,
            entry.at.isoformat(timespec="microseconds"),
            entry.user_id,
            entry.username,
            str(entry.action),
            entry.entity,
            entry.entity_uuid,
            entry.person_uuid,
            entry.detail,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    at: datetime,
    user_id: int | None,
    username: str,
    action: AuditAction,
    entity: str = "",
    entity_uuid: str | None = None,
    person_uuid: str | None = None,
    detail: str = "",
) -> AuditEntry:
    last = session.scalars(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    entry = AuditEntry(
        at=at,
        user_id=user_id,
        username=username,
        action=action,
        entity=entity,
        entity_uuid=entity_uuid,
        person_uuid=person_uuid,
        detail=detail[:300],
    )
    entry.prev_hash = last or GENESIS
    entry.hash = _digest(entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    return entry


def verify_chain(session: Session) -> list[int]:
    """Ids of entries whose link is broken (empty when the log is intact)."""
    broken: list[int] = []
    prev = GENESIS
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(2000):
        if entry.prev_hash != prev or entry.hash != _digest(entry.prev_hash, entry):
            broken.append(entry.id)
        prev = entry.hash
    return broken

"""Pulled pages into a laptop database (issue 12, design.md "Pull").

A page (a PullPage as services/sync/pull.py returns it) is applied in ONE write
transaction: its rows inside :func:`~boligsag.storage.sync_applying.applying`, so the
outbox triggers record none of them (they are the server's, not this laptop's changes),
then the page's cursor, stored after the applying block ended (the block's flag row
must be gone before the commit) and before the commit. A failure anywhere rolls back
the rows and the cursor together, so the next pull asks for the same page again.

Each row is written by the engine's own wire writer (services/sync/wire_write.py: Core,
dialect-neutral) and then given the server's version, and tombstoned when the server
deleted it; a row tombstoned here that the server holds live (a deletion it kept apart
as a delete_of_edited conflict) is brought back, unless a deletion here waits to be
pushed. A row that refers to a row this laptop has not received yet waits in
``sync_inbox`` and is tried again after each page, until a try makes no progress. A
row edited here and not pushed yet keeps the edited fields: every other pulled field is
applied, and the outbox entry's base moves to the pulled version (the server merges or
records a conflict when the edit is pushed). A row created here (outbox ``["*"]``) that
the server also has is left as it is: the push will meet it as created twice.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import groupby
from typing import Any

from sqlalchemy import Executable, bindparam, delete, select, update
from sqlalchemy.orm import Session

from boligsag.services.sync.errors import BadBatch
from boligsag.services.sync.wire_creates import apply_creates, batchable
from boligsag.services.sync.wire_tables import SYNCED_TABLES
from boligsag.services.sync.wire_write import apply_change, mark_deleted, row_id
from boligsag.storage.database import Database
from boligsag.storage.models import Base, SyncInboxEntry, SyncOutboxEntry
from boligsag.storage.sync_applying import applying

from . import server_link

__all__ = ["ApplyResult", "apply_page", "apply_pages"]

_log = logging.getLogger(__name__)
_CREATED_HERE = "*"
_ORDER = {name: index for index, name in enumerate(SYNCED_TABLES)}


@dataclass
class ApplyResult:
    """What applying one page (or several, :func:`apply_pages`) did."""

    applied: int = 0  # rows written from the page or from the inbox
    from_inbox: int = 0  # of those, rows that had waited in the inbox
    waiting: int = 0  # rows in the inbox afterwards (a reference still unknown)
    kept_local: int = 0  # rows whose local unpushed edits were kept
    created_twice: list[tuple[str, str]] = field(default_factory=list)  # (table, uuid)
    cursor: str | None = None
    more: bool = False


_ROW = "pulled_row_id"  # a parameter name no column has
_TOGETHER_FROM = 8  # new rows of one table in a page worth one batched create
_LOOKUP_CHUNK = 500  # uuids per IN list


@cache
def _set_version(table: str) -> Executable:
    t = Base.metadata.tables[table]
    return update(t).where(t.c.id == bindparam(_ROW))


@cache
def _revive(table: str) -> Executable:
    t = Base.metadata.tables[table]
    return (update(t).where(t.c.id == bindparam(_ROW), t.c.deleted_at.is_not(None))
            .values(deleted_at=None, deleted_by_id=None))


def _is_missing_reference(error: BadBatch) -> bool:
    text = str(error)
    return "a referenced " in text and text.endswith(" row does not exist")


def _apply_row(session: Session, row: dict[str, Any], now: datetime,
               result: ApplyResult) -> None:
    """Write one pulled wire row; BadBatch (nothing written) when it cannot be."""
    table, uuid, version = row["table"], row["uuid"], int(row["version"])
    fields: dict[str, Any] = dict(row["fields"])
    exists = row_id(session, table, uuid) is not None
    entry = session.get(SyncOutboxEntry, (table, uuid)) if exists else None
    if entry is not None:
        local_fields = json.loads(entry.fields)
        if _CREATED_HERE in local_fields:
            result.created_twice.append((table, uuid))
            return
        for name in local_fields:
            fields.pop(name, None)
    target = apply_change(session, table, uuid, fields, create=not exists, user_id=None,
                          now=now, version=version)
    if not exists:
        # A created row starts at version 1 (wire_write); it takes the server's.
        session.execute(_set_version(table), {"version": version, _ROW: target})
    if entry is not None:
        entry.base_version = version
        result.kept_local += 1
    if row.get("deleted"):
        mark_deleted(session, table, uuid, user_id=None, now=now)
    elif exists and (entry is None or not entry.deleted):
        # Live on the server: a tombstone here was a deletion the server did not take
        # (kept apart as a delete_of_edited conflict) and must not hide the row. An
        # unpushed deletion here (its outbox entry) stays until the push.
        session.execute(_revive(table), {_ROW: target})
    result.applied += 1


def _hold(session: Session, row: dict[str, Any], now: datetime) -> None:
    """Keep ``row`` in the inbox, replacing an older wait of the same row."""
    key = (row["table"], row["uuid"])
    waiting = session.get(SyncInboxEntry, key)
    if waiting is not None and waiting.version > int(row["version"]):
        return
    if waiting is None:
        waiting = SyncInboxEntry(table_name=key[0], row_uuid=key[1])
        session.add(waiting)
    waiting.version = int(row["version"])
    waiting.row_json = json.dumps(row)
    waiting.received_at = now
    session.flush()


def _take(session: Session, row: dict[str, Any], now: datetime,
          result: ApplyResult) -> bool:
    """Apply ``row`` or hold it in the inbox; whether it was applied."""
    try:
        _apply_row(session, row, now, result)
    except BadBatch as error:
        if not _is_missing_reference(error):
            raise
        _hold(session, row, now)
        return False
    return True


def _create_together(session: Session, table: str, rows: list[dict[str, Any]],
                     now: datetime, result: ApplyResult) -> list[dict[str, Any]]:
    """Create the live rows of ``table`` this laptop does not hold yet in a few
    statements (wire_creates.apply_creates, as the server writes a push's new rows), and
    return the rest for :func:`_take` one at a time. A first pull is nearly all new
    rows: one at a time, each cost five statements (~1 ms here), a team's first pull
    many minutes. If the batch cannot be written together (a row refers to one that has
    not arrived yet), nothing of it is, and every row goes the one-at-a-time way, which
    holds such rows in the inbox."""
    if len(rows) < _TOGETHER_FROM or not batchable(table):
        return rows
    t = Base.metadata.tables[table]
    held: set[str] = set()
    uuids = [str(r["uuid"]) for r in rows]
    for start in range(0, len(uuids), _LOOKUP_CHUNK):
        held.update(session.scalars(select(t.c.uuid).where(
            t.c.uuid.in_(uuids[start:start + _LOOKUP_CHUNK]))))
    new = [r for r in rows if not r.get("deleted") and str(r["uuid"]) not in held]
    if len(new) < _TOGETHER_FROM:
        return rows
    try:
        with session.begin_nested():
            apply_creates(session, table, [(str(r["uuid"]), dict(r["fields"])) for r in new],
                          user_id=None, now=now, versions=[int(r["version"]) for r in new])
    except BadBatch:
        return rows
    result.applied += len(new)
    made = {id(r) for r in new}
    return [r for r in rows if id(r) not in made]


def _retry_inbox(session: Session, now: datetime, result: ApplyResult) -> None:
    """Try the waiting rows again, parents first, until a round lands none."""
    while True:
        entries = sorted(session.scalars(select(SyncInboxEntry)),
                         key=lambda e: (_ORDER.get(e.table_name, len(_ORDER)), e.row_uuid))
        landed = 0
        for entry in entries:
            row = json.loads(entry.row_json)
            try:
                _apply_row(session, row, now, result)
            except BadBatch as error:
                if not _is_missing_reference(error):
                    raise
                continue
            session.delete(entry)
            session.flush()
            landed += 1
        result.from_inbox += landed
        if not landed:
            return


def _apply_in(session: Session, page: dict[str, Any], now: datetime) -> ApplyResult:
    result = ApplyResult(cursor=page.get("cursor"), more=bool(page.get("more")))
    with applying(session):
        inbox_had_rows = session.scalar(select(SyncInboxEntry.row_uuid).limit(1)) is not None
        for table, group in groupby(page["rows"], key=lambda r: str(r["table"])):
            rows = list(group)
            if inbox_had_rows:  # a newer pulled state replaces an older one waiting
                for row in rows:
                    session.execute(delete(SyncInboxEntry).where(
                        SyncInboxEntry.table_name == row["table"],
                        SyncInboxEntry.row_uuid == row["uuid"],
                        SyncInboxEntry.version <= int(row["version"])))
            for row in _create_together(session, table, rows, now, result):
                _take(session, row, now, result)
        _retry_inbox(session, now, result)
        waiting = list(session.scalars(select(SyncInboxEntry.table_name)))
        result.waiting = len(waiting)
    if waiting and not result.more:
        # Only the tables: a row's uuid or values are no business of a log.
        _log.info("pulled rows still waiting for what they refer to: %s",
                  dict(Counter(waiting)))
    # After the applying block: its flag row is gone, so the commit is allowed.
    server_link.set_cursor(session, result.cursor)
    return result


def _database(target: Any) -> tuple[Database, datetime]:
    """The database and the time of writing, from an AppContext or a bare Database."""
    if isinstance(target, Database):
        return target, datetime.now()
    return target.db, target.clock.now()


def apply_page(target: Any, page: dict[str, Any]) -> ApplyResult:
    """Apply one pulled page to the laptop database of ``target`` (an AppContext or a
    Database) in one transaction, the page's cursor stored with it."""
    db, now = _database(target)
    with db.writing(None) as session:
        return _apply_in(session, page, now)


def apply_pages(target: Any, pages: Iterable[dict[str, Any]]) -> ApplyResult:
    """Apply pages in order, each in its own transaction; the totals, and the last
    page's cursor, ``more`` and inbox count."""
    total = ApplyResult()
    for page in pages:
        one = apply_page(target, page)
        total.applied += one.applied
        total.from_inbox += one.from_inbox
        total.kept_local += one.kept_local
        total.created_twice.extend(one.created_twice)
        total.waiting, total.cursor, total.more = one.waiting, one.cursor, one.more
    return total

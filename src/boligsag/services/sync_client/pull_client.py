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
pushed. A page's new live rows of a table are created together (wire_creates, a few
statements for all: a first pull is nearly all new rows). A row that refers to a row
this laptop has not received yet waits in ``sync_inbox``; the waiting rows are tried
again after the last page of a pull (or once 20,000 wait), until a try makes no
progress. A row edited here and not pushed yet keeps the edited fields: every other
pulled field is applied, and the outbox entry's base moves to the pulled version (the
server merges or records a conflict when the edit is pushed). A row created here
(outbox ``["*"]``) that the server also has is left as it is: the push will meet it as
created twice. A page that says the user's scope may have moved stores that the
comparison with the server is due (server_link.set_reconcile_due), with its cursor.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import groupby
from typing import Any

from sqlalchemy import Executable, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from boligsag.services.sync.errors import BadBatch
from boligsag.services.sync.wire_creates import (
    CheckedCreate,
    batchable,
    check_create,
    create_checked,
)
from boligsag.services.sync.wire_ids import row_ids
from boligsag.services.sync.wire_tables import SYNCED_TABLES
from boligsag.services.sync.wire_write import apply_change, mark_deleted, row_id
from boligsag.storage.database import Database
from boligsag.storage.models import Base, SyncInboxEntry, SyncOutboxEntry
from boligsag.storage.sync_applying import applying

from . import server_link
from .ssp_follow import follow_ssp_access

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
_RETRY_INBOX_AT = 20000  # rows waiting in the inbox that are tried before the last page


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


def _drop_older_waits(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    """Remove inbox rows of ``table`` that ``rows`` bring at the same or a newer version."""
    version = {str(r["uuid"]): int(r["version"]) for r in rows}
    uuids = sorted(version)
    for start in range(0, len(uuids), _LOOKUP_CHUNK):
        part = uuids[start:start + _LOOKUP_CHUNK]
        older = [u for u, v in session.execute(
            select(SyncInboxEntry.row_uuid, SyncInboxEntry.version).where(
                SyncInboxEntry.table_name == table, SyncInboxEntry.row_uuid.in_(part)))
            if v <= version[u]]
        if older:
            session.execute(delete(SyncInboxEntry).where(
                SyncInboxEntry.table_name == table, SyncInboxEntry.row_uuid.in_(older)))


def _hold_many(session: Session, table: str, rows: list[dict[str, Any]],
               now: datetime) -> None:
    """:func:`_hold` for many new rows of one table: a few statements, not a flush each
    (a first pull may hold thousands of contacts until their people arrive)."""
    newest: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen = newest.get(str(row["uuid"]))
        if seen is None or int(seen["version"]) <= int(row["version"]):
            newest[str(row["uuid"])] = row
    uuids = sorted(newest)
    for start in range(0, len(uuids), _LOOKUP_CHUNK):
        part = uuids[start:start + _LOOKUP_CHUNK]
        waiting = dict(session.execute(
            select(SyncInboxEntry.row_uuid, SyncInboxEntry.version).where(
                SyncInboxEntry.table_name == table, SyncInboxEntry.row_uuid.in_(part))).all())
        write = [u for u in part if waiting.get(u, -1) <= int(newest[u]["version"])]
        if not write:
            continue
        session.execute(delete(SyncInboxEntry).where(
            SyncInboxEntry.table_name == table, SyncInboxEntry.row_uuid.in_(write)))
        session.execute(insert(SyncInboxEntry), [
            {"table_name": table, "row_uuid": u, "version": int(newest[u]["version"]),
             "row_json": json.dumps(newest[u]), "received_at": now} for u in write])


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
                     now: datetime, result: ApplyResult
                     ) -> tuple[list[dict[str, Any]], set[int]]:
    """Create the live rows of ``table`` this laptop does not hold yet in a few
    statements (wire_creates, as the server writes a push's new rows), and return the
    rest for :func:`_take` one at a time, with the ``id()`` of the new rows among them
    that refer to a row not here yet (to wait in the inbox without a try).
    A first pull is nearly all new rows: one at a time, each cost five statements
    (~1 ms here), a team's first pull many minutes. If the batch still cannot be
    written together, nothing of it is (create_checked refuses before its first
    write), and every row goes the one-at-a-time way.

    No savepoint around the batch: inside one, every statement that fires a trigger
    (each link row does: the first-topic and outbox triggers) got slower as the
    transaction and the file grew, up to ~2 ms a contact, and a first pull of the
    bench team took 280 s of writing instead of ~60 s."""
    if len(rows) < _TOGETHER_FROM or not batchable(table):
        return rows, set()
    t = Base.metadata.tables[table]
    held: set[str] = set()
    uuids = [str(r["uuid"]) for r in rows]
    for start in range(0, len(uuids), _LOOKUP_CHUNK):
        held.update(session.scalars(select(t.c.uuid).where(
            t.c.uuid.in_(uuids[start:start + _LOOKUP_CHUNK]))))
    new = [r for r in rows if not r.get("deleted") and str(r["uuid"]) not in held]
    ready, unready = _references_here(session, table, new)
    if len(ready) < _TOGETHER_FROM:
        return rows, unready
    try:
        create_checked(session, table, [checked for _row, checked in ready], user_id=None,
                       now=now, versions=[int(row["version"]) for row, _one in ready])
    except BadBatch:
        return rows, set()
    result.applied += len(ready)
    made = {id(row) for row, _one in ready}
    return [r for r in rows if id(r) not in made], unready


def _references_here(session: Session, table: str, rows: list[dict[str, Any]]
                     ) -> tuple[list[tuple[dict[str, Any], CheckedCreate]], set[int]]:
    """The rows whose every reference this laptop holds already (one look-up for all),
    each with its checked fields: only those can be created together; and the ``id()``
    of those that refer to a row not here yet, which wait in the inbox."""
    checked: list[tuple[dict[str, Any], CheckedCreate]] = []
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        try:
            one = check_create(session, table, row["uuid"], dict(row["fields"]))
        except BadBatch:
            continue  # the one-at-a-time way says what is wrong with it
        checked.append((row, one))
        for ref, uuids in one.pending.uuids.items():
            wanted[ref] |= uuids
    found = row_ids(session).ids_of(session, wanted)
    ready: list[tuple[dict[str, Any], CheckedCreate]] = []
    unready: set[int] = set()
    for row, one in checked:
        if all(u in found.get(ref, {}) for ref, uuids in one.pending.uuids.items()
               for u in uuids):
            ready.append((row, one))
        else:
            unready.add(id(row))
    return ready, unready


def _retry_inbox(session: Session, now: datetime, result: ApplyResult) -> None:
    """Try the waiting rows again, parents first (a table's new rows together, as a
    page's are), until a round lands none."""
    while True:
        # populate_existing: _hold_many writes with Core, past the session's objects.
        entries = sorted(session.scalars(select(SyncInboxEntry).execution_options(
                             populate_existing=True)),
                         key=lambda e: (_ORDER.get(e.table_name, len(_ORDER)), e.row_uuid))
        landed = 0
        for table, group in groupby(entries, key=lambda e: e.table_name):
            pairs = [(entry, json.loads(entry.row_json)) for entry in group]
            left, unready = _create_together(session, table, [row for _e, row in pairs],
                                             now, result)
            rest = {id(row) for row in left}
            for entry, row in pairs:
                if id(row) in unready:
                    continue  # still refers to a row not here: it keeps waiting
                if id(row) in rest:
                    try:
                        _apply_row(session, row, now, result)
                    except BadBatch as error:
                        if not _is_missing_reference(error):
                            raise
                        continue
                session.delete(entry)
                landed += 1
            session.flush()
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
                _drop_older_waits(session, table, rows)
            rest, unready = _create_together(session, table, rows, now, result)
            # New rows that refer to a row not here yet wait in the inbox, untried.
            _hold_many(session, table, [r for r in rest if id(r) in unready], now)
            for row in rest:
                if id(row) not in unready:
                    _take(session, row, now, result)
        # The waiting rows are tried after the last page (and when many wait): trying
        # every one after every page cost a first pull of a large team most of its time.
        held_back = session.scalar(select(func.count()).select_from(SyncInboxEntry)) or 0
        if held_back and (not result.more or held_back >= _RETRY_INBOX_AT):
            _retry_inbox(session, now, result)
        waiting = list(session.scalars(select(SyncInboxEntry.table_name)))
        result.waiting = len(waiting)
        follow_ssp_access(session, page)
    if waiting and not result.more:
        # Only the tables: a row's uuid or values are no business of a log.
        _log.info("pulled rows still waiting for what they refer to: %s",
                  dict(Counter(waiting)))
    # After the applying block: its flag row is gone, so the commit is allowed.
    server_link.set_cursor(session, result.cursor)
    if page.get("rescope"):  # kept with the page: an interrupted sync still compares
        server_link.set_reconcile_due(session, True)
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

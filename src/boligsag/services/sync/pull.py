"""A laptop's pull: the current state of every row changed since its cursor that it may
see (scope.py), a page at a time (design.md "Sync engine", issue 11 §3); of a list
naming people one by one (a session's attendance), only the items about people it may
see (people_lists.py).

The change log is read in ``seq`` order from the cursor on. A row changed several times
is sent once, at its newest change: an older change of a row that changed again is
skipped, since the newer one (further on, or in this page) carries the same current
state. So each page holds every row whose newest change lies in its stretch of the log,
and nothing else; the next page starts right after that stretch.

The cursor names the last change a page covered, nothing kept on the server: a pull
interrupted half-way (the response lost) is asked again from the cursor the laptop
stored, and gets the same rows and everything committed since. A pull runs in one
snapshot (the read unit's REPEATABLE READ), and ordering.py makes every snapshot hold a
prefix of the log, so no change can appear later below a cursor already handed out.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased

from boligsag.storage.models import Base, SyncChange

from . import people_lists, scope, wire
from .actor import SyncActor
from .errors import BadBatch
from .wire_ids import among, chunks

__all__ = ["MAX_LIMIT", "decode_cursor", "encode_cursor", "pull"]

MAX_LIMIT = 5000  # changes per page
_PREFIX = "c1."


def encode_cursor(seq: int) -> str:
    return f"{_PREFIX}{seq}"


def decode_cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    if not isinstance(cursor, str) or not cursor.startswith(_PREFIX):
        raise BadBatch("cursor: not a cursor this server gave")
    digits = cursor[len(_PREFIX):]
    if not digits.isdigit() or len(digits) > 19:
        raise BadBatch("cursor: not a cursor this server gave")
    return int(digits)


def pull(session: Session, actor: SyncActor, cursor: str | None, limit: int) -> dict[str, Any]:
    """One page (a PullPage) of what ``actor`` may see, changed after ``cursor``: rows
    parents first, the cursor to ask with next, and whether more is waiting."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadBatch(f"limit: expected an integer from 1 to {MAX_LIMIT}")
    after = decode_cursor(cursor)
    window = _newest_changes(session, after, limit + 1)
    more = len(window) > limit
    window = window[:limit]
    by_table: dict[str, list[str]] = defaultdict(list)
    for _seq, table, row_uuid in window:
        by_table[table].append(row_uuid)
    rows: list[dict[str, Any]] = []
    for table in wire.SYNCED_TABLES:  # parents before children
        uuids = by_table.get(table)
        if not uuids:
            continue
        ids = _visible_ids(session, actor, table, uuids)
        rows.extend(wire.rows_to_wire(session, table, [ids[u] for u in uuids if u in ids]))
    people_lists.strip_pulled(session, actor, rows)
    return {"rows": rows, "cursor": encode_cursor(page_end(window, after)), "more": more}


def _visible_ids(session: Session, actor: SyncActor, table: str,
                 uuids: list[str]) -> dict[str, int]:
    """The local ids of the rows among ``uuids`` that ``actor`` may see: the scope's SQL
    condition (scope.visible_condition) applied in the same select that finds the ids."""
    t = Base.metadata.tables[table]
    condition = scope.visible_condition(actor, table)
    found: dict[str, int] = {}
    for part in chunks(session, uuids):
        found.update((row.uuid, row.id) for row in session.execute(
            select(t.c.uuid, t.c.id).where(among(session, t.c.uuid, part), condition)))
    return found


def page_end(window: list[tuple[int, str, str]], after: int) -> int:
    """The seq the next page starts after: the last change this page covered."""
    return window[-1][0] if window else after


def _newest_changes(session: Session, after: int, count: int) -> list[tuple[int, str, str]]:
    """Up to ``count`` changes after seq ``after``, in seq order, each the newest change
    of its row (an index probe per change on (table_name, row_uuid, version))."""
    newer = aliased(SyncChange)
    query = (select(SyncChange.seq, SyncChange.table_name, SyncChange.row_uuid)
             .where(SyncChange.seq > after,
                    ~exists().where(and_(newer.table_name == SyncChange.table_name,
                                         newer.row_uuid == SyncChange.row_uuid,
                                         newer.version > SyncChange.version)))
             .order_by(SyncChange.seq).limit(count))
    return [(row.seq, row.table_name, row.row_uuid) for row in session.execute(query)]

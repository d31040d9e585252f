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
stored, and gets the same rows and everything committed since. It also names the server
database (its ``database_id`` setting, made by ``boligsag server init`` and made anew by
a restore from backup, installer/server/README.md): a change number means nothing in
another database, nor in this one restored to an earlier state, so a cursor from either
is refused (:class:`CursorFromOtherServer`) and the laptop pulls from the start. A pull runs in one
snapshot (the read unit's REPEATABLE READ), and ordering.py makes every snapshot hold a
prefix of the log, so no change can appear later below a cursor already handed out.

The wire form of the rows is kept for the next puller (pull_cache.py): the laptops of a
team pull the same changes. A page shares the kept rows; a row of which the actor may not
see everything is replaced in the page by a copy without it, the kept row left whole.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, exists, select, text
from sqlalchemy.orm import Session, aliased

from boligsag.services import org_settings
from boligsag.storage.models import SyncChange

from . import people_lists, pull_cache, scope, wire
from .actor import SyncActor
from .errors import BadBatch, CursorFromOtherServer
from .ssp_strip import strip_ssp_notes
from .wire_read import rows_to_wire_by_uuid

__all__ = ["MAX_LIMIT", "cursor_at", "decode_cursor", "encode_cursor", "pull", "server_id"]

MAX_LIMIT = 5000  # changes per page
_PREFIX = "c2."
_OLDER = ("c1.",)  # cursors of earlier server versions: they named no database
_ID = re.compile(r"[0-9a-f-]{0,36}")


def server_id(session: Session) -> str:
    """This database's identity (empty on a database ``server init`` did not make)."""
    return str(org_settings.get_setting(session, "database_id"))


def encode_cursor(seq: int, database_id: str) -> str:
    return f"{_PREFIX}{database_id}.{seq}"


def cursor_at(session: Session, seq: int) -> str:
    """The cursor of a pull that has seen every change up to ``seq``."""
    return encode_cursor(seq, server_id(session))


def decode_cursor(cursor: str | None, database_id: str) -> int:
    """The last change number ``cursor`` covered (0: none, a first pull)."""
    if cursor is None or cursor == "":
        return 0
    if not isinstance(cursor, str):
        raise BadBatch("cursor: not a cursor this server gave")
    if cursor.startswith(_OLDER):
        raise CursorFromOtherServer(_OTHER)
    parts = cursor[len(_PREFIX):].split(".") if cursor.startswith(_PREFIX) else []
    if (len(parts) != 2 or not _ID.fullmatch(parts[0]) or not parts[1].isdigit()
            or len(parts[1]) > 19):
        raise BadBatch("cursor: not a cursor this server gave")
    if parts[0] != database_id:
        raise CursorFromOtherServer(_OTHER)
    return int(parts[1])


_OTHER = ("cursor: from another server database, or from this one before it was "
          "restored from a backup; pull again from the start")


def pull(session: Session, actor: SyncActor, cursor: str | None, limit: int) -> dict[str, Any]:
    """One page (a PullPage) of what ``actor`` may see, changed after ``cursor``: rows
    parents first, the cursor to ask with next, and whether more is waiting."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadBatch(f"limit: expected an integer from 1 to {MAX_LIMIT}")
    _plan_for_probes(session)
    database_id = server_id(session)
    after = decode_cursor(cursor, database_id)
    window = _newest_changes(session, after, limit + 1)
    more = len(window) > limit
    window = window[:limit]
    by_table: dict[str, list[str]] = defaultdict(list)
    for _seq, table, row_uuid in window:
        by_table[table].append(row_uuid)
    rows: list[dict[str, Any]] = []
    cache = (pull_cache.for_session(session), database_id)
    for table in wire.SYNCED_TABLES:  # parents before children
        uuids = by_table.get(table)
        if not uuids:
            continue
        table_rows = rows_to_wire_by_uuid(session, table, uuids,
                                          scope.visible_condition(actor, table), cache=cache)
        hidden = scope.hidden_fields(actor, table)
        if hidden:  # the rows are shared with other pulls: the actor's own copies
            table_rows = [{**row, "fields": {name: value for name, value
                                             in row["fields"].items() if name not in hidden}}
                          for row in table_rows]
        rows.extend(table_rows)
    people_lists.strip_pulled(session, actor, rows)  # copies what it changes
    strip_ssp_notes(session, actor, rows)  # likewise
    return {"rows": rows, "cursor": encode_cursor(page_end(window, after), database_id),
            "more": more, "ssp_access": actor.ssp_access}


def _plan_for_probes(session: Session) -> None:
    """Let PostgreSQL plan this pull's reads as what they are: a few thousand rows found
    by key (uuid, id) in tables whose pages the server keeps cached, for the length of
    the pull's transaction only (SET LOCAL).

    With its defaults (a random page costing four sequential ones, parallel workers
    allowed) the planner reads e.g. 5,000 contacts by uuid with a parallel scan of all
    500,000: on the benchmark's server 180-280 ms a page against 50-115 ms by index,
    and a contact's links likewise, for every page of a first pull."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL random_page_cost = 1.1"))
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def page_end(window: list[tuple[int, str, str]], after: int) -> int:
    """The seq the next page starts after: the last change this page covered."""
    return window[-1][0] if window else after


def _newest_changes(session: Session, after: int, count: int) -> list[tuple[int, str, str]]:
    """Up to ``count`` changes after seq ``after``, in seq order, each the newest change
    of its row.

    The log is read a stretch of ``count`` changes at a time, each judged by one index
    probe on (table_name, row_uuid, version), until ``count`` newest changes are found or
    the log ends. A stretch bounded by LIMIT before the probes, rather than one query
    filtering the whole rest of the log, keeps PostgreSQL from planning parallel workers
    for it: their start-up costs more than the probes of a page (on the benchmark's
    server, a page of 5,000 from the middle of a first pull: median 124 ms planned
    parallel, 65 ms this way, on a busy two-core machine)."""
    found: list[tuple[int, str, str]] = []
    start = after
    while len(found) < count:
        stretch = (select(SyncChange.seq, SyncChange.table_name, SyncChange.row_uuid,
                          SyncChange.version)
                   .where(SyncChange.seq > start).order_by(SyncChange.seq).limit(count)
                   .subquery("stretch"))
        newer = aliased(SyncChange)
        superseded = exists().where(and_(newer.table_name == stretch.c.table_name,
                                         newer.row_uuid == stretch.c.row_uuid,
                                         newer.version > stretch.c.version))
        rows = session.execute(select(stretch.c.seq, stretch.c.table_name,
                                      stretch.c.row_uuid, superseded)
                               .order_by(stretch.c.seq)).all()
        found.extend((seq, table, row_uuid) for seq, table, row_uuid, old in rows if not old)
        if len(rows) < count:
            break  # the end of the log
        start = rows[-1][0]
    return found[:count]

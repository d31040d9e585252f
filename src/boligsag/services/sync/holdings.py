"""What an actor may hold now: how a laptop catches up with a change of its scope
(issue 12: "when the user's areas change, the next sync adds or removes those people
from the replica; removal from a replica is never a deletion on the server").

A pull (pull.py) sends the rows changed after the laptop's cursor that the actor sees
now. Rows that enter the actor's scope without changing themselves (a family moves into
her area: its older contacts, referrals…) never come that way, and rows that leave it
are never announced. So the server also answers, from its current state and nothing
kept per device:

- :func:`holdings`: the digest (holdings_digest.py) of every synced table's live rows
  the actor may see, with the cursor of the snapshot it was taken in;
- :func:`listed`: the ``(uuid, version)`` of the live visible rows in some buckets of a
  table, for the buckets whose digest differs from the laptop's;
- :func:`fetch`: the current wire rows of some uuids the actor may see, exactly as a
  pull sends them (hidden fields left out, people lists stripped).

The laptop compares, table by table in ``SYNCED_TABLES`` order (parents first), fetches
what it lacks or holds at another version, and drops from its replica the live rows no
longer listed. holdings_rescope.py tells it, page by page of a pull, when to do so.
A uuid the actor may not see (or that does not exist) is simply absent from an answer:
nothing tells the two apart.

One thing a digest cannot show: a session's attendance travels as the ticks of the
people the actor sees (people_lists.py), so a person entering or leaving scope changes
what a session looks like to her without changing its version. A laptop whose
comparison brought or dropped people fetches its sessions again (``fetch`` strips their
ticks as a pull does).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    and_,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from boligsag.storage.models import Base, SyncChange

from . import people_lists, scope, wire
from .actor import SyncActor
from .errors import BadBatch
from .holdings_digest import BUCKET, HASH_BYTES, Digest, digest
from .pull import cursor_at
from .ssp_strip import strip_ssp_notes
from .wire_read import rows_to_wire_by_uuid

__all__ = ["MAX_FETCH", "MAX_LISTED", "fetch", "holdings", "listed", "live_visible",
           "python_digest", "table_digest"]

MAX_FETCH = 5000  # uuids per fetch, as many as a pull page
MAX_LISTED = 200_000  # (uuid, version) pairs per listing: about 10 MB of JSON
_RANGED = 16  # buckets a listing reads by index ranges; more: one pass over the table


def live_visible(actor: SyncActor, table: str) -> tuple[Table, ColumnElement[bool]]:
    """``table`` and the condition on its rows that count: live, and visible to ``actor``."""
    t = Base.metadata.tables[table]
    return t, and_(t.c.deleted_at.is_(None), scope.visible_condition(actor, table))


def table_digest(session: Session, t: Table, condition: ColumnElement[bool]) -> Digest:
    """holdings_digest.digest of the rows of ``t`` that meet ``condition``.

    On PostgreSQL each bucket's lines are joined and hashed where the rows are (in uuid
    order under the "C" collation, which is Python's code-point order), so 256 rows
    travel instead of every row: on the benchmark's server (a busy two-core machine) a
    team lead's digest of 860,000 rows took 1.0-1.3 s against 2.1-5.7 s with the rows
    hashed in Python. The tests compare the two."""
    if session.get_bind().dialect.name != "postgresql":
        return python_digest(session, t, condition)
    bucket = func.substr(t.c.uuid, 1, 2)
    line = t.c.uuid + ":" + cast(t.c.version, String) + "\n"
    joined = func.string_agg(line, aggregate_order_by(literal_column("''"),
                                                      t.c.uuid.collate("C")))
    query = (select(bucket, func.count(), func.sha256(func.convert_to(joined, "UTF8")))
             .where(condition).group_by(bucket).order_by(bucket))
    return {name: (count, bytes(hashed)[:HASH_BYTES].hex())
            for name, count, hashed in session.execute(query)}


def python_digest(session: Session, t: Table, condition: ColumnElement[bool]) -> Digest:
    """The same digest with every row read and hashed here (any database)."""
    return digest((row_uuid, version) for row_uuid, version
                  in session.execute(select(t.c.uuid, t.c.version).where(condition)))


def holdings(session: Session, actor: SyncActor) -> dict[str, Any]:
    """``{"cursor", "tables": {table: {bucket: [count, hash]}}}``: the digest of each
    synced table's live rows ``actor`` may see (tables with none are left out) and the
    cursor of the last change this snapshot holds (a laptop whose pull cursor is behind
    it pulls first, or fetches the difference either way)."""
    tables: dict[str, dict[str, list[Any]]] = {}
    for table in wire.SYNCED_TABLES:
        found = table_digest(session, *live_visible(actor, table))
        if found:
            tables[table] = {name: [count, hashed] for name, (count, hashed) in found.items()}
    last = session.scalar(select(func.max(SyncChange.seq))) or 0
    return {"cursor": cursor_at(session, last), "tables": tables}


def _checked_table(table: object) -> str:
    if not isinstance(table, str) or table not in wire.SYNCED_TABLES:
        raise BadBatch("table: expected the name of a synced table")
    return table


def listed(session: Session, actor: SyncActor, table: object,
           buckets: object) -> dict[str, Any]:
    """``{"table", "rows": [[uuid, version], …]}``: the live rows of ``table`` in
    ``buckets`` that ``actor`` may see, in uuid order."""
    name = _checked_table(table)
    if (not isinstance(buckets, list) or not buckets or len(buckets) > 256
            or not all(isinstance(b, str) and BUCKET.fullmatch(b) for b in buckets)):
        raise BadBatch("buckets: expected a list of 1 to 256 bucket names "
                       "(two lower-case hex digits each)")
    t, condition = live_visible(actor, name)
    wanted = sorted(set(buckets))
    in_buckets = func.substr(t.c.uuid, 1, 2).in_(wanted)
    if len(wanted) <= _RANGED:
        # Also as ranges of the uuid index, so that the scope is judged for those rows
        # only, not for the whole table (a staff member's one bucket of contacts on the
        # benchmark's server: 0.9 s scanned). Whatever follows a bucket's two characters
        # in a uuid (hex digits, hyphens) sorts below "g" in any collation.
        in_buckets = and_(in_buckets, or_(*[and_(t.c.uuid >= b, t.c.uuid < b + "g")
                                            for b in wanted]))
    query = (select(t.c.uuid, t.c.version).where(condition, in_buckets)
             .limit(MAX_LISTED + 1))
    rows = sorted((row_uuid, version) for row_uuid, version in session.execute(query))
    if len(rows) > MAX_LISTED:
        raise BadBatch(f"buckets: more than {MAX_LISTED} rows; ask for fewer buckets "
                       "at a time")
    return {"table": name, "rows": [[row_uuid, version] for row_uuid, version in rows]}


def fetch(session: Session, actor: SyncActor, table: object,
          uuids: object) -> dict[str, Any]:
    """``{"table", "rows": [wire rows]}``: the current state of those of ``uuids`` that
    ``actor`` may see, tombstones included (a row deleted since it was listed), as a
    pull would send them; unknown and invisible uuids are left out alike."""
    name = _checked_table(table)
    if (not isinstance(uuids, list) or len(uuids) > MAX_FETCH
            or not all(isinstance(u, str) and len(u) <= 36 for u in uuids)):
        raise BadBatch(f"uuids: expected a list of at most {MAX_FETCH} uuids")
    wanted: Sequence[str] = list(dict.fromkeys(uuids))
    rows = rows_to_wire_by_uuid(session, name, wanted, scope.visible_condition(actor, name))
    for field in scope.hidden_fields(actor, name):
        for row in rows:
            row["fields"].pop(field, None)
    people_lists.strip_pulled(session, actor, rows)
    strip_ssp_notes(session, actor, rows)
    return {"table": name, "rows": rows}

"""A laptop's replica brought to what its user may hold now (issue 12, design.md "Pull",
``rescope``): after a pull page said the scope may have moved, the laptop compares the
digest of its live rows with the server's (services/sync/holdings.py), fetches what it
lacks or holds at another version, and PURGES the live rows the server no longer lists.

Rows a refused change left with its values (push_client's set-aside list) are fetched
first, whatever their version (``sync_refetch``, server_link.py).

A purge is a hard delete here only, inside :func:`~boligsag.storage.sync_applying.
applying` (nothing goes to the outbox, so nothing is ever deleted on the server), with
the row's link and child rows and its tombstoned dependants, also those that name it
only through a link table (a deleted contact of a person leaving): a tombstone counts on
neither side, so nothing else would ever remove them. A row is kept, and reported,
when it has an unpushed outbox entry (the push must go first: its edit would be lost)
or when a row that stays still refers to it (a live row the server lists, an audit
entry). A row naming a row about to go (a consent its giver, a reminder its person) is
fetched again first: the server sends it with the reference taken out
(people_lists.HIDDEN_REFS), so the named row goes too; and when people come, rows with a
reference taken out are fetched again, as sessions are (their attendance shows other
ticks).

The server is given as three callables, so the app passes its ServerConnection's
methods and the tests the in-process engine: ``holdings() -> {"tables": {table:
{bucket: [count, hash]}}, …}``, ``listed(table, buckets) -> [[uuid, version], …]`` and
``fetch(table, uuids) -> [wire rows]``.

Each table's fetched rows are applied a batch at a time, each batch in one transaction
(as a pull page: pull_client.apply_page, so held-back rows wait in the inbox), parents
first; then each table's purge in one transaction, children first. An interruption
leaves a consistent replica and the next reconcile finishes the job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from boligsag.services import org_settings
from boligsag.services.sync.holdings_digest import Digest, bucket_of, digest
from boligsag.services.sync.people_lists import HIDDEN_REFS
from boligsag.services.sync.wire_tables import CHILDREN, LINKS, SPECS, SYNCED_TABLES
from boligsag.storage.database import Database
from boligsag.storage.models import Base, SyncOutboxEntry
from boligsag.storage.sync_applying import applying

from . import pull_client, server_link

__all__ = ["MAX_FETCH", "ReconcileOutcome", "Server", "held_people", "local_digest",
           "reconcile"]

MAX_FETCH = 5000  # uuids per fetch: the server's limit (holdings.MAX_FETCH)
_T = TypeVar("_T")
_BUCKETS_PER_LISTING = 64  # keeps one listing well under the server's row limit

# Tables that only hold link or child rows of a synced row: they go with it.
_DEPENDENT = frozenset({link for links in LINKS.values() for _w, link, _p, _c in links}
                       | {child for kids in CHILDREN.values() for _w, child, _p, _i in kids})


@dataclass(frozen=True)
class Server:
    """The three holdings calls of the team server, for the actor logged in."""

    holdings: Callable[[], dict[str, Any]]
    listed: Callable[[str, list[str]], list[Any]]
    fetch: Callable[[str, list[str]], list[dict[str, Any]]]


@dataclass
class ReconcileOutcome:
    """What a reconcile did, table by table."""

    fetched: dict[str, int] = field(default_factory=dict)  # rows applied
    purged: dict[str, int] = field(default_factory=dict)  # rows hard-deleted here
    # (table, uuid) of rows the server no longer lists that stay: unpushed edits…
    kept_unpushed: list[tuple[str, str]] = field(default_factory=list)
    # … and rows a staying row (or an audit entry) still refers to.
    kept_referenced: list[tuple[str, str]] = field(default_factory=list)
    sessions_refetched: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.fetched or self.purged)


def _rows(session: Session, table: str) -> dict[str, tuple[int, int, bool]]:
    """uuid -> (id, version, live) of every local row of ``table``."""
    t = Base.metadata.tables[table]
    return {row_uuid: (row_id, version, deleted_at is None)
            for row_id, row_uuid, version, deleted_at
            in session.execute(select(t.c.id, t.c.uuid, t.c.version, t.c.deleted_at))}


def local_digest(session: Session, table: str) -> Digest:
    """holdings_digest of this laptop's live rows of ``table`` (the server's definition)."""
    return digest((u, v) for u, (_i, v, live) in _rows(session, table).items() if live)


def _server_digest(answer: dict[str, Any], table: str) -> Digest:
    found = answer.get("tables", {}).get(table, {})
    return {name: (int(count), str(hashed)) for name, (count, hashed) in found.items()}


def _differing(mine: Digest, theirs: Digest) -> list[str]:
    return sorted(name for name in set(mine) | set(theirs) if mine.get(name) != theirs.get(name))


def _chunks(items: Sequence[_T], size: int) -> Iterable[list[_T]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def _cursor(db: Database) -> str | None:
    with db.reading() as session:
        return org_settings.get_setting(session, "sync_cursor") or None


def _fetch(db: Database, server: Server, table: str, uuids: list[str],
           outcome: ReconcileOutcome) -> None:
    """Fetch ``uuids`` and apply them a batch (one transaction) at a time."""
    cursor = _cursor(db)  # stored again unchanged: a fetch does not move the pull
    for batch in _chunks(uuids, MAX_FETCH):
        rows = server.fetch(table, batch)
        if not rows:
            continue
        result = pull_client.apply_page(db, {"rows": rows, "cursor": cursor, "more": False})
        outcome.fetched[table] = outcome.fetched.get(table, 0) + result.applied


def _referrers() -> dict[str, list[tuple[Table, str, bool]]]:
    """table -> (referring table, its column, whether a non-synced dependent table)."""
    found: dict[str, list[tuple[Table, str, bool]]] = defaultdict(list)
    for t in Base.metadata.sorted_tables:
        for fk in t.foreign_keys:
            target = fk.column.table.name
            if target in SYNCED_TABLES and fk.parent.name not in (
                    "created_by_id", "updated_by_id", "deleted_by_id"):
                found[target].append((t, fk.parent.name, t.name in _DEPENDENT))
    return found


def _stamp_referrers(table: str) -> list[tuple[Table, str]]:
    return [(t, fk.parent.name) for t in Base.metadata.sorted_tables
            for fk in t.foreign_keys if fk.column.table.name == table
            and fk.parent.name in ("created_by_id", "updated_by_id", "deleted_by_id")]


def _purge(session: Session, table: str, ids: set[int], refs: dict[str, list[Any]],
           dead: dict[str, set[int]]) -> set[int]:
    """Hard-delete rows ``ids`` of ``table`` with their links, children and tombstoned
    dependants; the ids that had to stay (a staying row refers to them)."""
    t = Base.metadata.tables[table]
    stay: set[int] = set()
    for ref_table, column, dependent in refs.get(table, []):
        if dependent:
            continue
        col = ref_table.c[column]
        for chunk in _chunks(sorted(ids - stay), 500):
            query = select(ref_table.c.id, col, *(
                [ref_table.c.deleted_at] if "deleted_at" in ref_table.c else []
            )).where(col.in_(chunk))
            for row in session.execute(query):
                if ref_table.name == table and row[0] in ids:
                    continue  # going in the same delete (a job's previous job)
                tombstone = ref_table.name in SYNCED_TABLES and row[2] is not None
                if tombstone and row[0] not in dead.get(ref_table.name, set()):
                    dead.setdefault(ref_table.name, set()).add(row[0])
                    if _purge(session, ref_table.name, {row[0]}, refs, dead):
                        stay.add(row[1])
                elif not tombstone:
                    stay.add(row[1])
    if table == "users":  # who wrote a row stays known while the row does
        for ref_table, column in _stamp_referrers(table):
            col = ref_table.c[column]
            stay |= set(session.scalars(select(col).where(col.in_(ids - stay))))
    going = sorted(ids - stay)
    _purge_linked_tombstones(session, table, going, refs, dead)
    for ref_table, column, dependent in refs.get(table, []):
        if dependent:
            for chunk in _chunks(going, 500):
                session.execute(delete(ref_table).where(ref_table.c[column].in_(chunk)))
    for chunk in _chunks(going, 500):
        session.execute(delete(t).where(t.c.id.in_(chunk)))
    return stay


def _purge_linked_tombstones(session: Session, table: str, going: list[int],
                             refs: dict[str, list[Any]], dead: dict[str, set[int]]) -> None:
    """Tombstoned rows that name ``going`` rows only through a link table (a deleted
    contact of a person leaving the laptop): the link rows go with the person, and the
    tombstone, never listed by the server, would stay in the file with its note for
    good. It goes too, unless its deletion waits to be pushed."""
    for parent, spec in SPECS.items():
        for link in spec.links:
            if link.ref != table:
                continue
            pt, lt = Base.metadata.tables[parent], Base.metadata.tables[link.table]
            waiting = select(SyncOutboxEntry.row_uuid).where(
                SyncOutboxEntry.table_name == parent)
            found: set[int] = set()
            for chunk in _chunks(going, 500):
                found.update(session.scalars(
                    select(pt.c.id).join(lt, lt.c[link.parent_column] == pt.c.id)
                    .where(lt.c[link.child_column].in_(chunk), pt.c.deleted_at.is_not(None),
                           pt.c.uuid.not_in(waiting))))
            new = found - dead.get(parent, set())
            if new:
                dead.setdefault(parent, set()).update(new)
                _purge(session, parent, new, refs, dead)


def _purge_table(db: Database, table: str, unlisted: list[str],
                 outcome: ReconcileOutcome) -> None:
    """Drop ``unlisted`` rows of ``table`` from this replica in one transaction."""
    with db.writing(None) as session:
        outboxed = set(session.scalars(select(SyncOutboxEntry.row_uuid).where(
            SyncOutboxEntry.table_name == table)))
        rows = _rows(session, table)
        candidates = {rows[u][0]: u for u in unlisted if u in rows and rows[u][2]}
        for row_id, row_uuid in list(candidates.items()):
            if row_uuid in outboxed:
                outcome.kept_unpushed.append((table, row_uuid))
                del candidates[row_id]
        if not candidates:
            return
        with applying(session):
            stay = _purge(session, table, set(candidates), _referrers(), {})
        outcome.kept_referenced.extend((table, candidates[i]) for i in sorted(stay))
        if len(candidates) > len(stay):
            outcome.purged[table] = len(candidates) - len(stay)


def held_people(db: Database) -> frozenset[str]:
    """The uuids of the live people this laptop holds: taken before a pull, it lets
    :func:`reconcile` see people the pull itself brought or dropped."""
    with db.reading() as session:
        return frozenset(u for u, (_i, _v, live) in _rows(session, "people").items() if live)


def reconcile(db: Database, server: Server, *,
              people_before: frozenset[str] | None = None,
              hides_nothing: bool = False) -> ReconcileOutcome:
    """Make this laptop hold exactly the live rows the server lists for its user (bar
    unpushed edits and rows still referred to, reported in the outcome).

    ``people_before``: :func:`held_people` from before the pull that asked for this
    reconcile. A person who came with that pull (their own row changed: a move) leaves
    no difference in the people digest, yet the sessions show their ticks now.
    ``hides_nothing``: the server hides no person from this user (an administrator or
    team lead, as the join has just confirmed): no session lacks a tick and no row a
    reference, so people coming or going make nothing stale and nothing is fetched
    again for them (a team lead's join from the snapshot would fetch every session)."""
    outcome = ReconcileOutcome()
    _refetch_set_aside(db, server, outcome)
    theirs = server.holdings()
    unlisted: dict[str, list[str]] = {}
    for table in SYNCED_TABLES:  # parents first: a fetched child finds its parent
        with db.reading() as session:
            mine = _rows(session, table)
        live = {u: v for u, (_i, v, alive) in mine.items() if alive}
        buckets = _differing(digest(live.items()), _server_digest(theirs, table))
        if not buckets:
            continue
        listed: dict[str, int] = {}
        for some in _chunks(buckets, _BUCKETS_PER_LISTING):
            listed.update((str(u), int(v)) for u, v in server.listed(table, some))
        # Also a row held here only as a tombstone at the listed version: a deletion
        # the server refused (set aside while the row was out of her scope) that is
        # hers to hold again. Fetched, it comes back to life unless a deletion waits.
        wanted = sorted(u for u, v in listed.items()
                        if u not in mine or mine[u][1] != v or not mine[u][2])
        _fetch(db, server, table, wanted, outcome)
        in_buckets = set(buckets)
        unlisted[table] = sorted(u for u in live
                                 if bucket_of(u) in in_buckets and u not in listed)
    _refetch_naming(db, server, unlisted, outcome)
    for table in reversed(SYNCED_TABLES):  # children first: nothing refers to them
        if unlisted.get(table):
            _purge_table(db, table, unlisted[table], outcome)
    came_or_went = "people" in outcome.fetched or "people" in outcome.purged
    if hides_nothing:
        return outcome
    if came_or_went or (people_before is not None and people_before != held_people(db)):
        _refetch_sessions(db, server, outcome)
        _refetch_hidden_refs(db, server, outcome)
    return outcome


def _refetch_set_aside(db: Database, server: Server, outcome: ReconcileOutcome) -> None:
    """Rows whose local change the server refused hold the refused values at the
    server's version (push_client sets such a change aside): the digest cannot tell, so
    they are fetched first. One the server no longer shows her is left to the
    comparison, which drops it."""
    with db.reading() as session:
        due = server_link.refetch_due(session)
    by_table: dict[str, list[str]] = defaultdict(list)
    for table, row_uuid in due:
        by_table[table].append(row_uuid)
    for table in SYNCED_TABLES:  # parents first
        if by_table.get(table):
            _fetch(db, server, table, sorted(set(by_table[table])), outcome)
    if due:
        with db.writing(None) as session:
            server_link.clear_refetch(session, due)


def _column(table: str, name: str) -> Any:
    """The local column of wire field ``name`` of ``table``."""
    column = next(f.column for f in SPECS[table].fields if f.name == name)
    return Base.metadata.tables[table].c[column]


def _refetch_naming(db: Database, server: Server, unlisted: dict[str, list[str]],
                    outcome: ReconcileOutcome) -> None:
    """Rows about to leave this replica may still be named by a row that stays (a
    consent's giver, a reminder's person: people_lists.HIDDEN_REFS). Fetched again,
    such a row comes with the reference taken out, and the row it named can go
    instead of staying behind as "still referred to"."""
    naming: dict[str, set[str]] = defaultdict(set)  # one fetch per table, as below
    with db.reading() as session:
        for (table, name), ref in HIDDEN_REFS.items():
            going = unlisted.get(ref.target)
            if not going:
                continue
            t, target = Base.metadata.tables[table], Base.metadata.tables[ref.target]
            staying = set(unlisted.get(table, ()))
            naming[table].update(
                u for chunk in _chunks(sorted(going), 500) for u in session.scalars(
                    select(t.c.uuid).join(target, target.c.id == _column(table, name))
                    .where(target.c.uuid.in_(chunk), t.c.deleted_at.is_(None)))
                if u not in staying)
    for table, uuids in naming.items():
        _fetch(db, server, table, sorted(uuids), outcome)


def _refetch_hidden_refs(db: Database, server: Server, outcome: ReconcileOutcome) -> None:
    """People came: a row pulled with a reference taken out (HIDDEN_REFS) may name one
    of them, or a row that came with them, though its version did not move. Those rows
    (a consent with the giver in words, a reminder about no one) are fetched again."""
    stripped: dict[str, set[str]] = defaultdict(set)
    with db.reading() as session:
        for (table, name), ref in HIDDEN_REFS.items():
            t = Base.metadata.tables[table]
            query = select(t.c.uuid).where(_column(table, name).is_(None),
                                           t.c.deleted_at.is_(None))
            if ref.words is not None:
                query = query.where(_column(table, ref.words) == ref.hidden_words)
            stripped[table].update(session.scalars(query))
    for table, uuids in stripped.items():
        _fetch(db, server, table, sorted(uuids), outcome)


def _refetch_sessions(db: Database, server: Server, outcome: ReconcileOutcome) -> None:
    """People came or went: each session's attendance shows other ticks now, though its
    version did not move (holdings.py), so every live session is fetched again."""
    with db.reading() as session:
        held = sorted(u for u, (_i, _v, live) in _rows(session, "sessions").items() if live)
    before = outcome.fetched.get("sessions", 0)
    _fetch(db, server, "sessions", held, outcome)
    outcome.sessions_refetched = outcome.fetched.get("sessions", 0) - before
    if not before and not outcome.sessions_refetched:
        outcome.fetched.pop("sessions", None)

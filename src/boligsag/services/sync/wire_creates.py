"""New rows of one table from a push, written together: what :func:`wire_write.apply_change`
does for one created row, in a few statements for all of them.

A laptop's push after a day's work is mostly new rows (contacts, sessions, reminders), and
one at a time each costs a look-up, an insert and one insert per link list: four round
trips for a contact, most of a push's time on the server. Here the references of all the
rows are resolved in one look-up, the rows inserted in one statement (on PostgreSQL
RETURNING their ids in the order given; on a laptop's SQLite with ids taken as the next
after the highest, see :func:`_insert_rows`), and each link table and child table filled
in one statement. A laptop's pull writes its new rows the same way (pull_client).

The checks are those of apply_change, every row checked and every reference resolved
before anything is written. Rows that refer to other new rows of the same table (a job
following an earlier job) are not for this: the first must exist when the second's
reference is resolved, so the engine creates those one at a time (:func:`batchable`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from boligsag.storage.models import Base
from boligsag.storage.models.per_dialect import SQLITE

from .errors import BadBatch
from .wire_ids import row_ids
from .wire_tables import SPECS
from .wire_write import _checked, _insert, _Pending, spec_of

__all__ = ["CheckedCreate", "apply_creates", "batchable", "check_create", "create_checked"]


def batchable(table: str) -> bool:
    """Whether new rows of ``table`` may be written together: none of its references,
    links or children point back to ``table`` itself."""
    spec = SPECS[table]
    refs = [f.ref for f in spec.fields] + [x.ref for x in spec.links] + [
        f.ref for c in spec.children for f in c.fields]
    return table not in refs


@dataclass(frozen=True)
class CheckedCreate:
    """One new row's pushed fields, checked (:func:`check_create`), references not yet
    resolved."""

    uuid: str
    pending: _Pending
    columns: dict[str, Any]
    links: dict[str, list[Any]]
    children: dict[str, list[dict[str, Any]]]


def check_create(session: Session, table: str, row_uuid: str, fields: dict[str, Any]
                 ) -> CheckedCreate:
    """Check the fields of one new row of ``table`` as apply_change would, refusing
    (:class:`BadBatch`) what it would refuse; nothing is written or looked up."""
    spec = spec_of(table)
    pending, columns, links, children = _checked(session, spec, row_uuid, fields)
    missing = [f.name for f in spec.fields if f.required and f.name not in fields]
    if missing:
        raise BadBatch(f"{table}: a new row needs {', '.join(missing)}")
    return CheckedCreate(row_uuid, pending, columns, links, children)


def apply_creates(session: Session, table: str, rows: Sequence[tuple[str, dict[str, Any]]],
                  *, user_id: int | None, now: datetime,
                  versions: Sequence[int] | None = None) -> list[int]:
    """Create the rows (uuid, pushed wire fields) of ``table`` (a :func:`batchable` one)
    with version 1 (or ``versions``, one per row: a laptop writing pulled rows gives the
    server's) and ``created_*``/``updated_*`` from ``user_id`` and ``now``; return their
    local ids in the order given. Refuses (:class:`BadBatch`) before writing anything,
    as apply_change would for the first row it refuses."""
    checked = [check_create(session, table, row_uuid, fields) for row_uuid, fields in rows]
    return create_checked(session, table, checked, user_id=user_id, now=now,
                          versions=versions)


def create_checked(session: Session, table: str, checked: Sequence[CheckedCreate], *,
                   user_id: int | None, now: datetime,
                   versions: Sequence[int] | None = None) -> list[int]:
    """:func:`apply_creates` for rows already checked (a pull checks each row once, to
    see whether it can be written together, and passes them on). Every reference is
    resolved, and refused with BadBatch, before the first write, so a refused batch
    has written nothing and needs no savepoint to undo."""
    spec = spec_of(table)
    found = row_ids(session).ids_of(session, _wanted(table, checked))
    for row in checked:
        row.pending.take(table, found)
        if row.uuid in found[table]:
            raise BadBatch(f"{table}: a row with the uuid {row.uuid} already exists")

    given = versions if versions is not None else [None] * len(checked)
    ids = _insert_rows(session, table, [
        {**_local_columns(spec.fields, row.pending, row.columns), "uuid": row.uuid,
         "created_at": now, "created_by_id": user_id, "updated_at": now,
         "updated_by_id": user_id, **({"version": v} if v is not None else {})}
        for row, v in zip(checked, given, strict=True)])
    known = row_ids(session)
    link_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    child_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_name = {x.name: x for x in spec.links}
    children_by_name = {c.name: c for c in spec.children}
    for row_id, row in zip(ids, checked, strict=True):
        known.remember(table, row_id, row.uuid)
        for name, members in row.links.items():
            link = by_name[name]
            link_rows[link.table].extend(
                {link.parent_column: row_id,
                 link.child_column: row.pending.local(link.ref, m)}
                for m in members)
        for name, objects in row.children.items():
            child = children_by_name[name]
            for o in objects:
                values = dict(o)  # the checked objects stay as checked
                for f in child.fields:
                    if f.ref is not None and values.get(f.column) is not None:
                        values[f.column] = row.pending.local(f.ref, values[f.column])
                child_rows[child.table].append({child.parent_column: row_id, **values})
    for target, values in (*link_rows.items(), *child_rows.items()):
        if values:  # empty lists name the table too; an INSERT of no rows is not one
            session.execute(_insert(target), values)
    return ids


def _wanted(table: str, checked: Sequence[CheckedCreate]) -> dict[str, set[str]]:
    """Every uuid the rows refer to, and their own (which must not exist yet)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in checked:
        for ref, uuids in row.pending.uuids.items():
            wanted[ref] |= uuids
        wanted[table].add(row.uuid)
    return wanted


def _local_columns(fields: Sequence[Any], pending: _Pending,
                   columns: dict[str, Any]) -> dict[str, Any]:
    local = dict(columns)
    for field in fields:
        if field.ref is not None and field.column in local:
            local[field.column] = pending.local(field.ref, local[field.column])
    return local


def _insert_rows(session: Session, table: str, values: list[dict[str, Any]]) -> list[int]:
    """Insert the rows, one statement per set of columns given (a push may leave
    optional fields out of some rows), and return their ids in the order of ``values``."""
    t = Base.metadata.tables[table]
    groups: dict[frozenset[str], list[int]] = defaultdict(list)
    for index, row in enumerate(values):
        groups[frozenset(row)].append(index)
    if session.connection().dialect.name == SQLITE:
        # On SQLite an INSERT … RETURNING that must give the ids in the order of the
        # rows is one statement per row (SQLAlchemy's insertmanyvalues), ~30 µs a row,
        # ten seconds of a large first pull. SQLite gives a new row max(id) + 1 anyway
        # (no table here is AUTOINCREMENT), and the writing transaction is the file's
        # only writer, so the ids are taken here and each group is one executemany.
        start = session.scalar(select(func.max(t.c.id))) or 0
        ids = list(range(start + 1, start + 1 + len(values)))
        for indexes in groups.values():
            session.execute(insert(t), [{**values[i], "id": ids[i]} for i in indexes])
        return ids
    ids = [0] * len(values)
    for indexes in groups.values():
        statement = insert(t).returning(t.c.id, sort_by_parameter_order=True)
        made = session.execute(statement, [values[i] for i in indexes]).scalars().all()
        for index, row_id in zip(indexes, made, strict=True):
            ids[index] = int(row_id)
    return ids

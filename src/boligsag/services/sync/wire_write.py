"""Pushed changes into rows: strict checks first, then one insert or update, then the
link and child rows the change carries.

Nothing is written until every field of the change has been checked and every
referenced uuid and vocabulary key resolved, so a refused change leaves no trace even
before the engine rolls its transaction back. Written with Core: the ORM would bump
``version`` itself (``version_id_col``), and the version is the engine's to set.
``contacts.first_topic_id`` is never written here: replacing a contact's topics fires
the database's own triggers (migration 0004 on SQLite, storage/dialect.py's function on
PostgreSQL), which keep it on both.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Executable, bindparam, delete, insert, update
from sqlalchemy.orm import Session

from boligsag.storage.models import Base

from .errors import BadBatch
from .wire_ids import row_ids
from .wire_read import rows_to_wire
from .wire_tables import SPECS, Children, Field, Link, TableSpec
from .wire_values import UUID, check_uuid_text, refuse
from .wire_vocabulary import vocabularies

_NAME = re.compile(r"[a-z][a-z0-9_]{0,59}")


def safe_name(name: object) -> str:
    """A pushed table or field name fit to repeat in a message: names the format could
    have are quoted; anything else (a client could put anything in a key) is not."""
    return repr(name) if isinstance(name, str) and _NAME.fullmatch(name) else "(not a name)"


def spec_of(table: object) -> TableSpec:
    if not isinstance(table, str) or table not in SPECS:
        raise BadBatch(f"unknown table {safe_name(table)}")
    return SPECS[table]


def wire_fields(table: str) -> frozenset[str]:
    """The field names a push of ``table`` may carry."""
    return spec_of(table).names


def row_id(session: Session, table: str, uuid: str) -> int | None:
    """The local id of the row ``uuid`` of a synced table, or None."""
    spec_of(table)
    return row_ids(session).ids_of(session, {table: [uuid]})[table].get(uuid)


def _quoted_uuid(uuid: object) -> str:
    """A uuid fit to repeat in a message (anything else is not repeated)."""
    return uuid if isinstance(uuid, str) and UUID.fullmatch(uuid) else "(not a uuid)"


def _existing_id(session: Session, table: str, uuid: str) -> int:
    found = row_id(session, table, uuid) if isinstance(uuid, str) else None
    if found is None:
        raise BadBatch(f"{table}: no row has the uuid {_quoted_uuid(uuid)}")
    return found


class _Pending:
    """The checked values of one change, with the references still to resolve."""

    def __init__(self, session: Session) -> None:
        self.vocab = vocabularies(session)
        self.uuids: dict[str, set[str]] = defaultdict(set)  # table → uuids to resolve
        self.resolved: dict[str, dict[str, int]] = {}

    def ref(self, table: str, field: str, ref: str, value: object) -> Any:
        """The local value for a reference, or the uuid to resolve in ``resolve``."""
        if ref in self.vocab:
            local = self.vocab[ref].ids.get(value) if isinstance(value, str) else None
            if local is None:
                raise refuse(table, field, f"a known {ref} key")
            return local
        uuid = check_uuid_text(table, field, value)
        self.uuids[ref].add(uuid)
        return uuid

    def resolve(self, session: Session, table: str, uuid: str) -> int | None:
        """Resolve every referenced uuid, and find the change's own row (its id, or None
        when there is none), in one query for whatever the Session has not met yet."""
        wanted: dict[str, set[str]] = defaultdict(set, self.uuids)
        wanted[table] = wanted[table] | {uuid}
        found = row_ids(session).ids_of(session, wanted)
        self.take(table, found)
        return found[table].get(uuid)

    def take(self, table: str, found: dict[str, dict[str, int]]) -> None:
        """Resolve the references from ``found`` (uuid → id per table, for at least
        these references), refusing the change if one of them has no row."""
        for ref, uuids in self.uuids.items():
            if len(found[ref].keys() & uuids) != len(uuids):
                # Which uuid is missing is not said: the text of a pushed value is never
                # repeated, and this one is for the engine to match, not for a person.
                raise BadBatch(f"{table}: a referenced {ref} row does not exist")
            self.resolved[ref] = found[ref]

    def local(self, ref: str, value: Any) -> Any:
        if value is None or ref not in self.resolved:  # null, or a vocabulary's id
            return value
        return self.resolved[ref][value]


def _value(pending: _Pending, table: str, field: Field, value: object) -> Any:
    if value is None:
        if not field.nullable:
            raise refuse(table, field.name, "a value (null is not allowed)")
        return None
    if field.ref is not None:
        return pending.ref(table, field.name, field.ref, value)
    if field.code_list is not None:
        codes = pending.vocab[field.code_list].ids
        if (not isinstance(value, list) or len(set(map(str, value))) != len(value)
                or not all(isinstance(c, str) and c in codes for c in value)):
            raise refuse(table, field.name, f"a list of distinct {field.code_list} codes")
        return list(value)
    assert field.codec is not None
    checked = field.codec.read(table, field.name, value)
    if field.minimum is not None and checked < field.minimum:
        raise refuse(table, field.name, f"at least {field.minimum}")
    return checked


def _link_values(pending: _Pending, table: str, link: Link, value: object) -> list[Any]:
    if not isinstance(value, list):
        raise refuse(table, link.name, f"a list of {link.ref} references")
    checked = [pending.ref(table, link.name, link.ref, item) for item in value]
    if len(set(checked)) != len(checked):
        raise refuse(table, link.name, "a list without repeats")
    return checked


def _child_values(pending: _Pending, table: str, spec: Children,
                  value: object) -> list[dict[str, Any]]:
    where = f"{table}.{spec.name}"
    if not isinstance(value, list):
        raise refuse(table, spec.name, "a list of objects")
    known = {f.name: f for f in spec.fields}
    objects = []
    for item in value:
        if not isinstance(item, dict):
            raise refuse(table, spec.name, "a list of objects")
        for name in item:
            if name not in known:
                raise BadBatch(f"{where}: unknown field {safe_name(name)}")
        missing = [f.name for f in spec.fields if f.required and f.name not in item]
        if missing:
            raise BadBatch(f"{where}: each object needs {', '.join(missing)}")
        objects.append({known[name].column: _value(pending, where, known[name], v)
                        for name, v in item.items()})
    key_columns = [known[k].column for k in spec.key]
    keys = [tuple(o[c] for c in key_columns) for o in objects]
    if len(set(keys)) != len(keys):
        raise refuse(table, spec.name, f"one object per {' and '.join(spec.key)}")
    return objects


def _checked(session: Session, spec: TableSpec, uuid: object, fields: object
             ) -> tuple[_Pending, dict[str, Any], dict[str, list[Any]],
                        dict[str, list[dict[str, Any]]]]:
    """Every pushed field checked: column values, link lists, child objects, with the
    references still to resolve (``pending``)."""
    table = spec.name
    if not isinstance(fields, dict):
        raise BadBatch(f"{table}: fields must be an object")
    if not isinstance(uuid, str) or not UUID.fullmatch(uuid):
        raise BadBatch(f"{table}: the row's uuid is not a lower-case uuid")
    by_name = {f.name: f for f in spec.fields}
    links = {x.name: x for x in spec.links}
    children = {c.name: c for c in spec.children}
    pending = _Pending(session)
    columns: dict[str, Any] = {}
    link_values: dict[str, list[Any]] = {}
    child_values: dict[str, list[dict[str, Any]]] = {}
    for name, value in fields.items():
        if name in by_name:
            columns[by_name[name].column] = _value(pending, table, by_name[name], value)
        elif name in links:
            link_values[name] = _link_values(pending, table, links[name], value)
        elif name in children:
            child_values[name] = _child_values(pending, table, children[name], value)
        else:
            raise BadBatch(f"{table}: unknown field {safe_name(name)}")
    return pending, columns, link_values, child_values


def check_fields(session: Session, table: str, uuid: str, fields: dict[str, Any]) -> None:
    """Refuse (:class:`BadBatch`) pushed ``fields`` that :func:`apply_change` would
    refuse, without writing anything: for values the engine keeps in a conflict rather
    than applies, which must be as valid as the applied ones (every referenced row
    existing too)."""
    pending = _checked(session, spec_of(table), uuid, fields)[0]
    pending.resolve(session, table, uuid)


def apply_change(session: Session, table: str, uuid: str, fields: dict[str, Any], *,
                 create: bool, user_id: int | None, now: datetime,
                 version: int | None = None) -> int:
    """Create (``create``) or update the row ``uuid`` of ``table`` from pushed wire
    ``fields`` and return its local id. Refuses with :class:`BadBatch` before writing
    anything. A created row gets ``created_*``/``updated_*`` from ``user_id`` and
    ``now`` and version 1; an update changes only the given fields, and with
    ``version`` also sets ``version`` and ``updated_*`` in the same UPDATE (without it,
    the engine sets them, see :func:`stamp`)."""
    spec = spec_of(table)
    pending, columns, link_values, child_values = _checked(session, spec, uuid, fields)
    links = {x.name: x for x in spec.links}
    children = {c.name: c for c in spec.children}
    if create:
        missing = [f.name for f in spec.fields if f.required and f.name not in fields]
        if missing:
            raise BadBatch(f"{table}: a new row needs {', '.join(missing)}")
    target = pending.resolve(session, table, uuid)
    if create and target is not None:
        raise BadBatch(f"{table}: a row with the uuid {uuid} already exists")
    if not create and target is None:
        raise BadBatch(f"{table}: no row has the uuid {uuid}")
    for field in spec.fields:
        if field.ref is not None and field.column in columns:
            columns[field.column] = pending.local(field.ref, columns[field.column])

    if target is None:
        stamps = {"uuid": uuid, "created_at": now, "created_by_id": user_id,
                  "updated_at": now, "updated_by_id": user_id}
        target = session.execute(_insert(table), {**columns, **stamps}
                                 ).inserted_primary_key[0]
        row_ids(session).remember(table, target, uuid)
    elif columns or version is not None:
        if version is not None:  # one UPDATE per row, not one for values, one for stamps
            columns.update(version=version, updated_at=now, updated_by_id=user_id)
        session.execute(_update(table), {**columns, _ROW: target})
    for name, members in link_values.items():
        _replace_links(session, links[name], target,
                       [pending.local(links[name].ref, m) for m in members], fresh=create)
    for name, objects in child_values.items():
        spec_children = children[name]
        for o in objects:
            for f in spec_children.fields:
                if f.ref is not None and o.get(f.column) is not None:
                    o[f.column] = pending.local(f.ref, o[f.column])
        _replace_children(session, spec_children, target, objects, fresh=create)
    return int(target)


# The statements are built once per table (and column): the values travel as bound
# parameters, so a push of a thousand rows neither rebuilds a thousand equal statements
# nor re-keys them for SQLAlchemy's compiled cache. Without .values(), an INSERT or
# UPDATE sets exactly the columns named in the parameters.
_ROW = "wire_row_id"  # a parameter name no column has


@cache
def _insert(table: str) -> Executable:
    return insert(Base.metadata.tables[table])


@cache
def _update(table: str) -> Executable:
    t = Base.metadata.tables[table]
    return update(t).where(t.c.id == bindparam(_ROW))


@cache
def _delete_owned(table: str, parent_column: str) -> Executable:
    t = Base.metadata.tables[table]
    return delete(t).where(t.c[parent_column] == bindparam(_ROW))


# ``fresh``: the parent was created just now, so it has no old rows to delete.

def _replace_links(session: Session, link: Link, parent: int, members: list[Any], *,
                   fresh: bool) -> None:
    if not fresh:
        session.execute(_delete_owned(link.table, link.parent_column), {_ROW: parent})
    if members:
        session.execute(_insert(link.table),
                        [{link.parent_column: parent, link.child_column: m} for m in members])


def _replace_children(session: Session, spec: Children, parent: int,
                      objects: list[dict[str, Any]], *, fresh: bool) -> None:
    if not fresh:
        session.execute(_delete_owned(spec.table, spec.parent_column), {_ROW: parent})
    if objects:
        session.execute(_insert(spec.table),
                        [{spec.parent_column: parent, **o} for o in objects])


def current_values(session: Session, table: str, uuid: str, names: Iterable[str]) -> dict:
    """The row's present wire values of ``names`` (for the merge to compare)."""
    spec = spec_of(table)
    wanted = list(names)
    for name in wanted:
        if name not in spec.names:
            raise BadBatch(f"{table}: unknown field {safe_name(name)}")
    (row,) = rows_to_wire(session, table, [_existing_id(session, table, uuid)])
    return {name: row["fields"][name] for name in wanted}


def mark_deleted(session: Session, table: str, uuid: str, *, user_id: int | None,
                 now: datetime) -> None:
    """Tombstone the row (its links stay, as when the app deletes a record)."""
    spec_of(table)
    session.execute(_update(table), {"deleted_at": now, "deleted_by_id": user_id,
                                     _ROW: _existing_id(session, table, uuid)})


def stamp(session: Session, table: str, uuid: str, *, version: int, user_id: int | None,
          now: datetime) -> None:
    """Set the row's ``version`` and ``updated_*``: the engine's step after a change (a
    server bumps the version; a laptop applying a pulled row takes the server's)."""
    spec_of(table)
    session.execute(_update(table), {"version": version, "updated_at": now,
                                     "updated_by_id": user_id,
                                     _ROW: _existing_id(session, table, uuid)})

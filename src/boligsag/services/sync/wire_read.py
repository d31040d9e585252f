"""Rows to the wire, in bulk: what a pull sends and what the merge compares.

One Core select per chunk of ids reads the table's columns; the uuids behind its
foreign keys, its link rows and its child rows come in one select per referenced table
and chunk, never one per row, so a first pull of hundreds of thousands of contacts
spends its time in the database's reads rather than in round trips.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, select, true
from sqlalchemy.orm import Session

from boligsag.storage.models import Base

from .pull_cache import WireCache
from .wire_ids import among, chunks, row_ids
from .wire_tables import SPECS, Children, Field, TableSpec
from .wire_vocabulary import vocabularies

WireRow = dict[str, Any]


class _Refs:
    """The wire value of every foreign key met while reading one batch: vocabulary keys
    from the Session's cache, record uuids fetched once per referenced table."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.vocab = vocabularies(session)
        self.wanted: dict[str, set[int]] = defaultdict(set)
        self.uuids: dict[str, dict[int, str]] = {}

    def want(self, ref: str, ids: Iterable[Any]) -> None:
        if ref not in self.vocab:
            self.wanted[ref].update(i for i in ids if i is not None)

    def fetch(self) -> None:
        known = row_ids(self.session)
        for ref, ids in self.wanted.items():
            self.uuids[ref] = known.uuids_of(self.session, ref, ids)

    def mapping(self, ref: str) -> dict[Any, str]:
        return self.vocab[ref].keys if ref in self.vocab else self.uuids.get(ref, {})

    def out(self, ref: str) -> Callable[[Any], str | None]:
        mapping = self.mapping(ref)
        return lambda value: None if value is None else mapping[value]


def _converter(field: Field, refs: _Refs) -> Callable[[Any], Any] | None:
    """How the field's database value becomes its wire value; None: as it is."""
    if field.ref is not None:
        return refs.out(field.ref)
    if field.code_list is not None:
        return lambda codes: None if codes is None else list(codes)
    assert field.codec is not None
    return field.codec.out


def _as_is(value: Any) -> Any:
    return value


def _children(session: Session, spec: Children, parent_ids: Sequence[int],
              refs: _Refs) -> tuple[dict[int, list[tuple[Any, ...]]], list[Field]]:
    t = Base.metadata.tables[spec.table]
    parent = t.c[spec.parent_column]
    rows: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for part in chunks(session, parent_ids):
        for row in session.execute(
                select(parent, *(t.c[f.column] for f in spec.fields))
                .where(among(session, parent, part))).all():
            rows[row[0]].append(row[1:])
    for index, field in enumerate(spec.fields):
        if field.ref is not None:
            refs.want(field.ref, (r[index] for group in rows.values() for r in group))
    return rows, list(spec.fields)


def rows_to_wire(session: Session, table: str, row_ids: Sequence[int]) -> list[WireRow]:
    """The wire form of the rows with these ids, in the order given (ids without a row
    are left out): ``{"table", "uuid", "version", "deleted", "fields"}`` with every wire
    field, link lists sorted so equal sets compare equal."""
    spec: TableSpec = SPECS[table]
    rows = _read(session, spec, spec.table.c.id, list(row_ids), true())
    by_id = {row[0]: row for row in rows}
    return _to_wire(session, spec, [by_id[i] for i in row_ids if i in by_id])


def rows_to_wire_by_uuid(session: Session, table: str, uuids: Sequence[str],
                         condition: ColumnElement[bool], *,
                         cache: tuple[WireCache, str] | None = None) -> list[WireRow]:
    """As :func:`rows_to_wire`, for the rows with these uuids that meet ``condition``
    (a pull's scope, scope.visible_condition), in the order given: the rows are found
    and read in the same select, not looked up by uuid first and read again by id.

    With ``cache`` (a pull_cache.WireCache and the database's identity), the rows are
    found first (id, uuid and version only), and only those whose version the cache
    does not hold are read and turned into wire rows, then kept. The rows returned are
    then the cache's own, shared with other pulls: copy one before changing it."""
    spec: TableSpec = SPECS[table]
    if cache is not None:
        return _by_uuid_through(session, spec, uuids, condition, *cache)
    rows = _read(session, spec, spec.table.c.uuid, list(uuids), condition)
    by_uuid = {row[1]: row for row in rows}
    return _to_wire(session, spec, [by_uuid[u] for u in uuids if u in by_uuid])


def _by_uuid_through(session: Session, spec: TableSpec, uuids: Sequence[str],
                     condition: ColumnElement[bool], kept: WireCache,
                     database: str) -> list[WireRow]:
    t = spec.table
    found: list[Row[Any]] = []
    for part in chunks(session, list(uuids)):
        found.extend(session.execute(select(t.c.id, t.c.uuid, t.c.version)
                                     .where(among(session, t.c.uuid, part), condition)).all())
    versions = {row_uuid: (row_id, version) for row_id, row_uuid, version in found}
    ordered = [(u, *versions[u]) for u in uuids if u in versions]
    rows = kept.get_many(database, spec.name, ((u, v) for u, _i, v in ordered))
    missing = [row_id for u, row_id, v in ordered if (u, v) not in rows]
    if missing:
        made = _to_wire(session, spec, _read(session, spec, t.c.id, missing, true()))
        kept.put_many(database, made)
        rows.update(((row["uuid"], row["version"]), row) for row in made)
    return [rows[(u, v)] for u, _i, v in ordered if (u, v) in rows]


def _read(session: Session, spec: TableSpec, key: ColumnElement[Any], keys: Sequence[Any],
          condition: ColumnElement[bool]) -> list[Row[Any]]:
    """(id, uuid, version, deleted_at, *the wire fields' columns) of the rows whose
    ``key`` is among ``keys`` and that meet ``condition``, in no particular order."""
    t = spec.table
    columns = [t.c.id, t.c.uuid, t.c.version, t.c.deleted_at,
               *(t.c[f.column] for f in spec.fields)]
    found: list[Row[Any]] = []
    for part in chunks(session, keys):
        found.extend(session.execute(
            select(*columns).where(among(session, key, part), condition)).all())
    return found


def _to_wire(session: Session, spec: TableSpec, rows: Sequence[Row[Any]]) -> list[WireRow]:
    """The wire form of rows read by :func:`_read`, in their order: the uuids behind
    their foreign keys, their links and children fetched in bulk."""
    table = spec.name
    ids = list(dict.fromkeys(row[0] for row in rows))
    refs = _Refs(session)
    for index, field in enumerate(spec.fields, start=4):
        if field.ref is not None:
            refs.want(field.ref, (row[index] for row in rows))
    links = {}
    for link in spec.links:
        lt = Base.metadata.tables[link.table]
        members: dict[int, list[Any]] = defaultdict(list)
        for part in chunks(session, ids):
            for parent_id, child in session.execute(
                    select(lt.c[link.parent_column], lt.c[link.child_column])
                    .where(among(session, lt.c[link.parent_column], part))).all():
                members[parent_id].append(child)
        refs.want(link.ref, (c for group in members.values() for c in group))
        links[link.name] = (link, members)
    children = {c.name: (c, *_children(session, c, ids, refs)) for c in spec.children}
    refs.fetch()

    names = [f.name for f in spec.fields]
    converting = [(index, convert) for index, f in enumerate(spec.fields)
                  if (convert := _converter(f, refs)) is not None]
    # Link rows are never null: their wire values are a plain look-up.
    link_out = [(name, refs.mapping(link.ref).__getitem__, members)
                for name, (link, members) in links.items()]
    child_out = [(name, [(f.name, _converter(f, refs) or _as_is) for f in fields], found,
                  c.key) for name, (c, found, fields) in children.items()]
    result: list[WireRow] = []
    for row in rows:
        row_id = row[0]
        values = list(row[4:])
        for index, convert in converting:
            values[index] = convert(values[index])
        fields = dict(zip(names, values, strict=True))
        for name, convert, members in link_out:
            fields[name] = sorted(map(convert, members.get(row_id, ())))
        for name, convs, found, key in child_out:
            objects = [{n: convert(v) for (n, convert), v in zip(convs, r, strict=True)}
                       for r in found.get(row_id, ())]
            fields[name] = sorted(objects, key=lambda o, key=key: [o[k] for k in key])
        result.append({"table": table, "uuid": row[1], "version": row[2],
                       "deleted": row[3] is not None, "fields": fields})
    return result

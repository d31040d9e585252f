"""uuid ↔ local id of record rows, remembered for the length of one Session.

A push of a thousand contacts names the same staff member, area and activity a
thousand times, and a pull page the same users and people; looking each up once per
Session, and all of one change's uuids in one query, keeps a change to a few round
trips. Remembering is safe because a row's id and uuid never change and rows are never
removed (deletion is a tombstone), and a Session is one unit of work: when it rolls
back, the rows it created go, and so does the Session with this cache in its ``info``.

Look-ups by a list of values are spelled here for each database (:func:`among`,
:func:`chunks`), for wire_read.py's bulk reads too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Executable,
    String,
    any_,
    bindparam,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from boligsag.storage.models import Base

_INFO_KEY = "boligsag.sync.row_ids"
# Values per look-up. SQLite gets an IN list of bound parameters, kept well under its
# limit (32,766); PostgreSQL gets one array parameter (``= ANY(:values)``), because
# psycopg spends longer parsing a query of thousands of placeholders than the server
# spends answering it.
CHUNK = {"sqlite": 2000, "postgresql": 20_000}


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def among(session: Session, column: ColumnElement[Any], values: Sequence[Any]
          ) -> ColumnElement[bool]:
    """``column IN values``, spelled for the Session's database."""
    if _dialect(session) == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def chunks(session: Session, items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    size = CHUNK.get(_dialect(session), 2000)
    for start in range(0, len(items), size):
        yield items[start:start + size]


class RowIds:
    def __init__(self) -> None:
        self.ids: dict[str, dict[str, int]] = defaultdict(dict)  # table → uuid → id
        self.uuids: dict[str, dict[int, str]] = defaultdict(dict)  # table → id → uuid

    def remember(self, table: str, row_id: int, uuid: str) -> None:
        self.ids[table][uuid] = row_id
        self.uuids[table][row_id] = uuid

    def ids_of(self, session: Session, wanted: Mapping[str, Iterable[str]]
               ) -> dict[str, dict[str, int]]:
        """uuid → id for the wanted uuids of each table; uuids without a row are left
        out. What is not remembered yet comes in one query for all tables (several,
        should a table's list be longer than a chunk)."""
        missing = {table: sorted(set(uuids) - self.ids[table].keys())
                   for table, uuids in wanted.items()}
        missing = {table: uuids for table, uuids in missing.items() if uuids}
        dialect = _dialect(session)
        size = CHUNK.get(dialect, 2000)
        if all(len(uuids) <= size for uuids in missing.values()):
            batches = [missing] if missing else []
        else:
            batches = [{table: part} for table, uuids in missing.items()
                       for part in chunks(session, uuids)]
        for batch in batches:
            query = _uuid_lookup(dialect, tuple(sorted(batch)))
            params = {f"uuids_{table}": list(uuids) for table, uuids in batch.items()}
            for table, uuid, row_id in session.execute(query, params).all():
                self.remember(table, row_id, uuid)
        return {table: {u: self.ids[table][u] for u in uuids if u in self.ids[table]}
                for table, uuids in wanted.items()}

    def uuids_of(self, session: Session, table: str, ids: Iterable[int | None]
                 ) -> dict[int, str]:
        """id → uuid for the given ids of a record table."""
        known = self.uuids[table]
        wanted = sorted({i for i in ids if i is not None})
        missing = [i for i in wanted if i not in known]
        t = Base.metadata.tables[table]
        for part in chunks(session, missing):
            for row_id, uuid in session.execute(select(t.c.id, t.c.uuid).where(
                    among(session, t.c.id, part))).all():
                self.remember(table, row_id, uuid)
        return {i: known[i] for i in wanted if i in known}


@lru_cache(maxsize=512)
def _uuid_lookup(dialect: str, tables: tuple[str, ...]) -> Executable:
    """(table name, uuid, id) of the rows of ``tables`` whose uuids are bound to
    ``uuids_<table>``; built once per combination of tables, so that a push of a
    thousand changes does not rebuild (and re-key for the compiled cache) a thousand
    equal statements."""
    parts = []
    for table in tables:
        t = Base.metadata.tables[table]
        name = f"uuids_{table}"
        if dialect == "postgresql":
            where = t.c.uuid == any_(bindparam(name, type_=ARRAY(t.c.uuid.type)))
        else:
            where = t.c.uuid.in_(bindparam(name, expanding=True))
        # Table names come from the models, never from a request.
        parts.append(select(literal_column(f"'{table}'", String), t.c.uuid, t.c.id)
                     .where(where))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def row_ids(session: Session) -> RowIds:
    found: RowIds | None = session.info.get(_INFO_KEY)
    if found is None:
        found = session.info[_INFO_KEY] = RowIds()
    return found

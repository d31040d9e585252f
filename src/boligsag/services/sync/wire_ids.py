"""uuid ↔ local id of record rows, remembered for the length of one Session.

A push of a thousand contacts names the same staff member, area and activity a
thousand times, and a pull page the same users and people; looking each up once per
Session, and all of one change's uuids in one query, keeps a change to a few round
trips. Remembering is safe because a row's id and uuid never change and rows are never
removed (deletion is a tombstone), and a Session is one unit of work: when it rolls
back, the rows it created go, and so does the Session with this cache in its ``info``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    any_,
    bindparam,
    literal,
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
        out. What is not remembered yet comes in one query for all tables."""
        missing = {table: sorted(set(uuids) - self.ids[table].keys())
                   for table, uuids in wanted.items()}
        parts: list[Select[tuple[str, str, int]]] = []
        for table, uuids in missing.items():
            t = Base.metadata.tables[table]
            parts.extend(select(literal(table), t.c.uuid, t.c.id)
                         .where(among(session, t.c.uuid, part))
                         for part in chunks(session, uuids))
        if parts:
            query = parts[0] if len(parts) == 1 else union_all(*parts)
            for table, uuid, row_id in session.execute(query).all():
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


def row_ids(session: Session) -> RowIds:
    found: RowIds | None = session.info.get(_INFO_KEY)
    if found is None:
        found = session.info[_INFO_KEY] = RowIds()
    return found

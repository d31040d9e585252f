"""Copy every row of one database into another, empty one at the same schema revision:
an encrypted laptop file (SQLCipher) into the team server's PostgreSQL, for a first
load or for the tests and the benchmark that compare the two backends.

Rows keep their ids and uuids, so every foreign key and every reference the audit chain
holds stays valid. Tables go in foreign-key order (``Base.metadata.sorted_tables``, and
by primary key within a table, which puts a row after the earlier rows it names, e.g.
``users.created_by_id``), in batches: PostgreSQL's COPY, or multi-row INSERTs into
any other target. The whole copy is one transaction on the target: a failed copy leaves
it empty.

On PostgreSQL two things differ from a service's own inserts:

- ``contacts.first_topic_id`` is copied as the source has it, with the trigger that
  keeps it (storage/dialect.py) disabled during the copy: firing it once per
  contact_topics row would update every contact again. One set-based UPDATE afterwards
  makes it equal to ``min(contact_topics.topic_id)``, the rule the trigger keeps,
  whatever the source held.
- Inserting explicit ids does not advance the ``id`` sequences; each is set past the
  largest copied id afterwards, or the server's first new row would collide.
- The copied tables are vacuumed and analysed at the end (below).

:func:`copy_tables` is the copy itself, in the caller's transaction, for a target that
may already hold rows: a ``rows`` function decides, batch by batch, which rows go in and
with which values (the team server's import of a laptop maps the laptop's ids onto the
rows the server already has: services/server/import_plan.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from psycopg import sql as psycopg_sql
from psycopg.types.json import Json
from sqlalchemy import JSON, Connection, Engine, Table, func, insert, select, text

from . import dialect, migrate
from .models import Base

__all__ = ["CopyRefused", "RowFilter", "copy_database", "copy_tables", "vacuum_analyse"]

BATCH = 5_000  # rows read and written at a time
Progress = Callable[[str, int], None]  # (table name, rows copied so far in it)
# (table, a batch of the source's rows in column order) -> the rows to write
RowFilter = Callable[[Table, Sequence[Sequence[Any]]], Sequence[Sequence[Any]]]


class CopyRefused(RuntimeError):
    """The target is not an empty database at the source's schema revision."""


def copy_database(source: Engine, target: Engine, *,
                  progress: Progress | None = None) -> dict[str, int]:
    """Copy every table of ``source`` into ``target``; returns rows copied per table.

    Both must be migrated to the same revision, and every table of ``target`` empty
    (raises CopyRefused otherwise: merging into existing rows would need the sync
    engine's rules, not a copy)."""
    source_revision, target_revision = (migrate.current_revision(source),
                                        migrate.current_revision(target))
    if source_revision != target_revision:
        raise CopyRefused(f"the source is at schema revision {source_revision}, the target "
                          f"at {target_revision}: upgrade both to the same revision first")
    tables = Base.metadata.sorted_tables
    with source.connect() as reading, target.begin() as writing:
        _refuse_non_empty(writing, tables)
        counts = copy_tables(reading, writing, tables, progress=progress)
    vacuum_analyse(target)
    return counts


def copy_tables(reading: Connection, writing: Connection, tables: Sequence[Table], *,
                rows: RowFilter | None = None, progress: Progress | None = None
                ) -> dict[str, int]:
    """Copy ``tables`` (in foreign-key order) from ``reading`` into ``writing``, in the
    writing connection's open transaction (nothing is committed here); returns the rows
    written per table. ``rows`` filters and rewrites each batch before it is written
    (default: every row as it is). On PostgreSQL the first-topic trigger is off during
    the copy, ``first_topic_id`` is recomputed and the id sequences are moved past the
    largest id afterwards, as the module docstring says."""
    counts: dict[str, int] = {}
    postgresql = writing.dialect.name == dialect.POSTGRESQL
    if postgresql:
        writing.exec_driver_sql(f"ALTER TABLE contact_topics DISABLE TRIGGER "
                                f"{dialect.FIRST_TOPIC_TRIGGER}")
    for table in tables:
        counts[table.name] = _copy_table(reading, writing, table, rows, progress)
    if postgresql:
        writing.exec_driver_sql(f"ALTER TABLE contact_topics ENABLE TRIGGER "
                                f"{dialect.FIRST_TOPIC_TRIGGER}")
        _recompute_first_topics(writing)
        _reset_sequences(writing, tables)
    return counts


def vacuum_analyse(target: Engine) -> None:
    """After a bulk load into PostgreSQL (nothing to do elsewhere): fresh planner
    statistics, and a visibility map that lets the summaries' covering indexes answer
    without visiting the table (index-only scans). VACUUM cannot run inside a
    transaction, so this runs after the copy's commit, on a connection of its own."""
    if target.dialect.name != dialect.POSTGRESQL:
        return
    with target.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
        admin.exec_driver_sql("VACUUM (ANALYZE)")


def _refuse_non_empty(connection: Connection, tables: Sequence[Table]) -> None:
    for table in tables:
        if connection.execute(select(func.count()).select_from(table)).scalar_one():
            raise CopyRefused(f"the target database is not empty (table {table.name} has "
                              "rows): copy only into a newly created database")


def _copy_table(reading: Connection, writing: Connection, table: Table,
                keep: RowFilter | None, progress: Progress | None) -> int:
    copied = 0
    copy_in = writing.dialect.name == dialect.POSTGRESQL
    names = [column.name for column in table.columns]
    # COPY bypasses SQLAlchemy's handling of values: a JSON column's list must reach the
    # server as JSON, not as psycopg's default for a list (an array).
    converting = [(i, Json) for i, column in enumerate(table.columns)
                  if isinstance(column.type, JSON)]
    for rows in _batches(reading, table):
        if keep is not None:
            rows = keep(table, rows)
            if not rows:
                continue
        if copy_in:
            if converting:
                rows = [_converted(row, converting) for row in rows]
            _copy_in(writing, table.name, names, rows)
        else:
            writing.execute(insert(table), [dict(zip(names, row, strict=True))
                                            for row in rows])
        copied += len(rows)
        if progress is not None:
            progress(table.name, copied)
    return copied


def _batches(reading: Connection, table: Table) -> Iterator[Sequence[Sequence[Any]]]:
    # Streamed, so 500,000 contacts never sit in memory at once. The values come back
    # as Python values (datetime, date, bool), which either target takes as they are.
    result = reading.execution_options(yield_per=BATCH).execute(
        select(table).order_by(*table.primary_key.columns))
    yield from result.partitions(BATCH)


def _converted(row: Sequence[Any], processors: list[tuple[int, Any]]) -> list[Any]:
    values = list(row)
    for index, process in processors:
        if values[index] is not None:
            values[index] = process(values[index])
    return values


def _copy_in(writing: Connection, table: str, names: list[str],
             rows: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL's COPY FROM STDIN on the unit's own connection (same transaction):
    several times faster than multi-row INSERTs on 500,000 contacts and their links."""
    raw: Any = writing.connection.driver_connection
    statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
        psycopg_sql.Identifier(table),
        psycopg_sql.SQL(", ").join(psycopg_sql.Identifier(n) for n in names))
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _recompute_first_topics(connection: Connection) -> None:
    connection.execute(text(
        "UPDATE contacts SET first_topic_id = f.first FROM ("
        " SELECT c.id, (SELECT min(t.topic_id) FROM contact_topics t"
        "  WHERE t.contact_id = c.id) AS first FROM contacts c) f"
        " WHERE contacts.id = f.id AND contacts.first_topic_id IS DISTINCT FROM f.first"))


def _reset_sequences(connection: Connection, tables: Sequence[Table]) -> None:
    for table in tables:
        if "id" not in table.c or list(table.primary_key.columns) != [table.c.id]:
            continue
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"),
            {"table": table.name}).scalar_one()
        if sequence is None:  # an id the program assigns itself: no sequence to move
            continue
        # setval(seq, max, true): the next id is max + 1; on an empty table
        # setval(seq, 1, false): the next id is 1.
        connection.execute(text(
            f"SELECT setval(:sequence, coalesce((SELECT max(id) FROM {table.name}), 1), "
            f"(SELECT max(id) FROM {table.name}) IS NOT NULL)"), {"sequence": sequence})

"""Writing rows without recording them in the outbox: pulled rows and acknowledgements.

The outbox triggers (storage/sync_triggers.py) are silent while the connection has a TEMP
table ``sync_applying``. :func:`applying` creates it on the connection a session or a
Core connection writes on, for the length of a ``with`` block, so a sync can write the
server's rows and versions in the same transaction as its other bookkeeping:

    with ctx.write(None) as unit, applying(unit.session):
        ...  # rows written here are the server's: nothing goes to the outbox

A TEMP table belongs to one connection, so other connections' writes (another thread
saving a contact meanwhile) are still recorded. Nested blocks share the table: each
adds a row and removes it, and the outermost drops the table. On PostgreSQL (the team
server, which has no outbox triggers) the block does nothing.

The block must end before its transaction does. If a caller commits inside it anyway,
the table would outlive the block on a connection going back to the pool; a pool
``checkin`` listener (added to the engine the first time) drops it there, so no later
unit of work on that connection is ever silently unrecorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

from .models.per_dialect import SQLITE

__all__ = ["applying", "is_applying"]

_TABLE = "temp.sync_applying"
_DROP = f"DROP TABLE IF EXISTS {_TABLE}"


@contextmanager
def applying(target: Session | Connection) -> Iterator[None]:
    """Silence the outbox triggers on ``target``'s connection for the block.

    A session is flushed on the way in and on the way out, so the block's edge is where
    the caller's code puts it: what was added before it is recorded, what was added in
    it is not (whenever autoflush would have sent it)."""
    if isinstance(target, Session):
        target.flush()
    connection = target.connection() if isinstance(target, Session) else target
    if connection.dialect.name != SQLITE:  # the team server has no outbox triggers
        yield
        return
    _guard_pool(connection.engine)
    connection.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS sync_applying (depth INTEGER)")
    mine = connection.exec_driver_sql(
        f"INSERT INTO {_TABLE} (depth) VALUES (NULL) RETURNING rowid").scalar_one()
    try:
        yield
        if isinstance(target, Session):
            target.flush()
    finally:
        # A transaction that ended in the block took its connection (and, by rollback
        # or by the checkin listener, the table) with it: nothing left to undo here.
        if not connection.closed and connection.in_transaction():
            connection.exec_driver_sql(f"DELETE FROM {_TABLE} WHERE rowid = ?", (mine,))
            left = connection.exec_driver_sql(f"SELECT count(*) FROM {_TABLE}").scalar_one()
            if left == 0:
                connection.exec_driver_sql(_DROP)


def is_applying(target: Session | Connection) -> bool:
    """Whether ``target``'s connection is inside :func:`applying` (for tests and checks)."""
    connection = target.connection() if isinstance(target, Session) else target
    if connection.dialect.name != SQLITE:
        return False
    return connection.exec_driver_sql(
        "SELECT count(*) FROM pragma_table_list('sync_applying') WHERE schema = 'temp'"
    ).scalar_one() > 0


def _guard_pool(engine: Engine) -> None:
    if not event.contains(engine, "checkin", _drop_on_checkin):
        event.listen(engine, "checkin", _drop_on_checkin)


def _drop_on_checkin(dbapi_connection: Any, _record: Any) -> None:
    if dbapi_connection is not None:  # None: the connection was invalidated
        dbapi_connection.execute(_DROP)

"""Writing rows without recording them in the outbox: pulled rows and acknowledgements.

The outbox triggers (storage/sync_triggers.py) are silent while the table
``sync_applying`` has a row. :func:`applying` adds one in the transaction of a session or
a Core connection for the length of a ``with`` block and deletes it again, so a sync can
write the server's rows and versions in the same transaction as its other bookkeeping:

    with ctx.db.writing(None) as session, applying(session):
        ...  # rows written here are the server's: nothing goes to the outbox

The row is never committed, so no other transaction ever sees it: SQLite has one writer
at a time and readers see committed rows only; a crash rolls it back. A transaction that
would commit while it is still there (a commit inside the block: a bug) fails instead,
because the row's deferred foreign key points at a ``sync_counter`` row that never
exists. Nested blocks each add and delete their own row.

Why not the TEMP table the design first named: a trigger in the main schema may not
read ``temp.sync_applying`` (SQLite: "cannot reference objects in database temp"), and
asking ``pragma_table_list`` whether the TEMP table exists costs ~3 µs per row written,
~6 s over a first pull of two million rows, against ~0.1 µs for this table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from .models.per_dialect import SQLITE

__all__ = ["applying", "is_applying"]

# sync_counter's one row is id 1; no row has id 0.
_NO_COUNTER_ROW = 0


@contextmanager
def applying(target: Session | Connection) -> Iterator[None]:
    """Silence the outbox triggers in ``target``'s transaction for the block.

    A session is flushed on the way in and on the way out, so the block's edge is where
    the caller's code puts it: what was added before it is recorded, what was added in
    it is not (whenever autoflush would have sent it). On PostgreSQL (the team server,
    which has no outbox triggers) the block does nothing."""
    if isinstance(target, Session):
        target.flush()
    connection = target.connection() if isinstance(target, Session) else target
    if connection.dialect.name != SQLITE:
        yield
        return
    mine = connection.exec_driver_sql(
        "INSERT INTO sync_applying (pending) VALUES (?) RETURNING id",
        (_NO_COUNTER_ROW,)).scalar_one()
    try:
        yield
        if isinstance(target, Session):
            target.flush()
    finally:
        # A transaction that ended in the block took the row with it (rolled back).
        if not connection.closed and connection.in_transaction():
            connection.exec_driver_sql("DELETE FROM sync_applying WHERE id = ?", (mine,))


def is_applying(target: Session | Connection) -> bool:
    """Whether ``target``'s transaction is inside :func:`applying`."""
    connection = target.connection() if isinstance(target, Session) else target
    if connection.dialect.name != SQLITE:
        return False
    return bool(connection.exec_driver_sql(
        "SELECT EXISTS (SELECT 1 FROM sync_applying)").scalar_one())

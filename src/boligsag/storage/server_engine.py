"""A team-server database (PostgreSQL, DESIGN.md §8) with the same two units of work as
the encrypted file (engine.py, database.py).

``Database(open_server_engine(url))`` gives services the same ``reading()`` and
``writing()``; the engine's "begin" hook decides what kind of transaction each is:

- a reading unit (``READ_ONLY_OPTION``) runs ``SET TRANSACTION ISOLATION LEVEL
  REPEATABLE READ, READ ONLY`` as its first statement. READ ONLY is the server's own
  refusal of writes (SQLSTATE 25006, raised here as the same ReadOnlyViolation the
  SQLite authorizer gives). REPEATABLE READ gives the whole read one snapshot, as
  SQLite's deferred read transaction does, and a read-only REPEATABLE READ transaction
  never fails with a serialization error, nor blocks or waits for a writer.
  Unlike SQLite's read units, it cannot CREATE (nor DROP, TRUNCATE, index) a TEMP
  table; it can INSERT, UPDATE and DELETE rows of a TEMP table that already exists on
  its connection (measured on PostgreSQL 15; tests/integration/test_units_of_work.py).
- a writing unit (``IMMEDIATE_OPTION``) is a READ COMMITTED read-write transaction, the
  server's default. Row locks taken by UPDATE/DELETE serialise concurrent saves of the
  same row, and lost updates are caught by the version column (``version_id_col``:
  the UPDATE's ``WHERE version = :old`` re-checks the newest committed row and matches
  nothing, which SQLAlchemy raises as StaleDataError and services as StaleRecord).
  REPEATABLE READ or SERIALIZABLE would add serialization failures that every service
  would have to retry, for no protection the version check does not already give.

None of the SQLite-only hooks (BEGIN IMMEDIATE and its wait, the authorizer, the
user_version bump at commit) is installed on this engine.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from boligsag.storage.engine import READ_ONLY_OPTION
from boligsag.storage.read_only import ReadOnlyViolation

__all__ = ["open_server_engine"]

_READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction
_BEGIN_READ = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"


def open_server_engine(url: str, *, pool_size: int = 3,
                       max_overflow: int | None = None) -> Engine:
    """An engine for the PostgreSQL database at ``url`` (``postgresql+psycopg://...``),
    through psycopg 3. A small pool: one desktop client holds a few connections at most
    (the GUI thread and a background worker or two). ``max_overflow`` (default: as many
    again as ``pool_size``) 0 makes ``pool_size`` the limit: the team server sizes its
    pool to the requests it lets into the database at once (server/app.py)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"not a PostgreSQL URL: {parsed.drivername}")
    # hide_parameters keeps row values (personal data) out of exception messages that
    # end up in logs and crash reports, as on the file database. pool_pre_ping: a
    # pooled connection may have been cut by a server restart or the network since.
    # READ COMMITTED set explicitly: write units rely on it (above), whatever the
    # server's default_transaction_isolation; read units raise it per transaction.
    # jit=off for every connection: PostgreSQL compiles a query whose estimated cost
    # passes jit_above_cost, and a pull's scope conditions (services/sync/scope_rules.py)
    # are estimated high but run short. Measured on the benchmark database (500,000
    # contacts, PostgreSQL 15), a staff member's pull of 3 pages of 5,000 contact
    # changes: with JIT, 3 of its 43 statements were compiled, 1.7-1.9 s of JIT in
    # 2.2-2.4 s of execution, 2.7-2.8 s in all; without, 0.7-0.8 s in all.
    engine = create_engine(parsed.set(drivername="postgresql+psycopg"),
                           isolation_level="READ COMMITTED",
                           pool_size=pool_size,
                           max_overflow=pool_size if max_overflow is None else max_overflow,
                           pool_pre_ping=True, hide_parameters=True,
                           connect_args={"options": "-c jit=off"})

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # psycopg opens the transaction with the first statement; SET TRANSACTION must
        # be that statement, so it runs here before the unit's own SQL.
        if conn.get_execution_options().get(READ_ONLY_OPTION, False):
            conn.exec_driver_sql(_BEGIN_READ)

    @event.listens_for(engine, "handle_error")
    def _refused_write(context: Any) -> None:
        # Only in a read unit: a write unit refused by a read-only server (a standby)
        # is not a read service that writes, and keeps the driver's error.
        in_read = (context.connection is not None and
                   context.connection.get_execution_options().get(READ_ONLY_OPTION, False))
        if in_read and getattr(context.original_exception, "sqlstate",
                               None) == _READ_ONLY_SQLSTATE:
            raise ReadOnlyViolation(
                "a read unit of work tried to write: "
                f"{_command(context.statement)}") from None

    return engine


def _command(statement: str | None) -> str:
    """The statement's first two words (INSERT INTO, CREATE TEMP): enough to find the
    culprit, and no literal of a raw statement (personal data) reaches the message."""
    words = (statement or "").split()
    return " ".join(words[:2]).upper() if words else "?"

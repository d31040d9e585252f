"""Read transactions that cannot write the database.

A read unit of work (``Database.reading``) runs in a deferred transaction, so it never
takes SQLite's write lock and never holds up a save. To make "a read never writes" a
fact rather than a convention, the connection refuses every write to the main database
for the life of that transaction:

- SQL level: an SQLite authorizer (``set_authorizer``) denies INSERT/UPDATE/DELETE, DDL
  and the pragmas that write, on any database but ``temp`` (summaries build TEMP tables,
  which ``PRAGMA query_only`` would block too). Setting an authorizer expires the
  connection's prepared statements, so a cached INSERT is checked again as well.
- ORM level: a ``before_flush`` guard refuses a flush of a read session that has new,
  changed or deleted objects, before any SQL is sent.

Both raise :class:`ReadOnlyViolation`: a programming error (a read service that writes),
never shown to a user as such.

On PostgreSQL the same guarantee is the server's ``READ ONLY`` transaction
(server_engine.py, which raises the same ReadOnlyViolation); this module is SQLite's
half only, hooked into engine.py's SQLite engine alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import PendingRollbackError
from sqlalchemy.orm import Session
from sqlcipher3 import dbapi2 as sqlcipher

__all__ = ["IN_READ_INFO", "READ_ONLY_INFO", "ReadOnlyViolation", "allow_writes",
           "end_reads_with_transactions", "guard_flush", "refuse_writes"]

# Session.info key marking a read session (set by Database.reading).
READ_ONLY_INFO = "boligsag_read_only"
# Connection.info key: this connection is in a read transaction (set by engine.py).
IN_READ_INFO = "boligsag_in_read_transaction"
# Connection.info key: the last write the authorizer refused, for the error message.
REFUSED_INFO = "boligsag_refused_write"


class ReadOnlyViolation(RuntimeError):
    """A read unit of work tried to write the database."""


_WRITES = {
    sqlcipher.SQLITE_INSERT: "INSERT",
    sqlcipher.SQLITE_UPDATE: "UPDATE",
    sqlcipher.SQLITE_DELETE: "DELETE",
    sqlcipher.SQLITE_CREATE_INDEX: "CREATE INDEX",
    sqlcipher.SQLITE_CREATE_TABLE: "CREATE TABLE",
    sqlcipher.SQLITE_CREATE_TRIGGER: "CREATE TRIGGER",
    sqlcipher.SQLITE_CREATE_VIEW: "CREATE VIEW",
    sqlcipher.SQLITE_CREATE_VTABLE: "CREATE VIRTUAL TABLE",
    sqlcipher.SQLITE_DROP_INDEX: "DROP INDEX",
    sqlcipher.SQLITE_DROP_TABLE: "DROP TABLE",
    sqlcipher.SQLITE_DROP_TRIGGER: "DROP TRIGGER",
    sqlcipher.SQLITE_DROP_VIEW: "DROP VIEW",
    sqlcipher.SQLITE_DROP_VTABLE: "DROP VIRTUAL TABLE",
    sqlcipher.SQLITE_ALTER_TABLE: "ALTER TABLE",
    sqlcipher.SQLITE_REINDEX: "REINDEX",
    sqlcipher.SQLITE_ANALYZE: "ANALYZE",
}
# Pragmas that change the file when given a value (user_version is what engine.py's
# commit hook bumps). Reading any pragma, and setting per-connection ones such as
# busy_timeout, stays allowed.
_SETTING_WRITES = frozenset({
    "user_version", "application_id", "schema_version", "journal_mode", "page_size",
    "auto_vacuum", "secure_delete", "writable_schema",
})
_ALWAYS_WRITES = frozenset({"incremental_vacuum", "wal_checkpoint", "optimize"})


def refuse_writes(driver_connection: Any, info: dict[str, Any]) -> None:
    """Install the authorizer on a DB-API connection at the start of a read transaction."""
    info.pop(REFUSED_INFO, None)

    def authorize(action: int, arg1: str | None, arg2: str | None, database: str | None,
                  _trigger: str | None) -> int:
        if action == sqlcipher.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name in _ALWAYS_WRITES or (arg2 is not None and name in _SETTING_WRITES):
                info[REFUSED_INFO] = f"PRAGMA {name}"
                return sqlcipher.SQLITE_DENY
            return sqlcipher.SQLITE_OK
        what = _WRITES.get(action)
        if what is None or database == "temp":
            return sqlcipher.SQLITE_OK
        info[REFUSED_INFO] = f"{what} on {database or 'main'}.{arg1 or '?'}"
        return sqlcipher.SQLITE_DENY

    driver_connection.set_authorizer(authorize)


def allow_writes(driver_connection: Any, info: dict[str, Any]) -> None:
    """Remove the authorizer when the read transaction ends, so a pooled connection
    handed to a write unit next is clean (and no refusal is left to be reported then)."""
    driver_connection.set_authorizer(None)
    info.pop(REFUSED_INFO, None)


def end_reads_with_transactions(engine: Engine) -> None:
    """Remove the authorizer when a read transaction rolls back (engine.py's commit hook
    does it on commit), and turn a refused statement into ReadOnlyViolation."""

    @event.listens_for(engine, "rollback")
    def _end_read(conn: Any) -> None:
        try:
            info, driver = conn.info, conn.connection.driver_connection
        except PendingRollbackError:
            return  # invalidated (a damaged page, storage/damage.py): closed, not reused
        if info.pop(IN_READ_INFO, False):
            allow_writes(driver, info)

    @event.listens_for(engine, "checkin")
    def _clean_on_return(dbapi_conn: Any, record: Any) -> None:
        # Belt and braces: a connection invalidated mid-read skips the event above.
        # One invalidated for good (a damaged page, storage/damage.py) is already closed.
        if record.info.pop(IN_READ_INFO, False) and dbapi_conn is not None:
            allow_writes(dbapi_conn, record.info)

    @event.listens_for(engine, "handle_error")
    def _refused_write(context: Any) -> None:
        if context.connection is not None:
            error = violation(context.connection.info)
            if error is not None:
                raise error from None


def violation(info: dict[str, Any]) -> ReadOnlyViolation | None:
    """The error for a statement the authorizer refused, if it refused one."""
    refused = info.pop(REFUSED_INFO, None)
    if refused is None:
        return None
    return ReadOnlyViolation(f"a read unit of work tried to write: {refused}")


def guard_flush(session: Session) -> None:
    """Called before every flush: a read session must have nothing to write."""
    if session.info.get(READ_ONLY_INFO) and (session.new or session.dirty or session.deleted):
        raise ReadOnlyViolation(
            "a read unit of work has new, changed or deleted objects to flush: "
            + ", ".join(sorted({type(o).__name__ for o in
                                (*session.new, *session.dirty, *session.deleted)})))

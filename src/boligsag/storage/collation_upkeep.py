"""Keeping the Danish name indexes in step with the ICU version (issue 14 §3).

SQLite's indexes under the collation ``da`` (migration 0010) hold names in the order
the ICU library of the program that wrote them gave. A later Boligsag may bring an ICU
whose collation data orders some names differently; an index built under the old
order then answers ORDER BY and lookups wrongly, and ``PRAGMA integrity_check`` calls
it corrupt. So the file records the ICU version its indexes were built with (table
``collation_versions``, local to the file: never synced or copied), and a writable
open whose ICU differs rebuilds them with ``REINDEX da`` before anything reads them.

A read-only open cannot rebuild and uses the indexes as they are: its reads of lists
may be out of order for the names whose order changed, until a writable open.
On PostgreSQL the server keeps its own collation version (``pg_collation.collversion``)
and warns when the operating system's ICU changes; that is its administrator's REINDEX.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine

from boligsag.collation import ICU_VERSION

from .dialect import DANISH_SQLITE

TABLE = "collation_versions"


def stored_icu_version(engine: Engine) -> str | None:
    """The ICU version the file's Danish indexes were built with; None before 0010."""
    with engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).first()
        if found is None:
            return None
        return conn.exec_driver_sql(f"SELECT version FROM {TABLE} WHERE name = ?",
                                    (DANISH_SQLITE,)).scalar()


def refresh_if_icu_changed(engine: Engine, write_options: Mapping[str, object]) -> bool:
    """Rebuild the Danish indexes when the file records another ICU version than this
    program's; True if it did. ``write_options``: the execution options of a writing
    unit (engine.py's IMMEDIATE option), so the rebuild takes the write lock first and
    its commit is counted like any other write (wal_guard.py)."""
    stored = stored_icu_version(engine)
    if stored is None or stored == ICU_VERSION:
        return False
    with engine.connect().execution_options(**write_options) as conn, conn.begin():
        conn.exec_driver_sql(f"REINDEX {DANISH_SQLITE}")
        conn.exec_driver_sql(f"UPDATE {TABLE} SET version = ? WHERE name = ?",
                             (ICU_VERSION, DANISH_SQLITE))
    return True

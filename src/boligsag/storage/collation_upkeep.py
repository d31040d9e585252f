"""Keeping the Danish name indexes in step with the ICU version (issue 14 §3).

SQLite's indexes under the collation ``da`` (migration 0010) hold names in the order
the ICU library of the program that wrote them gave. A later Boligsag may bring an ICU
whose collation data orders some names differently; an index built under the old
order then answers ORDER BY and lookups wrongly, and ``PRAGMA integrity_check`` calls
it corrupt. So the file records the ICU version its indexes were built with (table
``collation_versions``: never synced; a whole-file copy such as a backup carries it
with the indexes it describes), and a writable open whose ICU differs rebuilds them
with ``REINDEX da`` before anything reads them.

A read-only open cannot rebuild and uses the indexes as they are: its reads of lists
may be out of order for the names whose order changed, until a writable open.

PostgreSQL records the ICU version of each collation itself (``pg_collation.
collversion``) and warns when the operating system's ICU has changed under it; ``boligsag
server migrate`` then rebuilds the indexes under ``boligsag_da`` and records the new
version (:func:`refresh_postgresql_if_icu_changed`).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, Engine, text

from boligsag.collation import icu_version

from .dialect import DANISH_POSTGRESQL, DANISH_SQLITE

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


# The Danish name indexes of migration 0010, as it creates them on SQLite. The stock
# sqlcipher shell has no collation ``da``, so writing to ``people`` there first needs
# them dropped (README, "Where the data lives"); the next writable open makes them again.
DANISH_INDEXES = {
    "ix_people_da_name": f"people (last_name COLLATE {DANISH_SQLITE}, "
                         f"first_name COLLATE {DANISH_SQLITE})",
    "ix_people_da_first_name": f"people (first_name COLLATE {DANISH_SQLITE}, "
                               f"last_name COLLATE {DANISH_SQLITE})",
}


def _missing_indexes(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        present = {row[0] for row in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
    return [name for name in DANISH_INDEXES if name not in present]


def refresh_if_icu_changed(engine: Engine, write_options: Mapping[str, object]) -> bool:
    """Rebuild the Danish indexes when the file records another ICU version than this
    program's, and make any that were dropped (in the sqlcipher shell) again; True if it
    did either. ``write_options``: the execution options of a writing unit (engine.py's
    IMMEDIATE option), so the work takes the write lock first and its commit is counted
    like any other write (wal_guard.py)."""
    stored = stored_icu_version(engine)
    if stored is None:  # before migration 0010
        return False
    missing = _missing_indexes(engine)
    if stored == icu_version() and not missing:
        return False
    with engine.connect().execution_options(**write_options) as conn, conn.begin():
        for name in missing:
            conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {DANISH_INDEXES[name]}")
        conn.exec_driver_sql(f"REINDEX {DANISH_SQLITE}")
        conn.exec_driver_sql(f"UPDATE {TABLE} SET version = ? WHERE name = ?",
                             (icu_version(), DANISH_SQLITE))
    return True


def refresh_postgresql_if_icu_changed(connection: Connection) -> bool:
    """On PostgreSQL, in the caller's transaction: when the server's ICU is not the one
    ``boligsag_da`` was recorded with, rebuild every index under it and record the new
    version; True if it did. Nothing to do before migration 0010."""
    row = connection.execute(text(
        "SELECT oid, collversion, pg_collation_actual_version(oid) FROM pg_collation "
        "WHERE oid = to_regcollation(:name)"), {"name": DANISH_POSTGRESQL}).first()
    if row is None or row[1] == row[2]:
        return False
    indexes = connection.scalars(text(
        "SELECT indexrelid::regclass::text FROM pg_index "
        "WHERE CAST(:oid AS oid) = ANY (CAST(indcollation AS oid[])) ORDER BY 1"),
        {"oid": row[0]}).all()
    for index in indexes:
        connection.execute(text(f"REINDEX INDEX {index}"))
    connection.execute(text(f"ALTER COLLATION {DANISH_POSTGRESQL} REFRESH VERSION"))
    return True

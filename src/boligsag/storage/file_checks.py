"""Checks and upkeep of an open encrypted database file: folding the write-ahead log
back into it (before a byte copy, after a bulk load or an anonymisation) and SQLite's
quick integrity check, which reads and decrypts every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlcipher3 import dbapi2 as sqlcipher

from boligsag.storage.errors import IntegrityFailed, StrPath


def checkpoint(engine: Engine) -> None:
    """Fold the WAL back into the database file and truncate it (before a byte copy of
    the file, or at the end of a bulk load). Runs on the driver connection outside
    any transaction: SQLite refuses a checkpoint inside one."""
    with engine.connect() as conn:
        conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def quick_check(engine: Engine, path: StrPath) -> None:
    """Run SQLite's quick integrity check on an open database (IntegrityFailed if not ok).

    It reads and decrypts every page, about 5 ms per MB, so on a large database the
    application runs it in the background after unlock; every page read at any time is
    also authenticated by SQLCipher's per-page HMAC, so a damaged page never goes
    unnoticed in between."""
    with engine.connect() as conn:
        try:
            quick_check_driver(conn.connection.driver_connection, Path(path))
        except IntegrityFailed:
            conn.invalidate()  # SQLCipher leaves it in an error state: not back to the pool
            raise


def quick_check_driver(conn: Any, path: Path) -> None:
    """The quick check on a driver connection (IntegrityFailed if not ok)."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except (sqlcipher.Error, MemoryError) as exc:
        reason = str(exc) or type(exc).__name__
        raise IntegrityFailed(path, f"quick_check could not read every page: {reason}") from None
    if rows != [("ok",)]:
        raise IntegrityFailed(path, "; ".join(str(r[0]) for r in rows[:5]))

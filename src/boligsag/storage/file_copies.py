"""Whole-file work on encrypted databases: an encrypted copy of an open database (a
backup, issue 13 §1), checking such a copy, and a new key for a closed file (a join's
team snapshot, issue 12).

A copy is made with SQLite's online backup API from a connection that holds a read
transaction: in WAL mode that transaction pins one moment of the database, so the copy
and the row counts taken beside it are the same moment while the app goes on writing
(measured: a row committed by another connection between the counts and the copy is
in neither). The copy is a new SQLCipher file under the SAME key, written to a new
0600 file and fsynced, in rollback-journal mode; nothing of it is ever plaintext on
disk.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from boligsag.errors import UserError

from .engine import keyed_connection
from .errors import StrPath

__all__ = ["CopyDamaged", "checked_counts", "rekey", "table_counts", "verify_copy",
           "write_copy"]


class CopyDamaged(UserError):
    """A copy that does not open as a whole, or holds other row counts than its source
    had at the copy's moment."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__("The backup {file} is not a good copy: {reason}", file=str(path),
                         reason=reason)


def rekey(path: StrPath, old_key: bytes, new_key: bytes) -> None:
    """Encrypt the closed database at ``path`` under ``new_key`` instead of ``old_key``.
    ``PRAGMA rekey`` rewrites every page (444 MB in about 4 s on the reference machine);
    for a file nothing else has open, e.g. a join's download of the team snapshot in its
    staging folder. NotABoligsagDatabase when ``old_key`` is not the file's."""
    if len(new_key) != 32:
        raise ValueError("the database key must be 32 bytes")
    conn = keyed_connection(path, old_key)
    try:
        conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
    finally:
        conn.close()


def table_counts(conn: Any) -> dict[str, int]:
    """Rows per table (SQLite's own tables aside) on a DB-API connection."""
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    return {name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
            for name in names}


def write_copy(engine: Engine, db_key: bytes, target: StrPath) -> dict[str, int]:
    """Copy the database behind ``engine`` (whose key is ``db_key``) to the new file
    ``target`` and fsync it; returns the row counts per table at the copy's moment.
    ``target`` must not exist (DatabaseExists); on any failure it is removed."""
    target = Path(target).absolute()
    copy = keyed_connection(target, db_key, create=True)
    try:
        raw = engine.raw_connection()
        try:
            source = raw.driver_connection
            source.execute("BEGIN")  # a read transaction: one moment for both
            try:
                counts = table_counts(source)
                source.backup(copy)
            finally:
                source.execute("ROLLBACK")
        finally:
            raw.close()
        # A rollback journal, not WAL: a copy opened read-only later (to look at it
        # before a restore, on a write-protected disk) then needs no -wal or -shm beside
        # it. The database's engine turns WAL on again once it is restored.
        copy.execute("PRAGMA journal_mode = DELETE")
        copy.close()
        with open(target, "rb+") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        copy.close()
        for tail in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{target}{tail}")
        raise
    return counts


def checked_counts(conn: Any, path: Path) -> dict[str, int]:
    """``PRAGMA integrity_check`` on the copy at ``path`` (open on ``conn``), then its
    row counts per table; CopyDamaged when a page does not read or the check fails."""
    try:
        check = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        counts = table_counts(conn)
    except Exception as error:  # a failed page HMAC surfaces as SQLITE_NOMEM (MemoryError)
        raise CopyDamaged(path, f"it cannot be read ({type(error).__name__})") from None
    if check != ["ok"]:
        raise CopyDamaged(path, "the integrity check failed")
    return counts


def verify_copy(path: StrPath, db_key: bytes, counts: dict[str, int]) -> None:
    """Open the copy at ``path`` with ``db_key``, run ``PRAGMA integrity_check`` and
    compare its row counts with ``counts``; CopyDamaged says what is wrong."""
    path = Path(path).absolute()
    try:
        conn = keyed_connection(path, db_key)
    except UserError as error:
        raise CopyDamaged(path, str(error)) from None
    try:
        found = checked_counts(conn, path)
    finally:
        conn.close()
    if found != counts:
        differing = sorted(name for name in set(found) | set(counts)
                           if found.get(name) != counts.get(name))
        raise CopyDamaged(path, "other row counts in " + ", ".join(differing[:5]))

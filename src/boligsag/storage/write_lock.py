"""Taking SQLite's write lock for a unit of work: wait, say so, give up with a clear error.

Units of work that may write begin with ``BEGIN IMMEDIATE`` (see engine.py). When
another process is writing, SQLite's busy handler retries for ``busy_timeout``; here
that wait is split in two, so the caller can tell the user after ``notice_after_s``
that it is waiting, and gives up after ``limit_s`` with DatabaseLocked instead of the
driver's "database is locked".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from .errors import DatabaseLocked


@dataclass(frozen=True)
class WriteWait:
    """How long a write waits for another writer, and whom it tells that it waits."""

    limit_s: float = 30.0
    notice_after_s: float = 1.0
    # Called once per wait, from the waiting thread, when the notice time has passed.
    on_wait: Callable[[], None] | None = None


def begin_immediate(conn: Any, wait: WriteWait, path: Path, busy_timeout_ms: int) -> None:
    """``BEGIN IMMEDIATE`` on a DB-API connection, waiting as ``wait`` says."""
    started = time.monotonic()
    first = max(0.0, min(wait.notice_after_s, wait.limit_s))
    try:
        if _try_begin(conn, first):
            return
        if wait.on_wait is not None:
            wait.on_wait()
        remaining = wait.limit_s - (time.monotonic() - started)
        if remaining > 0 and _try_begin(conn, remaining):
            return
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    raise DatabaseLocked(path, waited_s=wait.limit_s)


def _try_begin(conn: Any, timeout_s: float) -> bool:
    conn.execute(f"PRAGMA busy_timeout = {max(0, int(timeout_s * 1000))}")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlcipher.OperationalError as exc:
        if getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return False
        raise
    return True

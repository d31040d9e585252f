"""A database found damaged takes no more writes.

A page that fails SQLCipher's HMAC (or SQLite's own checks) at run time, or a failed
integrity check in the background, marks the file damaged. From then on every unit
of work that would write is refused with :class:`DatabaseDamaged` before it begins, so
nothing is added to a file that may already have lost rows, and the newest backup
stays the better copy; reading still works, so a user can look up and copy what is
there until the administrator restores. A connection that met the damage is thrown
away rather than put back in the pool: SQLCipher leaves it in an error state.

The mark belongs to the file (its real path), not to an engine: the engine the
services hold is wrapped in option engines, and a lock and a new log-in in the same
process must not make a damaged file writable again. It lasts until a restore puts
another file in its place (:func:`forget_damage`) or the program ends; the next start
runs the integrity check again.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, event

from .errors import DatabaseDamaged, IntegrityFailed, StrPath

_damaged: set[str] = set()

# What the driver raises when a page is damaged: SQLITE_CORRUPT from SQLite's checks or
# the HMAC, SQLITE_NOTADB when page 1 itself no longer decrypts, and SQLITE_NOMEM
# (Python's MemoryError) that SQLCipher reports for some HMAC failures.
_DAMAGE_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def _key(path: StrPath) -> str:
    return os.path.realpath(path)


def mark_damaged(path: StrPath) -> None:
    _damaged.add(_key(path))


def is_damaged(path: StrPath | None) -> bool:
    """False for a server database (no file: PostgreSQL looks after its pages)."""
    return path is not None and _key(path) in _damaged


def forget_damage(path: StrPath) -> None:
    _damaged.discard(_key(path))


def looks_like_damage(error: BaseException | None) -> bool:
    if isinstance(error, MemoryError):
        return True
    return str(getattr(error, "sqlite_errorname", "")).startswith(_DAMAGE_CODES)


def refuse_writes_if_damaged(path: StrPath) -> None:
    """Called as a writing transaction begins (engine.py's begin hook)."""
    if is_damaged(path):
        raise DatabaseDamaged(path)


def watch_for_damage(engine: Engine, path: StrPath) -> None:
    """Mark the file damaged when a statement meets a damaged page, drop that
    connection, and raise :class:`IntegrityFailed` (its message says what to do)
    instead of the driver's error."""

    @event.listens_for(engine, "handle_error")
    def _damaged_page(context: Any) -> Exception | None:
        if not looks_like_damage(context.original_exception):
            return None
        mark_damaged(path)
        context.is_disconnect = True  # the pool throws this connection away
        return IntegrityFailed(path, f"a page failed its check at run time: "
                                     f"{type(context.original_exception).__name__}")

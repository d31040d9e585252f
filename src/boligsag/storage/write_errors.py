"""A save that the disk cannot take (full, a quota, a failing or removed drive) says
so in plain words instead of the driver's "disk I/O error".

SQLite reports a full disk as SQLITE_FULL and a write the system refused as
SQLITE_IOERR; either way the transaction is rolled back and the file keeps what was
committed before (its write-ahead log is only appended to). The message says that, and
what to do.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

from .errors import StrPath, WriteFailed

_WRITE_CODES = ("SQLITE_FULL", "SQLITE_IOERR")


def explain_write_failures(engine: Engine, path: StrPath) -> None:
    @event.listens_for(engine, "handle_error")
    def _write_failed(context: Any) -> Exception | None:
        name = str(getattr(context.original_exception, "sqlite_errorname", ""))
        if not name.startswith(_WRITE_CODES):
            return None
        return WriteFailed(path, name)

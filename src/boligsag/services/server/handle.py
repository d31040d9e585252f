"""``ServerDb``: one server instance's handle on its database, and its units of work.

``read()`` and ``write()`` are the file database's two units (storage/database.py) on
PostgreSQL (storage/server_engine.py). Inside ``one_connection()`` every unit the
thread opens runs on the same pooled connection, one transaction after another: a
request of the HTTP API (server/app.py) checks a connection out once, so it never holds
one while it waits in the pool for a second, and the requests let into the database at
once never need more connections than the pool has.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from boligsag.storage.database import Database

__all__ = ["DEFAULT_CONNECTIONS", "ServerDb"]

DEFAULT_CONNECTIONS = 10


@dataclass
class ServerDb:
    """The database, ``secret.key``'s 32 bytes, and how many connections its pool has
    (``connections``: the requests that may work in the database at once)."""

    db: Database
    secret: bytes = field(repr=False)
    connections: int = DEFAULT_CONNECTIONS
    # Per thread: a request's units run in the thread pool, one request per thread.
    _held: threading.local = field(default_factory=threading.local, init=False,
                                   repr=False, compare=False)

    @contextmanager
    def one_connection(self) -> Iterator[None]:
        """The units opened in this thread inside the block share one connection."""
        if self._connection() is not None:
            yield
            return
        with self.db.engine.connect() as connection:
            self._held.connection = connection
            try:
                yield
            finally:
                self._held.connection = None

    def _connection(self) -> Connection | None:
        return getattr(self._held, "connection", None)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A READ ONLY, REPEATABLE READ unit, rolled back at the end (Database.reading)."""
        with self.db.reading(self._connection()) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A READ COMMITTED unit, committed on a clean exit (Database.writing)."""
        with self.db.writing(None, self._connection()) as session:
            yield session

    def dispose(self) -> None:
        self.db.dispose()

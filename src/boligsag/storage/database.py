"""The open database: an engine plus units of work.

A unit of work is one Session for one user action, all or nothing (Cosmic Python's
``with uow:``). There are two kinds, and services reach them only through
``AppContext.read`` / ``AppContext.write`` (services/context.py):

- :meth:`Database.reading`: a deferred transaction that never takes the write lock and
  cannot write the main database (read_only.py); it ends with a rollback.
- :meth:`Database.writing`: takes the write lock when it begins (``BEGIN IMMEDIATE``,
  write_lock.py), commits on a clean exit and rolls back on any error.

A writing session knows the acting user and the time, so every record gets its authors
and timestamps filled in one place rather than in every service.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, sessionmaker

from .engine import IMMEDIATE_OPTION, READ_ONLY_OPTION
from .models import Record
from .read_only import READ_ONLY_INFO, ReadOnlyViolation, guard_flush

__all__ = ["Database", "ReadOnlyViolation", "WriteStamp"]


@dataclass(frozen=True)
class WriteStamp:
    """Who is writing and when; stored in ``Session.info`` for the flush hook."""

    user_id: int | None
    now: datetime


class Database:
    def __init__(self, engine: Engine, path: Path | None = None) -> None:
        # path: the encrypted file; None for a server database (server_engine.py),
        # which has no file of its own.
        self.engine = engine
        self.path = path
        # expire_on_commit=False: services hand frozen rows to the UI after commit,
        # and nothing may lazily reach back into a closed session.
        # Writing sessions take the write lock when they begin (see engine.py); reading
        # sessions are deferred and refuse writes. On a server database the same two
        # options make a read-write and a READ ONLY transaction (server_engine.py).
        self._sessions = sessionmaker(
            engine.execution_options(**{IMMEDIATE_OPTION: True}), expire_on_commit=False)
        self._reading = sessionmaker(
            engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False)

    @contextmanager
    def reading(self, connection: Connection | None = None) -> Iterator[Session]:
        """A Session for reading: deferred, refusing writes, rolled back at the end.
        ``connection``: run on this checked-out connection instead of one from the pool
        (the team server runs a request's units on one connection, services/server/
        handle.py)."""
        session = self._reading() if connection is None else self._on(connection, True)
        session.info[READ_ONLY_INFO] = True
        try:
            yield session
            guard_flush(session)  # changes that never reached a flush are a bug too
        finally:
            session.close()  # rolls the read transaction back

    @contextmanager
    def writing(self, stamp: WriteStamp | None,
                connection: Connection | None = None) -> Iterator[Session]:
        """A Session for writing: the write lock from its first statement, committed on
        a clean exit (StaleDataError propagates from the commit), rolled back on error.
        ``stamp`` None only before anyone is signed in (creating the database);
        ``connection`` as for :meth:`reading`."""
        session = self._sessions() if connection is None else self._on(connection, False)
        if stamp is not None:
            session.info["stamp"] = stamp
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()

    @staticmethod
    def _on(connection: Connection, read_only: bool) -> Session:
        # The engine's "begin" hook reads these options (they change the connection in
        # place) to choose the kind of transaction, as the two sessionmakers' do.
        connection.execution_options(**{READ_ONLY_OPTION: read_only,
                                        IMMEDIATE_OPTION: not read_only})
        return Session(bind=connection, expire_on_commit=False)


@event.listens_for(Session, "before_flush")
def _refuse_flush_in_read(session: Session, _context: object, _instances: object) -> None:
    guard_flush(session)


@event.listens_for(Session, "before_flush")
def _stamp_records(session: Session, _context: object, _instances: object) -> None:
    stamp: WriteStamp | None = session.info.get("stamp")
    if stamp is None:
        return
    for obj in session.new:
        if isinstance(obj, Record):
            obj.created_at = obj.created_at or stamp.now
            obj.updated_at = stamp.now
            obj.created_by_id = obj.created_by_id or stamp.user_id
            obj.updated_by_id = stamp.user_id
    for obj in session.dirty:
        if isinstance(obj, Record) and session.is_modified(obj):
            obj.updated_at = stamp.now
            obj.updated_by_id = stamp.user_id

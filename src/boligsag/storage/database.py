"""The open database: an engine plus units of work.

A unit of work is one Session for one user action: it commits explicitly and rolls
back on any error, so a save is all or nothing (Cosmic Python's ``with uow:``). The
session knows the acting user and the time, so every record gets its authors and
timestamps filled in one place rather than in every service.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from .engine import IMMEDIATE_OPTION
from .models import Record


@dataclass(frozen=True)
class WriteStamp:
    """Who is writing and when; stored in ``Session.info`` for the flush hook."""

    user_id: int | None
    now: datetime


class Database:
    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path
        # expire_on_commit=False: services hand frozen rows to the UI after commit,
        # and nothing may lazily reach back into a closed session.
        # Units of work take the write lock when they begin (see engine.py), because
        # almost every user action writes, if only an audit entry; long read-only work
        # (summaries) uses a deferred transaction that never holds up a save.
        self._sessions = sessionmaker(
            engine.execution_options(**{IMMEDIATE_OPTION: True}), expire_on_commit=False)
        self._read_sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def unit_of_work(
        self, stamp: WriteStamp | None = None, *, read_only: bool = False
    ) -> Iterator[Session]:
        """One Session for one user action. ``read_only`` is for long reads (summaries):
        they start a deferred transaction that never blocks writers."""
        session = (self._read_sessions if read_only else self._sessions)()
        if stamp is not None:
            session.info["stamp"] = stamp
        try:
            yield session
            if session.new or session.dirty or session.deleted:
                # A service that forgot to commit must not silently lose the user's work.
                raise RuntimeError("unit of work ended with uncommitted changes")
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


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

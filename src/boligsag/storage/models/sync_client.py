"""A laptop's side of team sync (issue 12): the local changes waiting to be pushed, the
pulled rows held back until what they refer to arrives, and the change counter.

On a laptop the outbox and the counter are written by SQLite triggers, never by the ORM
(storage/sync_triggers.py), so every write path is recorded in the transaction of the
write, unless a sync is writing the server's rows (``sync_applying``). The team server
has the same tables (one schema, one Alembic history) but no triggers, and leaves them
empty.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class SyncOutboxEntry(Base):
    """One synced row changed here since the server last acknowledged it.

    ``fields`` is a JSON array of the wire field names changed (``["*"]``: the row was
    created here); ``base_version`` is the server's version the first of these changes
    was made on (NULL for a row created here), which the push sends as the change's
    base; ``local_seq`` is the counter value of the row's latest change, so an
    acknowledgement can tell a change made while its push was in flight. An entry with
    no fields that is not a deletion has nothing to push: it remembers the base of a row
    whose version moved here without a wire field changing."""

    __tablename__ = "sync_outbox"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    base_version: Mapped[int | None] = mapped_column(Integer)
    fields: Mapped[str] = mapped_column(Text, default="[]")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    local_seq: Mapped[int] = mapped_column(Integer)


class SyncInboxEntry(Base):
    """A pulled row held back because a row it refers to has not arrived yet: its wire
    form (JSON), tried again after each pulled page."""

    __tablename__ = "sync_inbox"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    row_json: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime)


class SyncCounter(Base):
    """One row (``id`` 1): the last ``local_seq`` a trigger handed out."""

    __tablename__ = "sync_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    local_seq: Mapped[int] = mapped_column(Integer, default=0)


class SyncApplying(Base):
    """While a row is here, the outbox triggers record nothing: a sync is writing the
    server's rows (storage/sync_applying.py). Rows live only inside the writing
    transaction: ``pending`` points at a counter row that never exists (id 0) through a
    DEFERRED foreign key, so a transaction that still holds one cannot commit."""

    __tablename__ = "sync_applying"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pending: Mapped[int] = mapped_column(
        ForeignKey("sync_counter.id", deferrable=True, initially="DEFERRED"))

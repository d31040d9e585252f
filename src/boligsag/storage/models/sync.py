"""The team server's sync log (DESIGN.md §8, issue 11): every change a push applied, the
batches already received, and the conflicts kept as data.

The engine (services/sync/) writes these on the server. Laptops have the same tables
(one schema, one Alembic history) but leave them empty, apart from the conflicts that
issue 12 will pull to show them to the people involved.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Sequence,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record

# The order of changes on the server: a pull returns the changes with seq > its cursor.
# On SQLite (laptops: the table stays empty) the column is the plain integer rowid.
SYNC_SEQUENCE = Sequence("sync_changes_seq")
_SEQ_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class SyncChange(Base):
    """One change a push (or the server itself) made to one row, numbered by ``seq``.

    ``seq`` is assigned at the end of the writing transaction under an advisory lock held
    until commit (services/sync/ordering.py), so the committed changes always form a
    prefix of the sequence. ``fields`` lists the wire field names the change touched (a
    JSON array), which is what the field-level merge compares."""

    __tablename__ = "sync_changes"
    __table_args__ = (
        # "Which fields changed since version n" (merge) and "is there a newer change of
        # this row" (pull) both seek by row and version.
        Index("ix_sync_changes_row", "table_name", "row_uuid", "version"),
    )

    seq: Mapped[int] = mapped_column(_SEQ_TYPE, SYNC_SEQUENCE, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_uuid: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)  # the row's version after this change
    fields: Mapped[str] = mapped_column(Text, default="[]")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device_uuid: Mapped[str | None] = mapped_column(String(36))
    batch_uuid: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(DateTime)  # server time


class SyncBatch(Base):
    """A push already received: a batch pushed again (its acknowledgement was lost) gets
    the stored result and changes nothing."""

    __tablename__ = "sync_batches"

    device_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    batch_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    result: Mapped[str] = mapped_column(Text, default="")  # JSON of the PushResult


class SyncConflict(Record, Base):
    """Two edits that could not both stand: the value kept (the first to reach the server)
    and the other one, with who and when for each, until someone settles it (issue 12).
    A Record, so it syncs to the laptops of the people involved like any row."""

    __tablename__ = "sync_conflicts"
    __table_args__ = (Index("ix_sync_conflicts_row", "table_name", "row_uuid"),)

    table_name: Mapped[str] = mapped_column(String(40))
    row_uuid: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(60))  # wire name, or "*": the whole record
    kind: Mapped[str] = mapped_column(String(20))  # services/sync/merge.py's CONFLICT_KINDS
    kept_value: Mapped[str] = mapped_column(Text, default="null")  # JSON
    other_value: Mapped[str] = mapped_column(Text, default="null")  # JSON
    kept_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kept_at: Mapped[datetime | None] = mapped_column(DateTime)
    other_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    other_device_uuid: Mapped[str | None] = mapped_column(String(36))
    other_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")

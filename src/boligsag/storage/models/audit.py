"""The audit log: who viewed, changed, exported or printed which person's data.

Entries never hold note text or CPR numbers. Each entry's hash covers the previous
entry's hash, so a deleted or edited entry breaks the chain (tamper-evident).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from boligsag.domain.enums import AuditAction

from .base import Base


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_person", "person_uuid", "at"),
        Index("ix_audit_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(60), default="")
    action: Mapped[AuditAction] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(40), default="")  # table name
    entity_uuid: Mapped[str | None] = mapped_column(String(36))
    person_uuid: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[str] = mapped_column(String(300), default="")  # never notes or CPR
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

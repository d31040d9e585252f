"""Personal reminders ("Påmind mig"): a date and a short text for one staff member."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record


class Reminder(Record, Base):
    """A reminder its owner set for themself, optionally about a person, a contact or a
    referral. Only its owner sees it; it shows on the start page from ``due_on``."""

    __tablename__ = "reminders"
    __table_args__ = (
        # The start page asks "my open reminders due by today", every time it loads.
        Index("ix_reminders_owner_due", "owner_user_id", "done_at", "deleted_at", "due_on"),
    )

    owner_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    done_at: Mapped[datetime | None] = mapped_column(DateTime)

"""Pocket-money and leisure jobs for young people, with 3/6/12-month follow-ups."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from boligsag.domain.enums import JobKind, StillEmployed

from .base import Base, Record
from .people import Person


class Job(Record, Base):
    """A young person's job. ``previous_job_id`` records a move from a pocket-money
    job to an ordinary leisure job: the outcome LBF's evaluations measure."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_person", "person_id"),
        Index("ix_jobs_start", "start_date", "kind"),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[JobKind] = mapped_column(String(20))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    employer: Mapped[str] = mapped_column(String(160))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    hourly_pay: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))  # pocket money, DKK
    previous_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    person: Mapped[Person] = relationship()
    previous_job: Mapped[Job | None] = relationship(remote_side="Job.id")
    follow_ups: Mapped[list[JobFollowUp]] = relationship(
        back_populates="job", order_by="JobFollowUp.months", cascade="all, delete-orphan"
    )


class JobFollowUp(Record, Base):
    """Still employed at 3, 6 or 12 months after the job started?"""

    __tablename__ = "job_follow_ups"
    __table_args__ = (
        Index("ix_job_follow_ups_due", "due_date", "status"),
        Index("ix_job_follow_ups_job", "job_id"),
    )

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    months: Mapped[int] = mapped_column(Integer)  # 3, 6 or 12
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[StillEmployed | None] = mapped_column(String(10))  # None: not yet asked
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    job: Mapped[Job] = relationship(back_populates="follow_ups")

"""Activities, enrollments (forløb), sessions (mødegange), attendance, head counts."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from boligsag.domain.enums import ActivityKind, ActivityMode, EndReason, Gender

from .base import Base, Record
from .org import Area, Plan, User
from .people import Household, Person
from .reference import FocusArea, Topic


class Activity(Record, Base):
    """A programme run by the team, tied to a focus area of the plan."""

    __tablename__ = "activities"

    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[ActivityKind] = mapped_column(String(30))
    mode: Mapped[ActivityMode] = mapped_column(String(10))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_areas.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    plan: Mapped[Plan | None] = relationship()
    focus_area: Mapped[FocusArea | None] = relationship()
    area: Mapped[Area | None] = relationship()
    responsible: Mapped[User | None] = relationship(foreign_keys=[responsible_user_id])


enrollment_topics = Table(
    "enrollment_topics",
    Base.metadata,
    Column("enrollment_id", ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id"), primary_key=True),
)


class Enrollment(Record, Base):
    """A person in a fixed-course activity. Mentoring has a mentor (staff or volunteer);
    parent guidance is for a household and its children, with topics."""

    __tablename__ = "enrollments"
    __table_args__ = (
        Index("ix_enrollments_person", "person_id"),
        Index("ix_enrollments_activity", "activity_id", "start_date"),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    mentor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[EndReason | None] = mapped_column(String(30))
    goals: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")

    person: Mapped[Person] = relationship()
    activity: Mapped[Activity] = relationship()
    household: Mapped[Household | None] = relationship()
    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_user_id])
    topics: Mapped[list[Topic]] = relationship(secondary=enrollment_topics)


session_staff = Table(
    "session_staff",
    Base.metadata,
    Column("session_id", ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class ActivitySession(Record, Base):
    """One meeting of an activity (mødegang)."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_activity_date", "activity_id", "date"),)

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    date: Mapped[date] = mapped_column(Date, index=True)
    start_time: Mapped[time | None] = mapped_column(Time)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")

    activity: Mapped[Activity] = relationship()
    staff: Mapped[list[User]] = relationship(secondary=session_staff)
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )
    head_counts: Mapped[list[HeadCount]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )


class Attendance(Base):
    """Whether an enrolled person was present at a session (with absence reason)."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "person_id"),
        Index("ix_attendance_person", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    present: Mapped[bool] = mapped_column(Boolean)
    absence_reason: Mapped[str] = mapped_column(String(120), default="")

    session: Mapped[ActivitySession] = relationship(back_populates="attendance")
    person: Mapped[Person] = relationship()


class HeadCount(Base):
    """Anonymous drop-in head count for one age group and gender at a session."""

    __tablename__ = "head_counts"
    __table_args__ = (
        UniqueConstraint("session_id", "age_group", "gender"),
        CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    age_group: Mapped[str] = mapped_column(ForeignKey("age_groups.code"))
    gender: Mapped[Gender] = mapped_column(String(10))
    count: Mapped[int] = mapped_column(Integer)

    session: Mapped[ActivitySession] = relationship(back_populates="head_counts")

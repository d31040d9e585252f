"""Logged contacts (kontakt / henvendelse), including anonymous counselling and
network-mother conversations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, Unmapped, mapped_column, relationship, unmapped_column

from boligsag.domain.enums import ContactKind, Gender

from .base import Base, Record
from .org import Area, Service, User
from .people import Person
from .per_dialect import month_index_expression
from .reference import Channel, Topic

contact_people = Table(
    "contact_people",
    Base.metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id"), primary_key=True),
    # Reverse lookup for a person's timeline.
    Index("ix_contact_people_person", "person_id", "contact_id"),
)

contact_topics = Table(
    "contact_topics",
    Base.metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id"), primary_key=True),
    Index("ix_contact_topics_topic", "topic_id", "contact_id"),
)


class Contact(Record, Base):
    """A contact with one or more residents, or an anonymous one (serviceloven § 10
    stk. 2), counted by age group and gender with no person attached."""

    __tablename__ = "contacts"
    __table_args__ = (
        # Covering index for period summaries: the aggregate reads only index pages,
        # which matters because every page read from SQLCipher is decrypted. It holds
        # every column a summary reads or filters contacts by (revision 0003 widened
        # the former ix_contacts_summary with area, activity, age group and gender;
        # 0004 added the first topic).
        Index(
            "ix_contacts_period",
            "occurred_at",
            "deleted_at",
            "anonymous",
            "channel_id",
            "duration_minutes",
            "staff_user_id",
            "area_id",
            "activity_id",
            "first_topic_id",
            "age_group",
            "gender",
        ),
        # A month's contacts in the order the summary counts them (channel, activity,
        # first topic), so its GROUP BY streams instead of sorting (0004). The month is
        # an expression: a query must spell it exactly so (``summaries.sql.month_key``).
        Index(
            "ix_contacts_month",
            month_index_expression(),
            "channel_id",
            "activity_id",
            "first_topic_id",
            "anonymous",
            "duration_minutes",
            "occurred_at",
            "deleted_at",
            "staff_user_id",
            "area_id",
        ),
        # The anonymous contacts alone (one in twelve), for the summary's table of them
        # by age group and gender (0004). The condition is spelled as SQLAlchemy renders
        # ``anonymous.is_(True)``: SQLite uses a partial index only for a matching term.
        Index(
            "ix_contacts_anonymous",
            "occurred_at",
            "deleted_at",
            "age_group",
            "gender",
            "staff_user_id",
            "area_id",
            "activity_id",
            "first_topic_id",
            sqlite_where=text("anonymous IS 1"),
        ),
        Index("ix_contacts_follow_up", "follow_up_date", "follow_up_done_at"),
        # A staff member's contacts by time; covering for the summaries too (0004), so a
        # summary for a few staff members seeks their contacts without reading any rows
        # (the table rows hold the notes: each page read is also decrypted).
        Index(
            "ix_contacts_staff",
            "staff_user_id",
            "occurred_at",
            "deleted_at",
            "anonymous",
            "channel_id",
            "duration_minutes",
            "area_id",
            "activity_id",
            "first_topic_id",
            "age_group",
            "gender",
        ),
    )

    kind: Mapped[ContactKind] = mapped_column(String(20), default=ContactKind.CONTACT)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)  # local time, as logged
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    age_group: Mapped[str | None] = mapped_column(ForeignKey("age_groups.code"))
    gender: Mapped[Gender | None] = mapped_column(String(10))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    follow_up_date: Mapped[date | None] = mapped_column(Date)
    follow_up_done_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Network-mother conversation form: where the resident was pointed to.
    referred_to_service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    referred_to_text: Mapped[str] = mapped_column(String(200), default="")
    # Notes under the SSP cooperation (retsplejeloven § 115): never exported or printed.
    ssp_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # The lowest of the contact's topic ids (it decides the focus area in summaries),
    # kept equal to min(contact_topics.topic_id) by triggers (migration 0004). Not
    # mapped: the program never writes it, and an ORM copy would go stale when the
    # topics change.
    first_topic_id: Unmapped[int | None] = unmapped_column(Integer)

    staff: Mapped[User] = relationship(foreign_keys=[staff_user_id])
    channel: Mapped[Channel] = relationship()
    area: Mapped[Area | None] = relationship()
    referred_to_service: Mapped[Service | None] = relationship()
    people: Mapped[list[Person]] = relationship(secondary=contact_people)
    topics: Mapped[list[Topic]] = relationship(secondary=contact_topics)

"""Residents and participants, their households and family links."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from boligsag.domain.enums import Gender

from .base import Base, Record
from .org import Area


class Household(Record, Base):
    """People living together (husstand / familie)."""

    __tablename__ = "households"

    name: Mapped[str] = mapped_column(String(160))  # e.g. "Familien Yılmaz"
    street: Mapped[str] = mapped_column(String(160), default="")
    postal_code: Mapped[str] = mapped_column(String(4), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    area: Mapped[Area | None] = relationship()
    members: Mapped[list[Person]] = relationship(back_populates="household")


class Person(Record, Base):
    """A resident or participant (beboer / deltager). CPR is optional."""

    __tablename__ = "people"
    __table_args__ = (
        Index("ix_people_cpr", "cpr"),
        Index("ix_people_name_birth", "last_name", "first_name", "birth_date"),
        Index("ix_people_household", "household_id"),
        # Migration 0002 also creates NOCASE name indexes and the people_search FTS5
        # table, 0010 the Danish name indexes; they are expressions or collations
        # Alembic cannot compare, so env.py skips them.
        Index("ix_people_phone", "phone"),
        Index("ix_people_birth_date", "birth_date"),
    )

    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    cpr: Mapped[str | None] = mapped_column(String(10))  # 10 digits, no dash
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[Gender] = mapped_column(String(10), default=Gender.UNKNOWN)
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    street: Mapped[str] = mapped_column(String(160), default="")
    postal_code: Mapped[str] = mapped_column(String(4), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    languages: Mapped[str] = mapped_column(String(120), default="")
    # Restricted cases: only the responsible staff, team leads and administrators see them.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    # Retention: set when personal data is removed but statistics are kept.
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)

    household: Mapped[Household | None] = relationship(back_populates="members")
    area: Mapped[Area | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class PersonRelation(Record, Base):
    """A parent–child link; ``has_custody`` marks the holder of parental custody
    (forældremyndighed), who gives consent on the child's behalf."""

    __tablename__ = "person_relations"
    __table_args__ = (UniqueConstraint("parent_id", "child_id"),)

    parent_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    has_custody: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[Person] = relationship(foreign_keys=[parent_id])
    child: Mapped[Person] = relationship(foreign_keys=[child_id])

"""Reference data tables, filled from ``resources/reference`` (not hard-coded).

These are vocabularies rather than case data: each row has a stable ``code`` that is
the same in every installation, so merges and exports match on it.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class FocusArea(Base):
    """An LBF indsatsområde; the set is versioned by plan period."""

    __tablename__ = "focus_areas"
    __table_args__ = (UniqueConstraint("period", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(9))  # e.g. "2019-2026"
    code: Mapped[str] = mapped_column(String(40))
    name_da: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    topics: Mapped[list[Topic]] = relationship(back_populates="focus_area")


class Topic(Base):
    """A contact or parent-guidance topic; contact topics belong to a focus area."""

    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("category", "code", "focus_area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(20))  # "contact" | "parent_guidance"
    code: Mapped[str] = mapped_column(String(40))
    name_da: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_areas.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    focus_area: Mapped[FocusArea | None] = relationship(back_populates="topics")


class Channel(Base):
    """How a contact happened: fremmøde, telefon, hjemmebesøg, opsøgende, sms/mail."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_da: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class AgeGroupRow(Base):
    """Age bands used for anonymous counts and summaries."""

    __tablename__ = "age_groups"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    min_age: Mapped[int] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    label_da: Mapped[str] = mapped_column(String(40))
    label_en: Mapped[str] = mapped_column(String(40))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class ConsentScope(Base):
    """A category of information a consent may cover (identity, cpr, health, …)."""

    __tablename__ = "consent_scopes"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    label_da: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str] = mapped_column(String(80))
    description_da: Mapped[str] = mapped_column(String(300), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

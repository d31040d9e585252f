"""The organisation: staff accounts, areas, plans, municipal services, settings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from boligsag.domain.enums import Role

from .base import Base, Record
from .reference import FocusArea


class User(Record, Base):
    """A staff account (medarbejder).

    The password is deliberately not stored here: its Argon2id verifier is the user's
    entry in the key file (an Argon2id-derived key that unwraps the database key with
    AES-GCM, whose tag proves the password). Keeping it out of the database is what
    lets a password change leave the database file byte-for-byte unchanged."""

    __tablename__ = "users"

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:
        # Not fetched back after an insert (RETURNING ssp_access would fail on a
        # database before revision 0009; see ssp_access).
        return {"version_id_col": cls.version, "eager_defaults": False}

    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120), default="")  # for letters
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # May read SSP-locked notes (retsplejeloven § 115); given per person, not by role.
    # Deferred and defaulted by the database only, so that the code still opens and
    # writes a database made before revision 0009 added it (to migrate it, or in the
    # migration tests); it is read where SSP access is decided.
    ssp_access: Mapped[bool] = mapped_column(Boolean, server_default=false(),
                                             deferred=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


user_areas = Table(
    "user_areas",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)
"""The housing areas a staff member works in (shown in Medarbejdere, offered first in
pickers); an empty set means no particular area."""


class Setting(Base):
    """Organisation-wide settings kept inside the encrypted database (letterhead, logo,
    reminder limits, retention). Values are JSON text or, for the logo, bytes."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    blob: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Area(Record, Base):
    """A housing area (boligområde / afdeling) covered by the plan."""

    __tablename__ = "areas"

    name: Mapped[str] = mapped_column(String(120))
    municipality: Mapped[str] = mapped_column(String(80), default="")
    postal_code: Mapped[str] = mapped_column(String(4), default="")
    city: Mapped[str] = mapped_column(String(80), default="")


plan_areas = Table(
    "plan_areas",
    Base.metadata,
    Column("plan_id", ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)

plan_focus_areas = Table(
    "plan_focus_areas",
    Base.metadata,
    Column("plan_id", ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_areas.id"), primary_key=True),
)


class Plan(Record, Base):
    """A boligsocial helhedsplan funded for an LBF period."""

    __tablename__ = "plans"

    name: Mapped[str] = mapped_column(String(160))
    period: Mapped[str] = mapped_column(String(9))  # LBF period of its focus areas
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)

    areas: Mapped[list[Area]] = relationship(secondary=plan_areas)
    focus_areas: Mapped[list[FocusArea]] = relationship(secondary=plan_focus_areas)


class Service(Record, Base):
    """A municipal service that residents are referred to (kommunal tjeneste)."""

    __tablename__ = "services"

    code: Mapped[str] = mapped_column(String(40), default="")  # catalogue code, if any
    name: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(160), default="")
    street: Mapped[str] = mapped_column(String(160), default="")
    postal_code: Mapped[str] = mapped_column(String(4), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    contact_person: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    secure_email: Mapped[str] = mapped_column(String(160), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

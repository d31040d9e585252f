"""Consents (samtykke) and referrals (brobygning / henvisning) with status history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from boligsag.domain.enums import ReferralKind, ReferralStatus

from .base import Base, Record
from .org import Service, User
from .people import Person


class Consent(Record, Base):
    """A written consent: which information, to which recipient, for which purpose,
    given by whom (for a child: the holder of parental custody), valid from–to."""

    __tablename__ = "consents"
    __table_args__ = (
        Index("ix_consents_person", "person_id"),
        Index("ix_consents_valid_to", "valid_to", "withdrawn_on"),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    scope: Mapped[list[str]] = mapped_column(JSON)  # consent_scopes codes
    purpose: Mapped[str] = mapped_column(Text)
    given_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    given_by_name: Mapped[str] = mapped_column(String(160), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    signed_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    given_by: Mapped[Person | None] = relationship(foreign_keys=[given_by_person_id])
    service: Mapped[Service] = relationship()


class Referral(Record, Base):
    """A bridge from a resident to a municipal service, followed until the loop is
    closed. A notification of concern (underretning) needs no consent."""

    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_person", "person_id"),
        Index("ix_referrals_status", "status", "status_changed_on"),
        Index("ix_referrals_service", "service_id", "created_on"),
        # Covering index for summaries: the referrals created in a period, with every
        # column the summary counts or filters them by (revision 0003).
        Index(
            "ix_referrals_cohort",
            "created_on",
            "kind",
            "deleted_at",
            "service_id",
            "status",
            "sent_on",
            "first_meeting_on",
            "person_id",
            "contact_user_id",
        ),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id"))
    kind: Mapped[ReferralKind] = mapped_column(String(10), default=ReferralKind.REFERRAL)
    reason: Mapped[str] = mapped_column(Text)
    contact_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[ReferralStatus] = mapped_column(String(20), default=ReferralStatus.DRAFT)
    status_changed_on: Mapped[date] = mapped_column(Date)
    created_on: Mapped[date] = mapped_column(Date)
    sent_on: Mapped[date | None] = mapped_column(Date)
    first_meeting_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship()
    service: Mapped[Service] = relationship()
    consent: Mapped[Consent | None] = relationship()
    contact_user: Mapped[User] = relationship(foreign_keys=[contact_user_id])
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", order_by="ReferralEvent.id", cascade="all, delete-orphan"
    )


class ReferralEvent(Record, Base):
    """One step of a referral's status flow, with its date and author."""

    __tablename__ = "referral_events"
    __table_args__ = (
        # A referral's events, and (covering) whether it ever reached a status: the
        # summary's referral flow asks that of every referral (revision 0004).
        Index("ix_referral_events_status", "referral_id", "to_status", "deleted_at"),
    )

    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    from_status: Mapped[ReferralStatus | None] = mapped_column(String(20))
    to_status: Mapped[ReferralStatus] = mapped_column(String(20))
    on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    referral: Mapped[Referral] = relationship(back_populates="events")

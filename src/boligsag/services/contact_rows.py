"""Contacts as data: the draft a form fills in, and the frozen row lists and forms
show, built in a few batched queries (one per related table for the whole page,
never one per row)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.domain.enums import ContactKind, Gender
from boligsag.storage import dialect
from boligsag.storage.models import (
    AgeGroupRow,
    Channel,
    Contact,
    Person,
    Service,
    Topic,
    User,
    contact_people,
    contact_topics,
)

from .access_purpose import needs_purpose
from .casework_common import Choice, PersonRef, gender_label, label, visible_person
from .context import AppContext
from .ssp_notes import withheld


@dataclass(frozen=True)
class ContactDraft:
    """What the quick-log dialog (or the network-mother form) holds."""

    channel: str  # channel code, e.g. "phone" (see quick_log_choices)
    person_ids: tuple[int, ...] = ()
    anonymous: bool = False  # then age_group and gender instead of people
    age_group: str | None = None
    gender: Gender | None = None
    occurred_at: datetime | None = None  # default: now
    topic_ids: tuple[int, ...] = ()
    duration_minutes: int = 0
    note: str = ""
    follow_up_date: date | None = None
    kind: ContactKind = ContactKind.CONTACT
    referred_to_service_id: int | None = None  # "henvist til"
    referred_to_text: str = ""  # "henvist til", when it is not a service in the catalogue
    ssp_locked: bool = False  # SSP note (retsplejeloven § 115): never exported or printed
    # Keep the stored note (an SSP note the form never had: its text is withheld).
    keep_note: bool = False
    staff_user_id: int | None = None  # default: the user logging it
    area_id: int | None = None
    activity_id: int | None = None


@dataclass(frozen=True)
class ContactRow:
    id: int
    uuid: str
    version: int
    kind: ContactKind
    occurred_at: datetime
    staff_user_id: int
    staff_name: str
    channel: str  # code
    channel_label: str
    duration_minutes: int
    note: str
    anonymous: bool
    age_group: str | None
    age_group_label: str
    gender: Gender | None
    gender_label: str
    people: tuple[PersonRef, ...]
    topics: tuple[Choice, ...]
    follow_up_date: date | None
    follow_up_done_at: datetime | None
    referred_to_service_id: int | None
    referred_to_service_name: str
    referred_to_text: str
    ssp_locked: bool
    area_id: int | None
    activity_id: int | None
    # An SSP note's text is never in a row: ``note`` is empty and this says a note
    # exists (services/ssp_notes.py; read it with contacts.reveal_ssp_note).
    note_withheld: bool = False
    # A person on it is someone else's restricted case whose purpose was not given in
    # this log-in (access_purpose.py): the note is left out until get_contact, which
    # asks for the purpose, gives it.
    purpose_needed: bool = False

    @property
    def people_names(self) -> str:
        return ", ".join(p.name for p in self.people)

    def to_draft(self) -> ContactDraft:
        """The edit form's starting point (pass ``version`` to update_contact)."""
        return ContactDraft(
            channel=self.channel, person_ids=tuple(p.id for p in self.people),
            anonymous=self.anonymous, age_group=self.age_group, gender=self.gender,
            occurred_at=self.occurred_at, topic_ids=tuple(t.id for t in self.topics),
            duration_minutes=self.duration_minutes, note=self.note,
            follow_up_date=self.follow_up_date, kind=self.kind,
            referred_to_service_id=self.referred_to_service_id,
            referred_to_text=self.referred_to_text, ssp_locked=self.ssp_locked,
            keep_note=self.note_withheld or self.purpose_needed,
            staff_user_id=self.staff_user_id, area_id=self.area_id, activity_id=self.activity_id,
        )


def contact_rows(session: Session, ctx: AppContext,
                 contacts: Sequence[Contact]) -> list[ContactRow]:
    if not contacts:
        return []
    ids = [c.id for c in contacts]
    people: dict[int, list[PersonRef]] = {}
    purpose_needed: set[int] = set()
    for contact_id, person in session.execute(
        select(contact_people.c.contact_id, Person)
        .join(Person, Person.id == contact_people.c.person_id)
        .where(contact_people.c.contact_id.in_(ids), visible_person(ctx))
        .order_by(dialect.danish(Person.first_name), dialect.danish(Person.last_name), Person.id)
    ):
        people.setdefault(contact_id, []).append(PersonRef(person.id, person.full_name))
        if needs_purpose(ctx, person):
            purpose_needed.add(contact_id)
    topics: dict[int, list[Choice]] = {}
    for contact_id, topic in session.execute(
        select(contact_topics.c.contact_id, Topic)
        .join(Topic, Topic.id == contact_topics.c.topic_id)
        .where(contact_topics.c.contact_id.in_(ids)).order_by(Topic.sort_order)
    ):
        topics.setdefault(contact_id, []).append(
            Choice(topic.id, topic.code, label(topic.name_da, topic.name_en)))
    channels = {c.id: c for c in session.scalars(select(Channel))}
    age_groups = {g.code: label(g.label_da, g.label_en)
                  for g in session.scalars(select(AgeGroupRow))}
    staff = dict(session.execute(select(User.id, User.full_name).where(
        User.id.in_({c.staff_user_id for c in contacts}))).all())
    service_ids = {c.referred_to_service_id for c in contacts if c.referred_to_service_id}
    services = dict(session.execute(select(Service.id, Service.name).where(
        Service.id.in_(service_ids))).all()) if service_ids else {}
    rows = []
    for c in contacts:
        channel = channels[c.channel_id]
        rows.append(ContactRow(
            id=c.id, uuid=c.uuid, version=c.version, kind=ContactKind(c.kind),
            occurred_at=c.occurred_at, staff_user_id=c.staff_user_id,
            staff_name=staff.get(c.staff_user_id, ""), channel=channel.code,
            channel_label=label(channel.name_da, channel.name_en),
            duration_minutes=c.duration_minutes,
            note="" if withheld(c) or c.id in purpose_needed else c.note,
            anonymous=c.anonymous,
            age_group=c.age_group, age_group_label=age_groups.get(c.age_group or "", ""),
            gender=Gender(c.gender) if c.gender else None, gender_label=gender_label(c.gender),
            people=tuple(people.get(c.id, [])), topics=tuple(topics.get(c.id, [])),
            follow_up_date=c.follow_up_date, follow_up_done_at=c.follow_up_done_at,
            referred_to_service_id=c.referred_to_service_id,
            referred_to_service_name=services.get(c.referred_to_service_id or 0, ""),
            referred_to_text=c.referred_to_text, ssp_locked=c.ssp_locked,
            area_id=c.area_id, activity_id=c.activity_id, note_withheld=withheld(c),
            purpose_needed=c.id in purpose_needed,
        ))
    return rows

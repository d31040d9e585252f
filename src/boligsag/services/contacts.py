"""Contacts (kontakter / henvendelser): the quick log, editing, and the contacts list.

A contact is with one or more people, or anonymous (serviceloven § 10 stk. 2) with an
age group and gender instead. Saving one is a single small transaction: a handful of
indexed reads to validate, one insert with its link rows, and the audit entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction, ContactKind, Gender
from boligsag.domain.permissions import Permission
from boligsag.storage.models import (
    Activity,
    AgeGroupRow,
    Area,
    Channel,
    Contact,
    Person,
    Service,
    Topic,
    contact_people,
    contact_topics,
)

from .access_purpose import checked_purpose, purpose_detail, require_purpose
from .casework_common import (
    Page,
    active_user,
    check_version,
    clamp_limit,
    current_plan,
    get_live,
    hidden_person,
    page_of,
    sees_all_restricted,
)
from .changes import Entity, writes
from .contact_choices import person_picker, quick_log_choices
from .contact_rows import ContactDraft, ContactRow, contact_rows
from .context import AppContext
from .errors import PermissionDenied, ValidationFailed
from .people import Problems
from .ssp_notes import may_read_ssp
from .units import ReadUnit, WriteUnit

# The contacts API in one place for the UI, including the dialog's look-ups that live
# in contact_choices.py and the data classes of contact_rows.py.
__all__ = [
    "ContactDraft", "ContactFilters", "ContactRow", "delete_contact", "get_contact",
    "list_contacts", "log_contact", "person_picker", "quick_log_choices", "reveal_ssp_note",
    "update_contact",
]

MAX_DURATION = 24 * 60


@dataclass(frozen=True)
class ContactFilters:
    person_id: int | None = None
    staff_user_id: int | None = None
    channel: str | None = None
    topic_id: int | None = None
    kind: ContactKind | None = None
    anonymous: bool | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    open_follow_up: bool = False  # only contacts with a follow-up not yet done


def _require_write(ctx: AppContext, kind: ContactKind, person_ids: tuple[int, ...]) -> None:
    """Staff log any contact. A volunteer logs network-mother conversations only, and
    without people attached: they cannot search the registry."""
    if ctx.actor.can(Permission.LOG_CONTACTS):
        return
    if kind != ContactKind.NETWORK_MOTHER or person_ids:
        raise PermissionDenied()
    ctx.require(Permission.LOG_NETWORK_MOTHER)


def _live(session: Session, model: type[Any], record_id: int | None) -> bool:
    if record_id is None:
        return True
    record = session.get(model, record_id)
    return record is not None and getattr(record, "deleted_at", None) is None


def _validate(session: Session, ctx: AppContext, draft: ContactDraft) -> dict[str, Any]:
    problems: Problems = {}
    now = ctx.clock.now()
    occurred_at = draft.occurred_at or now
    people: list[Person] = []
    if draft.anonymous:
        if draft.person_ids:
            problems["person_ids"] = ("An anonymous contact has no person attached.", {})
        if not draft.age_group or session.get(AgeGroupRow, draft.age_group) is None:
            problems["age_group"] = ("Choose an age group.", {})
        if draft.gender not in set(Gender):
            problems["gender"] = ("Choose a gender.", {})
    elif not draft.person_ids:
        problems["person_ids"] = ("Choose at least one person, or mark the contact as "
                                  "anonymous.", {})
    else:
        people = list(session.scalars(select(Person).where(
            Person.id.in_(draft.person_ids), Person.deleted_at.is_(None),
            Person.anonymised_at.is_(None), ~Person.id.in_(_hidden_ids(ctx)))))
        if len(people) != len(set(draft.person_ids)):
            problems["person_ids"] = ("One of the chosen people no longer exists.", {})
    channel = session.scalars(select(Channel).where(Channel.code == draft.channel,
                                                    Channel.active.is_(True))).first()
    if channel is None:
        problems["channel"] = ("Choose how the contact happened.", {})
    topics = _topics(session, draft.topic_ids)
    if len(topics) != len(set(draft.topic_ids)):
        problems["topic_ids"] = ("Choose topics from the list.", {})
    if not 0 <= draft.duration_minutes <= MAX_DURATION:
        problems["duration_minutes"] = ("The duration must be between 0 and {max} minutes.",
                                        {"max": MAX_DURATION})
    if occurred_at > now + timedelta(minutes=5):  # a little slack for a slow dialog
        problems["occurred_at"] = ("A contact cannot be logged in the future.", {})
    if draft.follow_up_date is not None and draft.follow_up_date < occurred_at.date():
        problems["follow_up_date"] = ("The follow-up date cannot be before the contact.", {})
    if len(draft.referred_to_text) > 200:
        problems["referred_to_text"] = ("Use at most {count} characters.", {"count": 200})
    if not _live(session, Service, draft.referred_to_service_id):
        problems["referred_to_service_id"] = ("Choose a service from the list.", {})
    staff_id = draft.staff_user_id or ctx.actor.user_id
    if staff_id != ctx.actor.user_id and not ctx.actor.can(Permission.LOG_CONTACTS):
        raise PermissionDenied()
    if active_user(session, staff_id) is None:
        problems["staff_user_id"] = ("Choose a staff member from the list.", {})
    if not _live(session, Area, draft.area_id):
        problems["area_id"] = ("Choose a housing area from the list.", {})
    if not _live(session, Activity, draft.activity_id):
        problems["activity_id"] = ("The activity no longer exists.", {})
    if problems:
        raise ValidationFailed(problems)
    assert channel is not None
    return {
        "kind": ContactKind(draft.kind), "occurred_at": occurred_at.replace(microsecond=0),
        "staff_user_id": staff_id, "channel_id": channel.id,
        "duration_minutes": draft.duration_minutes, "note": draft.note.strip(),
        "anonymous": draft.anonymous,
        "age_group": draft.age_group if draft.anonymous else None,
        "gender": Gender(draft.gender) if draft.anonymous and draft.gender else None,
        "follow_up_date": draft.follow_up_date, "area_id": draft.area_id,
        "activity_id": draft.activity_id,
        "referred_to_service_id": draft.referred_to_service_id,
        "referred_to_text": draft.referred_to_text.strip(), "ssp_locked": draft.ssp_locked,
        "people": people, "topics": topics,
    }


def _hidden_ids(ctx: AppContext) -> Select[Any]:
    return select(Person.id).where(hidden_person(ctx))


def without_hidden_people(ctx: AppContext) -> ColumnElement[bool]:
    """Contacts with no restricted case of another staff member attached. Restricted
    people are few, so the subquery is small."""
    if sees_all_restricted(ctx):
        return true()
    return ~Contact.id.in_(select(contact_people.c.contact_id).where(
        contact_people.c.person_id.in_(_hidden_ids(ctx))))


def _topics(session: Session, topic_ids: tuple[int, ...]) -> list[Topic]:
    """Contact topics of the current plan's focus areas (any contact topic if no plan
    is set up yet)."""
    if not topic_ids:
        return []
    query = select(Topic).where(Topic.id.in_(topic_ids), Topic.category == "contact",
                                Topic.active.is_(True))
    plan = current_plan(session)
    if plan is not None:
        query = query.where(Topic.focus_area_id.in_([f.id for f in plan.focus_areas]))
    return list(session.scalars(query.order_by(Topic.sort_order)))


def audit_contact(unit: ReadUnit | WriteUnit, contact: Contact, action: AuditAction,
                  also: list[Person] | None = None, detail: str = "") -> None:
    """One entry per person (and per person ``also`` concerned, e.g. removed from the
    contact), so "who changed what about this person" finds it."""
    people = list(dict.fromkeys([*contact.people, *(also or [])]))
    for person in people or [None]:
        unit.audit(action, entity="contacts", entity_uuid=contact.uuid,
                   person_uuid=person.uuid if person else None, detail=detail)


def editable_contact(session: Session, ctx: AppContext, contact_id: int) -> Contact:
    contact = get_live(session, Contact, contact_id, "contact")
    if not ctx.actor.can(Permission.LOG_CONTACTS) and contact.staff_user_id != ctx.actor.user_id:
        raise PermissionDenied()  # a volunteer edits only their own conversation forms
    hidden = session.scalars(select(contact_people.c.person_id).where(
        contact_people.c.contact_id == contact.id,
        contact_people.c.person_id.in_(_hidden_ids(ctx)))).first()
    if hidden is not None:
        raise PermissionDenied()
    return contact


@writes(Entity.CONTACTS, Entity.FOLLOW_UPS, Entity.TIMELINE)
def log_contact(ctx: AppContext, draft: ContactDraft) -> ContactRow:
    """The quick log: one contact, saved in one transaction."""
    with ctx.write(None) as unit:  # who may log what depends on the draft: add_contact
        return add_contact(unit, draft)


def add_contact(unit: WriteUnit, draft: ContactDraft) -> ContactRow:
    """Inside an open write unit: check, insert and audit one contact. The permission
    check comes first, before any statement (the write lock is taken by the first)."""
    ctx, session = unit.ctx, unit.session
    _require_write(ctx, draft.kind, draft.person_ids)
    if draft.ssp_locked and not may_read_ssp(session, ctx):
        raise PermissionDenied()  # an SSP note its own author could not read
    contact = Contact(**_validate(session, ctx, draft))
    session.add(contact)
    session.flush()
    audit_contact(unit, contact, AuditAction.CREATE)
    return contact_rows(session, ctx, [contact])[0]


@writes(Entity.CONTACTS, Entity.FOLLOW_UPS, Entity.TIMELINE)
def update_contact(ctx: AppContext, contact_id: int, version: int,
                   draft: ContactDraft) -> ContactRow:
    _require_write(ctx, draft.kind, draft.person_ids)
    with ctx.write(None) as unit:
        session = unit.session
        contact = editable_contact(session, ctx, contact_id)
        check_version(contact, version)
        values = _validate(session, ctx, draft)
        if draft.keep_note:
            values["note"] = contact.note
        _check_ssp_change(session, ctx, contact, values)
        before = list(contact.people)
        if values["follow_up_date"] != contact.follow_up_date:
            contact.follow_up_done_at = None  # a new follow-up date is a new follow-up
        for key, value in values.items():
            setattr(contact, key, value)
        session.flush()
        audit_contact(unit, contact, AuditAction.UPDATE, also=before)
        return contact_rows(session, ctx, [contact])[0]


@writes(Entity.CONTACTS, Entity.FOLLOW_UPS, Entity.TIMELINE)
def delete_contact(ctx: AppContext, contact_id: int, version: int) -> None:
    with ctx.write(None) as unit:
        session = unit.session
        contact = editable_contact(session, ctx, contact_id)
        _require_write(ctx, ContactKind(contact.kind), tuple(p.id for p in contact.people))
        if contact.ssp_locked and not may_read_ssp(session, ctx):
            raise PermissionDenied()  # it would take the SSP note with it
        check_version(contact, version)
        unit.tombstone(contact)
        session.flush()
        audit_contact(unit, contact, AuditAction.DELETE)


def _check_ssp_change(session: Session, ctx: AppContext, contact: Contact,
                      values: dict[str, Any]) -> None:
    """Only a staff member with SSP access locks or unlocks a note or changes an SSP
    note's text (services/ssp_notes.py)."""
    locking = values["ssp_locked"] != contact.ssp_locked
    rewriting = contact.ssp_locked and values["note"] != contact.note
    if (locking or rewriting) and not may_read_ssp(session, ctx):
        raise PermissionDenied()


def reveal_ssp_note(ctx: AppContext, contact_id: int, purpose: str) -> str:
    """The text of an SSP-locked note, for a staff member with SSP access who says why
    (a purpose as for a restricted case); the view and its purpose are in the audit log,
    committed, before the text is returned. PermissionDenied for anyone else."""
    text = checked_purpose(purpose)
    with ctx.read() as unit:
        session = unit.session
        contact = editable_contact(session, ctx, contact_id)
        if not may_read_ssp(session, ctx):
            raise PermissionDenied()
        audit_contact(unit, contact, AuditAction.VIEW, detail=f"SSP note; purpose: {text}")
        return contact.note


def get_contact(ctx: AppContext, contact_id: int) -> ContactRow:
    """One contact, to open it from a list or a timeline. Its note is personal data, so
    the view is in the audit log (committed) before the contact is returned; for
    someone else's restricted case only after the purpose was given (PurposeRequired)."""
    with ctx.read() as unit:
        session = unit.session
        contact = editable_contact(session, ctx, contact_id)
        if contact.people:
            ctx.require(Permission.VIEW_PEOPLE)
        for person in contact.people:  # someone else's restricted case: why
            require_purpose(ctx, person)
        row = contact_rows(session, ctx, [contact])[0]
        detail = "; ".join(d for d in (purpose_detail(ctx, p) for p in contact.people) if d)
        audit_contact(unit, contact, AuditAction.VIEW, detail=detail)
        return row


def list_contacts(ctx: AppContext, filters: ContactFilters | None = None, offset: int = 0,
                  limit: int = 100) -> Page[ContactRow]:
    """Contacts newest first, filtered and paged in SQL."""
    f = filters or ContactFilters()
    limit = clamp_limit(limit)
    query = select(Contact).where(Contact.deleted_at.is_(None), without_hidden_people(ctx))
    if f.person_id is not None:
        query = query.join(contact_people, contact_people.c.contact_id == Contact.id).where(
            contact_people.c.person_id == f.person_id)
    if f.staff_user_id is not None:
        query = query.where(Contact.staff_user_id == f.staff_user_id)
    if f.channel:
        query = query.join(Channel, Channel.id == Contact.channel_id).where(
            Channel.code == f.channel)
    if f.topic_id is not None:
        query = query.where(Contact.id.in_(select(contact_topics.c.contact_id).where(
            contact_topics.c.topic_id == f.topic_id)))
    if f.kind is not None:
        query = query.where(Contact.kind == f.kind)
    if f.anonymous is not None:
        query = query.where(Contact.anonymous.is_(f.anonymous))
    if f.date_from is not None:
        start = datetime.combine(f.date_from, datetime.min.time())
        query = query.where(Contact.occurred_at >= start)
    if f.date_to is not None:
        end = datetime.combine(f.date_to + timedelta(days=1), datetime.min.time())
        query = query.where(Contact.occurred_at < end)
    if f.open_follow_up:
        query = query.where(Contact.follow_up_date.is_not(None),
                            Contact.follow_up_done_at.is_(None))
    query = query.order_by(Contact.occurred_at.desc(), Contact.id.desc())
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        contacts = list(session.scalars(query.offset(max(0, offset)).limit(limit + 1)))
        page = page_of(contact_rows(session, ctx, contacts), offset, limit)
        if f.person_id is not None:
            # One person's contacts, notes included (the list shows them as tooltips):
            # one entry per page read, committed before the page is returned.
            person = session.get(Person, f.person_id)
            unit.audit(AuditAction.VIEW, entity="contacts",
                       person_uuid=person.uuid if person else None, detail="contact list")
        return page

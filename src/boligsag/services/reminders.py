"""Personal reminders ("Påmind mig"): a staff member sets a date and a short text for
themself, optionally about a person, a contact or a referral they may see. Only the
owner ever sees or changes their reminders; anyone else gets "not found", so a
reminder's existence is not revealed either.

Writes are audited like other casework (the text is the owner's own note and may name
a resident); the start page's list is, like the follow-up list, not audited as a view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction
from boligsag.domain.permissions import Permission
from boligsag.storage.models import Contact, Person, Reminder

from .casework_common import can_see, get_live, visible_person_or_fail
from .changes import Entity, writes
from .context import AppContext
from .errors import NotFound, ValidationFailed
from .referral_queries import load_referral
from .units import WriteUnit

MAX_TEXT = 200


class SubjectKind(StrEnum):
    PERSON = "person"
    CONTACT = "contact"
    REFERRAL = "referral"


@dataclass(frozen=True)
class ReminderRow:
    id: int
    due_on: date
    text: str
    overdue: bool  # due before the day asked about
    done: bool
    subject_kind: SubjectKind | None  # None: about nothing in particular
    subject_id: int | None  # what to open: the person, contact or referral
    person_id: int | None  # the person it concerns (also for a contact or referral)
    person_name: str  # "" when none, or when the person is no longer visible


def _owned(session: Session, ctx: AppContext, reminder_id: int) -> Reminder:
    reminder = get_live(session, Reminder, reminder_id, "reminder")
    if reminder.owner_user_id != ctx.actor.user_id:
        raise NotFound("reminder")  # someone else's: as if it did not exist
    return reminder


def _subject_person(session: Session, ctx: AppContext, person_id: int | None,
                    contact_id: int | None, referral_id: int | None) -> Person | None:
    """Check the actor may see what the reminder is about; the person it concerns."""
    if person_id is not None:
        ctx.require(Permission.VIEW_PEOPLE)
        return visible_person_or_fail(session, ctx, person_id)
    if contact_id is not None:
        contact = get_live(session, Contact, contact_id, "contact")
        people = list(contact.people)
        if people:
            ctx.require(Permission.VIEW_PEOPLE)
        elif contact.staff_user_id != ctx.actor.user_id:
            ctx.require(Permission.VIEW_PEOPLE)  # an anonymous contact of someone else
        for person in people:
            visible_person_or_fail(session, ctx, person.id)
        return people[0] if people else None
    if referral_id is not None:
        ctx.require(Permission.VIEW_PEOPLE)
        return load_referral(ctx, session, referral_id).person
    return None


def _validate(due_on: date | None, text: str, subjects: int) -> str:
    text = " ".join(text.split())
    problems: dict[str, tuple[str, dict[str, object]]] = {}
    if due_on is None:
        problems["due_on"] = ("Choose the day you want to be reminded.", {})
    if not text:
        problems["text"] = ("Write what you want to be reminded of.", {})
    elif len(text) > MAX_TEXT:
        problems["text"] = ("Keep the reminder to {max} characters (now {count}).",
                            {"max": MAX_TEXT, "count": len(text)})
    if subjects > 1:
        problems["subject"] = ("A reminder is about one person, contact or referral.", {})
    if problems:
        raise ValidationFailed(problems)
    return text


def _audit(unit: WriteUnit, reminder: Reminder, action: AuditAction) -> None:
    person = unit.session.get(Person, reminder.person_id) if reminder.person_id else None
    unit.audit(action, entity="reminders", entity_uuid=reminder.uuid,
               person_uuid=person.uuid if person else None)


def _row(session: Session, ctx: AppContext, reminder: Reminder, today: date) -> ReminderRow:
    kind: SubjectKind | None = None
    subject_id: int | None = None
    for candidate, value in ((SubjectKind.REFERRAL, reminder.referral_id),
                             (SubjectKind.CONTACT, reminder.contact_id),
                             (SubjectKind.PERSON, reminder.person_id)):
        if value is not None:
            kind, subject_id = candidate, value
            break
    person = session.get(Person, reminder.person_id) if reminder.person_id else None
    # The case may have become restricted (or anonymised) since: keep the reminder, but
    # show and open only what the owner may still see.
    visible = person is not None and ctx.actor.can(Permission.VIEW_PEOPLE) \
        and can_see(ctx, person)
    if person is not None and not visible:
        kind, subject_id = None, None
    return ReminderRow(
        id=reminder.id, due_on=reminder.due_on, text=reminder.text,
        overdue=reminder.due_on < today, done=reminder.done_at is not None,
        subject_kind=kind, subject_id=subject_id,
        person_id=person.id if visible and person else None,
        person_name=person.full_name if visible and person else "")


def _rows(session: Session, ctx: AppContext, reminders: list[Reminder],
          today: date) -> list[ReminderRow]:
    # One query for the people concerned; ``_row``'s session.get then finds them loaded.
    person_ids = {r.person_id for r in reminders if r.person_id is not None}
    if person_ids:
        list(session.scalars(select(Person).where(Person.id.in_(person_ids))))
    return [_row(session, ctx, r, today) for r in reminders]


@writes(Entity.REMINDERS)
def create_reminder(ctx: AppContext, due_on: date | None, text: str, *,
                    person_id: int | None = None, contact_id: int | None = None,
                    referral_id: int | None = None) -> ReminderRow:
    """A reminder for the logged-in user, due on ``due_on``."""
    subjects = sum(value is not None for value in (person_id, contact_id, referral_id))
    text = _validate(due_on, text, subjects)
    assert due_on is not None
    with ctx.write(None) as unit:
        session = unit.session
        person = _subject_person(session, ctx, person_id, contact_id, referral_id)
        reminder = Reminder(owner_user_id=ctx.actor.user_id, due_on=due_on, text=text,
                            person_id=person.id if person else None,
                            contact_id=contact_id, referral_id=referral_id)
        session.add(reminder)
        session.flush()
        _audit(unit, reminder, AuditAction.CREATE)
        return _row(session, ctx, reminder, ctx.today())


def my_due_reminders(ctx: AppContext, on_date: date | None = None) -> list[ReminderRow]:
    """The actor's open reminders due on or before ``on_date`` (default today), the
    oldest first."""
    on_date = on_date or ctx.today()
    query = (select(Reminder)
             .where(Reminder.owner_user_id == ctx.actor.user_id, Reminder.done_at.is_(None),
                    Reminder.deleted_at.is_(None), Reminder.due_on <= on_date)
             .order_by(Reminder.due_on, Reminder.id))
    with ctx.read() as unit:
        session = unit.session
        return _rows(session, ctx, list(session.scalars(query)), on_date)


def _set_done(ctx: AppContext, reminder_id: int, done: bool) -> None:
    with ctx.write(None) as unit:
        session = unit.session
        reminder = _owned(session, ctx, reminder_id)
        if (reminder.done_at is not None) != done:  # marking twice changes nothing
            reminder.done_at = ctx.clock.now() if done else None
            session.flush()
            _audit(unit, reminder, AuditAction.UPDATE)


@writes(Entity.REMINDERS)
def mark_reminder_done(ctx: AppContext, reminder_id: int) -> None:
    _set_done(ctx, reminder_id, True)


@writes(Entity.REMINDERS)
def undo_reminder_done(ctx: AppContext, reminder_id: int) -> None:
    _set_done(ctx, reminder_id, False)


@writes(Entity.REMINDERS)
def delete_reminder(ctx: AppContext, reminder_id: int) -> None:
    """Tombstone the reminder (deletion travels as a tombstone, like other records)."""
    with ctx.write(None) as unit:
        session = unit.session
        reminder = _owned(session, ctx, reminder_id)
        unit.tombstone(reminder)
        session.flush()
        _audit(unit, reminder, AuditAction.DELETE)


@writes(Entity.REMINDERS)
def restore_reminder(ctx: AppContext, reminder_id: int) -> None:
    """Undo a delete (the start page's "Fortryd"): the tombstone is lifted. Only the
    owner's own deleted reminder; anything else is "not found", as for the other writes."""
    with ctx.write(None) as unit:
        session = unit.session
        reminder = session.get(Reminder, reminder_id)
        if (reminder is None or reminder.deleted_at is None
                or reminder.owner_user_id != ctx.actor.user_id):
            raise NotFound("reminder")
        reminder.deleted_at = None
        reminder.deleted_by_id = None
        session.flush()
        _audit(unit, reminder, AuditAction.UPDATE)

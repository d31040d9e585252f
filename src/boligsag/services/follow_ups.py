"""The start page's "Opfølgning" list: contact follow-ups and job follow-ups that are
due, in one list, each done with one keystroke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select

from boligsag.domain.enums import AuditAction, StillEmployed
from boligsag.domain.permissions import Permission
from boligsag.formatting import excerpt, short_date
from boligsag.i18n import tr
from boligsag.storage.models import Contact, Job, JobFollowUp, Person

from .casework_common import (
    check_version,
    visible_person,
    visible_person_or_fail,
)
from .casework_labels import job_kind_label
from .changes import Entity, writes
from .contact_rows import contact_rows
from .contacts import audit_contact, editable_contact, without_hidden_people
from .context import AppContext
from .errors import ValidationFailed
from .jobs import answer_follow_up

NOTE_EXCERPT = 60


class FollowUpKind(StrEnum):
    CONTACT = "contact"  # a contact logged with a follow-up date
    JOB = "job"  # still employed 3 / 6 / 12 months after a job started?


@dataclass(frozen=True)
class FollowUpItem:
    kind: FollowUpKind
    id: int  # the contact's id, or the job follow-up's id
    record_id: int  # what to open: the contact, or the job
    due: date
    overdue: bool  # due before the day asked about
    person_ids: tuple[int, ...]
    person_names: str
    text: str
    months: int | None = None  # job follow-ups


def due_follow_ups(ctx: AppContext, on_date: date | None = None, *,
                   only_mine: bool = False) -> list[FollowUpItem]:
    """Everything due on or before ``on_date`` (default today), oldest first.

    ``only_mine``: contacts this user logged and jobs this user recorded.
    """
    on_date = on_date or ctx.today()
    me = ctx.actor.user_id
    contacts_query = (
        select(Contact)
        # "IS NOT NULL" keeps SQLite on a range of ix_contacts_follow_up: with ANALYZE
        # statistics it otherwise skip-scans the index's huge NULL group (100 ms vs 15).
        .where(Contact.follow_up_date.is_not(None), Contact.follow_up_date <= on_date,
               Contact.follow_up_done_at.is_(None),
               Contact.deleted_at.is_(None), without_hidden_people(ctx))
        .order_by(Contact.follow_up_date, Contact.id)
    )
    jobs_query = (
        select(JobFollowUp, Job, Person)
        .join(Job, Job.id == JobFollowUp.job_id)
        .join(Person, Person.id == Job.person_id)
        .where(JobFollowUp.due_date <= on_date, JobFollowUp.status.is_(None),
               JobFollowUp.deleted_at.is_(None), Job.deleted_at.is_(None),
               visible_person(ctx))
        .order_by(JobFollowUp.due_date, JobFollowUp.id)
    )
    if only_mine:
        contacts_query = contacts_query.where(Contact.staff_user_id == me)
        jobs_query = jobs_query.where(Job.created_by_id == me)
    items: list[FollowUpItem] = []
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        for row in contact_rows(session, ctx, list(session.scalars(contacts_query))):
            assert row.follow_up_date is not None
            names = row.people_names or tr("Anonymous ({age_group}, {gender})",
                                           age_group=row.age_group_label,
                                           gender=row.gender_label)
            note = "" if row.ssp_locked else excerpt(row.note, NOTE_EXCERPT)
            about = ", ".join(t.label for t in row.topics) or note
            day = short_date(row.occurred_at.date())
            text = (tr("{channel} on {date}: {about}", channel=row.channel_label, date=day,
                       about=about) if about
                    else tr("{channel} on {date}", channel=row.channel_label, date=day))
            items.append(FollowUpItem(FollowUpKind.CONTACT, row.id, row.id, row.follow_up_date,
                                      row.follow_up_date < on_date,
                                      tuple(p.id for p in row.people), names, text))
        for follow_up, job, person in session.execute(jobs_query):
            text = tr("{job} at {employer}: still employed {months} months after the start?",
                      job=job_kind_label(job.kind), employer=job.employer,
                      months=follow_up.months)
            items.append(FollowUpItem(FollowUpKind.JOB, follow_up.id, job.id, follow_up.due_date,
                                      follow_up.due_date < on_date, (person.id,),
                                      person.full_name, text, follow_up.months))
    items.sort(key=lambda item: (item.due, item.kind, item.id))
    return items


@dataclass(frozen=True)
class FollowUpDone:
    """What "done" changed, so it can be taken back (``undo_follow_up_done``): the item
    and the record's version right after the mark (None: it was done already)."""

    item: FollowUpItem
    version: int | None


@writes(Entity.FOLLOW_UPS, Entity.CONTACTS, Entity.JOBS, Entity.TIMELINE)
def mark_follow_up_done(ctx: AppContext, item: FollowUpItem, *,
                        still_employed: StillEmployed | None = None) -> FollowUpDone:
    """Done with the follow-up. A job follow-up needs its answer (``still_employed``);
    the list can offer yes / no / unknown as keys.

    Not version-checked: this is a one-keystroke mark on a list, not a form, and it
    must not fail because someone edited the contact's note meanwhile. Marking an
    item that is already done changes nothing (and has nothing to undo).
    """
    version: int | None = None
    with ctx.write(_permission(item)) as unit:
        session = unit.session
        if item.kind == FollowUpKind.CONTACT:
            contact = editable_contact(session, ctx, item.id)
            if contact.follow_up_done_at is None:
                contact.follow_up_done_at = ctx.clock.now()
                session.flush()
                audit_contact(unit, contact, AuditAction.UPDATE)
                version = contact.version
        else:
            if still_employed is None:
                raise ValidationFailed({"still_employed": (
                    "Answer whether the young person is still employed.", {})})
            follow_up = unit.load_live(JobFollowUp, item.id, "follow-up")
            visible_person_or_fail(session, ctx, follow_up.job.person_id)
            if follow_up.status is None:
                answer_follow_up(unit, follow_up, still_employed)
                version = follow_up.version
    return FollowUpDone(item, version)


def _permission(item: FollowUpItem) -> Permission:
    return (Permission.LOG_CONTACTS if item.kind == FollowUpKind.CONTACT
            else Permission.MANAGE_JOBS)


@writes(Entity.FOLLOW_UPS, Entity.CONTACTS, Entity.JOBS, Entity.TIMELINE)
def undo_follow_up_done(ctx: AppContext, done: FollowUpDone) -> None:
    """Take back a "done" (the list's Fortryd): the follow-up is due again.

    Stale-safe: if anyone saved the record after the mark (the version moved on), it
    refuses with ``StaleRecord`` rather than undo more than the mark. Audited as an
    update, like the mark itself.
    """
    if done.version is None:
        return  # the mark changed nothing
    item = done.item
    with ctx.write(_permission(item)) as unit:
        session = unit.session
        if item.kind == FollowUpKind.CONTACT:
            contact = editable_contact(session, ctx, item.id)
            check_version(contact, done.version)
            contact.follow_up_done_at = None
            session.flush()
            audit_contact(unit, contact, AuditAction.UPDATE)
        else:
            follow_up = unit.load_live(JobFollowUp, item.id, "follow-up")
            job = follow_up.job
            visible_person_or_fail(session, ctx, job.person_id)
            check_version(follow_up, done.version)
            follow_up.status = None
            follow_up.recorded_at = None
            follow_up.recorded_by_id = None
            session.flush()
            unit.audit(AuditAction.UPDATE, entity="jobs", entity_uuid=job.uuid,
                       person_uuid=job.person.uuid,
                       detail=f"follow-up {follow_up.months} months undone")

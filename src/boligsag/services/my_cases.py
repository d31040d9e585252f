"""Mine sager: what the logged-in worker is responsible for, most urgent first.

- people whose case they hold (``Person.responsible_user_id``), with the person's next
  open follow-up (a contact's follow-up date or a job's 3/6/12-month question);
- the people they mentor (running enrollments with ``mentor_user_id``), likewise;
- running activities they are responsible for, with the next session;
- open referrals they are the contact person of, with the day they become overdue.

Read-only, and scoped like every other list: restricted cases of other workers are left
out unless the role sees them, and only roles that may see people get an answer (a
volunteer gets "not allowed", as for the people list). The list is one worker's own,
so it is short: it is sorted in Python by what is due, which mixes four kinds of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from boligsag.domain import referral_flow as flow
from boligsag.domain.enums import ReferralStatus
from boligsag.domain.permissions import Permission
from boligsag.i18n import tr
from boligsag.storage.models import (
    Activity,
    ActivitySession,
    Contact,
    Enrollment,
    Job,
    JobFollowUp,
    Person,
    Referral,
    contact_people,
)

from .casework_common import visible_person
from .contacts import without_hidden_people
from .context import AppContext
from .referral_queries import base_query, reminder_limits, row_of


class CaseKind(StrEnum):
    PERSON = "person"  # opens the person's page
    MENTEE = "mentee"  # an enrollment I mentor; opens the person's page
    ACTIVITY = "activity"  # opens the activity
    REFERRAL = "referral"  # opens the referral's details


@dataclass(frozen=True)
class MyCaseRow:
    kind: CaseKind
    id: int  # the person's, enrollment's, activity's or referral's id
    person_id: int | None
    title: str  # the person's name, or the activity's
    role: str  # why it is mine: "Ansvarlig", "Mentor · Lektiecafé", "Kontaktperson"
    next_what: str  # what is next ("" when nothing is planned)
    due: date | None  # when it is due (None: nothing planned)
    overdue: bool
    status: ReferralStatus | None = None  # referrals: for the UI's status label


def _not_ended(end: ColumnElement[date | None], today: date) -> ColumnElement[bool]:
    """Not yet ended; one not yet started counts too (its first session is next)."""
    return or_(end.is_(None), end >= today)


def _next_follow_ups(session: Session, ctx: AppContext, person_ids: Iterable[int]
                     ) -> dict[int, tuple[date, str]]:
    """Each person's earliest open follow-up: a contact's or a job's."""
    ids = list(set(person_ids))
    found: dict[int, tuple[date, str]] = {}
    if not ids:
        return found
    contacts = session.execute(
        select(contact_people.c.person_id, func.min(Contact.follow_up_date))
        .join(Contact, Contact.id == contact_people.c.contact_id)
        .where(contact_people.c.person_id.in_(ids), Contact.follow_up_date.is_not(None),
               Contact.follow_up_done_at.is_(None), Contact.deleted_at.is_(None),
               without_hidden_people(ctx))
        .group_by(contact_people.c.person_id))
    for person_id, due in contacts:
        found[person_id] = (due, tr("Follow up on a contact"))
    jobs = session.execute(
        select(Job.person_id, func.min(JobFollowUp.due_date))
        .join(Job, Job.id == JobFollowUp.job_id)
        .where(Job.person_id.in_(ids), JobFollowUp.status.is_(None),
               JobFollowUp.deleted_at.is_(None), Job.deleted_at.is_(None))
        .group_by(Job.person_id))
    for person_id, due in jobs:
        if person_id not in found or due < found[person_id][0]:
            found[person_id] = (due, tr("Job follow-up"))
    return found


def _people_rows(session: Session, ctx: AppContext, today: date) -> list[MyCaseRow]:
    me = ctx.actor.user_id
    people = list(session.scalars(
        select(Person).where(Person.responsible_user_id == me, visible_person(ctx))))
    mentees = list(session.execute(
        select(Enrollment, Person, Activity)
        .join(Person, Person.id == Enrollment.person_id)
        .join(Activity, Activity.id == Enrollment.activity_id)
        .where(Enrollment.mentor_user_id == me, Enrollment.deleted_at.is_(None),
               Activity.deleted_at.is_(None),
               _not_ended(Enrollment.end_date, today),
               visible_person(ctx))))
    next_up = _next_follow_ups(session, ctx, [p.id for p in people]
                               + [person.id for _e, person, _a in mentees])
    rows: list[MyCaseRow] = []
    for person in people:
        due, what = next_up.get(person.id, (None, ""))
        rows.append(MyCaseRow(CaseKind.PERSON, person.id, person.id, person.full_name,
                              tr("Responsible"), what, due,
                              due is not None and due < today))
    for enrollment, person, activity in mentees:
        due, what = next_up.get(person.id, (None, ""))
        rows.append(MyCaseRow(CaseKind.MENTEE, enrollment.id, person.id, person.full_name,
                              tr("Mentor · {activity}", activity=activity.name), what, due,
                              due is not None and due < today))
    return rows


def _activity_rows(session: Session, ctx: AppContext, today: date) -> list[MyCaseRow]:
    activities = list(session.scalars(
        select(Activity).where(Activity.responsible_user_id == ctx.actor.user_id,
                               Activity.deleted_at.is_(None),
                               _not_ended(Activity.end_date, today))))
    if not activities:
        return []
    next_sessions = dict(session.execute(  # type: ignore[arg-type]
        select(ActivitySession.activity_id, func.min(ActivitySession.date))
        .where(ActivitySession.activity_id.in_([a.id for a in activities]),
               ActivitySession.deleted_at.is_(None), ActivitySession.date >= today)
        .group_by(ActivitySession.activity_id)).all())
    return [MyCaseRow(CaseKind.ACTIVITY, a.id, None, a.name, tr("Responsible for the activity"),
                      tr("Next session") if a.id in next_sessions else "",
                      next_sessions.get(a.id), False)
            for a in activities]


def _referral_rows(session: Session, ctx: AppContext, today: date) -> list[MyCaseRow]:
    open_statuses = [s for s in ReferralStatus if flow.is_open(s)]
    query = base_query().where(visible_person(ctx),
                               Referral.contact_user_id == ctx.actor.user_id,
                               Referral.status.in_(open_statuses))
    limits = reminder_limits(session)
    rows = []
    for referral in session.scalars(query):
        row = row_of(referral, today, limits)
        rows.append(MyCaseRow(CaseKind.REFERRAL, row.id, row.person_id, row.person_name,
                              tr("Contact person"), row.service_name, row.due_on,
                              row.overdue, row.status))
    return rows


def due_order(row: MyCaseRow) -> tuple[int, date, str]:
    """Overdue first, then by the day it is due, then what has nothing planned."""
    return (0 if row.overdue else 1, row.due or date.max, row.title.casefold())


def my_cases(ctx: AppContext) -> list[MyCaseRow]:
    """Everything the logged-in worker is responsible for, most urgent first."""
    today = ctx.today()
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        rows = [*_people_rows(session, ctx, today), *_activity_rows(session, ctx, today),
                *_referral_rows(session, ctx, today)]
    rows.sort(key=due_order)
    return rows

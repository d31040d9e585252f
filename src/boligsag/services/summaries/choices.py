"""What the Opgørelser screen needs besides the figures: the choices of its filter bar,
and readable rows for the records behind a drill-down.

Two read-only use cases, each one unit of work:

- :func:`load_filter_choices` lists plans (with their periods, for the "whole plan
  period" preset), areas, focus areas, activities and staff members. Former staff are
  listed too: a summary of an earlier year must be able to select them.
- :func:`describe_records` turns the ``RecordRef`` list of ``summaries.drill_down``
  into rows a team lead can read (a person's name and birth date, a contact's date,
  channel and staff member...). Restricted cases the actor may not see keep their place
  in the list (the count must still agree) but show no name and cannot be opened.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boligsag.domain.permissions import Permission
from boligsag.i18n import tr
from boligsag.services.casework_common import Choice, can_see, current_plan, gender_label, label
from boligsag.services.casework_labels import (
    end_reason_label,
    job_kind_label,
    referral_status_label,
)
from boligsag.services.context import AppContext
from boligsag.storage import dialect
from boligsag.storage.models import (
    Activity,
    ActivitySession,
    Area,
    Attendance,
    Channel,
    Contact,
    Enrollment,
    FocusArea,
    HeadCount,
    Job,
    Person,
    Plan,
    Referral,
    Service,
    User,
    contact_people,
    plan_focus_areas,
    session_staff,
)

from .drill import RecordRef

_CHUNK = 900  # ids per IN (...): well below SQLite's limit on bound parameters


@dataclass(frozen=True)
class PlanChoice:
    id: int
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class FilterChoices:
    plans: tuple[PlanChoice, ...]
    areas: tuple[Choice, ...]
    focus_areas: tuple[Choice, ...]
    activities: tuple[Choice, ...]
    staff: tuple[Choice, ...]
    current_plan_id: int | None

    def plan_period(self, plan_ids: Sequence[int]) -> tuple[date, date] | None:
        """From the first start to the last end of the chosen plans; with none chosen,
        the current plan's period (the latest plan's, if none is marked current)."""
        chosen = [p for p in self.plans if p.id in set(plan_ids)]
        if not chosen:
            current = [p for p in self.plans if p.id == self.current_plan_id]
            chosen = current or sorted(self.plans, key=lambda p: p.end)[-1:]
        if not chosen:
            return None
        return min(p.start for p in chosen), max(p.end for p in chosen)


def load_filter_choices(ctx: AppContext) -> FilterChoices:
    with ctx.read(Permission.VIEW_SUMMARIES) as r:
        session = r.session
        plans = tuple(PlanChoice(p.id, p.name, p.start_date, p.end_date) for p in session.scalars(
            select(Plan).where(Plan.deleted_at.is_(None)).order_by(Plan.start_date.desc())))
        areas = tuple(Choice(a.id, a.uuid, a.name) for a in session.scalars(
            select(Area).where(Area.deleted_at.is_(None))
            .order_by(dialect.danish(Area.name), Area.id)))
        activities = tuple(Choice(a.id, a.uuid, a.name) for a in session.scalars(
            select(Activity).where(Activity.deleted_at.is_(None))
            .order_by(dialect.danish(Activity.name), Activity.id)))
        staff = tuple(
            Choice(u.id, u.username, u.full_name if u.active
                   else tr("{name} (no longer active)", name=u.full_name))
            for u in session.scalars(select(User).where(User.deleted_at.is_(None))
                                     .order_by(User.active.desc(), dialect.danish(User.full_name),
                                               User.id)))
        plan = current_plan(session)
        return FilterChoices(plans, areas, _focus_areas(session), activities, staff,
                             plan.id if plan is not None else None)


def _focus_areas(session: Session) -> tuple[Choice, ...]:
    """The focus areas of the plans' LBF periods, newest period first; the period is
    named only when there are several (2015–18 and 2019–26 share some names)."""
    used = select(plan_focus_areas.c.focus_area_id).join(
        Plan, Plan.id == plan_focus_areas.c.plan_id).where(Plan.deleted_at.is_(None))
    rows = list(session.scalars(select(FocusArea).where(FocusArea.id.in_(used))
                                .order_by(FocusArea.period.desc(), FocusArea.sort_order)))
    several = len({f.period for f in rows}) > 1
    result = []
    for focus in rows:
        name = label(focus.name_da, focus.name_en)
        if several:
            name = tr("{name} ({period})", name=name, period=focus.period.replace("-", "–"))
        result.append(Choice(focus.id, focus.code, name))
    return tuple(result)


# -- drill-down rows ---------------------------------------------------------------------

Cell = str | int | date | None


@dataclass(frozen=True)
class RecordRow:
    kind: str
    id: int
    person_id: int | None  # the person to open; None when anonymous or not visible
    cells: tuple[Cell, ...]  # in the order of ``record_headings(kind)``


def record_headings(kind: str) -> tuple[str, ...]:
    headings = {
        "person": (tr("Name"), tr("Birth date"), tr("Gender"), tr("Area")),
        "contact": (tr("Date"), tr("Channel"), tr("Staff member"), tr("People")),
        "session": (tr("Date"), tr("Activity"), tr("Staff"), tr("Attendees")),
        "enrollment": (tr("Person"), tr("Activity"), tr("Start"), tr("End"), tr("Reason")),
        "referral": (tr("Created"), tr("Person"), tr("Service"), tr("Status")),
        "job": (tr("Person"), tr("Job type"), tr("Employer"), tr("Start"), tr("End")),
    }
    return headings.get(kind, (tr("Date"),))


def describe_records(ctx: AppContext, refs: Sequence[RecordRef]) -> list[RecordRow]:
    """Rows for ``refs`` (one kind, as one drill-down returns), in their order."""
    ctx.require(Permission.DRILL_DOWN)
    if not refs:
        return []
    kind = refs[0].kind
    ids = [r.id for r in refs]
    with ctx.read(Permission.DRILL_DOWN) as r:
        rows = _DESCRIBERS.get(kind, _bare)(r.session, ctx, ids)
    by_id = {row.id: row for row in rows}
    return [by_id.get(r.id, RecordRow(r.kind, r.id, None, (r.on,))) for r in refs]


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start:start + _CHUNK])


class _People:
    """Names of people, as the actor may see them."""

    def __init__(self, session: Session, ctx: AppContext, ids: Iterable[int]) -> None:
        self.by_id: dict[int, Person] = {}
        wanted = sorted(set(ids))
        for chunk in _chunks(wanted):
            self.by_id.update((p.id, p) for p in session.scalars(
                select(Person).where(Person.id.in_(chunk))))
        self.ctx = ctx

    def visible(self, person_id: int | None) -> bool:
        person = self.by_id.get(person_id) if person_id is not None else None
        return person is not None and can_see(self.ctx, person)

    def name(self, person_id: int | None) -> str:
        person = self.by_id.get(person_id) if person_id is not None else None
        if person is None or person.deleted_at is not None:
            return tr("Deleted")
        if person.anonymised_at is not None:
            return tr("Anonymised")
        if not can_see(self.ctx, person):
            return tr("Restricted case")
        return f"{person.first_name} {person.last_name}".strip()

    def ref(self, person_id: int | None) -> int | None:
        return person_id if self.visible(person_id) else None


def _bare(_session: Session, _ctx: AppContext, _ids: list[int]) -> list[RecordRow]:
    return []


def _persons(session: Session, ctx: AppContext, ids: list[int]) -> list[RecordRow]:
    people = _People(session, ctx, ids)
    areas = dict(session.execute(select(Area.id, Area.name)).all())
    rows = []
    for person_id in ids:
        person = people.by_id.get(person_id)
        shown = people.visible(person_id) and person is not None
        rows.append(RecordRow("person", person_id, people.ref(person_id), (
            people.name(person_id),
            person.birth_date if shown and person else None,
            gender_label(person.gender) if shown and person else "",
            areas.get(person.area_id, "") if shown and person and person.area_id else "")))
    return rows


def _contacts(session: Session, ctx: AppContext, ids: list[int]) -> list[RecordRow]:
    found: list[tuple[int, object, str, str, str, bool]] = []
    who: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(ids):
        found += session.execute(
            select(Contact.id, Contact.occurred_at, Channel.name_da, Channel.name_en,
                   User.full_name, Contact.anonymous)
            .join(Channel, Channel.id == Contact.channel_id)
            .join(User, User.id == Contact.staff_user_id)
            .where(Contact.id.in_(chunk))).all()
        for contact_id, person_id in session.execute(
                select(contact_people.c.contact_id, contact_people.c.person_id)
                .where(contact_people.c.contact_id.in_(chunk))
                .order_by(contact_people.c.person_id)):
            who[contact_id].append(person_id)
    people = _People(session, ctx, (p for persons in who.values() for p in persons))
    rows = []
    for contact_id, at, channel_da, channel_en, staff, anonymous in found:
        persons = who.get(contact_id, [])
        names = tr("Anonymous") if anonymous else ", ".join(people.name(p) for p in persons)
        opened = next((p for p in persons if people.visible(p)), None)
        day = at.date() if hasattr(at, "date") else at
        rows.append(RecordRow("contact", contact_id, opened,
                              (day, label(channel_da, channel_en), staff, names)))
    return rows


def _sessions(session: Session, _ctx: AppContext, ids: list[int]) -> list[RecordRow]:
    rows = []
    for chunk in _chunks(ids):
        staff: dict[int, list[str]] = defaultdict(list)
        for session_id, name in session.execute(
                select(session_staff.c.session_id, User.full_name)
                .join(User, User.id == session_staff.c.user_id)
                .where(session_staff.c.session_id.in_(chunk))
                .order_by(dialect.danish(User.full_name), User.id)):
            staff[session_id].append(name)
        present = dict(session.execute(
            select(Attendance.session_id, func.count()).where(
                Attendance.session_id.in_(chunk), Attendance.present.is_(True))
            .group_by(Attendance.session_id)).all())
        heads = dict(session.execute(
            select(HeadCount.session_id, func.sum(HeadCount.count))
            .where(HeadCount.session_id.in_(chunk)).group_by(HeadCount.session_id))
            .all())
        for session_id, day, activity in session.execute(
                select(ActivitySession.id, ActivitySession.date, Activity.name)
                .join(Activity, Activity.id == ActivitySession.activity_id)
                .where(ActivitySession.id.in_(chunk))):
            count = int(present.get(session_id, 0) or 0) + int(heads.get(session_id, 0) or 0)
            rows.append(RecordRow("session", session_id, None,
                                  (day, activity, ", ".join(staff[session_id]), count)))
    return rows


def _enrollments(session: Session, ctx: AppContext, ids: list[int]) -> list[RecordRow]:
    found = []
    for chunk in _chunks(ids):
        found += session.execute(
            select(Enrollment.id, Enrollment.person_id, Activity.name, Enrollment.start_date,
                   Enrollment.end_date, Enrollment.end_reason)
            .join(Activity, Activity.id == Enrollment.activity_id)
            .where(Enrollment.id.in_(chunk))).all()
    people = _People(session, ctx, (row[1] for row in found))
    return [RecordRow("enrollment", i, people.ref(p),
                      (people.name(p), activity, start, end, end_reason_label(reason)))
            for i, p, activity, start, end, reason in found]


def _referrals(session: Session, ctx: AppContext, ids: list[int]) -> list[RecordRow]:
    found = []
    for chunk in _chunks(ids):
        found += session.execute(
            select(Referral.id, Referral.person_id, Referral.created_on, Service.name,
                   Referral.status)
            .join(Service, Service.id == Referral.service_id)
            .where(Referral.id.in_(chunk))).all()
    people = _People(session, ctx, (row[1] for row in found))
    return [RecordRow("referral", i, people.ref(p),
                      (created, people.name(p), service, referral_status_label(status)))
            for i, p, created, service, status in found]


def _jobs(session: Session, ctx: AppContext, ids: list[int]) -> list[RecordRow]:
    found = []
    for chunk in _chunks(ids):
        found += session.execute(
            select(Job.id, Job.person_id, Job.kind, Job.employer, Job.start_date, Job.end_date)
            .where(Job.id.in_(chunk))).all()
    people = _People(session, ctx, (row[1] for row in found))
    return [RecordRow("job", i, people.ref(p),
                      (people.name(p), job_kind_label(kind), employer, start, end))
            for i, p, kind, employer, start, end in found]


_DESCRIBERS = {
    "person": _persons,
    "contact": _contacts,
    "session": _sessions,
    "enrollment": _enrollments,
    "referral": _referrals,
    "job": _jobs,
}

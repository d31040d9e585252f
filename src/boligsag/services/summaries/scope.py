"""How the filter applies to each kind of record, as SQL conditions.

- **Contact**: plan = its area is one of the plan's, or its activity belongs to the
  plan; area = the contact's area; focus area = the contact's focus area (below);
  activity = its activity; staff = who logged it.
- **Session, head count**: plan, area, focus area = the activity's; activity = its
  activity; staff = a staff member of the session.
- **Enrollment, attendance**: plan, focus area = the activity's; area = the activity's,
  else (an activity for all areas) the person's; staff = the mentor, else the
  activity's responsible (attendance: the session's staff).
- **Job**: plan = its activity's, else the person's area is one of the plan's; area =
  its activity's, else the person's; focus area, activity = its activity's; staff =
  its activity's responsible.
- **Referral**: plan = the person's area is one of the plan's; area = the person's;
  staff = the referral's staff contact; focus area and activity: not applicable.

Where a filter is not applicable, no record of that kind belongs to the selection, and
the table says so in a note, rather than showing unfiltered figures as if filtered.

**Deleted records** (one rule for every figure, drill-down included): a tombstoned record
counts nowhere, and neither does anything of a tombstoned *person*, who was registered
by mistake: their enrollments, attendance, jobs (and follow-ups) and referrals, and a
named contact whose residents are all tombstoned (a contact with other, real residents
still counts; the tombstoned one is not a participant). ``Scope.live_person`` is that
rule for a person column, ``Scope.contacts`` applies it to contacts. Anonymised people
are real and still count.

Each contact counts under ONE focus area, so that contacts by focus area add up to the
number of contacts (a stacked chart and suppression need a partition): its activity's
focus area, else the focus area of its first topic (topics are numbered in the plan's
order of focus areas).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    FromClause,
    and_,
    except_,
    exists,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from boligsag.storage.models import (
    Activity,
    ActivitySession,
    Contact,
    Enrollment,
    Job,
    Person,
    Referral,
    Topic,
    contact_people,
    plan_areas,
    session_staff,
)
from boligsag.summaries.filter import SummaryFilter

from .dialects import unindexed
from .temp import VOID_CONTACTS

ACTIVITIES = Activity.__table__
SESSIONS = ActivitySession.__table__
CONTACTS = Contact.__table__
TOPICS = Topic.__table__
PEOPLE = Person.__table__


@dataclass(frozen=True)
class Scope:
    filter: SummaryFilter
    plan_area_ids: tuple[int, ...]  # areas of the selected plans
    # Tombstoned people, and the named contacts with no other residents: few, so read
    # once here (one pass over people) and compared as a list, instead of joining the
    # wide, encrypted people table into every record counted.
    deleted_people: tuple[int, ...] = ()
    void_contacts: tuple[int, ...] = ()
    # Set by ``materialize`` once ``void_contacts`` are in their temp table: a statement
    # run for every month then looks them up there, not in a list it parses each time.
    void_in_temp: bool = False
    # Days from the first record of any kind to the period's start (0 when nothing came
    # before it): how much of the history the period is, which decides how some
    # statements read (``reads_most_history``).
    history_before: int = 0

    @classmethod
    def build(cls, session: Session, summary_filter: SummaryFilter) -> Scope:
        area_ids: tuple[int, ...] = ()
        if summary_filter.plan_ids:
            area_ids = tuple(session.scalars(
                select(plan_areas.c.area_id)
                .where(plan_areas.c.plan_id.in_(summary_filter.plan_ids))
                .distinct()
            ))
        deleted = tuple(session.scalars(
            select(PEOPLE.c.id).where(PEOPLE.c.deleted_at.is_not(None))))
        void: tuple[int, ...] = ()
        if deleted:
            cp = contact_people
            touched = select(cp.c.contact_id).where(cp.c.person_id.in_(deleted))
            with_someone_real = select(cp.c.contact_id).where(
                cp.c.contact_id.in_(touched), cp.c.person_id.not_in(deleted))
            void = tuple(session.scalars(except_(touched, with_someone_real)))
        earliest = _earliest_day(session)
        history = (summary_filter.date_from - date.fromisoformat(earliest)).days \
            if earliest else 0
        return cls(summary_filter, area_ids, deleted, void, history_before=max(history, 0))

    # -- helpers -------------------------------------------------------------------------

    @property
    def reads_most_history(self) -> bool:
        """Whether the history before the period is no longer than the period (e.g. a
        ten-year summary): then reading a kind of record whole, or everything before
        the period, beats looking records up one by one."""
        return self.history_before <= (self.f.date_to - self.f.date_from).days

    @property
    def f(self) -> SummaryFilter:
        return self.filter

    def _in(self, column: ColumnElement[int] | object, ids: tuple[int, ...]) -> ColumnElement[bool]:
        # An empty list never matches (a plan without areas selects no area-bound record).
        return column.in_(ids) if ids else false()  # type: ignore[attr-defined, no-any-return]

    def live_person(self, person_id: ColumnElement[int]) -> list[ColumnElement[bool]]:
        """THE rule for people: a record of a tombstoned person counts nowhere (see the
        module docstring). No condition at all when nobody is deleted."""
        return [person_id.not_in(self.deleted_people)] if self.deleted_people else []

    def applies(self, *, focus_area: bool = True, activity: bool = True) -> tuple[str, ...]:
        """Names of the selected filters a record kind cannot apply (for table notes)."""
        missing = []
        if not focus_area and self.f.focus_area_ids:
            missing.append("focus_area")
        if not activity and self.f.activity_ids:
            missing.append("activity")
        return tuple(missing)

    # -- contacts ------------------------------------------------------------------------

    @staticmethod
    def first_topic(c: FromClause) -> ColumnElement[int]:
        """The contact's lowest topic id (topics are numbered in the plans' order of
        focus areas). Kept on the contact by triggers (migration 0004), equal to
        ``min(contact_topics.topic_id)``: read from the covering index instead of an
        index seek per contact, which cost ~0.4 s of a ten-year summary."""
        return c.c.first_topic_id

    @staticmethod
    def focus_area_of(activity_id: ColumnElement[int] | None,
                      topic_id: ColumnElement[int] | None,
                      correlate: FromClause) -> ColumnElement[int]:
        """The activity's focus area, else the topic's."""
        topic = TOPICS.alias("fa_topic")
        act = ACTIVITIES.alias("fa_activity")
        topic_area = (select(topic.c.focus_area_id).where(topic.c.id == topic_id)
                      .correlate(correlate).scalar_subquery())
        activity_area = (select(act.c.focus_area_id).where(act.c.id == activity_id)
                         .correlate(correlate).scalar_subquery())
        return func.coalesce(activity_area, topic_area)

    def contact_focus_area(self, c: FromClause) -> ColumnElement[int]:
        """The contact's one focus area (see the module docstring)."""
        return self.focus_area_of(c.c.activity_id, self.first_topic(c), c)

    def contacts(self, c: FromClause, *, in_period: bool = True,
                 between: tuple[datetime | BindParameter[datetime],
                                datetime | BindParameter[datetime]] | None = None,
                 ) -> list[ColumnElement[bool]]:
        """The selection's contacts in the period (or ``between`` [from, to), values or
        bound parameters, or at any time with ``in_period=False``); not a contact whose
        residents are all tombstoned. Its tombstoned residents are left out by joining
        ``live_person`` on ``contact_people``."""
        f = self.f
        where: list[ColumnElement[bool]] = [c.c.deleted_at.is_(None)]
        if self.void_contacts and self.void_in_temp:
            where.append(c.c.id.not_in(select(VOID_CONTACTS.c.contact_id)))
        elif self.void_contacts:
            where.append(c.c.id.not_in(self.void_contacts))
        if between is not None:
            where += [c.c.occurred_at >= between[0], c.c.occurred_at < between[1]]
        elif in_period:
            where += [c.c.occurred_at >= f.start, c.c.occurred_at < f.end_exclusive]
        if f.staff_ids:
            where.append(c.c.staff_user_id.in_(f.staff_ids))
        if f.area_ids:
            where.append(c.c.area_id.in_(f.area_ids))
        if f.activity_ids:
            where.append(c.c.activity_id.in_(f.activity_ids))
        if f.plan_ids:
            act = ACTIVITIES.alias("plan_activity")
            plan_activities = select(act.c.id).where(act.c.plan_id.in_(f.plan_ids))
            where.append(or_(self._in(c.c.area_id, self.plan_area_ids),
                             c.c.activity_id.in_(plan_activities)))
        if f.focus_area_ids:
            where.append(self.contact_focus_area(c).in_(f.focus_area_ids))
        return where

    # -- activity-bound records ----------------------------------------------------------

    def activity(self, a: FromClause) -> list[ColumnElement[bool]]:
        """Plan, focus area and activity filters on an activity row (area and staff
        depend on the record kind: see the methods below)."""
        f = self.f
        where: list[ColumnElement[bool]] = [a.c.deleted_at.is_(None)]
        if f.plan_ids:
            where.append(a.c.plan_id.in_(f.plan_ids))
        if f.focus_area_ids:
            where.append(a.c.focus_area_id.in_(f.focus_area_ids))
        if f.activity_ids:
            where.append(a.c.id.in_(f.activity_ids))
        return where

    def session_period(self, s: FromClause, *, by_index: bool = True,
                       ) -> list[ColumnElement[bool]]:
        """A session of the period, not deleted. ``by_index=False`` keeps SQLite from
        finding the sessions through their date index (``dialects.unindexed``), so a
        join of attendance or head counts starts from those rows and looks each one's
        session up: cheaper when the period holds most sessions."""
        day = s.c.date if by_index else unindexed(s.c.date)
        return [s.c.deleted_at.is_(None), day >= self.f.date_from, day <= self.f.date_to]

    def session_staff(self, s: FromClause) -> list[ColumnElement[bool]]:
        if not self.f.staff_ids:
            return []
        return [exists().where(session_staff.c.session_id == s.c.id,
                               session_staff.c.user_id.in_(self.f.staff_ids))]

    def session_area(self, a: FromClause) -> list[ColumnElement[bool]]:
        return [a.c.area_id.in_(self.f.area_ids)] if self.f.area_ids else []

    def person_area(self, a: FromClause | None, p: FromClause) -> list[ColumnElement[bool]]:
        """Area filter for a person's record in an activity: the activity's area, or the
        person's own area when the activity serves every area (or there is none)."""
        if not self.f.area_ids:
            return []
        if a is None:
            return [p.c.area_id.in_(self.f.area_ids)]
        return [or_(a.c.area_id.in_(self.f.area_ids),
                    and_(a.c.area_id.is_(None), p.c.area_id.in_(self.f.area_ids)))]

    def enrollment_staff(self, e: FromClause, a: FromClause) -> list[ColumnElement[bool]]:
        if not self.f.staff_ids:
            return []
        return [or_(e.c.mentor_user_id.in_(self.f.staff_ids),
                    and_(e.c.mentor_user_id.is_(None),
                         a.c.responsible_user_id.in_(self.f.staff_ids)))]

    # -- jobs and referrals (records of a person, not always of an activity) -------------

    def job(self, j: FromClause, a: FromClause, p: FromClause) -> list[ColumnElement[bool]]:
        """``a`` is LEFT OUTER joined: a job need not belong to an activity."""
        f = self.f
        where: list[ColumnElement[bool]] = [j.c.deleted_at.is_(None),
                                            *self.live_person(j.c.person_id)]
        if f.plan_ids:
            where.append(or_(a.c.plan_id.in_(f.plan_ids),
                             and_(j.c.activity_id.is_(None),
                                  self._in(p.c.area_id, self.plan_area_ids))))
        if f.focus_area_ids:
            where.append(a.c.focus_area_id.in_(f.focus_area_ids))
        if f.activity_ids:
            where.append(j.c.activity_id.in_(f.activity_ids))
        if f.area_ids:
            where.append(or_(a.c.area_id.in_(f.area_ids),
                             and_(a.c.area_id.is_(None), p.c.area_id.in_(f.area_ids))))
        if f.staff_ids:
            where.append(a.c.responsible_user_id.in_(f.staff_ids))
        return where

    def referral(self, r: FromClause, p: FromClause) -> list[ColumnElement[bool]]:
        f = self.f
        where: list[ColumnElement[bool]] = [r.c.deleted_at.is_(None),
                                            *self.live_person(r.c.person_id)]
        if f.plan_ids:
            where.append(self._in(p.c.area_id, self.plan_area_ids))
        if f.area_ids:
            where.append(p.c.area_id.in_(f.area_ids))
        if f.staff_ids:
            where.append(r.c.contact_user_id.in_(f.staff_ids))
        return where

    def referrals_apply(self) -> bool:
        """False when the selection names focus areas or activities, which referrals do
        not have: then no referral belongs to the selection."""
        return not (self.f.focus_area_ids or self.f.activity_ids)


def _earliest_day(session: Session) -> str | None:
    """The first day anything was registered (one index seek per table)."""
    c, s, e, j, r = CONTACTS, SESSIONS, Enrollment.__table__, Job.__table__, Referral.__table__
    firsts = [
        select(func.min(c.c.occurred_at)).scalar_subquery(),
        select(func.min(s.c.date)).scalar_subquery(),
        select(func.min(e.c.start_date)).scalar_subquery(),
        select(func.min(j.c.start_date)).scalar_subquery(),
        select(func.min(r.c.sent_on)).scalar_subquery(),
    ]
    # The least is taken here: the five are dates and timestamps, which only ISO text
    # compares across on both backends.
    days = [str(value)[:10] for value in session.execute(select(*firsts)).one()
            if value is not None]
    return min(days) if days else None

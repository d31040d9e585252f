"""Unique participants: who took part in the period, by age group and gender, and who
was new.

A person *took part* in the period (within the selection) if they were in a named
contact, were present at a session, had an enrollment or a job that ran at some point
in the period, or had a referral sent in the period. Each person counts once however
much they took part. A tombstoned person and their records count nowhere
(``Scope.live_person``, applied to every kind of participation below).

*Age* is the age on the last day of the period, as Danmarks Statistik counts "alder
ultimo perioden": every person gets one age group for the whole period, so the age
groups add up to the total, and the figure does not depend on which activity happened
to come first. A birth date after the period end (a data error) counts as unknown age.

A participant is *new* if they took part in nothing within the same selection before the
period started; their month is the month of their first activity in the period.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal, overload

from sqlalchemy import (
    CTE,
    ColumnElement,
    FromClause,
    Integer,
    Select,
    and_,
    cast,
    exists,
    func,
    literal_column,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from boligsag.domain.enums import ReferralKind
from boligsag.storage.models import (
    Attendance,
    Enrollment,
    Job,
    Person,
    Referral,
    contact_people,
)
from boligsag.summaries.model import TOTAL, CellRef, Column, KeyFigure, ValueKind, _msg

from .dialects import greatest, insert_ignore, iso_date, least
from .scope import ACTIVITIES, CONTACTS, SESSIONS, Scope
from .sections import Section
from .sql import AGE_GROUPS, UNKNOWN, age_on, day_of, gender_bucket, month_of
from .tables import (
    GENDER_COLUMNS,
    UNKNOWN_AGE,
    Category,
    age_group_categories,
    grid_table,
    measures_table,
    month_categories,
)
from .temp import EARLIER, PARTICIPANTS, PERSON_MONTHS

PEOPLE = Person.__table__
ENROLLMENTS = Enrollment.__table__
ATTENDANCE = Attendance.__table__
JOBS = Job.__table__
REFERRALS = Referral.__table__

EventRow = Select[tuple[int, str, str]]


def _iso(column: ColumnElement[object]) -> ColumnElement[str]:
    return iso_date(column)


def _event(person: ColumnElement[int], first: ColumnElement[str],
           last: ColumnElement[str]) -> EventRow:
    return select(person.label("person_id"), first.label("first_day"), last.label("last_day"))


def people_if(needed: bool, from_: FromClause, person_id: ColumnElement[int],
              people: FromClause = PEOPLE) -> FromClause:
    """Join ``people`` (the table or an alias of it) only when the area or plan filter
    needs the person's area: the people table is wide (names, addresses, notes), so
    every avoided lookup saves a decrypted page."""
    return from_.join(people, people.c.id == person_id) if needed else from_


@overload
def events(scope: Scope) -> list[EventRow]: ...
@overload
def events(scope: Scope, *, with_kind: Literal[True]) -> list[tuple[EventRow, bool]]: ...


def events(scope: Scope, *, with_kind: bool = False) -> list[Any]:
    """One SELECT per kind of participation: (person_id, first_day, last_day) within the
    period. A contact, attendance or referral is one day; an enrollment or job is the
    part of the period it ran (``with_kind``: paired with True for those spans)."""
    f = scope.filter
    start, end = f.date_from.isoformat(), f.date_to.isoformat()
    cp, a, p = contact_people, ACTIVITIES, PEOPLE
    by_area = bool(f.area_ids)
    selects: list[EventRow] = []

    c = CONTACTS
    day = day_of(c.c.occurred_at)
    selects.append(
        _event(cp.c.person_id, day, day)
        .select_from(c.join(cp, cp.c.contact_id == c.c.id))
        .where(c.c.anonymous.is_(False), *scope.contacts(c),
               *scope.live_person(cp.c.person_id)))

    s, at = SESSIONS, ATTENDANCE
    selects.append(
        _event(at.c.person_id, _iso(s.c.date), _iso(s.c.date))
        .select_from(people_if(by_area, at.join(s, s.c.id == at.c.session_id)
                                .join(a, a.c.id == s.c.activity_id), at.c.person_id))
        .where(at.c.present.is_(True),
               *scope.session_period(s, by_index=not scope.reads_most_history),
               *scope.live_person(at.c.person_id),
               *scope.activity(a), *scope.person_area(a, p), *scope.session_staff(s)))

    spans = len(selects), len(selects) + 1  # enrollments and jobs, appended next
    e = ENROLLMENTS
    selects.append(_ran(
        e.c.person_id, e.c.start_date, e.c.end_date,
        people_if(by_area, e.join(a, a.c.id == e.c.activity_id), e.c.person_id),
        [e.c.deleted_at.is_(None), *scope.live_person(e.c.person_id), *scope.activity(a),
         *scope.person_area(a, p), *scope.enrollment_staff(e, a)], start, end))

    j = JOBS
    selects.append(_ran(
        j.c.person_id, j.c.start_date, j.c.end_date,
        people_if(bool(f.plan_ids or f.area_ids), j, j.c.person_id)
        .outerjoin(a, a.c.id == j.c.activity_id),
        scope.job(j, a, p), start, end))

    if scope.referrals_apply():
        r = REFERRALS
        selects.append(
            _event(r.c.person_id, _iso(r.c.sent_on), _iso(r.c.sent_on))
            .select_from(people_if(bool(f.area_ids or f.plan_ids), r, r.c.person_id))
            .where(r.c.kind == ReferralKind.REFERRAL.value,
                   r.c.sent_on >= f.date_from, r.c.sent_on <= f.date_to,
                   *scope.referral(r, p)))
    if with_kind:
        return [(row, i in spans) for i, row in enumerate(selects)]
    return selects


def _ran(person_id: ColumnElement[int], start_col: ColumnElement[object],
         end_col: ColumnElement[object], from_: FromClause,
         where: list[ColumnElement[bool]], start: str, end: str) -> EventRow:
    """Records that ran at some point in the period, clipped to it."""
    first = greatest(_iso(start_col), start)
    last = least(func.coalesce(_iso(end_col), end), end)
    # Compared as dates: PostgreSQL compares a date with a date only (SQLite gets the
    # same ISO text either way).
    first_day, last_day = date.fromisoformat(start), date.fromisoformat(end)
    return _event(person_id, first, last).select_from(from_).where(
        *where, start_col <= last_day, or_(end_col.is_(None), end_col >= first_day))


def events_subquery(scope: Scope) -> FromClause:
    """The period's participation as a subquery, for drill-down (no temp tables)."""
    return union_all(*events(scope)).subquery("ev")


def participant_ids(ev: FromClause) -> Select[tuple[int]]:
    """Distinct ids of the participants (``events`` has left tombstoned people out)."""
    return select(ev.c.person_id).distinct()


def by_age_and_gender(ev: FromClause, on_iso: str) -> Select[tuple[str, str, int]]:
    """Participants counted by age group and gender bucket. People are first counted by
    their age in years and gender bucket (a few hundred groups), and only those groups
    are matched with the age groups: matching every person with every age group cost
    three quarters of the statement (a year on the benchmark database: 30 -> 8 ms)."""
    ids = participant_ids(ev).subquery("ids")
    p, g = PEOPLE, AGE_GROUPS
    # NULL without a birth date (substr of NULL is NULL on both backends).
    age = age_on(p.c.birth_date, on_iso)
    # Labels no input column has, so GROUP BY names the output on PostgreSQL too.
    per_age = (
        select(age.label("age_years"), gender_bucket(p.c.gender).label("gender_bucket"),
               func.count().label("n"))
        .select_from(p.join(ids, ids.c.person_id == p.c.id))
        .group_by(literal_column("age_years"), literal_column("gender_bucket"))
    ).subquery("per_age")
    years = per_age.c.age_years
    joined = per_age.outerjoin(g, years.is_not(None) & (years >= g.c.min_age)
                               & (g.c.max_age.is_(None) | (years <= g.c.max_age)))
    group = func.coalesce(g.c.code, UNKNOWN)
    return (
        select(group.label("age_group"), per_age.c.gender_bucket.label("gender"),
               # PostgreSQL sums counts as numeric: back to an integer.
               cast(func.sum(per_age.c.n), Integer).label("n"))
        .select_from(joined)
        .group_by(literal_column("age_group"), literal_column("gender"))
    )


def month_rows(ev: FromClause, months: CTE) -> Select[tuple[int, str]]:
    """(person_id, month) for every month a person took part in: a day's month, and
    each month an enrollment or job ran."""
    person, first, last = ev.c.person_id, ev.c.first_day, ev.c.last_day
    days = select(person.label("person_id"), month_of(first).label("month")).where(
        first == last)
    spans = select(person.label("person_id"), months.c.month.label("month")).select_from(
        ev.join(months, and_(first <= months.c["last"], last >= months.c["first"]))
    ).where(first != last)
    return union_all(days, spans)  # type: ignore[return-value]


def per_month(ev: FromClause, months: CTE) -> Select[tuple[str, int]]:
    rows = month_rows(ev, months).subquery("in_month")
    return (
        select(rows.c.month, func.count(func.distinct(rows.c.person_id)))
        .group_by(rows.c.month)
    )


def took_part_before(scope: Scope, person: ColumnElement[int]) -> ColumnElement[bool]:
    """True if ``person`` took part in anything in the selection before the period.
    ``person`` is a participant, so never tombstoned: no ``live_person`` check needed.

    Correlated per participant through each kind's person index: cheap when most
    participants have a history (the first record looked at is old), expensive when
    they have none (every record of theirs is read, their contacts included).
    ``collect_earlier`` is the opposite; ``_collect_is_cheaper`` picks.
    """
    f = scope.filter
    c, cp, s, a, at, p = CONTACTS, contact_people, SESSIONS, ACTIVITIES, ATTENDANCE, PEOPLE
    e, j, r = ENROLLMENTS, JOBS, REFERRALS
    p2 = p.alias("p_before")
    by_area, by_plan_or_area = bool(f.area_ids), bool(f.area_ids or f.plan_ids)
    # Checked in this order, each only for whom the ones before found nothing: the
    # small tables first, whose rows for a person sit on few pages and stay cached, and
    # contacts last, where each contact looked at costs a page of the largest table
    # (decrypted; a summary reads too much else to keep them cached). On the benchmark
    # database a year's check took 165 ms with contacts first, 36 ms with them last.
    checks = []
    if scope.referrals_apply():
        checks.append(exists().select_from(people_if(by_plan_or_area, r, r.c.person_id, p2))
                      .where(r.c.person_id == person, r.c.kind == ReferralKind.REFERRAL.value,
                             r.c.sent_on < f.date_from, *scope.referral(r, p2)))
    checks += [
        exists().select_from(people_if(by_area, e.join(a, a.c.id == e.c.activity_id),
                                       e.c.person_id, p2)).where(
            e.c.person_id == person, e.c.deleted_at.is_(None), e.c.start_date < f.date_from,
            *scope.activity(a), *scope.person_area(a, p2), *scope.enrollment_staff(e, a)),
        exists().select_from(people_if(by_area, at.join(s, s.c.id == at.c.session_id)
                                       .join(a, a.c.id == s.c.activity_id),
                                       at.c.person_id, p2)).where(
            at.c.person_id == person, at.c.present.is_(True), s.c.deleted_at.is_(None),
            s.c.date < f.date_from, *scope.activity(a), *scope.person_area(a, p2),
            *scope.session_staff(s)),
        exists().select_from(people_if(by_plan_or_area, j, j.c.person_id, p2)
                             .outerjoin(a, a.c.id == j.c.activity_id)).where(
            j.c.person_id == person, j.c.start_date < f.date_from, *scope.job(j, a, p2)),
        exists().select_from(cp.join(c, c.c.id == cp.c.contact_id)).where(
            cp.c.person_id == person, c.c.anonymous.is_(False),
            c.c.occurred_at < f.start, *scope.contacts(c, in_period=False)),
    ]
    return or_(*checks)


def new_ids(scope: Scope, ev: FromClause) -> Select[tuple[int, str]]:
    """(person_id, first day in the period) of new participants."""
    person, first = ev.c.person_id, ev.c.first_day
    firsts = (
        select(person.label("person_id"), func.min(first).label("first_day"))
        .group_by(person).subquery("firsts")
    )
    return select(firsts.c.person_id, firsts.c.first_day).where(not_(
        took_part_before(scope, firsts.c.person_id)))


def collect_earlier(session: Session, scope: Scope) -> None:
    """Fill ``EARLIER`` with everyone who took part before the period, in one pass over
    what came before (tombstoned people may be in it: only live participants are looked
    up in it). Cheaper than asking per participant when the history before the
    period is short next to the period (e.g. a ten-year summary); see ``participants``."""
    f = scope.filter
    c, cp, s, a, at, p = CONTACTS, contact_people, SESSIONS, ACTIVITIES, ATTENDANCE, PEOPLE
    e, j, r = ENROLLMENTS, JOBS, REFERRALS
    by_area = bool(f.area_ids)
    sources: list[Select[tuple[int]]] = [
        # Driven by the contacts' covering index over the earlier range; the primary key
        # of summary_earlier removes duplicates without a sort.
        select(cp.c.person_id).select_from(c.join(cp, cp.c.contact_id == c.c.id)).where(
            c.c.anonymous.is_(False), c.c.occurred_at < f.start,
            *scope.contacts(c, in_period=False)),
        select(at.c.person_id).select_from(people_if(
            by_area, at.join(s, s.c.id == at.c.session_id).join(a, a.c.id == s.c.activity_id),
            at.c.person_id)).where(
            at.c.present.is_(True), s.c.deleted_at.is_(None), s.c.date < f.date_from,
            *scope.activity(a), *scope.person_area(a, p), *scope.session_staff(s)),
        select(e.c.person_id).select_from(people_if(
            by_area, e.join(a, a.c.id == e.c.activity_id), e.c.person_id)).where(
            e.c.deleted_at.is_(None), e.c.start_date < f.date_from, *scope.activity(a),
            *scope.person_area(a, p), *scope.enrollment_staff(e, a)),
        select(j.c.person_id).select_from(
            j.join(p, p.c.id == j.c.person_id).outerjoin(a, a.c.id == j.c.activity_id)).where(
            j.c.start_date < f.date_from, *scope.job(j, a, p)),
    ]
    if scope.referrals_apply():
        sources.append(select(r.c.person_id).select_from(
            people_if(bool(f.area_ids or f.plan_ids), r, r.c.person_id)).where(
            r.c.kind == ReferralKind.REFERRAL.value, r.c.sent_on < f.date_from,
            *scope.referral(r, p)))
    dialect_name = session.get_bind().dialect.name
    for source in sources:
        session.execute(insert_ignore(EARLIER, dialect_name).from_select(
            ["person_id"], source))


def _collect_is_cheaper(scope: Scope) -> bool:
    """Whether ``collect_earlier`` (one pass over the history, through covering indexes)
    beats ``took_part_before`` (per participant, reading their contacts' table rows).

    Collect when the history before the period is no longer than the period, or when
    the selection names areas, focus areas, activities or staff members: few of a
    participant's earlier records then match (focus areas and activities belong to a
    plan's years, staff come and go), so their check reads most of their history, one
    decrypted page per contact. On the benchmark database: a year of one staff member
    0.57 s per participant, 0.17 s collected; three years of two focus areas 2.2 s and
    1.2 s. A plan alone usually covers all its areas, so it is asked per participant."""
    f = scope.filter
    return (scope.reads_most_history
            or bool(f.area_ids or f.focus_area_ids or f.activity_ids or f.staff_ids))


def compute(session: Session, scope: Scope, step: Callable[[str], None]) -> Section:
    section = Section()
    f = scope.filter
    pm = PERSON_MONTHS
    step("participants by age group and gender")
    counts = {(str(a), str(g)): n for a, g, n in session.execute(
        by_age_and_gender(PARTICIPANTS, f.date_to.isoformat()))}
    section.add(grid_table(
        "participants", _msg("Participants by age group and gender"), _msg("Age group"),
        age_group_categories(session), GENDER_COLUMNS, counts,
        unknown_row=Category(UNKNOWN, UNKNOWN_AGE),
        note=_msg("Unique people who took part in the period: named contacts, sessions "
                  "attended, enrollments, jobs and referrals sent. Age on the last day "
                  "of the period.")))

    step("participants per month")
    # Keyed by (month, person); tombstoned people are not in it (``materialize``).
    per = dict(session.execute(
        select(pm.c.month, func.count()).group_by(pm.c.month)).all())

    step("new participants")
    firsts = PARTICIPANTS
    if _collect_is_cheaper(scope):
        collect_earlier(session, scope)
        is_old = firsts.c.person_id.in_(select(EARLIER.c.person_id))
    else:
        # Most participants are found at their first contact.
        is_old = took_part_before(scope, firsts.c.person_id)
    month = firsts.c.first_month
    new = dict(session.execute(select(month, func.count()).where(not_(is_old))
                               .group_by(month)).all())

    months = month_categories(f)
    data = {m.key: (per.get(m.key, 0), new.get(m.key, 0)) for m in months}
    section.add(measures_table(
        "participants_per_month", _msg("Participants per month"), _msg("Month"), months,
        (Column("participants", _msg("Participants"), additive=False),
         Column("new", _msg("New participants"))),
        data, total=(sum(counts.values()), None),
        note=_msg("A person who took part in several months counts in each of them; the "
                  "total counts each person once. New: took part for the first time.")))
    section.link(CellRef("participants", TOTAL, TOTAL),
                 CellRef("participants_per_month", TOTAL, "participants"))
    section.figure(KeyFigure("participants", _msg("Participants"), ValueKind.COUNT,
                             CellRef("participants", TOTAL, TOTAL)))
    section.figure(KeyFigure("new_participants", _msg("New participants"), ValueKind.COUNT,
                             CellRef("participants_per_month", TOTAL, "new")))
    return section

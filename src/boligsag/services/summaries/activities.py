"""Activities: sessions held, attendance, drop-in head counts, enrollments started and
ended (by end reason), and the same per month.

The attendance rate is present / registered attendance at the period's sessions. Drop-in
head counts are visits, not people: a child who comes every week counts every week.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Row,
    and_,
    case,
    distinct,
    func,
    select,
)
from sqlalchemy.orm import Session

from boligsag.domain.enums import EndReason
from boligsag.storage import dialect
from boligsag.storage.models import HeadCount
from boligsag.summaries.model import (
    TOTAL,
    CellRef,
    Column,
    KeyFigure,
    Label,
    Share,
    ValueKind,
    _msg,
)

from .participants import ATTENDANCE, ENROLLMENTS, PEOPLE, people_if
from .scope import ACTIVITIES, SESSIONS, Scope
from .sections import Section
from .sql import gender_bucket, month_of
from .tables import (
    GENDER_COLUMNS,
    UNKNOWN_AGE,
    Category,
    age_group_categories,
    grid_table,
    measures_table,
    month_categories,
)

HEAD_COUNTS = HeadCount.__table__
NO_REASON = "none"
END_REASONS = {
    EndReason.COMPLETED: _msg("Completed"),
    EndReason.DROPPED_OUT: _msg("Dropped out"),
    EndReason.MOVED_AWAY: _msg("Moved away"),
    EndReason.REFERRED_ON: _msg("Referred on"),
    EndReason.STARTED_EDUCATION: _msg("Started education"),
    EndReason.STARTED_JOB: _msg("Started a job"),
    EndReason.OTHER: _msg("Other reason"),
}
ACTIVITY_COLUMNS = (
    Column("sessions", _msg("Sessions held")),
    Column("present", _msg("Attendances")),
    Column("attendance_rate", _msg("Attendance rate"), ValueKind.SHARE, base="present"),
    Column("drop_in", _msg("Drop-in visits")),
    Column("enrolled", _msg("Enrolled participants"), additive=False),
    Column("started", _msg("Enrollments started")),
    Column("ended", _msg("Enrollments ended")),
)
MONTH_COLUMNS = ("sessions", "present", "drop_in", "started", "ended")


@dataclass(frozen=True)
class Bases:
    """FROM clauses and WHERE conditions of the section, shared with drill-down."""

    sessions_from: FromClause
    sessions_where: list[ColumnElement[bool]]
    attendance_from: FromClause
    attendance_where: list[ColumnElement[bool]]
    heads_from: FromClause
    heads_where: list[ColumnElement[bool]]
    enroll_from: FromClause
    enroll_where: list[ColumnElement[bool]]


def bases(scope: Scope) -> Bases:
    f = scope.filter
    s, a, at, p, e, h = SESSIONS, ACTIVITIES, ATTENDANCE, PEOPLE, ENROLLMENTS, HEAD_COUNTS
    in_period = scope.session_period(s)
    # Once the period holds most of the history, head counts and attendance are read
    # whole, each row looking up its session, instead of through the sessions' date
    # index (benchmark database, ten years: head counts 70 -> 10 ms, attendance
    # 174 -> 84 ms). For a shorter period the index reads less: reading every head
    # count for a year's summary made that statement faster (8 -> 2.5 ms) but the
    # summary ~90 ms slower: the new-participant check run after it went from 38 to
    # 98 ms, most likely because pages it reads were pushed out of the page cache.
    by_index = not scope.reads_most_history
    heads_period = attendance_period = scope.session_period(s, by_index=by_index)
    return Bases(
        sessions_from=s.join(a, a.c.id == s.c.activity_id),
        sessions_where=[*in_period, *scope.activity(a), *scope.session_area(a),
                        *scope.session_staff(s)],
        # People joined only for an area filter: each avoided lookup is a decrypted page.
        attendance_from=people_if(bool(f.area_ids), at.join(s, s.c.id == at.c.session_id)
                                   .join(a, a.c.id == s.c.activity_id), at.c.person_id),
        attendance_where=[*attendance_period, *scope.live_person(at.c.person_id),
                          *scope.activity(a), *scope.person_area(a, p),
                          *scope.session_staff(s)],
        heads_from=h.join(s, s.c.id == h.c.session_id).join(a, a.c.id == s.c.activity_id),
        heads_where=[*heads_period, *scope.activity(a), *scope.session_area(a),
                     *scope.session_staff(s)],
        enroll_from=people_if(bool(f.area_ids), e.join(a, a.c.id == e.c.activity_id),
                               e.c.person_id),
        enroll_where=[e.c.deleted_at.is_(None), *scope.live_person(e.c.person_id),
                      e.c.start_date <= f.date_to,
                      (e.c.end_date.is_(None)) | (e.c.end_date >= f.date_from),
                      *scope.activity(a), *scope.person_area(a, p),
                      *scope.enrollment_staff(e, a)],
    )


def compute(session: Session, scope: Scope, step: Callable[[str], None]) -> Section:
    f = scope.filter
    s, at, e, h = SESSIONS, ATTENDANCE, ENROLLMENTS, HEAD_COUNTS
    b = bases(scope)
    sessions_from, sessions_where = b.sessions_from, b.sessions_where
    attendance_from, attendance_where = b.attendance_from, b.attendance_where
    heads_from, heads_where = b.heads_from, b.heads_where
    enroll_from, enroll_where = b.enroll_from, b.enroll_where
    present = func.sum(case((at.c.present.is_(True), 1), else_=0), type_=Integer)
    started = func.sum(case((e.c.start_date >= f.date_from, 1), else_=0), type_=Integer)
    ended = func.sum(case((and_(e.c.end_date >= f.date_from, e.c.end_date <= f.date_to), 1),
                          else_=0), type_=Integer)
    section = Section()

    step("sessions and attendance")
    # Sessions, attendance and head counts each read once, by activity and month; the
    # activities table and the monthly series are both sums of that.
    month = month_of(s.c.date)
    per_month: dict[str, dict[str, int]] = {k: {} for k in MONTH_COLUMNS}
    held, (per_month["sessions"],) = _by_activity_and_month(session.execute(
        select(s.c.activity_id, month, func.count()).select_from(sessions_from)
        .where(*sessions_where).group_by(s.c.activity_id, month)))
    attendance, (per_month["present"], _) = _by_activity_and_month(session.execute(
        select(s.c.activity_id, month, present, func.count()).select_from(attendance_from)
        .where(*attendance_where).group_by(s.c.activity_id, month)), width=2)
    heads, (per_month["drop_in"],) = _by_activity_and_month(session.execute(
        select(s.c.activity_id, month, func.sum(h.c.count)).select_from(heads_from)
        .where(*heads_where).group_by(s.c.activity_id, month)))
    step("enrollments")
    enrolled = {k: (n, st or 0, en or 0) for k, n, st, en in session.execute(
        select(e.c.activity_id, func.count(distinct(e.c.person_id)), started, ended)
        .select_from(enroll_from).where(*enroll_where).group_by(e.c.activity_id))}
    enrolled_people = session.execute(select(func.count(distinct(e.c.person_id)))
                                      .select_from(enroll_from).where(*enroll_where)).scalar_one()

    data = {}
    for key in set(held) | set(attendance) | set(heads) | set(enrolled):
        pr, registered = attendance.get(key, (0, 0))
        people, st, en = enrolled.get(key, (0, 0, 0))
        data[str(key)] = (held.get(key, (0,))[0], pr, Share(pr, registered),
                          heads.get(key, (0,))[0], people, st, en)
    activities = _activity_categories(session)
    section.add(measures_table(
        "activities", _msg("Activities"), _msg("Activity"), activities, ACTIVITY_COLUMNS, data,
        total=(None, None, None, None, enrolled_people, None, None), keep_zero_rows=False,
        note=_msg("Enrolled participants: people with an enrollment that ran in the period; "
                  "the total counts each person once.")))

    step("enrollments by end reason")
    reason = func.coalesce(e.c.end_reason, NO_REASON)
    by_reason = {str(r): (n,) for r, n in session.execute(
        select(reason, func.count()).select_from(enroll_from)
        .where(*enroll_where, e.c.end_date >= f.date_from, e.c.end_date <= f.date_to)
        .group_by(reason))}
    reasons = [Category(k.value, label) for k, label in END_REASONS.items()]
    reasons.append(Category(NO_REASON, _msg("No reason given")))
    section.add(measures_table(
        "enrollments_ended", _msg("Enrollments ended, by reason"), _msg("Reason"), reasons,
        (Column("ended", _msg("Enrollments ended")),), by_reason, keep_zero_rows=False))

    step("drop-in head counts")
    gender = gender_bucket(h.c.gender)
    counts = {(str(ag), str(g)): int(n or 0) for ag, g, n in session.execute(
        select(h.c.age_group, gender, func.sum(h.c.count)).select_from(heads_from)
        .where(*heads_where).group_by(h.c.age_group, gender))}
    section.add(grid_table(
        "drop_in", _msg("Drop-in visits by age group and gender"), _msg("Age group"),
        age_group_categories(session), GENDER_COLUMNS, counts,
        unknown_row=Category("unknown", UNKNOWN_AGE),
        note=_msg("Anonymous head counts at drop-in sessions: visits, not unique people.")))

    step("activities per month")
    for key, column in (("started", e.c.start_date), ("ended", e.c.end_date)):
        m = month_of(column)
        per_month[key] = dict(session.execute(
            select(m, func.count()).select_from(enroll_from)
            .where(*enroll_where, column >= f.date_from, column <= f.date_to)
            .group_by(m)).all())
    months = month_categories(f)
    data_month = {m.key: tuple(int(per_month[k].get(m.key) or 0) for k in MONTH_COLUMNS)
                  for m in months}
    section.add(measures_table(
        "activities_per_month", _msg("Activities per month"), _msg("Month"), months,
        tuple(next(c for c in ACTIVITY_COLUMNS if c.key == k) for k in MONTH_COLUMNS),
        data_month))

    for key in MONTH_COLUMNS:
        section.link(CellRef("activities", TOTAL, key),
                     CellRef("activities_per_month", TOTAL, key))
    section.link(CellRef("activities", TOTAL, "ended"),
                 CellRef("enrollments_ended", TOTAL, "ended"))
    section.link(CellRef("activities", TOTAL, "drop_in"), CellRef("drop_in", TOTAL, TOTAL))
    for key, label, kind in (
        ("sessions", _msg("Sessions held"), ValueKind.COUNT),
        ("attendance_rate", _msg("Attendance rate"), ValueKind.SHARE),
        ("drop_in", _msg("Drop-in visits"), ValueKind.COUNT),
        ("enrolled", _msg("Enrolled participants"), ValueKind.COUNT),
        ("started", _msg("Enrollments started"), ValueKind.COUNT),
        ("ended", _msg("Enrollments ended"), ValueKind.COUNT),
    ):
        section.figure(KeyFigure(key, label, kind, CellRef("activities", TOTAL, key)))
    return section


def _by_activity_and_month(
    rows: Iterable[Row[Any]], width: int = 1,
) -> tuple[dict[int, tuple[int, ...]], tuple[dict[str, int], ...]]:
    """Rows of (activity, month, *counts) with ``width`` counts, summed by activity and,
    per count, by month. Only activities and months with rows are keys, as in a GROUP
    BY of either alone; a NULL sum counts as 0."""
    by_activity: dict[int, list[int]] = {}
    by_month: tuple[dict[str, int], ...] = tuple({} for _ in range(width))
    for activity, month, *counts in rows:
        totals = by_activity.setdefault(activity, [0] * width)
        for i, value in enumerate(counts):
            totals[i] += value or 0
            by_month[i][month] = by_month[i].get(month, 0) + (value or 0)
    return {k: tuple(v) for k, v in by_activity.items()}, by_month


def _activity_categories(session: Session) -> list[Category]:
    """Activities by name. A programme run again later is a new activity with the same
    name ("Lektiecafé" 2019–2021 and 2022–2025): those get their years, or the rows of a
    long period would be indistinguishable."""
    a = ACTIVITIES
    rows = session.execute(select(a.c.id, a.c.name, a.c.start_date, a.c.end_date)
                           .order_by(dialect.danish(a.c.name), a.c.start_date, a.c.id)).all()
    names = Counter(name for _, name, _, _ in rows)
    result = []
    for key, name, start, end in rows:
        label = name
        if names[name] > 1 and start is not None:
            label = f"{name} ({start.year}–{end.year if end else ''})"
        result.append(Category(str(key), Label(label, label)))
    return result

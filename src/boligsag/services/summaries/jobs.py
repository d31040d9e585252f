"""Pocket-money and leisure jobs: young people with a job, jobs started, moves from a
pocket-money job to an ordinary leisure job, and whether they kept the job.

Retention is measured on the follow-ups *due in the period* (3, 6 and 12 months after a
job started): of those answered, the share still employed. LBF's evaluations measure
getting *and keeping* a leisure job; the 12-month figure is the headline.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, FromClause, Integer, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from boligsag.domain.enums import JobKind, StillEmployed
from boligsag.storage.models import JobFollowUp
from boligsag.summaries.model import TOTAL, CellRef, Column, KeyFigure, Share, ValueKind, _msg

from .participants import JOBS, PEOPLE
from .scope import ACTIVITIES, Scope
from .sections import Section
from .sql import month_of
from .tables import Category, measures_table, month_categories

FOLLOW_UPS = JobFollowUp.__table__
KINDS = (Category(JobKind.POCKET_MONEY.value, _msg("Pocket-money jobs")),
         Category(JobKind.LEISURE.value, _msg("Leisure jobs")))
MILESTONES = (3, 6, 12)


def base(scope: Scope) -> tuple[FromClause, list[ColumnElement[bool]], list[ColumnElement[bool]],
                                ColumnElement[bool]]:
    """(FROM, selection, "ran in the period", "started in the period") for jobs; shared
    with drill-down."""
    f = scope.filter
    j, p, a = JOBS, PEOPLE, ACTIVITIES
    jobs_from = j.join(p, p.c.id == j.c.person_id).outerjoin(a, a.c.id == j.c.activity_id)
    where = scope.job(j, a, p)  # a tombstoned person's jobs are left out there
    running = [j.c.start_date <= f.date_to,
               (j.c.end_date.is_(None)) | (j.c.end_date >= f.date_from)]
    started_now = and_(j.c.start_date >= f.date_from, j.c.start_date <= f.date_to)
    return jobs_from, where, running, started_now


def follow_ups_base(scope: Scope) -> tuple[FromClause, list[ColumnElement[bool]]]:
    f = scope.filter
    j, p, a, fu = JOBS, PEOPLE, ACTIVITIES, FOLLOW_UPS
    _, where, _, _ = base(scope)
    from_ = (fu.join(j, j.c.id == fu.c.job_id).join(p, p.c.id == j.c.person_id)
             .outerjoin(a, a.c.id == j.c.activity_id))
    return from_, [*where, fu.c.deleted_at.is_(None), fu.c.due_date >= f.date_from,
                   fu.c.due_date <= f.date_to]


def compute(session: Session, scope: Scope, step: Callable[[str], None]) -> Section:
    f = scope.filter
    j, fu = JOBS, FOLLOW_UPS
    prev = JOBS.alias("previous_job")
    jobs_from, where, running, started_now = base(scope)
    section = Section()

    step("jobs")
    started = func.sum(case((started_now, 1), else_=0), type_=Integer)
    moved = func.sum(case((and_(started_now, prev.c.kind == JobKind.POCKET_MONEY.value), 1),
                          else_=0), type_=Integer)
    data = {}
    for kind, people, st, mv in session.execute(
        select(j.c.kind, func.count(distinct(j.c.person_id)), started, moved)
        .select_from(jobs_from.outerjoin(prev, prev.c.id == j.c.previous_job_id))
        .where(*where, *running).group_by(j.c.kind)
    ):
        after = (mv or 0) if kind == JobKind.LEISURE.value else None
        data[str(kind)] = (people, st or 0, after)
    young_people = session.execute(select(func.count(distinct(j.c.person_id)))
                                   .select_from(jobs_from).where(*where, *running)).scalar_one()
    section.add(measures_table(
        "jobs", _msg("Pocket-money and leisure jobs"), _msg("Kind of job"), KINDS,
        (Column("young_people", _msg("Young people with a job"), additive=False),
         Column("started", _msg("Jobs started")),
         Column("after_pocket_money", _msg("Leisure jobs after a pocket-money job"))),
        {k.key: data.get(k.key, (0, 0, None if k.key == JobKind.POCKET_MONEY.value else 0))
         for k in KINDS},
        total=(young_people, None, None),
        note=_msg("Young people with a job that ran in the period; the total counts each "
                  "person once.")))

    step("job follow-ups")
    follow_from, follow_where = follow_ups_base(scope)
    answered = fu.c.status.in_([StillEmployed.YES.value, StillEmployed.NO.value])
    yes = fu.c.status == StillEmployed.YES.value
    follow = {str(months): (due, ans or 0, kept or 0, Share(kept or 0, ans or 0))
              for months, due, ans, kept in session.execute(
        select(fu.c.months, func.count(),
               func.sum(case((answered, 1), else_=0), type_=Integer),
               func.sum(case((yes, 1), else_=0), type_=Integer))
        .select_from(follow_from).where(*follow_where)
        .group_by(fu.c.months))}
    milestones = [Category(str(m), _msg("After {months} months", months=m)) for m in MILESTONES]
    section.add(measures_table(
        "job_follow_ups", _msg("Still employed at follow-up"), _msg("Follow-up"), milestones,
        (Column("due", _msg("Follow-ups due"), additive=False),
         Column("answered", _msg("Answered"), additive=False),
         Column("still_employed", _msg("Still employed"), additive=False),
         Column("share", _msg("Share still employed"), ValueKind.SHARE, base="still_employed",
                denominator="answered")),
        follow, with_total=False,
        note=_msg("Follow-ups due in the period; the share is of those answered.")))

    step("jobs per month")
    month = month_of(j.c.start_date)
    per: dict[str, list[int]] = {}
    for m, kind, n in session.execute(
        select(month, j.c.kind, func.count()).select_from(jobs_from)
        .where(*where, started_now).group_by(month, j.c.kind)
    ):
        per.setdefault(m, [0, 0])[0 if kind == JobKind.POCKET_MONEY.value else 1] += n
    section.add(measures_table(
        "jobs_per_month", _msg("Jobs started per month"), _msg("Month"), month_categories(f),
        tuple(Column(k.key, k.label) for k in KINDS), {m: tuple(v) for m, v in per.items()}))

    for kind in KINDS:
        section.link(CellRef("jobs", kind.key, "started"),
                     CellRef("jobs_per_month", TOTAL, kind.key))
    section.figure(KeyFigure("young_people_with_job", _msg("Young people with a job"),
                             ValueKind.COUNT, CellRef("jobs", TOTAL, "young_people")))
    section.figure(KeyFigure("jobs_started", _msg("Jobs started"), ValueKind.COUNT,
                             CellRef("jobs", TOTAL, "started")))
    section.figure(KeyFigure("moved_to_leisure_job",
                             _msg("Leisure jobs after a pocket-money job"), ValueKind.COUNT,
                             CellRef("jobs", TOTAL, "after_pocket_money")))
    section.figure(KeyFigure("still_employed_12", _msg("Still employed after 12 months"),
                             ValueKind.SHARE, CellRef("job_follow_ups", "12", "share")))
    return section

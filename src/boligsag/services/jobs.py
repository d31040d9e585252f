"""Pocket-money jobs and leisure jobs for young people, with their follow-ups.

LBF's evaluations measured getting *and keeping* a leisure job, so every job gets
follow-ups 3, 6 and 12 calendar months after it starts ("still employed?"), and a
move from a pocket-money job to an ordinary leisure job is recorded as such
(``previous_job_id``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction, JobKind, StillEmployed
from boligsag.domain.permissions import Permission
from boligsag.storage.models import Activity, Job, JobFollowUp, Person

from .casework_common import get_live, visible_person, visible_person_or_fail
from .casework_labels import job_kind_label, still_employed_label
from .changes import Entity, writes
from .context import AppContext
from .errors import ValidationFailed
from .people import Problems
from .person_fields import clean_text
from .records import delete_record, load_of_person
from .units import WriteUnit, check_version

FOLLOW_UP_MONTHS = (3, 6, 12)
MAX_HOURS_PER_WEEK = Decimal(60)
MAX_HOURLY_PAY = Decimal(1000)


def add_months(day: date, months: int) -> date:
    """Calendar months on, end-of-month safe: 31 January + 1 month = 28/29 February."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class JobDraft:
    person_id: int
    kind: JobKind
    employer: str
    start_date: date
    end_date: date | None = None
    hours_per_week: Decimal | None = None
    hourly_pay: Decimal | None = None  # DKK; pocket-money jobs only
    activity_id: int | None = None  # the pocket-money / leisure-job scheme
    note: str = ""


@dataclass(frozen=True)
class JobFollowUpRow:
    id: int
    version: int
    months: int
    due_date: date
    status: StillEmployed | None  # None: not asked yet
    status_label: str
    recorded_at: datetime | None


@dataclass(frozen=True)
class JobRow:
    id: int
    uuid: str
    version: int
    person_id: int
    person_name: str
    kind: JobKind
    kind_label: str
    employer: str
    start_date: date
    end_date: date | None
    hours_per_week: Decimal | None
    hourly_pay: Decimal | None
    activity_id: int | None
    previous_job_id: int | None
    note: str
    follow_ups: tuple[JobFollowUpRow, ...]


def _follow_up_row(f: JobFollowUp) -> JobFollowUpRow:
    status = StillEmployed(f.status) if f.status else None
    return JobFollowUpRow(f.id, f.version, f.months, f.due_date, status,
                          still_employed_label(status), f.recorded_at)


def _row(job: Job) -> JobRow:
    return JobRow(
        id=job.id, uuid=job.uuid, version=job.version, person_id=job.person_id,
        person_name=job.person.full_name, kind=JobKind(job.kind),
        kind_label=job_kind_label(job.kind), employer=job.employer,
        start_date=job.start_date, end_date=job.end_date, hours_per_week=job.hours_per_week,
        hourly_pay=job.hourly_pay, activity_id=job.activity_id,
        previous_job_id=job.previous_job_id, note=job.note,
        follow_ups=tuple(_follow_up_row(f) for f in job.follow_ups if f.deleted_at is None),
    )


def _decimal(value: object, field: str, limit: Decimal, problems: Problems) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "."))  # "62,50" as Danes write it
    except InvalidOperation:
        number = Decimal(-1)
    if not (0 < number <= limit):
        problems[field] = ("Enter a number between 0 and {max}.", {"max": str(limit)})
        return None
    return number.quantize(Decimal("0.01") if field == "hourly_pay" else Decimal("0.1"))


def _validate(session: Session, ctx: AppContext, draft: JobDraft) -> dict[str, Any]:
    problems: Problems = {}
    employer = clean_text(draft.employer)
    if not employer:
        problems["employer"] = ("Enter the employer.", {})
    elif len(employer) > 160:
        problems["employer"] = ("Use at most {count} characters.", {"count": 160})
    if draft.kind not in set(JobKind):
        problems["kind"] = ("Choose the kind of job.", {})
    if draft.start_date is None:
        problems["start_date"] = ("Enter the start date.", {})
    elif draft.end_date is not None and draft.end_date < draft.start_date:
        problems["end_date"] = ("The end date cannot be before the start date.", {})
    hours = _decimal(draft.hours_per_week, "hours_per_week", MAX_HOURS_PER_WEEK, problems)
    pay = _decimal(draft.hourly_pay, "hourly_pay", MAX_HOURLY_PAY, problems)
    if pay is not None and draft.kind == JobKind.LEISURE:
        problems["hourly_pay"] = ("Pay is recorded for pocket-money jobs only.", {})
    if draft.activity_id is not None:
        activity = session.get(Activity, draft.activity_id)
        if activity is None or activity.deleted_at is not None:
            problems["activity_id"] = ("The activity no longer exists.", {})
    if problems:
        raise ValidationFailed(problems)
    return {"kind": JobKind(draft.kind), "employer": employer, "start_date": draft.start_date,
            "end_date": draft.end_date, "hours_per_week": hours, "hourly_pay": pay,
            "activity_id": draft.activity_id, "note": draft.note.strip()}


def _audit(w: WriteUnit, job: Job, action: AuditAction, detail: str = "") -> None:
    w.audit(action, entity="jobs", entity_uuid=job.uuid, person_uuid=job.person.uuid,
            detail=detail)


def _new_job(w: WriteUnit, person: Person, values: dict[str, Any],
             previous_job_id: int | None = None) -> Job:
    job = Job(person=person, previous_job_id=previous_job_id, **values)
    job.follow_ups = [JobFollowUp(months=m, due_date=add_months(job.start_date, m))
                      for m in FOLLOW_UP_MONTHS]
    w.session.add(job)
    w.session.flush()
    _audit(w, job, AuditAction.CREATE)
    return job


@writes(Entity.JOBS, Entity.FOLLOW_UPS, Entity.TIMELINE)
def create_job(ctx: AppContext, draft: JobDraft) -> JobRow:
    """Record a job; its 3-, 6- and 12-month follow-ups are created with it."""
    with ctx.write(Permission.MANAGE_JOBS) as w:
        person = visible_person_or_fail(w.session, ctx, draft.person_id)
        return _row(_new_job(w, person, _validate(w.session, ctx, draft)))


@writes(Entity.JOBS, Entity.FOLLOW_UPS, Entity.TIMELINE)
def update_job(ctx: AppContext, job_id: int, version: int, draft: JobDraft) -> JobRow:
    """Save the job form. A new start date moves the follow-ups not yet answered."""
    with ctx.write(Permission.MANAGE_JOBS) as w:
        job = load_of_person(w, Job, job_id, "job", version)
        if draft.person_id != job.person_id:
            raise ValidationFailed({"person_id": (
                "A job cannot be moved to another person; record a new job instead.", {})})
        for key, value in _validate(w.session, ctx, draft).items():
            setattr(job, key, value)
        for follow_up in job.follow_ups:
            if follow_up.status is None:
                follow_up.due_date = add_months(job.start_date, follow_up.months)
        w.session.flush()
        _audit(w, job, AuditAction.UPDATE)
        return _row(job)


@writes(Entity.JOBS, Entity.FOLLOW_UPS, Entity.TIMELINE)
def delete_job(ctx: AppContext, job_id: int, version: int) -> None:
    """Tombstone the job with its follow-ups."""
    with ctx.write(Permission.MANAGE_JOBS) as w:
        job = load_of_person(w, Job, job_id, "job", version)
        delete_record(w, job, _audit, dependants=job.follow_ups)


def get_job(ctx: AppContext, job_id: int) -> JobRow:
    with ctx.read(Permission.VIEW_PEOPLE) as r:
        return _row(load_of_person(r, Job, job_id, "job"))


def list_jobs(ctx: AppContext, *, person_id: int | None = None, kind: JobKind | None = None,
              active_on: date | None = None) -> list[JobRow]:
    """Jobs newest first: a person's, or the scheme's (optionally those running on a day)."""
    query = (select(Job).join(Person, Person.id == Job.person_id)
             .where(Job.deleted_at.is_(None), visible_person(ctx))
             .order_by(Job.start_date.desc(), Job.id.desc()))
    if person_id is not None:
        query = query.where(Job.person_id == person_id)
    if kind is not None:
        query = query.where(Job.kind == kind)
    if active_on is not None:
        query = query.where(Job.start_date <= active_on,
                            (Job.end_date.is_(None)) | (Job.end_date >= active_on))
    with ctx.read(Permission.VIEW_PEOPLE) as r:
        return [_row(job) for job in r.session.scalars(query)]


def answer_follow_up(w: WriteUnit, follow_up: JobFollowUp, status: StillEmployed) -> None:
    """Inside the caller's write unit (shared with the follow-up list's "done")."""
    follow_up.status = StillEmployed(status)
    follow_up.recorded_at = w.ctx.clock.now()
    follow_up.recorded_by_id = w.ctx.actor.user_id
    w.session.flush()
    _audit(w, follow_up.job, AuditAction.UPDATE, detail=f"follow-up {follow_up.months} months")


@writes(Entity.JOBS, Entity.FOLLOW_UPS, Entity.TIMELINE)
def record_follow_up(ctx: AppContext, follow_up_id: int, status: StillEmployed, *,
                     version: int | None = None) -> JobFollowUpRow:
    """Still employed at 3 / 6 / 12 months? (``version`` when answered from a form.)"""
    with ctx.write(Permission.MANAGE_JOBS) as w:
        follow_up = get_live(w.session, JobFollowUp, follow_up_id, "follow-up")
        load_of_person(w, Job, follow_up.job_id, "job")
        if version is not None:
            check_version(follow_up, version)
        answer_follow_up(w, follow_up, status)
        return _follow_up_row(follow_up)


@writes(Entity.JOBS, Entity.FOLLOW_UPS, Entity.TIMELINE)
def move_to_leisure_job(
    ctx: AppContext,
    pocket_money_job_id: int,
    employer: str,
    start: date,
    *,
    hours_per_week: Decimal | None = None,
    activity_id: int | None = None,
    note: str = "",
    version: int | None = None,
) -> JobRow:
    """The outcome the scheme works for: the young person goes from a pocket-money job
    to an ordinary leisure job. Records the leisure job (linked to the pocket-money
    job) and ends the pocket-money job the day before, both in one transaction.

    The pocket-money job's own follow-ups stay: they ask whether the young person is
    still employed, and the leisure job is the answer the worker will give.
    """
    with ctx.write(Permission.MANAGE_JOBS) as w:
        old = load_of_person(w, Job, pocket_money_job_id, "job", version)
        if old.kind != JobKind.POCKET_MONEY:
            raise ValidationFailed({"kind": ("Only a pocket-money job can lead to a leisure "
                                             "job.", {})})
        if start < old.start_date:
            raise ValidationFailed({"start_date": (
                "The leisure job cannot start before the pocket-money job.", {})})
        draft = JobDraft(person_id=old.person_id, kind=JobKind.LEISURE, employer=employer,
                         start_date=start, hours_per_week=hours_per_week,
                         activity_id=activity_id, note=note)
        values = _validate(w.session, ctx, draft)
        last_day = max(old.start_date, start - timedelta(days=1))
        if old.end_date is None or old.end_date > last_day:
            old.end_date = last_day
            _audit(w, old, AuditAction.UPDATE, detail="moved to leisure job")
        return _row(_new_job(w, old.person, values, previous_job_id=old.id))

"""Pocket-money and leisure jobs for 13–17-year-olds, with 3/6/12-month follow-ups.

The shape follows what LBF's evaluations measure: many youths start with a short
pocket-money job, some move on to an ordinary leisure job (``previous_job_id``), and
about half of the leisure jobs are still held a year later.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from boligsag.domain.enums import EndReason, JobKind, StillEmployed
from boligsag.storage.models import Enrollment, Job, JobFollowUp

from .bulk import Gen, Row, add_months, table
from .programmes import Enr, Instance, enrollment_row
from .texts import LEISURE_EMPLOYERS, POCKET_MONEY_EMPLOYERS
from .world import PersonInfo, World

FOLLOW_UP_MONTHS = (3, 6, 12)


class _Jobs:
    def __init__(self, g: Gen, world: World, instances: list[Instance]) -> None:
        self.g, self.world = g, world
        self.instances = instances
        self.jobs: list[Row] = []
        self.follow_ups: list[Row] = []
        self.enrollment_rows: list[Row] = []
        self.enrollments: list[Enr] = []
        self.busy_until: dict[int, date] = {}  # person index -> last day of their last job

    def instance(self, key: str, day: date) -> Instance | None:
        return next((i for i in self.instances
                     if i.template.key == key and i.start <= day <= i.end), None)

    def youth(self, day: date) -> int | None:
        def accept(p: PersonInfo) -> bool:
            return (p.birth_date <= day and 13 <= p.age_on(day) <= 17
                    and self.busy_until.get(p.id, day - timedelta(days=1)) < day)

        return self.world.pick_known(self.g.rng, day, accept)

    def job(self, index: int, kind: JobKind, start: date, previous: int | None) -> Row:
        g = self.g
        years = start.year - 2016
        if kind == JobKind.POCKET_MONEY:
            end: date | None = add_months(start, g.rng.randint(3, 8)) - timedelta(
                days=g.rng.randint(0, 20))
            hours = g.rng.choice((2, 2.5, 3, 3, 4, 5, 6))
            pay = 45 + 1.2 * years + g.rng.uniform(-4, 6)
            employer = g.rng.choice(POCKET_MONEY_EMPLOYERS)
            key = "pocket_money"
        else:
            # Retention: ~12 % stop within 3 months, ~27 % within 6, ~45 % within 12.
            r = g.rng.random()
            days = (g.rng.randint(30, 89) if r < 0.12 else g.rng.randint(92, 180) if r < 0.27
                    else g.rng.randint(185, 364) if r < 0.45 else g.rng.randint(366, 900))
            end = start + timedelta(days=days)
            hours = g.rng.choice((4, 5, 6, 8, 8, 10, 12))
            pay = 68 + 2.0 * years + g.rng.uniform(-6, 14)
            employer = g.rng.choice(LEISURE_EMPLOYERS)
            key = "leisure_jobs"
        if end is not None and end >= g.today:
            end = None
        person = self.world.people[index]
        self.busy_until[person.id] = end or g.today + timedelta(days=3650)
        inst = self.instance(key, start)
        workers = self.world.workers(start)
        staff = g.rng.choice([w for w in workers if w.focus == "employment"] or workers).id
        row = g.record(table(Job), g.at_work(start), staff)
        row.update(person_id=person.id, kind=str(kind),
                   activity_id=inst.id if inst else None, employer=employer,
                   start_date=start, end_date=end, hours_per_week=Decimal(str(hours)),
                   hourly_pay=Decimal(f"{round(pay * 2) / 2:.2f}"),  # to the half krone
                   previous_job_id=previous, note="")
        self.jobs.append(row)
        self._follow_ups(row, start, end)
        if inst is not None:
            # The enrollment ends with the plan's activity if the job outlives it.
            enr_end = inst.end if inst.end < g.today and (end is None or end > inst.end) else end
            enr = Enr(0, index, inst, start, enr_end, staff)
            self.enrollment_rows.append(enrollment_row(g, self.world, enr, None, None, None))
            self.enrollments.append(enr)
        return row

    def _follow_ups(self, job: Row, start: date, end: date | None) -> None:
        g = self.g
        for months in FOLLOW_UP_MONTHS:
            due = add_months(start, months)
            status: StillEmployed | None = None
            recorded = None
            # Due in the last three weeks: half are still waiting to be asked.
            if due <= g.today and not (due > g.today - timedelta(days=21) and g.chance(0.5)):
                if g.chance(0.05):
                    status = StillEmployed.UNKNOWN  # could not reach the youth
                else:
                    status = StillEmployed.YES if end is None or end > due else StillEmployed.NO
                recorded = g.at_work(min(g.today, due + timedelta(days=g.rng.randint(0, 10))))
            by = job["created_by_id"]
            row = g.record(table(JobFollowUp), recorded or job["created_at"], by)
            row.update(job_id=job["id"], months=months, due_date=due,
                       status=None if status is None else str(status), recorded_at=recorded,
                       recorded_by_id=by if recorded else None)
            self.follow_ups.append(row)


def create_jobs(g: Gen, world: World, instances: list[Instance]) -> list[Enr]:
    """Jobs and the enrollments in the job activities they belong to."""
    maker = _Jobs(g, world, instances)
    scale = len(world.people) / 600
    for _ in range(round(36 * scale)):
        day = g.workday_on_or_after(g.day_between(g.start, g.today - timedelta(days=7)))
        index = maker.youth(day)
        if index is None:
            continue
        pocket = maker.job(index, JobKind.POCKET_MONEY, day, None)
        end = pocket["end_date"]
        reason = EndReason.COMPLETED if g.chance(0.8) else EndReason.DROPPED_OUT
        if end is not None and g.chance(0.42):
            start = g.workday_on_or_after(end + timedelta(days=g.rng.randint(0, 60)))
            person = world.people[index]
            if start < g.today and person.age_on(start) <= 17:
                maker.busy_until[person.id] = start - timedelta(days=1)
                maker.job(index, JobKind.LEISURE, start, pocket["id"])
                reason = EndReason.STARTED_JOB
        _set_end_reason(maker, pocket, reason)
    for _ in range(round(12 * scale)):  # leisure jobs found without a pocket-money job
        day = g.workday_on_or_after(g.day_between(g.start, g.today - timedelta(days=7)))
        index = maker.youth(day)
        if index is not None:
            maker.job(index, JobKind.LEISURE, day, None)
    for row in maker.enrollment_rows:
        if row["end_date"] is not None and row["end_reason"] is None:
            row["end_reason"] = str(EndReason.COMPLETED if g.chance(0.75)
                                    else EndReason.DROPPED_OUT)
    g.insert(table(Job), maker.jobs)
    g.insert(table(JobFollowUp), maker.follow_ups)
    g.insert(table(Enrollment), maker.enrollment_rows)
    return maker.enrollments


def _set_end_reason(maker: _Jobs, job: Row, reason: EndReason) -> None:
    """The pocket-money enrollment ends the way the job did."""
    if job["end_date"] is None:
        return
    for row in reversed(maker.enrollment_rows):
        if row["person_id"] == job["person_id"] and row["start_date"] == job["start_date"]:
            row["end_reason"] = str(reason)
            return

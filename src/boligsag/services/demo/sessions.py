"""Sessions (mødegange) of every activity: attendance of the enrolled for courses,
anonymous head counts by age group and gender for drop-in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from boligsag.domain.enums import Gender
from boligsag.storage.models import ActivitySession, Attendance, HeadCount, session_staff

from .bulk import Gen, Row, table
from .programmes import Enr, Instance, holiday, schedule, size_factor
from .texts import ABSENCE_REASONS
from .world import World


def create_sessions(g: Gen, world: World, instances: list[Instance],
                    enrollments: list[Enr]) -> None:
    maker = _Sessions(g, world)
    by_instance: dict[int, list[Enr]] = {}
    for enr in enrollments:
        by_instance.setdefault(enr.instance.id, []).append(enr)
    yesterday = g.today - timedelta(days=1)
    for n, inst in enumerate(instances):
        t = inst.template
        mine = by_instance.get(inst.id, [])
        if t.style == "one_to_one":
            for enr in mine:
                day = enr.start + timedelta(days=g.rng.randint(2, 10))
                last = min(enr.end or yesterday, yesterday)
                while (day := g.workday_on_or_after(day)) <= last:
                    if not holiday(day):
                        sid = maker.session(inst, day, g.at_work(day, 9, 15).time(),
                                            g.rng.choice((45, 60, 60, 90)), enr.staff_id)
                        maker.attend(sid, world.people[enr.person].id, 0.88)
                    day += timedelta(days=g.rng.randint(7, 21))
        elif t.style == "drop_in":
            for day in schedule(inst.start, min(inst.end, yesterday), t.weekday, t.every_weeks):
                sid = maker.session(inst, day, t.starts, t.minutes, None)
                maker.head_counts(sid, inst, day)
        else:  # cohort and club: the group meets, each enrolled person present or not
            groups: dict[int, list[Enr]] = {}
            for enr in mine:
                groups.setdefault(enr.cohort, []).append(enr)
            for cohort, members in groups.items():
                first = members[0].start if cohort >= 0 else inst.start
                limit = None if cohort < 0 else t.course_sessions
                for day in schedule(first, min(inst.end, yesterday), t.weekday,
                                    t.every_weeks, limit):
                    # One row per person, even if two of their enrollments touch the day.
                    enrolled = {world.people[e.person].id for e in members
                                if e.start <= day and (e.end is None or day <= e.end)}
                    if not enrolled:
                        continue
                    sid = maker.session(inst, day, t.starts, t.minutes, None)
                    for person_id in sorted(enrolled):
                        maker.attend(sid, person_id, 0.8)
        maker.flush_if_big()
        g.progress.update((n + 1) / len(instances))
    maker.flush()


class _Sessions:
    def __init__(self, g: Gen, world: World) -> None:
        self.g, self.world = g, world
        self.sessions: list[Row] = []
        self.staff: list[Row] = []
        self.attendance: list[Row] = []
        self.counts: list[Row] = []
        self.factor = size_factor(len(world.people))

    def session(self, inst: Instance, day: date, starts: time, minutes: int,
                staff_id: int | None) -> int:
        g = self.g
        workers = self.world.workers(day)
        staff_id = staff_id or (inst.responsible_id if g.chance(0.6) else g.rng.choice(workers).id)
        logged = datetime.combine(day, starts) + timedelta(minutes=minutes + g.rng.randint(5, 90))
        row = g.record(table(ActivitySession), min(logged, g.now), staff_id)
        row.update(activity_id=inst.id, date=day, start_time=starts, duration_minutes=minutes,
                   note="")
        self.sessions.append(row)
        self.staff.append({"session_id": row["id"], "user_id": staff_id})
        if inst.template.style in ("drop_in", "cohort") and len(workers) > 1 and g.chance(0.4):
            other = g.rng.choice(workers).id
            if other != staff_id:
                self.staff.append({"session_id": row["id"], "user_id": other})
        return int(row["id"])

    def attend(self, session_id: int, person_id: int, p_present: float) -> None:
        present = self.g.chance(p_present)
        self.attendance.append({
            "session_id": session_id, "person_id": person_id, "present": present,
            "absence_reason": "" if present else self.g.rng.choice(ABSENCE_REASONS)})

    def head_counts(self, session_id: int, inst: Instance, day: date) -> None:
        g, t = self.g, inst.template
        groups = [(code, low, high) for code, low, high in self.world.ref.age_groups
                  if low <= t.ages[1] and (high is None or high >= t.ages[0])]
        growth = 0.75 + 0.35 * (day - g.start).days / max(1, (g.today - g.start).days)
        mean = t.visitors * self.factor * growth / max(1, len(groups))
        for code, _, _ in groups:
            for gender, share in ((Gender.MALE, t.male_share), (Gender.FEMALE, 1 - t.male_share)):
                count = round(g.rng.gauss(mean * share, mean * share * 0.4))
                if count > 0:
                    self.counts.append({"session_id": session_id, "age_group": code,
                                        "gender": str(gender), "count": count})

    def flush_if_big(self) -> None:
        if len(self.sessions) > 20_000:
            self.flush()

    def flush(self) -> None:
        self.g.insert(table(ActivitySession), self.sessions)
        self.g.insert(session_staff, self.staff)
        self.g.insert(table(Attendance), self.attendance)
        self.g.insert(table(HeadCount), self.counts)
        self.sessions, self.staff, self.attendance, self.counts = [], [], [], []

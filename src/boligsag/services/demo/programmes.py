"""Activities of every kind, per plan, with their enrollments and sessions: attendance
for fixed courses, anonymous head counts for drop-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from boligsag.domain.enums import ActivityKind, ActivityMode, EndReason, Gender
from boligsag.storage.models import Activity, Enrollment, enrollment_topics

from .bulk import Gen, Row, table
from .texts import GOALS
from .world import OLD_PERIOD, PersonInfo, PlanInfo, World

K, M = ActivityKind, ActivityMode


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    kind: ActivityKind
    mode: ActivityMode
    focus: str  # 2019–2026 focus-area code
    focus_2015: str  # the same work under the 2015–2018 plan
    description: str
    first_year: int
    style: str  # one_to_one | cohort | club | drop_in
    weekday: int = 0
    every_weeks: int = 1
    starts: time = time(15, 0)
    minutes: int = 120
    ages: tuple[int, int] = (0, 120)
    women: bool = False
    male_share: float = 0.5
    visitors: float = 10.0  # mean head count of a drop-in session
    course_sessions: int = 0  # meetings of one cohort of a cohort course
    area: int | None = None  # index into the plan's areas; None = all areas


TEMPLATES = (
    Template("youth_mentoring", "Uddannelsesmentor for unge", K.MENTORING, M.COURSE,
             "education_life_chances", "education_employment",
             "Frivillige og ansatte mentorer støtter unge i at gennemføre uddannelse.", 2015,
             "one_to_one", ages=(14, 24)),
    Template("job_mentoring", "Jobmentor for voksne", K.MENTORING, M.COURSE, "employment",
             "education_employment", "Individuelle forløb mod job eller praktik.", 2019,
             "one_to_one", ages=(25, 60)),
    Template("pocket_money", "Lommepengejob", K.POCKET_MONEY_JOBS, M.COURSE,
             "crime_prevention", "crime_prevention_2015",
             "Korte, betalte job i afdelingen for 13–17-årige, med jobklub hver fjerde uge.",
             2015, "club", weekday=2, every_weeks=4, starts=time(16, 0), minutes=60),
    Template("leisure_jobs", "Fritidsjobindsatsen", K.LEISURE_JOBS, M.COURSE, "employment",
             "education_employment", "Hjælp til at finde og fastholde et ordinært fritidsjob.",
             2015, "club", weekday=1, every_weeks=4, starts=time(16, 30), minutes=60),
    Template("parent_guidance", "Forældreguidning", K.PARENT_GUIDANCE, M.COURSE,
             "education_life_chances", "prevention_parenting",
             "Hjemmebesøg og vejledning om dagtilbud, skole, sprog og sundhed.", 2015,
             "one_to_one"),
    Template("network_mothers", "Bydelsmødre", K.NETWORK_MOTHERS, M.COURSE,
             "cohesion_citizenship", "prevention_parenting",
             "Uddannelse af bydelsmødre, der hjælper andre kvinder videre.", 2019, "cohort",
             weekday=1, starts=time(10, 0), minutes=150, ages=(25, 60), women=True,
             course_sessions=14),
    Template("homework_cafe", "Lektiecafé", K.HOMEWORK_CAFE, M.DROP_IN,
             "education_life_chances", "education_employment",
             "Åben lektiehjælp mandag og onsdag med frivillige.", 2015, "drop_in",
             weekday=0, ages=(6, 17), visitors=14),
    Template("homework_cafe_wed", "Lektiecafé (onsdag)", K.HOMEWORK_CAFE, M.DROP_IN,
             "education_life_chances", "education_employment", "Lektiecaféens onsdagshold.",
             2015, "drop_in", weekday=2, ages=(6, 17), visitors=11),
    Template("homework_course", "Lektiehold for 8.–9. klasse", K.HOMEWORK_CAFE, M.COURSE,
             "education_life_chances", "education_employment",
             "Fast hold med forberedelse til afgangsprøverne.", 2019, "cohort",
             weekday=3, starts=time(15, 30), minutes=90, ages=(14, 16), course_sessions=30),
    Template("friday_club", "Fredagsklub for unge", K.DROP_IN, M.DROP_IN, "crime_prevention",
             "crime_prevention_2015", "Åben klub fredag aften i beboerhuset.", 2015, "drop_in",
             weekday=4, starts=time(18, 0), minutes=180, ages=(13, 17), male_share=0.65,
             visitors=18, area=0),
    Template("open_counselling", "Åben rådgivning", K.DROP_IN, M.DROP_IN,
             "cohesion_citizenship", "safety_wellbeing",
             "Hjælp til breve, e-Boks og kontakt til myndigheder.", 2015, "drop_in",
             weekday=1, starts=time(10, 0), minutes=180, ages=(18, 120), male_share=0.4,
             visitors=8),
    Template("community_dinner", "Fællesspisning", K.OTHER, M.DROP_IN, "cohesion_citizenship",
             "safety_wellbeing", "Fællesspisning i beboerhuset hver fjerde torsdag.", 2015,
             "drop_in", weekday=3, every_weeks=4, starts=time(17, 30), minutes=150,
             visitors=40),
    Template("mothers_danish", "Dansk og hverdagsliv for mødre", K.OTHER, M.COURSE,
             "education_life_chances", "prevention_parenting",
             "Hold for mødre: dansk, skole-hjem-samarbejde og sundhed.", 2015, "cohort",
             weekday=0, starts=time(9, 30), minutes=120, ages=(22, 55), women=True,
             course_sessions=12),
)


@dataclass
class Instance:
    """One activity row: a template run under one plan."""

    id: int
    template: Template
    plan: PlanInfo
    start: date
    end: date
    responsible_id: int
    area_id: int | None


@dataclass
class Enr:
    id: int
    person: int  # index into World.people
    instance: Instance
    start: date
    end: date | None
    staff_id: int
    cohort: int = -1  # index of the cohort, for cohort courses


def holiday(day: date) -> bool:
    """Summer holiday and Christmas: the team runs no activities."""
    return (day.month == 7 or (day.month == 12 and day.day >= 22)
            or (day.month == 1 and day.day <= 2))


def create_activities(g: Gen, world: World) -> list[Instance]:
    rows, out = [], []
    for plan in world.plans:
        for t in TEMPLATES:
            start = max(plan.start, date(t.first_year, 1, 1), g.start)
            if plan.end.year < t.first_year or start > plan.end or start >= g.today:
                continue
            code = t.focus_2015 if plan.period == OLD_PERIOD else t.focus
            focus_id = world.ref.focus_areas.get((plan.period, code))
            workers = world.workers(start)
            matching = [w for w in workers if w.focus == t.focus] or workers
            area_id = world.area_ids[t.area] if t.area is not None else None
            row = g.record(table(Activity), g.at_work(start - timedelta(days=20)),
                           g.admin_id)
            instance = Instance(row["id"], t, plan, start, plan.end,
                                g.rng.choice(matching).id, area_id)
            row.update(name=t.name, kind=str(t.kind), mode=str(t.mode), plan_id=plan.id,
                       focus_area_id=focus_id, area_id=area_id,
                       responsible_user_id=instance.responsible_id,
                       description=t.description, start_date=start, end_date=plan.end)
            rows.append(row)
            out.append(instance)
    g.insert(table(Activity), rows)
    return out


def size_factor(people: int) -> float:
    return min(2.5, max(0.6, (people / 600) ** 0.5))


def create_enrollments(g: Gen, world: World, instances: list[Instance]) -> list[Enr]:
    """One-to-one courses (mentoring, parent guidance) and cohort courses."""
    scale = len(world.people) / 600
    enrollments: list[Enr] = []
    rows: list[Row] = []
    topic_rows: list[Row] = []
    busy: dict[tuple[int, str], date] = {}  # (person, template) -> end of the last course
    # New forløb a year per 600 residents, so every running instance has a caseload
    # (once a total over ten years: a 200-person demo then had almost no one enrolled).
    for key, per_600 in (("youth_mentoring", 12), ("job_mentoring", 10), ("parent_guidance", 10)):
        for inst in (i for i in instances if i.template.key == key):
            for _ in range(round(per_600 * scale * _years_run(inst, g.today))):
                last = min(inst.end, g.today)
                start = g.workday_on_or_after(g.day_between(inst.start, last))
                if start >= g.today:
                    continue
                t = inst.template
                if key == "parent_guidance":
                    def accept(p: PersonInfo, start: date = start) -> bool:
                        return _has_young_child(world, p, start)
                else:
                    def accept(p: PersonInfo, start: date = start, t: Template = t) -> bool:
                        # Not while the person is still in an earlier course of the same kind.
                        return _fits(p, start, t) and busy.get((p.id, t.key), start) <= start
                index = world.pick_known(g.rng, start, accept)
                if index is None:
                    continue
                days = (g.rng.randint(120, 450) if key != "parent_guidance"
                        else g.rng.randint(90, 360))
                end: date | None = min(start + timedelta(days=days), inst.end)
                assert end is not None
                reason = _end_reason(g, key)
                if end >= g.today:
                    end, reason = None, None
                busy[(world.people[index].id, key)] = end or g.today
                # Some youth mentors are volunteers (DESIGN §2: "staff or volunteer").
                pool = world.workers(start, volunteers=True) if key == "youth_mentoring" and \
                    g.chance(0.15) else []
                staff = g.rng.choice(pool or world.workers(start)).id
                enr = Enr(0, index, inst, start, end, staff)
                household = world.households[world.people[index].household].id \
                    if key == "parent_guidance" else None
                rows.append(enrollment_row(g, world, enr, reason, household,
                                            staff if t.kind == K.MENTORING else None))
                enrollments.append(enr)
                if key == "parent_guidance":
                    for topic in g.rng.sample(world.ref.parent_guidance_topics,
                                              min(len(world.ref.parent_guidance_topics),
                                                  g.rng.randint(1, 3))):
                        topic_rows.append({"enrollment_id": enr.id, "topic_id": topic})
    taken: dict[str, set[int]] = {}
    for inst in instances:
        if inst.template.style == "cohort":
            enrollments += _cohorts(g, world, inst, rows, taken)
    g.insert(table(Enrollment), rows)
    g.insert(enrollment_topics, topic_rows)
    return enrollments


def _years_run(inst: Instance, today: date) -> float:
    return max(0, (min(inst.end, today) - inst.start).days) / 365.25


def _cohorts(g: Gen, world: World, inst: Instance, rows: list[Row],
             taken_by_template: dict[str, set[int]]) -> list[Enr]:
    t = inst.template
    out: list[Enr] = []
    taken = taken_by_template.setdefault(t.key, set())
    months = (2, 9) if t.key == "mothers_danish" else (9,)
    for year in range(inst.start.year, min(inst.end, g.today).year + 1):
        for month in months:
            first = _weekday_on_or_after(date(year, month, 1), t.weekday)
            if first < inst.start or first >= g.today:
                continue
            dates = schedule(first, inst.end, t.weekday, 1, t.course_sessions)
            cohort = len({e.cohort for e in out})
            size = round(g.rng.randint(7, 12) * size_factor(len(world.people)))
            def accept(p: PersonInfo, day: date = first) -> bool:
                return _fits(p, day, t) and p.id not in taken  # nobody takes a course twice

            for _ in range(size):
                index = world.pick_known(g.rng, first, accept)
                if index is None:
                    break
                taken.add(world.people[index].id)
                end: date | None = dates[-1]
                reason: EndReason | None = EndReason.COMPLETED
                if g.chance(0.12):  # dropped out halfway
                    end, reason = dates[g.rng.randrange(len(dates))], EndReason.DROPPED_OUT
                if end is not None and end >= g.today:
                    end, reason = None, None
                enr = Enr(0, index, inst, first, end, inst.responsible_id, cohort)
                rows.append(enrollment_row(g, world, enr, reason, None, None))
                out.append(enr)
    return out


def enrollment_row(g: Gen, world: World, enr: Enr, reason: EndReason | None,
                   household_id: int | None, mentor_id: int | None) -> Row:
    row = g.record(table(Enrollment), g.at_work(enr.start), enr.staff_id)
    enr.id = row["id"]
    if enr.end is not None:
        row["updated_at"] = g.at_work(enr.end)
    goals = GOALS.get(enr.instance.template.key, ("",))
    row.update(person_id=world.people[enr.person].id, activity_id=enr.instance.id,
               household_id=household_id, mentor_user_id=mentor_id, start_date=enr.start,
               end_date=enr.end, end_reason=None if reason is None else str(reason),
               goals=g.rng.choice(goals), note="")
    return row


def _end_reason(g: Gen, key: str) -> EndReason:
    reasons = {
        "youth_mentoring": ((EndReason.COMPLETED, 40), (EndReason.STARTED_EDUCATION, 22),
                            (EndReason.STARTED_JOB, 10), (EndReason.DROPPED_OUT, 15),
                            (EndReason.MOVED_AWAY, 6), (EndReason.REFERRED_ON, 7)),
        "job_mentoring": ((EndReason.STARTED_JOB, 35), (EndReason.COMPLETED, 25),
                          (EndReason.STARTED_EDUCATION, 10), (EndReason.DROPPED_OUT, 18),
                          (EndReason.REFERRED_ON, 12)),
    }.get(key, ((EndReason.COMPLETED, 60), (EndReason.DROPPED_OUT, 15),
                (EndReason.REFERRED_ON, 15), (EndReason.MOVED_AWAY, 10)))
    return g.rng.choices([r for r, _ in reasons], weights=[w for _, w in reasons])[0]


def _fits(p: PersonInfo, day: date, t: Template) -> bool:
    if day < p.birth_date:
        return False
    return t.ages[0] <= p.age_on(day) <= t.ages[1] and (not t.women or p.gender == Gender.FEMALE)


def _has_young_child(world: World, p: PersonInfo, day: date) -> bool:
    if not p.children or day < p.birth_date or p.age_on(day) < 18:
        return False
    return any(world.people[c].birth_date <= day and world.people[c].age_on(day) < 14
               for c in p.children)


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def schedule(first: date, last: date, weekday: int, every_weeks: int,
             limit: int | None = None) -> list[date]:
    out, day = [], _weekday_on_or_after(first, weekday)
    while day <= last and (limit is None or len(out) < limit):
        if not holiday(day):
            out.append(day)
        day += timedelta(weeks=every_weeks)
    return out

"""Ten years of logged contacts: the bulk of the database, so written for speed.

Dates are drawn all at once and sorted, so "who did the team know on this day" is a
prefix of the people sorted by registration, and a weighted pick is one bisect into
cumulative weights. Rows are plain dicts inserted 10,000 at a time.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import date, datetime, time, timedelta

from boligsag.domain.enums import ContactKind, Gender, Role
from boligsag.storage.models import Contact, contact_people, contact_topics

from .bulk import Gen, Row, cumulative, table
from .programmes import Instance, holiday
from .texts import FOLLOW_UP_NOTES, NETWORK_MOTHER_REFERRALS, SSP_NOTE, notes_by_topic
from .world import StaffMember, World

CHANNEL_WEIGHTS = {"in_person": 45, "phone": 25, "home_visit": 10, "outreach": 12, "sms_mail": 8}
NM_CHANNEL_WEIGHTS = {"in_person": 60, "home_visit": 25, "phone": 15}
DURATIONS = {  # minutes, by channel: (low, high), drawn in steps of five
    "sms_mail": (5, 10), "phone": (5, 30), "in_person": (10, 75),
    "home_visit": (30, 120), "outreach": (10, 45),
}
FOCUS_BY_AGE = (  # (up to age, {2019–2026 focus code: weight})
    (17, {"crime_prevention": 35, "education_life_chances": 40, "employment": 15,
          "cohesion_citizenship": 10}),
    (29, {"employment": 40, "education_life_chances": 30, "crime_prevention": 12,
          "cohesion_citizenship": 18}),
    (64, {"employment": 30, "education_life_chances": 30, "cohesion_citizenship": 35,
          "crime_prevention": 5}),
    (200, {"cohesion_citizenship": 80, "employment": 10, "education_life_chances": 10}),
)
NM_SERVICES = ("health_visitor", "daycare", "citizen_service", "family_caseworker",
               "jobcentre", "debt_counselling")
FOLLOW_UP_DAYS = (2, 3, 5, 7, 7, 10, 14, 14, 21, 28)
ANONYMOUS_SHARE = 0.08
NETWORK_MOTHER_SHARE = 0.025


def contact_days(g: Gen, count: int) -> list[date]:
    """``count`` weekdays from the last ten years, sorted: later years busier, quieter
    in the summer holiday, at Christmas and on Fridays."""
    days, weights = [], []
    total = max(1, (g.today - g.start).days)
    day = g.start
    while day < g.today:
        if day.weekday() < 5:
            weight = 1.0 + 1.2 * (day - g.start).days / total
            if holiday(day):
                weight *= 0.3
            if day.weekday() == 4:
                weight *= 0.75
            days.append(day)
            weights.append(weight)
        day += timedelta(days=1)
    return sorted(g.rng.choices(days, cum_weights=cumulative(weights), k=count)) if days else []


class _Day:
    """What every contact on one day shares, computed once per day."""

    def __init__(self, g: Gen, world: World, day: date, instances: list[Instance]) -> None:
        ref = world.ref
        self.day = day
        self.workers = world.workers(day)
        # The team lead logs fewer contacts than the others.
        self.worker_cum = cumulative(0.3 if w.role == Role.TEAM_LEAD else 1.0
                                     for w in self.workers)
        self.volunteers = world.workers(day, volunteers=True)
        self.known = world.known_count(day)
        self.topics = {code: ref.contact_topics.get(ref.focus_area_id(code, day), [])
                       for code in ("education_life_chances", "employment", "crime_prevention",
                                    "cohesion_citizenship")}
        self.all_topics = [t for topics in self.topics.values() for t in topics]
        self.nm_activity = next((i.id for i in instances if i.template.key == "network_mothers"
                                 and i.start <= day <= i.end), None)
        self.leisure_activity = next((i.id for i in instances if i.template.key ==
                                      "leisure_jobs" and i.start <= day <= i.end), None)


class _Contacts:
    def __init__(self, g: Gen, world: World, instances: list[Instance]) -> None:
        self.g, self.world, self.instances = g, world, instances
        self.rng: random.Random = g.rng
        ref = world.ref
        self.people_cum = cumulative(world.people[i].weight for i in world.by_registration)
        self.channels = [c for c in CHANNEL_WEIGHTS if c in ref.channels]
        self.channel_cum = cumulative(CHANNEL_WEIGHTS[c] for c in self.channels)
        self.nm_channels = [c for c in NM_CHANNEL_WEIGHTS if c in ref.channels]
        self.nm_channel_cum = cumulative(NM_CHANNEL_WEIGHTS[c] for c in self.nm_channels)
        self.age_codes = [code for code, _, _ in ref.age_groups]
        self.age_cum = cumulative(_anonymous_weight(low) for _, low, _ in ref.age_groups)
        self.age_mid = {code: low + 2 for code, low, _ in ref.age_groups}
        self.focus = [(high, list(w), cumulative(w.values())) for high, w in FOCUS_BY_AGE]
        self.notes = notes_by_topic(self.rng)
        self.nm_services = [ref.services[c] for c in NM_SERVICES if c in ref.services]
        self.rows: list[Row] = []
        self.links: list[Row] = []
        self.topic_links: list[Row] = []

    # -- choosing ------------------------------------------------------------------------

    def person(self, d: _Day, *, women: bool = False) -> int | None:
        """A weighted pick among the people known on the day, old enough to talk to."""
        if d.known == 0:
            return None
        rng, people, order, cum = self.rng, self.world.people, self.world.by_registration, \
            self.people_cum
        for _ in range(6):
            index = order[bisect_left(cum, rng.random() * cum[d.known - 1], 0, d.known - 1)]
            person = people[index]
            if person.birth_date > d.day:
                continue
            age = person.age_on(d.day)
            if age < 12:
                # Contacts about young children are with their parents.
                if not person.parents:
                    continue
                index = rng.choice(person.parents)
                person = people[index]
                age = person.age_on(d.day)
            if women and (person.gender != Gender.FEMALE or age < 18):
                continue
            return index
        return None

    def companions(self, d: _Day, first: int, extra: int) -> list[int]:
        """Others at the same contact: mostly their household (a parent with a teenager,
        a couple), otherwise someone else the team knows."""
        people = self.world.people
        members = [m for m in self.world.households[people[first].household].members
                   if m != first and people[m].registered_on <= d.day
                   and people[m].birth_date <= d.day and people[m].age_on(d.day) >= 10]
        out: list[int] = []
        for _ in range(extra):
            pick: int | None
            if members and self.rng.random() < 0.75:
                pick = self.rng.choice(members)
            else:
                pick = self.person(d)
            if pick is not None and pick != first and pick not in out:
                out.append(pick)
        return out

    def focus_code(self, age: int, staff: StaffMember | None) -> str:
        if staff is not None and staff.focus and self.rng.random() < 0.35:
            return staff.focus
        for high, codes, cum in self.focus:
            if age <= high:
                return self.rng.choices(codes, cum_weights=cum)[0]
        raise AssertionError("unreachable")

    # -- one contact ---------------------------------------------------------------------

    def contact(self, d: _Day) -> None:
        g, rng, world = self.g, self.rng, self.world
        network_mother = bool(d.volunteers) and rng.random() < NETWORK_MOTHER_SHARE
        anonymous = rng.random() < ANONYMOUS_SHARE or d.known == 0
        people: list[int] = []
        if not anonymous:
            first = self.person(d, women=network_mother)
            if first is None:
                anonymous = True
            else:
                r = rng.random()
                people = [first, *self.companions(d, first, 2 if r < 0.05 else int(r < 0.25))]
        if network_mother:
            staff = rng.choice(d.volunteers)
            channel = rng.choices(self.nm_channels, cum_weights=self.nm_channel_cum)[0]
        else:
            staff = d.workers[bisect_left(d.worker_cum, rng.random() * d.worker_cum[-1])]
            channel = rng.choices(self.channels, cum_weights=self.channel_cum)[0]
        if anonymous:
            age_group = rng.choices(self.age_codes, cum_weights=self.age_cum)[0]
            age = self.age_mid[age_group]
            gender = Gender.FEMALE if rng.random() < 0.55 else (
                Gender.MALE if rng.random() < 0.97 else Gender.UNKNOWN)
            area_id = rng.choices(world.area_ids, weights=world.area_weights)[0]
        else:
            person = world.people[people[0]]
            age, age_group, gender, area_id = person.age_on(d.day), None, None, person.area_id
        code = (rng.choice(("education_life_chances", "cohesion_citizenship"))
                if network_mother else self.focus_code(age, None if anonymous else staff))
        topics = d.topics.get(code) or d.all_topics
        if not topics:
            return  # no topics loaded: nothing sensible to log
        primary = rng.choice(topics)
        chosen = [primary]
        for _ in range(rng.choices((0, 1, 2), weights=(60, 30, 10))[0]):
            extra = rng.choice(d.all_topics)
            if extra not in chosen:
                chosen.append(extra)
        ssp = (not network_mother and not anonymous and code == "crime_prevention"
               and 12 <= age <= 17 and rng.random() < 0.08)
        if ssp:
            ssp_topic = next((t for t in topics if t[1] == "ssp"), None)
            if ssp_topic is not None and ssp_topic not in chosen:
                chosen.append(ssp_topic)
            note = SSP_NOTE
        else:
            note = rng.choice(self.notes.get(primary[1]) or [""]) if rng.random() < 0.85 else ""
        start_hour, end_hour = (12, 19) if channel == "outreach" else (8, 15)
        minute = rng.randint(start_hour * 12, end_hour * 12 + 11) * 5
        occurred = datetime.combine(d.day, time(minute // 60, minute % 60))
        low, high = DURATIONS.get(channel, (10, 60))
        duration = rng.randint(low // 5, high // 5) * 5
        logged = min(g.now, occurred + timedelta(minutes=duration + rng.randint(5, 240)))
        follow_up, done = self._follow_up(d.day, network_mother)
        if follow_up is not None and note and not ssp:
            note += rng.choice(FOLLOW_UP_NOTES)
        row = g.record(table(Contact), logged, staff.id)
        if done is not None:
            row["updated_at"] = done
        activity = d.nm_activity if network_mother else (
            d.leisure_activity if primary[1] == "leisure_job" and rng.random() < 0.3 else None)
        service, text = None, ""
        if network_mother:
            r = rng.random()
            if r < 0.55 and self.nm_services:
                service = rng.choice(self.nm_services)
            elif r < 0.85:
                text = rng.choice(NETWORK_MOTHER_REFERRALS)
        row.update(
            kind=str(ContactKind.NETWORK_MOTHER if network_mother else ContactKind.CONTACT),
            occurred_at=occurred, staff_user_id=staff.id, channel_id=world.ref.channels[channel],
            duration_minutes=duration, note=note, anonymous=anonymous, age_group=age_group,
            gender=None if gender is None else str(gender), area_id=area_id,
            activity_id=activity, follow_up_date=follow_up, follow_up_done_at=done,
            referred_to_service_id=service, referred_to_text=text, ssp_locked=ssp,
        )
        self.rows.append(row)
        cid = row["id"]
        self.links.extend({"contact_id": cid, "person_id": world.people[i].id} for i in people)
        self.topic_links.extend({"contact_id": cid, "topic_id": t[0]} for t in chosen)

    def _follow_up(self, day: date, network_mother: bool) -> tuple[date | None, datetime | None]:
        g, rng = self.g, self.rng
        # More follow-ups on recent contacts: the reminder list should have some due ones.
        share = 0.3 if day > g.today - timedelta(days=60) else 0.12
        if network_mother or rng.random() >= share:
            return None, None
        follow_up = g.workday_on_or_after(day + timedelta(days=rng.choice(FOLLOW_UP_DAYS)))
        # Old follow-ups were all done; those from today on are due; of the last weeks'
        # some are still open (overdue), fewer the older they are.
        age = (g.today - follow_up).days
        if age <= 0 or rng.random() < (0.5 if age <= 7 else 0.2 if age <= 21 else
                                       0.05 if age <= 45 else 0.0):
            return follow_up, None
        done_day = min(g.today, follow_up + timedelta(days=rng.randint(0, 3)))
        return follow_up, min(g.now, g.at_work(done_day))

    def flush(self) -> None:
        self.g.insert(table(Contact), self.rows)
        self.g.insert(contact_people, self.links)
        self.g.insert(contact_topics, self.topic_links)
        self.rows, self.links, self.topic_links = [], [], []


def create_contacts(g: Gen, world: World, instances: list[Instance], count: int) -> None:
    maker = _Contacts(g, world, instances)
    day_info: _Day | None = None
    days = contact_days(g, count)
    for n, day in enumerate(days, 1):
        if day_info is None or day_info.day != day:
            day_info = _Day(g, world, day, instances)
        maker.contact(day_info)
        if n % 10_000 == 0:
            maker.flush()
            g.progress.update(n / len(days))
    maker.flush()


def _anonymous_weight(min_age: int) -> float:
    """Who comes for anonymous counselling: mostly young people and adults."""
    for limit, weight in ((10, 0.02), (14, 0.08), (18, 0.22), (25, 0.22), (40, 0.22), (65, 0.2)):
        if min_age < limit:
            return weight
    return 0.05


"""What the generator modules know about each other's output: plans, staff, people.

Plain dataclasses with slots, so 10,000 people cost little memory and the modules
pass ids around instead of ORM objects.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, select

from boligsag.domain.enums import Gender, Role
from boligsag.storage.models import AgeGroupRow, Channel, ConsentScope, FocusArea, Service, Topic

CURRENT_PERIOD = "2019-2026"
OLD_PERIOD = "2015-2018"
# Where each 2019–2026 focus area's work was filed under the 2015–2018 plan, so a
# contact about the same thing lands in the right focus area for its date.
FOCUS_2015 = {
    "education_life_chances": "education_employment",
    "employment": "education_employment",
    "crime_prevention": "crime_prevention_2015",
    "cohesion_citizenship": "safety_wellbeing",
}


@dataclass(slots=True)
class PlanInfo:
    id: int
    name: str
    period: str
    start: date
    end: date


@dataclass(slots=True)
class StaffMember:
    id: int
    username: str
    full_name: str
    role: Role
    start: date
    end: date | None  # last working day; None while still employed
    focus: str | None  # 2019–2026 focus-area code the member mostly works in

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(slots=True)
class PersonInfo:
    id: int
    first_name: str
    last_name: str
    gender: Gender
    birth_date: date
    household: int  # index into World.households
    area_id: int
    registered_on: date  # first time the team wrote the person down
    weight: float  # how often the person is in contact with the team
    parents: list[int] = field(default_factory=list)  # indexes of custody holders
    children: list[int] = field(default_factory=list)  # indexes

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        before = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before)


@dataclass(slots=True)
class HouseholdInfo:
    id: int
    members: list[int]  # indexes into World.people
    area_id: int


@dataclass
class Reference:
    focus_areas: dict[tuple[str, str], int]  # (period, code) -> id
    contact_topics: dict[int, list[tuple[int, str]]]  # focus_area_id -> [(topic id, code)]
    parent_guidance_topics: list[int]
    channels: dict[str, int]
    age_groups: list[tuple[str, int, int | None]]  # (code, min, max), ordered
    consent_scopes: list[str]
    services: dict[str, int]

    @classmethod
    def load(cls, conn: Connection) -> Reference:
        focus = {(p, c): i for i, p, c in conn.execute(
            select(FocusArea.id, FocusArea.period, FocusArea.code))}
        topics: dict[int, list[tuple[int, str]]] = {}
        guidance: list[int] = []
        for tid, category, code, fa in conn.execute(
            select(Topic.id, Topic.category, Topic.code, Topic.focus_area_id)
            .where(Topic.active.is_(True)).order_by(Topic.sort_order, Topic.id)
        ):
            if category == "parent_guidance":
                guidance.append(tid)
            elif fa is not None:
                topics.setdefault(fa, []).append((tid, code))
        return cls(
            focus_areas=focus,
            contact_topics=topics,
            parent_guidance_topics=guidance,
            channels={code: id_ for code, id_ in conn.execute(select(Channel.code, Channel.id))},
            age_groups=[(code, low, high) for code, low, high in conn.execute(
                select(AgeGroupRow.code, AgeGroupRow.min_age, AgeGroupRow.max_age)
                .order_by(AgeGroupRow.sort_order))],
            consent_scopes=list(conn.scalars(
                select(ConsentScope.code).order_by(ConsentScope.sort_order))),
            services={code: id_ for code, id_ in conn.execute(
                select(Service.code, Service.id).where(Service.code != ""))},
        )

    def period_for(self, day: date) -> str:
        # Data before 2019 belongs to the 2015–2018 plan, if that period is loaded.
        old = any(p == OLD_PERIOD for p, _ in self.focus_areas)
        return OLD_PERIOD if day.year < 2019 and old else CURRENT_PERIOD

    def focus_area_id(self, code: str, day: date) -> int:
        """The focus area a 2019–2026 code stands for on ``day``."""
        period = self.period_for(day)
        if period == OLD_PERIOD:
            return self.focus_areas[(OLD_PERIOD, FOCUS_2015.get(code, code))]
        return self.focus_areas[(CURRENT_PERIOD, code)]

    def age_group(self, age: int) -> str:
        for code, low, high in self.age_groups:
            if low <= age and (high is None or age <= high):
                return code
        return self.age_groups[-1][0]


@dataclass
class World:
    """Everything later stages need from earlier ones."""

    ref: Reference
    plans: list[PlanInfo]
    area_ids: list[int]
    area_weights: list[float]
    staff: list[StaffMember]
    people: list[PersonInfo] = field(default_factory=list)
    households: list[HouseholdInfo] = field(default_factory=list)
    # people indexes sorted by registered_on, with their dates, for "who was known on day d"
    by_registration: list[int] = field(default_factory=list)
    registration_dates: list[date] = field(default_factory=list)

    def workers(self, day: date, *, volunteers: bool = False) -> list[StaffMember]:
        """Staff who could log work on ``day`` (volunteers only when asked for)."""
        roles = {Role.VOLUNTEER} if volunteers else {Role.STAFF, Role.TEAM_LEAD}
        found = [s for s in self.staff if s.role in roles and s.active_on(day)]
        if found or volunteers:
            return found
        return [s for s in self.staff if s.role in roles]  # never leave a day without staff

    def index_registrations(self) -> None:
        self.by_registration = sorted(range(len(self.people)),
                                      key=lambda i: (self.people[i].registered_on, i))
        self.registration_dates = [self.people[i].registered_on for i in self.by_registration]

    def known_count(self, day: date) -> int:
        """How many people (a prefix of ``by_registration``) the team knew on ``day``."""
        return bisect_right(self.registration_dates, day)

    def pick_known(self, rng: random.Random, day: date, accept: Callable[[PersonInfo], bool],
                   tries: int = 60) -> int | None:
        """A random person the team knew on ``day`` for whom ``accept`` holds, or None.
        Rejection sampling: cheap because most conditions accept a good share."""
        known = self.known_count(day)
        if known == 0:
            return None
        for _ in range(tries):
            index = self.by_registration[rng.randrange(known)]
            if accept(self.people[index]):
                return index
        return None

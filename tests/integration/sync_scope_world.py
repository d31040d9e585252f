"""One small team on a PostgreSQL server database for the scope tests: two areas, staff
in each, a team lead, an administrator, two volunteers, and a case of every kind that
hangs off a person, with restricted cases and anonymous and network-mother contacts.

Each row gets a label (``p_a``, ``c_anon_a``…); :data:`EXPECTED` says which labels each
actor sees, table by table, worked out by hand from design.md's rules.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from boligsag.domain.enums import (
    ActivityKind,
    ActivityMode,
    ContactKind,
    Gender,
    JobKind,
    ReferralStatus,
    Role,
)
from boligsag.services.sync.actor import SyncActor
from boligsag.services.sync.ordering import ChangeEntry, log_changes
from boligsag.storage import migrate
from boligsag.storage.database import Database, WriteStamp
from boligsag.storage.models import (
    Activity,
    ActivitySession,
    AgeGroupRow,
    Area,
    Attendance,
    Base,
    Channel,
    Consent,
    Contact,
    Enrollment,
    Household,
    Job,
    JobFollowUp,
    Person,
    PersonRelation,
    Plan,
    Record,
    Referral,
    ReferralEvent,
    Reminder,
    Service,
    User,
)
from boligsag.storage.models.sync import SyncConflict
from boligsag.storage.reference_data import load_reference_data
from boligsag.storage.server_engine import open_server_engine

from ..pg import PgCluster

NOW = datetime(2026, 11, 25, 10, 30)

# Who is who: anna works in area A, bo in area B; carl works in B but is the responsible
# worker of a restricted case living in A (r_a); anna is responsible for another
# (r_a_anna). p_none_by_carl has no area: carl registered them.
USERS = {
    "admin": Role.ADMINISTRATOR, "lead": Role.TEAM_LEAD, "anna": Role.STAFF,
    "bo": Role.STAFF, "carl": Role.STAFF, "vera": Role.VOLUNTEER, "villy": Role.VOLUNTEER,
}
ROLES = ("admin", "lead", "anna", "carl", "vera")

EVERYONE = {
    "areas": {"area_a", "area_b"}, "plans": {"plan"}, "services": {"service"},
    "activities": {"act_nm", "act_mentor"},
    "users": set(USERS),
}
CASES = {
    "households": {"h_a", "h_none", "h_b"},
    "people": {"p_a", "p_a_by_household", "p_b", "r_a", "r_a_anna", "p_none_by_carl"},
    "person_relations": {"rel_a", "rel_to_r_a"},
    "contacts": {"c_a", "c_a_and_b", "c_r_a", "c_anon_a", "c_anon_none_anna", "nm_vera",
                 "nm_villy_a", "nm_vera_with_person"},
    "referrals": {"ref_a", "ref_r_a"},
    "referral_events": {"ev_a", "ev_r_a"},
    "consents": {"con_a"},
    "jobs": {"job_b"},
    "job_follow_ups": {"fu_b"},
    "enrollments": {"en_a", "en_r_a"},
    "sessions": {"s_mentor"},
    "sync_conflicts": {"conf_p_a_anna", "conf_r_a_anna"},
}
OWN_REMINDERS = {"admin": set(), "lead": set(), "anna": {"rem_anna"}, "carl": {"rem_carl"},
                 "vera": {"rem_vera"}}
NOTHING = {table: set() for table in CASES}
EXPECTED: dict[str, dict[str, set[str]]] = {
    "admin": {**CASES},
    "lead": {**CASES},
    "anna": {
        "households": {"h_a", "h_none"},  # h_none by its member r_a_anna
        "people": {"p_a", "p_a_by_household", "r_a_anna"},
        "person_relations": {"rel_a"},
        "contacts": {"c_a", "c_anon_a", "c_anon_none_anna", "nm_villy_a",
                     "nm_vera_with_person"},  # the person on it is anna's
        "referrals": {"ref_a"},
        "referral_events": {"ev_a"},
        "consents": {"con_a"},
        "jobs": set(),
        "job_follow_ups": set(),
        "enrollments": {"en_a"},
        "sessions": {"s_mentor"},
        "sync_conflicts": {"conf_p_a_anna"},
    },
    "carl": {
        "households": {"h_b"},
        "people": {"p_b", "r_a", "p_none_by_carl"},
        "person_relations": set(),
        "contacts": {"c_r_a"},
        "referrals": {"ref_r_a"},
        "referral_events": {"ev_r_a"},
        "consents": set(),
        "jobs": {"job_b"},
        "job_follow_ups": {"fu_b"},
        "enrollments": {"en_r_a"},
        "sessions": {"s_mentor"},
        "sync_conflicts": set(),
    },
    "vera": {**NOTHING, "contacts": {"nm_vera"}},
}
for _who, _tables in EXPECTED.items():
    _tables.update(EVERYONE)
    _tables["reminders"] = OWN_REMINDERS[_who]


@dataclass
class World:
    db: Database
    uuids: dict[str, str] = field(default_factory=dict)  # label -> uuid
    labels: dict[str, str] = field(default_factory=dict)  # uuid -> label
    tables: dict[str, set[str]] = field(default_factory=dict)  # table -> labels
    actors: dict[str, SyncActor] = field(default_factory=dict)

    def uuids_of(self, table: str) -> list[str]:
        return [self.uuids[label] for label in sorted(self.tables.get(table, set()))]

    def labels_of(self, uuids: set[str]) -> set[str]:
        return {self.labels[u] for u in uuids}


@pytest.fixture(scope="module", name="world")
def world_fixture(pg_cluster: PgCluster) -> Iterator[World]:
    """Built once per test module (import it there): the tests only read, or push what is
    refused and so rolled back."""
    name = pg_cluster.create_database()
    built = build_world(pg_cluster.url(name))
    try:
        yield built
    finally:
        built.db.dispose()
        pg_cluster.drop_database(name)


def build_world(url: str) -> World:
    engine = open_server_engine(url)
    migrate.upgrade(engine)
    world = World(Database(engine))
    with world.db.writing(WriteStamp(user_id=None, now=NOW)) as session:
        load_reference_data(session)
        _Builder(world, session).build()
    with world.db.writing(None) as session:
        _log_every_row(session, world)
    return world


def _log_every_row(session: Any, world: World) -> None:
    """Put each row in the change log, as if pushed, so that a pull delivers it."""
    entries = []
    for table, labels in world.tables.items():
        t = Base.metadata.tables[table]
        rows = session.execute(select(t.c.uuid, t.c.version))
        versions: dict[str, int] = {row_uuid: version for row_uuid, version in rows}
        entries.extend(ChangeEntry(table, world.uuids[label], versions[world.uuids[label]],
                                   fields=(), deleted=False, user_id=None)
                       for label in sorted(labels))
    log_changes(session, entries, now=NOW)


class _Builder:
    def __init__(self, world: World, session: Any) -> None:
        self.world = world
        self.session = session

    def add(self, label: str, row: Record) -> Any:
        row.uuid = str(uuid_module.uuid4())
        self.session.add(row)
        self.session.flush()
        self.world.uuids[label] = row.uuid
        self.world.labels[row.uuid] = label
        self.world.tables.setdefault(row.__tablename__, set()).add(label)
        return row

    def build(self) -> None:
        add = self.add
        area_a = add("area_a", Area(name="Ærtebjerg Øst"))
        area_b = add("area_b", Area(name="Søndergården"))
        add("plan", Plan(name="Helhedsplan", period="2019-2026", start_date=date(2023, 1, 1),
                         end_date=date(2026, 12, 31), areas=[area_a, area_b]))
        users = {name: add(name, User(username=name, full_name=name.title(), role=role))
                 for name, role in USERS.items()}
        self.session.execute(User.metadata.tables["user_areas"].insert(), [
            {"user_id": users["anna"].id, "area_id": area_a.id},
            {"user_id": users["bo"].id, "area_id": area_b.id},
            {"user_id": users["carl"].id, "area_id": area_b.id},
        ])
        uid = {name: user.id for name, user in users.items()}
        service = add("service", Service(name="Sundhedsplejen"))
        channel = self.session.scalars(select(Channel)).first()
        act_nm = add("act_nm", Activity(name="Bydelsmødre", kind=ActivityKind.NETWORK_MOTHERS,
                                        mode=ActivityMode.COURSE))
        act_mentor = add("act_mentor", Activity(name="Mentor", kind=ActivityKind.MENTORING,
                                                mode=ActivityMode.COURSE))

        h_a = add("h_a", Household(name="Familien A", area_id=area_a.id))
        h_none = add("h_none", Household(name="Familien uden område"))
        add("h_b", Household(name="Familien B", area_id=area_b.id))

        def person(label: str, **values: Any) -> Person:
            return add(label, Person(first_name=label, last_name="Test", **values))

        p_a = person("p_a", area_id=area_a.id)
        p_a_hh = person("p_a_by_household", household_id=h_a.id)
        p_b = person("p_b", area_id=area_b.id)
        r_a = person("r_a", area_id=area_a.id, restricted=True,
                     responsible_user_id=uid["carl"])
        person("r_a_anna", area_id=area_a.id, restricted=True,
               responsible_user_id=uid["anna"], household_id=h_none.id)
        person("p_none_by_carl", created_by_id=uid["carl"])

        add("rel_a", PersonRelation(parent_id=p_a.id, child_id=p_a_hh.id))
        add("rel_to_r_a", PersonRelation(parent_id=p_a.id, child_id=r_a.id))

        def contact(label: str, staff: str, people: list[Person] | None = None,
                    **values: Any) -> Contact:
            return add(label, Contact(occurred_at=NOW, staff_user_id=uid[staff],
                                      channel_id=channel.id, people=people or [],
                                      **values))

        contact("c_a", "anna", [p_a])
        contact("c_a_and_b", "anna", [p_a, p_b])  # anna cannot see p_b: hidden
        contact("c_r_a", "carl", [r_a])
        anonymous = {"anonymous": True, "age_group": self._age_group(),
                     "gender": Gender.FEMALE}
        contact("c_anon_a", "bo", area_id=area_a.id, **anonymous)
        contact("c_anon_none_anna", "anna", **anonymous)
        form = {**anonymous, "kind": ContactKind.NETWORK_MOTHER, "activity_id": act_nm.id}
        contact("nm_vera", "vera", **form)
        contact("nm_villy_a", "villy", area_id=area_a.id, **form)
        # A staff member put a person on vera's form: it is no longer hers to hold.
        contact("nm_vera_with_person", "vera", [p_a], **form)

        ref_a = add("ref_a", self._referral(p_a, service, uid["anna"]))
        ref_r_a = add("ref_r_a", self._referral(r_a, service, uid["carl"]))
        for label, ref in (("ev_a", ref_a), ("ev_r_a", ref_r_a)):
            add(label, ReferralEvent(referral_id=ref.id, to_status=ReferralStatus.DRAFT,
                                     on=NOW.date(), recorded_at=NOW))
        add("con_a", Consent(person_id=p_a.id, service_id=service.id, scope=["identity"],
                             purpose="Henvisning", valid_from=NOW.date(),
                             valid_to=date(2027, 11, 25)))
        job_b = add("job_b", Job(person_id=p_b.id, kind=JobKind.POCKET_MONEY,
                                 employer="Boligselskabet", start_date=NOW.date()))
        add("fu_b", JobFollowUp(job_id=job_b.id, months=3, due_date=date(2027, 2, 25)))
        add("en_a", Enrollment(person_id=p_a.id, activity_id=act_mentor.id,
                               start_date=NOW.date()))
        add("en_r_a", Enrollment(person_id=r_a.id, activity_id=act_mentor.id,
                                 start_date=NOW.date()))
        meeting = add("s_mentor", ActivitySession(activity_id=act_mentor.id, date=NOW.date()))
        self.session.add_all([
            Attendance(session_id=meeting.id, person_id=p_a.id, present=True),
            Attendance(session_id=meeting.id, person_id=r_a.id, present=False)])
        add("rem_anna", Reminder(owner_user_id=uid["anna"], due_on=NOW.date(), text="Ring",
                                 person_id=p_a.id))
        add("rem_carl", Reminder(owner_user_id=uid["carl"], due_on=NOW.date(), text="Ring",
                                 person_id=r_a.id))
        add("rem_vera", Reminder(owner_user_id=uid["vera"], due_on=NOW.date(), text="Møde"))
        # Two conflicts anna took part in; the second is about a case she cannot see.
        for label, row in (("conf_p_a_anna", p_a), ("conf_r_a_anna", r_a)):
            add(label, SyncConflict(table_name="people", row_uuid=row.uuid, field="phone",
                                    kind="same_field", kept_user_id=uid["bo"],
                                    other_user_id=uid["anna"]))
        self.world.actors = {name: SyncActor(user.id, user.uuid, USERS[name], "device-" + name)
                             for name, user in users.items()}

    def _age_group(self) -> str:
        return self.session.scalars(select(AgeGroupRow.code)).first()

    @staticmethod
    def _referral(person: Person, service: Service, contact_user: int) -> Referral:
        return Referral(person_id=person.id, service_id=service.id, reason="Behov",
                        contact_user_id=contact_user, status_changed_on=NOW.date(),
                        created_on=NOW.date())

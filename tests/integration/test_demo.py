"""The demo database: a real encrypted file whose synthetic data keeps the domain rules.

One small demo is built per module (a second one for the determinism check), so the
whole file runs in a few seconds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select
from stdnum.dk import cpr as stdnum_cpr

from boligsag.domain.consent import ConsentTerms, cover_problem
from boligsag.domain.cpr import parse_cpr
from boligsag.domain.enums import ActivityKind, ActivityMode, ReferralKind, ReferralStatus, Role
from boligsag.domain.referral_flow import check_transition
from boligsag.services.activities import list_activities
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.demo import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
    STAGES,
    DemoCancelled,
    create_demo_database,
)
from boligsag.services.enrollments import list_enrollments
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.errors import DatabaseExists, WrongPassword
from boligsag.storage.models import (
    Activity,
    ActivitySession,
    Attendance,
    Consent,
    Contact,
    HeadCount,
    Household,
    Job,
    JobFollowUp,
    Person,
    PersonRelation,
    Referral,
    ReferralEvent,
    User,
    contact_people,
)

from ..conftest import CHEAP_KDF

TODAY = date(2026, 11, 25)
SIZE = {"people": 200, "contacts": 2000}


@dataclass
class Demo:
    path: Path
    progress: list[tuple[str, float]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    events: list[tuple[str, float]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, "KDF_PARAMS", CHEAP_KDF)
        path = tmp_path_factory.mktemp("demo") / "demo.db"
        create_demo_database(path, seed=7, today=TODAY,
                             progress=lambda stage, f: events.append((stage, f)), **SIZE)
    return Demo(path, events)


@pytest.fixture(scope="module")
def ctx(demo: Demo) -> Iterator[AppContext]:
    context = unlock(demo.path, DEMO_USERNAME, DEMO_PASSWORD,
                     options=UnlockOptions(integrity_check=True))
    yield context
    lock(context)


@pytest.fixture
def conn(ctx: AppContext) -> Iterator[Connection]:
    with ctx.db.engine.connect() as connection:
        yield connection


def test_demo_unlocks_and_staff_can_log_in(demo: Demo, ctx: AppContext, conn: Connection) -> None:
    assert ctx.actor.role == Role.ADMINISTRATOR
    users = conn.execute(select(User.username, User.role, User.active, User.title)).all()
    roles = Counter(u.role for u in users if u.active)
    assert roles[Role.TEAM_LEAD] == 1 and 5 <= roles[Role.STAFF] <= 8
    assert roles[Role.VOLUNTEER] == 3
    assert all(u.title for u in users if u.username != DEMO_USERNAME)
    staff = next(u.username for u in users if u.role == Role.STAFF and u.active)
    lock(unlock(demo.path, staff, DEMO_PASSWORD, options=UnlockOptions(integrity_check=False)))
    former = next(u.username for u in users if not u.active)
    with pytest.raises(WrongPassword):  # a colleague who left can no longer log in
        unlock(demo.path, former, DEMO_PASSWORD, options=UnlockOptions(integrity_check=False))


def test_progress_runs_from_zero_to_one_through_named_stages(demo: Demo) -> None:
    fractions = [f for _, f in demo.progress]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert {stage for stage, _ in demo.progress} == set(STAGES)


def test_every_activity_kind_with_sessions_of_the_right_sort(conn: Connection) -> None:
    kinds = set(conn.scalars(select(Activity.kind)))
    assert kinds == {str(k) for k in ActivityKind}
    per_mode = dict(conn.execute(
        select(Activity.mode, func.count(ActivitySession.id.distinct()))
        .join(ActivitySession, ActivitySession.activity_id == Activity.id)
        .group_by(Activity.mode)).all())
    assert per_mode[ActivityMode.COURSE] > 0 and per_mode[ActivityMode.DROP_IN] > 0
    # Attendance only at courses, head counts only at drop-in.
    attended_modes = set(conn.scalars(
        select(Activity.mode).join(ActivitySession).join(Attendance).distinct()))
    counted_modes = set(conn.scalars(
        select(Activity.mode).join(ActivitySession).join(HeadCount).distinct()))
    assert attended_modes == {ActivityMode.COURSE} and counted_modes == {ActivityMode.DROP_IN}


def test_running_one_to_one_courses_have_participants_on_the_demos_day(
        ctx: AppContext) -> None:
    """A 200-person demo once listed every running course with 0 enrolled: the query
    was right, but one-to-one forløb were so few over ten years that at any day almost
    none ran. Mentoring and parent guidance now have a caseload every year."""
    that_day = replace(ctx, clock=FixedClock(datetime(2026, 11, 25, 12)))
    courses = [a for a in list_activities(that_day, active_on=TODAY)
               if a.mode == ActivityMode.COURSE]
    for course in courses:  # the list's count is the participant list's, that day
        assert course.active_enrollments == len(
            list_enrollments(that_day, activity_id=course.id, on=TODAY)), course.name
    one_to_one = {a.name: a.active_enrollments for a in courses
                  if a.kind in (ActivityKind.MENTORING, ActivityKind.PARENT_GUIDANCE)}
    assert len(one_to_one) == 3 and min(one_to_one.values()) >= 1, one_to_one


def test_cprs_match_birth_date_and_gender(conn: Connection) -> None:
    rows = conn.execute(select(Person.cpr, Person.birth_date, Person.gender)).all()
    with_cpr = [r for r in rows if r.cpr]
    assert 0.45 <= len(with_cpr) / len(rows) <= 0.75
    assert len({r.cpr for r in with_cpr}) == len(with_cpr)
    for row in with_cpr:
        info = parse_cpr(row.cpr, today=TODAY)
        assert (info.birth_date, info.gender) == (row.birth_date, row.gender)
        assert stdnum_cpr.checksum(row.cpr) == 0


def test_children_live_with_a_custody_holder(conn: Connection) -> None:
    household_of = dict(conn.execute(select(Person.id, Person.household_id)).all())
    custody: dict[int, set[int]] = defaultdict(set)
    for parent, child, has_custody in conn.execute(select(
            PersonRelation.parent_id, PersonRelation.child_id, PersonRelation.has_custody)):
        if has_custody:
            custody[child].add(parent)
    children = conn.scalars(select(Person.id).where(Person.birth_date > date(2009, 1, 1)))
    for child in children:
        assert any(household_of[p] == household_of[child] for p in custody[child]), child
    assert conn.scalar(select(func.count()).select_from(Household)) > 0


def test_anonymous_contacts_have_age_group_and_gender_but_no_person(conn: Connection) -> None:
    linked = set(conn.scalars(select(contact_people.c.contact_id).distinct()))
    rows = conn.execute(select(Contact.id, Contact.anonymous, Contact.age_group, Contact.gender,
                               Contact.occurred_at, Contact.kind)).all()
    anonymous = [r for r in rows if r.anonymous]
    assert 0.04 <= len(anonymous) / len(rows) <= 0.12
    assert all(r.age_group and r.gender and r.id not in linked for r in anonymous)
    assert all(r.id in linked and r.age_group is None for r in rows if not r.anonymous)
    assert all(r.occurred_at.weekday() < 5 and r.occurred_at < datetime(2026, 11, 25) and
               r.occurred_at.year >= 2016 for r in rows)
    assert {r.kind for r in rows} == {"contact", "network_mother"}
    open_follow_ups = conn.scalar(select(func.count()).where(
        Contact.follow_up_date.is_not(None), Contact.follow_up_done_at.is_(None)))
    assert open_follow_ups


def test_referrals_follow_the_status_flow_under_a_covering_consent(conn: Connection) -> None:
    referrals = {r.id: r for r in conn.execute(select(Referral)).all()}
    consents = {c.id: c for c in conn.execute(select(Consent)).all()}
    events: dict[int, list] = defaultdict(list)
    for event in conn.execute(select(ReferralEvent).order_by(ReferralEvent.id)):
        events[event.referral_id].append(event)
    assert len(referrals) == SIZE["contacts"] // 10
    assert len(Counter(r.status for r in referrals.values())) >= 4
    assert any(r.kind == ReferralKind.CONCERN for r in referrals.values())
    for referral in referrals.values():
        steps = events[referral.id]
        assert steps[0].from_status is None and steps[0].to_status == ReferralStatus.DRAFT
        for before, after in pairwise(steps):
            assert after.from_status == before.to_status and after.on >= before.on
            check_transition(before.to_status, after.to_status, kind=referral.kind,
                             consent_problem=None)
        assert steps[-1].to_status == referral.status
        assert steps[-1].on == referral.status_changed_on <= TODAY
        if referral.kind == ReferralKind.CONCERN:
            assert referral.consent_id is None
        elif referral.sent_on is not None:
            consent = consents[referral.consent_id]
            terms = ConsentTerms(frozenset(consent.scope), consent.service_id, consent.purpose,
                                 consent.valid_from, consent.valid_to, consent.withdrawn_on,
                                 False, True)
            assert cover_problem(terms, referral.sent_on, referral.service_id,
                                 {"identity"}) is None
            assert consent.person_id == referral.person_id


def test_childrens_consents_are_given_by_a_custody_holder(conn: Connection) -> None:
    births = dict(conn.execute(select(Person.id, Person.birth_date)).all())
    custody = set(conn.execute(select(PersonRelation.parent_id, PersonRelation.child_id)
                               .where(PersonRelation.has_custody.is_(True))).all())
    rows = conn.execute(select(Consent.person_id, Consent.given_by_person_id,
                               Consent.valid_from, Consent.valid_to, Consent.withdrawn_on)).all()
    children = [r for r in rows if births[r.person_id] is not None
                and (r.valid_from - births[r.person_id]).days < 18 * 365]
    assert children
    for row in children:
        assert (row.given_by_person_id, row.person_id) in custody
    for row in rows:
        assert (row.valid_to - row.valid_from).days in (364, 365)  # one year, inclusive
    assert any(r.withdrawn_on for r in rows)
    assert any(0 <= (r.valid_to - TODAY).days <= 30 and not r.withdrawn_on for r in rows)


def test_jobs_are_for_13_to_17_year_olds_with_follow_ups(conn: Connection) -> None:
    births = dict(conn.execute(select(Person.id, Person.birth_date)).all())
    jobs = {j.id: j for j in conn.execute(select(Job)).all()}
    assert {j.kind for j in jobs.values()} == {"pocket_money", "leisure"}
    for job in jobs.values():
        birth = births[job.person_id]
        if birth is not None:  # a few adults were registered without a birth date
            age = job.start_date.year - birth.year - (
                (job.start_date.month, job.start_date.day) < (birth.month, birth.day))
            assert 13 <= age <= 17
        if job.previous_job_id is not None:
            previous = jobs[job.previous_job_id]
            assert previous.kind == "pocket_money" and previous.person_id == job.person_id
            assert previous.end_date is not None and previous.end_date <= job.start_date
    months = Counter(conn.scalars(select(JobFollowUp.months)))
    assert set(months) == {3, 6, 12} and len(set(months.values())) == 1
    assert not conn.scalar(select(func.count()).where(JobFollowUp.due_date > TODAY,
                                                      JobFollowUp.status.is_not(None)))


def _fingerprint(path: Path) -> tuple[object, ...]:
    ctx = unlock(path, DEMO_USERNAME, DEMO_PASSWORD, options=UnlockOptions(integrity_check=False))
    try:
        with ctx.db.engine.connect() as c:
            counts = tuple(c.scalar(select(func.count()).select_from(t)) for t in (
                Person, Household, Contact, Referral, ReferralEvent, Consent, Job, ActivitySession))
            names = tuple(c.execute(select(Person.first_name, Person.last_name, Person.cpr)
                                    .order_by(Person.id)).all())
            notes = tuple(c.scalars(select(Contact.note).order_by(Contact.id).limit(200)))
        return counts, names, notes
    finally:
        lock(ctx)


def test_a_seed_gives_the_same_demo_twice(demo: Demo, tmp_path: Path) -> None:
    again = tmp_path / "again.db"
    create_demo_database(again, seed=7, today=TODAY, **SIZE)
    assert _fingerprint(again) == _fingerprint(demo.path)
    other = tmp_path / "other.db"
    create_demo_database(other, seed=8, today=TODAY, **SIZE)
    assert _fingerprint(other)[1] != _fingerprint(demo.path)[1]


def test_cancel_removes_the_files_and_existing_files_are_never_overwritten(
        demo: Demo, tmp_path: Path) -> None:
    calls = iter(range(1000))
    with pytest.raises(DemoCancelled):
        create_demo_database(tmp_path / "c.db", today=TODAY, cancelled=lambda: next(calls) > 5,
                             **SIZE)
    assert list(tmp_path.iterdir()) == []
    before = demo.path.read_bytes()
    with pytest.raises(DatabaseExists):
        create_demo_database(demo.path, today=TODAY, **SIZE)
    assert demo.path.read_bytes() == before and demo.path.exists()

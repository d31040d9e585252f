"""The summary engine against brute force: on demo data (with tombstones), every one of
the 20 tables recomputed in Python from the raw rows (summary_oracle.py) and compared
whole, both ways, totals included. Plus drill-down: every count's list of records is as
long as the count."""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from boligsag.domain.enums import Role
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database
from boligsag.services.errors import PermissionDenied
from boligsag.services.summaries import compute_summary, drill_down
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.models import (
    ActivitySession,
    Attendance,
    Contact,
    Enrollment,
    Job,
    Person,
    Referral,
    contact_people,
)
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.model import TOTAL, CellRef, Median, Share, Summary, ValueKind

from ..conftest import CHEAP_KDF
from .summary_backends import BACKENDS, on_backend
from .summary_oracle import (
    ORACLE_TABLES,
    Cells,
    Raw,
    assert_same_table,
    participant_tables,
    with_totals,
)

TODAY = date(2026, 11, 25)
YEAR = SummaryFilter(date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("summaries") / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, "KDF_PARAMS", CHEAP_KDF)
        create_demo_database(path, people=160, contacts=3000, seed=7, today=TODAY)
    return path


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, laptop_demo: AppContext) -> Iterator[AppContext]:
    """The demo data on each backend: the encrypted file, then a PostgreSQL copy."""
    cluster = request.getfixturevalue("pg_cluster") if request.param == "postgresql" else None
    with on_backend(request.param, laptop_demo, cluster) as ctx:
        yield ctx


@pytest.fixture(scope="module")
def laptop_demo(demo_path: Path) -> Iterator[AppContext]:
    ctx = unlock(demo_path, DEMO_USERNAME, DEMO_PASSWORD,
                 clock=FixedClock(datetime(2026, 11, 25, 9)),
                 options=UnlockOptions(integrity_check=False))
    # Tombstones must be left out everywhere: delete a few records of each kind.
    with ctx.write(None) as unit:
        session = unit.session
        for model in (Contact, Person, ActivitySession, Enrollment, Referral, Job):
            ids = list(session.scalars(select(model.id).order_by(model.id.desc()).limit(3)))
            session.execute(update(model).where(model.id.in_(ids))
                            .values(deleted_at=datetime(2026, 1, 1)))
        # People deleted with live records in the year (a job, an enrollment, a
        # referral, an attendance, a contact of theirs alone): none of these counts.
        in_year = (datetime(2025, 1, 1), datetime(2026, 1, 1))
        one_resident = (select(contact_people.c.contact_id)
                        .group_by(contact_people.c.contact_id).having(func.count() == 1))
        holders = [session.scalars(query.limit(1)).first() for query in (
            select(Job.person_id).where(Job.deleted_at.is_(None)).order_by(Job.id),
            select(Enrollment.person_id).where(
                Enrollment.deleted_at.is_(None), Enrollment.start_date >= in_year[0].date(),
                Enrollment.start_date < in_year[1].date()),
            select(Referral.person_id).where(
                Referral.deleted_at.is_(None), Referral.created_on >= in_year[0].date(),
                Referral.created_on < in_year[1].date()),
            select(Attendance.person_id).join(ActivitySession).where(
                Attendance.present.is_(True), ActivitySession.date >= in_year[0].date(),
                ActivitySession.date < in_year[1].date()),
            select(contact_people.c.person_id).join(Contact).where(
                Contact.occurred_at >= in_year[0], Contact.occurred_at < in_year[1],
                contact_people.c.contact_id.in_(one_resident)),
        )]
        assert None not in holders
        session.execute(update(Person).where(Person.id.in_(holders))
                        .values(deleted_at=datetime(2026, 1, 1)))
    yield ctx
    lock(ctx)


@pytest.fixture(scope="module")
def raw(demo: AppContext) -> Raw:
    return Raw(demo)


@pytest.fixture(scope="module")
def year(demo: AppContext) -> Summary:
    return compute_summary(demo, YEAR)


def test_every_contact_table_whole(year: Summary, raw: Raw) -> None:
    """Contacts by channel, focus area, topic and month, per month by focus area, and
    anonymous contacts: every cell and total recomputed from the raw rows."""
    contacts = raw.live_contacts(YEAR)
    assert contacts, "the demo data should have contacts in the year"
    topics: dict[int, set[int]] = {}
    for contact_id, topic_id in raw.contact_topics:
        topics.setdefault(contact_id, set()).add(topic_id)
    channel: Cells = Counter()
    focus: Cells = Counter()
    topic: Cells = Counter()
    month: Cells = Counter()
    month_focus: Cells = Counter()
    anonymous: Cells = Counter()
    gender = {"female": "female", "male": "male"}
    for c in contacts:
        hours, ym, area = c.duration_minutes / 60, c.occurred_at.strftime("%Y-%m"), \
            raw.focus_area_of(c)
        for cells, key in ((channel, str(c.channel_id)), (focus, area), (month, ym),
                           *((topic, str(t)) for t in topics.get(c.id, ()))):
            cells[(key, "contacts")] += 1
            cells[(key, "hours")] += hours
        month_focus[(ym, area)] += 1
        if c.anonymous:
            month[(ym, "anonymous")] += 1
            anonymous[(c.age_group or "unknown", gender.get(c.gender or "", "other"))] += 1
    assert len({k for k, _ in topic}) > 5 and anonymous  # the demo has both
    assert_same_table(year.table("contacts_by_channel"), with_totals(channel))
    assert_same_table(year.table("contacts_by_focus_area"), with_totals(focus))
    assert_same_table(year.table("contacts_by_topic"), with_totals(topic, total=False))
    assert_same_table(year.table("contacts_per_month"), with_totals(month))
    assert_same_table(year.table("contacts_per_month_by_focus_area"),
                      with_totals(month_focus, grid=True))
    assert_same_table(year.table("anonymous_contacts"), with_totals(anonymous, grid=True))


def test_unique_participants_by_age_and_gender_and_new(year: Summary, raw: Raw) -> None:
    grid, per_month = participant_tables(raw, YEAR)
    assert grid[(TOTAL, TOTAL)] and per_month[(TOTAL, "new")]
    assert_same_table(year.table("participants"), grid)
    assert_same_table(year.table("participants_per_month"), per_month)


def test_new_participants_agree_for_short_and_long_history(demo: AppContext, raw: Raw) -> None:
    """The engine asks per participant or collects everyone before the period, depending
    on how much history there is: both must give the brute-force answer."""
    events = raw.events()
    for f in (SummaryFilter(date(2018, 1, 1), date(2025, 12, 31)),
              SummaryFilter(date(2025, 6, 1), date(2025, 8, 31))):
        taking_part = {p for p, a, b in events if a <= f.date_to and b >= f.date_from}
        new = taking_part - {p for p, a, _ in events if a < f.date_from}
        assert compute_summary(demo, f).table("participants_per_month").value(
            TOTAL, "new") == len(new)


def test_every_referral_table_whole(year: Summary, raw: Raw) -> None:
    """Referrals by status and by service (shares and medians), the flow, per month and
    notifications of concern: every cell and total recomputed from the raw rows. The
    referrals are those created in the period, with their status today."""
    created = [r for r in raw.referrals if r.deleted_at is None and raw.live(r.person_id)
               and YEAR.date_from <= r.created_on <= YEAR.date_to]
    cohort = [r for r in created if r.kind == "referral"]
    ever_received = {e.referral_id for e in raw.referral_events
                     if e.to_status == "received" and e.deleted_at is None}
    by_status: Cells = Counter()
    outcome: Cells = Counter()
    flow: Cells = Counter()
    per_month: Cells = Counter()
    days: dict[str, list[int]] = {TOTAL: []}
    for r in cohort:
        service, status = str(r.service_id), str(getattr(r.status, "value", r.status))
        met, closed = r.first_meeting_on is not None, status == "closed"
        reached = {"created": True, "sent": r.sent_on is not None, "first_meeting": met,
                   "received": status in ("received", "first_meeting", "closed") or met
                   or r.id in ever_received, "closed": closed}
        by_status[(service, status)] += 1
        for step, yes in reached.items():
            flow[(step, "referrals")] += yes
            if step != "received":
                per_month[(r.created_on.strftime("%Y-%m"), step)] += yes
            if step not in ("created", "received"):
                outcome[(service, step)] += yes
        if r.sent_on and met:
            waited = (r.first_meeting_on - r.sent_on).days
            days.setdefault(service, []).append(waited)
            days[TOTAL].append(waited)
    assert {len(v) % 2 for v in days.values()} == {0, 1}  # both kinds of middle
    outcome = with_totals(outcome)
    for service in {k for k, _ in outcome}:
        outcome[(service, "closed_share")] = Share(int(outcome.get((service, "closed"), 0)),
                                                   int(outcome.get((service, "sent"), 0)))
        values = days.get(service, [])
        outcome[(service, "median_days")] = Median(
            float(statistics.median(values)) if values else None, len(values))
    assert_same_table(year.table("referrals_by_status"), with_totals(by_status, grid=True))
    assert_same_table(year.table("referrals_by_service"), outcome)
    assert_same_table(year.table("referral_flow"), flow)
    assert_same_table(year.table("referrals_per_month"), with_totals(per_month))
    concerns = sum(1 for r in created if r.kind == "concern")
    assert concerns and flow[("received", "referrals")]  # the demo has both
    assert_same_table(year.table("concerns"), {("concern", "count"): concerns})


def test_every_activity_table_whole(year: Summary, raw: Raw) -> None:
    """Sessions, attendance, drop-in head counts and enrollments by activity and month,
    enrollments by end reason, drop-in by age group and gender: every cell and total."""
    lo, hi = YEAR.date_from, YEAR.date_to
    live = {a.id for a in raw.activities.values() if a.deleted_at is None}
    held = {s.id: s for s in raw.sessions.values()
            if s.deleted_at is None and s.activity_id in live and lo <= s.date <= hi}
    per: Cells = Counter()
    month: Cells = Counter()
    drop_in: Cells = Counter()
    reasons: Cells = Counter()
    registered: Counter[str] = Counter()

    def add(activity_id: int, day: date, column: str, n: int = 1) -> None:
        per[(str(activity_id), column)] += n
        month[(day.strftime("%Y-%m"), column)] += n

    for s in held.values():
        add(s.activity_id, s.date, "sessions")
    for mark in (a for a in raw.attendance if a.session_id in held and raw.live(a.person_id)):
        s = held[mark.session_id]
        add(s.activity_id, s.date, "present", int(mark.present))
        registered[str(s.activity_id)] += 1
    gender = {"female": "female", "male": "male"}
    for h in (h for h in raw.head_counts if h.session_id in held):
        add(held[h.session_id].activity_id, held[h.session_id].date, "drop_in", h.count)
        drop_in[(h.age_group, gender.get(h.gender, "other"))] += h.count
    enrollments = [e for e in raw.enrollments if e.deleted_at is None and e.activity_id in live
                   and raw.live(e.person_id)
                   and e.start_date <= hi and (e.end_date is None or e.end_date >= lo)]
    for e in enrollments:
        if e.start_date >= lo:
            add(e.activity_id, e.start_date, "started")
        if e.end_date is not None and e.end_date <= hi:
            add(e.activity_id, e.end_date, "ended")
            reasons[(str(getattr(e.end_reason, "value", e.end_reason) or "none"), "ended")] += 1
    for key in {k for k, _ in per} | {str(e.activity_id) for e in enrollments}:
        per[(key, "enrolled")] = len({e.person_id for e in enrollments
                                      if str(e.activity_id) == key})
    activities = with_totals(per)
    activities[(TOTAL, "enrolled")] = len({e.person_id for e in enrollments})
    for key in {k for k, _ in activities}:
        activities[(key, "attendance_rate")] = Share(
            int(activities.get((key, "present"), 0)),
            sum(registered.values()) if key == TOTAL else registered[key])
    assert drop_in and reasons and registered  # the demo has all three
    assert_same_table(year.table("activities"), activities)
    assert_same_table(year.table("activities_per_month"), with_totals(month))
    assert_same_table(year.table("enrollments_ended"), with_totals(reasons))
    assert_same_table(year.table("drop_in"), with_totals(drop_in, grid=True))


def test_every_job_table_whole(demo: AppContext, raw: Raw) -> None:
    """Young people with a job, jobs started (after a pocket-money job), follow-ups and
    jobs per month: every cell and total recomputed from the raw rows. The demo has a
    job or two a year, so over all its years."""
    period = SummaryFilter(date(2017, 1, 1), date(2026, 12, 31))
    summary = compute_summary(demo, period)
    every = {j.id: j for j in raw.jobs}
    live = [j for j in raw.jobs if j.deleted_at is None and raw.live(j.person_id)]
    running = [j for j in live if j.start_date <= period.date_to
               and (j.end_date is None or j.end_date >= period.date_from)]
    started = [j for j in live if period.date_from <= j.start_date <= period.date_to]
    jobs: Cells = {}
    per_month: Cells = Counter()
    for kind in ("pocket_money", "leisure"):
        jobs[(kind, "young_people")] = len({j.person_id for j in running if j.kind == kind})
        jobs[(kind, "started")] = sum(1 for j in started if j.kind == kind)
    jobs[("leisure", "after_pocket_money")] = sum(
        1 for j in started if j.kind == "leisure" and j.previous_job_id is not None
        and every[j.previous_job_id].kind == "pocket_money")
    for j in started:
        per_month[(j.start_date.strftime("%Y-%m"), str(j.kind))] += 1
    expected = with_totals(jobs)
    expected[(TOTAL, "young_people")] = len({j.person_id for j in running})
    assert expected[("leisure", "after_pocket_money")]  # the demo has such moves
    assert_same_table(summary.table("jobs"), expected)
    assert_same_table(summary.table("jobs_per_month"), with_totals(per_month))

    live_ids = {j.id for j in live}
    follow_ups: Cells = {}
    for months in (3, 6, 12):
        due = [u for u in raw.follow_ups if u.months == months and u.job_id in live_ids
               and u.deleted_at is None and period.date_from <= u.due_date <= period.date_to]
        answered = sum(1 for u in due if u.status in ("yes", "no"))
        kept = sum(1 for u in due if u.status == "yes")
        follow_ups.update({(str(months), "due"): len(due), (str(months), "answered"): answered,
                           (str(months), "still_employed"): kept,
                           (str(months), "share"): Share(kept, answered)})
    assert_same_table(summary.table("job_follow_ups"), follow_ups)


def test_the_oracle_recomputes_every_table(year: Summary) -> None:
    assert {table.key for table in year} == ORACLE_TABLES


def test_area_and_staff_filters_on_contacts(demo: AppContext, raw: Raw) -> None:
    contacts = raw.live_contacts(YEAR)
    area = Counter(c.area_id for c in contacts if c.area_id).most_common(1)[0][0]
    staff = Counter(c.staff_user_id for c in contacts).most_common(1)[0][0]
    f = dataclasses.replace(YEAR, area_ids=(area,), staff_ids=(staff,))
    summary = compute_summary(demo, f)
    expected = [c for c in contacts if c.area_id == area and c.staff_user_id == staff]
    assert summary.table("contacts_by_channel").value(TOTAL, "contacts") == len(expected)
    # Referrals have no staff filter problem, but focus areas: none belong to one.
    focus = dataclasses.replace(YEAR, focus_area_ids=(1,))
    assert compute_summary(demo, focus).table("referrals_by_status").is_empty


def test_links_join_the_same_figure(year: Summary) -> None:
    for group in year.links:
        values = {year.value(ref) for ref in group if year.table(ref.table).find_row(ref.row)}
        assert len(values) <= 1, group


# Cells whose list is not of the records counted (sessions behind attendances, visits).
_NOT_RECORD_COUNTS = {"present", "drop_in"}


def test_drill_down_lists_as_many_records_as_each_count(demo: AppContext, year: Summary) -> None:
    checked = 0
    for table in year:
        if table.key == "drop_in":
            continue
        rows = [*table.rows[:3], *([table.total] if table.total else [])]
        for column in table.columns[:4]:
            if column.kind is not ValueKind.COUNT or column.key in _NOT_RECORD_COUNTS:
                continue
            for row in rows:
                expected = table.value(row.key, column.key)
                if not isinstance(expected, int) or expected > 400:
                    continue
                ref = CellRef(table.key, row.key, column.key)
                assert len(drill_down(demo, YEAR, ref)) == expected, ref
                checked += 1
    assert checked > 40


def test_drill_down_needs_the_permission(demo: AppContext) -> None:
    staff = dataclasses.replace(demo, actor=dataclasses.replace(demo.actor, role=Role.STAFF))
    with pytest.raises(PermissionDenied):
        drill_down(staff, YEAR, CellRef("contacts_by_channel", TOTAL, "contacts"))
    compute_summary(staff, YEAR)  # seeing the figures is allowed


def test_cancel_stops_the_summary(demo: AppContext) -> None:
    from boligsag.services.summaries import SummaryCancelled

    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(SummaryCancelled):
        compute_summary(demo, YEAR, cancelled=cancelled)
    assert compute_summary(demo, YEAR).key_figures  # the connection is usable again


def test_progress_reaches_the_end(demo: AppContext) -> None:
    seen: list[float] = []
    compute_summary(demo, YEAR, progress=lambda stage, fraction: seen.append(fraction))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 20


def test_every_month_of_a_period_is_listed(year: Summary) -> None:
    months = [r.key for r in year.table("contacts_per_month").rows]
    assert months == [f"2025-{m:02d}" for m in range(1, 13)]


def test_every_filter_runs_and_its_drill_down_agrees(demo: AppContext, raw: Raw) -> None:
    """Each kind of filter takes other SQL paths (people joined for areas, plan areas,
    focus areas of contacts): run each, and check a few totals against drill-down."""
    activity = next(a for a in raw.activities.values() if a.deleted_at is None and a.plan_id)
    contact = next(c for c in raw.live_contacts(YEAR) if c.area_id)
    filters = {
        "plan": dataclasses.replace(YEAR, plan_ids=(activity.plan_id,)),
        "area": dataclasses.replace(YEAR, area_ids=(contact.area_id,)),
        "focus_area": dataclasses.replace(YEAR, focus_area_ids=(activity.focus_area_id,)),
        "activity": dataclasses.replace(YEAR, activity_ids=(activity.id,)),
        "staff": dataclasses.replace(YEAR, staff_ids=(contact.staff_user_id,)),
    }
    refs = [CellRef("participants", TOTAL, TOTAL),
            CellRef("contacts_by_channel", TOTAL, "contacts"),
            CellRef("activities", TOTAL, "started"), CellRef("jobs", TOTAL, "young_people"),
            CellRef("referrals_by_status", TOTAL, TOTAL),
            CellRef("participants_per_month", TOTAL, "new")]
    for name, f in filters.items():
        summary = compute_summary(demo, f)
        for ref in refs:
            expected = summary.value(ref)
            assert len(drill_down(demo, f, ref)) == expected, (name, ref)

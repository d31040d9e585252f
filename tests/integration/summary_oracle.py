"""Brute force for the summary tests: every row of the tables a summary reads, and a
comparison of a whole published table with one recomputed from those rows."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from boligsag.domain.age import AgeGroup, age_group_for
from boligsag.services.context import AppContext
from boligsag.storage.models import (
    Activity,
    ActivitySession,
    AgeGroupRow,
    Attendance,
    Contact,
    Enrollment,
    HeadCount,
    Job,
    JobFollowUp,
    Person,
    Referral,
    ReferralEvent,
    Topic,
    contact_people,
    contact_topics,
)
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.model import TOTAL, Median, Share, Table

# (row, column) -> value: a count, hours, a Share or a Median.
Cells = dict[tuple[str, str], object]


# Every table a summary publishes, each compared whole in test_summaries.py; a new
# table must be added there (and here) before this list matches the summary again.
ORACLE_TABLES = frozenset({
    "participants", "participants_per_month", "contacts_by_channel", "contacts_by_focus_area",
    "contacts_by_topic", "anonymous_contacts", "contacts_per_month",
    "contacts_per_month_by_focus_area", "activities", "enrollments_ended", "drop_in",
    "activities_per_month", "referrals_by_status", "referrals_by_service", "referral_flow",
    "referrals_per_month", "concerns", "jobs", "job_follow_ups", "jobs_per_month",
})


class Raw:
    """Every row of the tables the summary reads, for brute force in Python."""

    def __init__(self, ctx: AppContext) -> None:
        with ctx.read() as unit:
            s = unit.session
            def rows(model: type) -> list:
                return list(s.scalars(select(model)))
            self.contacts = rows(Contact)
            self.people = {p.id: p for p in rows(Person)}
            self.sessions = {x.id: x for x in rows(ActivitySession)}
            self.activities = {a.id: a for a in rows(Activity)}
            self.attendance = rows(Attendance)
            self.head_counts = rows(HeadCount)
            self.enrollments = rows(Enrollment)
            self.jobs = rows(Job)
            self.follow_ups = rows(JobFollowUp)
            self.referrals = rows(Referral)
            self.referral_events = rows(ReferralEvent)
            self.topics = {t.id: t for t in rows(Topic)}
            self.contact_people = [tuple(r) for r in s.execute(select(contact_people))]
            self.contact_topics = [tuple(r) for r in s.execute(select(contact_topics))]
            self.age_groups = [AgeGroup(g.code, g.min_age, g.max_age) for g in
                               s.scalars(select(AgeGroupRow).order_by(AgeGroupRow.sort_order))]

    def live(self, person_id: int) -> bool:
        """The one rule for deleted records: a tombstoned person counts nowhere."""
        return self.people[person_id].deleted_at is None

    def live_contacts(self, f: SummaryFilter) -> list[Contact]:
        """The period's contacts, not deleted and not only with tombstoned people (a
        contact with a real resident besides a tombstoned one still counts)."""
        residents: dict[int, list[int]] = {}
        for contact_id, person_id in self.contact_people:
            residents.setdefault(contact_id, []).append(person_id)
        return [c for c in self.contacts if c.deleted_at is None
                and f.date_from <= c.occurred_at.date() <= f.date_to
                and (c.anonymous or any(self.live(p) for p in residents.get(c.id, [])))]

    def events(self) -> list[tuple[int, date, date]]:
        """(person, first day, last day) of every participation, all time."""
        out = []
        live_contacts = {c.id: c for c in self.contacts
                         if c.deleted_at is None and not c.anonymous}
        for contact_id, person_id in self.contact_people:
            if contact_id in live_contacts:
                day = live_contacts[contact_id].occurred_at.date()
                out.append((person_id, day, day))
        for a in self.attendance:
            s = self.sessions[a.session_id]
            live = s.deleted_at is None and self.activities[s.activity_id].deleted_at is None
            if a.present and live:
                out.append((a.person_id, s.date, s.date))
        for e in self.enrollments:
            if e.deleted_at is None and self.activities[e.activity_id].deleted_at is None:
                out.append((e.person_id, e.start_date, e.end_date or date.max))
        for j in self.jobs:
            if j.deleted_at is None:
                out.append((j.person_id, j.start_date, j.end_date or date.max))
        for r in self.referrals:
            if r.deleted_at is None and r.kind == "referral" and r.sent_on is not None:
                out.append((r.person_id, r.sent_on, r.sent_on))
        return [e for e in out if self.live(e[0])]


    def focus_area_of(self, contact: Contact) -> str:
        """A contact's focus area: its activity's, else its first topic's."""
        activity = self.activities.get(contact.activity_id) if contact.activity_id else None
        if activity is not None and activity.focus_area_id:
            return str(activity.focus_area_id)
        topics = [t for c, t in self.contact_topics if c == contact.id]
        focus = self.topics[min(topics)].focus_area_id if topics else None
        return str(focus or "none")


def participant_tables(raw: Raw, f: SummaryFilter) -> tuple[Cells, Cells]:
    """The participants grid (age group on the last day x gender) and the participants
    and new participants per month, totals included, recomputed from the raw rows."""
    events = raw.events()
    taking_part = [e for e in events if e[1] <= f.date_to and e[2] >= f.date_from]
    people = {p for p, _, _ in taking_part}
    grid: Cells = Counter()
    for person_id in people:
        person = raw.people[person_id]
        group = (age_group_for(person.birth_date, f.date_to, raw.age_groups)
                 if person.birth_date and person.birth_date <= f.date_to else None)
        gender = person.gender if person.gender in ("female", "male") else "other"
        grid[(group.code if group else "unknown", gender)] += 1
    months: Cells = Counter()
    day = date(f.date_from.year, f.date_from.month, 1)
    while day <= f.date_to:
        after = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        months[(day.strftime("%Y-%m"), "participants")] = len(
            {p for p, first, last in taking_part if first < after and last >= day})
        day = after
    earlier = {p for p, first, _ in events if first < f.date_from}
    for person_id in people - earlier:
        first = min(first for p, first, _ in taking_part if p == person_id)
        months[(first.strftime("%Y-%m"), "new")] += 1
    per_month = with_totals(months)
    per_month[(TOTAL, "participants")] = len(people)
    return with_totals(grid, grid=True), per_month


def with_totals(cells: Cells, *, grid: bool = False, total: bool = True) -> Cells:
    """``cells`` with the total row (and in a grid each row's total) of the numbers
    added up."""
    out = dict(cells)
    numbers = {k: v for k, v in cells.items() if isinstance(v, (int, float))}
    if total:
        for (_, column), value in numbers.items():
            out[(TOTAL, column)] = _add(out.get((TOTAL, column), 0), value)
    if grid:
        for (row, _), value in list(out.items()):
            out[(row, TOTAL)] = _add(out.get((row, TOTAL), 0), value)
    return out


def _add(a: object, b: object) -> float:
    assert isinstance(a, (int, float)) and isinstance(b, (int, float))
    return a + b


def published(table: Table) -> Cells:
    """Every cell the table publishes: its rows, its total row, a grid's row totals; not
    the empty cells (a figure that means nothing there, shown as a dash)."""
    rows = [*table.rows, *([table.total] if table.total else [])]
    out: Cells = {}
    for row in rows:
        for column in [c.key for c in table.columns] + ([TOTAL] if table.grid else []):
            value = table.value(row.key, column)
            if value is not None:
                out[(row.key, column)] = value
    return out


def assert_same_table(table: Table, expected: Cells) -> None:
    """Both ways: every published cell is the recomputed one (0 where nothing was
    recomputed), and every recomputed figure other than 0 is published."""
    shown = published(table)
    unpublished = {k: v for k, v in expected.items() if _nonzero(v) and k not in shown}
    assert unpublished == {}, table.key
    wrong = {k: (v, expected.get(k, 0)) for k, v in shown.items()
             if not _same(v, expected.get(k, 0))}
    assert wrong == {}, table.key


def _nonzero(value: object) -> bool:
    """What a row left out of a table for having nothing in it may hold."""
    if isinstance(value, Share):
        return value.denominator > 0
    if isinstance(value, Median):
        return value.n > 0
    return bool(value)


def _same(a: object, b: object) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return bool(a == pytest.approx(b))
    return a == b

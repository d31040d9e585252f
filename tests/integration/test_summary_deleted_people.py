"""One rule for deleted records in every figure: a tombstoned person was registered by
mistake, so nothing of theirs counts anywhere (``Scope.live_person``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from uuid import uuid4

import pytest
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from boligsag.services.context import AppContext, FixedClock
from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database
from boligsag.services.summaries import compute_summary
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.models import (
    ActivitySession,
    Attendance,
    Contact,
    Enrollment,
    Job,
    JobFollowUp,
    Person,
    Referral,
    contact_people,
    contact_topics,
)
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.model import TOTAL, CellRef, Summary

from ..conftest import CHEAP_KDF
from .summary_backends import BACKENDS, on_backend

YEAR = SummaryFilter(date(2025, 1, 1), date(2025, 12, 31))
START, END = datetime(2025, 1, 1), datetime(2026, 1, 1)


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, laptop_demo: AppContext) -> Iterator[AppContext]:
    """The demo data on each backend: the encrypted file, then a PostgreSQL copy."""
    cluster = request.getfixturevalue("pg_cluster") if request.param == "postgresql" else None
    with on_backend(request.param, laptop_demo, cluster) as ctx:
        yield ctx


@pytest.fixture(scope="module")
def laptop_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    path = tmp_path_factory.mktemp("deleted") / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, "KDF_PARAMS", CHEAP_KDF)
        create_demo_database(path, people=60, contacts=600, seed=3, today=date(2026, 11, 25))
    ctx = unlock(path, DEMO_USERNAME, DEMO_PASSWORD,
                 clock=FixedClock(datetime(2026, 11, 25, 9)),
                 options=UnlockOptions(integrity_check=False))
    yield ctx
    lock(ctx)


def _copy(session: Session, table: Table, row_id: int, **changes: object) -> int:
    """A new row like ``row_id`` of ``table`` (new id and UUID), with ``changes``."""
    row = session.execute(select(table).where(table.c.id == row_id)).mappings().one()
    values = {k: v for k, v in row.items() if k != "id"}
    values.update(uuid=str(uuid4()), **changes)
    return int(session.execute(insert(table).values(values)).inserted_primary_key[0])


def _first(session: Session, query: object) -> int:
    found = session.scalars(query.limit(1)).first()  # type: ignore[attr-defined]
    assert found is not None, "the demo data should have such a record in 2025"
    return int(found)


def add_person_with_everything(ctx: AppContext) -> int:
    """A new person with a contact of their own, an enrollment, attendance, a referral
    and a job (with its follow-ups), all in 2025: copies of the demo's records."""
    with ctx.write(None) as unit:
        s = unit.session
        person = _copy(s, Person.__table__, _first(s, select(Person.id).where(
            Person.deleted_at.is_(None)).order_by(Person.id)), cpr=None)
        contact = _first(s, select(Contact.id).where(
            Contact.deleted_at.is_(None), Contact.anonymous.is_(False),
            Contact.occurred_at >= START, Contact.occurred_at < END).order_by(Contact.id))
        new_contact = _copy(s, Contact.__table__, contact)
        s.execute(insert(contact_people).values(contact_id=new_contact, person_id=person))
        for (topic,) in s.execute(select(contact_topics.c.topic_id)
                                  .where(contact_topics.c.contact_id == contact)):
            s.execute(insert(contact_topics).values(contact_id=new_contact, topic_id=topic))
        _copy(s, Enrollment.__table__, _first(s, select(Enrollment.id).where(
            Enrollment.deleted_at.is_(None), Enrollment.start_date >= START.date(),
            Enrollment.start_date < END.date()).order_by(Enrollment.id)), person_id=person)
        session_id = _first(s, select(ActivitySession.id).where(
            ActivitySession.deleted_at.is_(None), ActivitySession.date >= START.date(),
            ActivitySession.date < END.date(),
            ActivitySession.id.in_(select(Attendance.session_id))).order_by(ActivitySession.id))
        s.execute(insert(Attendance).values(session_id=session_id, person_id=person,
                                            present=True))
        _copy(s, Referral.__table__, _first(s, select(Referral.id).where(
            Referral.deleted_at.is_(None), Referral.kind == "referral",
            Referral.sent_on.is_not(None), Referral.created_on >= START.date(),
            Referral.created_on < END.date()).order_by(Referral.id)), person_id=person)
        job = _first(s, select(Job.id).where(
            Job.deleted_at.is_(None), Job.start_date >= START.date(),
            Job.start_date < END.date()).order_by(Job.id))
        new_job = _copy(s, Job.__table__, job, person_id=person)
        for (follow_up,) in s.execute(select(JobFollowUp.id).where(JobFollowUp.job_id == job)):
            _copy(s, JobFollowUp.__table__, follow_up, job_id=new_job)
    return person


def _cells(summary: Summary) -> dict[tuple[str, str], object]:
    return {(t.key, r.key): r.values for t in summary
            for r in [*t.rows, *([t.total] if t.total else [])]}


def test_a_deleted_person_counts_in_no_figure(demo: AppContext) -> None:
    before = compute_summary(demo, YEAR)
    person = add_person_with_everything(demo)
    alive = compute_summary(demo, YEAR)
    # Each kind of record of theirs is counted while they are a real person ...
    for ref in (CellRef("participants", TOTAL, TOTAL),
                CellRef("contacts_by_channel", TOTAL, "contacts"),
                CellRef("activities", TOTAL, "enrolled"),
                CellRef("activities", TOTAL, "present"),
                CellRef("referrals_by_status", TOTAL, TOTAL),
                CellRef("jobs", TOTAL, "young_people")):
        assert alive.value(ref) == before.value(ref) + 1, ref  # type: ignore[operator]

    with demo.write(None) as unit:
        unit.session.execute(update(Person).where(Person.id == person)
                             .values(deleted_at=datetime(2026, 1, 1)))
    deleted = compute_summary(demo, YEAR)
    # ... and nowhere once they are deleted: every cell of every table is as before.
    assert _cells(deleted) == _cells(before)


def test_a_contact_with_a_real_resident_besides_a_deleted_one_still_counts(
        demo: AppContext) -> None:
    with demo.read() as unit:
        contact = _first(unit.session, select(contact_people.c.contact_id).join(Contact).where(
            Contact.deleted_at.is_(None), Contact.occurred_at >= START,
            Contact.occurred_at < END, Person.deleted_at.is_(None))
            .join(Person, Person.id == contact_people.c.person_id)
            .group_by(contact_people.c.contact_id).having(func.count() == 1))
    before = compute_summary(demo, YEAR)
    with demo.write(None) as unit:
        s = unit.session
        extra = _copy(s, Person.__table__, _first(s, select(Person.id).order_by(Person.id)),
                      cpr=None, deleted_at=datetime(2026, 1, 1))
        s.execute(insert(contact_people).values(contact_id=contact, person_id=extra))
    after = compute_summary(demo, YEAR)
    assert _cells(after) == _cells(before)

"""The team lead's Opgørelser cover the whole team (issue 12 §4).

Two staff members (Mette, Jonas) do casework on their own replicas through the services
(people with birth dates and genders; contacts over eleven months on varied channels,
topics, durations, with one or two people or anonymous, some with a follow-up or a
referral to a service from the server's catalogue; a fixed course with enrollments,
attendance and endings, a drop-in with head counts, pocket-money and leisure jobs,
referrals with consent moved along their steps) and sync with the real HTTPS server on
PostgreSQL. The team lead then joins.

Shown: ``boligsag summary LEAD_REPLICA`` (the export the Opgørelser page makes, as the
lead) writes the same XLSX, cell for cell, as ``boligsag summary postgresql://…`` run
on the server's database as the lead (all but the "Dannet" time); and the exact figures
behind them (compute_summary: every table and key figure, nothing withheld for a team
lead) are equal too, and count every contact both staff logged.
"""

from __future__ import annotations

import io
import random
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from boligsag.cli import main
from boligsag.domain.enums import (
    ActivityKind,
    ActivityMode,
    EndReason,
    Gender,
    JobKind,
    ReferralStatus,
)
from boligsag.server import config as server_config
from boligsag.services.activities import ActivityDraft, create_activity
from boligsag.services.consents import ConsentInput, record_consent
from boligsag.services.contacts import ContactDraft, log_contact, quick_log_choices
from boligsag.services.context import AppContext
from boligsag.services.enrollments import EnrollmentDraft, end_enrollment, enroll
from boligsag.services.jobs import JobDraft, create_job
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.referrals import ReferralInput, change_status, create_referral
from boligsag.services.service_catalogue import list_services
from boligsag.services.sessions import AttendanceMark, HeadCountEntry, SessionDraft, record_session
from boligsag.services.summaries import compute_summary, resolve_filter
from boligsag.services.summaries.on_server import open_as
from boligsag.storage.models import Person

from .conftest import STAFF, STAFF_PASSWORD, Running, Setup
from .laptop_script import sync
from .laptops import add_user, area_id, join_replica, opened

JONAS, JONAS_PASSWORD = "jonas", "jonas-eget-kodeord-9"
LEAD, LEAD_PASSWORD = "lise", "lises-lange-kodeord-4"
FROM, TO = "2026-01-01", "2026-12-31"
CONTACTS_EACH = 45


def _casework(ctx: AppContext, rng: random.Random, tag: str) -> int:
    """People and contacts as the quick log makes them; the number of contacts."""
    choices = quick_log_choices(ctx)
    area = area_id(ctx)
    people = [create_person(ctx, PersonDraft(
        f"{tag}{n}", rng.choice(["Hansen", "Ali", "Nielsen", "Öztürk"]), area_id=area,
        birth_date=date(rng.randrange(1950, 2015), rng.randrange(1, 13), rng.randrange(1, 28)),
        gender=rng.choice([Gender.FEMALE, Gender.MALE]))).person.id for n in range(10)]
    topics = [t.id for focus in choices.focus_areas for t in focus.topics]
    channels = [c.code for c in choices.channels]
    services = [s.id for s in choices.services]
    assert topics and channels and services
    for _ in range(CONTACTS_EACH):
        at = datetime(2026, rng.randrange(1, 12), rng.randrange(1, 29), rng.randrange(8, 17))
        who: dict[str, object] = (
            {"anonymous": True, "age_group": rng.choice(choices.age_groups).code,
             "gender": Gender(rng.choice(choices.genders).code)}
            if rng.random() < 0.2 else
            {"person_ids": tuple(rng.sample(people, rng.choice([1, 1, 2])))})
        log_contact(ctx, ContactDraft(
            channel=rng.choice(channels[:3]), occurred_at=at,
            topic_ids=tuple(rng.sample(topics[:6], rng.choice([1, 2]))),
            duration_minutes=rng.choice([0, 15, 30, 45, 60]), note="",
            follow_up_date=date(2026, 12, 15) if rng.random() < 0.3 else None,
            referred_to_service_id=rng.choice(services) if rng.random() < 0.25 else None,
            area_id=area, **who))  # type: ignore[arg-type]
    return CONTACTS_EACH


def _activities_jobs_referrals(ctx: AppContext, rng: random.Random, tag: str) -> None:
    """A fixed course with enrollments, attendance and endings; a drop-in with head
    counts; pocket-money and leisure jobs; referrals sent on with consent, some moved on."""
    choices = quick_log_choices(ctx)
    with ctx.db.reading() as session:
        born = dict(session.execute(select(Person.id, Person.birth_date).where(
            Person.first_name.startswith(tag)).order_by(Person.id)).all())
    people = list(born)
    focus = choices.focus_areas[0].id
    course = create_activity(ctx, ActivityDraft(f"Lektiecafé {tag}", ActivityKind.HOMEWORK_CAFE,
                                                ActivityMode.COURSE, focus)).id
    enrolled = [enroll(ctx, EnrollmentDraft(course, person, date(2026, 2, 2)))
                for person in people[:7]]
    for row in enrolled[:3]:
        end_enrollment(ctx, row.id, row.version, date(2026, 9, 30),
                       rng.choice([EndReason.COMPLETED, EndReason.STARTED_JOB]))
    for month in range(3, 12):
        on = date(2026, month, rng.randrange(1, 29))
        present = people[:3] if on <= date(2026, 9, 30) else []
        record_session(ctx, SessionDraft(course, on, staff_ids=(ctx.actor.user_id,),
                                         attendance=tuple(AttendanceMark(p, rng.random() < 0.8)
                                                          for p in [*present, *people[3:7]])))
    drop_in = create_activity(ctx, ActivityDraft(f"Fredagsklub {tag}", ActivityKind.DROP_IN,
                                                 ActivityMode.DROP_IN, focus)).id
    for month in range(1, 12):
        record_session(ctx, SessionDraft(drop_in, date(2026, month, 10), head_counts=tuple(
            HeadCountEntry(group.code, rng.choice([Gender.FEMALE, Gender.MALE]),
                           rng.randrange(0, 9)) for group in choices.age_groups[2:5])))
    for n, person in enumerate(people[:6]):
        create_job(ctx, JobDraft(person, JobKind.POCKET_MONEY if n < 4 else JobKind.LEISURE,
                                 "Brugsen", date(2026, rng.randrange(1, 12), 1)))
    services = {s.code: s.id for s in list_services(ctx)}
    target = services.get("jobcentre") or next(iter(services.values()))
    for n, person in enumerate(people[:8]):
        consent = record_consent(ctx, ConsentInput(
            person, target, ["identity", "contact"], "Hjælp til job og uddannelse",
            given_by_name="Forælder" if born[person] > date(2008, 1, 5) else "",
            valid_from=date(2026, 1, 5), signed_on=date(2026, 1, 5))).id
        referral = create_referral(ctx, ReferralInput(person, target, "Ønsker hjælp til job.",
                                                      consent_id=consent)).id
        for status in (ReferralStatus.SENT, ReferralStatus.RECEIVED,
                       ReferralStatus.FIRST_MEETING, ReferralStatus.CLOSED)[:n % 5]:
            change_status(ctx, referral, status)


def _cells(xlsx: bytes) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's cell values row by row, leaving out the row of the time it was made."""
    book = load_workbook(io.BytesIO(xlsx))
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)
                          if not row or row[0] != "Dannet"]
            for sheet in book.worksheets}


def test_the_leads_replica_summary_equals_the_servers_cell_for_cell(
        running: Running, setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    began = time.monotonic()
    rng = random.Random(12)
    add_user(setup, monkeypatch, JONAS, "Jonas Berg", "staff", JONAS_PASSWORD)
    add_user(setup, monkeypatch, LEAD, "Lise Krogh", "team_lead", LEAD_PASSWORD)
    logged = 0
    for user, password in ((STAFF, STAFF_PASSWORD), (JONAS, JONAS_PASSWORD)):
        path = join_replica(running, tmp_path / user / "boligsag.db", user, password)
        with opened(path, user, password) as ctx:
            logged += _casework(ctx, rng, user.capitalize())
            _activities_jobs_referrals(ctx, rng, user.capitalize())
            assert sync(ctx, password).waiting == 0
    lead = join_replica(running, tmp_path / LEAD / "boligsag.db", LEAD, LEAD_PASSWORD)

    period = ["--from", FROM, "--to", TO, "--user", LEAD]
    monkeypatch.setenv("BOLIGSAG_PASSWORD", LEAD_PASSWORD)
    capsys.readouterr()
    assert main(["summary", str(lead), *period, "--out", str(tmp_path / "lise.xlsx")]) == 0, \
        capsys.readouterr().err
    monkeypatch.delenv("BOLIGSAG_PASSWORD")  # the server's summary takes no password
    assert main(["summary", setup.url, *period, "--config", str(setup.folder),
                 "--out", str(tmp_path / "server.xlsx")]) == 0, capsys.readouterr().err
    mine = _cells((tmp_path / "lise.xlsx").read_bytes())
    theirs = _cells((tmp_path / "server.xlsx").read_bytes())
    assert sum(len(rows) for rows in mine.values()) > 50  # a real report
    assert mine == theirs

    # The exact figures behind the export (a team lead's, nothing withheld).
    server = open_as(setup.url, server_config.read_secret(setup.config), LEAD)
    try:
        with opened(lead, LEAD, LEAD_PASSWORD) as ctx:
            ours = compute_summary(ctx, resolve_filter(ctx, date.fromisoformat(FROM),
                                                       date.fromisoformat(TO)))
        got = compute_summary(server, resolve_filter(server, date.fromisoformat(FROM),
                                                     date.fromisoformat(TO)))
    finally:
        server.db.dispose()
    assert ours.exact and got.exact
    assert [t.key for t in ours.tables] == [t.key for t in got.tables]
    for table, other in zip(ours.tables, got.tables, strict=True):
        assert table == other, table.key
    assert ours.key_figures == got.key_figures
    assert ours.value(ours.key_figure("contacts").ref) == logged
    print(f"\ntest_team_summary: {time.monotonic() - began:.1f} s")

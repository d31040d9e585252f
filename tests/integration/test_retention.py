"""Retention and anonymisation (issue 13 §2; services/retention.py) on a real encrypted
file: who is due after five years without a contact, enrollment, job, referral or
consent (and who is not: a recent contact, a course still running); anonymising them
keeps every figure of the past years identical, cell by cell, removes the person from
lists and pages, and leaves none of the removed names, CPR number or note words in any
decrypted page of the database or its write-ahead log."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import select

from boligsag.cli import main
from boligsag.domain.enums import ActivityKind, ActivityMode, EndReason, Gender, Role
from boligsag.services import retention
from boligsag.services.activities import ActivityDraft, activity_choices, create_activity
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.enrollments import EnrollmentDraft, enroll
from boligsag.services.errors import NotFound, PermissionDenied
from boligsag.services.people import PersonDraft, create_person, get_person
from boligsag.services.people_search import list_people
from boligsag.services.summaries.engine import compute_summary
from boligsag.services.unlock import lock
from boligsag.storage.models import AuditEntry
from boligsag.summaries.filter import SummaryFilter

from ..conftest import CreatedDb

PAGE, RESERVE = 4096, 80  # SQLCipher 4: the page, and its IV + HMAC at the end
REMOVED = ["Zenobia", "Quistgaard", "0304871234", "030487-1234", "Hemmeligvej",
           "Tunøhemmelighed", "Ibrahimsen", "Flyttesnak"]


def decrypted_pages(data: bytes, key: bytes, offset: int = 0, stride: int = PAGE) -> bytes:
    """Every page of a SQLCipher file (or, with ``offset``/``stride``, of the frames of
    its -wal) decrypted with the raw key: AES-256-CBC, the IV in the page's reserve."""
    plain = []
    for start in range(offset, len(data) - PAGE + 1, stride):
        page = data[start:start + PAGE]
        skip = 16 if start == 0 else 0  # page 1 begins with the salt
        iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
        decrypt = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        plain.append(decrypt.update(page[skip:PAGE - RESERVE]) + decrypt.finalize())
    return b"".join(plain)


def _old_world(ctx: AppContext) -> dict[str, int]:
    ctx.clock = FixedClock(datetime(2020, 3, 1, 10, 0))  # registered then, years ago
    zenobia = create_person(ctx, PersonDraft(
        "Zenobia", "Quistgaard", cpr="0304871234", street="Hemmeligvej 7",
        postal_code="5220", city="Odense SØ", gender=Gender.FEMALE,
        note="Tunøhemmelighed")).person.id
    ibrahim = create_person(ctx, PersonDraft("Ibrahim", "Ibrahimsen", birth_date=date(2008, 5, 1),
                                             gender=Gender.MALE)).person.id
    recent = create_person(ctx, PersonDraft("Nyere", "Kontakt")).person.id
    running = create_person(ctx, PersonDraft("Igangværende", "Forløb")).person.id
    for day in (date(2019, 3, 4), date(2019, 9, 9), date(2020, 2, 3)):
        log_contact(ctx, ContactDraft("phone", person_ids=(zenobia, ibrahim),
                                      occurred_at=datetime.combine(day, datetime.min.time()),
                                      duration_minutes=30, note="Flyttesnak med Zenobia"))
    focus = activity_choices(ctx).focus_areas[0].id
    course = create_activity(ctx, ActivityDraft("Lektiecafé", ActivityKind.HOMEWORK_CAFE,
                                                ActivityMode.COURSE, focus,
                                                start_date=date(2019, 1, 1)))
    enroll(ctx, EnrollmentDraft(course.id, ibrahim, date(2019, 3, 1), date(2019, 12, 20),
                                goals="Flyttesnak om skolen", end_reason=EndReason.COMPLETED))
    enroll(ctx, EnrollmentDraft(course.id, running, date(2019, 3, 1)))
    ctx.clock = FixedClock(datetime(2026, 11, 20, 9, 0))
    log_contact(ctx, ContactDraft("phone", person_ids=(recent,)))
    ctx.clock = FixedClock(datetime(2026, 11, 25, 10, 30))
    return {"zenobia": zenobia, "ibrahim": ibrahim, "recent": recent, "running": running}


def _figures(ctx: AppContext, year: int) -> object:
    summary = compute_summary(ctx, SummaryFilter(date(year, 1, 1), date(year, 12, 31)))
    return summary.tables, summary.key_figures


def test_due_people_are_anonymised_with_every_figure_kept_and_no_trace_in_the_file(
        ctx: AppContext) -> None:
    people = _old_world(ctx)
    due = retention.due_people(ctx)
    assert [d.name for d in due] == ["Ibrahim Ibrahimsen", "Zenobia Quistgaard"]
    assert due[1].last_activity == date(2020, 2, 3)
    before = {year: _figures(ctx, year) for year in (2019, 2020)}

    done = retention.anonymise(ctx, [people["zenobia"], people["ibrahim"], people["recent"]])
    assert (done.people, done.vacuumed) == (2, True)  # "recent" is not due: left alone
    assert done.texts_cleared >= 4
    for year in (2019, 2020):
        assert _figures(ctx, year) == before[year], year

    for name in ("zenobia", "ibrahim"):
        with pytest.raises(NotFound):
            get_person(ctx, people[name])
    listed = {p.id for p in list_people(ctx, "").items}
    assert people["zenobia"] not in listed and people["recent"] in listed
    assert retention.due_people(ctx) == []
    with ctx.read() as unit:
        details = list(unit.session.scalars(select(AuditEntry.detail).where(
            AuditEntry.entity == "retention")))
    assert details == ["retention run: 2 people anonymised, "
                       f"{done.texts_cleared} texts cleared, period 60 months"]

    path = ctx.db.path
    assert path is not None
    plain = decrypted_pages(path.read_bytes(), ctx.db_key)
    wal = Path(f"{path}-wal")
    wal_plain = decrypted_pages(wal.read_bytes(), ctx.db_key, 32 + 24, 24 + PAGE) \
        if wal.exists() else b""
    assert b"Nyere" in plain + wal_plain  # the pages did decrypt
    for word in REMOVED:
        assert word.encode() not in plain, word
        assert word.encode() not in wal_plain, word


def test_only_an_administrator_runs_retention(ctx: AppContext) -> None:
    lead = dataclasses.replace(ctx, actor=dataclasses.replace(ctx.actor, role=Role.TEAM_LEAD))
    with pytest.raises(PermissionDenied):
        retention.due_people(lead)
    with pytest.raises(PermissionDenied):
        retention.anonymise(lead, [1])


def test_the_retention_command_lists_and_anonymises(
        ctx: AppContext, created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _old_world(ctx)
    lock(ctx)  # the command opens the file itself
    monkeypatch.setenv("BOLIGSAG_PASSWORD", created_db.password)
    assert main(["retention", str(created_db.path), "--list"]) == 0
    listed = capsys.readouterr().out
    assert "2 people with no contact, enrollment, job, referral or consent in the last " \
           "60 months:" in listed
    assert "2020-02-03  Zenobia Quistgaard" in listed
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: must say --yes
    assert main(["retention", str(created_db.path), "--anonymise"]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert main(["retention", str(created_db.path), "--anonymise", "--yes"]) == 0
    assert "Anonymised 2 people" in capsys.readouterr().out
    assert main(["retention", str(created_db.path), "--list"]) == 0
    assert "0 people" in capsys.readouterr().out

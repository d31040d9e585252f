"""Indsigt (issue 13 §3; services/indsigt.py): one person's access report as a PDF built
in memory, holding their registry data, household, contacts (an SSP note listed but its
text never), enrollments, jobs, consents, referrals, the letters printed about them and
the access log with a colleague's view; making it is audited, printing and saving it
too, and a staff member without the audit permission cannot make it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from boligsag.domain.enums import ActivityKind, ActivityMode, AuditAction, JobKind, Role
from boligsag.services.activities import ActivityDraft, activity_choices, create_activity
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.enrollments import EnrollmentDraft, enroll
from boligsag.services.errors import PermissionDenied
from boligsag.services.indsigt import render_indsigt_report
from boligsag.services.jobs import JobDraft, create_job
from boligsag.services.letters import (
    LetterKind,
    record_letter_output,
    render_referral_letter,
    save_pdf,
)
from boligsag.services.people import get_person
from boligsag.services.unlock import lock, unlock
from boligsag.services.users import create_user
from boligsag.storage.models import AuditEntry

from ..conftest import CreatedDb
from . import test_letters
from .casework_helpers import give_ssp_access
from .test_letters import World, text_of

world = test_letters.world

PLANTED_SSP = "Zorbaklint-plantet-SSP-tekst"
SHOTS = Path("/tmp/shots/indsigt")
PASSWORD = "mette-har-en-lang-kode"


def _life(ctx: AppContext, created_db: CreatedDb, person: int) -> None:
    """Contacts (one an SSP note), an enrollment, a job, a letter printed, and a
    colleague who opened the person's page."""
    log_contact(ctx, ContactDraft("phone", person_ids=(person,), duration_minutes=20,
                                  occurred_at=datetime(2026, 11, 2, 9, 30),
                                  note="Talte om lektiehjælp til Tuấn"))
    give_ssp_access(ctx)
    log_contact(ctx, ContactDraft("phone", person_ids=(person,), ssp_locked=True,
                                  occurred_at=datetime(2026, 11, 3, 14, 0), note=PLANTED_SSP))
    focus = activity_choices(ctx).focus_areas[0].id
    course = create_activity(ctx, ActivityDraft("Mødregruppen", ActivityKind.MENTORING,
                                                ActivityMode.COURSE, focus,
                                                start_date=date(2026, 1, 1)))
    enroll(ctx, EnrollmentDraft(course.id, person, date(2026, 9, 1), goals="Lære dansk"))
    create_job(ctx, JobDraft(person, JobKind.LEISURE, "Netto Vollsmose", date(2026, 6, 1),
                             hours_per_week=Decimal(6)))
    create_user(ctx, "mette", "Mette Kjær", Role.STAFF, PASSWORD)
    colleague = unlock(created_db.path, "mette", PASSWORD,
                       clock=FixedClock(datetime(2026, 11, 24, 13, 15)))
    try:
        get_person(colleague, person)
        with pytest.raises(PermissionDenied):  # staff may not make an access report
            render_indsigt_report(colleague, person)
    finally:
        lock(colleague)


def test_the_report_holds_everything_about_the_person_and_never_an_ssp_text(
        ctx: AppContext, created_db: CreatedDb, world: World) -> None:
    hang = world.people["hang"]
    record_letter_output(ctx, render_referral_letter(ctx, world.referrals["hang"]),
                         AuditAction.PRINT)
    _life(ctx, created_db, hang)
    get_person(ctx, hang)

    report = render_indsigt_report(ctx, hang)
    assert report.data.startswith(b"%PDF") and report.kind is LetterKind.INDSIGT
    assert report.suggested_filename == "indsigt-2026-11-25.pdf"
    text = text_of(report.data)
    for expected in ["Indsigt: de oplysninger, vi har om dig", "Nguyễn Thị Hằng",
                     "030491-1234", "Familien Trần", "Talte om lektiehjælp til Tuấn",
                     "SSP-notat, vises ikke", "retsplejelovens § 115", "Mødregruppen",
                     "Lære dansk", "Netto Vollsmose", "Sundhedsplejen",
                     "Henvisningsbrev", "Udskrevet", "Hvem har set eller ændret",
                     "Mette Kjær", "Datatilsynet"]:
        assert expected in text, expected
    assert PLANTED_SSP not in text and PLANTED_SSP.encode() not in report.data
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "indsigt.pdf").write_bytes(report.data)  # turned into PNGs to look at
    # Other people of the household are not listed with their data.
    assert "01.02.1988" not in text

    with ctx.read() as unit:
        entry = unit.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and (entry.action, entry.detail) == (AuditAction.VIEW, "indsigt")


def test_printing_and_saving_the_report_are_audited(
        ctx: AppContext, world: World, tmp_path: Path) -> None:
    report = render_indsigt_report(ctx, world.people["sukru"])
    record_letter_output(ctx, report, AuditAction.PRINT)
    target = save_pdf(ctx, report, tmp_path / "indsigt.pdf")
    assert target.read_bytes() == report.data
    with ctx.read() as unit:
        actions = [(e.action, e.detail) for e in unit.session.scalars(
            select(AuditEntry).order_by(AuditEntry.id.desc()).limit(3))]
    assert actions == [(AuditAction.SAVE_PDF, "indsigt"), (AuditAction.PRINT, "indsigt"),
                       (AuditAction.VIEW, "indsigt")]

"""SSP-locked notes (issue 13 §5; services/ssp_notes.py): only staff with SSP access
mark, read (with a purpose, audited) or change an SSP note; everyone else sees that it
exists; and no list, timeline, follow-up, search, export, letter or indsigt carries its
text. A planted note is looked for in every one of those outputs."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from boligsag.domain.enums import AuditAction, Role
from boligsag.services.access_log import AccessQuery, access_log, to_csv
from boligsag.services.contacts import (
    ContactDraft,
    ContactFilters,
    delete_contact,
    get_contact,
    list_contacts,
    log_contact,
    quick_log_choices,
    reveal_ssp_note,
    update_contact,
)
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import PermissionDenied, ValidationFailed
from boligsag.services.follow_ups import due_follow_ups
from boligsag.services.indsigt import render_indsigt_report
from boligsag.services.letters import render_referral_letter
from boligsag.services.people_search import search_people
from boligsag.services.staff import get_staff, staff_input, update_staff
from boligsag.services.summaries.export import export_summary
from boligsag.services.timeline import person_timeline
from boligsag.storage.models import AuditEntry, Contact
from boligsag.summaries.filter import SummaryFilter

from ..conftest import CreatedDb
from . import test_letters
from .casework_helpers import add_user, give_ssp_access, logged_in
from .test_letters import World, text_of

world = test_letters.world

PLANTED = "Kvorbelund-plantet-SSP-notat"
PURPOSE = "Møde i SSP-samrådet torsdag"


def _ssp_contact(ctx: AppContext, person_id: int) -> int:
    return log_contact(ctx, ContactDraft(
        "in_person", person_ids=(person_id,), ssp_locked=True, note=PLANTED,
        occurred_at=datetime(2026, 11, 20, 15, 0), follow_up_date=date(2026, 11, 24))).id


def _stored_note(ctx: AppContext, contact_id: int) -> str:
    with ctx.read() as unit:
        return unit.session.get_one(Contact, contact_id).note


def test_only_staff_with_ssp_access_mark_read_or_change_an_ssp_note(
        ctx: AppContext, created_db: CreatedDb, clock: FixedClock, world: World) -> None:
    hang = world.people["hang"]
    draft = ContactDraft("phone", person_ids=(hang,), ssp_locked=True, note=PLANTED)
    with pytest.raises(PermissionDenied):  # the administrator has no SSP access yet
        log_contact(ctx, draft)
    assert quick_log_choices(ctx).ssp_access is False
    give_ssp_access(ctx)
    assert quick_log_choices(ctx).ssp_access is True
    contact_id = _ssp_contact(ctx, hang)

    # Even its author reads the text only by asking for it, with a purpose.
    row = get_contact(ctx, contact_id)
    assert (row.ssp_locked, row.note, row.note_withheld) == (True, "", True)
    with pytest.raises(ValidationFailed):
        reveal_ssp_note(ctx, contact_id, "  ")
    assert reveal_ssp_note(ctx, contact_id, PURPOSE) == PLANTED
    with ctx.read() as unit:
        entry = unit.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == AuditAction.VIEW
    assert entry.detail == f"SSP note; purpose: {PURPOSE}"

    add_user(ctx, "mette", Role.STAFF)
    with logged_in(created_db, clock, "mette") as mette:
        row = get_contact(mette, contact_id)
        assert (row.ssp_locked, row.note, row.note_withheld) == (True, "", True)
        with pytest.raises(PermissionDenied):
            reveal_ssp_note(mette, contact_id, PURPOSE)
        # Her edit of the other fields keeps the note she never had.
        changed = update_contact(mette, contact_id, row.version,
                                 replace(row.to_draft(), duration_minutes=45))
        assert changed.duration_minutes == 45 and _stored_note(ctx, contact_id) == PLANTED
        for refused in (replace(changed.to_draft(), keep_note=False, note="Overskrevet"),
                        replace(changed.to_draft(), ssp_locked=False)):
            with pytest.raises(PermissionDenied):
                update_contact(mette, contact_id, changed.version, refused)
        with pytest.raises(PermissionDenied):
            delete_contact(mette, contact_id, changed.version)
        with pytest.raises(PermissionDenied):
            log_contact(mette, draft)
    assert _stored_note(ctx, contact_id) == PLANTED

    # Taken away, it holds at once (read from the user's row, not the log-in).
    row = get_staff(ctx, ctx.actor.user_id)
    update_staff(ctx, row.id, replace(staff_input(row), ssp_access=False), stamp=row.stamp)
    with pytest.raises(PermissionDenied):
        reveal_ssp_note(ctx, contact_id, PURPOSE)


def test_no_output_carries_the_text_of_an_ssp_note(
        ctx: AppContext, created_db: CreatedDb, clock: FixedClock, world: World,
        tmp_path: Path) -> None:
    hang = world.people["hang"]
    give_ssp_access(ctx)
    contact_id = _ssp_contact(ctx, hang)
    add_user(ctx, "mette", Role.TEAM_LEAD)
    with logged_in(created_db, clock, "mette") as mette:
        outputs = _every_output(mette, hang, world.referrals["hang"], tmp_path / "mette")
    # The SSP user's outputs too: not even the note's reader gets it outside the contact.
    outputs += _every_output(ctx, hang, world.referrals["hang"], tmp_path / "admin")
    assert len(outputs) == 2 * 10
    for name, text in outputs:
        assert PLANTED not in text, name
    assert reveal_ssp_note(ctx, contact_id, PURPOSE) == PLANTED  # it is there to find


def _every_output(ctx: AppContext, person_id: int, referral: int,
                  folder: Path) -> list[tuple[str, str]]:
    folder.mkdir()
    out: list[tuple[str, str]] = []
    contacts = list_contacts(ctx).items + list_contacts(ctx, ContactFilters(
        person_id=person_id)).items
    out.append(("contact lists", repr(contacts)))
    out.append(("timeline", repr(person_timeline(ctx, person_id))))
    out.append(("follow-ups", repr(due_follow_ups(ctx, date(2026, 11, 25)))))
    with ctx.read() as unit:
        found = search_people(unit.session, ctx, PLANTED.split("-")[0], limit=20)
    out.append(("search", repr(found)))
    out.append(("indsigt", text_of(render_indsigt_report(ctx, person_id).data)))
    out.append(("referral letter", text_of(render_referral_letter(ctx, referral).data)))
    period = SummaryFilter(date(2026, 1, 1), date(2026, 12, 31))
    for fmt in ("csv", "xlsx", "pdf"):
        target = folder / f"summary.{fmt}"
        export_summary(ctx, period, fmt, target)
        out.append((f"summary {fmt}", _text(target)))
    rows = access_log(ctx, AccessQuery()).items
    out.append(("access log", to_csv(rows, "da").decode("utf-8")))
    return out


def _text(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return text_of(data)
    if path.suffix == ".xlsx":
        book = load_workbook(io.BytesIO(data), read_only=True)
        return json.dumps([[cell for row in sheet.iter_rows(values_only=True) for cell in row]
                           for sheet in book.worksheets], default=str, ensure_ascii=False)
    return data.decode("utf-8-sig")


def test_a_volunteer_is_never_given_ssp_access(ctx: AppContext) -> None:
    volunteer = add_user(ctx, "vera", Role.VOLUNTEER)
    row = get_staff(ctx, volunteer)
    with pytest.raises(ValidationFailed) as refused:
        update_staff(ctx, row.id, replace(staff_input(row), ssp_access=True), stamp=row.stamp)
    assert refused.value.field_messages() == {
        "ssp_access": "En frivillig kan ikke have SSP-adgang."}
    staff = add_user(ctx, "mette", Role.STAFF)
    row = get_staff(ctx, staff)
    update_staff(ctx, row.id, replace(staff_input(row), ssp_access=True), stamp=row.stamp)
    row = get_staff(ctx, staff)
    with pytest.raises(ValidationFailed):  # nor keeps it when made one
        update_staff(ctx, row.id, replace(staff_input(row), role=Role.VOLUNTEER),
                     stamp=row.stamp)
    assert get_staff(ctx, staff).ssp_access

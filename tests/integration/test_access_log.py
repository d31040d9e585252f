"""The access log (issue 13 §4; services/access_log.py) on a real encrypted file: who
viewed or changed whom, filtered by person, staff member, action and period, newest
first; the CSV export for the data-protection officer holds the same entries, is
audited before the file appears and refuses the database's own files; a staff member
without the audit permission is refused."""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from boligsag.cli import main
from boligsag.domain.enums import AuditAction, Role
from boligsag.services import access_log
from boligsag.services.access_log import AccessQuery
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import PermissionDenied
from boligsag.services.output_files import OutputRefused
from boligsag.services.people import PersonDraft, create_person, get_person, update_person
from boligsag.services.unlock import lock, unlock
from boligsag.services.users import create_user

from ..conftest import CreatedDb

KAMAL_PASSWORD = "kamal-har-en-lang-kode"


def _kamal(ctx: AppContext, created_db: CreatedDb) -> AppContext:
    create_user(ctx, "kamal", "Kamal Østergård", Role.TEAM_LEAD, KAMAL_PASSWORD)
    return unlock(created_db.path, "kamal", KAMAL_PASSWORD,
                  clock=FixedClock(datetime(2026, 11, 26, 14, 5)))


def test_the_log_shows_who_saw_and_changed_whom_filtered_and_newest_first(
        ctx: AppContext, created_db: CreatedDb) -> None:
    hanne = create_person(ctx, PersonDraft("Hanne", "Ærbø")).person
    ali = create_person(ctx, PersonDraft("Ali", "Aydın")).person
    kamal = _kamal(ctx, created_db)
    try:
        get_person(kamal, hanne.id)  # Kamal opens Hanne the next day
        detail = get_person(kamal, hanne.id)
        update_person(kamal, hanne.id, detail.person.version,
                      replace(detail.to_draft(), phone="20 30 40 50"))
        get_person(kamal, ali.id)
    finally:
        lock(kamal)

    about_hanne = access_log.access_log(ctx, AccessQuery(person_ids=(hanne.id,))).items
    assert [(r.username, r.action) for r in about_hanne] == [
        ("kamal", AuditAction.UPDATE), ("kamal", AuditAction.VIEW),
        ("kamal", AuditAction.VIEW), ("admin", AuditAction.CREATE)]
    assert {r.person_name for r in about_hanne} == {"Hanne Ærbø"}
    assert about_hanne[0].staff_name == "Kamal Østergård"
    assert about_hanne[0].at == datetime(2026, 11, 26, 14, 5)

    views = AccessQuery(action=AuditAction.VIEW,
                        user_id=next(c.id for c in access_log.staff_choices(ctx)
                                     if c.username == "kamal"))
    assert [r.person_name for r in access_log.access_log(ctx, views).items] == [
        "Ali Aydın", "Hanne Ærbø", "Hanne Ærbø"]
    assert access_log.count_entries(ctx, views) == 3
    the_day_before = AccessQuery(person_ids=(hanne.id,), date_to=date(2026, 11, 25))
    assert [r.username for r in access_log.access_log(ctx, the_day_before).items] == ["admin"]
    later = AccessQuery(person_ids=(hanne.id,), date_from=date(2026, 11, 27))
    assert access_log.access_log(ctx, later).items == ()

    page = access_log.access_log(ctx, AccessQuery(person_ids=(hanne.id,)), limit=2)
    assert len(page.items) == 2 and page.has_more


def test_the_csv_export_holds_the_entries_and_is_audited(
        ctx: AppContext, tmp_path: Path) -> None:
    hanne = create_person(ctx, PersonDraft("Hanne", "Ærbø")).person
    get_person(ctx, hanne.id)
    target = tmp_path / "adgangslog.csv"
    query = AccessQuery(person_ids=(hanne.id,))
    assert access_log.export_access_log(ctx, query, target) == 2
    data = target.read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Tidspunkt", "Brugernavn", "Medarbejder", "Handling", "Post", "Person",
                       "Detaljer"]
    assert [(r[1], r[3], r[5]) for r in rows[1:]] == [("admin", "Set", "Hanne Ærbø"),
                                                      ("admin", "Oprettet", "Hanne Ærbø")]
    assert target.stat().st_mode & 0o777 == 0o600
    newest = access_log.access_log(ctx, AccessQuery(action=AuditAction.EXPORT)).items[0]
    assert newest.entity == "audit_entries"
    assert newest.detail == f"access log csv people={hanne.id} .. rows=2"


def test_the_export_refuses_the_databases_own_file_and_a_staff_member(
        ctx: AppContext, created_db: CreatedDb) -> None:
    before = created_db.path.read_bytes()
    with pytest.raises(OutputRefused):
        access_log.export_access_log(ctx, AccessQuery(), created_db.path)
    assert created_db.path.read_bytes() == before
    staff = dataclasses.replace(ctx, actor=dataclasses.replace(ctx.actor, role=Role.STAFF))
    with pytest.raises(PermissionDenied):
        access_log.access_log(staff, AccessQuery())
    with pytest.raises(PermissionDenied):
        access_log.export_access_log(staff, AccessQuery(), created_db.path.with_name("x.csv"))


def test_the_access_log_command_writes_the_csv(
        ctx: AppContext, created_db: CreatedDb, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    hanne = create_person(ctx, PersonDraft("Hanne", "Ærbø")).person
    get_person(ctx, hanne.id)
    lock(ctx)
    monkeypatch.setenv("BOLIGSAG_PASSWORD", created_db.password)
    target = tmp_path / "log.csv"
    assert main(["access-log", str(created_db.path), "--out", str(target),
                 "--person", str(hanne.id), "--action", "view"]) == 0
    assert "1 access log entry written" in capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))
    assert [(r[1], r[3], r[5]) for r in rows[1:]] == [("admin", "Set", "Hanne Ærbø")]
    assert main(["access-log", str(created_db.path), "--out", str(target),
                 "--staff", "nobody"]) == 2

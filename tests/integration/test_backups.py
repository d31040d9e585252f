"""Encrypted backups (issue 13 §1; services/backups.py, services/restore.py,
storage/file_copies.py) on a real encrypted file: a backup lands in the folder only
verified, opens with the same password, holds exactly the source's rows and no
plaintext; a copy that fails its verification is reported, audited and leaves nothing;
a missing folder says so; rotation keeps 7 daily, 4 weekly and 12 monthly; a restore
puts the backup back with the current files kept aside, refuses while the database is
open and puts everything back when it fails; ``boligsag backup`` and ``boligsag
restore`` do the same from a script."""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from boligsag.cli import main
from boligsag.domain.enums import AuditAction, Role
from boligsag.services import backups, restore
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import PermissionDenied, ValidationFailed
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import file_copies, keys
from boligsag.storage.engine import keyed_connection
from boligsag.storage.file_copies import CopyDamaged
from boligsag.storage.models import AuditEntry, Person

from ..conftest import CreatedDb

PLANTED = "Zenobia Quistgaard-Fjeldsøe"


def _person(ctx: AppContext, first: str = "Zenobia", last: str = "Quistgaard-Fjeldsøe") -> None:
    create_person(ctx, PersonDraft(first_name=first, last_name=last))


def _open(path: Path, password: str) -> AppContext:
    return unlock(path, "admin", password, options=UnlockOptions(integrity_check=False))


def test_a_backup_is_verified_opens_with_the_password_and_holds_no_plaintext(
        ctx: AppContext, created_db: CreatedDb, tmp_path: Path) -> None:
    _person(ctx)
    folder = tmp_path / "usb"
    folder.mkdir()
    made = backups.take_backup(ctx, folder)
    assert made.rows > 0
    assert made.path.name.startswith("boligsag-backup-") and made.path.suffix == ".db"
    assert sorted(p.name for p in folder.iterdir()) == [made.path.name,
                                                        made.path.name + ".keys"]
    for file in folder.iterdir():
        assert file.stat().st_mode & 0o777 == 0o600
        assert PLANTED.encode() not in file.read_bytes()
        assert "Zenobia".encode("utf-16-le") not in file.read_bytes()
    copy = _open(made.path, created_db.password)
    try:
        with copy.db.reading() as session:
            names = set(session.scalars(select(Person.last_name)))
    finally:
        lock(copy)
    assert "Quistgaard-Fjeldsøe" in names
    with ctx.db.reading() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "backup")
                                .order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == AuditAction.EXPORT
    assert entry.detail.startswith(f"backup {made.path.name} verified: {made.rows} rows")
    assert backups.list_backups(folder, ctx) == [
        backups.Backup(made.path, made.taken_at)]
    # The copy's audit log checks against the anchor in its own key file.
    os.environ["BOLIGSAG_PASSWORD"] = created_db.password
    try:
        assert main(["check", str(made.path)]) == 0
    finally:
        del os.environ["BOLIGSAG_PASSWORD"]


def test_a_copy_that_fails_verification_is_reported_audited_and_leaves_nothing(
        ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = file_copies.write_copy

    def short_by_one(engine, db_key, target):  # type: ignore[no-untyped-def]
        counts = real(engine, db_key, target)
        return {**counts, "people": counts["people"] + 1}  # as if a row went missing

    monkeypatch.setattr(backups, "write_copy", short_by_one)
    folder = tmp_path / "usb"
    folder.mkdir()
    with pytest.raises(CopyDamaged) as refused:
        backups.take_backup(ctx, folder)
    assert "other row counts in people" in str(refused.value)
    assert list(folder.iterdir()) == []
    with ctx.db.reading() as session:
        failed = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "backup", AuditEntry.action == AuditAction.OUTPUT_FAILED))
    assert failed == 1


def test_a_damaged_copy_is_caught_by_the_check(ctx: AppContext, tmp_path: Path) -> None:
    _person(ctx)
    folder = tmp_path / "usb"
    folder.mkdir()
    made = backups.take_backup(ctx, folder)
    intact = keyed_connection(made.path, ctx.db_key)
    try:
        counts = file_copies.table_counts(intact)
    finally:
        intact.close()
    file_copies.verify_copy(made.path, ctx.db_key, counts)  # a good copy passes
    data = bytearray(made.path.read_bytes())
    for page_start in range(4096, len(data), 4096):  # one byte in each page but the first
        data[page_start + 2000] ^= 0x5A
    made.path.write_bytes(bytes(data))
    with pytest.raises(CopyDamaged) as damaged:
        file_copies.verify_copy(made.path, ctx.db_key, counts)
    assert "other row counts" not in str(damaged.value)  # the page check caught it


def test_a_missing_folder_or_a_staff_member_gets_a_clear_refusal(
        ctx: AppContext, tmp_path: Path) -> None:
    with pytest.raises(backups.BackupFolderMissing) as missing:
        backups.take_backup(ctx, tmp_path / "unplugged-usb")
    assert "unplugged-usb" in str(missing.value)
    ctx.actor = dataclasses.replace(ctx.actor, role=Role.STAFF)
    with pytest.raises(PermissionDenied):
        backups.take_backup(ctx, tmp_path)
    # An automatic backup (at lock, daily) is the program's: made for any user.
    assert backups.take_backup(ctx, tmp_path, automatic=True).path.exists()


def test_rotation_keeps_the_newest_eight_seven_days_four_weeks_and_twelve_months(
        ctx: AppContext, tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    start = datetime(2025, 1, 1, 22, 0)
    for day in range(0, 400, 1):  # a backup every evening for 400 days
        ctx.clock = FixedClock(start + timedelta(days=day))
        backups.take_backup(ctx, folder, automatic=True)
    removed = backups.rotate(folder, ctx)
    left = [b.taken_at.date() for b in backups.list_backups(folder, ctx)]
    newest = (start + timedelta(days=399)).date()
    assert left[:7] == [newest - timedelta(days=n) for n in range(7)]
    weeks = {d.isocalendar()[:2] for d in left}
    months = {(d.year, d.month) for d in left}
    assert len(months) == 12 and len(weeks) >= 4
    assert len(left) + len(removed) == 400 and len(left) <= 8 + 7 + 4 + 12
    assert len(list(folder.iterdir())) == 2 * len(left)  # each with its key file


def test_the_backup_command_writes_a_verified_backup(
        created_db: CreatedDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "nightly"
    folder.mkdir()
    monkeypatch.setenv("BOLIGSAG_PASSWORD", created_db.password)
    assert main(["backup", str(created_db.path), "--to", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Backup written and verified: ")
    (copy,) = [p for p in folder.iterdir() if p.suffix == ".db"]
    assert keys.keys_path_for(copy).exists()
    assert main(["backup", str(created_db.path), "--to", str(tmp_path / "gone")]) == 1
    err = capsys.readouterr().err
    assert "cannot be reached" in err and os.fspath(tmp_path / "gone") in err


def test_restore_puts_the_backup_back_keeps_the_current_files_aside_and_audits(
        created_db: CreatedDb, tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    ctx = _open(created_db.path, created_db.password)
    try:
        _person(ctx, "Før", "Sikkerhedskopien")
        made = backups.take_backup(ctx, folder)
        _person(ctx, "Efter", "Sikkerhedskopien")  # not in the backup
    finally:
        lock(ctx)
    contents = restore.inspect_backup(made.path, "admin", created_db.password)
    # Looked at read-only: nothing is left beside the backup (no -wal, no -shm).
    assert sorted(p.name for p in folder.iterdir()) == [made.path.name,
                                                        made.path.name + ".keys"]
    assert contents.taken_at == made.taken_at and contents.rows == made.rows
    result = restore.restore_backup(made.path, created_db.path, "admin",
                                    created_db.password)
    assert [p.name.split(".before-restore-")[0] for p in result.set_aside] == [
        "boligsag.db", "boligsag.db.keys"]
    ctx = _open(created_db.path, created_db.password)
    try:
        with ctx.db.reading() as session:
            firsts = set(session.scalars(select(Person.first_name)))
            last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    finally:
        lock(ctx)
    assert "Før" in firsts and "Efter" not in firsts
    restored = [e for e in _details(created_db) if e.startswith("restored from backup")]
    assert restored == [f"restored from backup {made.path.name} (taken "
                        f"{made.taken_at.isoformat(sep=' ')}, {made.rows} rows)"]
    assert last is not None
    # The database as it was, set aside, still opens and holds the later person.
    kept = result.set_aside[0]
    keys.keys_path_for(kept).write_bytes(result.set_aside[1].read_bytes())
    before = _open(kept, created_db.password)
    try:
        with before.db.reading() as session:
            assert "Efter" in set(session.scalars(select(Person.first_name)))
    finally:
        lock(before)


def _details(created_db: CreatedDb) -> list[str]:
    ctx = _open(created_db.path, created_db.password)
    try:
        with ctx.db.reading() as session:
            return list(session.scalars(select(AuditEntry.detail).order_by(AuditEntry.id)))
    finally:
        lock(ctx)


def test_restore_refuses_while_the_database_is_open_and_changes_nothing(
        ctx: AppContext, created_db: CreatedDb, tmp_path: Path) -> None:
    made = backups.take_backup(ctx, tmp_path)
    before = sorted(p.name for p in created_db.path.parent.iterdir())
    with pytest.raises(restore.DatabaseOpenElsewhere):
        restore.restore_backup(made.path, created_db.path, "admin", created_db.password)
    assert sorted(p.name for p in created_db.path.parent.iterdir()) == before


def test_a_restore_that_fails_puts_the_current_files_back(
        created_db: CreatedDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = _open(created_db.path, created_db.password)
    try:
        made = backups.take_backup(ctx, tmp_path)
    finally:
        lock(ctx)
    original = created_db.path.read_bytes()

    def fails(*_args: object) -> None:
        raise CopyDamaged(created_db.path, "the restored database holds fewer rows")

    monkeypatch.setattr(restore, "_check_and_audit", fails)
    with pytest.raises(CopyDamaged):
        restore.restore_backup(made.path, created_db.path, "admin", created_db.password)
    assert created_db.path.read_bytes() == original
    assert not [p for p in created_db.path.parent.iterdir() if "before-restore" in p.name
                or p.name.startswith(".bs-")]


def test_the_restore_command_shows_the_backup_and_restores_with_yes(
        created_db: CreatedDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", created_db.password)
    assert main(["backup", str(created_db.path), "--to", str(tmp_path)]) == 0
    (copy,) = [p for p in tmp_path.iterdir() if p.suffix == ".db"]
    capsys.readouterr()
    assert main(["restore", str(copy), str(created_db.path), "--yes"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Backup taken ") and " rows (people " in out[0]
    assert out[1] == f"Restored {created_db.path} from {copy.name}."
    assert out[2].startswith(f"The database as it was is kept as {created_db.path}.before-restore-")


def test_automatic_backups_need_a_folder_a_change_and_for_the_daily_one_a_day(
        ctx: AppContext, tmp_path: Path) -> None:
    assert backups.automatic_backup(ctx) is None  # no folder chosen: nothing
    backups.set_backup_folder(ctx, tmp_path)
    first = backups.automatic_backup(ctx)
    assert first is not None  # never backed up: the setup is a change
    assert backups.automatic_backup(ctx) is None  # nothing changed since
    _person(ctx, "Ny", "Person")
    start = ctx.clock.now()
    ctx.clock = FixedClock(start + timedelta(hours=23))
    assert backups.automatic_backup(ctx, older_than=timedelta(hours=24)) is None
    ctx.clock = FixedClock(start + timedelta(hours=25))
    daily = backups.automatic_backup(ctx, older_than=timedelta(hours=24))
    assert daily is not None and daily.taken_at == start + timedelta(hours=25)
    with ctx.db.reading() as session:
        detail = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.entity == "backup").order_by(AuditEntry.id.desc())).first()
    assert detail is not None and "(automatic) verified" in detail


def test_a_killed_backups_temporary_files_go_after_an_hour(
        ctx: AppContext, tmp_path: Path) -> None:
    old, young = tmp_path / ".bs-0123456789ab.tmp", tmp_path / ".bs-ba9876543210.tmp"
    for leftover in (old, young):
        leftover.write_bytes(b"part of a copy")
    an_hour_ago = time.time() - backups.ABANDONED_AFTER_S - 60
    os.utime(old, (an_hour_ago, an_hour_ago))
    made = backups.take_backup(ctx, tmp_path)
    assert not old.exists() and young.exists()  # young: maybe another computer's, writing
    assert made.path.exists()


def test_rotation_keeps_several_backups_of_one_day_and_a_protected_one(
        ctx: AppContext, tmp_path: Path) -> None:
    made = [backups.take_backup(ctx, tmp_path, automatic=True) for _ in range(10)]
    # Ten in one second (the fixed clock): named -2 … -10, newest last.
    assert [b.path for b in backups.list_backups(tmp_path, ctx)] == [
        m.path for m in reversed(made)]
    removed = backups.rotate(tmp_path, ctx, protect=frozenset({made[0].path}))
    assert sorted(removed) == sorted([made[1].path])  # 8 newest, and the protected one
    assert made[0].path.exists() and made[-1].path.exists()


def test_the_rotation_chosen_in_administration_is_what_automatic_backups_keep(
        ctx: AppContext, tmp_path: Path) -> None:
    backups.set_backup_folder(ctx, tmp_path)
    assert backups.keep_of(ctx) == backups.Keep()  # 7 days, 4 weeks, 12 months
    with pytest.raises(ValidationFailed) as refused:
        backups.set_keep(ctx, 0, 4, 500)
    assert refused.value.field_messages() == {"daily": "Vælg et tal fra 1 til 90.",
                                              "monthly": "Vælg et tal fra 1 til 120."}
    backups.set_keep(ctx, 2, 1, 1)
    start = datetime(2026, 1, 5, 22, 0)
    for day in range(20):  # an evening's automatic backup for 20 days, a change each day
        ctx.clock = FixedClock(start + timedelta(days=day))
        _person(ctx, "Dag", f"Nummer{day}")
        assert backups.automatic_backup(ctx) is not None
    left = backups.list_backups(tmp_path, ctx)
    assert len(left) == 8  # the 8 newest (which hold the 2 days, the week, the month)
    set_keep_detail = "backup rotation: 2 daily, 1 weekly, 1 monthly"
    with ctx.db.reading() as session:
        assert session.scalars(select(AuditEntry.detail).where(
            AuditEntry.detail == set_keep_detail)).one()
    staff = dataclasses.replace(ctx, actor=dataclasses.replace(ctx.actor, role=Role.STAFF))
    with pytest.raises(PermissionDenied):
        backups.set_keep(staff, 7, 4, 12)

"""A database found damaged takes no more writes (issue 13 §1; storage/damage.py): on
a real encrypted file with one page of the people table broken on purpose, the
background integrity check or the first read of that page marks it damaged; from then
on every save is refused with a plain message, the rest still reads, no automatic
backup of it rotates a good one out, and the newest backup restores a file that
works."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from boligsag.services import backups, restore
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person, get_person
from boligsag.services.staff import list_staff
from boligsag.services.unlock import UnlockOptions, lock, unlock, verify_integrity
from boligsag.storage.damage import is_damaged
from boligsag.storage.errors import DatabaseDamaged, IntegrityFailed
from boligsag.storage.file_checks import checkpoint

from ..conftest import CreatedDb

PAGE = 4096


def _people_page(ctx: AppContext) -> int:
    with ctx.db.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT rootpage FROM sqlite_master WHERE name = 'people'")).scalar_one())


def _damaged(ctx: AppContext, created_db: CreatedDb, folder: Path) -> tuple[AppContext, int]:
    """Two people saved and a verified backup taken; then one bit of the people
    table's page flipped on disk, and the database opened again without the check."""
    first = create_person(ctx, PersonDraft(first_name="Yasmin", last_name="Østergaard"))
    create_person(ctx, PersonDraft(first_name="Bo", last_name="Ærø"))
    folder.mkdir()
    backups.set_backup_folder(ctx, folder)
    backups.take_backup(ctx, folder)
    page = _people_page(ctx)
    checkpoint(ctx.db.engine)
    lock(ctx)
    with open(created_db.path, "r+b") as handle:
        handle.seek((page - 1) * PAGE + 200)
        byte = handle.read(1)
        handle.seek((page - 1) * PAGE + 200)
        handle.write(bytes([byte[0] ^ 0x10]))
    damaged = unlock(created_db.path, "admin", created_db.password,
                     options=UnlockOptions(integrity_check=False))
    return damaged, first.person.id


def test_the_integrity_check_stops_all_writes_and_reading_goes_on(
        ctx: AppContext, created_db: CreatedDb, tmp_path: Path) -> None:
    damaged, _who = _damaged(ctx, created_db, tmp_path / "usb")
    try:
        assert not is_damaged(damaged.db.path)  # the login itself wrote: not yet found
        with pytest.raises(IntegrityFailed):
            verify_integrity(damaged)
        assert is_damaged(damaged.db.path)
        with pytest.raises(DatabaseDamaged) as refused:
            create_person(damaged, PersonDraft(first_name="Ny", last_name="Person"))
        assert refused.value.message() == (
            "Databasen er beskadiget, så der gemmes ikke mere i den. Bed din administrator "
            "om at gendanne den seneste sikkerhedskopi.")
        assert [s.username for s in list_staff(damaged)] == ["admin"]  # other pages read
    finally:
        lock(damaged)


def test_a_damaged_page_met_at_run_time_stops_writes_too(
        ctx: AppContext, created_db: CreatedDb, tmp_path: Path) -> None:
    damaged, who = _damaged(ctx, created_db, tmp_path / "usb")
    try:
        with pytest.raises(IntegrityFailed):  # not the driver's "malformed"
            get_person(damaged, who)
        assert is_damaged(damaged.db.path)
        with pytest.raises(DatabaseDamaged):
            create_person(damaged, PersonDraft(first_name="Ny", last_name="Person"))
        assert [s.username for s in list_staff(damaged)] == ["admin"]  # a fresh connection
    finally:
        lock(damaged)


def test_no_backup_is_made_of_a_damaged_database_and_the_last_good_one_restores(
        ctx: AppContext, created_db: CreatedDb, tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    damaged, who = _damaged(ctx, created_db, folder)
    try:
        with pytest.raises(IntegrityFailed):
            verify_integrity(damaged)
        before = sorted(folder.iterdir())
        assert backups.automatic_backup(damaged) is None
        with pytest.raises(DatabaseDamaged):
            backups.take_backup(damaged, folder)
        assert sorted(folder.iterdir()) == before  # the good backup is still the newest
        newest = backups.list_backups(folder, damaged)[0]
    finally:
        lock(damaged)
    restore.restore_backup(newest.path, created_db.path, "admin", created_db.password)
    restored = unlock(created_db.path, "admin", created_db.password)  # checked this time
    try:
        assert get_person(restored, who).person.first_name == "Yasmin"
        create_person(restored, PersonDraft(first_name="Ny", last_name="Person"))
    finally:
        lock(restored)

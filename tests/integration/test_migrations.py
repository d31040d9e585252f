"""Upgrading databases written by older schema revisions, as unlock does."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, text

from boligsag.services import restore
from boligsag.services.unlock import lock, unlock
from boligsag.storage import keys, migrate
from boligsag.storage.engine import open_engine
from boligsag.storage.errors import DatabaseTooNew
from boligsag.storage.models import AuditEntry, Contact, Person

from ..conftest import ADMIN_PASSWORD, CreatedDb

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _copy_fixture(name: str, target: Path) -> Path:
    shutil.copytree(FIXTURES / name, target)
    return target / "boligsag.db"


def test_database_from_revision_0001_is_upgraded_on_unlock(tmp_path: Path) -> None:
    path = _copy_fixture("rev0001", tmp_path / "old")
    original = path.read_bytes()
    ctx = unlock(path, "admin", ADMIN_PASSWORD)
    try:
        assert migrate.is_at_head(ctx.db.engine)
        with ctx.read() as unit:
            people = {p.first_name for p in unit.session.scalars(select(Person))}
            assert people == {"Şükrü", "Ayşe"}
            contact = unit.session.scalars(select(Contact)).one()
            assert contact.note == "Talte om lektiehjælp"
    finally:
        lock(ctx)
    if migrate.head_revision() != "0001":
        # An encrypted copy of the old file is kept beside it before migrating:
        # owner-only like the database, and no temp file left behind.
        backup = path.parent / "boligsag.db.before-0001.bak"
        assert backup.read_bytes()[:16] == original[:16]
        if os.name == "posix":
            assert backup.stat().st_mode & 0o777 == 0o600
        assert not list(path.parent.glob(".bs-*"))


def test_database_from_a_newer_program_is_refused_untouched(created_db: CreatedDb) -> None:
    _, db_key = keys.KeyStore.load(keys.keys_path_for(created_db.path)).unwrap_for_user(
        "admin", ADMIN_PASSWORD
    )
    engine = open_engine(created_db.path, db_key, integrity_check=False)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    before = created_db.path.read_bytes()
    with pytest.raises(DatabaseTooNew) as raised:
        unlock(created_db.path, "admin", ADMIN_PASSWORD)
    assert str(created_db.path) in str(raised.value)
    assert created_db.path.read_bytes() == before


def test_a_chosen_backup_folder_gets_a_verified_backup_before_the_migration(
        tmp_path: Path) -> None:
    """Issue 13 §1: before every migration, a regular backup (restorable like any other)
    goes into the backup folder, and the unlock's audit says so."""
    path = _copy_fixture("rev0001", tmp_path / "old")
    folder = tmp_path / "usb"
    folder.mkdir()
    _user, key = keys.KeyStore.load(keys.keys_path_for(path)).unwrap_for_user(
        "admin", ADMIN_PASSWORD)
    engine = open_engine(path, key)
    with engine.begin() as conn:  # chosen in Administration while still at 0001
        conn.execute(text("INSERT OR REPLACE INTO settings (key, value) "
                          "VALUES ('backup_folder', :folder)"), {"folder": f'"{folder}"'})
    engine.dispose()

    ctx = unlock(path, "admin", ADMIN_PASSWORD)
    try:
        with ctx.read() as unit:
            detail = unit.session.scalars(select(AuditEntry.detail).where(
                AuditEntry.entity == "backup")).one()
    finally:
        lock(ctx)
    [made] = folder.glob("boligsag-backup-*.db")
    assert detail.startswith(f"backup {made.name} before migrating from 0001 verified: ")
    contents = restore.inspect_backup(made, "admin", ADMIN_PASSWORD)
    assert contents.rows > 0
    backup_engine = open_engine(made, key, read_only=True)
    try:
        assert migrate.current_revision(backup_engine) == "0001"  # the state before it
    finally:
        backup_engine.dispose()

"""Rotating the database key (issue 13 §6; storage/key_rotation.py): the file gets a
new key, the old one opens nothing; the administrator's password stays, the others get
one-time passwords, the old recovery key stops working and the new one works; the audit
log verifies under the new key with the rotation in it; a backup taken before still
restores with the passwords of its time. Interrupted at either end, the next log-in
finishes or drops the rotation, and the data is all there."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from boligsag.cli import main
from boligsag.domain.enums import Role
from boligsag.services.audit_check import verify_audit_log
from boligsag.services.backups import take_backup
from boligsag.services.context import FixedClock
from boligsag.services.key_rotation import RotationRefused, rotate_database_key
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.restore import inspect_backup
from boligsag.services.unlock import UnlockOptions, lock, unlock, unlock_with_recovery_key
from boligsag.services.users import create_user, password_change_required
from boligsag.storage import key_rotation, keys
from boligsag.storage.engine import key_opens
from boligsag.storage.errors import WrongPassword, WrongRecoveryKey
from boligsag.storage.models import AuditEntry, Person

from ..conftest import ADMIN_PASSWORD, CreatedDb

METTE_PASSWORD = "mettes-lange-kode"


def _filled(created_db: CreatedDb, clock: FixedClock, backups: Path | None = None) -> bytes:
    """Two people, a colleague, maybe a backup; the database key."""
    ctx = unlock(created_db.path, "admin", ADMIN_PASSWORD, clock=clock,
                 options=UnlockOptions(integrity_check=False))
    try:
        create_user(ctx, "mette", "Mette Kjær", Role.STAFF, METTE_PASSWORD)
        for first in ("Ayşe", "Omar"):
            create_person(ctx, PersonDraft(first, "Kaya"))
        if backups is not None:
            take_backup(ctx, backups)
        return ctx.db_key
    finally:
        lock(ctx)


def _people(path: Path, username: str, password: str) -> int:
    ctx = unlock(path, username, password, options=UnlockOptions(integrity_check=True))
    try:
        with ctx.read() as unit:
            return unit.session.scalar(select(func.count()).select_from(Person)) or 0
    finally:
        lock(ctx)


def test_the_file_gets_a_new_key_and_every_way_in_is_made_anew(
        created_db: CreatedDb, clock: FixedClock, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    old_key = _filled(created_db, clock, backups)
    path = created_db.path

    result = rotate_database_key(path, "admin", ADMIN_PASSWORD, clock=clock)

    assert not key_opens(path, old_key)
    assert set(result.one_time_passwords) == {"mette"}
    assert _people(path, "admin", ADMIN_PASSWORD) == 2  # the administrator's password stays
    with pytest.raises(WrongPassword):
        unlock(path, "mette", METTE_PASSWORD)
    mette = unlock(path, "mette", result.one_time_passwords["mette"],
                   options=UnlockOptions(integrity_check=False))
    try:
        assert password_change_required(mette)
    finally:
        lock(mette)
    with pytest.raises(WrongRecoveryKey):
        unlock_with_recovery_key(path, created_db.result.recovery_key, "admin", "ny-lang-kode-1")
    lock(unlock_with_recovery_key(path, result.recovery_key, "admin", "ny-lang-kode-1"))

    ctx = unlock(path, "admin", "ny-lang-kode-1", options=UnlockOptions(integrity_check=False))
    try:
        report = verify_audit_log(ctx)
        assert report.problems == () and report.entries > result.audit_entries
        with ctx.read() as unit:
            details = [e.detail for e in unit.session.scalars(select(
                AuditEntry).where(AuditEntry.entity == "database"))]
        assert details[-1] == ("database key rotated; 1 other account(s) given one-time "
                               "passwords; new recovery key")
    finally:
        lock(ctx)
    (backup,) = backups.glob("*.db")  # taken before: the old key and passwords
    assert inspect_backup(backup, "mette", METTE_PASSWORD).counts["people"] == 2
    assert keys.KeyStore.load(keys.keys_path_for(path)).pending_rotation is None


def test_only_an_administrator_of_a_closed_database_rotates(
        created_db: CreatedDb, clock: FixedClock) -> None:
    _filled(created_db, clock)
    old_key = keys.KeyStore.load(keys.keys_path_for(created_db.path)).key_check
    with pytest.raises(Exception, match="Your role does not allow this"):
        rotate_database_key(created_db.path, "mette", METTE_PASSWORD, clock=clock)
    open_ctx = unlock(created_db.path, "admin", ADMIN_PASSWORD,
                      options=UnlockOptions(integrity_check=False))
    try:
        with pytest.raises(RotationRefused, match="is open in Boligsag"):
            rotate_database_key(created_db.path, "admin", ADMIN_PASSWORD, clock=clock)
    finally:
        lock(open_ctx)
    with pytest.raises(WrongPassword):
        rotate_database_key(created_db.path, "admin", "forkert-kode-123", clock=clock)
    assert _people(created_db.path, "mette", METTE_PASSWORD) == 2
    store = keys.KeyStore.load(keys.keys_path_for(created_db.path))
    assert store.pending_rotation is None and store.key_check == old_key  # the same key


def test_killed_before_the_file_was_replaced_the_next_log_in_drops_the_rotation(
        created_db: CreatedDb, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    old_key = _filled(created_db, clock)

    def killed(*_args: object) -> None:
        raise KeyboardInterrupt  # as SIGKILL would stop it, between steps 2 and 3

    monkeypatch.setattr(key_rotation, "_put_in_place", killed)
    with pytest.raises(KeyboardInterrupt):
        rotate_database_key(created_db.path, "admin", ADMIN_PASSWORD, clock=clock)
    monkeypatch.undo()
    store = keys.KeyStore.load(keys.keys_path_for(created_db.path))
    assert store.pending_rotation is not None and key_opens(created_db.path, old_key)
    assert _people(created_db.path, "mette", METTE_PASSWORD) == 2  # the old way in works
    store = keys.KeyStore.load(keys.keys_path_for(created_db.path))
    assert store.pending_rotation is None  # dropped, and its copy with it
    assert [p.name for p in created_db.path.parent.iterdir() if p.name.startswith(".")] == []


def test_killed_after_the_file_was_replaced_the_next_log_in_finishes_the_rotation(
        created_db: CreatedDb, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    old_key = _filled(created_db, clock)

    def killed(*_args: object) -> None:
        raise KeyboardInterrupt  # between steps 3 and 4

    monkeypatch.setattr(key_rotation, "_finish", killed)
    with pytest.raises(KeyboardInterrupt):
        rotate_database_key(created_db.path, "admin", ADMIN_PASSWORD, clock=clock)
    monkeypatch.undo()
    assert not key_opens(created_db.path, old_key)
    assert keys.KeyStore.load(keys.keys_path_for(created_db.path)).pending_rotation
    assert _people(created_db.path, "admin", ADMIN_PASSWORD) == 2
    assert keys.KeyStore.load(keys.keys_path_for(created_db.path)).pending_rotation is None
    with pytest.raises(WrongPassword):  # Mette's one-time password is the way in now
        unlock(created_db.path, "mette", METTE_PASSWORD)


def test_rekey_from_the_command_line(created_db: CreatedDb, clock: FixedClock,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _filled(created_db, clock)
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    assert main(["rekey", str(created_db.path), "--user", "admin", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "The database has a new key" in out and "New recovery key" in out
    one_time = next(line.split()[1] for line in out.splitlines()
                    if line.strip().startswith("mette "))
    assert _people(created_db.path, "mette", one_time) == 2


def test_a_file_without_a_recovery_key_gets_none(created_db: CreatedDb,
                                                 clock: FixedClock) -> None:
    """A team laptop's replica has no recovery key; a rotation does not add one."""
    _filled(created_db, clock)
    with keys.edit_key_file(keys.keys_path_for(created_db.path)) as store:
        store.recovery = None
    result = rotate_database_key(created_db.path, "admin", ADMIN_PASSWORD, clock=clock)
    assert result.recovery_key == ""
    assert keys.KeyStore.load(keys.keys_path_for(created_db.path)).recovery is None
    assert _people(created_db.path, "admin", ADMIN_PASSWORD) == 2

"""Creating, unlocking and changing passwords on a real encrypted file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from boligsag.domain.enums import AuditAction, Role
from boligsag.services.audit_check import verify_audit_log
from boligsag.services.setup import create_database
from boligsag.services.staff import list_staff
from boligsag.services.unlock import UnlockOptions, lock, unlock, unlock_with_recovery_key
from boligsag.services.users import change_own_password, create_user
from boligsag.storage import keys
from boligsag.storage.errors import (
    DatabaseExists,
    DatabaseMissing,
    SidecarCorrupt,
    SidecarMissing,
    WrongPassword,
)
from boligsag.storage.models import AuditEntry, Channel, FocusArea, Plan, Service, Topic

from ..conftest import ADMIN_PASSWORD, CreatedDb, setup_input


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_new_database_has_plan_focus_areas_and_reference_data(ctx) -> None:
    with ctx.read() as unit:
        session = unit.session
        plan = session.scalars(select(Plan)).one()
        assert plan.period == "2019-2026"
        assert {a.name for a in plan.areas} == {"Ærtebjerg Øst", "Søndergården"}
        assert {f.name_da for f in plan.focus_areas} == {
            "Uddannelse og livschancer",
            "Beskæftigelse",
            "Kriminalitetsforebyggelse",
            "Sammenhængskraft og medborgerskab",
        }
        # Both LBF periods are there, for plans of either period.
        assert session.scalar(select(func.count()).select_from(FocusArea)) == 8
        assert session.scalar(select(func.count()).select_from(Channel)) == 5
        assert session.scalar(select(func.count()).select_from(Service)) >= 10
        assert session.scalar(select(func.count()).where(Topic.category == "parent_guidance"))


def test_setup_refuses_to_overwrite_and_cleans_up_on_failure(created_db: CreatedDb) -> None:
    before = _digests(created_db.path.parent)
    with pytest.raises(DatabaseExists):
        create_database(created_db.path, setup_input())
    assert _digests(created_db.path.parent) == before


def test_failed_setup_leaves_no_files(tmp_path: Path) -> None:
    from boligsag.services.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as raised:
        create_database(tmp_path / "x.db", setup_input(admin_password="kort", areas=[]))
    assert set(raised.value.fields) == {"password", "areas"}
    assert list(tmp_path.iterdir()) == []


def test_unlock_records_login_in_an_intact_audit_chain(ctx) -> None:
    with ctx.read() as unit:
        session = unit.session
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions[-1] == AuditAction.LOGIN
    assert verify_audit_log(ctx).ok


def test_tampering_with_the_audit_log_is_detected(ctx) -> None:
    with ctx.write(None) as unit:
        session = unit.session
        first = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
        first.detail = "edited afterwards"
    report = verify_audit_log(ctx)
    assert [(p.kind, p.entry_id) for p in report.problems] == [("changed", first.id)]


def test_wrong_password_changes_only_the_key_file(created_db: CreatedDb) -> None:
    # The database stays byte-for-byte unchanged; the key file records the failures (so
    # the pause grows across processes) and the lock file beside it may appear.
    keys_name = keys.keys_path_for(created_db.path).name
    mutable = {keys_name, f"{keys_name}.lock"}
    before = _digests(created_db.path.parent)
    for attempt in ("forkert-kodeord", ""):
        with pytest.raises(WrongPassword):
            unlock(created_db.path, "admin", attempt, throttle=keys.UnlockThrottle())
    with pytest.raises(WrongPassword):
        unlock(created_db.path, "ukendt", ADMIN_PASSWORD, throttle=keys.UnlockThrottle())
    after = _digests(created_db.path.parent)
    assert {n: d for n, d in after.items() if n not in mutable} == {
        n: d for n, d in before.items() if n not in mutable}
    assert after[keys_name] != before[keys_name]


def test_missing_database_and_key_file_are_named(created_db: CreatedDb, tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissing) as raised:
        unlock(tmp_path / "nowhere.db", "admin", ADMIN_PASSWORD)
    assert "nowhere.db" in str(raised.value)
    keys_path = keys.keys_path_for(created_db.path)
    keys_path.rename(tmp_path / "elsewhere.keys")
    with pytest.raises(SidecarMissing) as missing:
        unlock(created_db.path, "admin", ADMIN_PASSWORD)
    assert str(keys_path) in str(missing.value)
    keys_path.write_text("{not json")
    with pytest.raises(SidecarCorrupt):
        unlock(created_db.path, "admin", ADMIN_PASSWORD)
    assert keys_path.read_text() == "{not json"


def test_new_user_can_log_in_and_change_their_password(ctx, created_db: CreatedDb) -> None:
    create_user(ctx, "mette", "Mette Ølgaard", Role.STAFF, "første-kodeord")
    assert "mette" in {u.username for u in list_staff(ctx)}
    lock(ctx)
    staff = unlock(created_db.path, "mette", "første-kodeord",
                   options=UnlockOptions(integrity_check=False))
    assert staff.actor.role == Role.STAFF
    keys_before = keys.keys_path_for(created_db.path).read_bytes()
    # The key is rewrapped, the database is not re-encrypted (PASSWORD_CHANGED is audited,
    # see test_accounts_and_passwords.py).
    change_own_password(staff, "første-kodeord", "andet-kodeord-123")
    lock(staff)
    assert keys.keys_path_for(created_db.path).read_bytes() != keys_before
    with pytest.raises(WrongPassword):
        unlock(created_db.path, "mette", "første-kodeord")
    lock(unlock(created_db.path, "mette", "andet-kodeord-123"))


def test_recovery_key_sets_a_new_password(created_db: CreatedDb) -> None:
    typed = created_db.result.recovery_key.lower().replace("-", " ")
    ctx = unlock_with_recovery_key(created_db.path, typed, "admin", "nyt-kodeord-efter-tab")
    lock(ctx)
    with pytest.raises(WrongPassword):
        unlock(created_db.path, "admin", ADMIN_PASSWORD)
    lock(unlock(created_db.path, "admin", "nyt-kodeord-efter-tab"))

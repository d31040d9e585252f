"""Staff management (issue 9 item 1): an administrator creates colleagues with a one-time
password, changes their role and areas, resets passwords by rewrapping the key, and
deactivates accounts so that they can no longer log in; the last administrator stays."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import select

from boligsag.domain.enums import AuditAction, Role
from boligsag.services.context import AppContext
from boligsag.services.errors import PermissionDenied, StaleRecord, ValidationFailed
from boligsag.services.staff import (
    LastAdministrator,
    OwnAccount,
    StaffInput,
    add_staff,
    deactivate_staff,
    find_staff,
    list_area_choices,
    list_staff,
    reactivate_staff,
    reset_password,
    staff_input,
    update_staff,
)
from boligsag.services.unlock import UnlockOptions, lock, unlock, unlock_with_recovery_key
from boligsag.services.users import password_change_required, replace_one_time_password
from boligsag.storage import keys
from boligsag.storage.errors import WrongPassword
from boligsag.storage.models import AuditEntry

from ..conftest import ADMIN_PASSWORD, CreatedDb

OPTIONS = UnlockOptions(integrity_check=False)
ONE_TIME = "engangs-kode-123"


def _open(created_db: CreatedDb, username: str, password: str) -> AppContext:
    return unlock(created_db.path, username, password, options=OPTIONS)


def _actions(ctx: AppContext, user_uuid: str) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.entity_uuid == user_uuid)
    with ctx.read() as unit:
        return [str(a) for a in unit.session.scalars(query.order_by(AuditEntry.id))]


def _key_entry(created_db: CreatedDb, user_uuid: str) -> dict | None:  # type: ignore[type-arg]
    doc = json.loads(created_db.result.keys_path.read_text("utf-8"))
    return next((u for u in doc["users"] if u["user_uuid"] == user_uuid), None)


def _mette(ctx: AppContext, role: Role = Role.STAFF) -> StaffInput:
    areas = list_area_choices(ctx)
    return StaffInput("Mette Ølgaard", role, (areas[0].id,), "Boligsocial medarbejder",
                      "mette@example.dk", "21 61 95 01")


def test_a_new_colleague_logs_in_once_with_the_one_time_password_then_their_own(
        ctx: AppContext, created_db: CreatedDb) -> None:
    row = add_staff(ctx, "mette", _mette(ctx), ONE_TIME)
    assert row.area_names == (list_area_choices(ctx)[0].name,)
    assert row.title == "Boligsocial medarbejder" and row.active
    assert _key_entry(created_db, row.uuid)["must_change_password"] is True  # type: ignore[index]
    assert not password_change_required(ctx)  # the administrator's own password is theirs

    mette = _open(created_db, "mette", ONE_TIME)
    try:
        assert password_change_required(mette)
        with pytest.raises(ValidationFailed) as same:
            replace_one_time_password(mette, ONE_TIME)
        assert same.value.field_messages_en()["password"] == \
            "Choose a password of your own, not the one-time password."
        replace_one_time_password(mette, "mettes-egen-kode")
        assert not password_change_required(mette)
        with pytest.raises(PermissionDenied):  # only once, not a password change by the back door
            replace_one_time_password(mette, "endnu-en-kode-1")
    finally:
        lock(mette)
    assert "must_change_password" not in _key_entry(created_db, row.uuid)  # type: ignore[operator]
    with pytest.raises(WrongPassword):
        _open(created_db, "mette", ONE_TIME)
    lock(_open(created_db, "Mette", "mettes-egen-kode"))
    assert _actions(ctx, row.uuid) == [
        "user_created", "login", "password_changed", "login_failed", "login"]


def test_a_taken_username_is_refused_however_it_is_written(ctx: AppContext) -> None:
    add_staff(ctx, "mette", _mette(ctx), ONE_TIME)
    for name in ("METTE", "ＭＥＴＴＥ", "Admin"):
        with pytest.raises(ValidationFailed) as taken:
            add_staff(ctx, name, _mette(ctx), ONE_TIME)
        assert taken.value.field_messages_en()["username"] == f"The username {name} is taken."


def test_the_form_is_checked_field_by_field(ctx: AppContext) -> None:
    bad = StaffInput("", Role.STAFF, (), "", "ikke en adresse", "12")
    with pytest.raises(ValidationFailed) as problems:
        add_staff(ctx, "ny bruger", bad, "kort")
    assert set(problems.value.fields) == {"username", "full_name", "password", "email", "phone"}
    assert list_staff(ctx, include_inactive=True)[0].username == "admin"  # nothing was made


def test_names_longer_than_their_columns_are_refused(ctx: AppContext) -> None:
    long = StaffInput("N" * 121, Role.STAFF, (), "T" * 121)
    with pytest.raises(ValidationFailed) as problems:
        add_staff(ctx, "x" * 61, long, ONE_TIME)
    assert set(problems.value.fields) == {"username", "full_name", "title"}
    fits = add_staff(ctx, "x" * 60, StaffInput("N" * 120, Role.STAFF, (), "T" * 120), ONE_TIME)
    assert fits.username == "x" * 60


def test_only_an_administrator_manages_staff(ctx: AppContext, created_db: CreatedDb) -> None:
    mette = add_staff(ctx, "mette", _mette(ctx), ONE_TIME)
    add_staff(ctx, "fatma", StaffInput("Fatma Şahin", Role.VOLUNTEER), ONE_TIME)
    add_staff(ctx, "tina", _mette(ctx, Role.TEAM_LEAD), ONE_TIME)
    for name in ("mette", "fatma", "tina"):
        other = _open(created_db, name, ONE_TIME)
        try:
            calls = [
                lambda: add_staff(other, "ole", _mette(ctx), ONE_TIME),  # noqa: B023
                lambda: update_staff(other, mette.id, _mette(ctx, Role.ADMINISTRATOR),  # noqa: B023
                                     stamp=mette.stamp),
                lambda: reset_password(other, mette.id, "overtaget-kode"),  # noqa: B023
                lambda: deactivate_staff(other, mette.id, stamp=mette.stamp),  # noqa: B023
                lambda: list_staff(other),  # noqa: B023
            ]
            for call in calls:
                with pytest.raises(PermissionDenied):
                    call()
        finally:
            lock(other)
    assert find_staff(ctx, "mette").role == Role.STAFF


def test_role_and_areas_change_and_a_stale_form_is_refused(
        ctx: AppContext, created_db: CreatedDb) -> None:
    row = add_staff(ctx, "mette", _mette(ctx), ONE_TIME)
    areas = list_area_choices(ctx)
    changed = update_staff(ctx, row.id, StaffInput(
        "Mette Ølgaard", Role.TEAM_LEAD, tuple(a.id for a in areas), "Teamleder"),
        stamp=row.stamp)
    assert changed.role == Role.TEAM_LEAD and changed.title == "Teamleder"
    assert set(changed.area_names) == {a.name for a in areas}
    # Only the areas change: an older form notices that too.
    fewer = update_staff(ctx, row.id, dataclasses.replace(
        staff_input(changed), area_ids=(areas[1].id,)), stamp=changed.stamp)
    assert fewer.area_names == (areas[1].name,)
    with pytest.raises(StaleRecord):
        update_staff(ctx, row.id, _mette(ctx), stamp=changed.stamp)
    # A colleague logging in is no change to the account's details.
    lock(_open(created_db, "mette", ONE_TIME))
    update_staff(ctx, row.id, staff_input(fewer), stamp=fewer.stamp)
    assert _actions(ctx, row.uuid) == [
        "user_created", "user_changed", "user_changed", "login", "user_changed"]


def test_the_last_active_administrator_cannot_be_demoted_or_deactivated(
        ctx: AppContext, created_db: CreatedDb) -> None:
    admin = find_staff(ctx, "admin")
    with pytest.raises(LastAdministrator) as last:
        update_staff(ctx, admin.id, StaffInput(admin.full_name, Role.STAFF), stamp=admin.stamp)
    assert str(last.value) == ("Åse Nørgaard is the last active administrator. Make another "
                               "user an administrator first.")
    assert find_staff(ctx, "admin").role == Role.ADMINISTRATOR
    with pytest.raises(OwnAccount):
        deactivate_staff(ctx, admin.id, stamp=admin.stamp)

    second = add_staff(ctx, "ole", _mette(ctx, Role.ADMINISTRATOR), ONE_TIME)
    ole = _open(created_db, "ole", ONE_TIME)
    try:
        # Ole deactivates the old administrator; then Ole is the last one and stays.
        deactivate_staff(ole, admin.id, stamp=admin.stamp)
        with pytest.raises(LastAdministrator):
            update_staff(ole, second.id, StaffInput("Ole", Role.STAFF), stamp=second.stamp)
    finally:
        lock(ole)


def test_a_deactivated_colleague_cannot_log_in_and_keeps_their_history(
        ctx: AppContext, created_db: CreatedDb) -> None:
    row = add_staff(ctx, "mette", _mette(ctx), ONE_TIME)
    lock(_open(created_db, "mette", ONE_TIME))
    gone = deactivate_staff(ctx, row.id, stamp=row.stamp)
    assert not gone.active
    assert _key_entry(created_db, row.uuid) is None  # nothing left that unwraps the key
    with pytest.raises(WrongPassword):
        _open(created_db, "mette", ONE_TIME)
    # Not by the recovery key either: there is no active account of that name.
    with pytest.raises(WrongPassword):
        unlock_with_recovery_key(created_db.path, created_db.result.recovery_key, "mette",
                                 "gendannet-kode-1")
    assert [r.username for r in list_staff(ctx)] == ["admin", "mette"]  # still listed
    assert "mette" not in {r.username for r in list_staff(ctx, include_inactive=False)}
    with pytest.raises(ValidationFailed):
        reset_password(ctx, row.id, "ny-kode-til-mette")

    back = reactivate_staff(ctx, row.id, "velkommen-tilbage", stamp=gone.stamp)
    assert back.active
    mette = _open(created_db, "mette", "velkommen-tilbage")
    try:
        assert password_change_required(mette)
    finally:
        lock(mette)
    assert _actions(ctx, row.uuid) == [
        "user_created", "login", "user_deactivated", "user_reactivated",
        "login_failed", "login"]  # the failed try while deactivated is on record


def test_a_reset_rewraps_the_key_and_never_reencrypts(
        ctx: AppContext, created_db: CreatedDb) -> None:
    row = add_staff(ctx, "mette", _mette(ctx), ONE_TIME)
    mette = _open(created_db, "mette", ONE_TIME)
    replace_one_time_password(mette, "glemt-igen-kode")
    lock(mette)
    before = keys.KeyStore.load(created_db.result.keys_path)
    entry_before = _key_entry(created_db, row.uuid)

    reset_password(ctx, row.id, "nulstillet-kode")
    after = keys.KeyStore.load(created_db.result.keys_path)
    assert _key_entry(created_db, row.uuid) != entry_before  # a new wrap for Mette
    # The same database key: the key check and database id are unchanged, and the new
    # password unwraps exactly the key the database is open with.
    assert after.key_check == before.key_check and after.database_id == before.database_id
    assert after.unwrap_for_user("mette", "nulstillet-kode")[1] == ctx.db_key
    with pytest.raises(WrongPassword):
        after.unwrap_for_user("mette", "glemt-igen-kode")
    mette = _open(created_db, "mette", "nulstillet-kode")
    try:
        assert mette.db_key == ctx.db_key and password_change_required(mette)
    finally:
        lock(mette)
    assert AuditAction.PASSWORD_RESET in _actions(ctx, row.uuid)
    lock(_open(created_db, "admin", ADMIN_PASSWORD))  # the administrator is untouched

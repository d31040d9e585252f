"""Accounts and passwords (issue 8): password changes audited, passwd checks the key file
and the database, usernames folded, the staff directory, the migration backup's mode."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from boligsag.cli import main
from boligsag.domain.enums import AuditAction, Role
from boligsag.services.context import AppContext
from boligsag.services.errors import PermissionDenied, ValidationFailed
from boligsag.services.staff import list_staff
from boligsag.services.unlock import UnlockOptions, lock, unlock, unlock_with_recovery_key
from boligsag.services.users import (
    StaffChoice,
    change_own_password,
    create_user,
    list_staff_choices,
    set_password_of,
)
from boligsag.storage import keys, migrate
from boligsag.storage.errors import WrongPassword
from boligsag.storage.models import AuditEntry

from ..conftest import ADMIN_PASSWORD, CreatedDb

OPTIONS = UnlockOptions(integrity_check=False)


def _open(created_db: CreatedDb, username: str, password: str) -> AppContext:
    return unlock(created_db.path, username, password, options=OPTIONS)


def _password_entries(ctx: AppContext) -> list[tuple[str | None, str]]:
    query = select(AuditEntry).where(AuditEntry.action == AuditAction.PASSWORD_CHANGED)
    with ctx.read() as unit:
        return [(e.entity_uuid, e.detail)
                for e in unit.session.scalars(query.order_by(AuditEntry.id))]


# -- password changes are audited ------------------------------------------------------------


def test_every_kind_of_password_change_is_audited(ctx: AppContext,
                                                  created_db: CreatedDb) -> None:
    mette = create_user(ctx, "mette", "Mette Ølgaard", Role.STAFF, "første-kodeord")
    set_password_of(ctx, "mette", "nulstillet-kodeord")  # an administrator's reset
    staff = _open(created_db, "mette", "nulstillet-kodeord")
    change_own_password(staff, "nulstillet-kodeord", "mit-eget-kodeord")
    lock(staff)
    assert _password_entries(ctx) == [(mette.uuid, "reset by an administrator"),
                                      (mette.uuid, "changed by the user")]
    lock(ctx)
    recovered = unlock_with_recovery_key(created_db.path, created_db.result.recovery_key,
                                         "admin", "efter-gendannelse")
    entries = _password_entries(recovered)
    assert entries[-1] == (recovered.actor.user_uuid, "reset with the recovery key")
    lock(recovered)


def test_passwd_is_audited(created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("BOLIGSAG_NEW_PASSWORD", "et-helt-nyt-kodeord")
    assert main(["passwd", str(created_db.path), "admin"]) == 0
    ctx = _open(created_db, "admin", "et-helt-nyt-kodeord")
    try:
        assert _password_entries(ctx) == [(ctx.actor.user_uuid,
                                           "changed by the user with boligsag passwd")]
    finally:
        lock(ctx)


def test_a_password_change_that_cannot_be_audited_does_not_happen(
        ctx: AppContext, created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch) -> None:
    keys_before = keys.keys_path_for(created_db.path).read_bytes()

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ctx, "audit", refuse)
    with pytest.raises(OSError):
        change_own_password(ctx, ADMIN_PASSWORD, "aldrig-registreret")
    assert keys.keys_path_for(created_db.path).read_bytes() == keys_before
    lock(ctx)
    with pytest.raises(WrongPassword):
        _open(created_db, "admin", "aldrig-registreret")


# -- passwd checks the key file and the database -----------------------------------------


def _edit_key_doc(created_db: CreatedDb, **fields: object) -> None:
    path = keys.keys_path_for(created_db.path)
    doc = json.loads(path.read_text("utf-8"))
    doc.update(fields)
    path.write_text(json.dumps(doc), "utf-8")


def _key_doc(created_db: CreatedDb) -> dict[str, object]:
    return json.loads(keys.keys_path_for(created_db.path).read_text("utf-8"))


def _passwd(created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("BOLIGSAG_NEW_PASSWORD", "et-helt-nyt-kodeord")
    capsys.readouterr()
    code = main(["passwd", str(created_db.path), "admin"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("field", ["key_check", "database_id"])
def test_passwd_on_an_altered_key_file_is_a_clear_error(
        created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], field: str) -> None:
    altered = (base64.b64encode(os.urandom(32)).decode() if field == "key_check"
               else str(uuid.uuid4()))
    _edit_key_doc(created_db, **{field: altered})
    users_before = _key_doc(created_db)["users"]
    code, err = _passwd(created_db, monkeypatch, capsys)
    assert code == 1
    assert "Traceback" not in err and err.count("\n") == 1
    assert "is damaged or not a Boligsag key file" in err
    assert _key_doc(created_db)["users"] == users_before  # no password was changed


@pytest.mark.parametrize("damage", ["empty", "missing"])
def test_passwd_refuses_a_database_that_is_not_there(
        created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], damage: str) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{created_db.path}{suffix}").unlink(missing_ok=True)
    if damage == "empty":
        created_db.path.write_bytes(b"")
    else:
        created_db.path.unlink()
    keys_before = keys.keys_path_for(created_db.path).read_bytes()
    code, err = _passwd(created_db, monkeypatch, capsys)
    assert code == 1
    assert "Traceback" not in err and err.count("\n") == 1
    assert ("the file is empty" in err) if damage == "empty" else ("does not exist" in err)
    assert keys.keys_path_for(created_db.path).read_bytes() == keys_before


# -- usernames that differ only by case or width --------------------------------------------


@pytest.mark.parametrize(("first", "second"), [("Åse", "åse"), ("Mette", "ｍｅｔｔｅ"),
                                               ("Ida", "ＩＤＡ")])
def test_usernames_differing_only_by_case_or_width_are_taken(
        ctx: AppContext, created_db: CreatedDb, first: str, second: str) -> None:
    create_user(ctx, first, "Første Person", Role.STAFF, "første-kodeord")
    with pytest.raises(ValidationFailed) as raised:
        create_user(ctx, second, "Anden Person", Role.STAFF, "andet-kodeord")
    assert raised.value.fields["username"] == ("The username {username} is taken.",
                                               {"username": second})
    lock(ctx)
    # Either spelling logs in to the one account.
    lock(_open(created_db, second, "første-kodeord"))


def test_admin_name_typed_in_full_width_is_taken(ctx: AppContext) -> None:
    with pytest.raises(ValidationFailed) as raised:
        create_user(ctx, "ＡＤＭＩＮ", "Endnu en", Role.STAFF, "andet-kodeord")
    assert "username" in raised.value.fields


# -- the staff directory ---------------------------------------------------------------------


@pytest.fixture
def role_contexts(ctx: AppContext, created_db: CreatedDb) -> Iterator[dict[Role, AppContext]]:
    contexts = {Role.ADMINISTRATOR: ctx}
    for role in (Role.VOLUNTEER, Role.STAFF, Role.TEAM_LEAD):
        name = "u" + role.value.replace("_", "")
        create_user(ctx, name, f"Bruger {role}", role, f"kodeord-{role}-123",
                    phone="12345678", email=f"{role}@example.org")
        contexts[role] = _open(created_db, name, f"kodeord-{role}-123")
    yield contexts
    for role, context in contexts.items():
        if role != Role.ADMINISTRATOR:
            lock(context)


def test_only_administrators_list_the_staff_directory(
        role_contexts: dict[Role, AppContext]) -> None:
    for role in (Role.VOLUNTEER, Role.STAFF, Role.TEAM_LEAD):
        with pytest.raises(PermissionDenied):
            list_staff(role_contexts[role])
    rows = list_staff(role_contexts[Role.ADMINISTRATOR])
    assert {r.email for r in rows} >= {"staff@example.org"}


def test_staff_pickers_get_names_only_and_volunteers_get_nothing(
        role_contexts: dict[Role, AppContext]) -> None:
    with pytest.raises(PermissionDenied):
        list_staff_choices(role_contexts[Role.VOLUNTEER])
    choices = list_staff_choices(role_contexts[Role.STAFF])
    assert all(type(c) is StaffChoice for c in choices)
    assert set(StaffChoice.__dataclass_fields__) == {"id", "full_name", "active"}
    assert "Bruger staff" in {c.full_name for c in choices}
    from boligsag.domain.permissions import Permission

    pickable = list_staff_choices(role_contexts[Role.STAFF],
                                  able_to=Permission.MANAGE_REFERRALS)
    assert "Bruger volunteer" not in {c.full_name for c in pickable}
    assert "Bruger staff" in {c.full_name for c in pickable}


# -- the backup kept before a schema upgrade ---------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_migration_backup_is_owner_only(tmp_path: Path) -> None:
    if migrate.head_revision() == "0001":
        pytest.skip("no migration after 0001")  # pragma: no cover
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    shutil.copytree(fixtures / "rev0001", tmp_path / "old")
    path = tmp_path / "old" / "boligsag.db"
    os.chmod(path, 0o644)  # the backup is owner-only whatever the database's mode
    old_umask = os.umask(0o022)
    try:
        lock(unlock(path, "admin", ADMIN_PASSWORD, options=OPTIONS))
    finally:
        os.umask(old_umask)
    backup = path.parent / "boligsag.db.before-0001.bak"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]

"""A joined replica logging in to its team server (services/sync_client/team.py) over the
real HTTPS server: the server decides the password, and a password changed there
re-wraps the local key at the next log-in (the old one opened the replica offline until
then, only the new one afterwards); a removed computer or a disabled account ends with
the replica's files deleted, by the app's call or by ``boligsag sync``, which says why."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from boligsag.domain.enums import AuditAction
from boligsag.services.context import AppContext
from boligsag.services.server import accounts
from boligsag.services.server.accounts import ServerDb
from boligsag.services.setup import create_database
from boligsag.services.sync_client import join, server_link, team
from boligsag.services.sync_client.errors import DeviceRevoked, LoginRefused, UserDisabled
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import audit_anchor, keys
from boligsag.storage.errors import WrongPassword
from boligsag.storage.models import AuditEntry

from ..conftest import ADMIN_PASSWORD, setup_input
from .conftest import STAFF, STAFF_PASSWORD, Running, Setup, cli

NEW_PASSWORD = "mettes-nye-kodeord-2026"


def _open(path: Path, password: str = STAFF_PASSWORD) -> AppContext:
    return unlock(path, STAFF, password, options=UnlockOptions(integrity_check=False),
                  throttle=keys.UnlockThrottle())


@pytest.fixture
def replica(running: Running, setup: Setup, tmp_path: Path) -> Path:
    path = tmp_path / "laptop" / "boligsag.db"
    assert join.join_team(path, running.base_url, setup.fingerprint, STAFF,
                          STAFF_PASSWORD).complete
    return path


@pytest.fixture
def ctx(replica: Path) -> Iterator[AppContext]:
    context = _open(replica)
    yield context
    if replica.exists():
        lock(context)


def _device(ctx: AppContext) -> str:
    with ctx.db.reading() as session:
        link = server_link.current(session)
    assert link is not None
    return link.device_id


def _password_entries(ctx: AppContext) -> list[str]:
    with ctx.db.reading() as session:
        return list(session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == AuditAction.PASSWORD_CHANGED)))


def test_log_in_with_the_same_password_changes_nothing_here(
        ctx: AppContext, replica: Path, server_db: ServerDb) -> None:
    # The unlock's audit entry moves the key file's anchor in a batch (audit_anchor.py)
    # up to half a second later: moved now, so only the log-in could change the file.
    audit_anchor.flush(keys.keys_path_for(replica))
    before = keys.keys_path_for(replica).read_bytes()
    with team.connect(ctx) as connection:
        team.log_in(ctx, connection, STAFF_PASSWORD)
        assert connection.logged_in and connection.device_id == _device(ctx)
        assert connection.pull(None, 10)["rows"]  # the token works
    audit_anchor.flush(keys.keys_path_for(replica))
    assert keys.keys_path_for(replica).read_bytes() == before
    assert _password_entries(ctx) == []
    devices = [d for d in accounts.list_devices(server_db) if d.device_id == _device(ctx)]
    assert [(d.username, d.name) for d in devices] == [(STAFF, team.device_name())]


def test_a_password_changed_on_the_server_is_wrapped_here_at_the_next_log_in(
        ctx: AppContext, replica: Path, server_db: ServerDb) -> None:
    lock(ctx)
    accounts.set_password(server_db, STAFF, NEW_PASSWORD)
    ctx = _open(replica)  # offline, the old password still opens the replica
    try:
        with team.connect(ctx) as connection:
            with pytest.raises(LoginRefused):
                team.log_in(ctx, connection, STAFF_PASSWORD)
            team.log_in(ctx, connection, NEW_PASSWORD)
        assert _password_entries(ctx) == [
            "local key wrapped with the password changed on the team server"]
    finally:
        lock(ctx)
    with pytest.raises(WrongPassword):
        _open(replica)
    lock(_open(replica, NEW_PASSWORD))


def test_cli_sync_asks_for_the_servers_new_password_and_wraps_it(
        replica: Path, server_db: ServerDb, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    accounts.set_password(server_db, STAFF, NEW_PASSWORD)
    monkeypatch.setenv("BOLIGSAG_PASSWORD", STAFF_PASSWORD)
    monkeypatch.setenv("BOLIGSAG_NEW_PASSWORD", NEW_PASSWORD)
    code = cli(["sync", str(replica), "--username", STAFF], monkeypatch)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "may have been changed" in err and "opens with the new password" in out
    lock(_open(replica, NEW_PASSWORD))


def test_a_revoked_computer_is_refused_and_forget_replica_deletes_its_files(
        ctx: AppContext, replica: Path, server_db: ServerDb) -> None:
    accounts.revoke_device(server_db, _device(ctx))
    # Files a replica may have beside it: a copy kept before a migration.
    replica.with_name(f"{replica.name}.before-0007.bak").write_bytes(b"x")
    with team.connect(ctx) as connection, pytest.raises(DeviceRevoked):
        team.log_in(ctx, connection, STAFF_PASSWORD)
    team.forget_replica(ctx)
    assert os.listdir(replica.parent) == []


def test_cli_sync_of_a_disabled_account_deletes_the_replica_and_says_why(
        replica: Path, server_db: ServerDb, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    accounts.disable_user(server_db, STAFF)
    monkeypatch.setenv("BOLIGSAG_PASSWORD", STAFF_PASSWORD)
    code = cli(["sync", str(replica), "--username", STAFF], monkeypatch)
    err = capsys.readouterr().err
    assert code == 1
    assert "has been disabled" in err and "were deleted" in err
    assert os.listdir(replica.parent) == []


def test_a_stand_alone_database_is_no_replica_and_is_never_forgotten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "own.db"
    create_database(path, setup_input())
    own = unlock(path, "admin", ADMIN_PASSWORD, options=UnlockOptions(integrity_check=False))
    try:
        assert not team.is_replica(own)
        with pytest.raises(team.NotATeamReplica):
            team.connect(own)
        with pytest.raises(team.NotATeamReplica):
            team.forget_replica(own)
    finally:
        lock(own)
    assert path.exists()
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    assert cli(["sync", str(path), "--username", "admin"], monkeypatch) == 1
    assert "not connected to a team server" in capsys.readouterr().err


def test_a_username_that_is_another_account_on_the_server_is_refused(
        ctx: AppContext, server_db: ServerDb) -> None:
    # The replica's user row says another uuid than the server's account of that name
    # (the account was deleted and made again on the server, say).
    other = AppContext(db=ctx.db, actor=ctx.actor.__class__(
        ctx.actor.user_id, "00000000-0000-4000-8000-000000000000", ctx.actor.username,
        ctx.actor.full_name, ctx.actor.role), keys_path=ctx.keys_path, db_key=ctx.db_key)
    with team.connect(other) as connection, pytest.raises(team.OtherServerAccount):
        team.log_in(other, connection, STAFF_PASSWORD)


def test_user_disabled_is_raised_at_log_in(ctx: AppContext, server_db: ServerDb) -> None:
    accounts.disable_user(server_db, STAFF)
    with team.connect(ctx) as connection, pytest.raises(UserDisabled):
        team.log_in(ctx, connection, STAFF_PASSWORD)

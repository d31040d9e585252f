"""Joining a team server (services/sync_client/join.py, ``boligsag join`` and ``boligsag
sync``) against the real HTTPS server on PostgreSQL: the replica is a new encrypted file
that opens with the server password and holds the staff member's people; a cancelled
first pull is finished later and the replica opens meanwhile; a wrong fingerprint or an
existing PATH makes nothing; the command line joins, syncs a local edit to the server
and back, and stops cleanly."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from boligsag.domain.enums import Role
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.setup import create_database
from boligsag.services.sync_client import engine, join, pull_client, team
from boligsag.services.sync_client.errors import (
    FingerprintMismatch,
    InvalidFingerprint,
    TokenExpired,
)
from boligsag.services.sync_client.transport import ServerConnection
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.models import AuditEntry, Person, Service, User

from ..conftest import setup_input
from .conftest import ADMIN, ADMIN_PASSWORD, STAFF, STAFF_PASSWORD, Running, Setup, cli

OTHER_FINGERPRINT = ":".join(["5A"] * 32)


def _people_on_server(running: Running, count: int) -> list[str]:
    """``count`` people in the staff member's area, pushed by the administrator."""
    with ServerConnection(running.base_url, running.setup.fingerprint) as admin:
        admin.login(ADMIN, ADMIN_PASSWORD, str(uuid.uuid4()), "admins-pc")
        page = admin.pull(None, 500)
        area = next(row["uuid"] for row in page["rows"] if row["table"] == "areas")
        people = [{"table": "people", "uuid": str(uuid.uuid4()), "base_version": None,
                   "deleted": False,
                   "fields": {"first_name": f"Person{n}", "last_name": "Holm", "area": area}}
                  for n in range(count)]
        admin.push({"batch_id": str(uuid.uuid4()), "changes": people, "audit": []})
    return [p["uuid"] for p in people]


def _server_people(running: Running) -> set[str]:
    with ServerConnection(running.base_url, running.setup.fingerprint) as admin:
        admin.login(ADMIN, ADMIN_PASSWORD, str(uuid.uuid4()), "admins-pc")
        rows, cursor = [], None
        while True:
            page = admin.pull(cursor, 500)
            rows += page["rows"]
            cursor = page["cursor"]
            if not page["more"]:
                break
    return {r["fields"]["first_name"] for r in rows if r["table"] == "people"}


def _open(path: Path, password: str = STAFF_PASSWORD) -> AppContext:
    return unlock(path, STAFF, password, options=UnlockOptions(integrity_check=False))


def _people(path: Path) -> set[str]:
    ctx = _open(path)
    try:
        with ctx.db.reading() as session:
            return set(session.scalars(select(Person.uuid).where(Person.deleted_at.is_(None))))
    finally:
        lock(ctx)


def test_join_makes_a_replica_that_opens_with_the_server_password_and_holds_the_people(
        running: Running, setup: Setup, tmp_path: Path) -> None:
    made = _people_on_server(running, 5)
    path = tmp_path / "laptop" / "boligsag.db"
    steps: list[join.JoinProgress] = []
    result = join.join_team(path, running.base_url, setup.fingerprint.lower(), STAFF,
                            STAFF_PASSWORD, progress=steps.append)
    assert result.complete and result.path == path and result.username == STAFF
    assert result.rows >= 5 + 2  # the people, the area, the two accounts, the services
    pulled = [s for s in steps if s.text.startswith("Pulled ")]
    assert pulled[-1].done == pulled[-1].total == result.rows  # all the server listed
    assert pulled[-1].text == f"Pulled {result.rows:,} of ~{result.rows:,} rows"
    assert sorted(os.listdir(path.parent)) == ["boligsag.db", "boligsag.db.keys"]

    ctx = _open(path)
    try:
        assert ctx.actor.username == STAFF and ctx.actor.role == Role.STAFF
        assert team.is_replica(ctx) and join.first_pull_complete(ctx)
        with ctx.db.reading() as session:
            people = set(session.scalars(select(Person.uuid)))
            users = set(session.scalars(select(User.username)))
            services = session.scalar(select(func.count()).select_from(Service))
            first = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
        assert people == set(made)
        assert users == {ADMIN, STAFF}
        assert services  # the server's catalogue, pulled, not a local copy of it
        # Nothing of the join waits to be pushed as this laptop's edit.
        assert engine.waiting_changes(ctx) == 0
        assert first is not None and first.detail == f"joined team server {running.base_url}"
        assert first.user_id == ctx.actor.user_id
    finally:
        lock(ctx)
    store = keys.KeyStore.load(keys.keys_path_for(path))
    assert store.recovery is None  # the server holds the data; no recovery key
    assert [u.username for u in store.users] == [STAFF]


def test_a_cancelled_first_pull_leaves_a_replica_that_opens_and_finish_join_completes(
        running: Running, setup: Setup, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    made = _people_on_server(running, 12)
    monkeypatch.setattr(engine, "FIRST_PULL_LIMIT", 4)  # several pages to stop between
    path = tmp_path / "boligsag.db"
    pages: list[int] = []

    def after_two_pages() -> bool:
        return len(pages) >= 2

    result = join.join_team(path, running.base_url, setup.fingerprint, STAFF,
                            STAFF_PASSWORD, progress=lambda s: pages.append(s.done),
                            cancelled=after_two_pages)
    assert not result.complete and path.is_file()
    assert len(_people(path)) < len(made)  # stopped part-way
    ctx = _open(path)  # the account was fetched ahead of the pull: it opens
    try:
        assert not join.first_pull_complete(ctx)
    finally:
        lock(ctx)

    done = join.finish_join(path, STAFF, STAFF_PASSWORD)
    assert done.complete and _people(path) == set(made)
    again = join.finish_join(path, STAFF, STAFF_PASSWORD)  # finished: nothing to do
    assert again.complete and again.rows == 0
    with pytest.raises(join.AlreadyJoined):
        join.join_team(path, running.base_url, setup.fingerprint, STAFF, STAFF_PASSWORD)


def test_a_first_pull_outliving_the_servers_token_logs_in_again_and_finishes(
        running: Running, setup: Setup, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    made = _people_on_server(running, 9)
    monkeypatch.setattr(engine, "FIRST_PULL_LIMIT", 3)
    real_pull, real_login = ServerConnection.pull, ServerConnection.login
    pulls: list[str | None] = []
    logins: list[str] = []

    def pull(connection: ServerConnection, cursor: str | None, limit: int) -> dict:
        pulls.append(cursor)
        if len(pulls) == 3:  # the 15 minutes ran out between two pages
            raise TokenExpired()
        return real_pull(connection, cursor, limit)

    def login(connection: ServerConnection, *args: object, **kwargs: object) -> object:
        logins.append(str(args[0]))
        return real_login(connection, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ServerConnection, "pull", pull)
    monkeypatch.setattr(ServerConnection, "login", login)
    shown: list[int] = []
    path = tmp_path / "boligsag.db"

    def progress(step: join.JoinProgress) -> None:
        if step.text.startswith("Pulled"):  # not the comparison at the end
            shown.append(step.done)

    result = join.join_team(path, running.base_url, setup.fingerprint, STAFF,
                            STAFF_PASSWORD, progress=progress)

    assert result.complete and _people(path) == set(made)
    assert logins == [STAFF, STAFF]  # the join's own log-in, and one more
    assert shown == sorted(shown)  # the bar never jumps back after the new log-in
    assert result.rows >= len(made)


def test_a_join_stopped_before_any_page_opens_and_the_same_join_again_finishes_it(
        running: Running, setup: Setup, tmp_path: Path) -> None:
    made = _people_on_server(running, 3)
    path = tmp_path / "boligsag.db"
    result = join.join_team(path, running.base_url, setup.fingerprint, STAFF,
                            STAFF_PASSWORD, cancelled=lambda: True)
    assert not result.complete and result.rows == 0
    assert _people(path) == set()  # the users table came with the account only
    with pytest.raises(join.OtherFingerprint):
        join.join_team(path, running.base_url, OTHER_FINGERPRINT, STAFF, STAFF_PASSWORD)
    with pytest.raises(join.NotAnUnfinishedJoin):
        join.join_team(path, "https://other.example.dk", setup.fingerprint, STAFF,
                       STAFF_PASSWORD)
    resumed = join.join_team(path, running.base_url, setup.fingerprint, STAFF,
                             STAFF_PASSWORD)
    assert resumed.complete and _people(path) == set(made)


def test_a_wrong_fingerprint_makes_nothing(running: Running, tmp_path: Path) -> None:
    folder = tmp_path / "laptop"
    folder.mkdir()
    with pytest.raises(FingerprintMismatch) as caught:
        join.join_team(folder / "boligsag.db", running.base_url, OTHER_FINGERPRINT, STAFF,
                       STAFF_PASSWORD)
    assert "does not match the fingerprint" in str(caught.value)
    with pytest.raises(InvalidFingerprint):
        join.join_team(folder / "boligsag.db", running.base_url, "AB:CD", STAFF,
                       STAFF_PASSWORD)
    assert os.listdir(folder) == []


def test_an_existing_path_or_a_folder_is_refused(
        running: Running, setup: Setup, tmp_path: Path) -> None:
    own = tmp_path / "own.db"
    create_database(own, setup_input())
    before = own.read_bytes()
    with pytest.raises(join.NotAnUnfinishedJoin):
        join.join_team(own, running.base_url, setup.fingerprint, STAFF, STAFF_PASSWORD)
    assert own.read_bytes() == before
    with pytest.raises(join.PathIsFolder):
        join.join_team(tmp_path, running.base_url, setup.fingerprint, STAFF, STAFF_PASSWORD)
    orphan = tmp_path / "orphan.db"
    keys.keys_path_for(orphan).write_text("{}")
    with pytest.raises(Exception, match="already exists"):
        join.join_team(orphan, running.base_url, setup.fingerprint, STAFF, STAFF_PASSWORD)
    assert not orphan.exists()


def test_cli_join_then_sync_sends_a_local_edit_and_brings_the_servers(
        running: Running, setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _people_on_server(running, 2)
    path = tmp_path / "boligsag.db"
    monkeypatch.setenv("BOLIGSAG_PASSWORD", STAFF_PASSWORD)
    code = cli(["join", str(path), running.base_url, "--fingerprint", setup.fingerprint,
                "--username", STAFF], monkeypatch)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Pulled " in out and f"Joined {running.base_url}" in out

    ctx = _open(path)
    try:
        with ctx.db.reading() as session:
            area_id = session.scalar(select(Person.area_id))
        create_person(ctx, PersonDraft(first_name="Laptopny", last_name="Dahl",
                                       area_id=area_id))
    finally:
        lock(ctx)
    later = _people_on_server(running, 1)  # meanwhile on the server
    code = cli(["sync", str(path), "--username", STAFF], monkeypatch)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Pushed 1 changes" in out and "0 changes waiting" in out
    assert "Laptopny" in _server_people(running)
    assert set(later) <= _people(path)

    code = cli(["join", str(path), running.base_url, "--fingerprint", setup.fingerprint,
                "--username", STAFF], monkeypatch)
    assert code == 1
    assert "already a complete copy" in capsys.readouterr().err


def test_cli_join_refuses_a_wrong_fingerprint_and_a_missing_password(
        running: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "laptop" / "boligsag.db"
    monkeypatch.setenv("BOLIGSAG_PASSWORD", STAFF_PASSWORD)
    code = cli(["join", str(path), running.base_url, "--fingerprint", OTHER_FINGERPRINT,
                "--username", STAFF], monkeypatch)
    err = capsys.readouterr().err
    assert code == 1 and "does not match the fingerprint" in err
    assert not path.parent.exists() or os.listdir(path.parent) == []
    monkeypatch.delenv("BOLIGSAG_PASSWORD")
    code = cli(["join", str(path), running.base_url, "--fingerprint", OTHER_FINGERPRINT,
                "--username", STAFF], monkeypatch)  # stdin is no terminal: no prompt
    assert code == 2 and "no password" in capsys.readouterr().err


def test_ctrl_c_during_the_cli_join_says_how_to_finish(
        running: Running, setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    made = _people_on_server(running, 6)
    monkeypatch.setattr(engine, "FIRST_PULL_LIMIT", 2)
    monkeypatch.setenv("BOLIGSAG_PASSWORD", STAFF_PASSWORD)
    path = tmp_path / "boligsag.db"
    real = engine.pull_client.apply_page
    calls: list[int] = []

    def interrupted(target: object, page: dict) -> pull_client.ApplyResult:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C while the second page is applied
        return real(target, page)

    monkeypatch.setattr(engine.pull_client, "apply_page", interrupted)
    argv = ["join", str(path), running.base_url, "--fingerprint", setup.fingerprint,
            "--username", STAFF]
    assert cli(argv, monkeypatch) == 1
    assert "run the same command again" in capsys.readouterr().err
    monkeypatch.setattr(engine.pull_client, "apply_page", real)
    assert cli(argv, monkeypatch) == 0, capsys.readouterr().err
    assert _people(path) == set(made)


def test_cli_sync_of_an_unfinished_join_finishes_it_first(
        running: Running, setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    made = _people_on_server(running, 3)
    path = tmp_path / "boligsag.db"
    assert not join.join_team(path, running.base_url, setup.fingerprint, STAFF,
                              STAFF_PASSWORD, cancelled=lambda: True).complete
    monkeypatch.setenv("BOLIGSAG_PASSWORD", STAFF_PASSWORD)
    code = cli(["sync", str(path), "--username", STAFF], monkeypatch)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "was not finished; finishing it" in out and "Pulled " in out
    assert _people(path) == set(made)
    ctx = _open(path)
    try:
        assert join.first_pull_complete(ctx)
    finally:
        lock(ctx)

"""The team snapshot (issue 12 §5; services/server/snapshot.py, sync_client/
snapshot_client.py) against the real HTTPS server on PostgreSQL: ``boligsag server
snapshot`` builds it; an administrator's join downloads it, encrypts it under a key of
its own and ends with exactly the rows a join by pull gives, the changes made after
the snapshot and their own reminder included; staff are never offered it; a damaged
or replaced snapshot falls back to the pull; a cancelled download leaves nothing."""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from boligsag.server import config as server_config
from boligsag.services.server import snapshot as server_snapshot
from boligsag.services.server.handle import ServerDb
from boligsag.services.sync import pull
from boligsag.services.sync.wire_tables import SYNCED_TABLES
from boligsag.services.sync_client import join
from boligsag.services.sync_client.engine import SyncCancelled
from boligsag.services.sync_client.errors import ServerFailed, SnapshotUnavailable
from boligsag.services.sync_client.snapshot_client import JOINED_FROM_SNAPSHOT
from boligsag.services.sync_client.transport import ServerConnection
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.engine import open_engine
from boligsag.storage.errors import NotABoligsagDatabase
from boligsag.storage.models import AuditEntry, Setting

from .conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    STAFF,
    STAFF_PASSWORD,
    Running,
    Setup,
    cli,
    logged_in,
)


def _push(running: Running, changes: list[dict[str, Any]]) -> None:
    with ServerConnection(running.base_url, running.setup.fingerprint) as admin:
        admin.login(ADMIN, ADMIN_PASSWORD, str(uuid.uuid4()), "admins-pc")
        admin.push({"batch_id": str(uuid.uuid4()), "changes": changes, "audit": []})


def _admin_and_area(running: Running) -> tuple[str, str]:
    with ServerConnection(running.base_url, running.setup.fingerprint) as admin:
        answer = admin.login(ADMIN, ADMIN_PASSWORD, str(uuid.uuid4()), "admins-pc")
        page = admin.pull(None, 500)
    area = next(row["uuid"] for row in page["rows"] if row["table"] == "areas")
    return str(answer.user["uuid"]), area


def _person(area: str, name: str) -> dict[str, Any]:
    return {"table": "people", "uuid": str(uuid.uuid4()), "base_version": None,
            "deleted": False, "fields": {"first_name": name, "last_name": "Holm", "area": area}}


def _build(setup: Setup, monkeypatch: pytest.MonkeyPatch,
           capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert cli(["server", "snapshot", "--config", str(setup.folder)], monkeypatch) == 0
    assert "Built the team snapshot" in capsys.readouterr().out
    folder = setup.config.snapshot_folder
    return dict(json.loads((folder / server_snapshot.META_NAME).read_text()))


def _rows(path: Path, username: str, password: str) -> dict[str, set[tuple[str, int]]]:
    """(uuid, version) of every synced row, live or tombstoned, per table."""
    ctx = unlock(path, username, password, options=UnlockOptions(integrity_check=False))
    try:
        with ctx.db.reading() as session:
            return {table: {(str(u), int(v)) for u, v in session.execute(
                text(f"SELECT uuid, version FROM {table}"))} for table in SYNCED_TABLES}
    finally:
        lock(ctx)


def test_an_administrator_joins_from_the_snapshot_and_holds_what_a_pull_gives(
        running: Running, setup: Setup, server_db: ServerDb, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    admin_uuid, area = _admin_and_area(running)
    early = [_person(area, f"Før{n}") for n in range(4)]
    reminder = {"table": "reminders", "uuid": str(uuid.uuid4()), "base_version": None,
                "deleted": False, "fields": {"owner_user": admin_uuid, "due_on": "2027-01-11",
                                             "text": "Ring til jobcentret"}}
    activity = {"table": "activities", "uuid": str(uuid.uuid4()), "base_version": None,
                "deleted": False, "fields": {"name": "Mentorforløb", "kind": "mentoring",
                                             "mode": "course"}}
    meeting = {"table": "sessions", "uuid": str(uuid.uuid4()), "base_version": None,
               "deleted": False,
               "fields": {"activity": activity["uuid"], "date": "2026-11-24",
                          "attendance": [{"person": early[1]["uuid"], "present": True,
                                          "absence_reason": ""}]}}
    _push(running, [*early, reminder, activity, meeting])
    meta = _build(setup, monkeypatch, capsys)
    assert meta["rows"] > 4
    snapshot_file = setup.config.snapshot_folder / meta["file"]
    assert snapshot_file.stat().st_mode & 0o777 == 0o600
    assert setup.config.snapshot_folder.stat().st_mode & 0o777 == 0o700
    # After the snapshot: two new people and one deletion, which the join must bring.
    late = [_person(area, f"Efter{n}") for n in range(2)]
    gone = {**early[0], "base_version": 1, "deleted": True, "fields": {}}
    _push(running, [*late, gone])

    path = tmp_path / "snapshot" / "boligsag.db"
    steps: list[join.JoinProgress] = []
    fetched: list[str] = []
    real_fetch = ServerConnection.fetch

    def fetch(self: ServerConnection, table: str, uuids: list[str]) -> dict[str, Any]:
        fetched.append(table)
        return real_fetch(self, table, uuids)

    monkeypatch.setattr(ServerConnection, "fetch", fetch)
    result = join.join_team(path, running.base_url, setup.fingerprint, ADMIN, ADMIN_PASSWORD,
                            progress=steps.append)
    # The own account ahead of the pull; then the comparison brought only the reminder:
    # people arrived with the pull, but nothing is hidden from an administrator, so no
    # session is fetched again for them (on the bench team: 72,000 sessions, 100 s).
    assert sorted(set(fetched)) == ["areas", "reminders", "users"] or \
        sorted(set(fetched)) == ["reminders", "users"]
    assert "sessions" not in fetched
    assert result.complete
    # Only the changes since the snapshot were pulled, not the snapshot's rows again:
    # the two people and the deletion, and what the comparison fetched (the reminder).
    assert result.rows < meta["rows"]
    pulled = [s for s in steps if s.text.startswith("Pulled ")]
    assert pulled and pulled[-1].done == 3 and pulled[-1].total is None
    downloads = [s for s in steps if s.stage == "download"]
    assert downloads and downloads[-1].done == downloads[-1].total == meta["size"]
    assert downloads[-1].text.startswith("Downloaded ")
    assert sorted(os.listdir(path.parent)) == ["boligsag.db", "boligsag.db.keys"]

    # The same join by pull, for comparison.
    monkeypatch.setattr(ServerConnection, "snapshot", lambda _self: None)
    pulled_path = tmp_path / "pull" / "boligsag.db"
    assert join.join_team(pulled_path, running.base_url, setup.fingerprint, ADMIN,
                          ADMIN_PASSWORD).complete
    from_snapshot = _rows(path, ADMIN, ADMIN_PASSWORD)
    assert from_snapshot == _rows(pulled_path, ADMIN, ADMIN_PASSWORD)
    people = {u for u, _v in from_snapshot["people"]}
    assert {p["uuid"] for p in late} <= people
    assert (reminder["uuid"], 1) in from_snapshot["reminders"]  # no snapshot holds one
    assert (meeting["uuid"], 1) in from_snapshot["sessions"]

    ctx = unlock(path, ADMIN, ADMIN_PASSWORD, options=UnlockOptions(integrity_check=False))
    try:
        with ctx.db.reading() as session:
            first = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
            deleted = session.scalar(text("SELECT deleted_at FROM people WHERE uuid = :u"),
                                     {"u": early[0]["uuid"]})
            settings = {s.key: s.value for s in session.scalars(select(Setting))}
        assert first is not None
        assert first.detail == (f"joined team server {running.base_url} from its snapshot "
                                f"of {meta['built_at']}")
        assert deleted is not None
        assert json.loads(settings[JOINED_FROM_SNAPSHOT]) == meta["built_at"]
        assert json.loads(settings["sync_device_id"]) != ""
        assert json.loads(settings["database_id"]) != ""
    finally:
        lock(ctx)
    # snapshot.json holds the key only wrapped under the server's secret.key.
    assert "key" not in meta and len(bytes.fromhex(meta["wrapped_key"])) == 12 + 32 + 16
    with server_db.read() as session:
        server_id = pull.server_id(session)
    folder = setup.config.snapshot_folder
    assert server_snapshot.current(folder, server_id, bytes(32)) is None
    found = server_snapshot.current(folder, server_id, server_db.secret)
    assert found is not None and found.id == meta["id"]
    # The laptop's file is under a key of its own: the snapshot's key does not open it.
    with pytest.raises(NotABoligsagDatabase):
        open_engine(path, found.key, integrity_check=False).dispose()
    open_engine(snapshot_file, found.key, integrity_check=False, read_only=True).dispose()
    assert keys.KeyStore.load(keys.keys_path_for(path)).recovery is None

    with server_db.read() as session:
        details = list(session.scalars(select(AuditEntry.detail).order_by(AuditEntry.id)))
    assert any(d.startswith(f"team snapshot built: {meta['rows']} rows") for d in details)
    assert any(d.startswith(f"snapshot {meta['id']} sent: {meta['rows']} rows")
               for d in details)


def test_staff_are_never_offered_the_snapshot_and_join_by_pull(
        running: Running, setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _admin, area = _admin_and_area(running)
    _push(running, [_person(area, "Ida")])
    meta = _build(setup, monkeypatch, capsys)
    with ServerConnection(running.base_url, setup.fingerprint) as staff:
        staff.login(STAFF, STAFF_PASSWORD, str(uuid.uuid4()), "mettes-pc")
        assert staff.snapshot() is None
        with open(os.devnull, "wb") as nowhere, pytest.raises(SnapshotUnavailable):
            staff.download_snapshot(meta["id"], nowhere, lambda _n: None)
    steps: list[join.JoinProgress] = []
    path = tmp_path / "boligsag.db"
    assert join.join_team(path, running.base_url, setup.fingerprint, STAFF, STAFF_PASSWORD,
                          progress=steps.append).complete
    assert not [s for s in steps if s.stage == "download"]


def test_a_damaged_snapshot_falls_back_to_the_pull_and_leaves_no_file_behind(
        running: Running, setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _admin, area = _admin_and_area(running)
    person = _person(area, "Karla")
    _push(running, [person])
    meta = _build(setup, monkeypatch, capsys)
    damaged = setup.config.snapshot_folder / meta["file"]
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the SHA-256 can tell
    damaged.write_bytes(bytes(data))
    steps: list[join.JoinProgress] = []
    path = tmp_path / "laptop" / "boligsag.db"
    result = join.join_team(path, running.base_url, setup.fingerprint, ADMIN, ADMIN_PASSWORD,
                            progress=steps.append)
    assert result.complete
    assert [s for s in steps if s.stage == "download"]  # it was tried
    assert [s for s in steps if s.text.startswith("Pulled ")]  # and then pulled
    assert sorted(os.listdir(path.parent)) == ["boligsag.db", "boligsag.db.keys"]
    assert person["uuid"] in {u for u, _v in _rows(path, ADMIN, ADMIN_PASSWORD)["people"]}


def test_a_cancelled_download_makes_nothing(
        running: Running, setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _build(setup, monkeypatch, capsys)
    path = tmp_path / "laptop" / "boligsag.db"
    with pytest.raises(SyncCancelled):
        join.join_team(path, running.base_url, setup.fingerprint, ADMIN, ADMIN_PASSWORD,
                       cancelled=lambda: True)
    assert os.listdir(path.parent) == []


def test_a_second_build_while_one_runs_is_refused(setup: Setup, server_db: ServerDb) -> None:
    folder = setup.config.snapshot_folder
    folder.mkdir(mode=0o700)
    fd = os.open(folder / ".build.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a build running in another process
        with pytest.raises(server_snapshot.BuildBusy):
            server_snapshot.build(server_db, folder)
    finally:
        os.close(fd)
    assert not (folder / server_snapshot.META_NAME).exists()


@pytest.mark.parametrize("value", ["snapshots", 7, ["/var/lib/x"]])
def test_a_snapshot_folder_that_is_not_an_absolute_path_is_refused_by_name(
        tmp_path: Path, value: object) -> None:
    (tmp_path / "server.json").write_text(json.dumps(
        {"database_url": "postgresql://boligsag@/boligsag", "snapshot_folder": value}))
    with pytest.raises(server_config.ConfigDamaged) as refused:
        server_config.load(tmp_path)
    assert "snapshot_folder must be an absolute folder path" in str(refused.value)


def test_the_snapshot_folder_is_the_configured_one_or_beside_the_configuration(
        tmp_path: Path) -> None:
    (tmp_path / "server.json").write_text(json.dumps(
        {"database_url": "postgresql://boligsag@/boligsag"}))
    assert server_config.load(tmp_path).snapshot_folder == tmp_path / "snapshots"
    (tmp_path / "server.json").write_text(json.dumps(
        {"database_url": "postgresql://boligsag@/boligsag",
         "snapshot_folder": "/var/lib/boligsag-server/snapshots"}))
    config = server_config.load(tmp_path)
    assert config.snapshot_folder == Path("/var/lib/boligsag-server/snapshots")
    assert config.to_json()["snapshot_folder"] == "/var/lib/boligsag-server/snapshots"


def test_init_keeps_the_snapshot_folder_it_is_given_and_snapshot_builds_there(
        server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder, snapshots = tmp_path / "config", tmp_path / "state" / "snapshots"
    assert cli(["server", "init", server_url, "--organisation", "Boligsocialt Hus",
                "--admin-name", "Åse Nørgaard", "--config", str(folder), "--area", "Nord",
                "--plan", "Helhedsplan Nord", "--host", "localhost",
                "--snapshot-folder", str(snapshots), "--password-stdin"],
               monkeypatch, ADMIN_PASSWORD + "\n") == 0
    assert server_config.load(folder).snapshot_folder == snapshots
    capsys.readouterr()
    assert cli(["server", "snapshot", "--config", str(folder)], monkeypatch) == 0
    out = capsys.readouterr().out
    assert f"({snapshots}/snapshot-" in out
    assert sorted(p.name for p in snapshots.iterdir() if not p.name.startswith(".")) == [
        json.loads((snapshots / "snapshot.json").read_text())["file"], "snapshot.json"]


def test_a_failing_snapshot_offer_does_not_fail_the_join(
        running: Running, setup: Setup, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_self: ServerConnection) -> None:
        raise ServerFailed("HTTP 500 internal")

    monkeypatch.setattr(ServerConnection, "snapshot", broken)
    path = tmp_path / "laptop" / "boligsag.db"
    assert join.join_team(path, running.base_url, setup.fingerprint, ADMIN,
                          ADMIN_PASSWORD).complete
    assert sorted(os.listdir(path.parent)) == ["boligsag.db", "boligsag.db.keys"]


def test_builds_keep_the_one_before_and_remove_older_and_abandoned_ones(
        setup: Setup, server_db: ServerDb) -> None:
    folder = setup.config.snapshot_folder
    server_snapshot.build(server_db, folder)
    (folder / ".building-0123abcd.db").write_bytes(b"half a build, killed")
    second, _seconds = server_snapshot.build(server_db, folder)
    third, _seconds = server_snapshot.build(server_db, folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".build.lock", second.path.name, third.path.name, server_snapshot.META_NAME])
    with server_db.read() as session:
        server_id = pull.server_id(session)
    found = server_snapshot.current(folder, server_id, server_db.secret)
    assert found is not None and found.id == third.id
    # Another server database (a restore, a replaced server): not offered.
    assert server_snapshot.current(folder, str(uuid.uuid4()), server_db.secret) is None


def test_the_snapshot_routes_need_a_log_in_and_refuse_a_made_up_id(
        running: Running, setup: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    meta = _build(setup, monkeypatch, capsys)
    with running.client() as http:
        assert http.get("/v1/sync/snapshot").status_code == 401
        assert http.get("/v1/sync/snapshot/file", params={"id": meta["id"]}).status_code == 401
        admin = logged_in(http, ADMIN, ADMIN_PASSWORD)
        offer = http.get("/v1/sync/snapshot", headers=admin.headers)
        assert offer.status_code == 200 and offer.json()["id"] == meta["id"]
        for made_up in ("../snapshot.json", "0" * 65, "", uuid.uuid4().hex):
            answer = http.get("/v1/sync/snapshot/file", headers=admin.headers,
                              params={"id": made_up})
            assert (answer.status_code, answer.json()) == (404, {"error": "no_snapshot"})
        whole = http.get("/v1/sync/snapshot/file", headers=admin.headers,
                         params={"id": meta["id"]})
        assert whole.status_code == 200 and len(whole.content) == meta["size"]


def test_the_snapshot_holds_no_ssp_note_and_an_ssp_user_joining_from_it_gets_them(
        running: Running, setup: Setup, server_db: ServerDb, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The snapshot is built for no one in particular, so without SSP notes' text
    (sync/ssp_strip.py); the administrator with SSP access who joins from it has them
    fetched again (sync_client/ssp_follow.py)."""
    planted = "Hvidkløver-plantet-SSP-notat"
    assert cli(["server", "set-ssp", ADMIN, "on", "--config", str(setup.folder)],
               monkeypatch) == 0
    admin_uuid, area = _admin_and_area(running)
    youth = _person(area, "Yusuf")
    contact = {"table": "contacts", "uuid": str(uuid.uuid4()), "base_version": None,
               "deleted": False,
               "fields": {"occurred_at": "2026-11-24T10:00:00", "staff_user": admin_uuid,
                          "channel": "phone", "people": [youth["uuid"]], "note": planted,
                          "ssp_locked": True}}
    _push(running, [youth, contact])
    meta = _build(setup, monkeypatch, capsys)
    with server_db.read() as session:
        server_id = pull.server_id(session)
    found = server_snapshot.current(setup.config.snapshot_folder, server_id, server_db.secret)
    assert found is not None
    engine = open_engine(setup.config.snapshot_folder / meta["file"], found.key,
                         integrity_check=False, read_only=True)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT ssp_locked, note FROM contacts WHERE uuid = :u"),
                                {"u": contact["uuid"]}).one() == (True, "")
    finally:
        engine.dispose()

    path = tmp_path / "ssp" / "boligsag.db"
    assert join.join_team(path, running.base_url, setup.fingerprint, ADMIN,
                          ADMIN_PASSWORD).complete
    ctx = unlock(path, ADMIN, ADMIN_PASSWORD, options=UnlockOptions(integrity_check=False))
    try:
        with ctx.db.reading() as session:
            joined = session.scalar(text("SELECT detail FROM audit_entries ORDER BY id"))
            note = session.scalar(text("SELECT note FROM contacts WHERE uuid = :u"),
                                  {"u": contact["uuid"]})
    finally:
        lock(ctx)
    assert joined is not None and "from its snapshot" in joined
    assert note == planted

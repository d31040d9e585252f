"""A team-server database for the sync engine's tests, and laptops ("devices") that push
to it and pull from it at engine level (services/sync/push.py, pull.py), each call in
its own unit of work as the HTTP server runs them.

The ``server`` fixture (import ``server_fixture`` and ``template_fixture`` into a test
module) copies a migrated, seeded template database (tests/pg.py):
reference data, two areas, four users (administrator, team lead, two staff members of
the first area) and a registered device for each (``server_devices``), so a test can
lock a device's row to hold a push between its numbering and its commit.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select, text

from boligsag.domain.enums import Role
from boligsag.services import org_settings
from boligsag.services.sync import pull as pull_module
from boligsag.services.sync import push as push_module
from boligsag.services.sync import wire
from boligsag.services.sync.actor import SyncActor
from boligsag.storage import migrate
from boligsag.storage.database import Database
from boligsag.storage.models import (
    Area,
    AuditEntry,
    Base,
    ServerDevice,
    SyncChange,
    SyncConflict,
    User,
    user_areas,
)
from boligsag.storage.reference_data import load_reference_data
from boligsag.storage.server_engine import open_server_engine

from ..pg import PgCluster

AUDIT_SECRET = bytes(range(32))
START = datetime(2026, 11, 25, 9, 0)
# device name -> (username, full name, role)
DEVICES = {
    "admin": ("admin", "Åse Nørgaard", Role.ADMINISTRATOR),
    "lead": ("lead", "Bent Holm", Role.TEAM_LEAD),
    "staff": ("staff", "Cecilie Dahl", Role.STAFF),
    "staff2": ("staff2", "Dorte Friis", Role.STAFF),
}


def _seed(url: str) -> None:
    engine = open_server_engine(url)
    try:
        migrate.upgrade(engine)
        with Database(engine).writing(None) as session:
            load_reference_data(session, with_services=False)
            # The server's identity, as server init makes it: pull cursors carry it.
            org_settings.set_setting(session, "database_id", str(uuid.uuid4()))
            east = Area(uuid=str(uuid.uuid4()), name="Ærtebjerg Øst", municipality="Odense")
            south = Area(uuid=str(uuid.uuid4()), name="Søndergården", municipality="Odense")
            session.add_all([east, south])
            for device, (username, name, role) in DEVICES.items():
                user = User(uuid=str(uuid.uuid4()), username=username, full_name=name,
                            role=role)
                session.add(user)
                session.flush()
                if role == Role.STAFF:
                    session.execute(insert(user_areas).values(user_id=user.id,
                                                              area_id=east.id))
                session.add(ServerDevice(uuid=str(uuid.uuid5(uuid.NAMESPACE_DNS, device)),
                                         user_id=user.id, name=device, registered_at=START))
    finally:
        engine.dispose()


@pytest.fixture(scope="session", name="sync_template")
def template_fixture(pg_cluster: PgCluster) -> str:
    name = pg_cluster.create_database()
    _seed(pg_cluster.url(name))
    return name


@dataclass
class SyncServer:
    engine: Engine
    db: Database
    actors: dict[str, SyncActor]
    areas: dict[str, str]  # area name -> uuid
    clock: list[datetime] = field(default_factory=lambda: [START])

    def tick(self) -> datetime:
        """The server's clock, one minute on per call: who/when of each push."""
        self.clock[0] += timedelta(minutes=1)
        return self.clock[0]

    def push(self, device: str, changes: Sequence[dict[str, Any]], *,
             batch_id: str | None = None, audit: Sequence[dict[str, Any]] = ()) -> dict:
        batch = {"batch_id": batch_id or str(uuid.uuid4()), "changes": list(changes),
                 "audit": list(audit)}
        now = self.tick()
        with self.db.writing(None) as session:
            return push_module.push(session, self.actors[device], batch,
                                    audit_key=AUDIT_SECRET, now=now)

    def pull(self, device: str, cursor: str | None = None, limit: int = 500) -> dict:
        with self.db.reading() as session:
            return pull_module.pull(session, self.actors[device], cursor, limit)

    def pull_all(self, device: str, cursor: str | None = None,
                 limit: int = 500) -> tuple[list[dict], str | None]:
        rows: list[dict] = []
        while True:
            page = self.pull(device, cursor, limit)
            rows.extend(page["rows"])
            cursor = page["cursor"]
            if not page["more"]:
                return rows, cursor

    def row(self, table: str, row_uuid: str) -> dict:
        """The server's current wire row of ``table`` by uuid."""
        with self.db.reading() as session:
            t = Base.metadata.tables[table]
            row_id = session.scalar(select(t.c.id).where(t.c.uuid == row_uuid))
            (wire_row,) = wire.rows_to_wire(session, table, [row_id])
            return wire_row

    def counts(self) -> dict[str, int]:
        """How many change-log entries, conflicts and audit entries the server holds."""
        with self.db.reading() as session:
            return {
                "changes": session.scalar(select(func.count()).select_from(SyncChange)) or 0,
                "conflicts": session.scalar(
                    select(func.count()).select_from(SyncConflict)) or 0,
                "audit": session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            }

    def conflicts(self) -> list[SyncConflict]:
        with self.db.reading() as session:
            return list(session.scalars(select(SyncConflict).order_by(SyncConflict.id)))

    def user_id(self, device: str) -> int:
        return self.actors[device].user_id


@pytest.fixture(name="server")
def server_fixture(pg_cluster: PgCluster, sync_template: str) -> Iterator[SyncServer]:
    name = pg_cluster.create_database(template=sync_template)
    engine = open_server_engine(pg_cluster.url(name), pool_size=4)
    try:
        with engine.connect() as connection:
            users = {row.username: row for row in connection.execute(
                select(User.id, User.uuid, User.username, User.role))}
            areas = {row.name: row.uuid for row in connection.execute(select(Area.name, Area.uuid))}
        actors = {device: SyncActor(users[username].id, users[username].uuid,
                                    Role(users[username].role),
                                    str(uuid.uuid5(uuid.NAMESPACE_DNS, device)))
                  for device, (username, _name, _role) in DEVICES.items()}
        yield SyncServer(engine, Database(engine), actors, areas)
    finally:
        engine.dispose()
        pg_cluster.drop_database(name)


# --- building changes -------------------------------------------------------------------


def new_person(first: str, last: str, **fields: Any) -> dict[str, Any]:
    return {"table": "people", "uuid": str(uuid.uuid4()), "base_version": None,
            "deleted": False, "fields": {"first_name": first, "last_name": last, **fields}}


def edit(table: str, row_uuid: str, base: int, **fields: Any) -> dict[str, Any]:
    return {"table": table, "uuid": row_uuid, "base_version": base, "deleted": False,
            "fields": fields}


def delete(table: str, row_uuid: str, base: int) -> dict[str, Any]:
    return {"table": table, "uuid": row_uuid, "base_version": base, "deleted": True,
            "fields": {}}


def new_contact(staff_uuid: str, people: list[str], **fields: Any) -> dict[str, Any]:
    return {"table": "contacts", "uuid": str(uuid.uuid4()), "base_version": None,
            "deleted": False,
            "fields": {"occurred_at": "2026-11-24T10:00:00", "staff_user": staff_uuid,
                       "channel": "phone", "people": people, **fields}}


def tick(person: dict, present: bool) -> dict[str, Any]:
    """A session's attendance mark for ``person`` (a pushed person change)."""
    return {"person": person["uuid"], "present": present, "absence_reason": ""}


def meeting_across_areas(server: SyncServer) -> tuple[dict, dict, dict]:
    """A mentoring session with one participant the staff member sees (east) and one
    they do not (south), pushed by the administrator: (seen, unseen, session)."""
    east, south = server.areas["Ærtebjerg Øst"], server.areas["Søndergården"]
    seen = new_person("Amira", "Hassan", area=east)
    unseen = new_person("Bo", "Lund", area=south)
    activity = {"table": "activities", "uuid": str(uuid.uuid4()), "base_version": None,
                "deleted": False, "fields": {"name": "Mentorforløb", "kind": "mentoring",
                                             "mode": "course"}}
    meeting = {"table": "sessions", "uuid": str(uuid.uuid4()), "base_version": None,
               "deleted": False,
               "fields": {"activity": activity["uuid"], "date": "2026-11-24",
                          "attendance": [tick(seen, True), tick(unseen, True)]}}
    server.push("admin", [seen, unseen, activity, meeting])
    return seen, unseen, meeting


def audit_entry(user_uuid: str, detail: str) -> dict[str, Any]:
    return {"at": "2026-11-24T10:00:00", "action": "view", "user_uuid": user_uuid,
            "username": "admin", "entity": "people", "detail": detail}


# --- holding a push between its numbering and its commit ---------------------------------


class DeviceLock:
    """Holds ``server_devices``' row of one device FOR UPDATE on a connection of its own:
    a push from that device numbers its changes, then waits at its device-row update
    (right after the numbering, before its commit) until :meth:`release`. No hook in
    src."""

    def __init__(self, server: SyncServer, device: str) -> None:
        self._connection = server.engine.connect()
        self._connection.execute(text("SELECT 1 FROM server_devices WHERE uuid = :u FOR UPDATE"),
                                 {"u": server.actors[device].device_id})

    def release(self) -> None:
        self._connection.rollback()
        self._connection.close()


def lock_waiters(server: SyncServer) -> int:
    """Backends of this database waiting for a lock (a row lock, a unique key being
    inserted by another transaction, or an advisory lock)."""
    with server.engine.connect() as connection:
        return connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")) or 0


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Poll ``condition`` until it holds (the state of other transactions cannot be
    waited on any other way from here); fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.02)


class Background:
    """Runs one call on a thread and keeps its result or exception."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None

        def run() -> None:
            try:
                self.result = call()
            except BaseException as exc:  # handed to the test by join()
                self.error = exc

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def join(self, timeout: float = 30.0) -> Any:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the background call did not finish"
        if self.error is not None:
            raise self.error
        return self.result

"""The world of tests/integration/test_sync_property.py: one team server on PostgreSQL and
laptop replicas of its users, each made as joining a team makes one
(services/sync_client/join.py: vocabulary loaded locally, the user's own row fetched,
a key file wrapping the key under the server password, the first pull), and a remote
that can fail at the moments a killed process or a dropped connection would.

Cost: the server of each example is a file-level copy of a template (~0.1 s) that
already holds the extra devices, a few records and the change log; each user's replica
is joined ONCE (:func:`base_replicas`) and its files copied per example, so an example
pays only an unlock (the tests' cheap KDF) per replica.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from boligsag.domain.enums import Role
from boligsag.services import org_settings
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.people import PersonDraft
from boligsag.services.sync import push as push_module
from boligsag.services.sync.actor import SyncActor
from boligsag.services.sync.seed import seed_change_log
from boligsag.services.sync.wire_read import rows_to_wire
from boligsag.services.sync.wire_tables import SYNCED_TABLES
from boligsag.services.sync_client import engine as sync_engine
from boligsag.services.sync_client import join, pull_client, server_link
from boligsag.services.sync_client.errors import ServerUnreachable
from boligsag.services.sync_client.transport import LoginAnswer
from boligsag.services.unlock import UnlockOptions, unlock
from boligsag.storage import keys
from boligsag.storage.database import Database
from boligsag.storage.engine import open_engine
from boligsag.storage.models import Area, Base, Person, ServerDevice, SyncOutboxEntry, User
from boligsag.storage.server_engine import open_server_engine

from ..conftest import CHEAP_KDF
from ..pg import PgCluster
from .sync_remote import InProcessRemote
from .sync_server import AUDIT_SECRET, START, SyncServer, new_contact, new_person

PASSWORD = "korrekt-hest-batteri"  # each user's server password, and so their replica's
URL = "https://boligsag.test:8443"
FINGERPRINT = "AB" * 32
USERS = ("admin", "lead", "staff", "staff2")
MAX_REPLICAS = 6
EAST, SOUTH = "Ærtebjerg Øst", "Søndergården"


def device_name(user: str, index: int) -> str:
    """Replica ``index``'s device on the server (one per replica, as one per laptop)."""
    return f"{user}-{index}"


def _device_uuid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"property.{name}"))


def _actors(server_db: Database) -> tuple[dict[str, SyncActor], dict[str, str]]:
    with server_db.reading() as session:
        users = {u.username: u for u in session.scalars(select(User))}
        areas = {a.name: a.uuid for a in session.scalars(select(Area))}
        actors = {device_name(name, i): SyncActor(users[name].id, users[name].uuid,
                                                  Role(users[name].role),
                                                  _device_uuid(device_name(name, i)))
                  for name in USERS for i in range(MAX_REPLICAS)}
    return actors, areas


def make_template(pg_cluster: PgCluster, sync_template: str) -> str:
    """A template for every example's server: sync_server.py's (four users, two areas),
    a registered device per replica, the change log ``server init`` leaves, and a few
    records of both areas pushed by the administrator (something to edit at once)."""
    name = pg_cluster.create_database(template=sync_template)
    engine_ = open_server_engine(pg_cluster.url(name))
    try:
        db = Database(engine_)
        with db.writing(None) as session:
            ids = {u.username: u.id for u in session.scalars(select(User))}
            session.add_all(ServerDevice(uuid=_device_uuid(device_name(user, i)),
                                         user_id=ids[user], name=device_name(user, i),
                                         registered_at=START)
                            for user in USERS for i in range(MAX_REPLICAS))
        with engine_.begin() as connection:
            seed_change_log(connection, now=START)
        actors, areas = _actors(db)
        admin = actors[device_name("admin", 0)]
        people = [new_person("Amira", "Hassan", area=areas[EAST], phone="20 11 22 33"),
                  new_person("Bo", "Lund", area=areas[EAST]),
                  new_person("Carla", "Jensen", area=areas[SOUTH], note="Fra start")]
        contacts = [new_contact(admin.user_uuid, [people[0]["uuid"]], note="Første"),
                    new_contact(admin.user_uuid, [people[2]["uuid"]], note="Syd")]
        with db.writing(None) as session:
            push_module.push(session, admin, {"batch_id": str(uuid.uuid4()),
                                              "changes": people + contacts, "audit": []},
                             audit_key=AUDIT_SECRET, now=START)
    finally:
        engine_.dispose()
    return name


def open_server(pg_cluster: PgCluster, template: str) -> tuple[SyncServer, str]:
    """A fresh server copied from ``template``; (server, database name to drop)."""
    name = pg_cluster.create_database(template=template)
    engine_ = open_server_engine(pg_cluster.url(name), pool_size=4)
    db = Database(engine_)
    actors, areas = _actors(db)
    return SyncServer(engine_, db, actors, areas, clock=[START]), name


# --- replicas -------------------------------------------------------------------------


class _RemoteAt(InProcessRemote):
    """The in-process server under the address the replicas are linked to."""

    url = URL


def _join(path: Path, server: SyncServer, device: str, username: str) -> None:
    """Make the replica file at ``path`` as joining does (join.make_replica), then pull
    all (as join._first_pull, without its progress and log-in handling)."""
    actor = server.actors[device]
    remote = _RemoteAt(server, device)
    answer = LoginAnswer(token="", expires_at=0,
                         user={"uuid": actor.user_uuid, "username": username})
    db_key = join.make_replica(path, remote, FINGERPRINT, answer, actor.device_id, PASSWORD)
    engine_ = open_engine(path, db_key, integrity_check=False)
    try:
        db = Database(engine_, path)
        sync_engine.pull_all(db, remote)
        with db.writing(None) as session:
            org_settings.set_setting(session, join.FIRST_PULL_DONE, True)
    finally:
        engine_.dispose()


def _files(path: Path) -> list[Path]:
    return [p for p in (path, keys.keys_path_for(path), Path(f"{path}-wal"),
                        Path(f"{path}-shm")) if p.exists()]


def base_replicas(folder: Path, server: SyncServer) -> dict[str, Path]:
    """One joined replica per user (made on device 0), to be copied per example."""
    made = {}
    for user in USERS:
        path = folder / user / "boligsag.db"
        path.parent.mkdir(parents=True)
        _join(path, server, device_name(user, 0), user)
        made[user] = path
    return made


def copy_replica(base: Path, to: Path) -> Path:
    to.mkdir(parents=True)
    for source in _files(base):
        shutil.copy2(source, to / source.name)
    return to / base.name


def open_replica(path: Path, user: str, clock: FixedClock) -> AppContext:
    return unlock(path, user, PASSWORD, clock=clock,
                  options=UnlockOptions(integrity_check=False))


# --- what a replica and the server hold ------------------------------------------------


def live_rows(db: Database, tables: Sequence[str] = SYNCED_TABLES) -> dict[tuple[str, str], dict]:
    """Every live (not deleted) wire row of the synced tables, by (table, uuid)."""
    held: dict[tuple[str, str], dict] = {}
    with db.reading() as session:
        for table in tables:
            t = Base.metadata.tables[table]
            ids = list(session.scalars(select(t.c.id)))
            for row in rows_to_wire(session, table, ids) if ids else ():
                if not row["deleted"]:
                    held[(table, row["uuid"])] = row
    return held


def visible_on_server(server: SyncServer, device: str) -> dict[tuple[str, str], dict]:
    """The live rows the server gives ``device``'s user: a pull of everything from the
    start, the last state of each row."""
    rows, _ = server.pull_all(device, None, 5000)
    latest: dict[tuple[str, str], dict] = {}
    for row in rows:
        latest[(row["table"], row["uuid"])] = row
    return {key: row for key, row in latest.items() if not row["deleted"]}


def local_bases(db: Database) -> dict[tuple[str, str], int]:
    """(table, uuid) -> base version of the outbox entries that record no field."""
    with db.reading() as session:
        return {(e.table_name, e.row_uuid): e.base_version
                for e in session.scalars(select(SyncOutboxEntry))
                if not e.deleted and json.loads(e.fields) == [] and e.base_version}


def snapshot(ctx: AppContext) -> tuple[dict, str, str]:
    """What a failed step must not have changed: live rows, cursor, pending batch."""
    with ctx.db.reading() as session:
        cursor = str(org_settings.get_setting(session, "sync_cursor"))
        pending = str(org_settings.get_setting(session, "sync_pending_batch"))
    return live_rows(ctx.db), cursor, pending


# --- a remote that fails like a network or a killed process ----------------------------


class Died(Exception):
    """The laptop's process "died" here (kill -9): nothing after this point ran."""


@dataclass
class FaultyRemote:
    """InProcessRemote with one armed fault at a time:

    - ``push_lost``: the push is applied and committed on the server, then the answer
      is lost (the process dies before the acknowledgement);
    - ``push_unsent``: the push fails before it reaches the server;
    - ``pull_unsent``: the pull fails before it reaches the server (a dropped link after
      the acknowledgement was committed)."""

    inner: InProcessRemote
    fault: str | None = None
    fired: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unanswered: str | None = None  # the batch id whose answer never came back

    def _check_resent(self, batch: dict[str, Any]) -> None:
        """A batch sent and not answered is stored as pending and must be the first
        thing the next push sends (push_client's step 1), however the sync ended."""
        if self.unanswered is not None and batch["batch_id"] != self.unanswered:
            self.problems.append(f"batch {self.unanswered} left unanswered was not sent "
                                 f"again first (sent {batch['batch_id']})")
        self.unanswered = None

    def _fire(self, fault: str) -> bool:
        if self.fault != fault:
            return False
        self.fault = None
        self.fired.append(fault)
        return True

    def push(self, batch: dict[str, Any]) -> dict[str, Any]:
        self._check_resent(batch)
        if self._fire("push_unsent"):
            self.unanswered = batch["batch_id"]
            raise ServerUnreachable("dropped before the push reached the server")
        result = self.inner.push(batch)
        if self._fire("push_lost"):
            self.unanswered = batch["batch_id"]
            raise Died("after the server's commit, before the acknowledgement")
        return result

    def pull(self, cursor: str | None, limit: int) -> dict[str, Any]:
        if self._fire("pull_unsent"):
            raise ServerUnreachable("dropped before the pull reached the server")
        return self.inner.pull(cursor, limit)

    def holdings(self) -> dict[str, Any]:
        return self.inner.holdings()

    def holdings_list(self, table: str, buckets: Sequence[str]) -> dict[str, Any]:
        return self.inner.holdings_list(table, buckets)

    def fetch(self, table: str, uuids: Sequence[str]) -> dict[str, Any]:
        return self.inner.fetch(table, uuids)


def failing_apply(ctx: AppContext, on_page: int,
                  problems: list[str]) -> Callable[[Any, dict[str, Any]], Any]:
    """A pull_client.apply_page whose ``on_page``-th call (from 0) dies inside its
    transaction after writing the page's rows (as it stores the cursor, before the
    commit); that call must change nothing, else a problem is noted."""
    real_apply, real_set_cursor = pull_client.apply_page, server_link.set_cursor
    calls = [0]

    def dying_set_cursor(*args: Any) -> None:
        real_set_cursor(*args)
        raise Died("inside the page's transaction")

    def apply(target: Any, page: dict[str, Any]) -> Any:
        calls[0] += 1
        if calls[0] - 1 != on_page:
            return real_apply(target, page)
        before = snapshot(ctx)
        server_link.set_cursor = dying_set_cursor
        try:
            return real_apply(target, page)
        finally:
            server_link.set_cursor = real_set_cursor
            if snapshot(ctx) != before:
                problems.append("a page that failed half-way changed the replica")

    return apply


def clock_at(at: datetime) -> FixedClock:
    return FixedClock(at)


# --- reading a replica as its user would ------------------------------------------


def local_id(ctx: AppContext, model: Any, uuid: str) -> int | None:
    with ctx.db.reading() as session:
        return session.scalar(select(model.id).where(model.uuid == uuid))


def live_ids(ctx: AppContext, model: Any) -> list[tuple[int, str]]:
    """(id, uuid) of the replica's live rows of ``model``, in a steady order."""
    with ctx.db.reading() as session:
        return list(session.execute(select(model.id, model.uuid)
                                    .where(model.deleted_at.is_(None)).order_by(model.id)))


def wire_field(ctx: AppContext, table: str, uuid: str, field: str) -> Any:
    rows = live_rows(ctx.db, (table,))
    row = rows.get((table, uuid))
    return None if row is None else row["fields"][field]


def person_draft(person: Person) -> PersonDraft:
    return PersonDraft(
        first_name=person.first_name, last_name=person.last_name, cpr=person.cpr or "",
        birth_date=person.birth_date, gender=person.gender, phone=person.phone or "",
        email=person.email or "", street=person.street or "",
        postal_code=person.postal_code or "", city=person.city or "",
        area_id=person.area_id, household_id=person.household_id,
        languages=person.languages or "", restricted=person.restricted,
        responsible_user_id=person.responsible_user_id, note=person.note or "")


# --- made once per test module -------------------------------------------------------


@dataclass
class Files:
    template: str  # the servers' template database
    bases: dict[str, Path]  # each user's joined replica


@pytest.fixture(scope="module", name="files")
def files_fixture(pg_cluster: PgCluster, sync_template: str,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Files]:
    """Made once for the module, with the tests' cheap KDF (the function-scoped
    cheap_kdf fixture has not run yet): the key files keep their KDF parameters, so
    every unlock of a copy is cheap too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, "KDF_PARAMS", CHEAP_KDF)
        template = make_template(pg_cluster, sync_template)
        server, name = open_server(pg_cluster, template)
        try:
            bases = base_replicas(tmp_path_factory.mktemp("replicas"), server)
        finally:
            server.engine.dispose()
            pg_cluster.drop_database(name)
    yield Files(template, bases)
    pg_cluster.drop_database(template)

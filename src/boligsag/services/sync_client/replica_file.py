"""A new replica file for a join (join.py) and for the server's team snapshot
(services/server/snapshot.py): the empty file with the newest schema and vocabulary
(:func:`new_replica_file`), and what makes a staged replica this laptop's
(:func:`finish_replica`): its database id, the user's own account, the shared
settings, the first audit entry and the key file. :func:`make_replica` is both, for a
join by pull; sync_client/snapshot_client.py starts from the downloaded snapshot.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, select

from boligsag.domain.enums import AuditAction
from boligsag.errors import UserError
from boligsag.services import org_settings
from boligsag.storage import audit, audit_anchor, keys, migrate
from boligsag.storage.database import Database
from boligsag.storage.engine import open_engine
from boligsag.storage.models import User
from boligsag.storage.reference_data import load_reference_data

from . import engine, pull_client, server_link, settings_client
from .transport import LoginAnswer

__all__ = ["FIRST_PULL_DONE", "ReplicaSource", "finish_replica", "make_replica",
           "new_replica_file"]

FIRST_PULL_DONE = "sync_first_pull_done"


class ReplicaSource(engine.Remote, Protocol):
    """What building a replica asks of the server: its address and the sync calls
    (a ServerConnection; the property test's in-process server too)."""

    url: str


def new_replica_file(tmp: Path, db_key: bytes) -> Engine:
    """An empty replica at ``tmp`` under ``db_key``: the newest schema and the
    vocabulary, no services (they arrive by pull); for a join and for the server's team
    snapshot (services/server/snapshot.py). The caller disposes of the engine."""
    engine_ = open_engine(tmp, db_key, create=True, integrity_check=False)
    try:
        migrate.upgrade(engine_)
        with Database(engine_, tmp).writing(None) as session:
            load_reference_data(session, with_services=False)
    except BaseException:
        engine_.dispose()
        raise
    return engine_


def make_replica(tmp: Path, connection: ReplicaSource, fingerprint: str,
                 answer: LoginAnswer, device: str, password: str) -> bytes:
    """Build the replica at the staging name ``tmp``, its first pull not yet made;
    returns its database key."""
    db_key = keys.new_database_key()
    engine_ = new_replica_file(tmp, db_key)
    try:
        db = Database(engine_, tmp)
        with db.writing(None) as session:
            server_link.adopt(session, connection.url, fingerprint, device)
            org_settings.set_setting(session, FIRST_PULL_DONE, False)
        finish_replica(db, db_key, connection, answer, password,
                       detail=f"joined team server {connection.url}")
    finally:
        engine_.dispose()
    return db_key


def finish_replica(db: Database, db_key: bytes, connection: ReplicaSource,
                   answer: LoginAnswer, password: str, *, detail: str) -> None:
    """What makes a staged replica this laptop's: its own database id, the user's
    account fetched (so it unlocks however early the first pull stops), the shared
    settings, the first audit entry (``detail``) and the key file, wrapped under the
    server password. The caller has adopted the server and device (server_link.adopt)."""
    user_uuid, username = str(answer.user["uuid"]), str(answer.user["username"])
    database_id = str(uuid.uuid4())
    with db.writing(None) as session:
        org_settings.set_setting(session, "database_id", database_id)
    _fetch_own_account(db, connection, user_uuid)
    settings_client.refresh(db, connection)
    now = datetime.now().replace(microsecond=0)
    with db.writing(None) as session:
        user_id = session.scalar(select(User.id).where(User.uuid == user_uuid))
        created = audit.append(session, audit.derive_key(db_key), at=now,
                               user_id=user_id, username=username,
                               action=AuditAction.CREATE, entity="database",
                               entity_uuid=database_id, detail=detail)
    store = keys.KeyStore.create(database_id)
    store.audit_anchor = audit_anchor.for_entry(audit.derive_key(db_key), created)
    store.add_user(user_uuid, username, password, db_key)
    assert db.path is not None
    store.save(keys.keys_path_for(db.path))


class _AccountMissing(UserError):
    def __init__(self) -> None:
        super().__init__("The team server did not send your account. Contact your IT "
                         "administrator.")


def _fetch_own_account(db: Database, connection: ReplicaSource, user_uuid: str) -> None:
    """The user's row and its areas, ahead of the first pull, so the replica unlocks
    however early that pull stops (the pull brings them again, which changes nothing).
    The cursor stays where it is (the start, or a team snapshot's): a fetch does not
    move the pull."""
    users = list(connection.fetch("users", [user_uuid])["rows"])
    areas: list[str] = [a for row in users for a in row["fields"].get("areas") or []]
    rows = (list(connection.fetch("areas", areas)["rows"]) if areas else []) + users
    with db.reading() as session:
        cursor = str(org_settings.get_setting(session, "sync_cursor")) or None
    pull_client.apply_page(db, {"rows": rows, "cursor": cursor, "more": False})
    with db.reading() as session:
        active = session.scalar(select(User.active).where(User.uuid == user_uuid,
                                                          User.deleted_at.is_(None)))
    if not active:
        raise _AccountMissing()

"""Joining a team server (issue 12): a NEW encrypted replica file filled by a first pull.

:func:`join_team` checks the address and fingerprint (nothing is made when either is
wrong or the server shows another certificate), logs in with a new device id, and
builds the replica like services/setup.create_database_files builds a database, with
these differences:

- the vocabulary (focus areas, topics, channels, age groups, consent scopes) is loaded
  locally, as the server loads it: pulled rows name it by code. The catalogue of
  services is NOT loaded: the server's arrives by pull, with its uuids;
- no local administrator: the user's own ``users`` row (and the areas it names) is
  fetched from the server before the file is moved into place, so the replica unlocks
  with services/unlock.unlock even when the first pull is stopped at once; the key file
  wraps the key under the SERVER password typed here; no recovery key (the server holds
  the data; a replica whose password is lost is joined again);
- the audit chain starts with "joined team server <url>";
- the organisation's shared settings (letterhead, logo, limits) are fetched before the
  file is moved into place and again after the first pull (settings_client.py), so the
  replica has its organisation's name and letterhead from the start.

A team lead or administrator whose server has a team snapshot starts from it instead
of an empty file (snapshot_client.py): downloaded, re-encrypted under the laptop's own
key and made theirs by replica_file.finish_replica as an empty replica is; the first
pull then brings only what changed since the snapshot. Without one the join is as above.

The file is made in a staging folder (storage/staging.py) and moved into place complete:
a failure or Ctrl-C before that leaves nothing at PATH. The first pull runs after the
move, page by page, each page committed with its cursor. Only when it has finished is
org setting ``sync_first_pull_done`` set. A cancelled or interrupted first pull leaves
an unfinished replica: :func:`finish_join` (or :func:`join_team` again with the same
server) carries on from the stored cursor; :func:`first_pull_complete` tells the app.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from boligsag.domain.enums import Role
from boligsag.errors import UserError
from boligsag.services import org_settings
from boligsag.services.sync.actor import SyncActor
from boligsag.services.sync.scope_rules import sees_everything
from boligsag.storage import keys, migrate
from boligsag.storage.database import Database
from boligsag.storage.engine import open_engine
from boligsag.storage.errors import DatabaseExists, DatabaseMissing
from boligsag.storage.models import User
from boligsag.storage.staging import staged_database

from . import engine, server_link, settings_client, snapshot_client
from .errors import TokenExpired
from .pinning import normalise_fingerprint
from .replica_file import FIRST_PULL_DONE, ReplicaSource, make_replica
from .server_link import normalise_url
from .team import OtherServerAccount, device_name
from .transport import ServerConnection

__all__ = ["AlreadyJoined", "JoinProgress", "JoinResult", "NotAnUnfinishedJoin",
           "PathIsFolder", "ReplicaSource", "check_server", "finish_join",
           "first_pull_complete", "join_team", "make_replica"]



@dataclass(frozen=True)
class JoinProgress:
    done: int  # rows pulled so far in this run; bytes for "download"
    total: int | None  # the rows the server says this user may hold (None: unknown)
    text: str  # English, for the command line
    stage: str = "pull"  # or "download": the team snapshot (snapshot_client.py)


@dataclass(frozen=True)
class JoinResult:
    path: Path
    username: str
    rows: int  # rows pulled (or fetched) in this run
    complete: bool  # the first pull has finished


Progress = Callable[[JoinProgress], None]
Cancelled = Callable[[], bool]


class PathIsFolder(UserError):
    def __init__(self, path: Path) -> None:
        super().__init__("{file} is a folder. Give the name of the new database file, "
                         "e.g. {example}.", file=str(path), example=str(path / "boligsag.db"))


class NotAnUnfinishedJoin(UserError):
    """PATH exists and is not a replica of this server whose first pull was stopped."""

    def __init__(self, path: Path) -> None:
        super().__init__("{file} already exists and is not an unfinished join of this team "
                         "server. Choose a new file name.", file=str(path))


class AlreadyJoined(UserError):
    def __init__(self, path: Path) -> None:
        super().__init__("{file} is already a complete copy of this team server's data. "
                         "Open it, or run: boligsag sync {file} --username NAME",
                         file=str(path))


class OtherFingerprint(UserError):
    def __init__(self, path: Path) -> None:
        super().__init__("{file} was joined to this team server with another certificate "
                         "fingerprint. Check the fingerprint with your IT administrator.",
                         file=str(path))


def check_server(url: str, fingerprint: str) -> None:
    """Return when the server at ``url`` answers over a link pinned to ``fingerprint``;
    InvalidServerAddress, InvalidFingerprint, FingerprintMismatch, ServerUnreachable …"""
    with ServerConnection(normalise_url(url), normalise_fingerprint(fingerprint)) as link:
        link.health()


def first_pull_complete(target: Any) -> bool:
    """Whether the replica's first pull has finished (an AppContext or a Database). A
    stand-alone database has none to finish: True."""
    db = target if isinstance(target, Database) else target.db
    with db.reading() as session:
        if server_link.current(session) is None:
            return True
        return bool(org_settings.get_setting(session, FIRST_PULL_DONE))


# -- joining -------------------------------------------------------------------------


def join_team(path: Path, url: str, fingerprint: str, username: str, password: str, *,
              progress: Progress | None = None,
              cancelled: Cancelled | None = None) -> JoinResult:
    """Make the replica at ``path`` and pull what ``username`` may hold. ``path`` must
    not exist, or be an unfinished join of the same server (then it is finished)."""
    path = Path(path).absolute()
    clean_url, clean_fingerprint = normalise_url(url), normalise_fingerprint(fingerprint)
    if path.is_dir():
        raise PathIsFolder(path)
    if path.exists():
        return _resume_existing(path, clean_url, clean_fingerprint, username, password,
                                progress, cancelled)
    if keys.keys_path_for(path).exists():  # before the server sees a password
        raise DatabaseExists(keys.keys_path_for(path))
    with ServerConnection(clean_url, clean_fingerprint) as connection:
        connection.health()
        device = str(uuid.uuid4())
        answer = connection.login(username.strip(), password, device, device_name())
        said = [-1]

        def received(done: int, size: int) -> None:
            # A report per whole percent, not per megabyte: the command line prints each.
            percent = done * 100 // size
            if progress is not None and (percent > said[0] or done == size):
                said[0] = percent
                progress(JoinProgress(done, size, _download_text(done, size), "download"))

        with staged_database(path) as tmp:
            db_key = snapshot_client.replica_from_snapshot(
                tmp, connection, clean_fingerprint, answer, device, password,
                received=received, cancelled=cancelled)
            if db_key is None:
                db_key = make_replica(tmp, connection, clean_fingerprint, answer, device,
                                      password)
        with _opened(path, db_key) as db:
            return _first_pull(
                db, path, answer.user["username"], connection,
                lambda: connection.login(username.strip(), password, device, device_name()),
                progress, cancelled)


def finish_join(path: Path, username: str, password: str, *,
                progress: Progress | None = None,
                cancelled: Cancelled | None = None) -> JoinResult:
    """Carry on with the first pull of the replica at ``path`` (stopped by a cancel, a
    lost connection or a closed program). A finished replica returns at once."""
    path = Path(path).absolute()
    user_uuid, db_key, name = _unwrap(path, username, password)
    with _opened(path, db_key) as db:
        with db.reading() as session:
            link = server_link.current(session)
        if link is None:
            raise NotAnUnfinishedJoin(path)
        return _continue(db, path, link, user_uuid, name, password, progress, cancelled)


def _resume_existing(path: Path, url: str, fingerprint: str, username: str, password: str,
                     progress: Progress | None, cancelled: Cancelled | None) -> JoinResult:
    keys_path = keys.keys_path_for(path)
    try:
        store = keys.KeyStore.load(keys_path)
    except UserError:
        raise NotAnUnfinishedJoin(path) from None
    if store.recovery is not None:  # a stand-alone database: replicas have none
        raise NotAnUnfinishedJoin(path)
    user_uuid, db_key, name = _unwrap(path, username, password)
    with _opened(path, db_key) as db:
        with db.reading() as session:
            link = server_link.current(session)
        if link is None or link.url != url:
            raise NotAnUnfinishedJoin(path)
        if link.fingerprint != fingerprint:
            raise OtherFingerprint(path)
        if first_pull_complete(db):
            raise AlreadyJoined(path)
        return _continue(db, path, link, user_uuid, name, password, progress, cancelled)


def _continue(db: Database, path: Path, link: server_link.ServerLink, user_uuid: str,
              username: str, password: str, progress: Progress | None,
              cancelled: Cancelled | None) -> JoinResult:
    if first_pull_complete(db):
        return JoinResult(path, username, 0, True)
    with ServerConnection(link.url, link.fingerprint) as connection:
        answer = connection.login(username, password, link.device_id, device_name())
        if str(answer.user.get("uuid", "")) != user_uuid:
            raise OtherServerAccount()
        return _first_pull(
            db, path, username, connection,
            lambda: connection.login(username, password, link.device_id, device_name()),
            progress, cancelled)


def _unwrap(path: Path, username: str, password: str) -> tuple[str, bytes, str]:
    """(user uuid, database key, the username as the key file spells it)."""
    if not path.is_file():
        raise DatabaseMissing(path)
    store = keys.KeyStore.load(keys.keys_path_for(path))
    user_uuid, db_key = store.unwrap_for_user(username.strip(), password)
    name = next(u.username for u in store.users if u.user_uuid == user_uuid)
    return user_uuid, db_key, name


@contextlib.contextmanager
def _opened(path: Path, db_key: bytes) -> Iterator[Database]:
    engine_ = open_engine(path, db_key, integrity_check=False)
    try:
        migrate.check_revision(engine_, path)
        if not migrate.is_at_head(engine_):
            migrate.upgrade(engine_)  # a newer Boligsag finishing an older join
        yield Database(engine_, path)
    finally:
        engine_.dispose()


# -- the first pull ------------------------------------------------------------------


def _expected_total(connection: ServerConnection) -> int | None:
    """The live rows the server lists for this user: what the first pull brings, about
    (a pull also brings tombstones), for a percentage."""
    tables = connection.holdings().get("tables", {})
    try:
        return sum(int(count) for buckets in tables.values()
                   for count, _hash in buckets.values())
    except (AttributeError, TypeError, ValueError):
        return None


def _download_text(done: int, size: int) -> str:
    return f"Downloaded {done / 1e6:,.1f} of {size / 1e6:,.1f} MB of the team snapshot"


def _text(stage: str, done: int, total: int | None) -> str:
    if stage == "reconcile":
        return "Checking the copy against the team server…"
    if total:
        return f"Pulled {done:,} of ~{total:,} rows"
    return f"Pulled {done:,} rows"


def _sees_everything(db: Database, username: str) -> bool:
    """Whether the server hides no row from the replica's user (scope_rules), by the
    role of their account as the server has just sent it."""
    with db.reading() as session:
        user = session.scalars(select(User).where(User.username == username)).first()
    return user is not None and sees_everything(
        SyncActor(user_id=user.id, user_uuid=user.uuid, role=Role(user.role), device_id=""))


def _first_pull(db: Database, path: Path, username: str, connection: ServerConnection,
                log_in_again: Callable[[], object], progress: Progress | None,
                cancelled: Cancelled | None) -> JoinResult:
    """Pull everything, log in again (``log_in_again``) whenever the server's 15-minute
    token runs out during a long pull and carry on from the stored cursor, then mark
    the first pull done."""
    with db.reading() as session:
        from_snapshot = bool(org_settings.get_setting(session,
                                                      snapshot_client.JOINED_FROM_SNAPSHOT))
    # After a snapshot only the changes since it come, a count nobody knows ahead.
    total = None if from_snapshot else _expected_total(connection)
    hides_nothing = _sees_everything(db, username)
    earlier = [0]  # rows pulled before the last log-in (pull_all counts from 0 again)
    seen = [0]

    def report(step: engine.SyncProgress) -> None:
        done = step.done + earlier[0] if step.stage == "pull" else step.done
        if step.stage == "pull":
            seen[0] = done
        if progress is not None:
            shown = total if step.stage == "pull" else step.total
            progress(JoinProgress(done, shown, _text(step.stage, done, shown)))

    logged_in_at = -1  # rows pulled when the pull last logged in again
    while True:
        try:
            outcome = engine.pull_all(db, connection, progress=report, cancelled=cancelled,
                                      expected_total=total, hides_nothing=hides_nothing)
            break
        except engine.SyncCancelled:
            return JoinResult(path, username, seen[0], False)
        except TokenExpired:
            if seen[0] == logged_in_at:  # expired again with nothing pulled: give up
                raise
            earlier[0] = logged_in_at = seen[0]
            log_in_again()
    settings_client.refresh(db, connection)  # changed during a long or resumed pull?
    with db.writing(None) as session:
        org_settings.set_setting(session, FIRST_PULL_DONE, True)
        # The plan a new replica's overview starts with: the live plan starting last
        # (current_plan_uuid is each database's own, never shared by the server).
        settings_client.keep_current_plan(session)
    return JoinResult(path, username, earlier[0] + outcome.pulled + outcome.fetched, True)

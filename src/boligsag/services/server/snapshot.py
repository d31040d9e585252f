"""The team snapshot (issue 12 §5): a prebuilt encrypted replica of every row a team
lead or administrator may pull, from which their laptops join in seconds instead of
pulling ~900,000 rows one page at a time (the laptop's side: sync_client/
snapshot_client.py).

:func:`build` (``boligsag server snapshot``, nightly by boligsag-server-snapshot.timer)
makes a new SQLCipher file with the laptop's own code (sync_client/replica_file.py),
then the first pull (sync_client/engine.pull_all), in process, of what a team lead with no
account of its own sees: everything but reminders, which are private to their owner
(the laptop's comparison after the join fetches the user's own). The file is encrypted
under a random key of its own. The folder (server.json ``snapshot_folder``) is the
server account's only (0700, files 0600) and holds:

- ``snapshot-<id>.db``: the newest snapshot, and the one before it (a laptop may be
  downloading it; older ones are removed);
- ``snapshot.json``: the newest snapshot's id, its key WRAPPED (AES-GCM under a key
  derived from the server's ``secret.key``: a copy of this folder alone opens nothing),
  size, SHA-256, build time, schema revision, the server database it was pulled from
  and its row count. Written last and atomically: a build that fails or is killed
  leaves the previous snapshot in use.

:func:`current` is the snapshot a laptop may be offered: none when the file is missing
or another size, was built by another schema (a laptop at another version joins by
pull), or pulled from another server database (a restore or a replaced database).
A snapshot holds nothing the server does not hold, and its key is handed only to users
who may pull all of it (server/snapshot_calls.py), who then encrypt their copy under a
key of their own.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from boligsag.atomic import atomic_write, fsync_directory
from boligsag.domain.enums import AuditAction, Role
from boligsag.errors import UserError
from boligsag.services import shared_settings
from boligsag.services.sync import holdings as holdings_module
from boligsag.services.sync import pull as pull_module
from boligsag.services.sync.actor import SyncActor
from boligsag.storage import keys, migrate
from boligsag.storage.database import Database

from .accounts import audit_admin, local_now
from .handle import ServerDb

__all__ = ["SNAPSHOT_ACTOR", "BuildBusy", "Snapshot", "build", "current"]

META_NAME = "snapshot.json"
_LOCK_NAME = ".build.lock"
_BUILDING = ".building-"
_PAGE = 5000  # pull.MAX_LIMIT: the largest pages, as a laptop's first pull asks
# A team lead with no account of its own: it sees every row but anyone's reminders
# (scope_rules: a reminder is its owner's; user id 0 owns none).
SNAPSHOT_ACTOR = SyncActor(user_id=0, user_uuid="", role=Role.TEAM_LEAD, device_id="")


class BuildBusy(UserError):
    def __init__(self, folder: Path) -> None:
        super().__init__("A team snapshot is being built in {folder} already; wait for it "
                         "to finish.", folder=str(folder))


@dataclass(frozen=True)
class Snapshot:
    id: str
    path: Path
    key: bytes
    size: int
    sha256: str
    built_at: str  # local time, ISO 8601, to the second
    schema: str  # the alembic revision it was built at
    server_id: str  # the server database it was pulled from (pull.server_id)
    rows: int

    def offer(self) -> dict[str, Any]:
        """What a laptop that may use it is told (GET /v1/sync/snapshot)."""
        return {"id": self.id, "key": self.key.hex(), "size": self.size,
                "sha256": self.sha256, "built_at": self.built_at, "schema": self.schema,
                "rows": self.rows}

    def to_json(self, secret: bytes) -> dict[str, Any]:
        """For snapshot.json: the key wrapped under ``secret`` (the server's)."""
        doc = {**self.offer(), "file": self.path.name, "server_id": self.server_id}
        del doc["key"]
        nonce = os.urandom(12)
        doc["wrapped_key"] = (nonce + AESGCM(_wrapping_key(secret)).encrypt(
            nonce, self.key, self.id.encode("ascii"))).hex()
        return doc


def _wrapping_key(secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"boligsag team snapshot key").derive(secret)


def _unwrap(wrapped_hex: str, snapshot_id: str, secret: bytes) -> bytes:
    wrapped = bytes.fromhex(wrapped_hex)
    try:
        return AESGCM(_wrapping_key(secret)).decrypt(wrapped[:12], wrapped[12:],
                                                    snapshot_id.encode("ascii"))
    except InvalidTag:
        raise ValueError("the snapshot key was wrapped under another secret") from None


def _file_name(snapshot_id: str) -> str:
    return f"snapshot-{snapshot_id}.db"


def _read_meta(folder: Path, secret: bytes) -> Snapshot | None:
    try:
        doc = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
        snapshot_id = str(doc["id"])
        if doc["file"] != _file_name(snapshot_id):
            return None
        key = _unwrap(str(doc["wrapped_key"]), snapshot_id, secret)
        return Snapshot(snapshot_id, folder / doc["file"], key,
                        int(doc["size"]), str(doc["sha256"]), str(doc["built_at"]),
                        str(doc["schema"]), str(doc["server_id"]), int(doc["rows"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def current(folder: Path, server_id: str, secret: bytes) -> Snapshot | None:
    """The snapshot a laptop of the server database ``server_id`` (pull.server_id) may
    start from, its key unwrapped with the server's ``secret``, or None (see the module
    docstring; also when another secret wrapped it)."""
    snapshot = _read_meta(folder, secret)
    if snapshot is None or snapshot.server_id != server_id:
        return None
    if snapshot.schema != migrate.head_revision():
        return None
    try:
        if snapshot.path.stat().st_size != snapshot.size:
            return None
    except OSError:
        return None
    return snapshot


class _OnServer:
    """The sync calls a laptop's pull makes, answered in process from the server
    database for SNAPSHOT_ACTOR, each in one snapshot of it as the HTTP routes do."""

    url = ""

    def __init__(self, server: ServerDb) -> None:
        self.server = server

    def pull(self, cursor: str | None, limit: int) -> dict[str, Any]:
        with self.server.read() as session:
            return pull_module.pull(session, SNAPSHOT_ACTOR, cursor, limit)

    def holdings(self) -> dict[str, Any]:
        with self.server.read() as session:
            return holdings_module.holdings(session, SNAPSHOT_ACTOR)

    def holdings_list(self, table: str, buckets: Sequence[str]) -> dict[str, Any]:
        with self.server.read() as session:
            return holdings_module.listed(session, SNAPSHOT_ACTOR, table, list(buckets))

    def fetch(self, table: str, uuids: Sequence[str]) -> dict[str, Any]:
        with self.server.read() as session:
            return holdings_module.fetch(session, SNAPSHOT_ACTOR, table, list(uuids))

    def settings(self, etag: str | None) -> dict[str, Any]:
        with self.server.read() as session:
            return shared_settings.answer(session, etag)

    def push(self, batch: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("a snapshot is only pulled")


@contextlib.contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    fd = os.open(folder / _LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildBusy(folder) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _remove_quietly(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _pull_into(tmp: Path, db_key: bytes, server: ServerDb,
               progress: Callable[[int], None] | None) -> int:
    """The first pull of SNAPSHOT_ACTOR into a new replica file at ``tmp``; its rows."""
    # Imported here: the laptop's sync client is needed only by a build.
    from boligsag.services.sync_client import engine, replica_file

    engine_ = replica_file.new_replica_file(tmp, db_key)
    try:
        db = Database(engine_, tmp)
        report = None if progress is None else (lambda step: progress(step.done))
        outcome = engine.pull_all(db, _OnServer(server), progress=report,
                                  expected_total=None)
    finally:
        engine_.dispose()  # the last connection's close checkpoints and removes the -wal
    if Path(f"{tmp}-wal").exists():
        raise RuntimeError("the snapshot's -wal was not folded into it")
    return outcome.pulled + outcome.fetched


def build(server: ServerDb, folder: Path, *,
          progress: Callable[[int], None] | None = None) -> tuple[Snapshot, float]:
    """Build a new snapshot in ``folder`` and make it the current one; returns it and
    the seconds the build took. ``progress`` gets the rows pulled so far. BuildBusy
    when another build of the same folder runs."""
    started = time.monotonic()
    folder = Path(folder).absolute()
    _private_folder(folder)
    with _build_lock(folder):
        for stale in folder.glob(f"{_BUILDING}*"):  # a build that was killed
            _remove_quietly(stale)
        snapshot_id = uuid.uuid4().hex
        tmp = folder / f"{_BUILDING}{snapshot_id}.db"
        db_key = keys.new_database_key()
        with server.read() as session:
            server_id = pull_module.server_id(session)
        built_at = local_now().isoformat()
        try:
            rows = _pull_into(tmp, db_key, server, progress)
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            final = folder / _file_name(snapshot_id)
            os.replace(tmp, final)
        except BaseException:
            _remove_quietly(tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"))
            raise
        snapshot = Snapshot(snapshot_id, final, db_key, final.stat().st_size, _sha256(final),
                            built_at, migrate.head_revision(), server_id, rows)
        previous = _read_meta(folder, server.secret)
        atomic_write(folder / META_NAME, (json.dumps(snapshot.to_json(server.secret),
                                                     indent=2) + "\n").encode("utf-8"))
        keep = {final.name} | ({previous.path.name} if previous is not None else set())
        for old in folder.glob("snapshot-*.db"):
            if old.name not in keep:
                _remove_quietly(old)
        fsync_directory(folder)
    with server.write() as session:
        audit_admin(server, session, AuditAction.CREATE, entity="snapshot",
                    entity_uuid=snapshot_id,
                    detail=f"team snapshot built: {rows} rows, {snapshot.size} bytes")
    return snapshot, time.monotonic() - started

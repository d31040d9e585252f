"""A join that starts from the team snapshot (issue 12 §5; the server side is
services/server/snapshot.py).

A team lead or administrator may hold every row on the server: ~900,000 on the bench
team, which a row-by-row first pull writes in minutes. The server keeps a prebuilt
encrypted replica of exactly those rows (less anyone's reminders, which are private),
made by the same pull code at a recorded cursor. :func:`replica_from_snapshot` downloads
it into the join's staging folder over the pinned link, checks its size and SHA-256,
encrypts it under a NEW key of this laptop's own (``PRAGMA rekey``: the snapshot's key is
known to the server and to every lead who joined from it, this file's is not), and
makes it this laptop's replica as a fresh join would (replica_file.finish_replica). Its cursor
is the snapshot's, so the first pull that follows brings only what changed since; the
comparison with the server is marked due, which brings the user's own reminders and
anything the log can no longer tell (a prune, a restore).

Whenever the snapshot cannot be used (none for this role, another schema, replaced
meanwhile, a damaged download) the staged files are removed and the caller makes an
empty replica instead: a join never fails because of its snapshot, only slower.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boligsag.services import org_settings
from boligsag.storage import keys, migrate
from boligsag.storage.database import Database
from boligsag.storage.engine import open_engine
from boligsag.storage.errors import CipherSettingsMismatch, NotABoligsagDatabase
from boligsag.storage.file_copies import rekey

from . import server_link
from .engine import SyncCancelled
from .errors import ServerFailed, SnapshotUnavailable
from .replica_file import FIRST_PULL_DONE, finish_replica
from .transport import LoginAnswer, ServerConnection

__all__ = ["JOINED_FROM_SNAPSHOT", "SnapshotOffer", "replica_from_snapshot"]

LOG = logging.getLogger("boligsag.sync_client")
JOINED_FROM_SNAPSHOT = "sync_joined_from_snapshot"  # org setting: the snapshot's built_at
_HEX64 = re.compile(r"[0-9a-f]{64}")

Received = Callable[[int, int], None]  # bytes so far, bytes in all
Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class SnapshotOffer:
    """What the server says about its snapshot (GET /v1/sync/snapshot)."""

    id: str
    key: bytes = b""
    size: int = 0
    sha256: str = ""
    built_at: str = ""
    schema: str = ""
    rows: int = 0

    @classmethod
    def parse(cls, doc: dict[str, Any]) -> SnapshotOffer:
        try:
            key, digest = str(doc["key"]), str(doc["sha256"])
            offer = cls(str(doc["id"]), bytes.fromhex(key), int(doc["size"]), digest,
                        str(doc["built_at"]), str(doc["schema"]), int(doc["rows"]))
        except (KeyError, TypeError, ValueError):
            raise ServerFailed("the snapshot offer lacks id, key, size or sha256") from None
        if len(offer.key) != 32 or not _HEX64.fullmatch(digest) or offer.size <= 0:
            raise ServerFailed("the snapshot offer is malformed")
        return offer


def replica_from_snapshot(tmp: Path, connection: ServerConnection, fingerprint: str,
                          answer: LoginAnswer, device: str, password: str, *,
                          received: Received | None = None,
                          cancelled: Cancelled | None = None) -> bytes | None:
    """Make the staged replica at ``tmp`` from the server's snapshot and return its
    database key; None (nothing left at ``tmp``) when there is no snapshot this laptop
    can use. SyncCancelled when ``cancelled`` says so during the download (nothing is
    kept: the staging folder goes with the join)."""
    try:
        doc = connection.snapshot()
        offer = None if doc is None else SnapshotOffer.parse(doc)
    except ServerFailed as why:  # an unexpected answer: the pull may still work
        LOG.warning("the team snapshot offer failed (%s); joining by pull", why.detail)
        return None
    if offer is None:
        return None
    if offer.schema != migrate.head_revision():
        LOG.info("the team snapshot has another schema (%s); joining by pull", offer.schema)
        return None
    try:
        _download(tmp, connection, offer, received, cancelled)
    except (SnapshotUnavailable, ServerFailed, _DamagedDownload) as why:
        LOG.info("the team snapshot cannot be used (%s); joining by pull", type(why).__name__)
        _remove(tmp)
        return None
    except BaseException:
        _remove(tmp)
        raise
    db_key = keys.new_database_key()
    try:
        rekey(tmp, offer.key, db_key)
    except (NotABoligsagDatabase, CipherSettingsMismatch) as why:  # the server's mistake
        LOG.warning("the team snapshot does not open (%s); joining by pull",
                    type(why).__name__)
        _remove(tmp)
        return None
    except BaseException:
        _remove(tmp)
        raise
    try:
        # No quick_check: the SHA-256 matched the server's file and the rekey has just
        # read (HMAC-checked) and rewritten every page.
        engine_ = open_engine(tmp, db_key, integrity_check=False)
        try:
            migrate.check_revision(engine_, tmp)
            db = Database(engine_, tmp)
            with db.writing(None) as session:
                server_link.adopt(session, connection.url, fingerprint, device)
                org_settings.set_setting(session, FIRST_PULL_DONE, False)
                org_settings.set_setting(session, JOINED_FROM_SNAPSHOT, offer.built_at)
                # Brings the user's reminders, which no snapshot holds, and whatever the
                # change log since the snapshot cannot tell (a prune, a restore).
                server_link.set_reconcile_due(session, True)
            finish_replica(db, db_key, connection, answer, password,
                           detail=f"joined team server {connection.url} from its snapshot "
                                  f"of {offer.built_at}")
        finally:
            engine_.dispose()
    except BaseException:
        _remove(tmp)
        raise
    return db_key


class _DamagedDownload(Exception):
    """The file that arrived is not the one offered (size or SHA-256)."""


def _download(tmp: Path, connection: ServerConnection, offer: SnapshotOffer,
              received: Received | None, cancelled: Cancelled | None) -> None:
    digest = hashlib.sha256()

    class _Hashing:
        """Writes each chunk to the file and the hash (the file is read back nowhere)."""

        def __init__(self, out: Any) -> None:
            self.out = out

        def write(self, chunk: bytes) -> int:
            digest.update(chunk)
            return int(self.out.write(chunk))

    def each(done: int) -> None:
        if done > offer.size:
            raise _DamagedDownload()
        if received is not None:
            received(done, offer.size)
        if cancelled is not None and cancelled():
            raise SyncCancelled()

    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        connection.download_snapshot(offer.id, _Hashing(out), each)  # type: ignore[arg-type]
        out.flush()
        os.fsync(out.fileno())
        size = out.tell()
    if size != offer.size or digest.hexdigest() != offer.sha256:
        raise _DamagedDownload()


def _remove(tmp: Path) -> None:
    for name in (tmp, *(Path(f"{tmp}{tail}") for tail in ("-wal", "-shm", "-journal")),
                 keys.keys_path_for(tmp)):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


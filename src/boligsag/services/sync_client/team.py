"""A replica's life with its team server once joined (issue 12): is this database one,
its connection, the log-in that also follows a password changed on the server, and
forgetting the replica when the server no longer lets this laptop in.

- :func:`connect` builds the pinned connection from the link stored in the encrypted
  database (server_link.py); nothing is read from a plain file.
- :func:`log_in` logs in as the unlocked user with this laptop's device id. The server
  decides the password: when it accepts one the local key file does not (the password
  was changed on the server, and the old one still opened the replica offline), the
  local key is wrapped again with the new one, audited, so from then on only the new
  password opens the replica. The server's user uuid must be this replica's user's: a
  username that is another account on the server is refused, not synced.
- :func:`forget_replica`: after DeviceRevoked or UserDisabled the caller (the app's
  sync, ``boligsag sync``) deletes the replica's files: the server holds the data, and
  a laptop the organisation has shut out must not keep a copy of its people.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from pathlib import Path

from boligsag.domain.enums import AuditAction
from boligsag.errors import UserError
from boligsag.services.context import AppContext
from boligsag.storage import audit_anchor, keys
from boligsag.storage.errors import WrongPassword

from . import server_link
from .server_link import ServerLink
from .transport import ServerConnection

__all__ = ["NotATeamReplica", "OtherServerAccount", "connect", "device_name",
           "forget_replica", "is_replica", "log_in", "replica_files"]

LOG = logging.getLogger("boligsag.sync_client")


class NotATeamReplica(UserError):
    """The open database has no team server link (a stand-alone database)."""

    def __init__(self) -> None:
        super().__init__("This database is not connected to a team server.")


class OtherServerAccount(UserError):
    """The server logged the username in as an account other than this replica's user
    (the account was deleted and made again, or the replica belongs to another
    server): syncing would mix two people's work."""

    def __init__(self) -> None:
        super().__init__("The team server knows this username as a different account "
                         "than the one on this computer. Join the team server again "
                         "into a new file.")


def device_name() -> str:
    """What the server's administrator sees for this laptop in ``server devices``."""
    return (socket.gethostname() or "").strip()[:100] or "Boligsag"


def _link(ctx: AppContext) -> ServerLink:
    with ctx.db.reading() as session:
        link = server_link.current(session)
    if link is None:
        raise NotATeamReplica()
    return link


def is_replica(ctx: AppContext) -> bool:
    with ctx.db.reading() as session:
        return server_link.current(session) is not None


def connect(ctx: AppContext) -> ServerConnection:
    """A connection to the replica's server, pinned to the stored fingerprint (not yet
    logged in). NotATeamReplica for a stand-alone database."""
    link = _link(ctx)
    return ServerConnection(link.url, link.fingerprint)


def log_in(ctx: AppContext, connection: ServerConnection, password: str) -> None:
    """Log in to the server as ``ctx.actor`` from this laptop; then, if the local key
    file refuses ``password`` (changed on the server), wrap the local key with it.

    Raises the transport's errors (LoginRefused, DeviceRevoked, UserDisabled, …) and
    OtherServerAccount; nothing local changes unless the server accepted the password.
    """
    link = _link(ctx)
    answer = connection.login(ctx.actor.username, password, link.device_id, device_name())
    if str(answer.user.get("uuid", "")) != ctx.actor.user_uuid:
        raise OtherServerAccount()
    _follow_server_password(ctx, password)


def _follow_server_password(ctx: AppContext, password: str) -> None:
    # One Argon2id run per log-in (every 15 minutes at most) to learn whether the key
    # file still takes this password; the server has just said it is the right one.
    # Lock order as users.set_password_of: the key file's lock, then the write; the
    # entry is committed before the key file is saved (an entry for a wrap that failed
    # to save is better than a wrap without an entry).
    with keys.edit_key_file(ctx.key_file()) as store:
        try:
            store.unwrap_for_user(ctx.actor.username, password)
            return
        except WrongPassword:
            pass
        with ctx.write(None) as unit:
            store.set_password(ctx.actor.user_uuid, ctx.actor.username, password,
                               ctx.db_key)
            unit.audit(AuditAction.PASSWORD_CHANGED, entity="users",
                       entity_uuid=ctx.actor.user_uuid,
                       detail="local key wrapped with the password changed on the "
                       "team server")
    LOG.info("the replica's key was wrapped again with the team server's new password")


def replica_files(path: Path) -> list[Path]:
    """The files that make up the replica at ``path`` (those that exist): the database,
    its -wal/-shm/-journal, the copies kept before migrations, the key file and its
    lock file."""
    path = Path(path)
    keys_path = keys.keys_path_for(path)
    names = [path, *(Path(f"{path}{tail}") for tail in ("-wal", "-shm", "-journal")),
             keys_path, keys.lock_path_for(keys_path)]
    with contextlib.suppress(OSError):
        names += sorted(p for p in path.parent.glob(f"{path.name}.before-*.bak"))
    return [p for p in names if os.path.lexists(p)]


def forget_replica(ctx: AppContext) -> None:
    """Close the replica and delete its files (see :func:`replica_files`). For a laptop
    the server has shut out (DeviceRevoked, UserDisabled); unpushed changes are lost
    with it. The context is unusable afterwards."""
    path = ctx.db.path
    if path is None:
        raise NotATeamReplica()
    _link(ctx)  # a stand-alone database is never deleted here
    if ctx.keys_path is not None:
        # The anchor's writer thread must not recreate the key file after it is gone.
        with contextlib.suppress(Exception):
            audit_anchor.flush(ctx.keys_path)
    ctx.db.dispose()
    for file in replica_files(Path(path)):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(file)
    LOG.info("the replica's files were deleted")

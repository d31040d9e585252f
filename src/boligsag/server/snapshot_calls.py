"""The team snapshot's two routes (services/server/snapshot.py): the offer, with the
key, and the file. Only a user who may pull every row (an administrator or team lead)
is offered one; anyone else, and everyone while none is built, gets 404
``no_snapshot`` and joins by pull.

The file is person data: the server's audit entry ("snapshot <id> sent: 918476 rows")
is committed before the first byte is sent, as a pull's is (sync_calls.py). The offer
alone holds no person data: its key opens nothing without the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from boligsag.domain.enums import AuditAction
from boligsag.services.server import login as server_login
from boligsag.services.server.accounts import ServerDb, audit_admin
from boligsag.services.server.login import Caller, Claim

from .sync_calls import actor_of


class NoSnapshot(Exception):
    """None built, none this caller may have, or not the one asked for."""


def _usable(server: ServerDb, claim: Claim, folder: Path) -> tuple[Caller, Any]:
    # Imported here, as in sync_calls: the sync engine loads with the first sync request.
    from boligsag.services.server import snapshot
    from boligsag.services.sync.pull import server_id
    from boligsag.services.sync.scope_rules import sees_everything

    caller = server_login.caller(server, claim)
    if not sees_everything(actor_of(caller)):
        raise NoSnapshot()
    with server.read() as session:
        found = snapshot.current(folder, server_id(session), server.secret)
    if found is None:
        raise NoSnapshot()
    return caller, found


def offer(server: ServerDb, claim: Claim, folder: Path) -> dict[str, Any]:
    with server.one_connection():
        _caller, found = _usable(server, claim, folder)
        return dict(found.offer())


def file_to_send(server: ServerDb, claim: Claim, folder: Path, snapshot_id: str) -> Path:
    """The snapshot file to stream, its audit entry committed."""
    with server.one_connection():
        caller, found = _usable(server, claim, folder)
        if found.id != snapshot_id:
            raise NoSnapshot()  # replaced since the offer: the laptop asks again or pulls
        with server.write() as session:
            audit_admin(server, session, AuditAction.VIEW, entity="sync",
                        entity_uuid=caller.device_id, user_id=caller.user_id,
                        username=caller.username,
                        detail=f"snapshot {found.id} sent: {found.rows} rows, built "
                               f"{found.built_at}")
        return Path(found.path)

"""Summaries of the team server's database, for ``boligsag summary postgresql://…``: a
municipality's figures across teams without any laptop holding them (issue 11 §1).

The command runs on the server machine, as a named server user: whoever can reach the
database there (its PostgreSQL credentials, PGPASSFILE or PGPASSWORD, never the command
line) may act as any active account that has the summary permissions, as with
``boligsag server add-user``; the account decides what the summary may show (exact or
published figures) and whose name the audit entry carries.

Its audit entries go into the server's own chain, keyed from the server's
``secret.key`` and serialised across server instances (services/server_audit.py),
not into a laptop-style chain keyed by a database key that a server does not have.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction, Role
from boligsag.domain.permissions import Permission, has_permission
from boligsag.errors import UserError

from .. import server_audit
from ..context import Actor, AppContext, SystemClock
from ..server import accounts

__all__ = ["ServerUserDisabled", "ServerUserMayNotSummarise", "open_as"]

NEEDED = (Permission.VIEW_SUMMARIES, Permission.EXPORT)


class ServerUserDisabled(UserError):
    def __init__(self, username: str) -> None:
        super().__init__("The user {username} is disabled on the server.", username=username)


class ServerUserMayNotSummarise(UserError):
    def __init__(self, username: str, role: str) -> None:
        super().__init__("The user {username} has the role {role}, which may not make "
                         "summaries.", username=username, role=role)


@dataclass
class ServerContext(AppContext):
    """An AppContext whose audit entries go into the server's chain."""

    secret: bytes = field(default=b"", repr=False)

    def audit(self, session: Session, action: AuditAction, *, entity: str = "",
              entity_uuid: str | None = None, person_uuid: str | None = None,
              detail: str = "") -> None:
        server_audit.append(session, self.secret, [{
            "at": self.clock.now(), "action": action, "user_id": self.actor.user_id,
            "username": self.actor.username, "entity": entity,
            "entity_uuid": entity_uuid or "", "person_uuid": person_uuid or "",
            "detail": detail}])


def open_as(url: str, secret: bytes, username: str) -> AppContext:
    """A context over the server database at ``url`` acting as ``username``; close it
    with ``ctx.db.dispose()``. Raises PasswordInUrl or NotPostgresUrl (the URL),
    NoSuchAccount, ServerUserDisabled or ServerUserMayNotSummarise (a role without the
    summary permissions)."""
    server = accounts.connect(url, secret, connections=2)
    try:
        with server.db.reading() as session:
            user = accounts.get_user(session, username)
            actor = Actor(user.id, user.uuid, user.username, user.full_name, user.role)
            usable = user.active and user.deleted_at is None
        if not usable:
            raise ServerUserDisabled(actor.username)
        if not all(has_permission(actor.role, p) for p in NEEDED):
            raise ServerUserMayNotSummarise(actor.username, Role(actor.role).value)
    except BaseException:
        server.dispose()
        raise
    # No key file: a server database has none (its audit key comes from ``secret``).
    return ServerContext(server.db, actor, keys_path=None, clock=SystemClock(), secret=secret)

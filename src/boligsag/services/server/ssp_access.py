"""SSP access of a team server account (issue 13 §5; services/ssp_notes.py):
``boligsag server set-ssp``."""

from __future__ import annotations

from boligsag.domain.enums import AuditAction, Role

from ..errors import ValidationFailed
from ..ssp_notes import ssp_problems
from ..sync.ordering import ChangeEntry, log_changes
from .accounts import audit_admin, get_user, local_now
from .handle import ServerDb

__all__ = ["set_ssp_access"]


def set_ssp_access(server: ServerDb, username: str, allowed: bool) -> None:
    """Give or take away access to SSP-locked notes, from the account's next request
    (``login.caller`` reads it every time); laptops get the users row like any change."""
    with server.write() as session:
        user = get_user(session, username)
        problems = ssp_problems(Role(user.role), allowed)
        if problems:
            raise ValidationFailed(problems)
        if bool(user.ssp_access) == allowed:
            return
        user.ssp_access = allowed
        user.updated_at = local_now()
        session.flush()  # the version moves on here
        log_changes(session, [ChangeEntry("users", user.uuid, user.version, ["ssp_access"],
                                          False, None)], now=local_now())  # before the audit
        audit_admin(server, session, AuditAction.USER_CHANGED, entity="users",
                    entity_uuid=user.uuid,
                    detail="SSP access granted" if allowed else "SSP access removed")

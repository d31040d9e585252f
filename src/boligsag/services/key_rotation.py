"""Rotate the database key: ``boligsag rekey PATH --user ADMIN`` (issue 13 §6).

For when the key itself may have been seen (storage/key_rotation.py has the why and the
crash-safe steps). An administrator does it, with the database closed everywhere: their
password opens it first (and finishes a rotation a kill interrupted), then it is closed
and re-keyed. Every other account gets a one-time password, shown once to the
administrator to hand over; the new recovery key is shown once to print. The rotation
is in the audit log, in the re-keyed file.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from boligsag.domain.permissions import Permission
from boligsag.storage import keys
from boligsag.storage.key_rotation import Admin, RotationRefused, refuse_if_open, rotate

from .context import Clock, SystemClock
from .errors import PermissionDenied
from .unlock import UnlockOptions, lock, unlock

__all__ = ["KeyRotation", "RotationRefused", "one_time_password", "rotate_database_key"]

# No 0/O, 1/l/I: read aloud or copied from paper without mistakes.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    """Fifteen letters and digits in three groups (about 74 bits), e.g. ``k7pq2-…``."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(3))
    return "-".join(groups)


@dataclass(frozen=True)
class KeyRotation:
    recovery_key: str  # to print; the old sheet no longer opens it ("": a replica, none)
    one_time_passwords: dict[str, str]  # username -> one-time password, to hand over
    rows: int  # rows in the re-keyed file, verified
    audit_entries: int  # audit entries re-chained under the new key


def rotate_database_key(path: Path, username: str, password: str, *,
                        clock: Clock | None = None) -> KeyRotation:
    """Give the database at ``path`` a new key. WrongPassword, PermissionDenied (not an
    administrator), RotationRefused (open elsewhere, or an audit log that does not
    verify); nothing is changed then."""
    path = Path(path).absolute()
    clock = clock or SystemClock()
    refuse_if_open(path, left_wal=False)  # before the log-in writes its own entry
    ctx = unlock(path, username, password, clock=clock,
                 options=UnlockOptions(integrity_check=False))
    try:
        if not ctx.actor.can(Permission.MANAGE_USERS):
            raise PermissionDenied()
        admin = Admin(ctx.actor.user_id, ctx.actor.user_uuid, ctx.actor.username, password)
        db_key, at = ctx.db_key, ctx.clock.now()
    finally:
        lock(ctx)
    others = [user for user in keys.KeyStore.load(keys.keys_path_for(path)).users
              if user.user_uuid != admin.user_uuid]
    one_time = {user.user_uuid: one_time_password() for user in others}
    rotated = rotate(path, db_key, admin, one_time, at)
    return KeyRotation(rotated.recovery_key,
                       {user.username: one_time[user.user_uuid] for user in others},
                       rotated.rows, rotated.audit_entries)

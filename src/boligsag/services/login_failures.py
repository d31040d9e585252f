"""Failed log-ins: the pause before the next try, and their audit entries.

The database can't be written without the key, so a failure is recorded in the key file
(``storage.throttle.LoginFailures``, under the key file's lock); the database file stays
byte-for-byte unchanged. The next successful unlock writes the failures not yet audited as
LOGIN_FAILED entries (before its LOGIN entry) and only then clears them from the key file:
if the program dies in between, the same failures are audited twice, never not at all.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction
from boligsag.storage import keys
from boligsag.storage.errors import WrongPassword
from boligsag.storage.throttle import FailureRecord, UnlockThrottle

from .context import AppContext

Pending = dict[str, FailureRecord]


def check_password(keys_path: Path, username: str, password: str,
                   throttle: UnlockThrottle) -> tuple[str, bytes, str]:
    """``(user_uuid, db_key, bucket)``, or WrongPassword after recording the failure.

    A known and an unknown username take the same steps: the pause their bucket owes,
    one Argon2id run, and on failure one locked rewrite of the key file.
    """
    name = username.strip()
    store = keys.KeyStore.load(keys_path)
    bucket = store.failure_bucket(name)
    throttle.wait(store.login_failures.delay_before_next(bucket, throttle.wall_clock()))
    try:
        user_uuid, db_key = store.unwrap_for_user(name, password)
    except WrongPassword:
        _record_failure(keys_path, bucket, throttle)
        raise
    throttle.record_success()
    return user_uuid, db_key, bucket


def _record_failure(keys_path: Path, bucket: str, throttle: UnlockThrottle) -> None:
    with keys.edit_key_file(keys_path) as store:
        now = throttle.wall_clock()
        store.login_failures.record_failure(bucket, now)
        delay = store.login_failures.delay_before_next(bucket, now)
    throttle.record_failure()
    throttle.hold(delay)  # the countdown in this process shows what the key file owes


def audit_pending(ctx: AppContext, session: Session) -> Pending:
    """Add LOGIN_FAILED entries for the failures the key file holds; return what was added
    (for :func:`settle` once the transaction is committed)."""
    store = keys.KeyStore.load(ctx.key_file())
    pending = store.login_failures.unaudited()
    owners = {store.failure_bucket(u.username): u.user_uuid for u in store.users}
    for bucket, record in sorted(pending.items(), key=lambda item: item[1].first_unaudited):
        owner = owners.get(bucket)  # 1 in 65,536 unknown names shares a user's bucket
        detail = (f"{record.unaudited} failed log-in(s) from {_when(record.first_unaudited)} "
                  f"to {_when(record.last)}")
        if owner is None:
            detail += " with a username that has no account"
        ctx.audit(session, AuditAction.LOGIN_FAILED, entity="users", entity_uuid=owner,
                  detail=detail)
    return pending


def settle(keys_path: Path, bucket: str | None, audited: Pending) -> None:
    """After the unlock committed: the user's pause starts over, audited failures go."""
    with keys.edit_key_file(keys_path) as store:
        if bucket is not None:
            store.login_failures.record_success(bucket)
        store.login_failures.mark_audited(audited)


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).replace(microsecond=0).isoformat(sep=" ")

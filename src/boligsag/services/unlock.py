"""Opening a database: password → key-encryption key → database key → SQLCipher.

A wrong password is detected by the key file alone, before the database is
touched, so a failed attempt changes no file. Pending schema migrations run on
unlock, after an encrypted copy of the file has been kept beside it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from boligsag.domain.enums import AuditAction, Role
from boligsag.storage import keys, migrate
from boligsag.storage.database import Database
from boligsag.storage.engine import checkpoint, open_engine, quick_check
from boligsag.storage.errors import DatabaseMissing, WrongPassword
from boligsag.storage.models import User
from boligsag.storage.write_lock import WriteWait

from .context import Actor, AppContext, Clock, SystemClock

# One throttle per process: repeated failures wait longer and longer, without
# writing anything to disk (a wrong password must leave every file unchanged).
THROTTLE = keys.UnlockThrottle()


@dataclass(frozen=True)
class UnlockOptions:
    # The quick integrity check reads every page (~2 s on a 370 MB database); the GUI
    # unlocks without it and runs ``verify_integrity`` in the background instead.
    integrity_check: bool = True
    migrate: bool = True
    # How writes wait for another writer (default: 30 s, silently); the CLI says it waits.
    write_wait: WriteWait | None = None


def unlock(
    path: Path,
    username: str,
    password: str,
    *,
    clock: Clock | None = None,
    options: UnlockOptions | None = None,
    throttle: keys.UnlockThrottle | None = None,
) -> AppContext:
    path = Path(path)
    throttle = throttle or THROTTLE
    options = options or UnlockOptions()
    if not path.exists():
        raise DatabaseMissing(path)
    store = keys.KeyStore.load(keys.keys_path_for(path))
    throttle.wait()
    try:
        user_uuid, db_key = store.unwrap_for_user(username.strip(), password)
    except WrongPassword:
        throttle.record_failure()
        raise
    throttle.record_success()
    return _open(path, db_key, user_uuid, clock or SystemClock(), options)


def unlock_with_recovery_key(
    path: Path,
    recovery_key: str,
    username: str,
    new_password: str,
    *,
    clock: Clock | None = None,
) -> AppContext:
    """Forgotten password: the printed recovery key unlocks, and ``username`` gets a
    new password (rewrapped key; the database file is not re-encrypted)."""
    path = Path(path)
    if not path.exists():
        raise DatabaseMissing(path)
    keys_path = keys.keys_path_for(path)
    store = keys.KeyStore.load(keys_path)
    db_key = store.unwrap_with_recovery(recovery_key)
    ctx = _open(path, db_key, None, clock or SystemClock(), UnlockOptions(), username=username)
    from .users import set_password_of  # local: users imports this module's context

    set_password_of(ctx, ctx.actor.username, new_password)
    return ctx


def _open(
    path: Path,
    db_key: bytes,
    user_uuid: str | None,
    clock: Clock,
    options: UnlockOptions,
    *,
    username: str | None = None,
) -> AppContext:
    engine = open_engine(path, db_key, integrity_check=options.integrity_check,
                         write_wait=options.write_wait)
    try:
        migrate.check_revision(engine, path)
        if options.migrate and not migrate.is_at_head(engine):
            _keep_copy_before_migration(engine, path)
            migrate.upgrade(engine)
        db = Database(engine, path)
        with db.unit_of_work() as session:
            query = select(User).where(User.deleted_at.is_(None))
            query = query.where(User.uuid == user_uuid) if user_uuid else query.where(
                User.username == (username or "").strip()
            )
            user = session.scalars(query).first()
            if user is None or not user.active:
                raise WrongPassword()
            actor = Actor(user.id, user.uuid, user.username, user.full_name, Role(user.role))
            ctx = AppContext(db=db, actor=actor, keys_path=keys.keys_path_for(path),
                             clock=clock, db_key=db_key)
            user.last_login_at = clock.now()
            ctx.audit(session, AuditAction.LOGIN, entity="users", entity_uuid=user.uuid)
            session.commit()
        return ctx
    except BaseException:
        engine.dispose()
        raise


def _keep_copy_before_migration(engine: object, path: Path) -> None:
    """The file is encrypted, so a byte copy is a safe, complete backup once the WAL
    has been folded back into it."""
    checkpoint(engine)  # type: ignore[arg-type]
    revision = migrate.current_revision(engine)  # type: ignore[arg-type]
    shutil.copy2(path, path.with_name(f"{path.name}.before-{revision}.bak"))


def verify_integrity(ctx: AppContext) -> None:
    """The quick integrity check on the open database; raises IntegrityFailed."""
    quick_check(ctx.db.engine, ctx.db.path)


def lock(ctx: AppContext) -> None:
    ctx.db.dispose()

"""Opening a database: password → key-encryption key → database key → SQLCipher.

A wrong password is detected by the key file alone, before the database is
touched, so a failed attempt leaves the database file byte-for-byte unchanged; the
key file records the failure (``login_failures``) so the pause grows across
processes. Pending schema migrations run on unlock, after an encrypted copy of the
file has been kept beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from boligsag.atomic import atomic_copy
from boligsag.domain.enums import AuditAction, Role
from boligsag.domain.usernames import fold_username
from boligsag.storage import audit_anchor, key_rotation, keys, migrate
from boligsag.storage.damage import mark_damaged
from boligsag.storage.database import Database
from boligsag.storage.engine import open_engine
from boligsag.storage.errors import DatabaseMissing, IntegrityFailed, WrongPassword
from boligsag.storage.file_checks import checkpoint, quick_check
from boligsag.storage.models import User

# Part of UnlockOptions, so re-exported on purpose: the CLI commands build one here, and
# front ends may not import storage themselves (tests/unit/test_architecture.py).
from boligsag.storage.write_lock import WriteWait as WriteWait

from . import login_failures
from .context import Actor, AppContext, Clock, SystemClock
from .migration_backup import backup_before_migration

# This process's side of the throttle (the countdown the dialogs show); the failure
# count that lasts across processes is kept in the key file.
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
    user_uuid, db_key, bucket = login_failures.check_password(
        keys.keys_path_for(path), username, password, throttle)
    # A key rotation a kill interrupted: finished or dropped here (key_rotation.py).
    settled_uuid, db_key = key_rotation.settle(
        path, db_key, user_uuid, lambda pending: pending.unwrap_for_user(username, password))
    return _open(path, db_key, settled_uuid, clock or SystemClock(), options, bucket=bucket)


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
    _uuid, db_key = key_rotation.settle(
        path, db_key, None, lambda pending: (None, pending.unwrap_with_recovery(recovery_key)))
    ctx = _open(path, db_key, None, clock or SystemClock(), UnlockOptions(), username=username,
                bucket=store.failure_bucket(username))
    from .users import set_password_of  # local: users imports this module's context

    try:
        set_password_of(ctx, ctx.actor.username, new_password, _checked=True,
                        how="reset with the recovery key")
    except BaseException:
        ctx.db.dispose()
        raise
    return ctx


def _open(
    path: Path,
    db_key: bytes,
    user_uuid: str | None,
    clock: Clock,
    options: UnlockOptions,
    *,
    username: str | None = None,
    bucket: str | None = None,
) -> AppContext:
    engine = open_engine(path, db_key, integrity_check=options.integrity_check,
                         write_wait=options.write_wait)
    try:
        migrate.check_revision(engine, path)
        backed_up = None
        if options.migrate and not migrate.is_at_head(engine):
            _keep_copy_before_migration(engine, path)
            backed_up = backup_before_migration(engine, db_key, path, clock.now())
            migrate.upgrade(engine)
        db = Database(engine, path)
        with db.writing(None) as session:  # no one is signed in yet to stamp it
            query = select(User).where(User.deleted_at.is_(None))
            if user_uuid:
                user = session.scalars(query.where(User.uuid == user_uuid)).first()
            else:  # the users table is small; names compare folded, as the key file does
                wanted = fold_username(username or "")
                user = next((u for u in session.scalars(query)
                             if fold_username(u.username) == wanted), None)
            if user is None or not user.active:
                raise WrongPassword()
            actor = Actor(user.id, user.uuid, user.username, user.full_name, Role(user.role))
            ctx = AppContext(db=db, actor=actor, keys_path=keys.keys_path_for(path),
                             clock=clock, db_key=db_key)
            user.last_login_at = clock.now()
            audited = login_failures.audit_pending(ctx, session)
            ctx.audit(session, AuditAction.LOGIN, entity="users", entity_uuid=user.uuid)
            if backed_up is not None:
                ctx.audit(session, AuditAction.EXPORT, entity="backup", detail=backed_up[:300])
        login_failures.settle(ctx.key_file(), bucket, audited)
        return ctx
    except BaseException:
        engine.dispose()
        raise


def _keep_copy_before_migration(engine: object, path: Path) -> None:
    """The file is encrypted, so a byte copy is a safe, complete backup once the WAL
    has been folded back into it. Owner-only like the database, and atomic: a crash
    mid-copy leaves no half backup under the real name."""
    checkpoint(engine)  # type: ignore[arg-type]
    revision = migrate.current_revision(engine)  # type: ignore[arg-type]
    backup = path.with_name(f"{path.name}.before-{revision}.bak")
    atomic_copy(path, backup)


def verify_integrity(ctx: AppContext) -> None:
    """The quick integrity check on the open database file; raises IntegrityFailed,
    and the database then takes no more writes this session.
    A team-server database has no file here: PostgreSQL and its own backups look
    after its pages, so there is nothing for this program to read through."""
    if ctx.db.path is None:
        return
    try:
        quick_check(ctx.db.engine, ctx.db.path)
    except IntegrityFailed:
        mark_damaged(ctx.db.path)  # no more writes to it (storage/damage.py)
        raise


@dataclass(frozen=True)
class ServerLocation:
    """Where a team-server database lives, as the status bar names it (no user name,
    no password: the URL never carries a password, and the user is shown apart)."""

    database: str
    host: str


def server_location(ctx: AppContext) -> ServerLocation | None:
    """None for an encrypted file (``ctx.db.path`` names it)."""
    if ctx.db.path is not None:
        return None
    url = ctx.db.engine.url
    # libpq takes a unix socket folder as ``?host=``; no host at all is the local socket.
    host = url.host or str(url.query.get("host") or "") or "localhost"
    return ServerLocation(database=url.database or "", host=host)


def lock(ctx: AppContext) -> None:
    # The audit anchor follows commits a moment later (storage/audit_anchor.py): bring
    # it up to date while the database is still open. (A team server's database has no
    # key file and so no anchor; flush(None) would flush every key file's.)
    if ctx.keys_path is not None:
        audit_anchor.flush(ctx.keys_path)
    ctx.db.dispose()

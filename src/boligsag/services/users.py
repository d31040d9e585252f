"""Staff accounts: create, list, change and reset passwords.

A password change rewraps the database key in the key file and writes nothing to the
database, so the database file stays byte-for-byte unchanged (the password's Argon2id
verifier lives in the key file; see ``storage.models.org.User``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from boligsag.domain.enums import AuditAction, Role
from boligsag.domain.permissions import Permission
from boligsag.storage import keys
from boligsag.storage.errors import WrongPassword
from boligsag.storage.models import User

from .changes import Entity, writes
from .context import AppContext
from .errors import NotFound, ValidationFailed
from .setup import MIN_PASSWORD_LENGTH, validate_new_account


@dataclass(frozen=True)
class UserRow:
    id: int
    uuid: str
    username: str
    full_name: str
    role: Role
    title: str
    phone: str
    email: str
    active: bool


def _row(user: User) -> UserRow:
    return UserRow(user.id, user.uuid, user.username, user.full_name, Role(user.role),
                   user.title, user.phone, user.email, user.active)


def list_users(ctx: AppContext, *, include_inactive: bool = False) -> list[UserRow]:
    with ctx.uow() as session:
        query = select(User).where(User.deleted_at.is_(None)).order_by(User.full_name)
        if not include_inactive:
            query = query.where(User.active.is_(True))
        return [_row(u) for u in session.scalars(query)]


@writes(Entity.USERS)
def create_user(
    ctx: AppContext,
    username: str,
    full_name: str,
    role: Role,
    password: str,
    *,
    title: str = "",
    phone: str = "",
    email: str = "",
) -> UserRow:
    ctx.require(Permission.MANAGE_USERS)
    problems = validate_new_account(username, full_name, password)
    username = username.strip()
    with ctx.uow() as session:
        # Usernames are matched case-insensitively at log-in (the key file casefolds).
        taken = select(User.id).where(func.lower(User.username) == username.casefold())
        if session.scalars(taken).first():
            problems["username"] = ("The username {username} is taken.", {"username": username})
        if problems:
            raise ValidationFailed(problems)
        user = User(username=username, full_name=full_name.strip(), role=Role(role),
                    title=title, phone=phone, email=email)
        session.add(user)
        session.flush()
        # Key file first: if it cannot be written, the database transaction rolls back
        # and no account exists that could not log in.
        store = keys.KeyStore.load(ctx.keys_path)
        store.add_user(user.uuid, username, password, ctx.db_key)
        store.save(ctx.keys_path)
        ctx.audit(session, AuditAction.CREATE, entity="users", entity_uuid=user.uuid,
                  detail=f"role {role}")
        session.commit()
        return _row(user)


def change_own_password(ctx: AppContext, old_password: str, new_password: str) -> None:
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"password": (
            "The password must be at least {length} characters long.",
            {"length": MIN_PASSWORD_LENGTH})})
    store = keys.KeyStore.load(ctx.keys_path)
    store.unwrap_for_user(ctx.actor.username, old_password)  # WrongPassword if not
    set_password_of(ctx, ctx.actor.username, new_password, _checked=True)


def set_password_of(
    ctx: AppContext, username: str, new_password: str, *, _checked: bool = False
) -> None:
    """Set a user's password: an administrator's reset, or after the caller checked
    the old password or the recovery key. Only the key file changes."""
    if not _checked and username != ctx.actor.username:
        ctx.require(Permission.MANAGE_USERS)
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"password": (
            "The password must be at least {length} characters long.",
            {"length": MIN_PASSWORD_LENGTH})})
    with ctx.uow() as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise NotFound("user")
        user_uuid, user_name = user.uuid, user.username
    set_password_in_key_file(ctx.keys_path, user_uuid, user_name, new_password, ctx.db_key)


def set_password_in_key_file(
    keys_path: Path, user_uuid: str, username: str, new_password: str, db_key: bytes
) -> None:
    store = keys.KeyStore.load(keys_path)
    store.set_password(user_uuid, username, new_password, db_key)
    store.save(keys_path)


def verify_own_password(ctx: AppContext, password: str) -> bool:
    """Re-authentication after auto-lock, while the database stays open."""
    try:
        keys.KeyStore.load(ctx.keys_path).unwrap_for_user(ctx.actor.username, password)
    except WrongPassword:
        return False
    return True

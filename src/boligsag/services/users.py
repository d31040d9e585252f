"""Staff accounts: create, list, change and reset passwords.

A password change rewraps the database key in the key file (the password's Argon2id
verifier lives there; see ``storage.models.org.User``) and writes one PASSWORD_CHANGED
audit entry to the database. Every change of the key file is a locked read-modify-write
(``keys.edit_key_file``), taken before the database transaction, so concurrent changes
from other programs are never lost.

Usernames are compared folded (``domain.usernames.fold_username``: NFKC + casefold), in
the users table as in the key file, so "Åse" and "åse" are one name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction, Role
from boligsag.domain.permissions import Permission, has_permission
from boligsag.domain.usernames import fold_username
from boligsag.errors import UserError
from boligsag.storage import dialect, keys
from boligsag.storage.errors import WrongPassword
from boligsag.storage.models import Area, User, user_areas

from .changes import Entity, writes
from .context import AppContext
from .errors import NotFound, PermissionDenied, ValidationFailed
from .setup import MAX_NAME_LENGTH, MIN_PASSWORD_LENGTH, validate_new_account
from .ssp_notes import ssp_problems


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


@dataclass(frozen=True)
class StaffChoice:
    """A colleague in a staff picker: no role, phone or e-mail."""

    id: int
    full_name: str
    active: bool


def list_staff_choices(ctx: AppContext, *, able_to: Permission | None = None,
                       include_inactive: bool = False) -> list[StaffChoice]:
    """Colleagues to pick (a referral's contact person, a list filter), optionally only
    those whose role has ``able_to``. Anyone who works with cases may call it; a
    volunteer may not."""
    query = select(User.id, User.full_name, User.active, User.role).where(
        User.deleted_at.is_(None)).order_by(dialect.danish(User.full_name), User.id)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    with ctx.read(Permission.VIEW_PEOPLE) as r:
        return [StaffChoice(i, name, bool(active))
                for i, name, active, role in r.session.execute(query)
                if able_to is None or has_permission(Role(role), able_to)]


def _find_by_name(session: Session, username: str) -> User | None:
    # Folded in Python over the (small) users table: SQL lower() knows neither Å nor width.
    wanted = fold_username(username)
    users = session.scalars(select(User).where(User.deleted_at.is_(None)))
    return next((u for u in users if fold_username(u.username) == wanted), None)


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
    area_ids: Sequence[int] = (),
    one_time: bool = False,
    ssp_access: bool = False,
) -> UserRow:
    """A new account; ``one_time``: the password must be changed at the first log-in.
    ``services.staff.add_staff`` is the administrator's form of this."""
    ctx.require(Permission.MANAGE_USERS)  # before the input and the key file's lock
    problems = validate_new_account(username, full_name, password)
    problems.update(validate_contact(email, phone))
    if len(title.strip()) > MAX_NAME_LENGTH:
        problems["title"] = ("A job title has at most {length} characters.",
                             {"length": MAX_NAME_LENGTH})
    problems.update(ssp_problems(Role(role), ssp_access))
    username = username.strip()
    # The key file's lock first, then the database's write lock: every writer of both
    # takes them in this order, so two programs never wait for each other in a circle.
    with keys.edit_key_file(ctx.key_file()) as store, ctx.write(Permission.MANAGE_USERS) as w:
        session = w.session
        # Deleted accounts' names stay taken too: the key file may still hold them.
        users = session.scalars(select(User.username))
        if any(fold_username(u) == fold_username(username) for u in users) or \
                store.has_user(username):
            problems["username"] = ("The username {username} is taken.", {"username": username})
        if problems:
            raise ValidationFailed(problems)
        user = User(username=username, full_name=full_name.strip(), role=Role(role),
                    title=title.strip(), phone=phone.strip(), email=email.strip(),
                    ssp_access=ssp_access)
        session.add(user)
        session.flush()
        areas = set_user_areas(session, user.id, area_ids)
        # Key file first: if it cannot be written, the database transaction rolls back
        # and no account exists that could not log in.
        store.add_user(user.uuid, username, password, ctx.db_key, must_change=one_time)
        store.save(ctx.key_file())
        w.audit(AuditAction.USER_CREATED, entity="users", entity_uuid=user.uuid,
                detail=f"role {Role(role)}, {len(areas)} area(s)"
                + (", one-time password" if one_time else "")
                + (", SSP access" if ssp_access else ""))
        return _row(user)


def change_own_password(ctx: AppContext, old_password: str, new_password: str) -> None:
    check_new_password(new_password)
    store = keys.KeyStore.load(ctx.key_file())
    store.unwrap_for_user(ctx.actor.username, old_password)  # WrongPassword if not
    set_password_of(ctx, ctx.actor.username, new_password, _checked=True,
                    how="changed by the user")


def set_password_of(
    ctx: AppContext, username: str, new_password: str, *, _checked: bool = False,
    how: str = "",
) -> None:
    """Set a user's password: an administrator's reset, or after the caller checked
    the old password or the recovery key. The key file changes; the audit log says so.

    Order: under the key file's lock, the PASSWORD_CHANGED entry is committed first and
    the key file saved after it. If the save then fails, the log holds an entry for a
    change that did not happen (and the old password still works); the other order could
    leave a changed password with no entry, which is what an audit log must never miss.
    """
    resetting = fold_username(username) != fold_username(ctx.actor.username)
    if not _checked and resetting:
        ctx.require(Permission.MANAGE_USERS)
    check_new_password(new_password)
    # The permission, if one is needed, was checked above.
    with keys.edit_key_file(ctx.key_file()) as store, ctx.write(None) as w:
        user = _find_by_name(w.session, username)
        if user is None:
            raise NotFound("user")
        store.set_password(user.uuid, user.username, new_password, ctx.db_key)
        detail = how or ("reset by an administrator" if resetting else "changed by the user")
        w.audit(AuditAction.PASSWORD_CHANGED, entity="users", entity_uuid=user.uuid,
                detail=detail)
    # ctx.write committed the entry on leaving; then edit_key_file saved the store (or a
    # nested edit after the commit did).


class OneTimePasswordInUse(UserError):
    """The command line's refusal to work with a one-time password."""

    def __init__(self, username: str) -> None:
        super().__init__("{username} logged in with a one-time password. Choose your own "
                         "first: boligsag passwd PATH {username}", username=username)


def password_change_required(ctx: AppContext) -> bool:
    """Whether the logged-in user's password is a one-time password (services/staff.py)
    that must be replaced before they may work. Never over a team server's database:
    one-time passwords live in a laptop's key file, which it does not have; the
    server's own passwords (services/server/accounts.py) are set by its administrator
    and are not one-time."""
    if ctx.keys_path is None:
        return False
    store = keys.KeyStore.load(ctx.keys_path)
    return store.must_change_password(ctx.actor.user_uuid)


@writes(Entity.USERS)
def replace_one_time_password(ctx: AppContext, new_password: str) -> None:
    """First log-in after an administrator set the password: the user chooses their own.
    They proved the one-time password by logging in just now, so it is not asked again;
    the new one must differ from it."""
    check_new_password(new_password)
    # Any signed-in user, for their own account only (the key file's flag says whether).
    with keys.edit_key_file(ctx.key_file()) as store, ctx.write(None) as w:
        if not store.must_change_password(ctx.actor.user_uuid):
            raise PermissionDenied()
        try:
            store.unwrap_for_user(ctx.actor.username, new_password)
        except WrongPassword:
            pass  # a different password, as it must be
        else:
            raise ValidationFailed({"password": (
                "Choose a password of your own, not the one-time password.", {})})
        store.set_password(ctx.actor.user_uuid, ctx.actor.username, new_password, ctx.db_key)
        w.audit(AuditAction.PASSWORD_CHANGED, entity="users", entity_uuid=ctx.actor.user_uuid,
                detail="one-time password replaced by the user at log-in")
        # Committed on leaving ctx.write, before the key file is saved: see set_password_of.


def check_new_password(new_password: str) -> None:
    """ValidationFailed for a password too short to be set."""
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"password": (
            "The password must be at least {length} characters long.",
            {"length": MIN_PASSWORD_LENGTH})})


def verify_own_password(ctx: AppContext, password: str) -> bool:
    """Re-authentication after auto-lock, while the database stays open."""
    try:
        keys.KeyStore.load(ctx.key_file()).unwrap_for_user(ctx.actor.username, password)
    except WrongPassword:
        return False
    return True


def validate_contact(email: str, phone: str) -> dict[str, tuple[str, dict[str, object]]]:
    """E-mail and phone of a staff account: optional, but plausible when given."""
    problems: dict[str, tuple[str, dict[str, object]]] = {}
    email = email.strip()
    if email and (email.count("@") != 1 or "." not in email.split("@")[1]
                  or " " in email or len(email) > 120):
        problems["email"] = ("Enter an e-mail address like name@example.dk.", {})
    digits = [ch for ch in phone if ch.isdigit()]
    if phone.strip() and (len(digits) < 8 or len(phone) > 30
                          or any(not (ch.isdigit() or ch in " +-()") for ch in phone)):
        problems["phone"] = ("Enter a phone number of at least 8 digits.", {})
    return problems


def set_user_areas(session: Session, user_id: int, area_ids: Sequence[int]) -> list[Area]:
    """Replace the housing areas a user works in; ValidationFailed for an unknown area."""
    wanted = sorted(set(area_ids))
    areas = list(session.scalars(select(Area).where(
        Area.id.in_(wanted), Area.deleted_at.is_(None)))) if wanted else []
    if len(areas) != len(wanted):
        raise ValidationFailed({"areas": ("Choose housing areas from the list.", {})})
    session.execute(delete(user_areas).where(user_areas.c.user_id == user_id))
    if wanted:
        session.execute(insert(user_areas), [{"user_id": user_id, "area_id": area_id}
                                             for area_id in wanted])
    return areas

"""Staff management by an administrator: create, change, reset, deactivate, reactivate.

Every function here needs MANAGE_USERS (administrators only) and writes one audit entry.
Each one edits the key file and the database together: the key file's lock is taken
first (``keys.edit_key_file``), then one database transaction. Holding that lock across
the whole change also serialises staff changes from several programs, which is what
keeps the "last active administrator" rule true when two administrators demote each
other at the same moment.

Passwords set here are one-time passwords: the key-file entry is marked so that the user
must choose their own at the next log-in (``password_change_required``). A deactivated
account keeps its row (its history and authorship stay), but its key-file entry is
removed, so no copy of the program, whatever it thinks of ``active``, can unwrap the
database key with that password; reactivating sets a new one-time password.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boligsag.collation import danish_key
from boligsag.domain.enums import AuditAction, Role
from boligsag.domain.permissions import Permission
from boligsag.domain.usernames import fold_username
from boligsag.errors import UserError
from boligsag.storage import dialect, keys
from boligsag.storage.models import Area, User, user_areas

from .changes import Entity, writes
from .context import AppContext
from .errors import NotFound, StaleRecord, ValidationFailed
from .setup import MAX_NAME_LENGTH
from .ssp_notes import ssp_problems
from .units import get_live
from .users import check_new_password, create_user, set_user_areas, validate_contact


class LastAdministrator(UserError):
    """The change would leave no active administrator to manage the accounts."""

    def __init__(self, name: str) -> None:
        super().__init__("{name} is the last active administrator. Make another user an "
                         "administrator first.", name=name)


class OwnAccount(UserError):
    def __init__(self) -> None:
        super().__init__("You cannot deactivate your own account.")


@dataclass(frozen=True)
class StaffRow:
    """One account as the staff manager shows it (a frozen copy, no ORM object)."""

    id: int
    uuid: str
    # What the row looked like when read (``_stamp``): a save from a form or list opened
    # earlier compares it, so someone else's change is never overwritten silently.
    stamp: str
    username: str
    full_name: str
    role: Role
    title: str
    email: str
    phone: str
    active: bool
    area_ids: tuple[int, ...]
    area_names: tuple[str, ...]
    last_login_at: datetime | None
    ssp_access: bool = False  # may read SSP-locked notes (services/ssp_notes.py)


@dataclass(frozen=True)
class StaffInput:
    """What the form edits (the username is fixed once the account exists)."""

    full_name: str
    role: Role
    area_ids: tuple[int, ...] = ()
    title: str = ""
    email: str = ""
    phone: str = ""
    ssp_access: bool = False


@dataclass(frozen=True)
class AreaChoice:
    id: int
    name: str


def list_staff(ctx: AppContext, *, include_inactive: bool = True) -> list[StaffRow]:
    """Every account (active ones first, then by name), with its housing areas."""
    query = select(User).where(User.deleted_at.is_(None))
    if not include_inactive:
        query = query.where(User.active.is_(True))
    with ctx.read(Permission.MANAGE_USERS) as r:
        users = list(r.session.scalars(query.order_by(
            User.active.desc(), dialect.danish(User.full_name), User.id)))
        areas = _areas_by_user(r.session)
        return [_row(u, areas.get(u.id, [])) for u in users]


def list_area_choices(ctx: AppContext) -> list[AreaChoice]:
    """The housing areas a staff member can be said to work in."""
    query = (select(Area.id, Area.name).where(Area.deleted_at.is_(None))
             .order_by(dialect.danish(Area.name), Area.id))
    with ctx.read(Permission.MANAGE_USERS) as r:
        return [AreaChoice(i, name) for i, name in r.session.execute(query)]


def get_staff(ctx: AppContext, user_id: int) -> StaffRow:
    with ctx.read(Permission.MANAGE_USERS) as r:
        user = get_live(r.session, User, user_id, "user")
        return _row(user, _areas_by_user(r.session, user_id).get(user_id, []))


class UnknownUser(NotFound):
    """No account has the username an administrator typed (not one deleted meanwhile)."""

    def __init__(self, username: str) -> None:
        super().__init__("user", "There is no user named {username}.", username=username)


def find_staff(ctx: AppContext, username: str) -> StaffRow:
    """The account with this username (compared folded, as log-in does); UnknownUser if
    none."""
    wanted = fold_username(username)
    with ctx.read(Permission.MANAGE_USERS) as r:
        users = r.session.scalars(select(User).where(User.deleted_at.is_(None)))
        user = next((u for u in users if fold_username(u.username) == wanted), None)
        if user is None:
            raise UnknownUser(username)
        return _row(user, _areas_by_user(r.session, user.id).get(user.id, []))


@writes(Entity.USERS)
def add_staff(ctx: AppContext, username: str, data: StaffInput,
              one_time_password: str) -> StaffRow:
    """A new colleague with a one-time password they must change when they first log in."""
    row = create_user(ctx, username, data.full_name, data.role, one_time_password,
                      title=data.title, phone=data.phone, email=data.email,
                      area_ids=data.area_ids, one_time=True, ssp_access=data.ssp_access)
    return get_staff(ctx, row.id)


@writes(Entity.USERS)
def update_staff(ctx: AppContext, user_id: int, data: StaffInput, *, stamp: str) -> StaffRow:
    """Name, role, areas, title and contact details of an account read with ``stamp``."""
    ctx.require(Permission.MANAGE_USERS)  # before the input and the key file's lock
    problems = validate_contact(data.email, data.phone)
    if not data.full_name.strip():
        problems["full_name"] = ("Enter the person's full name.", {})
    elif len(data.full_name.strip()) > MAX_NAME_LENGTH:
        problems["full_name"] = ("A name has at most {length} characters.",
                                 {"length": MAX_NAME_LENGTH})
    if len(data.title.strip()) > MAX_NAME_LENGTH:
        problems["title"] = ("A job title has at most {length} characters.",
                             {"length": MAX_NAME_LENGTH})
    problems.update(ssp_problems(Role(data.role), data.ssp_access))
    if problems:
        raise ValidationFailed(problems)
    role = Role(data.role)
    with keys.edit_key_file(ctx.key_file()), ctx.write(Permission.MANAGE_USERS) as w:
        session = w.session
        user = w.load_live(User, user_id, "user")
        _check_stamp(session, user, stamp)
        if user.active and user.role == Role.ADMINISTRATOR and role != Role.ADMINISTRATOR:
            _refuse_if_last_admin(session, user)
        before_areas = {i for i, _ in _areas_by_user(session, user_id).get(user_id, [])}
        areas = set_user_areas(session, user_id, data.area_ids)
        changed = [name for name, old, new in (
            ("name", user.full_name, data.full_name.strip()), ("title", user.title,
             data.title.strip()), ("e-mail", user.email, data.email.strip()),
            ("phone", user.phone, data.phone.strip())) if old != new]
        if user.role != role:
            changed.append(f"role {user.role} -> {role}")
        if before_areas != {a.id for a in areas}:
            changed.append(f"areas ({len(areas)})")
        if user.ssp_access != data.ssp_access:
            changed.append("SSP access granted" if data.ssp_access else "SSP access removed")
            user.ssp_access = data.ssp_access
        user.full_name, user.title = data.full_name.strip(), data.title.strip()
        user.email, user.phone, user.role = data.email.strip(), data.phone.strip(), role
        w.audit(AuditAction.USER_CHANGED, entity="users", entity_uuid=user.uuid,
                detail="; ".join(changed) or "saved unchanged")
        return _row(user, sorted(((a.id, a.name) for a in areas), key=lambda a: danish_key(a[1])))


@writes(Entity.USERS)
def reset_password(ctx: AppContext, user_id: int, one_time_password: str) -> None:
    """A forgotten password: the administrator sets a one-time password. Only the key
    file changes (the database key is rewrapped, never re-encrypted); the audit log
    records the reset."""
    ctx.require(Permission.MANAGE_USERS)  # before the input and the key file's lock
    check_new_password(one_time_password)
    with keys.edit_key_file(ctx.key_file()) as store, ctx.write(Permission.MANAGE_USERS) as w:
        user = w.load_live(User, user_id, "user")
        if not user.active:
            raise ValidationFailed({"password": (
                "The account is deactivated. Reactivate it to give it a password.", {})})
        store.set_password(user.uuid, user.username, one_time_password, ctx.db_key,
                           must_change=True)
        w.audit(AuditAction.PASSWORD_RESET, entity="users", entity_uuid=user.uuid,
                detail="one-time password set by an administrator")
        # The audit entry is committed (on leaving ctx.write) before the key file is
        # saved (on leaving edit_key_file), as in users.set_password_of: a failed save
        # leaves an entry for a change that did not happen, never a change without one.


@writes(Entity.USERS)
def deactivate_staff(ctx: AppContext, user_id: int, *, stamp: str) -> StaffRow:
    """The account can no longer log in; everything it wrote keeps its author."""
    ctx.require(Permission.MANAGE_USERS)  # before the key file's lock
    with keys.edit_key_file(ctx.key_file()) as store, ctx.write(Permission.MANAGE_USERS) as w:
        user = w.load_live(User, user_id, "user")
        _check_stamp(w.session, user, stamp)
        if user.id == ctx.actor.user_id:
            raise OwnAccount()
        if user.role == Role.ADMINISTRATOR and user.active:
            _refuse_if_last_admin(w.session, user)
        user.active = False
        if store.has_uuid(user.uuid):
            store.remove_user(user.uuid)
        w.audit(AuditAction.USER_DEACTIVATED, entity="users", entity_uuid=user.uuid,
                detail="key-file entry removed")
        # Committed (on leaving ctx.write) before the key file is saved: if that save
        # fails, the account is inactive (unlock refuses it) while its old entry is
        # still in the file.
        return _row(user, _areas_by_user(w.session, user_id).get(user_id, []))


@writes(Entity.USERS)
def reactivate_staff(ctx: AppContext, user_id: int, one_time_password: str, *,
                     stamp: str) -> StaffRow:
    """The account may log in again, with a new one-time password."""
    ctx.require(Permission.MANAGE_USERS)  # before the input and the key file's lock
    check_new_password(one_time_password)
    with keys.edit_key_file(ctx.key_file()) as store, ctx.write(Permission.MANAGE_USERS) as w:
        user = w.load_live(User, user_id, "user")
        _check_stamp(w.session, user, stamp)
        user.active = True
        store.set_password(user.uuid, user.username, one_time_password, ctx.db_key,
                           must_change=True)
        w.audit(AuditAction.USER_REACTIVATED, entity="users", entity_uuid=user.uuid,
                detail="with a one-time password")
        return _row(user, _areas_by_user(w.session, user_id).get(user_id, []))


# -- helpers -------------------------------------------------------------------------------


def _refuse_if_last_admin(session: Session, user: User) -> None:
    others = session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMINISTRATOR, User.active.is_(True), User.deleted_at.is_(None),
        User.id != user.id))
    if not others:
        raise LastAdministrator(user.full_name)


def _areas_by_user(session: Session,
                   user_id: int | None = None) -> dict[int, list[tuple[int, str]]]:
    """(area id, name) pairs per user, by name; one query for the whole list."""
    query = (select(user_areas.c.user_id, Area.id, Area.name)
             .join(Area, Area.id == user_areas.c.area_id)
             .where(Area.deleted_at.is_(None)).order_by(dialect.danish(Area.name), Area.id))
    if user_id is not None:
        query = query.where(user_areas.c.user_id == user_id)
    found: dict[int, list[tuple[int, str]]] = {}
    for uid, area_id, name in session.execute(query):
        found.setdefault(uid, []).append((area_id, name))
    return found


def _stamp(user: User, area_ids: Sequence[int]) -> str:
    """A digest of what an administrator edits. Not the row's version: every log-in
    writes ``last_login_at`` and so a new version, and a colleague logging in must not
    make the administrator's open form "changed by someone else"."""
    fields = [user.username, user.full_name, str(user.role), user.title, user.email,
              user.phone, bool(user.active), sorted(area_ids), bool(user.ssp_access)]
    text = json.dumps(fields, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _check_stamp(session: Session, user: User, stamp: str) -> None:
    areas = [i for i, _ in _areas_by_user(session, user.id).get(user.id, [])]
    if _stamp(user, areas) != stamp:
        raise StaleRecord()


def _row(user: User, areas: Sequence[tuple[int, str]]) -> StaffRow:
    area_ids = tuple(i for i, _ in areas)
    return StaffRow(user.id, user.uuid, _stamp(user, area_ids), user.username, user.full_name,
                    Role(user.role), user.title, user.email, user.phone, user.active,
                    area_ids, tuple(name for _, name in areas), user.last_login_at,
                    bool(user.ssp_access))


def staff_input(row: StaffRow) -> StaffInput:
    """The form's starting values for an existing account."""
    return StaffInput(row.full_name, row.role, row.area_ids, row.title, row.email, row.phone,
                      row.ssp_access)

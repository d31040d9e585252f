"""The team server's accounts: its database, the first administrator, staff logins,
server passwords and devices (issue 11; design.md "Tables").

Rows of synced tables that these functions make or change (users, their areas, housing
areas) go into the sync change log like a push's, at the end of the same transaction
(just before its audit entry: a push's lock order), so laptops receive them at their
next pull.

Run by ``boligsag server ...`` on the server machine, by whoever may run it there: the
operating system decides that, so these functions take no acting user. Each change is
one transaction and leaves an audit entry in the server's chain
(services/server_audit.py) under the name ``SERVER_ADMIN``.

A server password is a PHC Argon2id string in ``server_credentials`` (storage/kdf.py),
never in ``users``, so it never syncs to a laptop.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction, Role
from boligsag.domain.usernames import fold_username
from boligsag.errors import UserError
from boligsag.storage import kdf, keys, migrate
from boligsag.storage.database import Database
from boligsag.storage.models import (
    Area,
    FocusArea,
    Plan,
    ServerCredential,
    ServerDevice,
    User,
    user_areas,
)
from boligsag.storage.reference_data import load_reference_data
from boligsag.storage.server_engine import open_server_engine

from .. import org_settings, server_audit
from ..errors import ValidationFailed
from ..setup import validate_new_account, validate_plan
from ..ssp_notes import ssp_problems
from ..sync import wire
from ..sync.ordering import ChangeEntry, log_changes
from ..sync.seed import seed_change_log
from .handle import DEFAULT_CONNECTIONS, ServerDb

SERVER_ADMIN = "server-admin"  # the audit username of a change made with `boligsag server`


def utc_now() -> datetime:
    """The times in the server's own tables (devices, passwords, the login throttle) are
    naive UTC: no daylight-saving jump can stretch a throttle's pause by an hour."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def local_now() -> datetime:
    """Record, change-log and audit times are local wall-clock time, as on the laptops
    and in the sync engine's push (what a social worker reads)."""
    return datetime.now().replace(microsecond=0)


class PasswordInUrl(UserError):
    def __init__(self) -> None:
        super().__init__("The database URL must not contain a password. Put it in "
                         "PGPASSFILE (~/.pgpass) or the PGPASSWORD environment variable.")


class NotPostgresUrl(UserError):
    def __init__(self) -> None:
        super().__init__("The database URL must be a PostgreSQL URL, like "
                         "postgresql://boligsag@localhost/boligsag.")


class CannotConnect(UserError):
    """libpq's reason is English and technical: the command line's detail only."""

    def __init__(self, reason: str) -> None:
        super().__init__("Cannot connect to the server database.")
        self.detail = f"({reason})"


class AlreadyInitialised(UserError):
    def __init__(self) -> None:
        super().__init__("This database already has users: the server was set up before.")


class NoSuchAccount(UserError):
    def __init__(self, username: str) -> None:
        super().__init__("There is no user named {username}.", username=username)


class NoSuchDevice(UserError):
    def __init__(self, device_id: str) -> None:
        super().__init__("There is no device {device_id}.", device_id=device_id)


class UnknownAreas(UserError):
    def __init__(self, names: str, known: str) -> None:
        super().__init__("Unknown housing areas: {names}. The server knows: {known}.",
                         names=names, known=known)


class UsernameTaken(UserError):
    def __init__(self, username: str) -> None:
        super().__init__("The username {username} is already in use.", username=username)


def check_database_url(url: str) -> str:
    """The URL for psycopg; refuses one with a password (it would be in argv, shell
    history and ``ps``) and anything that is not PostgreSQL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise NotPostgresUrl() from None
    if parsed.get_backend_name() != "postgresql":
        raise NotPostgresUrl()
    if parsed.password is not None or "password" in parsed.query:
        raise PasswordInUrl()
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def connect(url: str, secret: bytes, *, connections: int = DEFAULT_CONNECTIONS) -> ServerDb:
    """A handle on the database, which is reached once here: a wrong host, a missing or
    wrong password, an unknown database is one CannotConnect with libpq's reason, before
    a command asks anything or a server starts to listen. The pool holds ``connections``
    and no more (server/app.py lets as many requests into the database at once)."""
    if len(secret) != 32:
        raise ValueError("the server secret is 32 bytes")
    engine = open_server_engine(check_database_url(url), pool_size=connections,
                                max_overflow=0)
    server = ServerDb(Database(engine), secret, connections)
    try:
        with server.db.engine.connect():
            pass
    except OperationalError as error:
        server.dispose()
        raise CannotConnect(_reason(error)) from None
    return server


def _reason(error: OperationalError) -> str:
    """libpq's message on one line. libpq does not quote the password it was given; it
    is masked anyway, in case a future version does."""
    reason = " ".join(str(error.orig).split())
    password = os.environ.get("PGPASSWORD")
    if password:
        reason = reason.replace(password, "***")
    return reason


def audit_admin(server: ServerDb, session: Session, action: AuditAction, *, entity: str,
                entity_uuid: str | None, detail: str, user_id: int | None = None,
                username: str = SERVER_ADMIN) -> None:
    server_audit.append(session, server.secret, [{
        "at": local_now(), "action": action, "user_id": user_id, "username": username,
        "entity": entity, "entity_uuid": entity_uuid or "", "detail": detail}])


# -- setting up --------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstPlan:
    """The plan ``server init`` makes, as the laptop's ``init`` does (services/setup.py):
    over the areas made with it and the focus areas of its LBF period."""

    name: str
    period: str  # one of setup.PLAN_PERIODS
    start: date
    end: date


def initialise(server: ServerDb, *, organisation: str, admin_username: str,
               admin_full_name: str, admin_password: str, plan: FirstPlan,
               areas: Sequence[str] = ()) -> str:
    """Migrate to the newest schema, load the reference data, and create the
    organisation, its first administrator, the areas and the plan; returns the
    administrator's uuid. Refused (nothing changed) on a database that already has users.

    The plan is made here because a laptop that joins takes the newest live plan it
    pulled as its current plan (sync_client/settings_client.keep_current_plan); with
    none, its quick log offers the topics of every LBF period's focus areas."""
    problems = validate_new_account(admin_username, admin_full_name, admin_password)
    if not organisation.strip():
        problems["organisation"] = ("Enter the organisation's name.", {})
    problems.update(validate_plan(plan.name, plan.period, plan.start, plan.end))
    if problems:
        raise ValidationFailed(problems)
    migrate.upgrade(server.db.engine)
    with server.write() as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise AlreadyInitialised()
        load_reference_data(session)
        admin = _new_user(session, admin_username, admin_full_name, Role.ADMINISTRATOR,
                          admin_password)
        made = [Area(name=name) for name in dict.fromkeys(a.strip() for a in areas) if name]
        session.add_all(made)
        session.add(Plan(name=plan.name.strip(), period=plan.period, start_date=plan.start,
                         end_date=plan.end, areas=made, focus_areas=list(session.scalars(
                             select(FocusArea).where(FocusArea.period == plan.period)))))
        org_settings.set_setting(session, "database_id", str(uuid.uuid4()))
        org_settings.set_setting(session, "organisation_name", organisation.strip())
        session.flush()
        # Every synced row made here reaches laptops through the change log: the areas,
        # the administrator, the plan (with its areas and focus areas), and the starter
        # catalogue of services load_reference_data put in. The change log first, then
        # the audit chain: the lock order of a push (services/sync/ordering.py), so the
        # two never wait for each other in a circle.
        seed_change_log(session.connection(), now=local_now())
        audit_admin(server, session, AuditAction.CREATE, entity="database", entity_uuid=None,
                    detail="team server database created")
        audit_admin(server, session, AuditAction.USER_CREATED, entity="users",
                    entity_uuid=admin.uuid, detail="first administrator")
        return admin.uuid


def _log_created(session: Session, rows: Sequence[tuple[str, str]]) -> None:
    """New rows, every wire field touched (a laptop takes them whole)."""
    log_changes(session, [ChangeEntry(table, row_uuid, 1, sorted(wire.wire_fields(table)),
                                      False, None) for table, row_uuid in rows],
                now=local_now())


def _new_user(session: Session, username: str, full_name: str, role: Role,
              password: str, ssp_access: bool = False) -> User:
    username = username.strip()
    if find_user(session, username) is not None:
        raise UsernameTaken(username)
    user = User(username=username, full_name=full_name.strip(), role=role,
                ssp_access=ssp_access)
    session.add(user)
    session.flush()
    session.add(ServerCredential(user_id=user.id, changed_at=utc_now(),
                                 password_hash=kdf.phc_hash(password, keys.KDF_PARAMS)))
    return user


def find_user(session: Session, username: str) -> User | None:
    # Folded in Python, as the laptop compares names (NFKC + casefold), which SQL's
    # lower() does not; a server has hundreds of accounts at most.
    folded = fold_username(username)
    for user in session.scalars(select(User)):
        if fold_username(user.username) == folded:
            return user
    return None


def get_user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise NoSuchAccount(username.strip())
    return user


# -- administration ----------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    uuid: str
    username: str
    full_name: str
    role: Role
    active: bool
    areas: tuple[str, ...]


def add_user(server: ServerDb, username: str, *, full_name: str, role: Role, password: str,
             areas: Sequence[str] = (), ssp_access: bool = False) -> AccountRow:
    """A new staff account with a server password; ``areas`` by name, all known."""
    problems = validate_new_account(username, full_name, password)
    problems.update(ssp_problems(role, ssp_access))
    if problems:
        raise ValidationFailed(problems)
    with server.write() as session:
        area_ids = _area_ids(session, areas)
        user = _new_user(session, username, full_name, role, password, ssp_access)
        if area_ids:
            session.execute(insert(user_areas), [{"user_id": user.id, "area_id": a}
                                                 for a in area_ids])
        _log_created(session, [("users", user.uuid)])  # before the audit: lock order
        audit_admin(server, session, AuditAction.USER_CREATED, entity="users",
                    entity_uuid=user.uuid,
                    detail=f"role {role.value}" + (", SSP access" if ssp_access else ""))
        names = session.scalars(select(Area.name).where(Area.id.in_(area_ids))).all()
        return AccountRow(user.uuid, user.username, user.full_name, role, True,
                          tuple(sorted(names)))


def _area_ids(session: Session, names: Sequence[str]) -> list[int]:
    """Live areas by name, in any case ("ærtebjerg øst" is "Ærtebjerg Øst")."""
    wanted = {name.strip().casefold(): name.strip() for name in names if name.strip()}
    if not wanted:
        return []
    rows = session.execute(select(Area.name, Area.id).where(Area.deleted_at.is_(None))).all()
    known = {row.name.casefold(): row.id for row in rows}
    missing = sorted(typed for key, typed in wanted.items() if key not in known)
    if missing:
        raise UnknownAreas(", ".join(missing), ", ".join(sorted(r.name for r in rows)) or "-")
    return sorted({known[key] for key in wanted})


def set_password(server: ServerDb, username: str, password: str) -> None:
    problems = validate_new_account(username, "-", password)
    problems.pop("username", None)  # an existing account's name is checked by lookup
    if problems:
        raise ValidationFailed(problems)
    with server.write() as session:
        user = get_user(session, username)
        credential = session.get(ServerCredential, user.id)
        digest = kdf.phc_hash(password, keys.KDF_PARAMS)
        if credential is None:
            session.add(ServerCredential(user_id=user.id, password_hash=digest,
                                         changed_at=utc_now()))
        else:
            credential.password_hash, credential.changed_at = digest, utc_now()
        audit_admin(server, session, AuditAction.PASSWORD_RESET, entity="users",
                    entity_uuid=user.uuid, detail="server password set")


def disable_user(server: ServerDb, username: str) -> None:
    """The account can no longer log in, and its tokens are refused at the next request
    (``login.authenticate`` reads ``active`` every time)."""
    with server.write() as session:
        user = get_user(session, username)
        if not user.active:
            return
        user.active = False
        user.updated_at = local_now()
        session.flush()  # the version moves on here (the model's version counter)
        log_changes(session, [ChangeEntry("users", user.uuid, user.version, ["active"], False,
                                          None)], now=local_now())  # before the audit
        audit_admin(server, session, AuditAction.USER_DEACTIVATED, entity="users",
                    entity_uuid=user.uuid, detail="disabled on the server")




@dataclass(frozen=True)
class DeviceRow:
    device_id: str
    username: str
    name: str
    registered_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None


def list_devices(server: ServerDb) -> list[DeviceRow]:
    with server.read() as session:
        rows = session.execute(
            select(ServerDevice, User.username).join(User, User.id == ServerDevice.user_id)
            .order_by(User.username, ServerDevice.registered_at)).all()
        return [DeviceRow(d.uuid, username, d.name, d.registered_at, d.last_seen_at,
                          d.revoked_at) for d, username in rows]


def revoke_device(server: ServerDb, device_id: str) -> None:
    """Every token of the device is refused from its next request; it cannot log in."""
    with server.write() as session:
        device = session.get(ServerDevice, device_id.strip(), with_for_update=True)
        if device is None:
            raise NoSuchDevice(device_id.strip())
        if device.revoked_at is None:
            device.revoked_at = utc_now()
        audit_admin(server, session, AuditAction.UPDATE, entity="server_devices",
                    entity_uuid=device.uuid, detail="device revoked")


def user_json(user: User) -> dict[str, Any]:
    """The user as the login answer gives it: no password, no contact details."""
    return {"uuid": user.uuid, "username": user.username, "full_name": user.full_name,
            "role": str(user.role)}

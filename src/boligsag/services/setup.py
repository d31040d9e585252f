"""Creating a new Boligsag database: the first-run wizard and ``boligsag init``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from boligsag.domain import date_range
from boligsag.domain.enums import AuditAction, Role
from boligsag.storage import audit, audit_anchor, keys, migrate
from boligsag.storage.database import Database, WriteStamp
from boligsag.storage.engine import open_engine
from boligsag.storage.models import Area, FocusArea, Plan, User
from boligsag.storage.reference_data import load_reference_data
from boligsag.storage.staging import staged_database

from . import org_settings
from .errors import ValidationFailed
from .password_policy import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH

PLAN_PERIODS = ("2019-2026", "2015-2018")


@dataclass(frozen=True)
class SetupInput:
    organisation_name: str
    plan_name: str
    plan_period: str  # an LBF period with focus areas in resources, e.g. "2019-2026"
    plan_start: date
    plan_end: date
    areas: list[str]
    admin_username: str
    admin_full_name: str
    admin_password: str
    municipality: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # organisation address etc.


@dataclass(frozen=True)
class SetupResult:
    path: Path
    keys_path: Path
    recovery_key: str
    database_id: str


# The columns' sizes (storage/models/org.py User, Area, Plan): SQLite would store more,
# PostgreSQL on the team server would refuse it, and the lists and letters have no room
# for it.
MAX_USERNAME_LENGTH = 60
MAX_NAME_LENGTH = 120  # a person's name, an area's
MAX_PLAN_NAME_LENGTH = 160


def validate_setup(data: SetupInput) -> None:
    problems: dict[str, tuple[str, dict[str, object]]] = {}
    if not data.organisation_name.strip():
        problems["organisation_name"] = ("Enter the organisation's name.", {})
    problems.update(validate_plan(data.plan_name, data.plan_period, data.plan_start,
                                  data.plan_end))
    if not [a for a in data.areas if a.strip()]:
        problems["areas"] = ("Enter at least one housing area.", {})
    elif any(len(a.strip()) > MAX_NAME_LENGTH for a in data.areas):
        problems["areas"] = ("An area's name has at most {length} characters.",
                             {"length": MAX_NAME_LENGTH})
    problems.update(validate_new_account(data.admin_username, data.admin_full_name,
                                         data.admin_password))
    if problems:
        raise ValidationFailed(problems)


def validate_plan(name: str, period: str, start: date, end: date
                  ) -> dict[str, tuple[str, dict[str, object]]]:
    """The first plan's problems, keyed as SetupInput's fields (the wizard's and ``init``'s
    plan, and ``server init``'s)."""
    problems: dict[str, tuple[str, dict[str, object]]] = {}
    if not name.strip():
        problems["plan_name"] = ("Enter the plan's name.", {})
    elif len(name.strip()) > MAX_PLAN_NAME_LENGTH:
        problems["plan_name"] = ("A plan's name has at most {length} characters.",
                                 {"length": MAX_PLAN_NAME_LENGTH})
    if period not in PLAN_PERIODS:
        problems["plan_period"] = ("Choose the plan's LBF period.", {})
    for field_name, day in (("plan_start", start), ("plan_end", end)):
        if not date_range.in_range(day):
            problems[field_name] = date_range.OUT_OF_RANGE
    if end < start and not problems:
        problems["plan_end"] = ("The plan cannot end before it starts.", {})
    return problems




def validate_new_account(
    username: str, full_name: str, password: str
) -> dict[str, tuple[str, dict[str, object]]]:
    problems: dict[str, tuple[str, dict[str, object]]] = {}
    if not username.strip() or not username.replace(".", "").replace("-", "").isalnum():
        problems["username"] = ("A username uses letters and digits only (and . or -).", {})
    elif len(username.strip()) > MAX_USERNAME_LENGTH:
        problems["username"] = ("A username has at most {length} characters.",
                                {"length": MAX_USERNAME_LENGTH})
    if not full_name.strip():
        problems["full_name"] = ("Enter the person's full name.", {})
    elif len(full_name.strip()) > MAX_NAME_LENGTH:
        problems["full_name"] = ("A name has at most {length} characters.",
                                 {"length": MAX_NAME_LENGTH})
    if len(password) < MIN_PASSWORD_LENGTH:
        problems["password"] = (
            "The password must be at least {length} characters long.",
            {"length": MIN_PASSWORD_LENGTH},
        )
    return problems


def create_database(path: Path, data: SetupInput, *, now: datetime | None = None) -> SetupResult:
    """Create the encrypted database and its key file; print-ready recovery key.

    Nothing existing is overwritten. Both files are made under temporary names and
    moved into place only when complete (storage/staging.py), so a failed, cancelled
    or killed setup never leaves a half-made database behind.
    """
    validate_setup(data)
    path = Path(path)
    with staged_database(path) as tmp:
        made = create_database_files(tmp, data, now=now)
    return SetupResult(path=path, keys_path=keys.keys_path_for(path),
                       recovery_key=made.recovery_key, database_id=made.database_id)


def create_database_files(path: Path, data: SetupInput, *,
                          now: datetime | None = None) -> SetupResult:
    """Make the database and key file right at ``path``, a temporary name that
    :func:`staged_database` gave the caller, which moves them into place (the demo
    fills the database first). Every connection is closed on return."""
    validate_setup(data)
    path = Path(path)
    keys_path = keys.keys_path_for(path)
    now = now or datetime.now().replace(microsecond=0)
    db_key = keys.new_database_key()
    database_id = str(uuid.uuid4())
    admin_uuid = str(uuid.uuid4())
    engine = None
    try:
        engine = open_engine(path, db_key, create=True, integrity_check=False)
        migrate.upgrade(engine)
        db = Database(engine, path)
        with db.writing(WriteStamp(user_id=None, now=now)) as session:
            load_reference_data(session)
            admin = User(
                uuid=admin_uuid,
                username=data.admin_username.strip(),
                full_name=data.admin_full_name.strip(),
                role=Role.ADMINISTRATOR,
            )
            session.add(admin)
            areas = [Area(name=name.strip(), municipality=data.municipality)
                     for name in data.areas if name.strip()]
            focus_areas = list(
                session.scalars(select(FocusArea).where(FocusArea.period == data.plan_period))
            )
            plan = Plan(
                name=data.plan_name.strip(),
                period=data.plan_period,
                start_date=data.plan_start,
                end_date=data.plan_end,
                areas=areas,
                focus_areas=focus_areas,
            )
            session.add(plan)
            session.flush()
            org_settings.set_setting(session, "database_id", database_id)
            org_settings.set_setting(session, "organisation_name", data.organisation_name.strip())
            org_settings.set_setting(session, "current_plan_uuid", plan.uuid)
            for key, value in data.extra.items():
                org_settings.set_setting(session, key, value)
            created = audit.append(session, audit.derive_key(db_key), at=now,
                                   user_id=admin.id, username=admin.username,
                                   action=AuditAction.CREATE, entity="database",
                                   entity_uuid=database_id, detail="database created")
        store = keys.KeyStore.create(database_id)
        store.audit_anchor = audit_anchor.for_entry(audit.derive_key(db_key), created)
        store.add_user(admin_uuid, data.admin_username.strip(), data.admin_password, db_key)
        recovery_key = store.set_recovery(db_key)
        store.save(keys_path)
    finally:  # the staging folder, and what is left in it, is removed by the caller
        if engine is not None:
            engine.dispose()
    return SetupResult(path=path, keys_path=keys_path, recovery_key=recovery_key,
                       database_id=database_id)

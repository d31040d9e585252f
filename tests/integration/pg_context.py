"""An AppContext over a fresh PostgreSQL database (tests/pg.py's ``pg_url``), with the
same first rows as setup.py gives a new encrypted file (tests/conftest.py's
``setup_input``): reference data, the administrator "Åse Nørgaard", a plan with two
areas, the organisation's name and a database id."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from boligsag.domain.enums import Role
from boligsag.services import org_settings
from boligsag.services.context import Actor, AppContext, FixedClock
from boligsag.storage import migrate
from boligsag.storage.database import Database, WriteStamp
from boligsag.storage.models import Area, FocusArea, Plan, User
from boligsag.storage.reference_data import load_reference_data
from boligsag.storage.server_engine import open_server_engine

PLAN_PERIOD = "2019-2026"


def seed_postgres(url: str, clock: FixedClock) -> None:
    """Migrate the empty database at ``url`` and add setup.py's first rows."""
    engine = open_server_engine(url)
    try:
        migrate.upgrade(engine)
        db = Database(engine)
        with db.writing(WriteStamp(user_id=None, now=clock.now())) as session:
            load_reference_data(session)
            session.add(User(uuid=str(uuid.uuid4()), username="admin",
                             full_name="Åse Nørgaard", role=Role.ADMINISTRATOR))
            plan = Plan(name="Helhedsplan Ærtebjerg 2023–2026", period=PLAN_PERIOD,
                        start_date=date(2023, 1, 1), end_date=date(2026, 12, 31),
                        areas=[Area(name="Ærtebjerg Øst", municipality="Odense"),
                               Area(name="Søndergården", municipality="Odense")],
                        focus_areas=list(session.scalars(
                            select(FocusArea).where(FocusArea.period == PLAN_PERIOD))))
            session.add(plan)
            session.flush()
            org_settings.set_setting(session, "database_id", str(uuid.uuid4()))
            org_settings.set_setting(session, "organisation_name", "Boligsocialt Hus Ærtebjerg")
            org_settings.set_setting(session, "current_plan_uuid", plan.uuid)
    finally:
        engine.dispose()


def open_postgres_context(url: str, clock: FixedClock,
                          username: str = "admin") -> AppContext:
    """A context acting as ``username`` over a seeded database (no log-in: the server
    database has no file to unlock, and no key file)."""
    db = Database(open_server_engine(url))
    with db.reading() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        actor = Actor(user.id, user.uuid, user.username, user.full_name, user.role)
    # db_key empty and no key file (context.py), because the server database has no
    # SQLCipher key: its audit entries are neither secretly keyed nor anchored here.
    return AppContext(db, actor, keys_path=None, clock=clock)


def postgres_context(url: str, clock: FixedClock) -> AppContext:
    seed_postgres(url, clock)
    return open_postgres_context(url, clock)

"""An AppContext over a fresh PostgreSQL database (tests/pg.py's ``pg_url``), with the
same first rows as setup.py gives a new encrypted file: reference data, the
administrator "Åse Nørgaard", a plan with two areas."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

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


def postgres_context(url: str, keys_folder: Path, clock: FixedClock) -> AppContext:
    engine = open_server_engine(url)
    migrate.upgrade(engine)
    db = Database(engine)
    with db.writing(WriteStamp(user_id=None, now=clock.now())) as session:
        load_reference_data(session)
        admin = User(uuid=str(uuid.uuid4()), username="admin", full_name="Åse Nørgaard",
                     role=Role.ADMINISTRATOR)
        session.add(admin)
        plan = Plan(name="Helhedsplan Ærtebjerg 2023–2026", period=PLAN_PERIOD,
                    start_date=date(2023, 1, 1), end_date=date(2026, 12, 31),
                    areas=[Area(name="Ærtebjerg Øst", municipality="Odense"),
                           Area(name="Søndergården", municipality="Odense")],
                    focus_areas=list(session.scalars(
                        select(FocusArea).where(FocusArea.period == PLAN_PERIOD))))
        session.add(plan)
        session.flush()
        org_settings.set_setting(session, "current_plan_uuid", plan.uuid)
        actor = Actor(admin.id, admin.uuid, admin.username, admin.full_name, admin.role)
    # db_key empty: an unkeyed audit chain and no key file (context.py), because the
    # server database has no SQLCipher key.
    return AppContext(db, actor, keys_path=keys_folder / "keys.json", clock=clock)

"""A demo database full of realistic synthetic data (DESIGN.md §3.9).

Usage::

    result = create_demo_database(path, people=600, contacts=20_000, seed=1)
    ctx = unlock(result.path, DEMO_USERNAME, DEMO_PASSWORD)

The database is made by the real setup service and the staff accounts by the real
user service, so the demo exercises the same key file and login as production. The
bulk (people, programmes, ten years of contacts, referrals) is written with Core
``executemany`` on one connection, a stage per transaction: at 10,000 people and
500,000 contacts that takes minutes, where per-row ORM objects would take far longer.

Everything is drawn from one ``random.Random(seed)`` (and Faker seeded from it), so a
seed and a ``today`` give the same people, names and counts every time. Only the
database key, the recovery key and the UUIDs setup and the user service assign
(database, plans, users) are truly random, as they must be.

Stage texts passed to ``progress`` are English message ids for ``i18n.tr``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path

from boligsag.domain.age import anniversary
from boligsag.services.context import FixedClock
from boligsag.services.setup import SetupInput, SetupResult, create_database_files
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.file_checks import checkpoint
from boligsag.storage.staging import staged_database
from boligsag.storage.sync_applying import applying

from . import org
from .bulk import DemoCancelled, Gen, Progress
from .contacts import create_contacts
from .jobs import create_jobs
from .names import NameMaker
from .people import create_people
from .programmes import create_activities, create_enrollments
from .referrals import create_referrals
from .sessions import create_sessions
from .world import Reference, World

__all__ = ["DEMO_PASSWORD", "DEMO_USERNAME", "STAGES", "DemoCancelled", "create_demo_database"]

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "demo-adgangskode"
HISTORY_YEARS = 10

# Every stage text, in order, so the translation catalogue can list them.
STAGES = (
    "Creating the encrypted database",
    "Creating staff accounts",
    "Creating households and residents",
    "Creating activities and enrollments",
    "Recording sessions and attendance",
    "Logging contacts",
    "Creating consents and referrals",
    "Finishing",
)


def create_demo_database(
    path: Path,
    *,
    people: int = 600,
    contacts: int = 20_000,
    seed: int = 1,
    password: str = DEMO_PASSWORD,
    today: date | None = None,
    progress: Callable[[str, float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SetupResult:
    """Create a demo database at ``path`` (and its key file); refuse to overwrite.

    Log in as ``DEMO_USERNAME`` / ``password``; every staff account has the same
    password. Raises :class:`DemoCancelled` if ``cancelled()`` turns true; the files
    are then removed, as they are after any other failure.
    """
    if people < 1 or contacts < 0:
        raise ValueError("people must be at least 1 and contacts not negative")
    path = Path(path)
    today = today or date.today()
    rng = random.Random(seed)
    tracker = Progress(progress, cancelled)
    start = anniversary(today, -HISTORY_YEARS)
    # The database "was set up" a month before the ten years of history begin.
    created = datetime.combine(start - timedelta(days=30), time(9, 0))
    tracker.stage(STAGES[0], 0.0, 0.02)
    # Built under a temporary name and moved into place when full (storage/staging.py):
    # a cancelled, failed or killed demo leaves nothing behind.
    with staged_database(path) as tmp:
        made = create_database_files(tmp, _setup_input(password), now=created)
        ctx = unlock(tmp, DEMO_USERNAME, password, clock=FixedClock(created),
                     options=UnlockOptions(integrity_check=False))
        try:
            tracker.stage(STAGES[1], 0.02, 0.06)
            specs = org.choose_staff(rng)
            user_ids = org.create_staff_accounts(ctx, specs, password, rng)
            # The bulk load writes through one storage-level connection, not a
            # service's unit of work: Core executemany, a transaction per stage.
            with ctx.db.engine.connect() as conn:
                g = Gen(conn, rng, today, start, ctx.actor.user_id, tracker)
                _fill(g, specs, user_ids, created, people, contacts, seed)
            checkpoint(ctx.db.engine)
        finally:
            lock(ctx)
    tracker.stage(STAGES[-1], 1.0, 1.0)
    return SetupResult(path=path, keys_path=keys.keys_path_for(path),
                       recovery_key=made.recovery_key, database_id=made.database_id)


def _setup_input(password: str) -> SetupInput:
    name, plan_start, plan_end = org.CURRENT_PLAN
    return SetupInput(
        organisation_name=org.ORGANISATION,
        plan_name=name,
        plan_period="2019-2026",
        plan_start=plan_start,
        plan_end=plan_end,
        areas=[area[0] for area in org.AREAS],
        admin_username=DEMO_USERNAME,
        admin_full_name="Administrator",
        admin_password=password,
        municipality=org.MUNICIPALITY,
        extra=dict(org.ORGANISATION_SETTINGS),
    )


def _fill(g: Gen, specs: list[org.StaffSpec], user_ids: list[int], created: datetime,
          people: int, contacts: int, seed: int) -> None:
    """The bulk stages, each committed on its own so a cancel loses little work
    (and the files are removed anyway)."""
    conn = g.conn
    with conn.begin(), applying(conn):
        # A big page cache: the random UUID indexes of half a million rows would
        # otherwise re-read (and re-decrypt) pages constantly.
        conn.exec_driver_sql("PRAGMA cache_size = -262144")
        staff = org.finish_staff(g, specs, user_ids, created)
        area_ids, area_weights = org.finish_areas(g)
        org.assign_staff_areas(g, staff, area_ids)
        plans = org.add_plans(g, area_ids, created)
        org.fill_service_addresses(g)
        world = World(Reference.load(conn), plans, area_ids, area_weights, staff)

    with _stage(g, STAGES[2], 0.06, 0.12):
        create_people(g, world, NameMaker(g.rng, seed), people)

    with _stage(g, STAGES[3], 0.12, 0.15):
        instances = create_activities(g, world)
        enrollments = create_enrollments(g, world, instances)
        enrollments += create_jobs(g, world, instances)

    with _stage(g, STAGES[4], 0.15, 0.2):
        create_sessions(g, world, instances, enrollments)

    with _stage(g, STAGES[5], 0.2, 0.85):
        create_contacts(g, world, instances, contacts)
        # Whoever wrote an SSP note is in the SSP cooperation (as migration 0009 has it).
        conn.exec_driver_sql("UPDATE users SET ssp_access = TRUE WHERE id IN "
                             "(SELECT staff_user_id FROM contacts WHERE ssp_locked)")

    with _stage(g, STAGES[6], 0.85, 0.97):
        create_referrals(g, world, contacts // 10)
        # The pooled connection goes back with the default page cache.
        conn.exec_driver_sql("PRAGMA cache_size = -2000")
    g.progress.stage(STAGES[7], 0.97, 1.0)


@contextmanager
def _stage(g: Gen, text: str, start: float, end: float) -> Iterator[None]:
    """One stage of the bulk load in its own transaction, committed when it ends.

    Its rows stay out of the sync outbox (storage/sync_applying.py): synthetic rows are
    nothing a team server should ever be sent, and recording them made the default demo
    half again as slow and its file a quarter larger."""
    g.progress.stage(text, start, end)
    with g.conn.begin(), applying(g.conn):
        yield

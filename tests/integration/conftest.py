"""The ``backend`` fixture: an AppContext, signed in as the administrator "Åse Nørgaard",
on a fresh database of either kind — an encrypted SQLCipher file (a laptop) or a
PostgreSQL database (the team server).

A test module whose tests are about service behaviour, not about the encrypted file,
runs on both by taking ``backend`` (or by aliasing its ``ctx`` to it); a test about the
file itself keeps tests/conftest.py's ``ctx``.

PostgreSQL set-up is cheap per test: the session migrates and seeds one template
database once, and each test gets ``CREATE DATABASE … TEMPLATE`` of it (a file copy).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from boligsag.services.context import AppContext, FixedClock
from boligsag.services.unlock import UnlockOptions, lock, unlock

from ..conftest import CreatedDb
from ..pg import PgCluster
from .pg_context import open_postgres_context, seed_postgres

BACKENDS = ["sqlcipher", "postgresql"]
# The time the template's first rows are stamped with: tests/conftest.py's ``clock``.
TEMPLATE_TIME = datetime(2026, 11, 25, 10, 30)


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PgCluster) -> str:
    """The name of a migrated, seeded database that tests copy; no test connects to it
    (CREATE DATABASE … TEMPLATE refuses a template with open connections)."""
    name = pg_cluster.create_database()
    seed_postgres(pg_cluster.url(name), FixedClock(TEMPLATE_TIME))
    return name


@pytest.fixture
def sqlcipher_ctx(created_db: CreatedDb, clock: FixedClock) -> Iterator[AppContext]:
    context = unlock(created_db.path, "admin", created_db.password, clock=clock,
                     options=UnlockOptions(integrity_check=False))
    yield context
    lock(context)


@pytest.fixture
def postgresql_ctx(pg_cluster: PgCluster, pg_template: str, tmp_path: Path,
                   clock: FixedClock) -> Iterator[AppContext]:
    name = pg_cluster.create_database(template=pg_template)
    context = open_postgres_context(pg_cluster.url(name), tmp_path, clock)
    try:
        yield context
    finally:
        context.db.dispose()
        pg_cluster.drop_database(name)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> AppContext:
    context: AppContext = request.getfixturevalue(f"{request.param}_ctx")
    return context

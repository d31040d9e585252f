"""The ``backend`` fixture: an AppContext, signed in as the administrator "Åse Nørgaard",
on a fresh database of either kind — an encrypted SQLCipher file (a laptop) or a
PostgreSQL database (the team server).

A test module whose tests are about service behaviour, not about the encrypted file,
runs on both by taking ``backend`` (or by aliasing its ``ctx`` to it); a test about the
file itself keeps tests/conftest.py's ``ctx``, or, in a module that runs on both, says
``@pytest.mark.parametrize("backend", ["sqlcipher"], indirect=True)``.

``postgresql_ctx`` (tests/pg.py, for every tier) is cheap per test: the session
migrates and seeds one template database once, and each test gets ``CREATE DATABASE
… TEMPLATE`` of it (a file copy).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boligsag.services.context import AppContext, FixedClock
from boligsag.services.unlock import UnlockOptions, lock, unlock

from ..conftest import CreatedDb

BACKENDS = ["sqlcipher", "postgresql"]


@pytest.fixture
def sqlcipher_ctx(created_db: CreatedDb, clock: FixedClock) -> Iterator[AppContext]:
    context = unlock(created_db.path, "admin", created_db.password, clock=clock,
                     options=UnlockOptions(integrity_check=False))
    yield context
    lock(context)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> AppContext:
    context: AppContext = request.getfixturevalue(f"{request.param}_ctx")
    return context

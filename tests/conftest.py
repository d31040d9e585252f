"""Fixtures shared by all test tiers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

# Qt runs offscreen in every test run, CI included (no GUI test is ever skipped).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from boligsag.services.context import AppContext, FixedClock
from boligsag.services.setup import SetupInput, SetupResult, create_database
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.kdf import KdfParams
from boligsag.ui.main_thread_gc import collect_due

# The throwaway PostgreSQL cluster (pg_cluster, pg_url); it starts only when asked for.
pytest_plugins = ["tests.pg"]

CHEAP_KDF = KdfParams(memory_cost=1024, iterations=1, lanes=1)
ADMIN_PASSWORD = "korrekt-hest-batteri"


@pytest.fixture(autouse=True)
def cheap_kdf(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at 64 MiB costs ~0.2 s per derivation; tests derive hundreds of keys.
    Tests marked ``real_kdf`` keep the production parameters."""
    if "real_kdf" not in request.keywords:
        monkeypatch.setattr(keys, "KDF_PARAMS", CHEAP_KDF)


@pytest.fixture(autouse=True)
def cycles_collected_on_the_main_thread() -> Iterator[None]:
    """Once a GUI test made the application, automatic collection is off for the
    whole run (ui/main_thread_gc.py); between tests the main thread does what the
    application's timer does, so tests without an event loop do not pile up garbage."""
    yield
    collect_due()


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("BOLIGSAG_CONFIG_DIR", str(folder))
    return folder


def setup_input(**overrides: object) -> SetupInput:
    values: dict[str, object] = {
        "organisation_name": "Boligsocialt Hus Ærtebjerg",
        "plan_name": "Helhedsplan Ærtebjerg 2023–2026",
        "plan_period": "2019-2026",
        "plan_start": date(2023, 1, 1),
        "plan_end": date(2026, 12, 31),
        "areas": ["Ærtebjerg Øst", "Søndergården"],
        "admin_username": "admin",
        "admin_full_name": "Åse Nørgaard",
        "admin_password": ADMIN_PASSWORD,
        "municipality": "Odense",
    }
    values.update(overrides)
    return SetupInput(**values)  # type: ignore[arg-type]


@dataclass
class CreatedDb:
    path: Path
    result: SetupResult
    password: str = ADMIN_PASSWORD


@pytest.fixture
def created_db(tmp_path: Path) -> CreatedDb:
    path = tmp_path / "data" / "boligsag.db"
    return CreatedDb(path, create_database(path, setup_input()))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 25, 10, 30))


@pytest.fixture
def ctx(created_db: CreatedDb, clock: FixedClock) -> Iterator[AppContext]:
    context = unlock(created_db.path, "admin", created_db.password, clock=clock,
                     options=UnlockOptions(integrity_check=False))
    yield context
    lock(context)

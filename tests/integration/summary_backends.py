"""The summary tests' data on both backends: a demo database (services/demo) as an
encrypted file, and the same rows copied into PostgreSQL (storage/copy_database.py),
opened as the same user.

Summary tests work on one module-scoped demo database (building one costs seconds), so
they cannot take tests/integration/conftest.py's per-test ``backend``; they parametrise
their module fixture over the same ``BACKENDS`` and call ``on_backend``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from boligsag.services.context import AppContext
from boligsag.storage import migrate
from boligsag.storage.copy_database import copy_database
from boligsag.storage.database import Database
from boligsag.storage.server_engine import open_server_engine

from ..pg import PgCluster
from .conftest import BACKENDS

__all__ = ["BACKENDS", "copy_to_postgres", "on_backend"]


@contextmanager
def copy_to_postgres(laptop: AppContext, cluster: PgCluster) -> Iterator[AppContext]:
    """A context over a new PostgreSQL database holding a copy of ``laptop``'s rows,
    acting as the same user (ids are kept by the copy) at the same clock."""
    name = cluster.create_database()
    engine = open_server_engine(cluster.url(name))
    try:
        migrate.upgrade(engine)
        copy_database(laptop.db.engine, engine)
        # db_key empty: the server database has no SQLCipher key (pg_context.py).
        yield AppContext(Database(engine), laptop.actor, keys_path=laptop.keys_path,
                         clock=laptop.clock)
    finally:
        engine.dispose()
        cluster.drop_database(name)


@contextmanager
def on_backend(backend: str, laptop: AppContext, cluster: PgCluster | None
               ) -> Iterator[AppContext]:
    """``laptop`` itself for "sqlcipher", its PostgreSQL copy for "postgresql"."""
    if backend == "sqlcipher":
        yield laptop
        return
    assert cluster is not None
    with copy_to_postgres(laptop, cluster) as server:
        yield server

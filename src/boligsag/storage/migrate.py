"""Schema migrations with Alembic, run on unlock.

The script directory ships inside the package. ``upgrade`` brings an older database
to the head revision in one transaction; a database whose revision this program does
not know was written by a newer Boligsag and is refused rather than touched.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from .errors import DatabaseTooNew, NotABoligsagDatabase

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Objects made with raw SQL in migrations, which autogenerate cannot compare: the
# people_search FTS5 table (and its shadow tables) and the name indexes (0002), the
# Danish name indexes and SQLite's record of their ICU version (0010).
_RAW_SQL_OBJECTS = ("people_search", "ix_people_search", "ix_people_sort_name",
                    "ix_people_first_name", "ix_people_da_", "collation_versions")


def include_object(obj: object, name: str | None, type_: str, reflected: bool,
                   compare_to: object) -> bool:
    """Autogenerate's filter (migrations/env.py, tests/integration/test_alembic_models.py)."""
    return not (name or "").startswith(_RAW_SQL_OBJECTS)


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions()}


def check_revision(engine: Engine, path: Path) -> str:
    """Return the database's revision, refusing files newer than this program."""
    revision = current_revision(engine)
    if revision is None:
        raise NotABoligsagDatabase(path)
    if revision not in known_revisions():
        raise DatabaseTooNew(path, revision)
    return revision


def upgrade(engine: Engine, target: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(_config(connection), target)


def is_at_head(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def revision_on(connection: Connection) -> str | None:
    """The revision of the database behind ``connection``, in its transaction."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_on(connection: Connection, target: str = "head") -> None:
    """Upgrade in the caller's transaction on ``connection``, which commits it (the team
    server's migrate adds its audit entry before that commit)."""
    command.upgrade(_config(connection), target)

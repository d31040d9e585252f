"""One model set and one Alembic history (DESIGN.md §8): on each dialect, the schema
that ``alembic upgrade head`` builds is the schema the SQLAlchemy models describe.

Autogenerate's comparison finds any table, column, type, nullability, index, unique
constraint or foreign key that a migration and the models disagree on. Only the
objects the migrations make in raw SQL, which it cannot compare, are left out — by
the migrations' own ``include_object`` (storage/migrate.py)."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine

from boligsag.services.context import AppContext
from boligsag.storage import migrate
from boligsag.storage.models import Base


# SQLite cannot reflect expression indexes (ix_contacts_month): autogenerate says it
# skips them there; PostgreSQL compares them.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_the_migrated_schema_is_the_models(backend: AppContext) -> None:
    engine = backend.db.engine
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert _differences(engine) == [], "\n".join(map(str, _differences(engine)))


def test_the_history_runs_down_and_up_again_on_postgresql(pg_url: str) -> None:
    """Every downgrade has a PostgreSQL spelling too (0002's search functions, 0004's
    trigger...): down to the first revision, up to head, and still the models."""
    engine = create_engine(pg_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as connection:
            command.downgrade(migrate._config(connection), "0001")
        assert migrate.current_revision(engine) == "0001"
        migrate.upgrade(engine)
        assert _differences(engine) == []
    finally:
        engine.dispose()


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": migrate.include_object, "compare_type": True})
        return list(compare_metadata(context, Base.metadata))

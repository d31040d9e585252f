"""One model set and one Alembic history (DESIGN.md §8): on each dialect, the schema
that ``alembic upgrade head`` builds is the schema the SQLAlchemy models describe.

Autogenerate's comparison finds any table, column, type, nullability, index, unique
constraint or foreign key that a migration and the models disagree on. Only the
objects the migrations make in raw SQL, which it cannot compare, are left out — by
the migrations' own ``include_object`` (storage/migrate.py)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from boligsag.services.context import AppContext
from boligsag.storage import migrate
from boligsag.storage.models import Base


# SQLite cannot reflect expression indexes (ix_contacts_month): autogenerate says it
# skips them there; PostgreSQL compares them.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_the_migrated_schema_is_the_models(backend: AppContext) -> None:
    engine = backend.db.engine
    with engine.connect() as connection:
        assert migrate.current_revision(engine) == migrate.head_revision()
        context = MigrationContext.configure(connection, opts={
            "include_object": migrate.include_object, "compare_type": True,
            "compare_server_default": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "\n".join(map(str, differences))

"""Alembic environment: always runs on a connection the application opened with the
database key (there is no URL to an encrypted file that Alembic could open itself)."""

from __future__ import annotations

from alembic import context

from boligsag.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Boligsag migrations run through boligsag.storage.migrate only")

# Objects made with raw SQL in migrations, which autogenerate cannot compare: the
# people_search FTS5 table (and its shadow tables) and the NOCASE name indexes (0002).
_RAW_SQL_OBJECTS = ("people_search", "ix_people_sort_name", "ix_people_first_name")


def include_object(obj: object, name: str | None, type_: str, reflected: bool,
                   compare_to: object) -> bool:
    return not (name or "").startswith(_RAW_SQL_OBJECTS)


context.configure(
    connection=connection,
    include_object=include_object,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

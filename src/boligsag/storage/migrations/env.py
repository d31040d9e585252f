"""Alembic environment: always runs on a connection the application opened with the
database key (there is no URL to an encrypted file that Alembic could open itself)."""

from __future__ import annotations

from alembic import context

from boligsag.storage.migrate import include_object
from boligsag.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Boligsag migrations run through boligsag.storage.migrate only")

context.configure(
    connection=connection,
    include_object=include_object,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

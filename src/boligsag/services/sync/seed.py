"""The change log of rows that reached the server without a push: one change per synced
row, as if each had been pushed once with all its fields.

A pull reads only the change log (``sync_changes``, ordering.py), so rows copied into the
server database in bulk (storage/copy_database.py) reach no laptop until they are logged.
Used by the import of a laptop database (services/server/import_laptop.py) and by the
benchmark's server set-up (bench/sync_setup.py).

The rows are numbered by the ordering rule (ordering.py's docstring): at the end of the
caller's transaction, under the ordering lock, which PostgreSQL holds until that
transaction commits, so no pull can see a later number before these. Tables go parents
first (``wire.SYNCED_TABLES``) and rows by id, so a laptop's first pull meets a person
before the person's contacts. One ``INSERT … SELECT`` per table: the benchmark's 500,000
contacts are logged without passing through Python.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, text

from boligsag.storage.models import Base

from . import wire
from .ordering import ORDER_LOCK_KEY

__all__ = ["seed_change_log"]


def seed_change_log(connection: Connection, *, now: datetime | None = None,
                    after_ids: Mapping[str, int] | None = None) -> int:
    """Log one change per row of every synced table (every wire field touched, ``deleted``
    for a tombstone, no user or device), in ``connection``'s open transaction, which the
    caller commits right after; returns how many were logged. ``after_ids``: per table,
    log only rows with a larger id (the rows that were there before are logged already).
    ``now``: the changes' time, local wall-clock time like every change-log time
    (default: now)."""
    now = now or datetime.now().replace(microsecond=0)
    after_ids = after_ids or {}
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ORDER_LOCK_KEY})
    total = 0
    for table in wire.SYNCED_TABLES:
        name = Base.metadata.tables[table].name  # the model's own name, never a parameter
        fields = json.dumps(sorted(wire.wire_fields(table)))
        total += connection.execute(text(
            f"INSERT INTO sync_changes (seq, table_name, row_uuid, version, fields, "
            f"deleted, at) SELECT nextval('sync_changes_seq'), :table, uuid, version, "
            f":fields, deleted_at IS NOT NULL, :now FROM {name} WHERE id > :after "
            f"ORDER BY id"),
            {"table": table, "fields": fields, "now": now,
             "after": after_ids.get(table, 0)}).rowcount
    return total

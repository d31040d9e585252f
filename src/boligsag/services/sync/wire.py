"""The sync wire format: rows as JSON-able dicts, and pushed changes back into rows
(design.md of issue 11, "wire.py"). The engine (push, pull, merge) and the scope rules
build on these; they take a Session and never commit.

A row on the wire::

    {"table": "contacts", "uuid": "…", "version": 3, "deleted": false,
     "fields": {"occurred_at": "2026-11-25T10:30:00", "staff_user": "<user uuid>",
                "channel": "phone", "people": ["<person uuid>", …],
                "topics": ["contact:school:education_life_chances"], …}}

- :data:`SYNCED_TABLES`: the tables that travel, parents first; ``NOT_SYNCED`` says
  why the others do not (wire_tables.py).
- :func:`rows_to_wire`: the wire form of rows by local id, in bulk.
- :func:`wire_fields`: the field names a push of a table may carry.
- :func:`apply_change`: create or update one row from pushed fields, strictly checked
  (:class:`~boligsag.services.sync.errors.BadBatch` names table and field, never the
  value).
- :func:`check_fields`: the same checks without writing (for values kept in a conflict).
- :func:`current_values`, :func:`mark_deleted`, :func:`stamp`, :func:`row_id`: the
  merge's reads and the engine's writes of one row by uuid.

Field names and value formats: wire_tables.py, wire_values.py, wire_vocabulary.py.
"""

from __future__ import annotations

from .wire_read import WireRow, rows_to_wire
from .wire_tables import NOT_SYNCED, SYNCED_TABLES
from .wire_vocabulary import topic_key
from .wire_write import (
    apply_change,
    check_fields,
    current_values,
    mark_deleted,
    row_id,
    stamp,
    wire_fields,
)

__all__ = [
    "NOT_SYNCED",
    "SYNCED_TABLES",
    "WireRow",
    "apply_change",
    "check_fields",
    "current_values",
    "mark_deleted",
    "row_id",
    "rows_to_wire",
    "stamp",
    "topic_key",
    "wire_fields",
]

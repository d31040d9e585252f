"""Danish name order: name indexes under a Danish ICU collation (issue 14 §3)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 17:00:00

The lists of people sort by last name, first name (or first name, last name) in Danish
order (boligsag.collation), so their first page and every later one come from an index
instead of a sort of the whole table:

- SQLite: indexes under the collation ``da``, which storage/engine.py registers on
  every connection (a connection without it cannot write to ``people`` or check the
  file). The ICU version they are built with goes into ``collation_versions``, and a
  writable open under another version rebuilds them (storage/collation_upkeep.py). The row id is
  the last key of every SQLite index, so the lists' tie-breaker (id) is covered.
- PostgreSQL: the ICU collation ``boligsag_da`` (storage/dialect.py) and the same two
  indexes with the id spelled out.

The NOCASE indexes of 0002 stay: the prefix search still uses them.
"""

from __future__ import annotations

from alembic import op

from boligsag.collation import icu_version
from boligsag.storage import dialect

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels = None
depends_on = None

# Frozen names: later code may rename its constants, a migration's objects keep theirs.
_INDEXES = {"ix_people_da_name": ("last_name", "first_name"),
            "ix_people_da_first_name": ("first_name", "last_name")}


def upgrade() -> None:
    name = dialect.check_supported(op.get_bind().dialect.name)
    if name == dialect.POSTGRESQL:
        op.execute("CREATE COLLATION IF NOT EXISTS boligsag_da "
                   "(provider = icu, locale = 'da-DK')")
        for index, (a, b) in _INDEXES.items():
            op.execute(f"CREATE INDEX {index} ON people "
                       f"({a} COLLATE boligsag_da, {b} COLLATE boligsag_da, id)")
        return
    op.execute("CREATE TABLE collation_versions "
               "(name TEXT NOT NULL PRIMARY KEY, version TEXT NOT NULL)")
    op.execute("INSERT INTO collation_versions (name, version) "
               f"VALUES ('da', '{icu_version()}')")
    for index, (a, b) in _INDEXES.items():
        op.execute(f"CREATE INDEX {index} ON people ({a} COLLATE da, {b} COLLATE da)")


def downgrade() -> None:
    for index in _INDEXES:
        op.execute(f"DROP INDEX {index}")
    if op.get_bind().dialect.name == dialect.POSTGRESQL:
        # Only if nothing else uses it: an administrator's own object would keep it.
        op.execute("DROP COLLATION IF EXISTS boligsag_da RESTRICT")
        return
    op.execute("DROP TABLE collation_versions")

"""The summary's in-memory temp tables (see ``materialize``).

Each is keyed by what it counts, WITHOUT ROWID. SQLite has no hash aggregation and
groups by sorting, which is slow on ten years of rows at once; so the tables are filled
a month at a time by a small GROUP BY (a sort of one month's rows stays in cache), or by
``INSERT OR IGNORE`` where only presence counts. Key columns are never NULL (SQLite's
UNIQUE treats NULLs as distinct, so a NULL key would never merge): 0 and '' stand for
"none" and are mapped back when read.

Where they are created differs by backend. SQLite creates them inside the summary's
read transaction (``materialize``), and its rollback drops them. A PostgreSQL read unit
is READ ONLY (storage/server_engine.py), which refuses CREATE TABLE, temporary or not,
but allows INSERT, UPDATE and DELETE on a temporary table that already exists on its
connection. So on PostgreSQL ``prepare_engine`` creates them once per pooled
connection, when the connection is first handed out after a summary was asked for, in
a short transaction of their own; the read unit only fills them. Keeping the unit
READ ONLY matters more than the tables: it is the server's own guarantee that a read
service never writes the team's data. The tables are ``ON COMMIT DELETE ROWS`` and
each summary's unit ends with a rollback, so no summary sees another one's rows.
"""

from __future__ import annotations

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateTable

from boligsag.storage.connection_setup import run_once_per_connection

_TEMP = MetaData()
NONE_ID = 0
NONE_TEXT = ""


def _temp_table(name: str, *columns: Column[object], with_rowid: bool = False) -> Table:
    return Table(name, _TEMP, *columns, prefixes=["TEMPORARY"], sqlite_with_rowid=with_rowid,
                 postgresql_on_commit="DELETE ROWS")


# The period's contacts counted by every dimension a contact table shows: a few
# thousand rows even for ten years; each contact table is one small GROUP BY over it.
# Each key column is compared per contact while grouping, so the key holds only what
# the tables split by; whether a contact was anonymous is a count, not a key.
CONTACT_CUBE = _temp_table(
    "summary_contact_cube",
    Column("month", String, primary_key=True),
    Column("channel_id", Integer, primary_key=True),
    # What decides the focus area (``scope``): mapped to it when read, so filling the
    # cube costs one index seek per contact instead of three.
    Column("activity_id", Integer, primary_key=True),
    Column("topic_id", Integer, primary_key=True),
    Column("n", Integer),
    Column("minutes", Integer),
    Column("anonymous", Integer),  # how many of the n were anonymous
    # Filled once after the cube (``materialize``), not per contact.
    Column("focus_area_id", Integer),
)

# Anonymous contacts of the whole period by the age group and gender the resident gave
# (no month: no table splits them by month). Apart from the cube because these two keys
# would make grouping every named contact ~30 % slower.
ANONYMOUS = _temp_table(
    "summary_anonymous",
    Column("age_group", String, primary_key=True),
    Column("gender", String, primary_key=True),
    Column("n", Integer),
)

# Contacts by topic (a contact with two topics counts under both), per month: only the
# topics after each contact's first, which the cube counts already.
TOPIC_CUBE = _temp_table(
    "summary_topic_cube",
    Column("month", String, primary_key=True),
    Column("topic_id", Integer, primary_key=True),
    Column("n", Integer),
    Column("minutes", Integer),
)

# Who took part in which month. Only presence counts, so rows are added with INSERT OR
# IGNORE; the month a participant was first seen is the least month (``PARTICIPANTS``).
PERSON_MONTHS = _temp_table(
    "summary_person_months",
    Column("month", String, primary_key=True),
    Column("person_id", Integer, primary_key=True),
)

# Every participant once, with the first month they took part in the period (new
# participants are counted by that month). A rowid table on SQLite (person_id is its
# INTEGER PRIMARY KEY): it is filled by a seek per person month (``insert_least``),
# which the rowid b-tree answers fastest (ten years: 58 ms against 82 without rowid).
PARTICIPANTS = _temp_table(
    "summary_participants",
    Column("person_id", Integer, primary_key=True, autoincrement=False),
    Column("first_month", String),
    with_rowid=True,
)

# The period's months, keyed, so an enrollment or job finds the months it ran in by an
# index range instead of testing every month.
MONTHS = _temp_table(
    "summary_months",
    Column("month", String, primary_key=True),
    Column("first", String),
    Column("last", String),
)

# Named contacts whose residents are all tombstoned (``Scope.void_contacts``): the month
# statements look a contact up here by its key instead of in a list rebuilt per month.
VOID_CONTACTS = _temp_table(
    "summary_void_contacts",
    Column("contact_id", Integer, primary_key=True),
)

# People who took part (within the selection) before the period: not new.
EARLIER = _temp_table(
    "summary_earlier",
    Column("person_id", Integer, primary_key=True),
)

TEMP_TABLES = (CONTACT_CUBE, ANONYMOUS, TOPIC_CUBE, PERSON_MONTHS, PARTICIPANTS, MONTHS, EARLIER,
               VOID_CONTACTS)


def creates_in_unit(dialect_name: str) -> bool:
    """Whether ``materialize`` creates the tables inside the read unit (SQLite)."""
    return dialect_name != postgresql.dialect.name


_CREATE = [str(CreateTable(table, if_not_exists=True).compile(dialect=postgresql.dialect()))
           for table in TEMP_TABLES]


def prepare_engine(engine: Engine) -> None:
    """On PostgreSQL, make every connection the engine hands out carry the temp tables
    (see the module docstring); nothing on SQLite. Idempotent."""
    if not creates_in_unit(engine.dialect.name):
        run_once_per_connection(engine, "summary temp tables", _CREATE)

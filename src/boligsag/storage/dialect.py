"""What SQLite (SQLCipher, on laptops) and PostgreSQL (the team server) spell
differently (DESIGN.md §8: one schema, two dialects): the statements the migrations
run, and the few query expressions the services share.

Schema: each function returns the statements for one dialect, so a migration runs the
same history on both and the difference stays in this one module. The SQLite spelling
of the older revisions (0002, 0004) stays in those migrations, where it has always
been; this module gives their PostgreSQL counterparts:

- the people search: SQLite keeps an FTS5 trigram table filled by triggers; PostgreSQL
  indexes the same search document, folded by FTS5's own fold table
  (search_fold_table.py), with a ``pg_trgm`` GIN expression index, so no second table
  or trigger is needed (the query side is search_sql.py);
- the NOCASE name indexes: PostgreSQL has no NOCASE collation, so they index the
  expression ``nocase`` below compares by;
- ``contacts.first_topic_id``: kept by one PL/pgSQL trigger function instead of three
  SQLite triggers, with the same rule (the contact's lowest topic id);
- the month index: SQLite indexes ``substr(occurred_at, 1, 7)`` of its ISO text; a
  PostgreSQL timestamp indexes ``date_trunc('month', occurred_at)`` (immutable, so
  indexable; a text cast of a timestamp is not).

- Danish name order (0010): SQLite's collation ``da`` is a Python callback into ICU
  registered on every connection (storage/engine.py); PostgreSQL gets an ICU collation
  of the same locale, ``boligsag_da``, made by the migration.

Queries: ``per_dialect`` (models/per_dialect.py, where the models can use it too)
holds two spellings of one expression and lets the statement's dialect pick when it is
compiled; ``nocase``, ``nocase_prefix``, ``binary`` and
``day_number`` give the services SQLite's comparisons on both, so a list sorts and
filters alike on a laptop and on the server; ``danish`` is the order of every list of
names a user sees.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Float, String, collate, func, literal_column

from .models.per_dialect import MONTH_POSTGRESQL, MONTH_SQLITE, POSTGRESQL, SQLITE, per_dialect
from .search_fold_table import FOLD_DROP, FOLD_FROM, FOLD_TO

SUPPORTED = (SQLITE, POSTGRESQL)


def check_supported(name: str) -> str:
    if name not in SUPPORTED:
        raise NotImplementedError(f"Boligsag's schema has no {name!r} spelling")
    return name


# --- people search (0002) -----------------------------------------------------------

PEOPLE_SEARCH_INDEX = "ix_people_search"
# PostgreSQL functions of the search: the person's search document (the same text
# SQLite's FTS5 table holds), and FTS5's own case-and-accent fold of a text.
SEARCH_TEXT_FUNCTION = "boligsag_search_text"
SEARCH_FOLD_FUNCTION = "boligsag_search_fold"
SEARCH_TEXT_ARGUMENTS = ("first_name", "last_name", "street", "postal_code", "city",
                         "email", "cpr", "phone")
_ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
T = TypeVar("T")


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def people_search_postgresql(document: str, live: str) -> list[str]:
    """A trigram index over each live person's folded search document.

    ``document`` is the SQL of the document over the parameters of the function
    ``boligsag_search_text`` (qualified by its name); ``live`` a condition over the
    columns of ``people``. ``boligsag_search_fold`` applies FTS5's fold table
    (search_fold_table.py), so a substring LIKE on the folded document answers what an
    FTS5 trigram MATCH answers on a laptop. Both functions are IMMUTABLE SQL, which the
    planner inlines, so the query's expression matches the index's. ``pg_trgm`` is a
    trusted extension since PostgreSQL 13: a database owner may create it."""
    arguments = ", ".join(f"{name} text" for name in SEARCH_TEXT_ARGUMENTS)
    columns = ", ".join(SEARCH_TEXT_ARGUMENTS)
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE FUNCTION {SEARCH_FOLD_FUNCTION}(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT translate(value, "
        f"{_quote(FOLD_FROM + FOLD_DROP)}, {_quote(FOLD_TO)}) $$",
        f"CREATE FUNCTION {SEARCH_TEXT_FUNCTION}({arguments}) RETURNS text "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {document} $$",
        f"CREATE INDEX {PEOPLE_SEARCH_INDEX} ON people USING gin "
        f"({SEARCH_FOLD_FUNCTION}({SEARCH_TEXT_FUNCTION}({columns})) gin_trgm_ops) "
        f"WHERE {live}",
    ]


def drop_people_search_postgresql() -> list[str]:
    # The extension stays: other objects may use it, and it holds no data.
    return [f"DROP INDEX IF EXISTS {PEOPLE_SEARCH_INDEX}",
            f"DROP FUNCTION IF EXISTS {SEARCH_TEXT_FUNCTION}",
            f"DROP FUNCTION IF EXISTS {SEARCH_FOLD_FUNCTION}"]


def _ascii_lower_sql(expression: str) -> str:
    return f"translate({expression}, '{_ASCII_UPPER}', '{_ASCII_UPPER.lower()}')"


def name_indexes_postgresql() -> list[str]:
    """SQLite's NOCASE (ASCII letters folded, then byte order) spelled for PostgreSQL:
    the same expression ``nocase`` below sorts and prefix-matches by."""
    last, first = (f'({_ascii_lower_sql(c)}) COLLATE "C"' for c in ("last_name", "first_name"))
    return [
        f"CREATE INDEX ix_people_sort_name ON people ({last}, {first})",
        f"CREATE INDEX ix_people_first_name ON people ({first})",
    ]


def _ascii_lower_expression(column: ColumnElement[str]) -> ColumnElement[str]:
    return func.translate(column, literal_column(f"'{_ASCII_UPPER}'"),
                          literal_column(f"'{_ASCII_UPPER.lower()}'"), type_=String())


def nocase(column: ColumnElement[str]) -> ColumnElement[str]:
    """``column`` compared as SQLite's NOCASE collation compares, on both dialects:
    only the 26 ASCII letters ignore case, everything else in code point order. Lists
    sort by it; on PostgreSQL the name indexes hold this very expression."""
    return per_dialect(sqlite=collate(column, "NOCASE"),
                       postgresql=collate(_ascii_lower_expression(column), "C"))


def nocase_prefix(column: ColumnElement[str], escaped_prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``escaped_prefix`` (LIKE-escaped with a backslash), ASCII
    letters in either case: SQLite's LIKE ignores their case by itself and then uses
    the NOCASE index; PostgreSQL's LIKE is case-sensitive, so it compares ``nocase``
    (what its name indexes hold) with the lowered prefix."""
    pattern = ascii_lower(escaped_prefix) + "%"
    return per_dialect(sqlite=column.like(pattern, escape="\\"),
                       postgresql=nocase(column).like(pattern, escape="\\"))


def ascii_lower(text: str) -> str:
    """What NOCASE folds: the 26 ASCII capitals, nothing else."""
    return text.translate(str.maketrans(_ASCII_UPPER, _ASCII_UPPER.lower()))


# --- Danish name order (0010) -----------------------------------------------------------

#: The collation of boligsag.collation's Danish order: SQLite's name is the one engine.py
#: registers; PostgreSQL's is the ICU collation migration 0010 creates (a name of our
#: own, so no collation of the server's can be taken for it).
DANISH_SQLITE = "da"
DANISH_POSTGRESQL = "boligsag_da"


def danish(column: ColumnElement[str]) -> ColumnElement[str]:
    """``column`` in Danish alphabetical order (Æ, Ø, Å after Z; "Aa" as Å; accents
    beside their letter; case only as the last resort), the same on both dialects. Lists
    of names sort by it; add the row id as the last key so paging is deterministic."""
    return per_dialect(sqlite=collate(column, DANISH_SQLITE),
                       postgresql=collate(column, DANISH_POSTGRESQL))


def day_number(column: ColumnElement[Any]) -> ColumnElement[float]:
    """A DATE as a number of days that orders and adds like the date itself: SQLite's
    Julian day of its ISO text; PostgreSQL's days since 2000-01-01 (date minus date
    is an integer there)."""
    return per_dialect(sqlite=func.julianday(column, type_=Float()),
                       postgresql=column - literal_column("DATE '2000-01-01'"))


def binary(column: ColumnElement[T]) -> ColumnElement[T]:
    """``column`` in byte (code point) order, as SQLite's default BINARY collation
    compares; PostgreSQL's default collation follows the server's locale instead."""
    return per_dialect(sqlite=column, postgresql=collate(column, "C"))


# --- contacts.first_topic_id (0004) -----------------------------------------------------

FIRST_TOPIC_FUNCTION = "contact_topics_first_topic"
FIRST_TOPIC_TRIGGER = "contact_topics_first_topic"


def first_topic_trigger_postgresql() -> list[str]:
    """Recompute the first topic of every contact a contact_topics row change touches:
    the old contact on delete/update, the new one on insert/update."""
    recompute = (
        "UPDATE contacts SET first_topic_id = (SELECT min(topic_id) FROM contact_topics "
        "WHERE contact_id = {row}.contact_id) WHERE id = {row}.contact_id;"
    )
    return [
        f"CREATE FUNCTION {FIRST_TOPIC_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP IN ('DELETE', 'UPDATE') THEN " + recompute.format(row="OLD") + " END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN " + recompute.format(row="NEW") + " END IF; "
        "RETURN NULL; "
        "END $$",
        f"CREATE TRIGGER {FIRST_TOPIC_TRIGGER} "
        "AFTER INSERT OR DELETE OR UPDATE OF contact_id, topic_id ON contact_topics "
        f"FOR EACH ROW EXECUTE FUNCTION {FIRST_TOPIC_FUNCTION}()",
    ]


def drop_first_topic_trigger_postgresql() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {FIRST_TOPIC_TRIGGER} ON contact_topics",
            f"DROP FUNCTION IF EXISTS {FIRST_TOPIC_FUNCTION}()"]


# --- the summaries' month index (0004) ------------------------------------------------


def month_expression(name: str) -> str:
    """The month of ``contacts.occurred_at`` as each dialect can index it (the model's
    Index spells the same: models/per_dialect.py)."""
    if check_supported(name) == SQLITE:
        return MONTH_SQLITE
    return MONTH_POSTGRESQL


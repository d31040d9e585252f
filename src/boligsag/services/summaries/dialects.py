"""Every SQL spelling of the summary engine that SQLite (laptops) and PostgreSQL (the team
server) disagree on, in one place (DESIGN.md §8: one engine, two dialects).

SQLite stores dates and timestamps as ISO text (``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM:SS``),
so a month or a day is a string prefix; PostgreSQL stores real ``date``/``timestamp``
values, which ``to_char`` turns into the same text. Both dialects therefore hand the
engine the same strings ('YYYY-MM', 'YYYY-MM-DD'), and every key, comparison and
export cell built on them is the same on both.

Each spelling is a pair built with ``per_dialect`` (storage/models/per_dialect.py), so
the sections build one statement for both and the dialect of the connection that runs
it chooses the spelling when it is compiled. The SQLite spellings are exactly those the
engine used before PostgreSQL (the same text, bound parameters where there were bound
parameters): SQLite uses an index on an expression only for a query that repeats it
identically, and the summaries' covering indexes (migrations 0003/0004) depend on that.

Statements that differ as a whole (INSERT OR IGNORE) are chosen by the dialect's name
(``insert_ignore``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Insert,
    Integer,
    Select,
    String,
    Table,
    cast,
    extract,
    func,
    insert,
    literal_column,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlalchemy.sql.operators import custom_op

from boligsag.storage.models.per_dialect import POSTGRESQL, SQLITE, per_dialect

__all__ = ["as_int", "days_between", "greatest", "in_month", "insert_ignore",
           "insert_least", "iso_date", "iso_day", "least", "month_day", "month_of",
           "unindexed", "year_of"]

Value = ColumnElement[Any] | str


def _to_char(value: ColumnElement[Any], pattern: str) -> ColumnElement[str]:
    return func.to_char(value, literal_column(f"'{pattern}'"), type_=String())


def _substr(value: ColumnElement[Any], start: int, length: int) -> ColumnElement[str]:
    return func.substr(value, start, length, type_=String())


def iso_date(day: ColumnElement[Any]) -> ColumnElement[str]:
    """A date column as 'YYYY-MM-DD' text (SQLite: the column itself, already that)."""
    return per_dialect(sqlite=type_coerce(day, String()),
                       postgresql=_to_char(day, "YYYY-MM-DD"))


def iso_day(timestamp: ColumnElement[Any]) -> ColumnElement[str]:
    """The day of a timestamp as 'YYYY-MM-DD' text."""
    return per_dialect(sqlite=_substr(timestamp, 1, 10),
                       postgresql=_to_char(timestamp, "YYYY-MM-DD"))


def month_of(value: ColumnElement[Any]) -> ColumnElement[str]:
    """The month of a date, a timestamp or ISO text as 'YYYY-MM' text."""
    temporal = isinstance(value.type, Date | DateTime)
    return per_dialect(sqlite=_substr(value, 1, 7),
                       postgresql=_to_char(value, "YYYY-MM") if temporal
                       else _substr(value, 1, 7))  # already ISO text (iso_day, iso_date)


def in_month(timestamp: ColumnElement[Any], month: ColumnElement[Any]) -> ColumnElement[bool]:
    """``timestamp`` falls in ``month`` ('YYYY-MM' text), spelled as the leading
    expression of ``ix_contacts_month`` on each dialect (storage/dialect.py's
    ``month_expression``), so the month's contacts are read from that index."""
    # SQLite: literal 1 and 7, not bound parameters, as in the index. PostgreSQL: the
    # month's first moment is computed once per statement, so the other side stays
    # the bare indexed expression.
    key = per_dialect(
        sqlite=func.substr(timestamp, literal_column("1"), literal_column("7"), type_=String()),
        postgresql=func.date_trunc(literal_column("'month'"), timestamp, type_=String()))
    value = per_dialect(
        sqlite=type_coerce(month, String()),
        postgresql=cast(func.to_date(month, literal_column("'YYYY-MM'")), DateTime()))
    return key == value


def unindexed(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """``value`` unchanged, but kept from driving a join through its index: SQLite's
    documented way is the no-op unary ``+`` (its planner has no statistics for a date
    range, and would start from the range even when it holds most of the table).
    PostgreSQL's planner weighs the range itself."""
    return per_dialect(sqlite=UnaryExpression(value, operator=custom_op("+"), type_=value.type),
                       postgresql=value)


def year_of(day: ColumnElement[Any]) -> ColumnElement[int]:
    return per_dialect(sqlite=cast(func.substr(day, 1, 4), Integer()),
                       postgresql=cast(extract("year", day), Integer()))


def month_day(day: ColumnElement[Any]) -> ColumnElement[str]:
    """'MM-DD' of a date: compared as text to find whether a birthday has come."""
    return per_dialect(sqlite=_substr(day, 6, 5), postgresql=_to_char(day, "MM-DD"))


def greatest(a: Value, b: Value) -> ColumnElement[str]:
    """The larger of two ISO texts (SQLite's two-argument scalar max)."""
    return per_dialect(sqlite=func.max(a, b, type_=String()),
                       postgresql=func.greatest(a, b, type_=String()))


def least(a: Value, b: Value) -> ColumnElement[str]:
    return per_dialect(sqlite=func.min(a, b, type_=String()),
                       postgresql=func.least(a, b, type_=String()))


def days_between(later: ColumnElement[Any], earlier: ColumnElement[Any]) -> ColumnElement[int]:
    """Whole days from ``earlier`` to ``later`` (two dates); date - date is an integer
    of days on PostgreSQL."""
    return per_dialect(sqlite=func.julianday(later) - func.julianday(earlier),
                       postgresql=type_coerce(later - earlier, Integer()))


def as_int(flag: ColumnElement[Any]) -> ColumnElement[int]:
    """A boolean as 0/1, to sum (SQLite stores it as 0/1 already)."""
    return per_dialect(sqlite=type_coerce(flag, Integer()), postgresql=cast(flag, Integer()))


def insert_least(table: Table, dialect_name: str, key: str, value: str,
                 rows: Select[Any]) -> Insert:
    """INSERT into ``table`` each ``key`` of ``rows`` (two columns: key, value) once,
    with its least value.

    SQLite: a running minimum, an upsert that keeps the lesser value whatever order the
    rows come in; it costs a seek per row, where a GROUP BY first sorts every row
    (SQLite has no hash aggregation). PostgreSQL: that GROUP BY, which it hashes; it
    also refuses to update, in one INSERT … ON CONFLICT, a row that INSERT added."""
    if dialect_name == POSTGRESQL:
        src = rows.subquery("candidates")
        key_column, value_column = src.c[0], src.c[1]
        return insert(table).from_select(
            [key, value], select(key_column, func.min(value_column)).group_by(key_column))
    if dialect_name != SQLITE:
        raise NotImplementedError(f"the summaries have no {dialect_name!r} spelling")
    statement = sqlite.insert(table)
    new = statement.excluded[value]
    # SQLite parses INSERT … SELECT … ON CONFLICT only when the SELECT has a WHERE.
    return statement.from_select([key, value], rows.where(true())).on_conflict_do_update(
        index_elements=[table.c[key]], set_={value: new}, where=new < table.c[value])


def insert_ignore(table: Table, dialect_name: str) -> Insert:
    """An INSERT that skips rows whose key is already there."""
    if dialect_name == POSTGRESQL:
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect_name != SQLITE:
        raise NotImplementedError(f"the summaries have no {dialect_name!r} spelling")
    return insert(table).prefix_with("OR IGNORE")

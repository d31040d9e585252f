"""Every SQL spelling of the summary engine that SQLite (laptops) and PostgreSQL (the team
server) disagree on, in one place (DESIGN.md §8: one engine, two dialects).

SQLite stores dates and timestamps as ISO text (``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM:SS``),
so a month or a day is a string prefix; PostgreSQL stores real ``date``/``timestamp``
values, which ``to_char`` turns into the same text. Both dialects therefore hand the
engine the same strings ('YYYY-MM', 'YYYY-MM-DD'), and every key, comparison and
export cell built on them is the same on both.

Each spelling is a SQL construct compiled per dialect (``sqlalchemy.ext.compiler``), so
the sections build one statement for both and the dialect of the connection that runs
it chooses the spelling. The SQLite spellings are exactly those the engine used before
PostgreSQL (the same text, bound parameters where there were bound parameters): SQLite
uses an index on an expression only for a query that repeats it identically, and the
summaries' covering indexes (migrations 0003/0004) depend on that.

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
    String,
    Table,
    cast,
    func,
    insert,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

__all__ = ["as_int", "days_between", "greatest", "in_month", "insert_ignore", "iso_date",
           "iso_day", "least", "month_day", "month_of", "year_of"]


class _Spelling(FunctionElement[Any]):
    inherit_cache = True


class _IsoDate(_Spelling):
    inherit_cache = True
    type = String()
    name = "iso_date"


class _IsoDay(_Spelling):
    inherit_cache = True
    type = String()
    name = "iso_day"


class _MonthOf(_Spelling):
    inherit_cache = True
    type = String()
    name = "month_of"


class _MonthKey(_Spelling):
    inherit_cache = True
    type = String()
    name = "month_key"


class _MonthValue(_Spelling):
    inherit_cache = True
    type = String()
    name = "month_value"


class _YearOf(_Spelling):
    inherit_cache = True
    type = Integer()
    name = "year_of"


class _MonthDay(_Spelling):
    inherit_cache = True
    type = String()
    name = "month_day"


class _Greatest(_Spelling):
    inherit_cache = True
    type = String()
    name = "greatest"


class _Least(_Spelling):
    inherit_cache = True
    type = String()
    name = "least"


class _DaysBetween(_Spelling):
    inherit_cache = True
    type = Integer()
    name = "days_between"


class _AsInt(_Spelling):
    inherit_cache = True
    type = Integer()
    name = "as_int"


def iso_date(day: ColumnElement[Any]) -> ColumnElement[str]:
    """A date column as 'YYYY-MM-DD' text (SQLite: the column itself, already that)."""
    return _IsoDate(day)


def iso_day(timestamp: ColumnElement[Any]) -> ColumnElement[str]:
    """The day of a timestamp as 'YYYY-MM-DD' text."""
    return _IsoDay(timestamp)


def month_of(value: ColumnElement[Any]) -> ColumnElement[str]:
    """The month of a date, a timestamp or ISO text as 'YYYY-MM' text."""
    return _MonthOf(value)


def in_month(timestamp: ColumnElement[Any], month: ColumnElement[Any]) -> ColumnElement[bool]:
    """``timestamp`` falls in ``month`` ('YYYY-MM' text), spelled as the leading
    expression of ``ix_contacts_month`` on each dialect (storage/dialect.py's
    ``month_expression``), so the month's contacts are read from that index."""
    # A plain comparison of two spellings, not one boolean function: SQLite would write
    # a boolean function in a WHERE as "(...) = 1", which no index matches.
    return _MonthKey(timestamp) == _MonthValue(month)


def year_of(day: ColumnElement[Any]) -> ColumnElement[int]:
    return _YearOf(day)


def month_day(day: ColumnElement[Any]) -> ColumnElement[str]:
    """'MM-DD' of a date: compared as text to find whether a birthday has come."""
    return _MonthDay(day)


def greatest(a: ColumnElement[Any] | str, b: ColumnElement[Any] | str) -> ColumnElement[str]:
    """The larger of two ISO texts (SQLite's two-argument scalar max)."""
    return _Greatest(a, b)


def least(a: ColumnElement[Any] | str, b: ColumnElement[Any] | str) -> ColumnElement[str]:
    return _Least(a, b)


def days_between(later: ColumnElement[Any], earlier: ColumnElement[Any]) -> ColumnElement[int]:
    """Whole days from ``earlier`` to ``later`` (two dates)."""
    return _DaysBetween(later, earlier)


def as_int(flag: ColumnElement[Any]) -> ColumnElement[int]:
    """A boolean as 0/1, to sum (SQLite stores it as 0/1 already)."""
    return _AsInt(flag)


def insert_ignore(table: Table, dialect_name: str) -> Insert:
    """An INSERT that skips rows whose key is already there."""
    if dialect_name == POSTGRESQL:
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect_name != SQLITE:
        raise NotImplementedError(f"the summaries have no {dialect_name!r} spelling")
    return insert(table).prefix_with("OR IGNORE")


# --- the spellings ---------------------------------------------------------------------

def _args(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


def _is_temporal(element: FunctionElement[Any]) -> bool:
    first = next(iter(element.clauses))
    return isinstance(first.type, (Date, DateTime))


# SQLite: exactly the text the engine always used (see the module docstring).

@compiles(_IsoDate, SQLITE)
def _iso_date_sqlite(element: _IsoDate, compiler: SQLCompiler, **kw: Any) -> str:
    return _args(element, compiler, **kw)[0]


@compiles(_IsoDay, SQLITE)
def _iso_day_sqlite(element: _IsoDay, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(_substr(element, 1, 10), **kw)


@compiles(_MonthOf, SQLITE)
def _month_of_sqlite(element: _MonthOf, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(_substr(element, 1, 7), **kw)


@compiles(_MonthKey, SQLITE)
def _month_key_sqlite(element: _MonthKey, compiler: SQLCompiler, **kw: Any) -> str:
    # Literal 1 and 7, not bound parameters: ix_contacts_month's expression.
    return f"substr({_args(element, compiler, **kw)[0]}, 1, 7)"


@compiles(_MonthValue, SQLITE)
def _month_value_sqlite(element: _MonthValue, compiler: SQLCompiler, **kw: Any) -> str:
    return _args(element, compiler, **kw)[0]


@compiles(_YearOf, SQLITE)
def _year_of_sqlite(element: _YearOf, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(cast(_substr(element, 1, 4), Integer), **kw)


@compiles(_MonthDay, SQLITE)
def _month_day_sqlite(element: _MonthDay, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(_substr(element, 6, 5), **kw)


@compiles(_Greatest, SQLITE)
def _greatest_sqlite(element: _Greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({', '.join(_args(element, compiler, **kw))})"


@compiles(_Least, SQLITE)
def _least_sqlite(element: _Least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"min({', '.join(_args(element, compiler, **kw))})"


@compiles(_DaysBetween, SQLITE)
def _days_between_sqlite(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = _args(element, compiler, **kw)
    return f"julianday({later}) - julianday({earlier})"


@compiles(_AsInt, SQLITE)
def _as_int_sqlite(element: _AsInt, compiler: SQLCompiler, **kw: Any) -> str:
    return _args(element, compiler, **kw)[0]


def _substr(element: FunctionElement[Any], start: int, length: int) -> ColumnElement[Any]:
    return func.substr(next(iter(element.clauses)), start, length)


# PostgreSQL: to_char gives the ISO text the SQLite columns hold.

@compiles(_IsoDate, POSTGRESQL)
@compiles(_IsoDay, POSTGRESQL)
def _iso_day_postgresql(element: _IsoDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({_args(element, compiler, **kw)[0]}, 'YYYY-MM-DD')"


@compiles(_MonthOf, POSTGRESQL)
def _month_of_postgresql(element: _MonthOf, compiler: SQLCompiler, **kw: Any) -> str:
    value = _args(element, compiler, **kw)[0]
    if _is_temporal(element):
        return f"to_char({value}, 'YYYY-MM')"
    return f"substr({value}, 1, 7)"  # already ISO text (iso_day, iso_date)


@compiles(_MonthKey, POSTGRESQL)
def _month_key_postgresql(element: _MonthKey, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date_trunc('month', {_args(element, compiler, **kw)[0]})"


@compiles(_MonthValue, POSTGRESQL)
def _month_value_postgresql(element: _MonthValue, compiler: SQLCompiler, **kw: Any) -> str:
    # Computed once per statement, so the other side stays the bare indexed expression.
    month = _args(element, compiler, **kw)[0]
    return f"CAST(to_date({month}, 'YYYY-MM') AS TIMESTAMP WITHOUT TIME ZONE)"


@compiles(_YearOf, POSTGRESQL)
def _year_of_postgresql(element: _YearOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(extract(year FROM {_args(element, compiler, **kw)[0]}) AS INTEGER)"


@compiles(_MonthDay, POSTGRESQL)
def _month_day_postgresql(element: _MonthDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({_args(element, compiler, **kw)[0]}, 'MM-DD')"


@compiles(_Greatest, POSTGRESQL)
def _greatest_postgresql(element: _Greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"greatest({', '.join(_args(element, compiler, **kw))})"


@compiles(_Least, POSTGRESQL)
def _least_postgresql(element: _Least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"least({', '.join(_args(element, compiler, **kw))})"


@compiles(_DaysBetween, POSTGRESQL)
def _days_between_postgresql(element: _DaysBetween, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = _args(element, compiler, **kw)
    return f"({later} - {earlier})"  # date - date is an integer of days


@compiles(_AsInt, POSTGRESQL)
def _as_int_postgresql(element: _AsInt, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({_args(element, compiler, **kw)[0]} AS INTEGER)"

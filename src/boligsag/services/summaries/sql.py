"""Small SQL building blocks shared by the sections: months, dates, age groups, gender.

Dates are stored by SQLAlchemy as ISO text (``YYYY-MM-DD``, timestamps as
``YYYY-MM-DD HH:MM:SS.ffffff``), so months and days are string prefixes: cheap, and
readable straight from a covering index.
"""

from __future__ import annotations

from sqlalchemy import (
    CTE,
    ColumnElement,
    Date,
    FromClause,
    Integer,
    String,
    case,
    cast,
    column,
    func,
    literal_column,
    type_coerce,
    values,
)

from boligsag.domain.enums import Gender
from boligsag.storage.models import AgeGroupRow
from boligsag.summaries.filter import SummaryFilter

AGE_GROUPS = AgeGroupRow.__table__
UNKNOWN = "unknown"  # row/column key for an unknown age group or gender
OTHER_GENDER = "other"  # "other" and "unknown" gender share a column: both are few


def months_cte(summary_filter: SummaryFilter) -> CTE:
    """The months of the period, clipped to it: (month 'YYYY-MM', first, last)."""
    return values(
        column("month", String), column("first", Date), column("last", Date), name="months"
    ).data(summary_filter.months()).cte("months")


def day_of(timestamp: ColumnElement[object]) -> ColumnElement[str]:
    return type_coerce(func.substr(timestamp, 1, 10), String)


def month_of(day_or_timestamp: ColumnElement[object]) -> ColumnElement[str]:
    return type_coerce(func.substr(day_or_timestamp, 1, 7), String)


def month_key(timestamp: ColumnElement[object]) -> ColumnElement[str]:
    """``month_of`` spelled exactly as the leading expression of ``ix_contacts_month``
    (literal 1 and 7, not bound parameters): SQLite uses an index on an expression only
    for a query with the identical expression."""
    return type_coerce(func.substr(timestamp, literal_column("1"), literal_column("7")), String)


def age_on(birth_date: ColumnElement[object], on_iso: str) -> ColumnElement[int]:
    """Completed years on ``on_iso``, in SQL; the same rule as ``domain.age.age_on``
    (a 29 February birthday is reached on 1 March in common years, because the
    ``MM-DD`` comparison '02-28' < '02-29' holds)."""
    year = int(on_iso[:4])
    month_day = on_iso[5:10]
    born_year = cast(func.substr(birth_date, 1, 4), Integer)
    before_birthday = case((func.substr(birth_date, 6, 5) > month_day, 1), else_=0)
    return year - born_year - before_birthday


def age_group_join(people: FromClause, on_iso: str) -> tuple[FromClause, ColumnElement[str]]:
    """``people`` LEFT JOINed to its age group on a date, and the group code expression
    (``unknown`` without a birth date or outside every group)."""
    age = age_on(people.c.birth_date, on_iso)
    joined = people.outerjoin(
        AGE_GROUPS,
        (people.c.birth_date.is_not(None))
        & (age >= AGE_GROUPS.c.min_age)
        & ((AGE_GROUPS.c.max_age.is_(None)) | (age <= AGE_GROUPS.c.max_age)),
    )
    return joined, func.coalesce(AGE_GROUPS.c.code, UNKNOWN)


def gender_bucket(gender: ColumnElement[object]) -> ColumnElement[str]:
    return case(
        (gender == Gender.FEMALE.value, Gender.FEMALE.value),
        (gender == Gender.MALE.value, Gender.MALE.value),
        else_=OTHER_GENDER,
    )

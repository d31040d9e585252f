"""Small SQL building blocks shared by the sections: months, dates, age groups, gender.

Months and days are ISO text ('YYYY-MM', 'YYYY-MM-DD') on both backends; how each
dialect gets them from its dates is in ``dialects``.
"""

from __future__ import annotations

from sqlalchemy import CTE, ColumnElement, FromClause, String, case, column, func, values

from boligsag.domain.enums import Gender
from boligsag.storage.models import AgeGroupRow
from boligsag.summaries.filter import SummaryFilter

from . import dialects

AGE_GROUPS = AgeGroupRow.__table__
UNKNOWN = "unknown"  # row/column key for an unknown age group or gender
OTHER_GENDER = "other"  # "other" and "unknown" gender share a column: both are few


def months_cte(summary_filter: SummaryFilter) -> CTE:
    """The months of the period, clipped to it: (month 'YYYY-MM', first, last), the
    days as ISO text like every day the engine compares them with (``dialects``)."""
    rows = [(key, first.isoformat(), last.isoformat())
            for key, first, last in summary_filter.months()]
    return values(
        column("month", String), column("first", String), column("last", String), name="months"
    ).data(rows).cte("months")


def day_of(timestamp: ColumnElement[object]) -> ColumnElement[str]:
    return dialects.iso_day(timestamp)


def month_of(day_or_timestamp: ColumnElement[object]) -> ColumnElement[str]:
    return dialects.month_of(day_or_timestamp)


def age_on(birth_date: ColumnElement[object], on_iso: str) -> ColumnElement[int]:
    """Completed years on ``on_iso``, in SQL; the same rule as ``domain.age.age_on``
    (a 29 February birthday is reached on 1 March in common years, because the
    ``MM-DD`` comparison '02-28' < '02-29' holds)."""
    year = int(on_iso[:4])
    month_day = on_iso[5:10]
    born_year = dialects.year_of(birth_date)
    before_birthday = case((dialects.month_day(birth_date) > month_day, 1), else_=0)
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

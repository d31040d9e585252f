"""Turning aggregated query rows into :class:`Table` objects.

The loops here run over *aggregated* rows (a few dozen groups), never over records:
all counting is done by the GROUP BY queries of the section modules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.domain.enums import Gender
from boligsag.storage.models import AgeGroupRow
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.model import (
    TOTAL,
    Column,
    Label,
    Median,
    Row,
    Share,
    Table,
    Value,
    ValueKind,
    _msg,
)

from .sql import OTHER_GENDER

GENDER_COLUMNS = (
    Column(Gender.FEMALE.value, _msg("Females")),
    Column(Gender.MALE.value, _msg("Males")),
    Column(OTHER_GENDER, _msg("Other or unknown")),
)
UNKNOWN_AGE = _msg("Unknown age")
MONTH_NAMES_DA = ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.",
                  "okt.", "nov.", "dec.")
MONTH_NAMES_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                  "Nov", "Dec")


@dataclass(frozen=True)
class Category:
    key: str
    label: Label


def age_group_categories(session: Session) -> list[Category]:
    rows = session.execute(
        select(AgeGroupRow.code, AgeGroupRow.label_da, AgeGroupRow.label_en)
        .order_by(AgeGroupRow.sort_order, AgeGroupRow.min_age)
    )
    return [Category(code, Label(en, da)) for code, da, en in rows]


def month_categories(summary_filter: SummaryFilter) -> list[Category]:
    result = []
    for key, first, _ in summary_filter.months():
        result.append(Category(key, Label(f"{MONTH_NAMES_EN[first.month - 1]} {first.year}",
                                          f"{MONTH_NAMES_DA[first.month - 1]} {first.year}")))
    return result


def grid_table(
    key: str, title: Label, row_heading: Label, categories: Sequence[Category],
    columns: Sequence[Column], counts: Mapping[tuple[str, str], int], *,
    unknown_row: Category | None = None, keep_zero_rows: bool = True,
    note: Label | None = None,
) -> Table:
    """A two-way count table from ``{(row key, column key): n}``. A row for unknown
    values is added only when something falls in it."""
    cats = list(categories)
    known = {c.key for c in cats}
    if unknown_row and any(r not in known for r, _ in counts):
        cats.append(unknown_row)
    rows = []
    for cat in cats:
        if cat is unknown_row:
            values = tuple(sum(n for (r, c), n in counts.items() if r not in known and c == col.key)
                           for col in columns)
        else:
            values = tuple(counts.get((cat.key, col.key), 0) for col in columns)
        if keep_zero_rows or any(values):
            rows.append(Row(cat.key, cat.label, values))
    total = Row(TOTAL, _msg("Total"), tuple(
        sum(int(row.values[i] or 0) for row in rows) for i in range(len(columns))))
    return Table(key, title, row_heading, tuple(columns), tuple(rows), total, grid=True,
                 note=note)


def measures_table(
    key: str, title: Label, row_heading: Label, categories: Sequence[Category],
    columns: Sequence[Column], values: Mapping[str, Sequence[Value]], *,
    total: Sequence[Value] | None = None, with_total: bool = True,
    keep_zero_rows: bool = True, note: Label | None = None,
) -> Table:
    """Rows of several measures. The total row sums the additive counts and hours; any
    other total (unique people, shares, medians) must be given in ``total`` at its
    position, computed by SQL over the whole period or selection."""
    rows = []
    for cat in categories:
        row_values = tuple(values.get(cat.key, _zeros(columns)))
        if keep_zero_rows or any(_nonzero(v) for v in row_values):
            rows.append(Row(cat.key, cat.label, row_values))
    total_row = None
    if with_total:
        given = list(total) if total is not None else [None] * len(columns)
        summed: list[Value] = []
        for index, column in enumerate(columns):
            if given[index] is not None:
                summed.append(given[index])
            elif column.kind in (ValueKind.COUNT, ValueKind.HOURS) and column.additive:
                summed.append(_sum(row.values[index] for row in rows))
            elif column.kind is ValueKind.SHARE:
                shares = [row.values[index] for row in rows if isinstance(row.values[index], Share)]
                summed.append(Share(sum(s.numerator for s in shares),  # type: ignore[union-attr]
                                    sum(s.denominator for s in shares)))  # type: ignore[union-attr]
            else:
                summed.append(None)
        total_row = Row(TOTAL, _msg("Total"), tuple(summed))
    return Table(key, title, row_heading, tuple(columns), tuple(rows), total_row, note=note)


def _zeros(columns: Sequence[Column]) -> tuple[Value, ...]:
    zero: dict[ValueKind, Value] = {ValueKind.COUNT: 0, ValueKind.HOURS: 0.0,
                                    ValueKind.SHARE: Share(0, 0), ValueKind.DAYS: Median(None, 0)}
    return tuple(zero[c.kind] for c in columns)


def _nonzero(value: Value) -> bool:
    if isinstance(value, Share):
        return value.denominator > 0
    if isinstance(value, Median):
        return value.n > 0
    return bool(value)


def _sum(values: Iterable[Value]) -> int | float:
    total: int | float = 0
    for value in values:
        if isinstance(value, int | float):
            total += value
    # Float sums depend on the order of addition; the same hours summed along two
    # tables must compare equal (they are one figure, see ``Summary.links``).
    return round(total, 6) if isinstance(total, float) else total


def hours(minutes: int | None) -> float:
    # Not rounded here: the same hours summed along different tables must agree;
    # exports round for display only.
    return (minutes or 0) / 60

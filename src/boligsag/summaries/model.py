"""The result of a summary: frozen tables of figures, independent of language.

The engine fills these with the *true* counts; ``compute_summary`` returns them as they
are only to someone who may drill down (a team lead), and to everyone else with small
counts replaced by :class:`Withheld` (``Summary.exact`` is False), exactly as the exports
publish them. Anything that leaves the program goes through
``boligsag.summaries.published``, which hides small counts; the structure here carries
what it needs for that: which columns are counts that add up, which figures depend on
which counts, and which cells in different tables are the same figure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from boligsag.i18n import current_language, tr_in
from boligsag.summaries.filter import FilterNames, SummaryFilter

TOTAL = "__total__"  # row key of a table's total row; column key of a grid's total column


@dataclass(frozen=True)
class Label:
    """Text in both languages. With ``da`` None, ``en`` is a message id translated when
    shown, so one Summary can be shown in Danish and exported in English."""

    en: str
    da: str | None = None
    params: tuple[tuple[str, object], ...] = ()  # named fields of a message id

    def text(self, language: str | None = None) -> str:
        language = language or current_language()
        if self.da is None:
            return tr_in(language, self.en, **dict(self.params))
        return self.da if language == "da" else self.en


def _msg(msgid: str, /, **params: object) -> Label:
    """A label whose text is a message id (found by the translation test by this name)."""
    return Label(msgid, None, tuple(sorted(params.items())))


class ValueKind(StrEnum):
    COUNT = "count"
    HOURS = "hours"  # a sum of durations, in hours
    SHARE = "share"  # a Share: numerator / denominator
    DAYS = "days"  # a Median of days


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Median:
    days: float | None
    n: int  # how many durations the median is of


@dataclass(frozen=True)
class Withheld:
    """A figure withheld for discretion: ``mark`` is "..", for a count from 1 to 4 and
    for a figure hidden so that no such count can be worked out from the others alike."""

    mark: str


# In a withheld summary (``Summary.exact`` False) a shown share or median is a plain
# float: its numerator, denominator or number of durations could give a count away.
Value = int | float | Share | Median | Withheld | None


@dataclass(frozen=True)
class Column:
    key: str
    label: Label
    kind: ValueKind = ValueKind.COUNT
    # COUNT/HOURS: the total row is the sum of the rows (a partition). False for counts
    # of unique people across rows, or contacts with several topics: no equation holds.
    additive: bool = True
    # HOURS/SHARE/DAYS: the count column of the same row whose suppression hides this.
    base: str | None = None
    # SHARE: the published count column that is its denominator, if there is one: a
    # share beside a hidden denominator would give the denominator away.
    denominator: str | None = None


@dataclass(frozen=True)
class Row:
    key: str  # stable: a database id or a code; drill-down uses it
    label: Label
    values: tuple[Value, ...]
    # A grid row's total as published, in a withheld summary (where hidden values cannot
    # be summed); None means the total is the sum of the values.
    total: Value = None


@dataclass(frozen=True)
class CellRef:
    table: str
    row: str
    column: str


@dataclass(frozen=True)
class Table:
    key: str
    title: Label
    row_heading: Label
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    total: Row | None = None  # None where a total means nothing
    # A two-way table of counts (e.g. age group x gender): a total column is shown too,
    # and every row and column is an equation for suppression.
    grid: bool = False
    note: Label | None = None

    def column_index(self, key: str) -> int:
        for index, column in enumerate(self.columns):
            if column.key == key:
                return index
        raise KeyError(f"{self.key}: no column {key!r}")

    def find_row(self, key: str) -> Row | None:
        if key == TOTAL:
            return self.total
        return next((row for row in self.rows if row.key == key), None)

    def value(self, row: str, column: str) -> Value:
        """A cell by keys; a grid's row total is ``column=TOTAL``."""
        found = self.find_row(row)
        if found is None:
            return 0  # a category with nothing in it is not listed
        if column == TOTAL:
            if found.total is not None:
                return found.total
            return sum(v for v in found.values if isinstance(v, int))
        return found.values[self.column_index(column)]

    @property
    def is_empty(self) -> bool:
        return not self.rows


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: Label
    kind: ValueKind
    ref: CellRef  # the figure is that table cell, so it is suppressed exactly alike


@dataclass(frozen=True)
class Summary:
    filter: SummaryFilter
    names: FilterNames
    generated_at: datetime
    tables: tuple[Table, ...]
    key_figures: tuple[KeyFigure, ...]
    # Cells that are one figure shown in several tables (e.g. the number of contacts):
    # suppression must hide all of them or none.
    links: tuple[tuple[CellRef, ...], ...] = ()
    # False: small counts are withheld (for someone without drill-down permission).
    exact: bool = True

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def value(self, ref: CellRef) -> Value:
        return self.table(ref.table).value(ref.row, ref.column)

    def key_figure(self, key: str) -> KeyFigure:
        return next(figure for figure in self.key_figures if figure.key == key)

    def __iter__(self) -> Iterator[Table]:
        return iter(self.tables)

    @property
    def is_empty(self) -> bool:
        """Nothing at all was registered for the period and selection (every key figure
        is zero or has no value); the screen shows a message instead of empty tables."""
        return not any(_has_value(self.value(figure.ref)) for figure in self.key_figures)


def _has_value(value: Value) -> bool:
    if isinstance(value, Withheld):
        return True  # a hidden count from 1 to 4, or a figure hidden beside one
    if isinstance(value, Share):
        return value.denominator > 0
    if isinstance(value, Median):
        return value.n > 0
    return bool(value)

"""A summary made fit to leave the team: small counts hidden so no one can be singled out.

Every aggregated export (XLSX, CSV, PDF) is written from the :class:`PublishedSummary`
this module makes, never from the engine's exact ``Summary``. Rules
(``domain.suppression`` explains them):

- a count from 1 to 4 is shown as "<5", totals included;
- more counts are hidden (shown "..") until no hidden count can be recomputed from the
  visible ones: each two-way table and each additive column of a table with a total row
  is an equation system, protected by ``domain.suppression``;
- a figure shown in several tables (``Summary.links``, e.g. the number of contacts in
  the channel table and the month table) is hidden everywhere if hidden anywhere, and
  the tables are protected again, until nothing changes: otherwise one table would give
  away what another hides;
- derived figures are hidden ("..") with their counts: hours where the contact count is
  hidden, a share whose numerator or published denominator is hidden or which
  ``suppress_share`` refuses, a median of fewer than 5 durations.

Names, CPR numbers and notes never reach a Summary in the first place: the engine
returns counts, sums, shares and medians only, labelled with reference data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

# protect is the table protector behind suppress_table; it is needed here because the
# fixpoint across linked tables must hide cells that are not small themselves, which
# suppress_table's public signature cannot express.
from boligsag.domain.suppression import DEFAULT_THRESHOLD, SECONDARY_MARK, protect, suppress_share
from boligsag.formatting import long_date, time_text
from boligsag.i18n import tr_in
from boligsag.summaries.filter import FilterNames, SummaryFilter
from boligsag.summaries.model import (
    TOTAL,
    CellRef,
    Column,
    Label,
    Median,
    Share,
    Summary,
    Table,
    ValueKind,
    _msg,
)
from boligsag.summaries.numbers import shown_text


@dataclass(frozen=True)
class Published:
    """One cell as it may be published. ``value`` is None when hidden or when there is no
    figure (a share of nothing); ``mark`` is "<5" or ".." when hidden."""

    value: int | float | None
    kind: ValueKind
    mark: str = ""

    @property
    def hidden(self) -> bool:
        return bool(self.mark)


@dataclass(frozen=True)
class PublishedRow:
    key: str
    label: Label
    cells: tuple[Published, ...]


@dataclass(frozen=True)
class PublishedTable:
    key: str
    title: Label
    row_heading: Label
    columns: tuple[Column, ...]  # a grid's total column is included
    rows: tuple[PublishedRow, ...]
    total: PublishedRow | None
    note: Label | None

    def cell(self, row: str, column: str) -> Published:
        found = self.total if row == TOTAL else next(r for r in self.rows if r.key == row)
        assert found is not None
        index = next(i for i, c in enumerate(self.columns) if c.key == column)
        return found.cells[index]


@dataclass(frozen=True)
class PublishedFigure:
    key: str
    label: Label
    cell: Published


@dataclass(frozen=True)
class PublishedSummary:
    filter: SummaryFilter
    names: FilterNames
    generated_at: datetime
    tables: tuple[PublishedTable, ...]
    key_figures: tuple[PublishedFigure, ...]
    threshold: int

    def table(self, key: str) -> PublishedTable:
        return next(t for t in self.tables if t.key == key)

    def figure(self, key: str) -> PublishedFigure:
        return next(f for f in self.key_figures if f.key == key)


SUPPRESSION_NOTE = _msg("Counts from 1 to 4 are shown as <5. Figures shown as .. are "
                        "withheld so that no hidden count can be worked out from the others.")


def publish(summary: Summary, threshold: int = DEFAULT_THRESHOLD) -> PublishedSummary:
    if not summary.exact:  # its hidden counts are gone: publishing it again would show 0s
        raise ValueError("publish needs the exact summary of a team lead")
    counts = _count_cells(summary)
    primary = {ref for ref, n in counts.items() if 0 < n < threshold}
    hidden = _protect_all(summary, counts, primary)
    tables = tuple(_publish_table(t, counts, hidden, primary, threshold) for t in summary)
    by_key = {t.key: t for t in tables}
    figures = tuple(
        PublishedFigure(f.key, f.label, by_key[f.ref.table].cell(f.ref.row, f.ref.column))
        if _has(by_key[f.ref.table], f.ref) else PublishedFigure(f.key, f.label,
                                                                 Published(0, f.kind))
        for f in summary.key_figures
    )
    return PublishedSummary(summary.filter, summary.names, summary.generated_at, tables,
                            figures, threshold)


# -- the count cells and their equations -------------------------------------------------


def _rows(table: Table) -> list[tuple[str, tuple[object, ...]]]:
    rows = [(row.key, row.values) for row in table.rows]
    if table.total is not None:
        rows.append((TOTAL, table.total.values))
    return rows


def _count_cells(summary: Summary) -> dict[CellRef, int]:
    """Every published count, by reference (a grid's row totals included)."""
    cells: dict[CellRef, int] = {}
    for table in summary:
        for row_key, values in _rows(table):
            for column, value in zip(table.columns, values, strict=True):
                if column.kind is ValueKind.COUNT and isinstance(value, int):
                    cells[CellRef(table.key, row_key, column.key)] = value
            if table.grid:
                cells[CellRef(table.key, row_key, TOTAL)] = sum(
                    v for v in values if isinstance(v, int))
    return cells


@dataclass(frozen=True)
class _System:
    """One table of equations for ``protect``: the grid of values (its last row and
    column are the totals) and the cell reference of each position."""

    grid: list[list[int]]
    refs: dict[tuple[int, int], CellRef]


def _systems(summary: Summary, counts: dict[CellRef, int]) -> Iterable[_System]:
    for table in summary:
        if table.total is None or not table.rows:
            continue
        keys = [row.key for row in table.rows] + [TOTAL]
        if table.grid:
            columns = [c.key for c in table.columns] + [TOTAL]
            refs = {(i, j): CellRef(table.key, r, c)
                    for i, r in enumerate(keys) for j, c in enumerate(columns)}
            yield _System([[counts[refs[i, j]] for j in range(len(columns))]
                           for i in range(len(keys))], refs)
            continue
        for column in table.columns:
            if column.kind is not ValueKind.COUNT or not column.additive:
                continue
            # A single column with its total is the grid [[v, v], ..., [T, T]]: every row
            # total equals its cell, and the column must add up to T.
            refs = {}
            for i, r in enumerate(keys):
                refs[i, 0] = refs[i, 1] = CellRef(table.key, r, column.key)
            values = [counts.get(refs[i, 0], 0) for i in range(len(keys))]
            yield _System([[v, v] for v in values], refs)


def _protect_all(summary: Summary, counts: dict[CellRef, int],
                 primary: set[CellRef]) -> set[CellRef]:
    systems = list(_systems(summary, counts))
    links = [tuple(ref for ref in group if ref in counts) for group in summary.links]
    hidden = set(primary)
    while True:
        before = len(hidden)
        for system in systems:
            local = {pos for pos, ref in system.refs.items() if ref in hidden}
            if local:
                hidden |= {system.refs[pos] for pos in protect(system.grid, local)}
        for group in links:
            if any(ref in hidden for ref in group):
                hidden.update(group)
        if len(hidden) == before:  # only ever grows, over a finite set: this terminates
            return hidden


# -- publishing a table ------------------------------------------------------------------


def _has(table: PublishedTable, ref: CellRef) -> bool:
    return (ref.row == TOTAL and table.total is not None) or any(
        r.key == ref.row for r in table.rows)


def _publish_table(table: Table, counts: dict[CellRef, int], hidden: set[CellRef],
                   primary: set[CellRef], threshold: int) -> PublishedTable:
    columns = table.columns
    if table.grid:
        columns = (*columns, Column(TOTAL, _msg("Total")))

    def count_cell(ref: CellRef, kind: ValueKind = ValueKind.COUNT) -> Published:
        if ref in hidden:
            mark = f"<{threshold}" if ref in primary else SECONDARY_MARK
            return Published(None, kind, mark)
        return Published(counts.get(ref, 0), kind)

    def publish_row(row_key: str, label: Label, values: tuple[object, ...]) -> PublishedRow:
        cells = []
        for column, value in zip(table.columns, values, strict=True):
            ref = CellRef(table.key, row_key, column.key)
            if column.kind is ValueKind.COUNT:
                cells.append(count_cell(ref) if value is not None
                             else Published(None, column.kind))
                continue
            withheld = any(CellRef(table.key, row_key, key) in hidden
                           for key in (column.base, column.denominator) if key)
            cells.append(_derived(column.kind, value, withheld, threshold))
        if table.grid:
            cells.append(count_cell(CellRef(table.key, row_key, TOTAL)))
        return PublishedRow(row_key, label, tuple(cells))

    rows = tuple(publish_row(r.key, r.label, r.values) for r in table.rows)
    total = (publish_row(TOTAL, table.total.label, table.total.values)
             if table.total is not None else None)
    return PublishedTable(table.key, table.title, table.row_heading, columns, rows, total,
                          table.note)


def _derived(kind: ValueKind, value: object, withheld: bool, threshold: int) -> Published:
    if isinstance(value, Share):
        if value.denominator == 0:
            return Published(None, kind)
        shown = suppress_share(value.numerator, value.denominator, threshold)
        if withheld or shown is None:
            return Published(None, kind, SECONDARY_MARK)
        return Published(shown, kind)
    if isinstance(value, Median):
        if value.n == 0 or value.days is None:
            return Published(None, kind)
        if withheld or value.n < threshold:
            return Published(None, kind, SECONDARY_MARK)
        return Published(value.days, kind)
    if withheld:
        return Published(None, kind, SECONDARY_MARK)
    return Published(value if isinstance(value, int | float) else None, kind)


# -- text for every export ---------------------------------------------------------------


def format_cell(cell: Published, language: str, *, thousands: bool = True) -> str:
    """A published cell as text: "<5", "..", "1.234", "366,9", "70 %", "" (no figure);
    rounded as every export rounds it (``summaries.numbers``)."""
    if cell.mark:
        return cell.mark
    if cell.value is None:
        return ""
    text = shown_text(cell.value, cell.kind, language, thousands=thousands)
    if cell.kind is ValueKind.SHARE:
        return f"{text} %" if language == "da" else f"{text}%"
    return text


def period_text(summary_filter: SummaryFilter, language: str) -> str:
    return f"{long_date(summary_filter.date_from, language)} – " \
           f"{long_date(summary_filter.date_to, language)}"


def filter_lines(published: PublishedSummary, language: str) -> list[tuple[str, str]]:
    """(label, value) lines describing what the figures cover, for every export's header."""
    names = published.names
    everything = tr_in(language, "All")
    focus = names.focus_areas_da if language == "da" else names.focus_areas_en
    lines = [(tr_in(language, "Period"), period_text(published.filter, language))]
    for label, values in (
        ("Plan", names.plans), ("Area", names.areas), ("Focus area", focus),
        ("Activity", names.activities), ("Staff member", names.staff),
    ):
        lines.append((tr_in(language, label), ", ".join(values) or everything))
    return lines


def generated_text(published: PublishedSummary, language: str) -> str:
    at = published.generated_at
    return tr_in(language, "{date} at {time}", date=long_date(at.date(), language),
                 time=time_text(at, language))

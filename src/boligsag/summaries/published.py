"""A summary made fit to leave the team: small counts hidden so no one can be singled out.

Every aggregated export (XLSX, CSV, PDF) is written from the :class:`PublishedSummary`
this module makes, never from the engine's exact ``Summary``. Rules:

- every count from 1 to 4 is withheld, totals included, and shown as ".." like every
  other withheld figure: a mark of its own ("<5") would itself say "1 to 4";
- more figures are withheld until a reader with the whole export, who knows how its
  tables add up, which figure is repeated where, what each share and each mark allow,
  can narrow no withheld count to fewer than 3 values and cannot tell that a count from
  1 to 4 is neither 0 nor 5 or more (``secondary``, driven by the linear-programming
  auditor in ``disclosure``; ``disclosure_build`` says what is modelled). 0 is always
  shown, so a withheld count is never 0;
- derived figures are withheld ("..") with their counts: hours where the contact count
  is withheld, a share whose numerator or published denominator is withheld, that
  ``suppress_share`` refuses or that the auditor needs withheld, a median of fewer than
  5 durations or beside a withheld count.

Names, CPR numbers and notes never reach a Summary in the first place: the engine
returns counts, sums, shares and medians only, labelled with reference data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from boligsag.domain.suppression import DEFAULT_THRESHOLD, WITHHELD_MARK
from boligsag.formatting import long_date, time_text
from boligsag.i18n import tr_in
from boligsag.summaries.disclosure_build import build, count_cells
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
from boligsag.summaries.numbers import shown_number, shown_text
from boligsag.summaries.secondary import protect


@dataclass(frozen=True)
class Published:
    """One cell as it may be published. ``value`` is None when hidden or when there is no
    figure (a share of nothing); ``mark`` is ".." when withheld. A share is its
    rounded value (a whole percent), the only precision any export shows."""

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


SUPPRESSION_NOTE = _msg(
    "Figures shown as .. are withheld for discretion: every count from 1 to 4, and as "
    "many other figures as it takes so that none of them can be worked out from the "
    "rest, not even as lying between 1 and 4. A count of 0 is always shown.")


def publish(summary: Summary, threshold: int = DEFAULT_THRESHOLD) -> PublishedSummary:
    if not summary.exact:  # its hidden counts are gone: publishing it again would show 0s
        raise ValueError("publish needs the exact summary of a team lead")
    layout = build(summary, threshold)
    shown = protect(layout.model, threshold)
    hidden = {ref for ref, var in layout.variables.items() if var in shown.hidden}
    shares = {ref for ref, index in layout.ratios.items()
              if shown.ratio_printed(layout.model, index)}
    counts = count_cells(summary)
    tables = tuple(_publish_table(t, counts, hidden, shares, threshold) for t in summary)
    by_key = {t.key: t for t in tables}
    figures = tuple(
        PublishedFigure(f.key, f.label, by_key[f.ref.table].cell(f.ref.row, f.ref.column))
        if _has(by_key[f.ref.table], f.ref) else PublishedFigure(f.key, f.label,
                                                                 Published(0, f.kind))
        for f in summary.key_figures
    )
    return PublishedSummary(summary.filter, summary.names, summary.generated_at, tables,
                            figures, threshold)


def _has(table: PublishedTable, ref: CellRef) -> bool:
    return (ref.row == TOTAL and table.total is not None) or any(
        r.key == ref.row for r in table.rows)


def _publish_table(table: Table, counts: dict[CellRef, int], hidden: set[CellRef],
                   shares: set[CellRef], threshold: int) -> PublishedTable:
    """``shares``: the share cells that may be printed (see ``disclosure.Shown``)."""
    columns = table.columns
    if table.grid:
        columns = (*columns, Column(TOTAL, _msg("Total")))

    def count_cell(ref: CellRef, kind: ValueKind = ValueKind.COUNT) -> Published:
        if ref in hidden:
            return Published(None, kind, WITHHELD_MARK)
        return Published(counts.get(ref, 0), kind)

    def publish_row(row_key: str, label: Label, values: tuple[object, ...]) -> PublishedRow:
        cells = []
        for column, value in zip(table.columns, values, strict=True):
            ref = CellRef(table.key, row_key, column.key)
            if column.kind is ValueKind.COUNT:
                cells.append(count_cell(ref) if value is not None
                             else Published(None, column.kind))
                continue
            if isinstance(value, Share):
                cells.append(_share(value, ref in shares))
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


def _share(value: Share, printed: bool) -> Published:
    if value.denominator == 0:
        return Published(None, ValueKind.SHARE)
    if not printed:
        return Published(None, ValueKind.SHARE, WITHHELD_MARK)
    # Rounded here, as every export shows it: the auditor assumed exactly this precision.
    percent = shown_number(value.numerator / value.denominator, ValueKind.SHARE)
    return Published(float(percent) / 100, ValueKind.SHARE)


def _derived(kind: ValueKind, value: object, withheld: bool, threshold: int) -> Published:
    if isinstance(value, Median):
        if value.n == 0 or value.days is None:
            return Published(None, kind)
        if withheld or value.n < threshold:
            return Published(None, kind, WITHHELD_MARK)
        return Published(value.days, kind)
    if withheld:
        return Published(None, kind, WITHHELD_MARK)
    return Published(value if isinstance(value, int | float) else None, kind)


# -- text for every export ---------------------------------------------------------------


def format_cell(cell: Published, language: str, *, thousands: bool = True) -> str:
    """A published cell as text: "..", "1.234", "366,9", "70 %", "" (no figure);
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

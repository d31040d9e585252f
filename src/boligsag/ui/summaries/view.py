"""What the screen shows of a summary: exact figures for a team lead (who may drill
down from them), the published (suppressed) figures for everyone else. The service
decides which: a staff member's Summary arrives already withheld (``exact`` False) and
is shown as it is.

Both come out in one shape, the exports' ``PublishedTable``, so one table model, one
set of charts and one number format serve both; exact figures simply carry no marks.
No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass

from boligsag.summaries.model import (
    TOTAL,
    Column,
    Label,
    Median,
    Row,
    Share,
    Summary,
    Table,
    Value,
    ValueKind,
    Withheld,
)
from boligsag.summaries.published import (
    Published,
    PublishedFigure,
    PublishedRow,
    PublishedSummary,
    PublishedTable,
)


@dataclass(frozen=True)
class Shown:
    summary: Summary  # exact: its filter and cell references drive drill-down
    tables: dict[str, PublishedTable]
    figures: dict[str, PublishedFigure]
    exact: bool  # exact figures, which a team lead may drill down from

    def table(self, key: str) -> PublishedTable | None:
        return self.tables.get(key)


def shown(summary: Summary, published: PublishedSummary | None) -> Shown:
    """The published figures when given, else the summary's own: exact for a team lead,
    already withheld for anyone else."""
    if published is not None:
        return Shown(summary, {t.key: t for t in published.tables},
                     {f.key: f for f in published.key_figures}, exact=False)
    tables = {t.key: exact_table(t) for t in summary.tables}
    figures = {}
    for figure in summary.key_figures:
        table = summary.table(figure.ref.table)
        found = table.find_row(figure.ref.row) is not None
        cell = exact_cell(summary.value(figure.ref), figure.kind) if found else \
            Published(0, figure.kind)
        figures[figure.key] = PublishedFigure(figure.key, figure.label, cell)
    return Shown(summary, tables, figures, exact=summary.exact)


def exact_cell(value: Value, kind: ValueKind) -> Published:
    if isinstance(value, Withheld):
        return Published(None, kind, value.mark)
    if isinstance(value, Share):
        return Published(value.value, kind)
    if isinstance(value, Median):
        return Published(value.days if value.n else None, kind)
    return Published(value, kind)


def exact_table(table: Table) -> PublishedTable:
    columns = table.columns
    if table.grid:
        columns = (*columns, Column(TOTAL, Label("Total")))

    def row_of(row: Row) -> PublishedRow:
        cells = [exact_cell(v, c.kind) for v, c in zip(row.values, table.columns, strict=True)]
        if table.grid:
            total = row.total if row.total is not None else \
                sum(v for v in row.values if isinstance(v, int))
            cells.append(exact_cell(total, ValueKind.COUNT))
        return PublishedRow(row.key, row.label, tuple(cells))

    total = row_of(table.total) if table.total is not None else None
    return PublishedTable(table.key, table.title, table.row_heading, columns,
                          tuple(row_of(r) for r in table.rows), total, table.note)

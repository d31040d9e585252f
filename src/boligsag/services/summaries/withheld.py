"""A summary for someone who may not see exact small counts (no drill-down permission):
the exact summary with every figure replaced by what the exports would publish.

The suppression is the exports' own (``boligsag.summaries.published.publish``: small
counts, whatever else the linear-programming auditor finds would let a reader narrow
one down, derived figures; one mark ".." for all), so the screen of a staff member and
an exported report never disagree, and the exact figures never leave the service.
"""

from __future__ import annotations

import dataclasses

from boligsag.summaries.model import Row, Summary, Table, Value, Withheld
from boligsag.summaries.published import Published, PublishedRow, PublishedTable, publish


def withhold(summary: Summary) -> Summary:
    """``summary`` as published: hidden figures become :class:`Withheld`, shares and
    medians the plain number the exports show; ``exact`` is False."""
    published = publish(summary)
    tables = tuple(_table(table, published.table(table.key)) for table in summary)
    return dataclasses.replace(summary, tables=tables, exact=False)


def _table(table: Table, shown: PublishedTable) -> Table:
    width = len(table.columns)  # a published grid has one more column: the row totals

    def row(exact: Row, published: PublishedRow) -> Row:
        assert exact.key == published.key
        values = tuple(_value(cell) for cell in published.cells[:width])
        total = _value(published.cells[width]) if table.grid else None
        return dataclasses.replace(exact, values=values, total=total)

    rows = tuple(row(r, p) for r, p in zip(table.rows, shown.rows, strict=True))
    total = None
    if table.total is not None:
        assert shown.total is not None
        total = row(table.total, shown.total)
    return dataclasses.replace(table, rows=rows, total=total)


def _value(cell: Published) -> Value:
    if cell.mark:
        return Withheld(cell.mark)
    return cell.value

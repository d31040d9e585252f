"""A summary table's figure columns are as wide as their widest figure, bold totals
included, however long the table: sized from that one cell, not by Qt asking every
cell at every layout (which stalled the window for a ten-year table)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from boligsag.summaries.model import TOTAL, Column, Label, ValueKind
from boligsag.summaries.published import Published, PublishedRow, PublishedTable
from boligsag.ui.summaries.tables import FIGURE_COLUMN_MIN, SummaryTableView


def table(rows: int) -> PublishedTable:
    columns = (Column("contacts", Label("Contacts", "Kontakter")),
               Column("hours", Label("Hours", "Timer"), ValueKind.HOURS))

    def row(n: int) -> PublishedRow:
        return PublishedRow(f"m{n}", Label(f"Month {n}", f"Måned {n}"),
                            (Published(n, ValueKind.COUNT), Published(n / 2, ValueKind.HOURS)))

    total = PublishedRow(TOTAL, Label("Total", "I alt"), (
        Published(123_456_789, ValueKind.COUNT), Published(9_876_543.5, ValueKind.HOURS)))
    return PublishedTable("by_month", Label("By month", "Pr. måned"), Label("Month", "Måned"),
                          columns, tuple(row(n) for n in range(rows)), total, None)


def test_every_figure_fits_its_column_the_bold_total_included(qtbot: QtBot) -> None:
    view = SummaryTableView("by_month")
    qtbot.addWidget(view)
    view.set_table(table(130), drillable=False)  # ten years by month, and more
    view.show()
    model, header = view.model(), view.horizontalHeader()
    for column in (1, 2):
        widths = [view.sizeHintForIndex(model.index(row, column)).width()
                  for row in range(model.rowCount())]
        assert header.sectionSize(column) >= max(widths)
        # ... and no wider than that figure or the heading needs.
        assert header.sectionSize(column) == max(max(widths), header.sectionSizeHint(column),
                                                 FIGURE_COLUMN_MIN)
    total = model.index(model.rowCount() - 1, 1)
    assert total.data() == "123.456.789" and total.data(Qt.ItemDataRole.FontRole).bold()


def test_a_long_table_is_sized_without_asking_every_cell(qtbot: QtBot) -> None:
    view = SummaryTableView("by_month")
    qtbot.addWidget(view)
    view.show()
    asked: list[int] = []
    original = view.model_.data

    def counting(index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        asked.append(index.row())
        return original(index, role)

    view.model_.data = counting  # type: ignore[method-assign]
    view.set_table(table(2000), drillable=False)
    qtbot.wait(50)  # a layout and a paint
    # The visible rows and the widest cells, not the 2,001 rows of every column.
    assert len(set(asked)) < 100

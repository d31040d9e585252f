"""One summary table in a ``QTableView``: the row labels, then one column per figure;
the total row and a grid's total column in bold on a tinted background; numbers right
aligned in the Danish format ("1.234", "230,5", "80 %"); withheld cells as "..",
with a tooltip saying why."""

from __future__ import annotations

import textwrap
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics

from boligsag.i18n import current_language, tr
from boligsag.summaries.model import TOTAL, CellRef
from boligsag.summaries.published import Published, PublishedRow, PublishedTable, format_cell
from boligsag.ui.theme import ALTERNATE, MUTED, PRIMARY_SOFT, TEXT

Index = QModelIndex | QPersistentModelIndex

CELL_REF_ROLE = Qt.ItemDataRole.UserRole + 1  # CellRef of a cell one may drill into
VALUE_ROLE = Qt.ItemDataRole.UserRole + 2  # the Published cell itself
IS_TOTAL_ROLE = Qt.ItemDataRole.UserRole + 3  # bool: part of the total row or column

TOTAL_ROW_BACKGROUND = QColor(PRIMARY_SOFT)
TOTAL_COLUMN_BACKGROUND = QColor(ALTERNATE)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


HEADING_WIDTH = 14  # characters per line of a column heading before it wraps


def wrap_heading(text: str) -> str:
    """"Sammenhængskraft og medborgerskab" on two lines: a column as wide as its
    figures, not as its longest heading (QHeaderView draws the line break)."""
    return "\n".join(textwrap.wrap(text, HEADING_WIDTH, break_long_words=False)) or text


class Column(IntEnum):
    LABEL = 0  # the row heading; the figures follow from column 1


def mark_tooltip(mark: str) -> str:
    """Why a figure shows ``mark``: every withheld figure has the one mark "..", so that
    the mark itself never tells a count from 1 to 4 from the others."""
    return tr("Withheld for discretion: a count from 1 to 4, or a figure that would let "
              "one be worked out. A count of 0 is always shown.")


class SummaryTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table: PublishedTable | None = None
        self._rows: list[PublishedRow] = []
        self._texts: list[list[str]] = []
        self.drillable = False
        self._bold = QFont()
        self._bold.setBold(True)

    # -- content ------------------------------------------------------------------------

    def set_table(self, table: PublishedTable | None, *, drillable: bool = False) -> None:
        # A summary table has at most ~130 rows and changes as a whole: a reset is right.
        self.beginResetModel()
        self._table = table
        self.drillable = drillable
        self._rows = [] if table is None else [
            *table.rows, *([table.total] if table.total is not None else [])]
        # Each cell's text once: a view asks for it many times (painting, sizing).
        language = current_language()
        self._texts = [[row.label.text(), *(format_cell(cell, language) for cell in row.cells)]
                       for row in self._rows]
        self.endResetModel()

    def widest_row(self, column: int, normal: QFontMetrics, bold: QFontMetrics) -> int:
        """The row whose text in ``column`` is the widest as drawn (total cells in
        bold), or -1 for an empty table: the view sizes the column by that one cell."""
        widest, found = -1, -1
        for row, texts in enumerate(self._texts):
            if column < len(texts):
                metrics = bold if self.is_total(row, column) else normal
                width = metrics.horizontalAdvance(texts[column])
                if width > widest:
                    widest, found = width, row
        return found

    @property
    def table(self) -> PublishedTable | None:
        return self._table

    def cell(self, row: int, column: int) -> Published | None:
        if self._table is None or column < 1 or not 0 <= row < len(self._rows):
            return None
        cells = self._rows[row].cells
        return cells[column - 1] if column - 1 < len(cells) else None

    def is_total(self, row: int, column: int) -> bool:
        if self._table is None or not 0 <= row < len(self._rows):
            return False
        if self._rows[row].key == TOTAL:
            return True
        return column >= 1 and self._table.columns[column - 1].key == TOTAL

    def cell_ref(self, row: int, column: int) -> CellRef | None:
        """The figure behind a cell, when there is something to drill into."""
        cell = self.cell(row, column)
        if (not self.drillable or self._table is None or cell is None or cell.mark
                or not cell.value):
            return None
        return CellRef(self._table.key, self._rows[row].key,
                       self._table.columns[column - 1].key)

    # -- QAbstractTableModel ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._table is None:
            return 0
        return 1 + len(self._table.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._table is None:
            return None
        row, column = index.row(), index.column()
        if not 0 <= row < len(self._rows) or not 0 <= column < self.columnCount():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            texts = self._texts[row]
            return texts[column] if column < len(texts) else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(LEFT if column == Column.LABEL else RIGHT)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if self.is_total(row, column) else None
        if role == Qt.ItemDataRole.BackgroundRole:
            if self._rows[row].key == TOTAL:
                return TOTAL_ROW_BACKGROUND
            return TOTAL_COLUMN_BACKGROUND if self.is_total(row, column) else None
        if role == Qt.ItemDataRole.ForegroundRole:
            cell = self.cell(row, column)
            return QColor(MUTED) if cell is not None and cell.mark else QColor(TEXT)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == CELL_REF_ROLE:
            return self.cell_ref(row, column)
        if role == VALUE_ROLE:
            return self.cell(row, column)
        if role == IS_TOTAL_ROLE:
            return self.is_total(row, column)
        return None

    def _tooltip(self, row: int, column: int) -> str | None:
        if column == Column.LABEL:
            return self._rows[row].label.text()  # in full, should the column be narrow
        cell = self.cell(row, column)
        if cell is not None and cell.mark:
            return mark_tooltip(cell.mark)
        if self.cell_ref(row, column) is not None:
            return tr("Double-click to see the records behind this figure.")
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or self._table is None:
            return None
        if not 0 <= section < self.columnCount():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if section == Column.LABEL:
                return self._table.row_heading.text()
            text = self._table.columns[section - 1].label.text()
            return wrap_heading(text) if role == Qt.ItemDataRole.DisplayRole else text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(LEFT if section == Column.LABEL else RIGHT)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

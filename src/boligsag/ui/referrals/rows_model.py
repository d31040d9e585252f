"""A small read-only table model over a list of frozen rows, described by columns.

For short lists that are read whole (the start page's reminders, a person's
consents, the service catalogue): a reset per load costs nothing there, and long
lists use their own lazy model instead (``model.ReferralsModel``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the frozen row object
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # its id


@dataclass(frozen=True)
class ColumnSpec(Generic[T]):
    header: Callable[[], str]  # translated when asked, so it follows the language
    text: Callable[[T], str]
    color: Callable[[T], str | None] = lambda _row: None
    bold: Callable[[T], bool] = lambda _row: False
    tooltip: Callable[[T], str] | None = None  # default: the text itself


class RowsModel(QAbstractTableModel, Generic[T]):
    def __init__(self, columns: Sequence[ColumnSpec[T]], parent: Any = None, *,
                 background: Callable[[T], str | None] = lambda _row: None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.background = background
        self._rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> T:
        return self._rows[row]

    def rows(self) -> list[T]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, spec = self._rows[index.row()], self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return spec.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.tooltip(row) if spec.tooltip is not None else spec.text(row)
        if role == Qt.ItemDataRole.ForegroundRole and (color := spec.color(row)):
            return QBrush(QColor(color))
        if role == Qt.ItemDataRole.BackgroundRole and (color := self.background(row)):
            return QBrush(QColor(color))
        if role == Qt.ItemDataRole.FontRole and spec.bold(row):
            font = QFont()
            font.setBold(True)
            return font
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return getattr(row, "id", None)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.columns)):
            return self.columns[section].header()
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)


def plain_table(view: QTableView, widths: Sequence[int] = (),
                stretch: Sequence[int] = ()) -> None:
    """The look every list in these screens shares. ``widths``: starting widths by
    column; ``stretch``: columns that share the rest (else the last one does)."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(32)
    header = view.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    header.setStretchLastSection(not stretch)
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    for column in stretch:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

"""The one table model for lists read whole (:class:`RowsModel`: a reload that keeps the
selection) and the base it shares with the lazy model (:class:`RowsBase`: frozen rows, a
``Column`` IntEnum, translated headers, and the roles every list model of the app
answers, ``ROW_ROLE`` and ``ID_ROLE``).

Long lists page through ``models.lazy.LazyRowsModel`` (on the same base) or
``referrals.model``, which use the same roles."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

Index = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole frozen row
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the row's stable key (record id)
# SORT_ROLE (UserRole + 3, a comparable value) is defined beside the sorting, in ui/list_order.py.

DISPLAY_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)


class RowsBase(QAbstractTableModel):
    """What every list model of the app shares, whether its rows are read whole
    (:class:`RowsModel`) or page by page (``models.lazy.LazyRowsModel``): the rows held
    in ``_rows``, the hooks below, and the Qt side that answers from them.

    Subclasses set ``columns`` and implement :meth:`header` and :meth:`text`; they may
    override :meth:`key`, :meth:`tooltip`, :meth:`decoration`, :meth:`foreground`,
    :meth:`bold`, :meth:`alignment`, :meth:`header_tooltip` and :meth:`extra`."""

    columns: type[IntEnum]

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    # -- for subclasses -------------------------------------------------------------------

    def header(self, column: Any) -> str:
        raise NotImplementedError

    def text(self, row: Any, column: Any) -> str:
        raise NotImplementedError

    def key(self, row: Any) -> Any:
        return row.id

    def tooltip(self, row: Any, column: Any) -> str | None:
        return None

    def decoration(self, row: Any, column: Any) -> Any:
        return None

    def foreground(self, row: Any, column: Any) -> QColor | None:
        return None

    def bold(self, row: Any, column: Any) -> bool:
        return False

    def alignment(self, column: Any) -> Qt.AlignmentFlag | None:
        return None

    def header_tooltip(self, column: Any) -> str | None:
        return None

    def extra(self, row: Any, column: Any, role: int) -> Any:
        """Any other role (e.g. ``SORT_ROLE``); None if the model has none."""
        return None

    # -- rows -----------------------------------------------------------------------------

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def find(self, key: Any) -> int:
        return next((i for i, r in enumerate(self._rows) if self.key(r) == key), -1)

    # -- Qt -------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.columns(index.column())
        if role in DISPLAY_ROLES:
            return self.text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, column)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.decoration(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(row, column)
        if role == Qt.ItemDataRole.FontRole:
            if self.bold(row, column):
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = self.alignment(column)
            return None if align is None else int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return self.key(row)
        return self.extra(row, column, role)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role in DISPLAY_ROLES:
            return self.header(self.columns(section))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tooltip(self.columns(section))
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)


class RowsModel(RowsBase):
    """A list read whole: the page hands it every row with :meth:`set_rows`."""

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Same records in the same order: update in place (the view keeps its
        selection and scroll position); otherwise reset."""
        rows = list(rows)
        if [self.key(r) for r in rows] == [self.key(r) for r in self._rows]:
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(rows) - 1, len(self.columns) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()

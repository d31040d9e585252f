"""The staff accounts list on the Administration page (Medarbejdere)."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from boligsag.i18n import tr
from boligsag.services.staff import StaffRow
from boligsag.ui.labels import role_label
from boligsag.ui.theme import MUTED

Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    FULL_NAME = 0
    USERNAME = 1
    ROLE = 2
    AREAS = 3
    TITLE = 4
    STATUS = 5


ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole frozen StaffRow
UUID_ROLE = Qt.ItemDataRole.UserRole + 2  # stable id, e.g. to keep a selection


def header(column: Column) -> str:
    return {
        Column.FULL_NAME: tr("Name"),
        Column.USERNAME: tr("Username"),
        Column.ROLE: tr("Role"),
        Column.AREAS: tr("Housing areas"),
        Column.TITLE: tr("Job title"),
        Column.STATUS: tr("Status"),
    }[column]


class UsersModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[StaffRow] = []

    def set_rows(self, rows: list[StaffRow]) -> None:
        # A staff list is short: resetting is simpler than diffing and costs nothing.
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> StaffRow:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        user = self._rows[index.row()]
        column = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return {
                Column.FULL_NAME: user.full_name,
                Column.USERNAME: user.username,
                Column.ROLE: role_label(user.role),
                Column.AREAS: ", ".join(user.area_names),
                Column.TITLE: user.title,
                Column.STATUS: tr("Active") if user.active else tr("Deactivated"),
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.FULL_NAME:
            return tr("{name} ({username})", name=user.full_name, username=user.username)
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.AREAS and user.area_names:
            return ", ".join(user.area_names)
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.TITLE and user.title:
            return user.title
        if role == Qt.ItemDataRole.ForegroundRole and not user.active:
            return QColor(MUTED)  # a deactivated account stays listed, greyed
        if role == ROW_ROLE:
            return user
        if role == UUID_ROLE:
            return user.uuid
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(Column)):
            return header(Column(section))
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | \
            Qt.ItemFlag.ItemNeverHasChildren

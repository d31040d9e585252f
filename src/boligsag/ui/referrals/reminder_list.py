"""A compact two-line list for the start page's reminders: who and what on the first
line with the urgency on the right ("5 dage over fristen"), the details below. Fits a
narrow card as well as a wide one, unlike a table of six columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from boligsag.ui.models.rows import ID_ROLE, ROW_ROLE
from boligsag.ui.theme import BORDER, MUTED, PRIMARY_SOFT, SURFACE, TEXT

Index = QModelIndex | QPersistentModelIndex
PADDING_X, PADDING_Y, LINE_GAP = 12, 8, 3


@dataclass(frozen=True)
class ReminderItem:
    id: int  # the referral's or consent's id
    title: str  # "Şükrü Yılmaz"
    detail: str  # "Jobcenter · Sendt siden 10.11.2026 · Kamal Østergård"
    flag: str  # "5 dage over fristen"
    flag_color: str

    @property
    def spoken(self) -> str:
        return f"{self.title}, {self.flag}. {self.detail}"


class ReminderListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[ReminderItem] = []

    def set_items(self, items: list[ReminderItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> ReminderItem:
        return self._items[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                    Qt.ItemDataRole.ToolTipRole):
            return item.spoken
        if role == ROW_ROLE:
            return item
        if role == ID_ROLE:
            return item.id
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)


class ReminderDelegate(QStyledItemDelegate):
    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        bold = QFont(option.font)
        bold.setBold(True)
        return bold, QFont(option.font)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        bold, normal = self._fonts(option)
        height = (QFontMetrics(bold).height() + LINE_GAP + QFontMetrics(normal).height()
                  + 2 * PADDING_Y)
        return QSize(200, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item = index.data(ROW_ROLE)
        if not isinstance(item, ReminderItem):
            return
        painter.save()
        rect = QRect(option.rect)
        if option.state & (QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_MouseOver):
            painter.fillRect(rect, QColor(PRIMARY_SOFT))
        painter.setPen(QPen(QColor(BORDER)))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        bold, normal = self._fonts(option)
        inner = rect.adjusted(PADDING_X, PADDING_Y, -PADDING_X, -PADDING_Y)
        top = QFontMetrics(bold)
        flag_width = top.horizontalAdvance(item.flag)
        painter.setFont(bold)
        painter.setPen(QColor(item.flag_color))
        first = QRect(inner.left(), inner.top(), inner.width(), top.height())
        painter.drawText(first, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         item.flag)
        painter.setPen(QColor(TEXT))
        title_room = max(0, inner.width() - flag_width - 12)
        painter.drawText(QRect(first.left(), first.top(), title_room, first.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         top.elidedText(item.title, Qt.TextElideMode.ElideRight, title_room))
        painter.setFont(normal)
        painter.setPen(QColor(MUTED))
        below = QFontMetrics(normal)
        second = QRect(inner.left(), first.bottom() + LINE_GAP, inner.width(), below.height())
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         below.elidedText(item.detail, Qt.TextElideMode.ElideRight,
                                          inner.width()))
        painter.restore()


def reminder_view(object_name: str, accessible_name: str, model: ReminderListModel,
                  parent: QWidget | None = None) -> QListView:
    view = QListView(parent)
    view.setObjectName(object_name)
    view.setAccessibleName(accessible_name)
    view.setModel(model)
    view.setItemDelegate(ReminderDelegate(view))
    view.setMouseTracking(True)
    view.setUniformItemSizes(True)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setStyleSheet(f"QListView {{ background: {SURFACE}; border: 1px solid {BORDER}; "
                       "border-radius: 6px; outline: none; }")
    return view

"""A person's timeline: everything about them, newest first, 50 at a time ("Vis flere").

Each row shows the day (and time), a coloured mark for the kind of record, a title and
a line of detail. Enter or a double-click emits ``item_activated`` with the frozen
``TimelineItem``; the person view opens the record behind it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from boligsag.formatting import short_date, short_date_time, time_text
from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.timeline import TimelineItem, person_timeline
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.models.rows import ROW_ROLE
from boligsag.ui.theme import (
    ACCENT,
    BORDER,
    GRIDLINE,
    MUTED,
    PRIMARY,
    PRIMARY_SOFT,
    SUCCESS,
    SURFACE,
    TEXT,
    WARNING,
    scheme,
)
from boligsag.ui.widgets import named

Index = QModelIndex | QPersistentModelIndex
PAGE = 50

# One colour per kind of record, the same everywhere on the page (each also named in
# words on its row: colour is never the only sign). Activities' purple, lightened on the
# high-contrast look's black.
_ACTIVITY = "#d9b3ff" if scheme().high_contrast else "#6a5acd"
KIND_COLORS = {
    "contact": PRIMARY,
    "enrollment": _ACTIVITY,
    "session": _ACTIVITY,
    "job": SUCCESS,
    "referral": WARNING,
    "consent": ACCENT,
}


def kind_label(record_type: str) -> str:
    return {
        "contact": tr("Contact"),
        "enrollment": tr("Enrollment"),
        "session": tr("Session"),
        "job": tr("Job"),
        "referral": tr("Referral"),
        "consent": tr("Consent"),
    }.get(record_type, record_type)


class TimelineModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[TimelineItem] = []

    def set_items(self, items: list[TimelineItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def append(self, items: list[TimelineItem]) -> None:
        if not items:
            return
        first = len(self._items)
        self.beginInsertRows(QModelIndex(), first, first + len(items) - 1)
        self._items.extend(items)
        self.endInsertRows()

    def items(self) -> list[TimelineItem]:
        return list(self._items)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return " – ".join(p for p in (when_text(item), item.title, item.subtitle) if p)
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.subtitle or None
        if role == ROW_ROLE:
            return item
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)


def when_text(item: TimelineItem) -> str:
    day = short_date(item.at.date())
    return short_date_time(item.at) if item.has_time else day


class TimelineDelegate(QStyledItemDelegate):
    """Day and time | coloured mark | title over detail."""

    ROW_HEIGHT = 56
    DATE_WIDTH = 118

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(400, self.ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item: TimelineItem | None = index.data(ROW_ROLE)
        if item is None:
            return
        painter.save()
        rect = QRect(option.rect)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillRect(rect, QColor(PRIMARY_SOFT) if selected else QColor(SURFACE))
        painter.setPen(QPen(QColor(GRIDLINE)))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        base = QFont(option.font)
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.88)
        left = rect.left() + 14
        painter.setFont(base)
        painter.setPen(QColor(TEXT))
        painter.drawText(QRect(left, rect.top() + 9, self.DATE_WIDTH, 20),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         short_date(item.at.date()))
        if item.has_time:
            painter.setFont(small)
            painter.setPen(QColor(MUTED))
            painter.drawText(QRect(left, rect.top() + 29, self.DATE_WIDTH, 18),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             time_text(item.at))
        color = QColor(KIND_COLORS.get(item.record_type, MUTED))
        mark_x = left + self.DATE_WIDTH
        painter.setPen(QPen(QColor(BORDER), 2))
        painter.drawLine(mark_x + 5, rect.top(), mark_x + 5, rect.bottom())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawEllipse(mark_x, rect.top() + 14, 11, 11)
        text_left = mark_x + 26
        width = rect.right() - text_left - 12
        kind = kind_label(item.record_type).upper()
        painter.setFont(small)
        kind_width = painter.fontMetrics().horizontalAdvance(kind) + 16
        painter.setPen(color.darker(130))
        painter.drawText(QRect(rect.right() - kind_width - 8, rect.top() + 9, kind_width, 20),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, kind)
        bold = QFont(base)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(TEXT))
        title_width = width - kind_width - 8
        painter.drawText(QRect(text_left, rect.top() + 8, title_width, 22),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(item.title,
                                                          Qt.TextElideMode.ElideRight,
                                                          title_width))
        if item.subtitle:
            painter.setFont(small)
            painter.setPen(QColor(MUTED))
            painter.drawText(QRect(text_left, rect.top() + 29, width, 20),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             painter.fontMetrics().elidedText(
                                 " ".join(item.subtitle.split()), Qt.TextElideMode.ElideRight,
                                 width))
        painter.restore()


class TimelineView(QWidget):
    item_activated = Signal(object)  # TimelineItem

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.person_id: int | None = None
        self._generation = 0
        self.loading = False
        self.loaded = False
        named(self, "timelineView", tr("Timeline"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.model = TimelineModel(self)
        self.list = named(QListView(), "timelineList", tr("Timeline"))
        self.list.setModel(self.model)
        self.list.setItemDelegate(TimelineDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setStyleSheet(f"QListView {{ outline: 0; border: 1px solid {BORDER}; "
                                f"border-radius: 6px; background: {SURFACE}; }}")
        self.list.activated.connect(self._activated)
        layout.addWidget(self.list, 1)
        bottom = QHBoxLayout()
        self.status = named(QLabel(), "timelineStatus", tr("Timeline status"))
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.more_button = named(QPushButton(tr("Show more")), "timelineMoreButton",
                                 tr("Show more of the timeline"))
        self.more_button.setToolTip(tr("Show the next {count} older items", count=PAGE))
        self.more_button.setAutoDefault(False)
        self.more_button.clicked.connect(self.load_more)
        self.more_button.hide()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.more_button)
        layout.addLayout(bottom)

    def show_person(self, person_id: int) -> None:
        if person_id != self.person_id:
            self.model.set_items([])
            self.loaded = False
        self.person_id = person_id  # the caller's Reloader loads it

    def reload(self) -> None:
        """From the newest again, as many items as are shown now (at least a page)."""
        if self.person_id is None:
            return
        self._generation += 1
        generation, person_id = self._generation, self.person_id
        limit = max(PAGE, self.model.rowCount())
        self.loading = True
        self._run(lambda: person_timeline(self.ctx, person_id, limit=limit),
                  lambda items: self._show(items, generation, limit, replace=True))

    def load_more(self) -> None:
        items = self.model.items()
        if self.person_id is None or not items or self.loading:
            return
        self._generation += 1
        generation, person_id, last = self._generation, self.person_id, items[-1]
        self.loading = True
        self.more_button.setEnabled(False)
        self._run(lambda: person_timeline(self.ctx, person_id, limit=PAGE, before=last),
                  lambda more: self._show(more, generation, PAGE, replace=False))

    def _run(self, work: Any, done: Any) -> None:
        run_in_background(self, lambda _task: work(), on_success=done,
                          on_failure=self._failed)

    def _show(self, items: list[TimelineItem], generation: int, limit: int, *,
              replace: bool) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.loaded = True
        current = self.list.currentIndex().row()
        if replace:
            self.model.set_items(items)
        else:
            self.model.append(items)
        if self.model.rowCount() and replace:
            self.list.setCurrentIndex(self.model.index(max(0, min(current, len(items) - 1)), 0))
        self.more_button.setEnabled(True)
        self.more_button.setVisible(len(items) >= limit)
        count = self.model.rowCount()
        if count == 0:
            self.status.setText(tr("Nothing has been recorded about this person yet."))
        else:
            self.status.setText(tr("1 item") if count == 1 else
                                tr("{count} items, newest first", count=count))

    def _failed(self, error: BaseException) -> None:
        self.loading = False
        self.more_button.setEnabled(True)
        self.status.setText(error_text(error))

    def current_item(self) -> TimelineItem | None:
        index = self.list.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _activated(self, index: QModelIndex) -> None:
        item = index.data(ROW_ROLE)
        if item is not None:
            self.item_activated.emit(item)

"""The right-click menu of a list's row, reachable from the keyboard too.

``add_row_menu(view, actions, name)`` gives a table a context menu of the page's own
actions (so their Alt letters and shortcuts are the same everywhere). The Menu key and
Shift+F10 open it on the current row: Qt's ``customContextMenuRequested`` comes from
the mouse reliably, but not from those keys on every platform, so the view's key
presses are watched here as well.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QMenu

from boligsag.i18n import tr
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.widgets import named

#: A list of actions, with None for a separator.
Actions = Callable[[], Sequence[QAction | None]]


def add_row_menu(view: QAbstractItemView, actions: Actions, name: str) -> None:
    """``actions`` is asked each time, so the menu follows what is allowed right now;
    ``name`` becomes the menu's objectName."""
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    opener = _RowMenuOpener(view, actions, name)
    view.customContextMenuRequested.connect(opener.open_at)
    view.installEventFilter(opener)


class _RowMenuOpener(QObject):
    def __init__(self, view: QAbstractItemView, actions: Actions, name: str) -> None:
        super().__init__(view)
        self.view, self.actions, self.name = view, actions, name
        self.menu: QMenu | None = None  # the one open now

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        shift_f10 = (event.key() == Qt.Key.Key_F10
                     and event.modifiers() == Qt.KeyboardModifier.ShiftModifier)
        if event.key() == Qt.Key.Key_Menu or shift_f10:
            self.open_at(self._current_row_point())
            return True
        return False

    def _current_row_point(self) -> QPoint:
        index = self.view.currentIndex()
        if not index.isValid():
            return QPoint(8, 8)
        rect = self.view.visualRect(index)
        return QPoint(rect.left() + 16, rect.bottom())

    def open_at(self, pos: QPoint) -> QMenu | None:
        index = self.view.indexAt(pos)
        if index.isValid() and index.row() != self.view.currentIndex().row():
            self.view.setCurrentIndex(index)  # a right-click chooses the row first
        menu = QMenu(self.view)
        named(menu, self.name, tr("Actions for the chosen row"))
        last_was_separator = True
        for action in self.actions():
            if action is None:
                if not last_was_separator:
                    menu.addSeparator()
                last_was_separator = True
            elif action.isVisible():
                menu.addAction(action)
                last_was_separator = False
        if not menu.actions():
            menu.deleteLater()
            return None
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.menu = menu
        menu.destroyed.connect(lambda _obj=None: self._forget(menu))
        menu.popup(self.view.viewport().mapToGlobal(pos))
        return menu

    def _forget(self, menu: QMenu) -> None:
        # vars(): a menu still open when its page is freed by the cycle collector is
        # destroyed after the collector emptied this object (ui/event_filter.py).
        if vars(self).get("menu") is menu:
            self.menu = None

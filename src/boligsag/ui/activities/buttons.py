"""Buttons that stand for a page's QActions: same text, tooltip with the shortcut, and
enabled exactly when the action is."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton, QWidget

from boligsag.ui.widgets import named


def action_button(action: QAction, object_name: str, *, primary: bool = False,
                  parent: QWidget | None = None) -> QPushButton:
    text = action.text().replace("…", "").replace("&", "").strip()
    button = named(QPushButton(text, parent), object_name, text)
    button.setToolTip(action.toolTip())
    button.setAutoDefault(False)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    if primary:
        button.setProperty("role", "primary")
    button.clicked.connect(action.trigger)

    def follow() -> None:
        button.setEnabled(action.isEnabled())
        if not action.isVisible():
            button.hide()
        elif button.parentWidget() is not None:
            button.show()
        # else: showing a parentless button would open it as a window of its own (and
        # steal focus); it appears with the layout it joins, as children do.

    action.changed.connect(follow)
    follow()
    return button


def page_shortcut(action: QAction, owner: QWidget) -> QAction:
    """Make ``action``'s shortcut work while focus is anywhere on ``owner`` (and only
    there, so pages do not fight over Ctrl+N)."""
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    owner.addAction(action)
    return action


def view_shortcut(action: QAction, view: QWidget) -> QAction:
    """Make ``action``'s shortcut work only while ``view`` has the focus: Del deletes the
    row of the list the user is in, never a row of another list on the same page."""
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    view.addAction(action)
    return action

"""A short "Markeret som udført — Fortryd" in the main window's status bar.

Shown for a few seconds after a one-keystroke change; while it shows, its Fortryd
button or Ctrl+Z calls the undo the caller gave. A new notice replaces the last one in
the same window, whichever list showed it (only the latest change can be undone from
here, and only one Ctrl+Z is ever enabled: two would be an ambiguous shortcut, which Qt
answers by doing nothing). Outside a main window (a list tested
on its own) the notice sits in the owner's layout instead.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.ui.widgets import make_action, named

SHOW_MS = 8_000  # long enough to read and reach for the key; short enough not to linger


class UndoNotice(QWidget):
    def __init__(self, owner: QWidget, fallback: QBoxLayout) -> None:
        super().__init__()
        self.owner, self._fallback = owner, fallback
        self._undo: Callable[[], None] | None = None
        named(self, "undoNotice", tr("Undo"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 8, 0)
        row.setSpacing(8)
        self.label = named(QLabel(), "undoNoticeText", tr("What was just done"))
        self.button = named(QPushButton(tr("&Undo")), "undoButton", tr("Undo"))
        self.button.setToolTip(tr("Undo (Ctrl+Z)"))
        self.button.setAutoDefault(False)
        # A link-like button keeps the status bar its usual height (no jump on show).
        self.button.setProperty("role", "link")
        self.button.setStyleSheet("font-weight: bold; padding: 0 4px;")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the list keeps the keyboard
        self.button.clicked.connect(self.undo)
        row.addWidget(self.label)
        row.addWidget(self.button)
        self.hide()
        self.timer = QTimer(self, singleShot=True, interval=SHOW_MS)
        self.timer.timeout.connect(self.dismiss)
        # Ctrl+Z anywhere in the window while the notice shows (a text field with
        # focus keeps its own Ctrl+Z: Qt gives the focused editor the key first).
        self.action = make_action(self, "actionUndoLast", tr("&Undo"),
                                  shortcut=QKeySequence.StandardKey.Undo, triggered=self.undo)
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.setEnabled(False)
        self._placed = False
        owner.destroyed.connect(self.deleteLater)  # never outlives the list it undoes for

    def show_notice(self, text: str, undo: Callable[[], None]) -> None:
        self._place()
        for other in self.window().findChildren(UndoNotice):
            if other is not self:
                other.dismiss()
        self._undo = undo
        self.label.setText(text)
        self.action.setEnabled(True)
        self.show()
        self.timer.start()

    def undo(self) -> None:
        undo, self._undo = self._undo, None
        self.dismiss()
        if undo is not None:
            undo()

    def dismiss(self) -> None:
        self.timer.stop()
        self._undo = None
        self.action.setEnabled(False)
        self.hide()

    def _place(self) -> None:
        if self._placed:
            return
        window = self.owner.window()
        self._placed = True
        if isinstance(window, QMainWindow):
            window.statusBar().insertWidget(0, self)
            window.addAction(self.action)
        else:
            self._fallback.addWidget(self)
            self.owner.addAction(self.action)

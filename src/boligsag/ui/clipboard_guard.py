"""A CPR number copied from Boligsag does not stay on the clipboard (issue 13 §6): 30
seconds after it was copied, and at once when the app locks or closes, the clipboard is
emptied, but only while it still holds what Boligsag put there (a user who has since
copied something else keeps that). Text copied by other programs is never touched: a
copy is Boligsag's when the platform says it owns the clipboard
(``QClipboard.ownsClipboard``; X11, Windows) or Boligsag is the active application as
it happens (the keyboard was Boligsag's: platforms that cannot tell ownership)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

from boligsag.domain.cpr import contains_cpr

CLEAR_AFTER_MS = 30_000


class ClipboardGuard(QObject):
    def __init__(self, parent: QObject | None = None, *,
                 clear_after_ms: int = CLEAR_AFTER_MS) -> None:
        super().__init__(parent)
        self.clipboard: QClipboard = QGuiApplication.clipboard()
        self._copied: str | None = None  # the CPR-bearing text Boligsag put there
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(clear_after_ms)
        self.timer.timeout.connect(self.clear_now)
        self.clipboard.dataChanged.connect(self._changed)

    def _ours(self) -> bool:
        return self.clipboard.ownsClipboard() or (
            QGuiApplication.applicationState() == Qt.ApplicationState.ApplicationActive)

    def _changed(self) -> None:
        if not self._ours():
            self._copied = None  # another program's text: not ours to touch
            self.timer.stop()
            return
        text = self.clipboard.text()
        if text and contains_cpr(text):
            self._copied = text
            self.timer.start()

    def detach(self) -> None:
        """Stop watching (the window closes; a test ends)."""
        self.timer.stop()
        self.clipboard.dataChanged.disconnect(self._changed)

    def clear_now(self) -> None:
        """Empty the clipboard if it still holds the CPR number Boligsag put there."""
        self.timer.stop()
        if self._copied is not None and self.clipboard.text() == self._copied:
            self.clipboard.clear()
        self._copied = None

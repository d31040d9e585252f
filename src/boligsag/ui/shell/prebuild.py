"""Build the pages not opened yet while nobody uses the keyboard or mouse.

A page is built the first time it is opened (main_window.py), and building one of the
larger pages (Aktiviteter, Henvisninger) with its lists, panels and style takes 60 to
100 ms on the GUI thread. Done then, it delays the click that opened the page. So once
the main window has been left alone for a moment, this builds the remaining pages one
at a time, each in its own turn of the event loop, and stops when the user is busy: a
key pressed during a build waits for that one page at most. A page built here is hidden
and loads nothing until it is first shown (its reloaders wait for the show).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from boligsag.ui.idle import IdleWatcher

FIRST_DELAY_MS = 1500  # after the main window is built: its first page loads meanwhile
INTERVAL_MS = 300  # between two pages
QUIET_MS = 1000  # nobody has touched keyboard or mouse for this long


class PagePrebuilder(QObject):
    def __init__(self, parent: QObject, idle: IdleWatcher,
                 next_unbuilt: Callable[[], int | None], build: Callable[[int], object]) -> None:
        super().__init__(parent)
        self._idle, self._next_unbuilt, self._build = idle, next_unbuilt, build
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._one)

    def start(self) -> None:
        self._timer.start(FIRST_DELAY_MS)

    def _one(self) -> None:
        row = self._next_unbuilt()
        if row is None:
            return  # every page is built: nothing more to do
        if self._idle.quiet_ms() >= QUIET_MS:
            with self._idle.aside():  # its filter on every event doubled the build time
                self._build(row)
        self._timer.start(INTERVAL_MS)

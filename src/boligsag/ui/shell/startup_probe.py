"""Hooks for measuring and smoke-testing the started program, switched on by the
environment (never by users):

- ``BOLIGSAG_STARTUP_PROBE=1`` prints one line to stderr each time a top-level window
  is first shown: ``boligsag-probe shown <objectName> <monotonic seconds>``. The
  monotonic clock is system-wide, so the benchmark (bench/startup.py) subtracts the
  time it read just before it started the process: process start to first window.
- ``BOLIGSAG_QUIT_AFTER_MS=N`` quits cleanly (exit code 0) N milliseconds after the
  first window is shown: the installers' smoke tests start the installed program
  offscreen and check that it reaches the unlock dialog and ends by itself.

Only window names and times are printed, never anything a window shows.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from boligsag.ui.event_filter import survives_teardown

PROBE = "BOLIGSAG_STARTUP_PROBE"
QUIT_AFTER = "BOLIGSAG_QUIT_AFTER_MS"


class StartupProbe(QObject):
    """Watches the application's Show events for windows shown for the first time."""

    def __init__(self, app: QApplication, *, report: bool, quit_after_ms: int | None,
                 quit_app: Callable[[], None]) -> None:
        super().__init__(app)
        self._report = report
        self._quit_after_ms = quit_after_ms
        self._quit_app = quit_app
        self._seen: set[int] = set()
        app.installEventFilter(self)

    @survives_teardown
    def eventFilter(self, watched: object, event: object) -> bool:
        if (isinstance(event, QEvent) and event.type() == QEvent.Type.Show
                and isinstance(watched, QWidget) and watched.isWindow()
                and id(watched) not in self._seen):
            self._first_show(watched)
        return False

    def _first_show(self, window: QWidget) -> None:
        first = not self._seen
        self._seen.add(id(window))
        if self._report:
            name = window.objectName() or type(window).__name__
            print(f"boligsag-probe shown {name} {time.monotonic():.6f}", file=sys.stderr,
                  flush=True)
        if first and self._quit_after_ms is not None:
            QTimer.singleShot(self._quit_after_ms, self._quit_app)


def install_startup_probe(app: QApplication, quit_app: Callable[[], None]) -> StartupProbe | None:
    """Install the probe when the environment asks for it (else do nothing)."""
    report = os.environ.get(PROBE) == "1"
    raw = os.environ.get(QUIT_AFTER, "").strip()
    quit_after_ms = int(raw) if raw.isdigit() else None
    if not report and quit_after_ms is None:
        return None
    return StartupProbe(app, report=report, quit_after_ms=quit_after_ms, quit_app=quit_app)

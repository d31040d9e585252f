"""Hooks for measuring and smoke-testing the started program, switched on by the
environment (never by users):

- ``BOLIGSAG_STARTUP_PROBE=1`` prints one line to stderr each time a top-level window
  is first shown: ``boligsag-probe shown <objectName> <monotonic seconds>``. The
  monotonic clock is system-wide, so the benchmark (bench/startup.py) subtracts the
  time it read just before it started the process: process start to first window.
- With the probe on, once the main window is shown and every loader on its first
  page has delivered (the overview's figures, the follow-ups, the reminders: the
  page's reloaders have settled), it also prints
  ``boligsag-probe ready mainWindow <monotonic seconds>``: the window is usable, not
  just drawn. The benchmark times unlock → usable by it.
- ``BOLIGSAG_PROBE_MODULES=1`` prints, at the first window's first show,
  ``boligsag-probe modules <name> <name> ...``: every module imported by then, so a
  test can check that the unlock dialog shows before the heavy ones are loaded.
- ``BOLIGSAG_QUIT_AFTER_MS=N`` quits cleanly (exit code 0) N milliseconds after the
  first window is shown: the installers' smoke tests start the installed program
  offscreen and check that it reaches the unlock dialog and ends by itself.

Only window and module names and times are printed, never anything a window shows.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from boligsag.ui.event_filter import survives_teardown

PROBE = "BOLIGSAG_STARTUP_PROBE"
MODULES = "BOLIGSAG_PROBE_MODULES"
QUIT_AFTER = "BOLIGSAG_QUIT_AFTER_MS"
MAIN_WINDOW = "mainWindow"


class StartupProbe(QObject):
    """Watches the application's Show events for windows shown for the first time."""

    #: The main window is usable (see the module docstring); the benchmark's in-process
    #: driver (bench/startup.py) ends the run on it.
    ready = Signal()

    def __init__(self, app: QApplication, *, report: bool, quit_after_ms: int | None,
                 quit_app: Callable[[], None], modules: bool = False) -> None:
        super().__init__(app)
        self._report = report
        self._modules = modules
        self._quit_after_ms = quit_after_ms
        self._quit_app = quit_app
        self._seen: set[int] = set()
        self._waiting: list[QObject] = []
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
            _say(f"shown {name} {time.monotonic():.6f}")
            if name == MAIN_WINDOW:
                # The page's views got their Show (and started loading) before the
                # window did; look at them once this event is handled.
                QTimer.singleShot(0, lambda: self._watch_first_page(window))
        if first and self._modules:
            _say("modules " + " ".join(sorted(sys.modules)))
        if first and self._quit_after_ms is not None:
            QTimer.singleShot(self._quit_after_ms, self._quit_app)

    def _watch_first_page(self, window: QWidget) -> None:
        # Imported here: the probe is installed before the unlock dialog, which needs none
        # of the reload machinery.
        from boligsag.ui.reloader import Reloader

        page = window.current_page()  # type: ignore[attr-defined]
        self._waiting = [r for r in page.findChildren(Reloader)
                         if r.widget.isVisible() and (r.loading or r.stale)]
        for reloader in self._waiting:
            reloader.settled.connect(self._one_settled)
        self._one_settled()

    def _one_settled(self) -> None:
        if any(r.loading or r.stale for r in self._waiting):  # type: ignore[attr-defined]
            return
        for reloader in self._waiting:
            reloader.settled.disconnect(self._one_settled)  # type: ignore[attr-defined]
        self._waiting = []
        _say(f"ready {MAIN_WINDOW} {time.monotonic():.6f}")
        self.ready.emit()


def _say(line: str) -> None:
    print(f"boligsag-probe {line}", file=sys.stderr, flush=True)


def install_startup_probe(app: QApplication, quit_app: Callable[[], None]) -> StartupProbe | None:
    """Install the probe when the environment asks for it (else do nothing)."""
    report = os.environ.get(PROBE) == "1"
    modules = os.environ.get(MODULES) == "1"
    raw = os.environ.get(QUIT_AFTER, "").strip()
    quit_after_ms = int(raw) if raw.isdigit() else None
    if not report and not modules and quit_after_ms is None:
        return None
    return StartupProbe(app, report=report, quit_after_ms=quit_after_ms, quit_app=quit_app,
                        modules=modules)

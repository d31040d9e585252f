"""Load the main window's code while the user types their password (issue 14 §2).

The unlock dialog shows before any of the main window, its pages or the storage layer is
imported (controller.py). Importing them takes about a second of CPU; done only after the
unlock it would delay the main window by as much. So once the dialog has been drawn,
this imports them in the time a person takes to type a password:

- the services and what they build on (SQLAlchemy, the models, the summary engine,
  reportlab, openpyxl; no Qt) on a worker thread;
- then the pages and the main window on the GUI thread, one module per turn of the
  event loop, so a key pressed meanwhile waits for one module's import at most. Qt
  classes are defined on the GUI thread only.

If the user is quicker, the unlock and the main window import whatever is still missing
themselves (Python's import lock makes that safe); nothing here is needed for
correctness, only for speed. A module that fails to import here is left to fail where
it is really imported, with its real error.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterator

from PySide6.QtCore import QObject, QTimer

from boligsag.ui.background import run_in_background
from boligsag.ui.main_thread_gc import freeze_loaded_code

log = logging.getLogger(__name__)

#: No Qt: imported on a worker thread. The slowest services first (their imports load
#: most of what the others need).
SERVICES = (
    "boligsag.services.unlock",
    "boligsag.services.audit_check",
    "boligsag.services.users",
    "boligsag.services.restore",
    "boligsag.services.overview",
    "boligsag.services.follow_ups",
    "boligsag.services.summaries",
    "boligsag.services.summaries.export",
    "boligsag.services.letters",
    # What the main window asks first: is this file a laptop replica (ui/sync/attach.py)?
    "boligsag.services.sync_client.engine",
    "boligsag.services.sync_client.team",
)

#: Qt widgets: imported on the GUI thread, one per turn of the event loop, roughly from
#: the bottom up so that each import is short. The main window last.
WINDOW = (
    "boligsag.ui.widgets",
    "boligsag.ui.reloader",
    "boligsag.ui.models.rows",
    "boligsag.ui.contacts",
    "boligsag.ui.jobs",
    "boligsag.ui.referrals.reminders",
    "boligsag.ui.pages.start",
    "boligsag.ui.people",
    "boligsag.ui.pages.people",
    "boligsag.ui.pages.my_cases",
    "boligsag.ui.pages.activities",
    "boligsag.ui.pages.contacts",
    "boligsag.ui.network_mothers",
    "boligsag.ui.pages.referrals",
    "boligsag.ui.summaries",
    "boligsag.ui.pages.summaries",
    "boligsag.ui.pages.admin",
    "boligsag.ui.pages.conflicts",
    "boligsag.ui.password_dialogs",
    "boligsag.ui.sync",
    "boligsag.ui.shell.navigation",
    "boligsag.ui.shell.main_window",
)

#: After the dialog's first paint, which the worker's imports would otherwise slow down.
START_DELAY_MS = 250

_started = False


def _import_quietly(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception as error:  # the real import site reports it (module docstring)
        log.debug("preloading %s failed: %s", name, type(error).__name__)


def _import_services() -> None:
    for name in SERVICES:
        _import_quietly(name)


class _WindowImports(QObject):
    """Imports :data:`WINDOW` one module per turn of the event loop."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._pending: Iterator[str] = (n for n in WINDOW if n not in sys.modules)

    def start(self) -> None:
        QTimer.singleShot(0, self, self._next)

    def _next(self) -> None:
        name = next(self._pending, None)
        if name is None:
            freeze_loaded_code()  # the program's code is loaded: see main_thread_gc
            self.deleteLater()
            return
        _import_quietly(name)
        QTimer.singleShot(0, self, self._next)


def preload_main_window(parent: QObject) -> None:
    """Start loading the main window's code in the background (once per process)."""
    global _started
    if _started:
        return
    _started = True
    if all(name in sys.modules for name in (*SERVICES, *WINDOW)):
        return  # already there (the tests import everything up front)

    def imports_on_the_gui_thread(_result: object = None) -> None:
        _WindowImports(parent).start()

    def begin() -> None:
        run_in_background(parent, lambda _task: _import_services(),
                          on_success=imports_on_the_gui_thread,
                          on_failure=imports_on_the_gui_thread)

    QTimer.singleShot(START_DELAY_MS, parent, begin)

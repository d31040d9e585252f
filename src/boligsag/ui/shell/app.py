"""Start the desktop application: QApplication, language, look, then the flow.

The look (standard or high contrast, ui/shell/contrast.py) is chosen as soon as the
QApplication exists and before the controller, the windows and the pages are imported:
their modules take the scheme's colours as names when they load (ui/theme.py).
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from boligsag import __version__
from boligsag.app_settings import LANGUAGE, AppSettings
from boligsag.errors import UserError
from boligsag.i18n import set_language
from boligsag.ui.errors import show_error
from boligsag.ui.icons import app_icon
from boligsag.ui.main_thread_gc import pin_collection_to_gui_thread
from boligsag.ui.qt_translations import install_qt_translations
from boligsag.ui.shell.contrast import chosen_scheme
from boligsag.ui.shell.startup_probe import install_startup_probe
from boligsag.ui.theme import apply_theme, use_scheme

if TYPE_CHECKING:
    from boligsag.ui.shell.controller import AppController

log = logging.getLogger(__name__)


def create_application(argv: list[str] | None = None,
                       settings: AppSettings | None = None) -> QApplication:
    """The QApplication with our names, icon and look (reused if one exists, as in
    tests). With ``settings``, the look is the user's or the system's choice of
    contrast; without, the standard one."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    if settings is not None:
        use_scheme(chosen_scheme(settings, app))
    app.setApplicationName("Boligsag")
    app.setOrganizationName("Boligsag")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    # The controller decides when the application ends: between the wizard and the
    # login dialog no window is visible for a moment, and that must not quit.
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app)
    # Worker threads must never run the cycle collector: it would delete Qt objects
    # on the wrong thread (ui/main_thread_gc.py).
    pin_collection_to_gui_thread(app)
    return app


def _excepthook(kind: type[BaseException], error: BaseException,
                trace: TracebackType | None) -> None:
    # A bug in a slot must not vanish silently, nor take the application down: log it
    # and tell the user, who can carry on or restart. Logged by its type (and, by
    # error_text, its frames) only: its text may quote SQL with personal data.
    if isinstance(error, UserError | OSError):  # error_text logs the others
        log.error("unhandled %s", kind.__name__)
    show_error(QApplication.activeWindow(), error)


def _quit_on_signals(controller: AppController) -> QTimer:
    """Ctrl+C in the terminal, or a logout's SIGTERM, ends the application cleanly: the
    database is closed and a demo folder removed. Python only sees a signal when it
    gets control, so a timer hands it control a few times a second."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_args: controller.quit(0))
    timer = QTimer(controller)
    timer.timeout.connect(lambda: None)
    timer.start(300)
    return timer


def run(*, db_path: Path | None = None, demo: bool = False, language: str | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = AppSettings()
    chosen = language or settings.get(LANGUAGE)
    set_language(chosen)
    app = create_application(settings=settings)
    # Only now: the controller's modules take the chosen look's colours as they load.
    from boligsag.ui.shell.controller import AppController
    install_qt_translations(chosen)
    sys.excepthook = _excepthook
    controller = AppController(settings, db_path or settings.database_path(), demo=demo)
    controller.finished.connect(lambda exit_code: app.exit(exit_code))
    _quit_on_signals(controller)
    install_startup_probe(app, lambda: controller.quit(0))
    controller.start()
    code = app.exec()
    controller.shutdown()
    # Let a running unlock or query finish before the interpreter tears Qt down.
    QThreadPool.globalInstance().waitForDone(10_000)
    return controller.exit_code if controller.exit_code is not None else code

"""Start-up speed (issue 14 §2), checked by what is loaded, not by a clock (the machine is
noisy; bench/startup.py measures the times): the unlock dialog shows before the storage
layer, the main window, the pages and the heavy libraries are imported; the main
window's code is preloaded afterwards from a list that names real modules; the main
window builds a page only when it is first needed; and the probe says when the main
window is usable (its first page has its data)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.ui.pages.start import StartPage
from boligsag.ui.shell import preload
from boligsag.ui.shell.controller import AppController
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.shell.startup_probe import StartupProbe

from ..conftest import CreatedDb
from .helpers import type_into
from .test_controller import log_in

# Loaded by the time the unlock dialog shows, any of these costs tens to hundreds of ms.
HEAVY = (
    "PySide6.QtCharts", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtPrintSupport",
    "reportlab", "openpyxl", "highspy", "numpy", "faker", "psycopg", "httpx", "alembic",
    "sqlalchemy", "sqlcipher3", "cryptography.hazmat.primitives.kdf.argon2",
    "boligsag.storage.models", "boligsag.services.unlock", "boligsag.services.context",
    "boligsag.ui.shell.main_window", "boligsag.ui.shell.navigation", "boligsag.ui.pages",
    "boligsag.ui.shell.first_run", "boligsag.ui.recovery_dialog", "boligsag.ui.demo",
)


def test_the_unlock_dialog_shows_before_any_heavy_module_is_imported(tmp_path: Path) -> None:
    database = tmp_path / "boligsag.db"
    database.write_bytes(b"")  # the dialog only needs the file to exist; nothing is read
    env = {key: value for key, value in os.environ.items() if not key.startswith("BOLIGSAG_")}
    env.update(QT_QPA_PLATFORM="offscreen", BOLIGSAG_STARTUP_PROBE="1",
               BOLIGSAG_PROBE_MODULES="1", BOLIGSAG_QUIT_AFTER_MS="50", HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    done = subprocess.run([sys.executable, "-m", "boligsag", "--db", str(database)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    shown = [line.split()[2] for line in lines if line.startswith("boligsag-probe shown ")]
    assert shown[:1] == ["unlockDialog"]  # the first window, and no stray one before it
    listed = [line.split()[2:] for line in lines if line.startswith("boligsag-probe modules ")]
    assert len(listed) == 1
    modules = set(listed[0])
    assert {"boligsag.ui.unlock_dialog", "PySide6.QtWidgets"} <= modules  # it did list them
    loaded = sorted(name for name in modules
                    if any(name == heavy or name.startswith(heavy + ".") for heavy in HEAVY))
    assert loaded == []


@pytest.mark.parametrize("name", [*preload.SERVICES, *preload.WINDOW])
def test_the_preload_names_real_modules(name: str) -> None:
    # A renamed module would silently make the main window slow to open again.
    assert importlib.util.find_spec(name) is not None


def test_the_preload_imports_no_qt_on_its_worker_thread() -> None:
    for name in preload.SERVICES:
        assert not name.startswith("boligsag.ui"), name


def test_the_probe_marks_the_main_window_ready_once_its_first_page_has_its_data(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings,
        capfd: pytest.CaptureFixture[str]) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    probe = StartupProbe(app, report=True, quit_after_ms=None, quit_app=lambda: None)
    try:
        controller = AppController(settings, created_db.path)
        controller.start()
        type_into(qtbot, controller.unlock_dialog, "usernameEdit", "admin")
        before = time.monotonic()
        with qtbot.waitSignal(probe.ready, timeout=15_000):
            window = log_in(qtbot, controller, created_db.password)
        page = window.current_page()
        assert isinstance(page, StartPage)
        # Ready means loaded: the figures and the follow-ups are there, nothing loads.
        assert page.overview is not None
        assert page.follow_ups is not None and not page.follow_ups.reloader.loading
        err = capfd.readouterr().err
        ready = [line.split() for line in err.splitlines()
                 if line.startswith("boligsag-probe ready ")]
        assert len(ready) == 1 and ready[0][2] == "mainWindow"
        assert before < float(ready[0][3]) < time.monotonic()
        controller.quit(0)
    finally:
        app.removeEventFilter(probe)
        probe.deleteLater()


def test_the_main_window_builds_a_page_when_it_is_first_shown(
        qtbot: QtBot, main_window: MainWindow) -> None:
    assert main_window.findChild(QWidget, "page_start") is main_window.current_page()
    assert main_window.findChild(QWidget, "page_people") is None  # not built yet
    admin = main_window.page("admin")  # asked for while another page is shown
    assert admin is not None and main_window.current_page().page_id == "start"
    main_window.show_page("people")
    people = main_window.findChild(QWidget, "page_people")
    assert people is not None and people.isVisible() and main_window.current_page() is people
    main_window.show_page("admin")
    assert main_window.current_page() is admin and admin.isVisible()
    # Every page in the place of its navigation entry, each built once.
    assert [p.page_id for p in main_window.pages] == [
        main_window.nav.item(row).data(Qt.ItemDataRole.UserRole)
        for row in range(main_window.nav.count())]
    assert [main_window.stack.widget(row) for row in range(main_window.stack.count())] \
        == main_window.pages

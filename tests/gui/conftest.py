"""GUI tests: pytest-qt, offscreen, the real windows driven as a user would."""

from __future__ import annotations

import os
import tempfile

# Before Qt is imported anywhere: offscreen everywhere (CI too), never a real display,
# and never the developer's own settings file.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("BOLIGSAG_CONFIG_DIR", tempfile.mkdtemp(prefix="boligsag-gui-config-"))

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.i18n import set_language
from boligsag.services import unlock as unlock_service
from boligsag.services.context import AppContext
from boligsag.storage.throttle import UnlockThrottle
from boligsag.ui import demo
from boligsag.ui.events import AppEvents
from boligsag.ui.qt_translations import install_qt_translations
from boligsag.ui.shell.app import create_application
from boligsag.ui.shell.controller import AppController
from boligsag.ui.shell.main_window import MainWindow


@pytest.fixture(scope="session", autouse=True)
def boligsag_app(qapp: QApplication) -> QApplication:
    """pytest-qt's QApplication, set up exactly as ``boligsag`` sets up its own."""
    create_application()
    return qapp


@pytest.fixture(autouse=True)
def gui_isolation(config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Danish, a fresh unlock throttle and a private settings folder for every test;
    no background work may outlive its test."""
    monkeypatch.setattr(unlock_service, "THROTTLE", UnlockThrottle())
    set_language("da")
    install_qt_translations("da")
    yield
    QThreadPool.globalInstance().waitForDone(10_000)
    set_language("da")
    install_qt_translations("da")


@pytest.fixture
def settings(config_dir: Path) -> AppSettings:
    return AppSettings(config_dir)


@pytest.fixture
def main_window(qtbot, ctx: AppContext, settings: AppSettings) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def demo_window(qtbot: QtBot, settings: AppSettings, tmp_path,  # type: ignore[no-untyped-def]
                monkeypatch: pytest.MonkeyPatch) -> Iterator[QWidget]:
    """A small demo's main window, shown at a laptop's size and active."""
    monkeypatch.setattr(demo, "DEMO_PEOPLE", 30)
    monkeypatch.setattr(demo, "DEMO_CONTACTS", 200)
    controller = AppController(settings, tmp_path / "never-used.db", demo=True)
    controller.start()
    qtbot.waitUntil(lambda: controller.window is not None, timeout=60_000)
    window = controller.window
    assert window is not None
    window.resize(1366, 768)
    window.activateWindow()
    qtbot.waitExposed(window)
    yield window
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        window.close()

"""``boligsag --demo``: a populated, throwaway database, opened without a password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from boligsag.app_settings import LAST_DATABASE, LAST_USERNAME, AppSettings
from boligsag.ui import demo
from boligsag.ui.shell.controller import AppController

from .helpers import child


def test_demo_mode_opens_a_populated_window_and_cleans_up(
        qtbot: QtBot, settings: AppSettings, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(demo, "DEMO_PEOPLE", 30)
    monkeypatch.setattr(demo, "DEMO_CONTACTS", 200)
    controller = AppController(settings, tmp_path / "never-used.db", demo=True)
    controller.start()
    session = controller.demo_session
    assert session is not None and session.folder is not None and session.folder.is_dir()
    folder = session.folder
    qtbot.waitUntil(lambda: controller.window is not None, timeout=60_000)
    window = controller.window
    assert window is not None
    start = window.page("start")
    qtbot.waitUntil(lambda: start.overview is not None, timeout=10_000)  # type: ignore[union-attr]
    assert int(child(window, QLabel, "figureValue_people").text()) > 0
    assert int(child(window, QLabel, "figureValue_contacts").text().replace(".", "")) > 0
    assert "DEMO" in child(window, QLabel, "statusDemo").text()
    assert "Demo" in window.windowTitle()
    window.show_page("admin")
    table = child(window, QTableView, "usersTable")
    qtbot.waitUntil(lambda: table.model().rowCount() > 1, timeout=10_000)
    # A demo is never remembered as the database to open next time.
    assert settings.get(LAST_DATABASE) == "" and settings.get(LAST_USERNAME) == ""
    assert not (tmp_path / "never-used.db").exists()

    with qtbot.waitSignal(controller.finished):
        window.close()
    assert not folder.exists()


def test_cancelling_the_demo_removes_its_folder(qtbot: QtBot, settings: AppSettings,
                                                tmp_path) -> None:  # type: ignore[no-untyped-def]
    controller = AppController(settings, tmp_path / "x.db", demo=True)
    controller.start()
    session = controller.demo_session
    assert session is not None and session.progress is not None
    folder = session.folder
    with qtbot.waitSignal(controller.finished, timeout=60_000) as finished:
        qtbot.mouseClick(session.progress.findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert finished.args == [0]
    assert controller.window is None and folder is not None and not folder.exists()

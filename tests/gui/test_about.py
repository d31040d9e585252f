"""Hjælp → Om Boligsag on the real main window: the version, where the data lives and
the licences of the bundled libraries, with their texts."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QTableWidget
from pytestqt.qtbot import QtBot

from boligsag import __version__
from boligsag.app_settings import AppSettings, default_database_path
from boligsag.services.context import AppContext
from boligsag.ui.about import AboutDialog, components, licence_text
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child


def open_about(qtbot: QtBot, window: MainWindow) -> AboutDialog:
    menu_action = child(window, QAction, "menuHelpAction")
    assert menu_action.text() == "&Hjælp"
    action = child(window, QAction, "actionAbout")
    assert action.text() == "&Om Boligsag"
    assert action.property("accessibleName") == "Om Boligsag"
    action.trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), AboutDialog))
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, AboutDialog)
    qtbot.waitExposed(dialog)
    return dialog


def test_about_shows_version_data_places_and_licences(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext, settings: AppSettings,
        config_dir: Path) -> None:
    dialog = open_about(qtbot, main_window)
    assert dialog.windowTitle() == "Om Boligsag"
    assert child(dialog, QLabel, "aboutVersion").text() == f"Boligsag {__version__}"

    # Where the data lives: the open database, the user data folder, the settings file.
    assert child(dialog, QLabel, "aboutDatabase").text() == str(ctx.db.path)
    assert child(dialog, QLabel, "aboutDataFolder").text() == str(default_database_path().parent)
    assert child(dialog, QLabel, "aboutSettingsFile").text() == str(
        config_dir / "settings.json") == str(settings.path)

    table = child(dialog, QTableWidget, "aboutComponents")
    rows = {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
            for r in range(table.rowCount())}
    assert rows["Qt"][1] == "LGPL-3.0-only"
    assert rows["SQLCipher"][1] == "BSD-3-Clause"
    assert rows["SQLAlchemy"] == ("2.1.9", "MIT")
    assert "reportlab" in rows and "cryptography" in rows and "DejaVu fonts" in rows

    text = child(dialog, QPlainTextEdit, "aboutLicenceText")
    dialog.show_component("Qt")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text.toPlainText()
    assert "Version 3" in text.toPlainText()
    dialog.show_component("SQLCipher")
    assert "ZETETIC LLC" in text.toPlainText()
    assert "Redistribution and use in source and binary forms" in text.toPlainText()

    dialog.show_component("Qt")
    if os.environ.get("BOLIGSAG_SHOTS"):  # a screenshot to look at, when asked for
        shots = Path(os.environ["BOLIGSAG_SHOTS"]) / "about"
        shots.mkdir(parents=True, exist_ok=True)
        assert dialog.grab().save(str(shots / "about.png"))

    dialog.reject()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)


def test_every_listed_component_has_a_licence_and_its_text() -> None:
    listed = components()
    assert [c["name"] for c in listed[:2]] == ["Qt", "SQLCipher"]
    for component in listed:
        assert component["licence"], component
        assert licence_text(component).strip(), component

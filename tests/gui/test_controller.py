"""The whole flow as a newcomer meets it: wizard → login → main window, then the
language switch, logging off and quitting."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenuBar,
    QMessageBox,
    QWizard,
)
from pytestqt.qtbot import QtBot

from boligsag.app_settings import LANGUAGE, LAST_DATABASE, LAST_USERNAME, AppSettings
from boligsag.i18n import current_language
from boligsag.storage.errors import IntegrityFailed
from boligsag.ui.shell import controller as controller_module
from boligsag.ui.shell.controller import AppController
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.unlock_dialog import UnlockDialog

from ..conftest import CreatedDb
from .helpers import child, click, click_list_row, type_into

PASSWORD = "en lang sætning om Ærø"


def wait_for_window(qtbot: QtBot, controller: AppController) -> MainWindow:
    qtbot.waitUntil(lambda: controller.window is not None, timeout=10_000)
    window = controller.window
    assert window is not None
    start = window.page("start")
    # A page loads when shown: after a language switch the window opens on the page the
    # user was on, and the start page stays unloaded until it is shown.
    qtbot.waitUntil(lambda: window.current_page() is not start
                    or start.overview is not None,  # type: ignore[union-attr]
                    timeout=10_000)
    return window


def log_in(qtbot: QtBot, controller: AppController, password: str) -> MainWindow:
    dialog = controller.unlock_dialog
    assert isinstance(dialog, UnlockDialog)
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog, "passwordEdit", password)
    click(qtbot, dialog, "unlockButton")
    return wait_for_window(qtbot, controller)


def test_first_run_wizard_then_login_then_main_window(qtbot: QtBot, tmp_path: Path,
                                                      settings: AppSettings) -> None:
    path = tmp_path / "data" / "boligsag.db"
    controller = AppController(settings, path)
    controller.start()
    wizard = controller.wizard
    assert wizard is not None and controller.unlock_dialog is None
    click(qtbot, wizard, "wizardNextButton")
    type_into(qtbot, wizard, "organisationNameEdit", "Boligsocial indsats Ærtebjerg")
    click(qtbot, wizard, "wizardNextButton")
    type_into(qtbot, wizard, "planNameEdit", "Helhedsplan Ærtebjerg")
    click(qtbot, wizard, "wizardNextButton")
    type_into(qtbot, wizard, "areaNameEdit", "Søndergården")
    click(qtbot, wizard, "wizardNextButton")
    type_into(qtbot, wizard, "adminFullNameEdit", "Mette Ørum")
    type_into(qtbot, wizard, "adminUsernameEdit", "mette")
    type_into(qtbot, wizard, "adminPasswordEdit", PASSWORD)
    type_into(qtbot, wizard, "adminRepeatEdit", PASSWORD)
    click(qtbot, wizard, "wizardCommitButton")
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery, timeout=15_000)
    child(wizard, QCheckBox, "recoveryConfirmCheck").setChecked(True)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)

    dialog = controller.unlock_dialog
    assert isinstance(dialog, UnlockDialog)
    assert settings.get(LAST_DATABASE) == str(path)
    assert child(dialog, QLineEdit, "usernameEdit").text() == "mette"
    type_into(qtbot, dialog, "passwordEdit", "ikke den rigtige")
    click(qtbot, dialog, "unlockButton")
    error = child(dialog, QLabel, "unlockError")
    qtbot.waitUntil(error.isVisible, timeout=10_000)
    assert error.text() == "Forkert brugernavn eller adgangskode."

    window = log_in(qtbot, controller, PASSWORD)
    assert child(window, QLabel, "statusUser").text() == "Mette Ørum · Administrator"
    assert settings.get(LAST_USERNAME) == "mette"
    nav = child(window, QListWidget, "navigationList")
    click_list_row(qtbot, nav, 1)
    assert window.current_page().page_id == "people"
    controller.shutdown()
    assert controller.ctx is None and controller.window is None


def test_language_switch_shows_english_at_once(qtbot: QtBot, created_db: CreatedDb,
                                               settings: AppSettings) -> None:
    controller = AppController(settings, created_db.path)
    controller.start()
    type_into(qtbot, controller.unlock_dialog, "usernameEdit", "admin")
    window = log_in(qtbot, controller, created_db.password)
    window.show_page("people")
    child(window, QAction, "actionLanguage_en").trigger()

    english = wait_for_window(qtbot, controller)
    assert english is not window
    assert current_language() == "en" and settings.get(LANGUAGE) == "en"
    nav = child(english, QListWidget, "navigationList")
    assert [nav.item(i).text() for i in range(nav.count())] == [
        "Overview", "People", "My cases", "Activities", "Contacts", "Referrals",
        "Summaries", "Administration"]
    assert english.current_page().page_id == "people"  # the same page, now in English
    menus = [a.text() for a in child(english, QMenuBar, "menuBar").actions()
             if a.isVisible()]
    assert menus == ["&File", "&Register", "&View", "People", "&Language", "&Help"]
    assert child(english, QLabel, "statusUser").text() == "Åse Nørgaard · Administrator"
    assert controller.ctx is not None  # the database stayed open

    # Logging off shows the login dialog, in English too.
    child(english, QAction, "actionLogOff").trigger()
    assert controller.ctx is None
    dialog = controller.unlock_dialog
    assert dialog is not None
    assert dialog.windowTitle() == "Boligsag – log in"
    assert child(dialog, QLineEdit, "usernameEdit").text() == "admin"
    controller.shutdown()


def test_quitting_from_the_login_dialog_ends_the_application(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings) -> None:
    controller = AppController(settings, created_db.path)
    controller.start()
    dialog = controller.unlock_dialog
    assert dialog is not None
    with qtbot.waitSignal(controller.finished) as finished:
        click(qtbot, dialog, "quitButton")
    assert finished.args == [0] and controller.exit_code == 0


def test_quitting_in_the_moment_between_login_and_the_window_leaves_no_window(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings) -> None:
    """The main window is built, then shown on the next turn of the event loop (two
    shorter waits for the GUI thread than one long one). The application may end in
    between (a signal, a log-off): the built window is closed, never shown later."""
    controller = AppController(settings, created_db.path)
    controller.start()
    dialog = controller.unlock_dialog
    assert isinstance(dialog, UnlockDialog)
    type_into(qtbot, dialog, "usernameEdit", "admin")
    type_into(qtbot, dialog, "passwordEdit", created_db.password)
    built: list[MainWindow] = []
    original = controller.open_main

    def open_then_quit(ctx, page_id="start"):  # type: ignore[no-untyped-def]
        original(ctx, page_id)
        built.append(controller._unshown)  # type: ignore[arg-type]
        controller.quit(0)  # in the same turn: before the window is shown

    controller.open_main = open_then_quit  # type: ignore[method-assign]
    with qtbot.waitSignal(controller.finished):
        click(qtbot, dialog, "unlockButton")
    qtbot.wait(100)
    (window,) = built
    assert controller.window is None and controller.ctx is None
    assert not shiboken6.isValid(window) or not window.isVisible()  # closed (and deleted)


def test_a_failed_integrity_check_is_reported_after_login(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def damaged(ctx: object) -> None:
        raise IntegrityFailed(created_db.path, "page 7")

    monkeypatch.setattr(controller_module, "verify_integrity", damaged)
    controller = AppController(settings, created_db.path)
    controller.start()
    type_into(qtbot, controller.unlock_dialog, "usernameEdit", "admin")
    window = log_in(qtbot, controller, created_db.password)
    qtbot.waitUntil(lambda: window.findChild(QLabel, "integrityWarning") is not None,
                    timeout=10_000)
    warning = child(window, QLabel, "integrityWarning")
    assert warning.text().startswith("Databasen bestod ikke integritetskontrollen.")
    message = child(window, QMessageBox, "integrityMessage")
    assert message.text() == warning.text()
    controller.shutdown()

"""Enter after a wrong password: it must try again, never quit or log off.

A real desktop gives the dialog keyboard focus, and Qt then lets an "auto-default"
button that passes focus become the default; so these tests activate the window first
(offscreen, an inactive window hides the trap)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.services.unlock import lock
from boligsag.ui.password_dialogs import ReauthDialog
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.unlock_dialog import UnlockDialog

from ..conftest import ADMIN_PASSWORD, CreatedDb
from .helpers import child, type_text


def activate(qtbot: QtBot, dialog: QDialog) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)


def press_enter_in(qtbot: QtBot, edit: QLineEdit) -> None:
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_enter_after_a_wrong_password_logs_in_and_never_quits(
        qtbot: QtBot, created_db: CreatedDb) -> None:
    dialog = UnlockDialog(created_db.path, "admin")
    qtbot.addWidget(dialog)
    activate(qtbot, dialog)
    rejected: list[bool] = []
    dialog.rejected.connect(lambda: rejected.append(True))
    password = child(dialog, QLineEdit, "passwordEdit")
    type_text(qtbot, password, "forkert-men-langt")
    press_enter_in(qtbot, password)
    error = child(dialog, QLabel, "unlockError")
    qtbot.waitUntil(lambda: error.isVisible() and password.isEnabled(), timeout=10_000)
    assert error.text() == "Forkert brugernavn eller adgangskode."

    # The cursor is back in the password field, the wrong text selected to be typed over.
    assert dialog.focusWidget() is password
    assert password.selectedText() == password.text()
    assert child(dialog, QPushButton, "unlockButton").isDefault()
    assert not child(dialog, QPushButton, "quitButton").isDefault()

    type_text(qtbot, password, created_db.password)
    assert password.text() == created_db.password
    with qtbot.waitSignal(dialog.unlocked, timeout=10_000) as unlocked:
        press_enter_in(qtbot, password)
    ctx: AppContext = unlocked.args[0]
    lock(ctx)
    assert not rejected  # Enter never meant "Afslut"


def test_enter_after_a_wrong_password_unlocks_and_never_logs_off(
        qtbot: QtBot, main_window: MainWindow) -> None:
    main_window.lock_now()
    dialog = child(main_window, ReauthDialog, "reauthDialog")
    activate(qtbot, dialog)
    logged_off: list[bool] = []
    main_window.log_off_requested.connect(lambda: logged_off.append(True))
    password = child(dialog, QLineEdit, "reauthPasswordEdit")
    password.setFocus()
    type_text(qtbot, password, "forkert-adgangskode")
    press_enter_in(qtbot, password)
    error = child(dialog, QLabel, "reauthError")
    qtbot.waitUntil(lambda: error.isVisible() and password.isEnabled(), timeout=10_000)
    assert error.text() == "Adgangskoden er forkert."
    assert dialog.focusWidget() is password
    assert password.selectedText() == password.text()
    assert child(dialog, QPushButton, "reauthOkButton").isDefault()
    assert not child(dialog, QPushButton, "reauthLogOffButton").isDefault()

    type_text(qtbot, password, ADMIN_PASSWORD)
    press_enter_in(qtbot, password)
    qtbot.waitUntil(lambda: not main_window.locked, timeout=10_000)
    assert not logged_off  # Enter never meant "Log af"

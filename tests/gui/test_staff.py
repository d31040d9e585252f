"""Medarbejdere (issue 9 item 1): an administrator adds a colleague in the real window;
the colleague logs in with the one-time password, must choose their own, and lands in
the main window. Deactivation, the last administrator and a reset, as a user meets them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QMessageBox, QTableView
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.domain.enums import Role
from boligsag.services.context import AppContext
from boligsag.services.staff import StaffInput, add_staff, find_staff, update_staff
from boligsag.services.unlock import lock, unlock
from boligsag.storage.errors import WrongPassword
from boligsag.ui.admin_panels.staff import StaffPanel
from boligsag.ui.admin_panels.staff_dialog import OneTimePasswordDialog, StaffDialog
from boligsag.ui.errors import stale_form_text
from boligsag.ui.models.users import Column, UsersModel
from boligsag.ui.password_dialogs import FirstPasswordDialog
from boligsag.ui.shell.controller import AppController
from boligsag.ui.shell.main_window import MainWindow

from ..conftest import CreatedDb
from .helpers import child, click, type_into

ONE_TIME = "engangs-kode-123"


def staff_tab(qtbot: QtBot, window: MainWindow, rows: int) -> StaffPanel:
    window.show_page("admin")
    panel = child(window, StaffPanel, "staffPanel")
    model = child(panel, QTableView, "usersTable").model()
    qtbot.waitUntil(lambda: model.rowCount() == rows, timeout=10_000)
    return panel


def select(panel: StaffPanel, username: str) -> None:
    model: UsersModel = panel.model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).username == username)
    panel.table.selectRow(row)


def status_of(panel: StaffPanel, username: str) -> str:
    model = panel.model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).username == username)
    return str(model.index(row, Column.STATUS).data())


def log_in(qtbot: QtBot, controller: AppController, username: str, password: str) -> None:
    dialog = controller.unlock_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog, "usernameEdit", username)
    type_into(qtbot, dialog, "passwordEdit", password)
    click(qtbot, dialog, "unlockButton")


def window_of(qtbot: QtBot, controller: AppController) -> MainWindow:
    qtbot.waitUntil(lambda: controller.window is not None, timeout=10_000)
    assert controller.window is not None
    return controller.window


def test_an_administrator_adds_a_colleague_who_chooses_a_password_at_first_log_in(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings) -> None:
    controller = AppController(settings, created_db.path)
    controller.start()
    log_in(qtbot, controller, "admin", created_db.password)
    panel = staff_tab(qtbot, window_of(qtbot, controller), rows=1)

    click(qtbot, panel, "newStaffButton")
    dialog = panel.dialog
    assert isinstance(dialog, StaffDialog)
    qtbot.waitExposed(dialog)
    assert "mindst 10 tegn" in child(dialog, QLabel, "staffPasswordRules").text()
    # Nothing filled in: the messages appear under the fields, nothing is created.
    click(qtbot, dialog, "staffOkButton")
    assert child(dialog, QLabel, "staffPasswordError").text() == \
        "Adgangskoden skal være på mindst 10 tegn."
    type_into(qtbot, dialog, "staffPasswordEdit", ONE_TIME)
    type_into(qtbot, dialog, "staffRepeatEdit", ONE_TIME)
    click(qtbot, dialog, "staffOkButton")
    name_error = child(dialog, QLabel, "staffError_full_name")
    qtbot.waitUntil(name_error.isVisible, timeout=10_000)
    assert name_error.text() == "Skriv personens fulde navn."

    type_into(qtbot, dialog, "staffEdit_full_name", "Mette Ølgaard")
    type_into(qtbot, dialog, "staffEdit_username", "mette")
    roles = child(dialog, QComboBox, "staffRoleCombo")
    roles.setCurrentIndex(roles.findData(Role.TEAM_LEAD.value))
    boxes = [b for b in dialog.findChildren(QCheckBox) if b.objectName().startswith("staffArea_")]
    assert sorted(b.text() for b in boxes) == ["Søndergården", "Ærtebjerg Øst"]
    next(b for b in boxes if b.text() == "Søndergården").setChecked(True)
    type_into(qtbot, dialog, "staffEdit_title", "Teamleder")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        click(qtbot, dialog, "staffOkButton")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=10_000)
    select(panel, "mette")
    mette = panel.chosen()
    assert mette is not None and mette.area_names == ("Søndergården",)
    assert mette.role == Role.TEAM_LEAD and status_of(panel, "mette") == "Aktiv"

    # Mette logs in with the one-time password and must choose her own first.
    child(controller.window, QAction, "actionLogOff").trigger()
    log_in(qtbot, controller, "mette", ONE_TIME)
    qtbot.waitUntil(lambda: controller.first_password_dialog is not None, timeout=10_000)
    first = controller.first_password_dialog
    assert isinstance(first, FirstPasswordDialog) and controller.window is None
    type_into(qtbot, first, "firstPasswordEdit", ONE_TIME)
    type_into(qtbot, first, "firstRepeatEdit", ONE_TIME)
    click(qtbot, first, "firstPasswordOkButton")
    error = child(first, QLabel, "firstPasswordError")
    qtbot.waitUntil(error.isVisible, timeout=10_000)
    assert error.text() == "Vælg din egen adgangskode, ikke engangsadgangskoden."
    assert controller.window is None
    type_into(qtbot, first, "firstPasswordEdit", "mettes-egen-kode")
    type_into(qtbot, first, "firstRepeatEdit", "mettes-egen-kode")
    click(qtbot, first, "firstPasswordOkButton")
    window = window_of(qtbot, controller)
    assert child(window, QLabel, "statusUser").text() == "Mette Ølgaard · Teamleder"
    controller.shutdown()
    lock(unlock(created_db.path, "mette", "mettes-egen-kode"))


def test_logging_off_instead_of_choosing_a_password_closes_the_database(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings, ctx: AppContext) -> None:
    add_staff(ctx, "ole", StaffInput("Ole Olsen", Role.STAFF), ONE_TIME)
    controller = AppController(settings, created_db.path)
    controller.start()
    log_in(qtbot, controller, "ole", ONE_TIME)
    qtbot.waitUntil(lambda: controller.first_password_dialog is not None, timeout=10_000)
    click(qtbot, controller.first_password_dialog, "firstPasswordCancelButton")
    assert controller.ctx is None and controller.window is None
    assert controller.unlock_dialog is not None  # back at the log-in, Ole's password unchanged
    lock(unlock(created_db.path, "ole", ONE_TIME))
    controller.shutdown()


def test_deactivate_reset_and_the_last_administrator_in_the_window(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext, created_db: CreatedDb,
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_staff(ctx, "ole", StaffInput("Ole Olsen", Role.STAFF), ONE_TIME)
    panel = staff_tab(qtbot, main_window, rows=2)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Yes)

    select(panel, "admin")  # oneself: refused with a clear message
    click(qtbot, panel, "toggleStaffButton")
    qtbot.waitUntil(panel.message.isVisible, timeout=10_000)
    assert panel.message.text() == "Du kan ikke deaktivere din egen konto."

    click(qtbot, panel, "editStaffButton")  # the last administrator cannot be demoted
    dialog = panel.dialog
    assert isinstance(dialog, StaffDialog)
    roles = child(dialog, QComboBox, "staffRoleCombo")
    roles.setCurrentIndex(roles.findData(Role.STAFF.value))
    click(qtbot, dialog, "staffOkButton")
    general = child(dialog, QLabel, "staffDialogError")
    qtbot.waitUntil(general.isVisible, timeout=10_000)
    assert general.text() == ("Åse Nørgaard er den sidste aktive administrator. Gør først en "
                              "anden bruger til administrator.")
    dialog.reject()

    select(panel, "ole")
    click(qtbot, panel, "resetPasswordButton")
    reset = panel.dialog
    assert isinstance(reset, OneTimePasswordDialog)
    type_into(qtbot, reset, "oneTimePasswordEdit", "ny-engangs-kode")
    type_into(qtbot, reset, "oneTimeRepeatEdit", "ny-engangs-kode")
    with qtbot.waitSignal(reset.accepted, timeout=10_000):
        click(qtbot, reset, "oneTimeOkButton")
    lock(unlock(created_db.path, "ole", "ny-engangs-kode"))

    select(panel, "ole")
    click(qtbot, panel, "toggleStaffButton")
    qtbot.waitUntil(lambda: status_of(panel, "ole") == "Deaktiveret", timeout=10_000)
    with pytest.raises(WrongPassword):
        unlock(created_db.path, "ole", "ny-engangs-kode")
    select(panel, "ole")
    assert panel.active_button.text() == "Genaktivér…"
    assert not panel.reset_button.isEnabled()
    assert not find_staff(ctx, "ole").active


def test_enter_on_a_row_edits_and_a_change_made_meanwhile_is_not_overwritten(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    add_staff(ctx, "ole", StaffInput("Ole Olsen", Role.STAFF), ONE_TIME)
    panel = staff_tab(qtbot, main_window, rows=2)
    select(panel, "ole")
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)  # Enter (or a double click) opens it
    dialog = panel.dialog
    assert isinstance(dialog, StaffDialog)
    assert child(dialog, QLineEdit, "staffEdit_full_name").text() == "Ole Olsen"
    assert child(dialog, QLineEdit, "staffEdit_username").isReadOnly()

    # Another administrator saves Ole's title while the dialog is open.
    ole = find_staff(ctx, "ole")
    update_staff(ctx, ole.id, StaffInput("Ole Olsen", Role.STAFF, title="Brobygger"),
                 stamp=ole.stamp)
    type_into(qtbot, dialog, "staffEdit_title", "Mentor")
    click(qtbot, dialog, "staffOkButton")
    general = child(dialog, QLabel, "staffDialogError")
    qtbot.waitUntil(general.isVisible, timeout=10_000)
    assert general.text() == stale_form_text()  # every form's one stale-record message
    assert dialog.isVisible() and find_staff(ctx, "ole").title == "Brobygger"

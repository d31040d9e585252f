"""Medarbejdere: the administrator's staff manager.

The list shows every account (deactivated ones greyed, still listed: their names stay
on what they wrote). "Ny medarbejder…" creates an account with a one-time password,
"Redigér…" (or double-click / Enter on a row) changes name, role, areas and contact
details, "Nulstil adgangskode…" gives a new one-time password, and "Deaktivér" /
"Genaktivér" stops or restores log-in. The service decides what is allowed (the last
administrator, one's own account); refusals appear in the message line under the list.

``StaffPanel(ctx, events)``.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.errors import StaleRecord
from boligsag.services.staff import (
    AreaChoice,
    StaffRow,
    deactivate_staff,
    list_area_choices,
    list_staff,
    reactivate_staff,
    reset_password,
)
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.models.table import setup_table
from boligsag.ui.models.users import Column, UsersModel
from boligsag.ui.reloader import Reloader
from boligsag.ui.widgets import FieldError, named

from .staff_dialog import OneTimePasswordDialog, StaffDialog


def _load(ctx: AppContext) -> tuple[list[StaffRow], list[AreaChoice]]:
    return list_staff(ctx), list_area_choices(ctx)

class StaffPanel(QWidget):
    def __init__(self, ctx: AppContext, events: AppEvents | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self.areas: list[AreaChoice] = []
        self.dialog: QWidget | None = None  # the open dialog, for tests
        named(self, "staffPanel", tr("Staff"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(10)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.add_button = named(QPushButton(tr("New staff member…")), "newStaffButton",
                                tr("New staff member"))
        self.add_button.setProperty("role", "primary")
        self.add_button.clicked.connect(self.add_staff)
        self.edit_button = named(QPushButton(tr("Edit…")), "editStaffButton",
                                 tr("Edit staff member"))
        self.edit_button.clicked.connect(self.edit_staff)
        self.reset_button = named(QPushButton(tr("Reset password…")), "resetPasswordButton",
                                  tr("Reset password"),
                                  tr("Give the person a one-time password"))
        self.reset_button.clicked.connect(self.reset_password)
        self.active_button = named(QPushButton(tr("Deactivate")), "toggleStaffButton",
                                   tr("Deactivate or reactivate the account"))
        self.active_button.clicked.connect(self.toggle_active)
        for button in (self.add_button, self.edit_button, self.reset_button,
                       self.active_button):
            bar.addWidget(button)
        bar.addStretch(1)
        layout.addLayout(bar)

        self.model = UsersModel(self)
        # Areas and titles share what is left, so a long title never squeezes the areas
        # to nothing at 1366 px; cut text ends in "…" with the whole text as tooltip.
        self.table = setup_table(
            named(QTableView(), "usersTable", tr("Staff accounts")), self.model,
            stretch=(Column.AREAS, Column.TITLE),
            fit=(Column.FULL_NAME, Column.USERNAME, Column.ROLE, Column.STATUS))
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        # Double-click or Enter on a row opens it, as everywhere else in the app.
        self.table.activated.connect(lambda _index: self.edit_staff())
        layout.addWidget(self.table, 1)

        self.message = FieldError("usersError")
        layout.addWidget(self.message)
        self._update_buttons()
        self.reloader = Reloader(self, events, {Entity.USERS}, loader=lambda: partial(
            _load, ctx), apply=self._show, failed=self._failed)

    # -- data -------------------------------------------------------------------------

    def _show(self, result: tuple[list[StaffRow], list[AreaChoice]]) -> None:
        rows, self.areas = result
        chosen = self.chosen()
        self.model.set_rows(rows)
        for row, staff in enumerate(rows):
            if chosen is not None and staff.id == chosen.id:
                self.table.selectRow(row)
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.message.show_message(error_text(error))
        if isinstance(error, StaleRecord):
            self.reloader.reload()  # show what the other administrator saved

    def chosen(self) -> StaffRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        staff = self.chosen()
        for button in (self.edit_button, self.active_button):
            button.setEnabled(staff is not None)
        self.reset_button.setEnabled(staff is not None and staff.active)
        reactivate = staff is not None and not staff.active
        self.active_button.setText(tr("Reactivate…") if reactivate else tr("Deactivate"))

    # -- commands ---------------------------------------------------------------------

    def _open(self, dialog: QWidget) -> None:
        self.message.clear_message()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()  # type: ignore[attr-defined]
        self.dialog = dialog

    def add_staff(self) -> None:
        self._open(StaffDialog(self.ctx, self.events, self.areas, None, self.window()))

    def edit_staff(self) -> None:
        staff = self.chosen()
        if staff is not None:
            self._open(StaffDialog(self.ctx, self.events, self.areas, staff, self.window()))

    def reset_password(self) -> None:
        staff = self.chosen()
        if staff is not None and staff.active:
            self._open(OneTimePasswordDialog(
                self.ctx, self.events, staff, tr("Reset password"), reset_password,
                tr("Set one-time password"), self.window()))

    def toggle_active(self) -> None:
        staff = self.chosen()
        if staff is None:
            return
        if not staff.active:
            self._open(OneTimePasswordDialog(
                self.ctx, self.events, staff, tr("Reactivate account"), reactivate_staff,
                tr("Reactivate"), self.window(), stamp=staff.stamp))
            return
        answer = QMessageBox.question(self, tr("Deactivate account"), tr(
            "Deactivate {name}? They can no longer log in. What they registered keeps "
            "their name, and you can reactivate the account later.", name=staff.full_name))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.message.clear_message()
        run_service(self, self.events, deactivate_staff, self.ctx, staff.id,
                    stamp=staff.stamp, on_failure=self._failed)


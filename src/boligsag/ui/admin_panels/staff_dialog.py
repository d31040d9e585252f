"""Add or edit one staff account, and give one a one-time password.

``StaffDialog``: name, username (fixed once created), role, the housing areas they work
in, job title, e-mail and phone; a new account also gets its one-time password here.
``OneTimePasswordDialog``: a reset, or the password a reactivated account starts with.
The service checks everything; its messages appear under the fields they concern.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.enums import Role
from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.errors import ValidationFailed
from boligsag.services.setup import MIN_PASSWORD_LENGTH
from boligsag.services.staff import AreaChoice, StaffInput, StaffRow, add_staff, update_staff
from boligsag.ui.errors import form_error_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.forms import FieldMessages, buddy
from boligsag.ui.labels import role_label
from boligsag.ui.password_fields import NewPasswordFields, enter_submits
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named, ok_cancel_buttons

ROLES = (Role.STAFF, Role.TEAM_LEAD, Role.VOLUNTEER, Role.ADMINISTRATOR)


def one_time_rules() -> str:
    return tr("A one-time password of at least {length} characters. Give it to the person "
              "in a safe way; they choose their own password the first time they log in.",
              length=MIN_PASSWORD_LENGTH)


def _dialog_layout(dialog: QDialog, icon: str, title: str, text: str) -> QVBoxLayout:
    dialog.setWindowTitle(title)
    dialog.setMinimumWidth(560)
    layout = QVBoxLayout(dialog)
    # Not SetMinimumSize as in other dialogs: this form's minimum (hidden message rows,
    # wrapped labels) is shorter than its rows need, which squeezed the fields into one
    # another. ``fit_height`` grows the window to its size hint instead.
    layout.setSizeConstraint(QLayout.SizeConstraint.SetDefaultConstraint)
    layout.setContentsMargins(26, 22, 26, 18)
    layout.setSpacing(12)
    layout.addWidget(DialogHeader(icon, title, text))
    return layout


def fit_height(dialog: QDialog) -> None:
    """Grow the dialog (never shrink it) to show every row at its natural height, e.g.
    when messages appear under the fields."""
    layout = dialog.layout()
    if layout is not None:
        layout.activate()
    dialog.resize(dialog.width(), max(dialog.height(), dialog.sizeHint().height()))


class _FittingDialog(QDialog):
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)


def _rules_label(name: str) -> QLabel:
    rules = named(QLabel(one_time_rules()), name, tr("Password rules"))
    rules.setWordWrap(True)
    rules.setProperty("role", "muted")
    return rules


def _full_height(*fields: QWidget) -> None:
    """The layout keeps the dialog at its minimum size, and a line edit's minimum is
    shorter than its normal height: without this the rows are squeezed into each other."""
    for field in fields:
        field.ensurePolished()  # the style sheet sets the real height
        field.setMinimumHeight(field.sizeHint().height())


def _align_labels(*forms: QFormLayout) -> None:
    """Two forms, one above the other, with their fields starting at the same x."""
    labels = [form.itemAt(row, QFormLayout.ItemRole.LabelRole) for form in forms
              for row in range(form.rowCount())]
    widgets = [item.widget() for item in labels if item is not None and item.widget()]
    width = max((w.sizeHint().width() for w in widgets), default=0)
    for widget in widgets:
        widget.setMinimumWidth(width)


class StaffDialog(_FittingDialog):
    def __init__(self, ctx: AppContext, events: AppEvents | None, areas: list[AreaChoice],
                 staff: StaffRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events, self.staff = ctx, events, staff
        self._busy = False
        title = tr("Edit staff member") if staff else tr("New staff member")
        named(self, "staffDialog", title)
        layout = _dialog_layout(self, "people", title, tr(
            "The role decides what the person may see and do. The housing areas are "
            "where they work."))
        self.errors = FieldMessages(FieldError("staffDialogError"))
        form = form_layout(8)
        form.setVerticalSpacing(6)
        self.full_name = self._line(form, "full_name", tr("&Full name"), tr("Full name"))
        self.username = self._line(form, "username", tr("&Username"), tr("Username"))
        self.role = named(QComboBox(), "staffRoleCombo", tr("Role"))
        for role in ROLES:
            self.role.addItem(role_label(role), role.value)
        self._row(form, "role", tr("&Role"), self.role)
        self.area_boxes: dict[int, QCheckBox] = {}
        area_list = QWidget()
        area_layout = QVBoxLayout(area_list)
        area_layout.setContentsMargins(0, 2, 0, 2)
        area_layout.setSpacing(4)
        for area in areas:
            box = named(QCheckBox(area.name), f"staffArea_{area.id}", area.name)
            self.area_boxes[area.id] = box
            area_layout.addWidget(box)
        if not areas:
            area_layout.addWidget(QLabel(tr("No housing areas are registered.")))
        area_list.setMinimumHeight(area_list.sizeHint().height())  # never squeezed
        area_label = QLabel(tr("Housing areas"))
        form.addRow(area_label, area_list)
        form.addRow("", self.errors.add("areas", FieldError("staffError_areas")))
        self.ssp = named(QCheckBox(tr("May read SSP notes")), "staffSspCheck",
                         tr("SSP access"))
        self.ssp.setToolTip(tr(
            "For staff in the SSP cooperation (section 115 of the Administration of Justice "
            "Act). Others see that an SSP note exists, never its text."))
        form.addRow(QLabel(tr("SSP access")), self.ssp)
        self.title_edit = self._line(form, "title", tr("Job &title"), tr("Job title"))
        self.title_edit.setPlaceholderText(tr("e.g. Boligsocial medarbejder"))
        self.email = self._line(form, "email", tr("&E-mail"), tr("E-mail"))
        self.phone = self._line(form, "phone", tr("&Phone"), tr("Phone"))
        self.passwords: NewPasswordFields | None = None
        layout.addLayout(form)
        if staff is None:
            # The rules above the fields, in the box layout (which gives wrapped text
            # its full height), not as a form row that could be cut off.
            layout.addWidget(_rules_label("staffPasswordRules"))
            password_form = form_layout(8)
            password_form.setVerticalSpacing(6)
            self.passwords = NewPasswordFields("staff", self)
            self.passwords.add_rows(password_form, tr("&One-time password"), tr("Re&peat"))
            _full_height(self.passwords.password, self.passwords.repeat)
            layout.addLayout(password_form)
            _align_labels(form, password_form)
        layout.addWidget(self.errors.general)
        buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(
            self, tr("Create") if staff is None else tr("Save"), "staff", self.submit)
        enter_submits(self.ok_button, self.cancel_button)
        layout.addWidget(buttons)
        if staff is not None:
            self._fill(staff)
        self.full_name.setFocus()

    def _line(self, form: QFormLayout, key: str, label: str, name: str) -> QLineEdit:
        edit = named(QLineEdit(), f"staffEdit_{key}", name)
        edit.setMinimumWidth(320)
        self._row(form, key, label, edit)
        return edit

    def _row(self, form: QFormLayout, key: str, label: str, field: QWidget) -> None:
        _full_height(field)
        form.addRow(buddy(label, field), field)
        form.addRow("", self.errors.add(key, FieldError(f"staffError_{key}")))

    def _fill(self, staff: StaffRow) -> None:
        self.full_name.setText(staff.full_name)
        self.username.setText(staff.username)
        self.username.setReadOnly(True)  # the key-file entry and the audit log use it
        self.username.setToolTip(tr("A username cannot be changed."))
        self.role.setCurrentIndex(max(0, self.role.findData(staff.role.value)))
        for area_id, box in self.area_boxes.items():
            box.setChecked(area_id in staff.area_ids)
        self.title_edit.setText(staff.title)
        self.email.setText(staff.email)
        self.phone.setText(staff.phone)
        self.ssp.setChecked(staff.ssp_access)

    def staff_input(self) -> StaffInput:
        return StaffInput(self.full_name.text(), Role(self.role.currentData()),
                          tuple(i for i, box in self.area_boxes.items() if box.isChecked()),
                          self.title_edit.text(), self.email.text(), self.phone.text(),
                          self.ssp.isChecked())

    def submit(self) -> None:
        if self._busy:
            return
        self.errors.clear()
        if self.passwords is not None and not self.passwords.check():
            fit_height(self)
            return
        self._set_busy(True)
        if self.staff is None:
            assert self.passwords is not None
            run_service(self, self.events, add_staff, self.ctx, self.username.text(),
                        self.staff_input(), self.passwords.text(),
                        on_success=self._done, on_failure=self._failed)
        else:
            run_service(self, self.events, update_staff, self.ctx, self.staff.id,
                        self.staff_input(), stamp=self.staff.stamp,
                        on_success=self._done, on_failure=self._failed)

    def _done(self, _row: StaffRow) -> None:
        self._set_busy(False)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if (isinstance(error, ValidationFailed) and "password" in error.fields
                and self.passwords is not None):
            self.passwords.show_error(error.field_messages()["password"])
            rest = {k: v for k, v in error.fields.items() if k != "password"}
            if not rest:
                self.errors.general.show_message(error.message())
                fit_height(self)
                return
            error = ValidationFailed(rest)
        self.errors.show(error)
        fit_height(self)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ok_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def reject(self) -> None:
        if not self._busy:
            super().reject()


class OneTimePasswordDialog(_FittingDialog):
    """A one-time password for ``staff``: the service call
    ``action(ctx, staff.id, password, **options)`` saves it."""

    def __init__(self, ctx: AppContext, events: AppEvents | None, staff: StaffRow,
                 title: str, action: Callable[..., Any], ok_text: str,
                 parent: QWidget | None = None, **options: Any) -> None:
        super().__init__(parent)
        self.ctx, self.events, self.staff, self.action = ctx, events, staff, action
        self.options = options
        self._busy = False
        named(self, "oneTimePasswordDialog", title)
        layout = _dialog_layout(self, "key", title, tr(
            "For {name} ({username}). Only the key file changes; the data stays as it is.",
            name=staff.full_name, username=staff.username))
        layout.addWidget(_rules_label("oneTimePasswordRules"))
        form = form_layout(8)
        self.passwords = NewPasswordFields("oneTime", self)
        self.passwords.add_rows(form, tr("&One-time password"), tr("Re&peat"))
        _full_height(self.passwords.password, self.passwords.repeat)
        layout.addLayout(form)
        self.error = FieldError("oneTimePasswordError")
        self.error.setProperty("role", "banner")
        layout.addWidget(self.error)
        buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(
            self, ok_text, "oneTime", self.submit)
        enter_submits(self.ok_button, self.cancel_button)
        layout.addWidget(buttons)
        self.passwords.password.setFocus()

    def submit(self) -> None:
        if self._busy or not self.passwords.check():
            fit_height(self)
            return
        self._busy = True
        self.ok_button.setEnabled(False)
        self.error.clear_message()
        run_service(self, self.events, self.action, self.ctx, self.staff.id,
                    self.passwords.text(), on_success=self._done, on_failure=self._failed,
                    **self.options)

    def _done(self, _result: object) -> None:
        self._busy = False
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.ok_button.setEnabled(True)
        if isinstance(error, ValidationFailed) and "password" in error.fields:
            self.passwords.show_error(error.field_messages()["password"])
        else:
            self.error.show_message(form_error_text(error))
        fit_height(self)

    def reject(self) -> None:
        if not self._busy:
            super().reject()

"""Forgotten password: the printed recovery key opens the database and the user
chooses a new password (only the key file changes, the database is not re-encrypted)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.database_files import recovery_key_well_formed
from boligsag.services.errors import ValidationFailed, WrongPassword
from boligsag.services.unlock import unlock_with_recovery_key
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.password_fields import NewPasswordFields, enter_submits
from boligsag.ui.theme import monospace_font
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named, ok_cancel_buttons


class RecoveryDialog(QDialog):
    unlocked = Signal(object)  # AppContext

    def __init__(self, db_path: Path, username: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self._busy = False
        named(self, "recoveryDialog", tr("Unlock with the recovery key"))
        self.setWindowTitle(tr("Forgotten password"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        # Grow the window when an error message appears, never squeeze other rows.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        layout.addWidget(DialogHeader("key", tr("Unlock with the recovery key"), tr(
            "Type the recovery key from the sheet printed when the database was created, "
            "then choose a new password for your username.")))

        form = form_layout(8)
        self.key = named(QLineEdit(), "recoveryKeyEdit", tr("Recovery key"))
        self.key.setFont(monospace_font(12))
        self.key.setMinimumWidth(420)  # the whole key visible; the layout sizes the window
        self.key.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.key_error = FieldError("recoveryKeyError")
        self.username = named(QLineEdit(username), "recoveryUsernameEdit", tr("Username"))
        self.username_error = FieldError("recoveryUsernameError")
        self.passwords = NewPasswordFields("recovery", self)
        for text, edit, error in ((tr("Recovery &key"), self.key, self.key_error),
                                  (tr("&Username"), self.username, self.username_error)):
            label = QLabel(text)
            label.setBuddy(edit)
            form.addRow(label, edit)
            form.addRow("", error)
        self.passwords.add_rows(form, tr("&New password"), tr("&Repeat password"))
        layout.addLayout(form)
        self.error = FieldError("recoveryError")
        self.error.setProperty("role", "banner")
        layout.addWidget(self.error)

        buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(
            self, tr("Unlock and save the new password"), "recovery", self._submit)
        enter_submits(self.ok_button, self.cancel_button)  # Enter never cancels
        layout.addWidget(buttons)
        self.key.setFocus()

    def _check(self) -> bool:
        for error in (self.key_error, self.username_error, self.error):
            error.clear_message()
        ok = True
        if not recovery_key_well_formed(self.key.text()):
            self.key_error.show_message(tr(
                "A recovery key has 32 letters and digits, in groups of four."))
            ok = False
        if not self.username.text().strip():
            self.username_error.show_message(tr("Enter your username."))
            ok = False
        return self.passwords.check() and ok

    def _submit(self) -> None:
        if self._busy or not self._check():
            return
        self._set_busy(True)
        path, key = self.db_path, self.key.text()
        username, password = self.username.text().strip(), self.passwords.text()
        run_in_background(
            self, lambda _task: unlock_with_recovery_key(path, key, username, password),
            on_success=self._succeeded, on_failure=self._failed)

    def _succeeded(self, ctx: AppContext) -> None:
        self._set_busy(False)
        self.passwords.clear()
        self.unlocked.emit(ctx)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, ValidationFailed) and "password" in error.fields:
            self.passwords.show_error(error.field_messages()["password"])
        elif isinstance(error, WrongPassword):
            # With a valid key, this means no active account has that username.
            self.username_error.show_message(tr("There is no active user with this username."))
            self.username.setFocus()
        else:
            self.error.show_message(error_text(error))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.key, self.username, self.passwords.password,
                       self.passwords.repeat, self.ok_button, self.cancel_button):
            widget.setEnabled(not busy)

    def reject(self) -> None:
        if not self._busy:
            super().reject()

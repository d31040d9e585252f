"""Change one's own password (also the forced change of a one-time password at log-in),
and re-authenticate after the window was locked."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services import unlock as unlock_service
from boligsag.services.context import AppContext
from boligsag.services.errors import ValidationFailed, WrongPassword
from boligsag.services.users import (
    change_own_password,
    replace_one_time_password,
    verify_own_password,
)
from boligsag.ui.background import run_in_background
from boligsag.ui.countdown import ThrottleCountdown
from boligsag.ui.errors import error_text
from boligsag.ui.labels import role_label
from boligsag.ui.password_fields import NewPasswordFields, enter_submits, retry_password
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named, ok_cancel_buttons


class ChangePasswordDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._busy = False
        named(self, "changePasswordDialog", tr("Change password"))
        self.setWindowTitle(tr("Change password"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        # Grow the window when an error message appears, never squeeze other rows.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        layout.addWidget(DialogHeader("key", tr("Change your password"), tr(
            "Only the key file changes; the data stays as it is.")))
        form = form_layout(8)
        self.old = named(QLineEdit(), "oldPasswordEdit", tr("Current password"))
        self.old.setEchoMode(QLineEdit.EchoMode.Password)
        self.old.setMinimumWidth(300)  # the layout sizes the window from its contents
        self.old_error = FieldError("oldPasswordError")
        label = QLabel(tr("&Current password"))
        label.setBuddy(self.old)
        form.addRow(label, self.old)
        form.addRow("", self.old_error)
        self.passwords = NewPasswordFields("change", self)
        self.passwords.add_rows(form, tr("&New password"), tr("&Repeat password"))
        layout.addLayout(form)
        buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(
            self, tr("Change password"), "changePassword", self._submit)
        enter_submits(self.ok_button, self.cancel_button)  # Enter never cancels
        layout.addWidget(buttons)
        self.old.setFocus()

    def _submit(self) -> None:
        self.old_error.clear_message()
        if self._busy or not self.passwords.check():
            return
        self._set_busy(True)
        old, new = self.old.text(), self.passwords.text()
        run_in_background(self, lambda _task: change_own_password(self.ctx, old, new),
                          on_success=lambda _result: self._done(), on_failure=self._failed)

    def _done(self) -> None:
        self._set_busy(False)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, WrongPassword):
            self.old_error.show_message(tr("The current password is not correct."))
            self.old.selectAll()
            self.old.setFocus()
        elif isinstance(error, ValidationFailed) and "password" in error.fields:
            self.passwords.show_error(error.field_messages()["password"])
        else:
            self.old_error.show_message(error_text(error))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.old, self.passwords.password, self.passwords.repeat,
                       self.ok_button, self.cancel_button):
            widget.setEnabled(not busy)

    def reject(self) -> None:
        if not self._busy:
            super().reject()


class ReauthDialog(QDialog):
    """Shown over the locked main window. Only the password of the logged-in user (or
    logging off, or quitting) gets past it; Escape and the close button do nothing."""

    verified = Signal()
    log_off_requested = Signal()

    def __init__(self, ctx: AppContext, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._busy = False
        named(self, "reauthDialog", tr("Boligsag is locked"))
        self.setWindowTitle(tr("Boligsag is locked"))
        self.setMinimumWidth(440)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        layout = QVBoxLayout(self)
        # Grow the window when an error message appears, never squeeze other rows.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        who = tr("Logged in as {name} ({role}).", name=ctx.actor.full_name,
                 role=role_label(ctx.actor.role))
        layout.addWidget(DialogHeader("lock", tr("Boligsag is locked"), f"{reason} {who}"))
        form = form_layout()
        self.password = named(QLineEdit(), "reauthPasswordEdit", tr("Password"))
        self.password.setMinimumWidth(300)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        label = QLabel(tr("&Password"))
        label.setBuddy(self.password)
        form.addRow(label, self.password)
        layout.addLayout(form)
        self.error = FieldError("reauthError")
        self.error.setProperty("role", "banner")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok_button = named(buttons.addButton(
            tr("Unlock"), QDialogButtonBox.ButtonRole.AcceptRole), "reauthOkButton",
            tr("Unlock"))
        self.log_off_button = named(buttons.addButton(
            tr("Log off"), QDialogButtonBox.ButtonRole.DestructiveRole), "reauthLogOffButton",
            tr("Log off"), tr("Close the database so another user can log in"))
        enter_submits(self.ok_button, self.log_off_button)
        buttons.accepted.connect(self._submit)
        self.log_off_button.clicked.connect(self._log_off)
        layout.addWidget(buttons)
        self.countdown = ThrottleCountdown(self)
        self.countdown.tick.connect(self._on_tick)
        self.countdown.start_if_needed()
        self.password.setFocus()

    def _submit(self) -> None:
        if self._busy or self.countdown.active():
            return
        password = self.password.text()
        if not password:
            self.error.show_message(tr("Enter your password."))
            return
        self._set_busy(True)
        run_in_background(self, lambda _task: verify_own_password(self.ctx, password),
                          on_success=self._checked, on_failure=self._failed)

    def _checked(self, ok: bool) -> None:
        self._set_busy(False)
        # The same per-process throttle as the login dialog: guessing here is no faster.
        throttle = unlock_service.THROTTLE
        if ok:
            self.password.clear()
            throttle.record_success()
            self.verified.emit()
            self.accept()
            return
        throttle.record_failure()
        self.error.show_message(tr("The password is not correct."))
        retry_password(self.password, self.ok_button)
        self.countdown.start_if_needed()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.error.show_message(error_text(error))
        retry_password(self.password, self.ok_button)

    def _on_tick(self, seconds: int) -> None:
        self.ok_button.setEnabled(seconds == 0 and not self._busy)
        if seconds:
            self.error.show_message(tr(
                "Too many failed attempts. You can try again in {seconds} seconds.",
                seconds=seconds))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.password, self.ok_button, self.log_off_button):
            widget.setEnabled(not busy)

    def _log_off(self) -> None:
        if not self._busy:
            self.log_off_requested.emit()
            self.done(QDialog.DialogCode.Rejected)

    def reject(self) -> None:
        """Escape must not reveal the window behind."""

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()


class FirstPasswordDialog(QDialog):
    """After logging in with a one-time password, before the main window opens: the
    user chooses their own. Cancelling logs out (the controller closes the database)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._busy = False
        named(self, "firstPasswordDialog", tr("Choose your password"))
        self.setWindowTitle(tr("Boligsag – choose your password"))
        self.setMinimumWidth(500)
        layout = QVBoxLayout(self)
        # Grow the window when an error message appears, never squeeze other rows.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        layout.addWidget(DialogHeader("key", tr("Choose your password"), tr(
            "Welcome, {name}. You logged in with a one-time password from your "
            "administrator. Choose your own password before you start; only you will "
            "know it.", name=ctx.actor.full_name)))
        form = form_layout(8)
        self.passwords = NewPasswordFields("first", self)
        self.passwords.add_rows(form, tr("&New password"), tr("&Repeat password"))
        layout.addLayout(form)
        self.error = FieldError("firstPasswordError")
        self.error.setProperty("role", "banner")
        layout.addWidget(self.error)
        buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(
            self, tr("Save and continue"), "firstPassword", self._submit)
        self.cancel_button.setText(tr("Log off"))
        self.cancel_button.setAccessibleName(tr("Log off"))
        enter_submits(self.ok_button, self.cancel_button)  # Enter never logs off
        layout.addWidget(buttons)
        self.passwords.password.setFocus()

    def _submit(self) -> None:
        if self._busy or not self.passwords.check():
            return
        self._set_busy(True)
        self.error.clear_message()
        new = self.passwords.text()
        run_in_background(self, lambda _task: replace_one_time_password(self.ctx, new),
                          on_success=lambda _result: self._done(), on_failure=self._failed)

    def _done(self) -> None:
        self._set_busy(False)
        self.passwords.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, ValidationFailed) and "password" in error.fields:
            self.passwords.show_error(error.field_messages()["password"])
            self.passwords.password.setFocus()
            self.passwords.password.selectAll()
        else:
            self.error.show_message(error_text(error))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.passwords.password, self.passwords.repeat, self.ok_button,
                       self.cancel_button):
            widget.setEnabled(not busy)

    def reject(self) -> None:
        if not self._busy:
            super().reject()

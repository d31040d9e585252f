"""New password + repeat + strength hint: the same fields in the first-run wizard, the
recovery dialog and the change-password dialog."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QAbstractButton, QFormLayout, QLabel, QLineEdit, QPushButton

from boligsag.i18n import tr
from boligsag.services.password_policy import MIN_PASSWORD_LENGTH
from boligsag.ui.widgets import FieldError, PasswordHint, named


class NewPasswordFields(QObject):
    def __init__(self, prefix: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.password = named(QLineEdit(), f"{prefix}PasswordEdit", tr("New password"))
        self.repeat = named(QLineEdit(), f"{prefix}RepeatEdit", tr("Repeat the new password"))
        for edit in (self.password, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.hint = PasswordHint(f"{prefix}PasswordHint")
        self.hint.setProperty("role", "small")
        self.password_error = FieldError(f"{prefix}PasswordError")
        self.repeat_error = FieldError(f"{prefix}RepeatError")
        self.password.textChanged.connect(self.hint.update_for)
        self.password.textChanged.connect(lambda _text: self.password_error.clear_message())
        self.repeat.textChanged.connect(lambda _text: self.repeat_error.clear_message())

    def add_rows(self, form: QFormLayout, password_label: str, repeat_label: str) -> None:
        for text, edit, below in ((password_label, self.password, (self.hint,
                                                                    self.password_error)),
                                  (repeat_label, self.repeat, (self.repeat_error,))):
            label = QLabel(text)
            label.setBuddy(edit)
            form.addRow(label, edit)
            for widget in below:
                form.addRow("", widget)

    def text(self) -> str:
        return self.password.text()

    def check(self) -> bool:
        """Show problems beside the fields; True when both are acceptable."""
        ok = True
        if len(self.password.text()) < MIN_PASSWORD_LENGTH:
            self.password_error.show_message(tr(
                "The password must be at least {length} characters long.",
                length=MIN_PASSWORD_LENGTH))
            ok = False
        elif self.password.text() != self.repeat.text():
            self.repeat_error.show_message(tr("The two passwords are not the same."))
            ok = False
        return ok

    def show_error(self, message: str) -> None:
        self.password_error.show_message(message)

    def clear(self) -> None:
        self.password.clear()
        self.repeat.clear()


def enter_submits(default: QPushButton, *others: QAbstractButton) -> None:
    """Enter means ``default`` ("Log ind", "Lås op") and nothing else, ever.

    In a QDialog every push button is "auto-default": one that receives focus becomes
    the default while it has it. While a log-in runs its fields and buttons are
    disabled, focus passes along the tab chain through "Afslut"/"Log af", and that
    button stayed the default after a wrong password, so the next Enter quit. Buttons
    that are not auto-default never take the default; Enter on them goes to the dialog,
    which clicks ``default`` (Space still presses a focused button)."""
    for button in others:
        if isinstance(button, QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
    default.setDefault(True)


def retry_password(edit: QLineEdit, default: QPushButton) -> None:
    """After a refused password: the submit button is the default again and the cursor
    is back in the field with the text selected, so typing replaces it."""
    default.setDefault(True)
    edit.setFocus()
    edit.selectAll()

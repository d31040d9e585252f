"""Asks for the password the team server wants when the one typed at unlock no longer
logs in (changed on the server) or none is in memory. Once the server accepts it,
``team.log_in`` wraps this laptop's key with it, so it opens Boligsag here from then on."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QLabel, QLayout, QLineEdit, QVBoxLayout, QWidget

from boligsag.i18n import tr
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named, ok_cancel_buttons

from .controller import PASSWORD_CHANGED, PASSWORD_REFUSED


class ServerPasswordDialog(QDialog):
    """Emits :attr:`password_given` with what was typed, then closes; the field is
    cleared at once (the sync controller keeps the password, nothing here does)."""

    password_given = Signal(str)

    def __init__(self, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = tr("Password for the team server")
        named(self, "serverPasswordDialog", title)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        if reason in (PASSWORD_CHANGED, PASSWORD_REFUSED):
            text = tr("Your password has been changed on the team server. Type the new "
                      "password. From then on, the new password also opens Boligsag on "
                      "this computer.")
        else:
            text = tr("Type your password for the team server to send and fetch changes.")
        layout.addWidget(DialogHeader("key", title, text))
        form = form_layout()
        self.password = named(QLineEdit(), "serverPasswordEdit", tr("Password"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMinimumWidth(300)
        label = QLabel(tr("&Password"))
        label.setBuddy(self.password)
        form.addRow(label, self.password)
        layout.addLayout(form)
        self.error = FieldError("serverPasswordError")
        self.error.setProperty("role", "banner")
        layout.addWidget(self.error)
        if reason == PASSWORD_REFUSED:
            self.error.show_message(tr("The team server did not accept the password. "
                                       "Try again."))
        buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(
            self, tr("Sync"), "serverPassword", self._submit)
        layout.addWidget(buttons)
        self.password.setFocus()

    def _submit(self) -> None:
        password = self.password.text()
        if not password:
            self.error.show_message(tr("Enter your password."))
            self.password.setFocus()
            return
        self.password.clear()
        self.password_given.emit(password)
        self.accept()

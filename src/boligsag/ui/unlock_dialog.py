"""Log in: username and password unlock the database (Argon2id, off the GUI thread).

The program's first window: it imports nothing of the storage layer (SQLAlchemy, the
models), which the unlock loads on its worker thread, nor the recovery dialog until it
is asked for (issue 14 §2; tests/gui/test_startup_imports.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.ui.background import run_in_background
from boligsag.ui.countdown import ThrottleCountdown
from boligsag.ui.errors import error_text
from boligsag.ui.help import FORGOTTEN_PASSWORD_TOPIC, add_help_key
from boligsag.ui.password_fields import enter_submits, retry_password
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named

if TYPE_CHECKING:
    from boligsag.services.context import AppContext


def _unlock(path: Path, username: str, password: str) -> AppContext:
    """On the worker thread: the first import of the unlock service there loads the
    storage layer while the dialog stays responsive."""
    from boligsag.services.unlock import UnlockOptions, unlock

    # The page-by-page integrity check runs after the window opens (see controller).
    return unlock(path, username, password, options=UnlockOptions(integrity_check=False))


class UnlockDialog(QDialog):
    """Emits :attr:`unlocked` with the open context, then accepts."""

    unlocked = Signal(object)  # AppContext
    # The password that unlocked, just before ``unlocked``: a replica's sync logs in to
    # the team server with it (kept in memory only; ui/sync/controller.py).
    password_used = Signal(str)

    def __init__(self, db_path: Path, username: str = "", parent: QWidget | None = None,
                 *, hint: str = "") -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self._busy = False
        named(self, "unlockDialog", tr("Log in to Boligsag"))
        self.setWindowTitle(tr("Boligsag – log in"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        # Grow the window when an error message appears, never squeeze other rows.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(14)
        layout.addWidget(DialogHeader("lock", tr("Log in to Boligsag"),
                                      tr("The database is encrypted. Your password opens it.")))

        if hint:
            hint_label = named(QLabel(hint), "unlockHint", hint)
            hint_label.setWordWrap(True)
            hint_label.setProperty("role", "muted")
            layout.addWidget(hint_label)

        form = form_layout(10)
        self.username = named(QLineEdit(username), "usernameEdit", tr("Username"))
        self.password = named(QLineEdit(), "passwordEdit", tr("Password"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        for edit in (self.username, self.password):
            edit.setMinimumWidth(330)  # the layout sizes the window from its contents
        for text, field in ((tr("&Username"), self.username), (tr("&Password"), self.password)):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        layout.addLayout(form)

        self.error = FieldError("unlockError")
        self.error.setProperty("role", "banner")
        layout.addWidget(self.error)

        links = QHBoxLayout()
        self.forgot = named(QPushButton(tr("Forgot your password?")), "forgotPasswordLink",
                            tr("Forgot your password?"),
                            tr("Unlock with the printed recovery key and choose a new password"))
        self.forgot.setFlat(True)
        self.forgot.setProperty("role", "link")
        self.forgot.setAutoDefault(False)
        self.forgot.setCursor(Qt.CursorShape.PointingHandCursor)
        self.forgot.clicked.connect(self._open_recovery)
        links.addWidget(self.forgot)
        links.addStretch(1)
        layout.addLayout(links)

        self.path_label = named(QLabel(tr("Database: {path}", path=str(self.db_path))),
                                "databasePathLabel", tr("Database file"))
        self.path_label.setProperty("role", "small")
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.path_label)

        buttons = QDialogButtonBox()
        self.unlock_button = named(
            buttons.addButton(tr("Log in"), QDialogButtonBox.ButtonRole.AcceptRole),
            "unlockButton", tr("Log in"))
        self.quit_button = named(
            buttons.addButton(tr("Quit"), QDialogButtonBox.ButtonRole.RejectRole),
            "quitButton", tr("Quit Boligsag"))
        enter_submits(self.unlock_button, self.quit_button, self.forgot)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.unlock_button)
        self.setTabOrder(self.unlock_button, self.quit_button)
        self.setTabOrder(self.quit_button, self.forgot)
        (self.password if username else self.username).setFocus()

        self.countdown = ThrottleCountdown(self)
        self.countdown.tick.connect(self._on_tick)
        self.countdown.start_if_needed()
        add_help_key(self, FORGOTTEN_PASSWORD_TOPIC)  # F1: the guide on a forgotten password

    # -- unlocking ------------------------------------------------------------------

    def _submit(self) -> None:
        if self._busy or self.countdown.active():
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.error.show_message(tr("Enter your username and password."))
            (self.username if not username else self.password).setFocus()
            return
        self._set_busy(True)
        path = self.db_path
        run_in_background(self, lambda _task: _unlock(path, username, password),
                          on_success=lambda ctx: self._succeeded(ctx, password),
                          on_failure=self._failed)

    def _succeeded(self, ctx: AppContext, password: str = "") -> None:
        self._set_busy(False)
        self.password.clear()
        if password:
            self.password_used.emit(password)
        self.unlocked.emit(ctx)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.error.show_message(error_text(error))
        retry_password(self.password, self.unlock_button)
        self.countdown.start_if_needed()

    def _on_tick(self, seconds: int) -> None:
        waiting = seconds > 0
        self.unlock_button.setEnabled(not waiting and not self._busy)
        if waiting:
            self.error.show_message(tr(
                "Too many failed attempts. You can try again in {seconds} seconds.",
                seconds=seconds))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.username, self.password, self.unlock_button, self.quit_button,
                       self.forgot):
            widget.setEnabled(not busy)
        self.unlock_button.setText(tr("Opening…") if busy else tr("Log in"))
        if busy:
            self.error.clear_message()

    def reject(self) -> None:
        # Never close while an unlock runs: its result would open a database nobody sees.
        if not self._busy:
            super().reject()

    # -- forgotten password ---------------------------------------------------------

    def _open_recovery(self) -> None:
        from boligsag.ui.recovery_dialog import RecoveryDialog

        dialog = RecoveryDialog(self.db_path, self.username.text().strip(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.unlocked.connect(self._succeeded)
        dialog.open()

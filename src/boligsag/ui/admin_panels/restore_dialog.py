"""Gendan sikkerhedskopi: the user's password opens the chosen backup read-only and
checks it (services/restore.inspect_backup, off the GUI thread); the dialog then says
when it was taken and what it holds, and "Gendan" asks the application to put it in
the database's place (``AppEvents.restore_requested``). Nothing changes before that."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from boligsag.formatting import number_text, short_date_time
from boligsag.i18n import tr
from boligsag.services import restore
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.widgets import named

_SHOWN = (("people", "People"), ("contacts", "Contacts"), ("referrals", "Referrals"),
          ("consents", "Consents"))


class RestoreDialog(QDialog):
    def __init__(self, backup: Path, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backup, self.username = backup, username
        self.contents: restore.BackupContents | None = None
        named(self, "restoreDialog", tr("Restore a backup"))
        self.setWindowTitle(tr("Restore a backup"))
        layout = QVBoxLayout(self)
        intro = QLabel(tr(
            "Restoring puts this backup in the place of the database. Everything "
            "written since the backup was taken is then not in the database; the "
            "database as it is now is kept beside it. Enter your password to check the "
            "backup first."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        form.addRow(tr("Backup"), QLabel(backup.name))
        self.password = named(QLineEdit(), "restorePasswordEdit", tr("Your password"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(tr("&Password"), self.password)
        layout.addLayout(form)
        self.summary = named(QLabel(), "restoreSummary", tr("What the backup holds"))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.check_button = named(self.buttons.addButton(
            tr("Check the backup"), QDialogButtonBox.ButtonRole.ActionRole),
            "checkBackupButton", tr("Check the backup"))
        self.restore_button = named(self.buttons.addButton(
            tr("Restore"), QDialogButtonBox.ButtonRole.AcceptRole),
            "restoreBackupButton", tr("Restore the backup"))
        self.restore_button.setEnabled(False)
        self.check_button.setDefault(True)
        self.check_button.clicked.connect(self.check)
        self.buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.accept)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def check(self) -> None:
        password = self.password.text()
        self.check_button.setEnabled(False)
        self.summary.setText(tr("Checking the backup…"))
        run_in_background(
            self, lambda _task: restore.inspect_backup(self.backup, self.username, password),
            on_success=self._checked, on_failure=self._failed)

    def _checked(self, contents: restore.BackupContents) -> None:
        self.contents = contents
        when = short_date_time(contents.taken_at) if contents.taken_at else tr("unknown")
        counts = ", ".join(f"{tr(label)}: {number_text(contents.counts.get(name, 0), 0)}"
                           for name, label in _SHOWN)
        self.summary.setText(tr("Taken {when}; checked, whole. {counts}.", when=when,
                                counts=counts))
        self.restore_button.setEnabled(True)
        self.restore_button.setDefault(True)
        self.restore_button.setFocus()
        self.adjustSize()  # the summary's lines, whole

    def _failed(self, error: BaseException) -> None:
        self.check_button.setEnabled(True)
        self.summary.setText(error_text(error))
        self.adjustSize()

"""Administration → Sikkerhedskopier: where this computer's backups go, a backup now,
and the verified backups in that folder (services/backups.py). The backup runs off the
GUI thread, and so does listing the folder; the list holds dates and file names only
(no database rows).

"Gendan…" opens the restore dialog for the chosen backup (restore_dialog.py); the
application controller does the restore with the database closed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from boligsag.formatting import number_text, short_date_time
from boligsag.i18n import tr
from boligsag.services import backups
from boligsag.services.context import AppContext
from boligsag.ui.admin_panels.restore_dialog import RestoreDialog
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.flow_layout import FlowLayout
from boligsag.ui.widgets import named


class BackupsPanel(QWidget):
    def __init__(self, ctx: AppContext, events: AppEvents,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        named(self, "backupsPanel", tr("Backups"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 16, 12, 12)
        layout.setSpacing(12)
        intro = QLabel(tr(
            "<p>A backup is an encrypted copy of the database with its key file, in a "
            "folder you choose: a network drive or a USB disk. It opens with the same "
            "passwords. Each backup is checked after it is written (it opens, passes the "
            "integrity check and holds the same number of rows); only checked backups "
            "are listed.</p>"
            "<p>Restoring a backup puts it in the place of the database; the database "
            "as it is now is kept beside it.</p>"))
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(intro)

        row = QHBoxLayout()
        self.folder = named(QLineEdit(), "backupFolderEdit", tr("Backup folder"))
        self.folder.setReadOnly(True)
        self.folder.setPlaceholderText(tr("No folder chosen yet"))
        label = QLabel(tr("&Folder"))
        label.setBuddy(self.folder)
        self.choose = named(QPushButton(tr("Choose folder…")), "chooseBackupFolderButton",
                            tr("Choose the backup folder"))
        self.choose.clicked.connect(self.choose_folder)
        row.addWidget(label)
        row.addWidget(self.folder, 1)
        row.addWidget(self.choose)
        layout.addLayout(row)

        self.backup_button = named(QPushButton(tr("Back up now")), "backupNowButton",
                                   tr("Back up now"))
        self.backup_button.setProperty("role", "primary")
        self.backup_button.clicked.connect(self.back_up_now)
        layout.addWidget(self.backup_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.state = named(QLabel(), "backupState", tr("Backup status"))
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        layout.addWidget(self._keep_row())
        heading = QLabel(tr("Checked backups in the folder, newest first"))
        heading.setProperty("role", "section")
        layout.addWidget(heading)
        self.list = named(QListWidget(), "backupList", tr("Checked backups"))
        layout.addWidget(self.list, 1)
        self.restore_button = named(QPushButton(tr("Restore…")), "restoreButton",
                                    tr("Restore the chosen backup"))
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.open_restore)
        self.list.currentRowChanged.connect(
            lambda row: self.restore_button.setEnabled(row >= 0))
        layout.addWidget(self.restore_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._paths: list[Path] = []
        self._show_folder(backups.backup_folder(ctx))

    def _keep_row(self) -> QWidget:
        """How many automatic backups rotation keeps: the newest of each day, week and
        month (services/backups.py Keep). It wraps to a second line when a large font
        leaves too little width."""
        keep_row = QWidget()
        row = FlowLayout(keep_row, spacing=6)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel(tr("Keep the newest backup of the last"))
        row.addWidget(label)
        keep = backups.keep_of(self.ctx)
        self.keep_spins: dict[str, QSpinBox] = {}
        for name, value, unit in (("daily", keep.daily, tr("days")),
                                  ("weekly", keep.weekly, tr("weeks")),
                                  ("monthly", keep.monthly, tr("months"))):
            spin = named(QSpinBox(), f"backupKeep_{name}",
                         tr("Backups kept: {unit}", unit=unit))
            spin.setRange(*backups.KEEP_LIMITS[name])
            spin.setValue(value)
            spin.setSuffix(f" {unit}")
            self.keep_spins[name] = spin
            row.addWidget(spin)
        if self.keep_spins:
            label.setBuddy(self.keep_spins["daily"])
        self.keep_button = named(QPushButton(tr("Save rotation")), "saveBackupKeepButton",
                                 tr("Save how many backups are kept"))
        self.keep_button.setToolTip(tr(
            "Older automatic backups are deleted when a new one is written. Data deleted "
            "or anonymised in Boligsag stays in older backups until they are deleted."))
        self.keep_button.clicked.connect(self.save_keep)
        row.addWidget(self.keep_button)
        return keep_row

    def save_keep(self) -> None:
        values = {name: spin.value() for name, spin in self.keep_spins.items()}
        run_service(self, self.events, backups.set_keep, self.ctx, values["daily"],
                    values["weekly"], values["monthly"],
                    on_success=lambda keep: self._kept(keep), on_failure=self._failed)

    def _kept(self, keep: backups.Keep) -> None:
        self.state.setProperty("role", "")
        self.state.setText(tr(
            "Rotation saved: the newest backup of the last {days} days, {weeks} weeks and "
            "{months} months is kept, and the 8 newest.",
            days=keep.daily, weeks=keep.weekly, months=keep.monthly))

    # -- the folder --------------------------------------------------------------------

    def choose_folder(self) -> None:
        current = self.folder.text() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, tr("Choose the backup folder"),
                                                  current)
        if chosen:
            self.set_folder(Path(chosen))

    def set_folder(self, folder: Path) -> None:
        run_service(self, self.events, backups.set_backup_folder, self.ctx, folder,
                    on_success=lambda _none: self._show_folder(folder.absolute()),
                    on_failure=self._failed)

    def _show_folder(self, folder: Path | None) -> None:
        self.folder.setText(str(folder) if folder else "")
        self.backup_button.setEnabled(folder is not None)
        self.refresh()

    # -- backing up --------------------------------------------------------------------

    def back_up_now(self) -> None:
        folder = backups.backup_folder(self.ctx)
        if folder is None:
            return
        self.backup_button.setEnabled(False)
        self.state.setProperty("role", "muted")
        self.state.setText(tr("Writing and checking the backup…"))
        run_in_background(self, lambda _task: backups.take_backup(self.ctx, folder),
                          on_success=self._backed_up, on_failure=self._failed)

    def _backed_up(self, made: backups.Backup) -> None:
        self.backup_button.setEnabled(True)
        self.state.setProperty("role", "")
        self.state.setText(tr("Backup written and checked {when}: {rows} rows.",
                              when=short_date_time(made.taken_at),
                              rows=number_text(made.rows, 0)))
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.backup_button.setEnabled(bool(self.folder.text()))
        self.state.setProperty("role", "error")
        self.state.setText(error_text(error))

    def refresh(self, then: Callable[[], None] | None = None) -> None:
        """List the folder's checked backups off the GUI thread (a network drive may be
        slow, or gone); ``then`` runs once they are shown."""

        def shown(found: list[backups.Backup]) -> None:
            self.list.clear()
            self._paths = [backup.path for backup in found]
            for backup in found:
                self.list.addItem(tr("{when} · {file}",
                                     when=short_date_time(backup.taken_at),
                                     file=backup.path.name))
            if then is not None:
                then()

        run_in_background(self, lambda _task: _checked_backups(self.ctx),
                          on_success=shown, on_failure=self._failed)

    # -- restoring ---------------------------------------------------------------------

    def newest(self) -> Path | None:
        """The newest checked backup in the folder, if any."""
        found = _checked_backups(self.ctx)
        return found[0].path if found else None

    def open_restore(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self._paths):
            return
        self.dialog = RestoreDialog(self._paths[row], self.ctx.actor.username, self)
        self.dialog.accepted.connect(self._restore_confirmed)
        self.dialog.open()

    def _restore_confirmed(self) -> None:
        dialog = self.dialog
        self.events.restore_requested.emit(dialog.backup, dialog.password.text())
        dialog.password.clear()


def _checked_backups(ctx: AppContext) -> list[backups.Backup]:
    folder = backups.backup_folder(ctx)
    return backups.list_backups(folder, ctx) if folder is not None else []

"""The app's automatic backups (issue 13 §1; services/backups.automatic_backup): at lock
and at close when something changed since the last backup, and while the app is open
once the last is a day old. Only when Administration → Sikkerhedskopier has a folder.

At lock and by the timer the backup runs off the GUI thread. At close it runs on the
GUI thread after the window is gone, before the database is closed: the app waits for
it (a quitting program has nothing else to do), so the day's work is backed up.

A folder that cannot be reached (the USB disk is not plugged in), or a backup that
failed its check, shows as a short warning in the status bar ("backupWarning"), the
reason in its tooltip; it is hidden again by the next good backup. Nothing is ever a dialog here: a
backup problem must not interrupt a social worker's work.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow

from boligsag.i18n import tr
from boligsag.services import backups
from boligsag.services.context import AppContext
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.theme import WARNING
from boligsag.ui.widgets import named

log = logging.getLogger(__name__)

DAILY = timedelta(hours=24)
CHECK_EVERY_MS = 30 * 60_000  # how often the app asks whether a day has passed


class AutoBackup(QObject):
    def __init__(self, window: QMainWindow, ctx: AppContext) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.running = False
        self.protected: frozenset[Path] = frozenset()
        self.warning = named(QLabel(), "backupWarning", tr("Backup warning"))
        self.warning.setStyleSheet(f"color: {WARNING};")
        self.warning.hide()
        window.statusBar().addWidget(self.warning)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(lambda: self.start(older_than=DAILY))
        self.timer.start()

    def at_lock(self) -> None:
        self.start()

    def start(self, *, older_than: timedelta | None = None) -> None:
        """One automatic backup off the GUI thread, unless one is running."""
        if self.running:
            return
        self.running = True
        run_in_background(
            self, lambda _task: backups.automatic_backup(self.ctx, older_than=older_than),
            on_success=self._done, on_failure=self._failed)

    def at_close(self) -> None:
        """The backup at close, waited for (see the module docstring). Its rotation
        leaves :attr:`protected` alone (a backup about to be restored)."""
        self.timer.stop()
        if self.running:
            return  # one is running off the thread already: it finishes by itself
        try:
            backups.automatic_backup(self.ctx, protect=self.protected)
        except Exception as error:  # closing must go on; it is said in the log
            log.warning("the backup at close failed: %s", type(error).__name__)

    def _done(self, made: backups.Backup | None) -> None:
        self.running = False
        if made is not None:
            self.warning.hide()

    def _failed(self, error: BaseException) -> None:
        self.running = False
        log.warning("an automatic backup failed: %s", type(error).__name__)
        # Short in the bar (a folder's path would push everything else out); the whole
        # reason in the tooltip and for screen readers.
        self.warning.setText(
            tr("No backup: the backup folder cannot be reached")
            if isinstance(error, backups.BackupFolderMissing)
            else tr("No backup: the last automatic backup failed"))
        self.warning.setToolTip(error_text(error))
        self.warning.setAccessibleDescription(error_text(error))
        self.warning.show()

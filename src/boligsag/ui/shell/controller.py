"""The application's flow: first-run wizard or unlock dialog → main window → log off /
quit. Holds the one open ``AppContext`` and closes it on the way out.

Start-up speed (issue 14 §2): this module is imported before the first window, so it
imports only what the unlock dialog needs. The main window, the first-run wizard, the
demo and the storage layer behind the services are imported where they are first used
(inside the methods below); the unlock itself imports the storage layer on its worker
thread.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QMessageBox

from boligsag.app_settings import LANGUAGE, LAST_DATABASE, LAST_USERNAME, AppSettings
from boligsag.formatting import short_date_time
from boligsag.i18n import set_language, tr
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.qt_translations import install_qt_translations
from boligsag.ui.shell.preload import preload_main_window
from boligsag.ui.unlock_dialog import UnlockDialog

if TYPE_CHECKING:
    from boligsag.services.audit_check import AuditReport
    from boligsag.services.context import AppContext
    from boligsag.services.restore import RestoreResult
    from boligsag.services.setup import SetupResult
    from boligsag.ui.demo import DemoSession
    from boligsag.ui.password_dialogs import FirstPasswordDialog
    from boligsag.ui.shell.first_run import FirstRunWizard
    from boligsag.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)


def verify_integrity(ctx: AppContext) -> None:
    """The background page-by-page check after unlock (services.unlock), looked up here
    at call time so that tests can replace it."""
    from boligsag.services.unlock import verify_integrity as verify

    verify(ctx)


def lock(ctx: AppContext) -> None:
    from boligsag.services.unlock import lock as lock_context

    lock_context(ctx)


class AppController(QObject):
    #: The application should end, with this exit code. (``run`` connects it to the
    #: event loop; tests just observe it.)
    finished = Signal(int)

    def __init__(self, settings: AppSettings, db_path: Path, *, demo: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.db_path = Path(db_path)
        self.demo = demo
        self.events = AppEvents(self)
        self.events.team_joined.connect(self._joined)  # Administration → Teamserver
        self.events.restore_requested.connect(self._restore)  # → Sikkerhedskopier
        self.ctx: AppContext | None = None
        self.window: MainWindow | None = None
        self._unshown: MainWindow | None = None  # built, shown on the next turn
        self.wizard: FirstRunWizard | None = None
        self.unlock_dialog: UnlockDialog | None = None
        self.first_password_dialog: FirstPasswordDialog | None = None
        self.demo_session: DemoSession | None = None
        self.exit_code: int | None = None
        self._shutting_down = False
        # The unlock's password, from the dialog to a replica's sync controller (which
        # keeps it while unlocked); None as soon as the main window has it.
        self._password: str | None = None
        self.removed_message: QMessageBox | None = None
        self.restore_message: QMessageBox | None = None

    # -- start ----------------------------------------------------------------------

    def start(self) -> None:
        if self.demo:
            from boligsag.ui.demo import DemoSession

            self.demo_session = DemoSession(self)
            self.demo_session.ready.connect(self._demo_ready)
            self.demo_session.failed.connect(self._demo_failed)
            self.demo_session.start()
        elif self.db_path.exists():
            self.show_unlock()
        else:
            self.show_wizard()

    def show_wizard(self) -> None:
        from boligsag.ui.shell.first_run import FirstRunWizard

        self.wizard = FirstRunWizard(self.db_path)
        self.wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.wizard.database_created.connect(self._created)
        self.wizard.team_joined.connect(self._joined)
        self.wizard.rejected.connect(self._dialog_rejected)
        self.wizard.show()

    def _created(self, result: SetupResult) -> None:
        if self.wizard is not None:  # log in as the administrator just created
            self.settings.set(LAST_USERNAME, self.wizard.setup_input().admin_username)
        self.wizard = None
        self.db_path = result.path
        self.settings.set(LAST_DATABASE, str(result.path))
        self.show_unlock()

    def _joined(self, ctx: AppContext, password: str) -> None:
        """A team server was joined (first-run wizard or Administration): the new
        replica is open as the user who joined. It replaces whatever was open (a
        database in use is closed, never changed) and is the one opened next time.
        If the window was locked meanwhile (idle while a long join ran), nobody may be
        at the computer: the replica then waits behind the login, as after the wizard."""
        unattended = self.window is not None and self.window.locked
        self._close_window()
        self._lock()
        wizard, self.wizard = self.wizard, None
        if wizard is not None and shiboken6.isValid(wizard):
            wizard.rejected.disconnect(self._dialog_rejected)  # closing it is no quit
            wizard.done(QDialog.DialogCode.Rejected)
        if ctx.db.path is not None:
            self.db_path = ctx.db.path
        self.demo = False  # joined from the demo: the replica is real, and remembered
        if unattended:
            lock(ctx)
            if ctx.db.path is not None:
                self.settings.set(LAST_DATABASE, str(ctx.db.path))
            self.settings.set(LAST_USERNAME, ctx.actor.username)
            self.show_unlock()
            return
        self._password = password  # for the replica's sync, as after an unlock
        self._unlocked(ctx)  # remembers the file and the username, opens the window

    def _restore(self, backup: Path, password: str) -> None:
        """Put ``backup`` in the place of the open database (Administration →
        Sikkerhedskopier → Gendan, the user has seen what it holds): close the window
        (its backup at close keeps today's work too) and the database, restore off the
        GUI thread (services/restore.py), then ask for a login, with what happened."""
        ctx = self.ctx
        if ctx is None or ctx.db.path is None:
            return
        username, path = ctx.actor.username, Path(ctx.db.path)
        if self.window is not None:  # its backup at close must not rotate this one away
            self.window.auto_backup.protected = frozenset({Path(backup)})
        self._close_window()
        self._lock()
        self.settings.set(LAST_USERNAME, username)
        self._say(QMessageBox.Icon.Information, tr("Restoring the backup"),
                  tr("Restoring the backup {file}…", file=backup.name), busy=True)
        from boligsag.services.restore import restore_backup

        run_in_background(
            self, lambda _task: restore_backup(backup, path, username, password),
            on_success=self._restored, on_failure=self._restore_failed)

    def _restored(self, result: RestoreResult) -> None:
        taken = result.contents.taken_at
        kept = ", ".join(p.name for p in result.set_aside[:1])
        self.show_unlock()
        self._say(QMessageBox.Icon.Information, tr("Backup restored"), tr(
            "The backup taken {when} is now the database. The database as it was is kept "
            "beside it as {file}. Log in again.",
            when=short_date_time(taken) if taken else tr("unknown"), file=kept))

    def _restore_failed(self, error: BaseException) -> None:
        self.show_unlock()
        self._say(QMessageBox.Icon.Warning, tr("The backup was not restored"), tr(
            "The database is as it was. {reason}", reason=error_text(error)))

    def _say(self, icon: QMessageBox.Icon, title: str, text: str, *,
             busy: bool = False) -> None:
        if self.restore_message is not None and shiboken6.isValid(self.restore_message):
            self.restore_message.done(0)
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton if busy
                          else QMessageBox.StandardButton.Ok)
        box.setObjectName("restoreMessage")
        box.setAccessibleName(title)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.restore_message = box
        box.show()

    def show_unlock(self) -> None:
        username = self.settings.get(LAST_USERNAME)
        hint = ""
        if self.demo:
            from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME

            username = DEMO_USERNAME
            hint = tr("Demo: log in as {username} with the password {password}.",
                      username=DEMO_USERNAME, password=DEMO_PASSWORD)
        dialog = UnlockDialog(self.db_path, username, hint=hint)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.password_used.connect(self._keep_password)
        dialog.unlocked.connect(self._unlocked)
        dialog.rejected.connect(self._dialog_rejected)
        self.unlock_dialog = dialog
        dialog.show()
        preload_main_window(self)  # while the password is typed

    def _keep_password(self, password: str) -> None:
        self._password = password

    def _unlocked(self, ctx: AppContext) -> None:
        self.unlock_dialog = None
        if not self.demo:
            # Only a file is opened again by its path; a team server is not a file.
            if ctx.db.path is not None:
                self.settings.set(LAST_DATABASE, str(ctx.db.path))
            self.settings.set(LAST_USERNAME, ctx.actor.username)
        from boligsag.services.users import password_change_required

        if password_change_required(ctx):
            self._password = None  # a one-time password is no team server password
            self._ask_first_password(ctx)
            return
        self._start_working(ctx)

    def _ask_first_password(self, ctx: AppContext) -> None:
        """A one-time password opens the database but not the main window: the user
        chooses their own first, or logs off."""
        self.ctx = ctx  # closed by shutdown() if the application ends meanwhile
        from boligsag.ui.password_dialogs import FirstPasswordDialog

        dialog = FirstPasswordDialog(ctx)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._start_working(ctx))
        dialog.rejected.connect(self._first_password_cancelled)
        self.first_password_dialog = dialog
        dialog.show()

    def _first_password_cancelled(self) -> None:
        self.first_password_dialog = None
        if not self._shutting_down:
            self._lock()
            self.show_unlock()

    def _start_working(self, ctx: AppContext) -> None:
        self.first_password_dialog = None
        self.open_main(ctx)
        self._check_integrity(ctx)
        self._check_audit_log(ctx)

    def _check_integrity(self, ctx: AppContext) -> None:
        """Read every page once, off the GUI thread, while the user already works: a
        damaged file is reported within seconds instead of delaying every login."""
        run_in_background(self, lambda _task: verify_integrity(ctx),
                          on_success=lambda _result: None, on_failure=self._integrity_failed)

    def _check_audit_log(self, ctx: AppContext) -> None:
        """Verify the audit log's keyed chain and its anchor the same way, in the
        background; a broken log is shown like a damaged database, in Danish."""
        from boligsag.services import audit_check

        run_in_background(self, lambda _task: audit_check.verify_audit_log(ctx),
                          on_success=lambda report: self._audit_checked(ctx, report),
                          on_failure=self._audit_check_failed)

    def _audit_checked(self, ctx: AppContext, report: AuditReport) -> None:
        from boligsag.services import audit_check

        if report.not_checked:
            log.info("audit log check does not apply: %s", report.not_checked)
            return
        text = audit_check.message_for(ctx, report)
        if text is None:
            return
        log.error("audit log check found %d problem(s)", len(report.problems))
        if self.window is not None:
            self.window.show_integrity_problem(text)

    def _audit_check_failed(self, error: BaseException) -> None:
        # Only the error's type: its text may name a folder with a person's name.
        log.error("audit log check could not run: %s", type(error).__name__)

    def _integrity_failed(self, error: BaseException) -> None:
        # Only the error's type: its text may name a folder or quote a database error.
        log.error("integrity check failed: %s", type(error).__name__)
        if self.window is not None:
            self.window.show_integrity_problem(error_text(error))

    def _demo_ready(self, ctx: AppContext) -> None:
        if ctx.db.path is not None:  # the demo is always a file; the type allows None
            self.db_path = ctx.db.path
        self.open_main(ctx)

    def _demo_failed(self, error: BaseException) -> None:
        if self.demo_session is not None and self.demo_session.cancelled():
            self.quit(0)
            return
        log.error("demo database could not be created: %s", type(error).__name__)
        # Nothing else is open, so a blocking message before quitting is fine here.
        QMessageBox.critical(None, tr("Boligsag demo"), error_text(error))
        self.quit(1)

    # -- main window ----------------------------------------------------------------

    def open_main(self, ctx: AppContext, page_id: str = "start") -> None:
        self.ctx = ctx
        from boligsag.ui.shell.main_window import MainWindow

        window = MainWindow(ctx, self.events, self.settings, demo=self.demo)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.closed.connect(lambda: self.quit(0))
        window.log_off_requested.connect(self.log_off)
        window.language_change_requested.connect(self.switch_language)
        window.replica_removed.connect(self._replica_removed)
        window.show_page(page_id)
        # Shown on the next turn of the event loop. Building the window with its first
        # page, then laying it out and painting it, kept the GUI thread busy for 115 ms
        # in one turn on a large database (bench/gui_stalls.py); in two turns each part
        # stays well under the 100 ms a click may wait.
        self._unshown = window
        QTimer.singleShot(0, window, lambda: self._show_main(window))

    def _show_main(self, window: MainWindow) -> None:
        if self._unshown is not window:
            return  # closed before it was shown (the application ended meanwhile)
        self._unshown = None
        self.window = window
        window.show()
        password, self._password = self._password, None
        if window.sync is not None:  # a laptop replica: sync now and in the background
            window.sync.start(password)

    def _replica_removed(self, message: str) -> None:
        """The team server shut this laptop or its user out: close the window, delete
        the replica (team.forget_replica), say why, and go back to the first screen."""
        window, ctx = self.window, self.ctx
        sync = window.sync if window is not None else None
        forget = sync.backend.forget_replica if sync is not None else None
        self._close_window()
        self.ctx = None
        removed = True
        if ctx is not None and forget is not None:
            try:
                forget(ctx)
            except Exception as error:
                removed = False
                log.error("the replica could not be deleted: %s", type(error).__name__)
        after = tr("The team's data has been removed from this computer. Ask your "
                   "administrator if you should still have access.") if removed else tr(
            "The team's data could not be removed from this computer. Tell your IT "
            "administrator.")
        title = tr("Removed from the team server")
        box = QMessageBox(QMessageBox.Icon.Warning, title, f"{message}\n\n{after}",
                          QMessageBox.StandardButton.Ok)
        box.setObjectName("replicaRemovedMessage")
        box.setAccessibleName(title)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.removed_message = box
        self.start()  # the login, or the first-run screen now that the file is gone
        box.show()

    def _close_window(self) -> None:
        """Close the main window without ending the application."""
        window, self.window = self.window, None
        unshown, self._unshown = self._unshown, None
        for closing in (window, unshown):
            if closing is not None:
                closing.closed.disconnect()
                closing.close()

    def log_off(self) -> None:
        self._close_window()
        self._lock()
        self.show_unlock()

    def switch_language(self, code: str) -> None:
        """Apply a language at once by rebuilding the main window around the same open
        database; every text is then created afresh in the new language."""
        if self.window is None or self.ctx is None:
            return
        page_id = self.window.current_page().page_id
        if self.window.sync is not None:  # the new window's sync logs in with it
            self._password = self.window.sync.kept_password()
        self.settings.set(LANGUAGE, code)
        set_language(code)
        install_qt_translations(code)
        self._close_window()
        self.open_main(self.ctx, page_id)

    # -- end ------------------------------------------------------------------------

    def _lock(self) -> None:
        ctx, self.ctx = self.ctx, None
        if ctx is not None:
            lock(ctx)

    def _dialog_rejected(self) -> None:
        if not self._shutting_down:  # the user cancelled the wizard or the login
            self.quit(0)

    def shutdown(self) -> None:
        """Close every window and the database, remove a demo folder; safe to call
        twice."""
        self._shutting_down = True
        self._close_window()
        for dialog in (self.unlock_dialog, self.wizard, self.first_password_dialog):
            if dialog is not None and shiboken6.isValid(dialog):
                dialog.done(QDialog.DialogCode.Rejected)  # no questions: we are leaving
        self.unlock_dialog = self.wizard = self.first_password_dialog = None
        self._lock()
        if self.demo_session is not None:
            self.demo_session.cleanup()

    def quit(self, code: int) -> None:
        self.exit_code = code
        self.shutdown()
        self.finished.emit(code)

"""``boligsag --demo``: a throwaway database full of synthetic data, so a newcomer
sees a populated application at once.

It lives in a fresh temporary folder that is removed when the application exits. The
data is synthetic (Faker, seeded), so a temp folder is acceptable here as it never is
for real data.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.unlock import UnlockOptions, unlock
from boligsag.ui.background import BackgroundTask, run_in_background
from boligsag.ui.widgets import named

# The CLI's defaults: about five seconds to create, and full enough to explore.
DEMO_PEOPLE = 600
DEMO_CONTACTS = 20_000


class DemoSession(QObject):
    ready = Signal(object)  # AppContext, unlocked as the demo administrator
    failed = Signal(object)  # the exception; cancelling is a DemoCancelled UserError

    def __init__(self, parent: QObject | None = None, *, people: int | None = None,
                 contacts: int | None = None) -> None:
        super().__init__(parent)
        self.people = DEMO_PEOPLE if people is None else people
        self.contacts = DEMO_CONTACTS if contacts is None else contacts
        self.folder: Path | None = None
        self.path: Path | None = None
        self.progress: QProgressDialog | None = None
        self.task: BackgroundTask | None = None

    def start(self, dialog_parent: QWidget | None = None) -> None:
        # Imported here: the demo generator is big, and only this mode needs it.
        from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database

        self.folder = Path(tempfile.mkdtemp(prefix="boligsag-demo-"))
        # Also when the application ends without a clean shutdown (an exception).
        atexit.register(shutil.rmtree, self.folder, ignore_errors=True)
        self.path = path = self.folder / "demo.db"
        self.progress = progress = QProgressDialog(
            tr("Creating a demo database with synthetic residents, contacts and "
               "activities…"), tr("Cancel"), 0, 1000, dialog_parent)
        named(progress, "demoProgressDialog", tr("Creating the demo database"))
        progress.setWindowTitle(tr("Boligsag demo"))
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        progress.setMinimumDuration(0)
        progress.setMinimumWidth(460)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setValue(0)
        people, contacts = self.people, self.contacts

        def work(task: BackgroundTask) -> AppContext:
            create_demo_database(
                path, people=people, contacts=contacts, seed=1,
                progress=lambda stage, fraction: task.report(int(fraction * 1000), 1000,
                                                             stage),
                cancelled=task.is_cancelled)
            # Freshly written: no need to read every page back.
            return unlock(path, DEMO_USERNAME, DEMO_PASSWORD,
                          options=UnlockOptions(integrity_check=False))

        self.task = run_in_background(self, work, on_success=self._done,
                                      on_failure=self._failed, on_progress=self._progressed)
        progress.canceled.connect(self.task.cancel)
        progress.show()

    def _progressed(self, done: int, _total: int, stage: str) -> None:
        if self.progress is not None:
            self.progress.setValue(done)
            if stage:
                # The generator's stage texts are message ids declared in its STAGES
                # (translated in demo.json): the one tr() call without a literal.
                self.progress.setLabelText(tr("Creating a demo database with synthetic "
                                              "data.") + "\n" + tr(stage) + "…")

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _done(self, ctx: AppContext) -> None:
        self._close_progress()
        self.ready.emit(ctx)

    def _failed(self, error: BaseException) -> None:
        self._close_progress()
        self.cleanup()
        self.failed.emit(error)

    def cancelled(self) -> bool:
        return self.task is not None and self.task.is_cancelled()

    def cleanup(self) -> None:
        """Remove the demo folder. Safe to call more than once."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

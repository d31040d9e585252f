"""A screenshot series of a laptop in a team (issue 12): joining, working offline,
syncing and settling a conflict, with the REAL app against a REAL team server.

Run it under a virtual display::

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/team_screenshots.py \\
        /tmp/shots/series

It starts a throwaway PostgreSQL cluster (tests/pg.py), sets the server up with the
project's own ``boligsag server init`` / ``server add-user`` and serves it with
``boligsag server run`` (a subprocess on a free loopback port). Jonas, a staff member of
Nordparken, joins with his own laptop replica and pushes some casework (fictional Danish
names from Faker). Then the app opens on an empty data folder as Mette: first-run screen,
"Forbind til et team", the join dialog, its progress mid-pull, the main window; the
server stops and a contact is logged offline; the server comes back and F9 syncs; Jonas
and Mette edit the same note, and Mette settles the conflict on the Konflikter page.
Each step waits for what the user would see (status text, badge) and the tool exits 1
with the step named when it does not arrive: the series is also a check.
Everything (cluster, configuration, databases) is removed at the end. The server and
Jonas's laptop are in tools/team_shots_server.py.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from team_shots_qt import (
    TIMEOUT,
    HeldPull,
    Series,
    child,
    closed,
    focused,
    press,
    settle,
    type_text,
    visible_dialog,
    wait_until,
)
from team_shots_server import (
    JONAS,
    JONAS_PASSWORD,
    METTE,
    METTE_PASSWORD,
    StepFailed,
    TeamServer,
    casework,
    jonas_sync,
    log,
    note_of,
    person_id_of,
    set_note,
    set_up_server,
)
from tests.pg import PgCluster, find_bin_dir

WINDOW = (1366, 768)


class Mette:
    """The app on an empty data folder, as Mette uses it."""

    def __init__(self, work: Path, server: TeamServer, series: Series) -> None:
        from boligsag.app_settings import AppSettings
        from boligsag.ui.shell.controller import AppController

        self.server, self.series = server, series
        self.controller = AppController(AppSettings(work / "config"),
                                        work / "mette" / "boligsag.db")

    @property
    def window(self) -> Any:
        window = self.controller.window
        if window is None:
            raise StepFailed("the main window is not open")
        return window

    # -- status bar ------------------------------------------------------------------------

    def status(self) -> Any:
        from boligsag.ui.sync.status_widget import SyncStatusWidget

        return child(self.window, SyncStatusWidget, "syncStatus")

    def status_text(self) -> str:
        from PySide6.QtWidgets import QLabel

        return str(child(self.window, QLabel, "syncStatusText").text())

    def wait_status(self, pattern: str, timeout: float = TIMEOUT) -> None:
        wait_until(f"status bar text {pattern!r} (it says {self.status_text()!r})",
                   lambda: re.fullmatch(pattern, self.status_text()) is not None, timeout)

    def badge(self) -> int:
        from boligsag.ui.pages.conflicts import BADGE_ROLE

        window = self.window
        row = next(i for i, page in enumerate(window.pages) if page.page_id == "conflicts")
        return int(window.nav.item(row).data(BADGE_ROLE) or 0)

    def activate(self) -> None:
        """The main window active again (no window manager does it after a dialog)."""
        from PySide6.QtWidgets import QApplication

        self.window.raise_()
        self.window.activateWindow()
        wait_until("the main window to be active",
                   lambda: QApplication.activeWindow() is self.window, 3)

    def sync_now(self) -> None:
        """F9 ("Synkroniser nu"), typed where the keyboard focus is, as a user does."""
        from PySide6.QtCore import Qt

        sync = self.window.sync
        self.activate()
        press(Qt.Key.Key_F9)
        wait_until("F9 to start a sync", lambda: sync.running, 3)

    # -- the steps ---------------------------------------------------------------------------

    def join(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QLineEdit, QWizard

        self.controller.start()
        wizard = self.controller.wizard
        if wizard is None:
            raise StepFailed("no first-run screen on an empty data folder")
        wait_until("the first-run screen", wizard.isVisible)
        choice = wizard.welcome.choice
        choice.join.setFocus()
        QTest.keyClick(choice.join, Qt.Key.Key_Space)
        wait_until("the join choice", choice.joining)
        self.series.save(wizard, "first-run-join-choice",
                         'First run: "Forbind til et team" chosen on the welcome page')
        QTest.mouseClick(wizard.button(QWizard.WizardButton.NextButton),
                         Qt.MouseButton.LeftButton)
        wait_until("the join dialog", lambda: wizard.join_launcher.dialog is not None
                   and wizard.join_launcher.dialog.isVisible())
        dialog = wizard.join_launcher.dialog
        for name, text in (("serverUrlEdit", self.server.base_url),
                           ("fingerprintEdit", self.server.fingerprint),
                           ("joinUsernameEdit", METTE), ("joinPasswordEdit", METTE_PASSWORD)):
            edit = child(dialog, QLineEdit, name)
            edit.clear()
            edit.setFocus()
            type_text(edit, text)
        self.series.save(dialog, "join-dialog-filled",
                         "The join dialog filled in: address, fingerprint, mette, password")

        with HeldPull() as held:
            QTest.keyClick(child(dialog, QLineEdit, "joinPasswordEdit"), Qt.Key.Key_Return)
            wait_until("the pull to be held after its first pages", held.waiting.is_set, 30)
            wait_until("the progress bar to show the pull", lambda: dialog.progress.isVisible()
                       and dialog.progress.value() > 0)
            self.series.save(dialog, "join-progress",
                             "The join mid-pull: the progress bar fetching the team's data")
        wait_until("the main window after the join",
                   lambda: self.controller.window is not None, 60)
        self.window.resize(*WINDOW)
        self.wait_status(r"Synkroniseret \d\d\.\d\d", 20)
        self.show_people()
        self.series.save(self.window, "joined-main-window",
                         "The main window after the join: 'Synkroniseret HH.MM', the people")

    def show_people(self) -> Any:
        page = self.window.page("people")
        self.window.show_page("people")
        page.show_list()
        wait_until("the people list", lambda: page.list_view.model.ever_loaded
                   and not page.list_view.searching() and page.list_view.model.rowCount() > 0)
        return page

    def offline_contact(self) -> None:
        from PySide6.QtCore import Qt

        self.server.stop()
        self.show_people()
        self.activate()
        press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # Ctrl+L from anywhere
        dialog = visible_dialog("quickLogDialog")
        name = self.first_person()
        type_text(focused(), name.split()[0][:4])
        settle(0.6)
        press(Qt.Key.Key_Return)  # the first match becomes a chip
        wait_until("the person chip", lambda: bool(dialog.people.person_ids()))
        press(Qt.Key.Key_Tab)
        press(Qt.Key.Key_Tab)
        press(Qt.Key.Key_T)  # T: telefon
        press(Qt.Key.Key_Tab)
        type_text(focused(), "sko")
        press(Qt.Key.Key_Space)
        press(Qt.Key.Key_Tab)
        focused().selectAll()
        type_text(focused(), "20")
        press(Qt.Key.Key_Tab)
        type_text(focused(), "Ringede fra bussen – skolen har indkaldt til møde.")
        self.series.save(dialog, "offline-quick-log",
                         "Offline: a contact logged with Ctrl+L while the server is stopped")
        press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # saves from the note
        wait_until("the quick log to close", lambda: closed(dialog))
        # Offline, and what waits for the connection, at a glance in the status bar.
        self.wait_status(r"Offline – 1 ændring venter", 20)
        self.series.save(self.window, "offline-change-waiting",
                         "Offline: 'Offline – 1 ændring venter' in the status bar")

    def first_person(self) -> str:
        page = self.window.page("people")
        model = page.list_view.model
        return str(model.index(0, 0).data())

    def back_online(self) -> None:
        from boligsag.services.sync_client import engine

        self.server.start()
        self.sync_now()
        self.wait_status(r"Synkroniseret \d\d\.\d\d", 20)
        if engine.waiting_changes(self.controller.ctx) != 0:
            raise StepFailed("the offline change is still waiting after the sync")
        self.series.save(self.window, "back-online-synced",
                         "Server back, F9: 'Synkroniseret HH.MM', nothing waits")

    def conflict(self, jonas_replica: Path) -> None:
        from PySide6.QtWidgets import QDialog, QPlainTextEdit, QPushButton

        name = self.first_person()
        mettes = "Mette: familien overvejer at flytte til Aarhus."
        jonas_sync(jonas_replica, self.server,
                   set_note(name, "Jonas: mor har fået ny bolig i Nordparken fra 1. januar."))
        self.server.stop()  # Mette works offline from here: she has not seen Jonas's note
        ctx = self.controller.ctx
        self.window.open_person(person_id_of(ctx, name))
        page = self.window.page("people")
        wait_until("the person's page", lambda: page.person_view.page is not None)
        settle(0.8)
        dialog = page.person_view.edit_person()
        if dialog is None:
            raise StepFailed("Mette may not edit the person")
        dialog = visible_dialog("personDialog")
        note = child(dialog, QPlainTextEdit, "personNoteEdit")
        note.setFocus()
        note.selectAll()
        type_text(note, mettes)
        self.series.save(dialog, "offline-edit-note",
                         "Offline: Mette edits the note Jonas has just changed on the server")
        child(dialog, QPushButton, "personSaveButton").click()
        wait_until("the person dialog to close", lambda: closed(dialog))
        self.wait_status(r"Offline – 1 ændring venter", 20)
        self.server.start()
        self.sync_now()
        wait_until("the badge 1 on Konflikter", lambda: self.badge() == 1, 20)
        self.window.show_page("conflicts")
        conflicts = self.window.page("conflicts")
        wait_until("the conflict row selected", lambda: conflicts.loaded
                   and conflicts.model.rowCount() == 1
                   and conflicts.table.selectionModel().hasSelection())
        conflicts.table.setFocus()
        self.series.save(self.window, "conflict-listed",
                         "The Konflikter page: badge 1, the note conflict selected, both "
                         "values and who wrote them")
        child(conflicts, QPushButton, "conflictOtherButton").click()
        wait_until("the badge to go", lambda: self.badge() == 0)
        self.wait_status(r"Synkroniseret \d\d\.\d\d", 20)
        from boligsag.services.sync_client import engine

        wait_until("nothing waiting after the settling's sync",
                   lambda: engine.waiting_changes(ctx) == 0)
        settle(1.0)
        self.series.save(self.window, "conflict-settled",
                         "After 'Brug den anden': no badge, 'Ingen konflikter', synced")
        if any(isinstance(w, QDialog) and w.isVisible() for w in self.window.findChildren(
                QDialog)):
            raise StepFailed("a dialog is still open after the conflict was settled")
        # Jonas's value stood (it reached the server first); "Brug den anden" took
        # Mette's, here and, after his next sync, on Jonas's laptop too.
        notes = {"mette": note_of(ctx, name)}
        jonas_sync(jonas_replica, self.server)
        jonas_sync(jonas_replica, self.server,
                   lambda jonas: notes.__setitem__("jonas", note_of(jonas, name)))
        if notes != {"mette": mettes, "jonas": mettes}:
            raise StepFailed(f"the settled note is not Mette's everywhere: {notes}")


def run(out: Path, work: Path) -> Series:

    from boligsag.i18n import set_language
    from boligsag.services.sync_client import join
    from boligsag.ui.qt_translations import install_qt_translations
    from boligsag.ui.shell.app import create_application
    from boligsag.ui.sync import controller as sync_controller

    series = Series(out)
    root = work / "pg"
    root.mkdir()
    root.chmod(0o755)  # the postgres user (under root) must reach its folders
    work.chmod(0o755)
    pg = PgCluster(find_bin_dir(), root)
    pg.start()
    server: TeamServer | None = None
    mette: Mette | None = None
    try:
        server = set_up_server(pg, work)
        jonas = work / "jonas" / "boligsag.db"
        join.join_team(jonas, server.base_url, server.fingerprint, JONAS, JONAS_PASSWORD)
        jonas_sync(jonas, server, casework)
        log("Jonas pushed the casework")

        create_application(sys.argv[:1])
        set_language("da")
        install_qt_translations("da")
        sync_controller.DEBOUNCE_MS = 500  # a save syncs at once, not after 5 s
        mette = Mette(work, server, series)
        mette.join()
        mette.offline_contact()
        mette.back_online()
        mette.conflict(jonas)
    finally:
        if mette is not None:
            mette.controller.shutdown()
            settle(0.3)
        if server is not None:
            server.stop()
        pg.stop()
    return series


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the numbered PNGs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="boligsag-team-shots-"))
    # A private settings folder: the developer's own settings are never read or written.
    os.environ["BOLIGSAG_CONFIG_DIR"] = str(work / "config")
    try:
        series = run(args.out.resolve(), work)
    except StepFailed as error:
        log(f"FAILED: {error}")
        server_log = work / "server.log"
        if server_log.exists():
            log("the server's log ends:\n" + server_log.read_text(errors="replace")[-3000:])
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for path, caption in series.shots:
        print(f"{path.name}: {caption}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

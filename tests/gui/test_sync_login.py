"""Logging in to the team server from the real main window of a replica (issue 12 §2):
the password typed at unlock is used, kept in memory only while unlocked (dropped at
the lock and given back by the lock screen, dropped at log off with the connection,
handed to the new window at a language switch) and used again after an expired token;
a password changed on the server is asked for ("Din adgangskode er ændret på
teamserveren"), a refused one asked again, a cancelled question asked again only by
"Synkroniser nu"; a revoked laptop or disabled user closes the window, loses the
replica's files and is told why.

On a real encrypted replica with a fake server (sync_support.py); against the real
server in test_sync_server.py."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from boligsag.app_settings import LAST_USERNAME, AppSettings
from boligsag.services.changes import Entity
from boligsag.services.sync_client.errors import DeviceRevoked, UserDisabled
from boligsag.ui.shell.controller import AppController
from boligsag.ui.sync.status import SyncState

from ..conftest import CreatedDb
from .helpers import child, click, type_into
from .sync_support import (  # noqa: F401  (fixtures)
    DEBOUNCE_MS,
    SHOTS,
    FakeConnection,
    FakeServer,
    after_unlock_sync,
    app_fixture,
    server_fixture,
    shot,
    status,
    status_text,
    sync_of,
    wait_idle,
    window_of,
)
from .test_controller import log_in
from .test_people_support import back_to, top_dialog


def test_an_expired_token_logs_in_again_with_the_kept_password(
        qtbot: QtBot, app: AppController, server: FakeServer, created_db: CreatedDb) -> None:
    window, _sync = after_unlock_sync(qtbot, app, server)
    server.expire_once = True
    child(window, QAction, "actionSyncNow").trigger()
    qtbot.waitUntil(lambda: server.syncs == 2, timeout=10_000)
    assert server.logins == [created_db.password] * 2
    assert window.findChild(QWidget, "serverPasswordDialog") is None


def test_a_password_changed_on_the_server_is_asked_for_and_then_used(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings,
        server: FakeServer) -> None:
    server.password = "den nye adgangskode på serveren"
    settings.set(LAST_USERNAME, "admin")
    controller = AppController(settings, created_db.path)
    controller.start()
    window = log_in(qtbot, controller, created_db.password)
    try:
        dialog = top_dialog(qtbot, QWidget, "serverPasswordDialog")  # type: ignore[type-var]
        texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
        assert "Din adgangskode er ændret på teamserveren" in texts
        assert status(window).state is SyncState.ERROR
        assert status_text(window) == ("Ikke synkroniseret: teamserveren skal have din "
                                       "adgangskode")
        dialog.grab().save(str(SHOTS / "password_changed_dialog.png"))
        shot(window, "needs_password")
        type_into(qtbot, dialog, "serverPasswordEdit", "forkert")
        click(qtbot, dialog, "serverPasswordOkButton")
        again = top_dialog(qtbot, QWidget, "serverPasswordDialog")  # type: ignore[type-var]
        assert child(again, QLabel, "serverPasswordError").text() == (
            "Teamserveren godkendte ikke adgangskoden. Prøv igen.")
        type_into(qtbot, again, "serverPasswordEdit", server.password)
        qtbot.keyClick(child(again, QLineEdit, "serverPasswordEdit"), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
        assert server.logins == [server.password]
        qtbot.waitUntil(lambda: status(window).state is SyncState.SYNCED, timeout=1_000)
        assert window.sync is not None and window.sync.kept_password() == server.password
    finally:
        controller.shutdown()


def test_a_cancelled_password_question_waits_for_sync_now_to_ask_again(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings,
        server: FakeServer) -> None:
    server.password = "den nye adgangskode på serveren"
    settings.set(LAST_USERNAME, "admin")
    controller = AppController(settings, created_db.path)
    controller.start()
    window = log_in(qtbot, controller, created_db.password)
    try:
        dialog = top_dialog(qtbot, QWidget, "serverPasswordDialog")  # type: ignore[type-var]
        click(qtbot, dialog, "serverPasswordCancelButton")
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2_000)
        controller.events.announce(frozenset({Entity.PEOPLE}))  # a save: no new question
        qtbot.wait(DEBOUNCE_MS * 2)
        assert not [w for w in QApplication.topLevelWidgets()
                    if w.objectName() == "serverPasswordDialog" and w.isVisible()]
        assert status(window).state is SyncState.ERROR and server.logins == []
        back_to(qtbot, window)
        qtbot.keyClick(window, Qt.Key.Key_F9)
        again = top_dialog(qtbot, QWidget, "serverPasswordDialog")  # type: ignore[type-var]
        assert "Din adgangskode er ændret på teamserveren" in " ".join(
            label.text() for label in again.findChildren(QLabel))
    finally:
        controller.shutdown()


def test_the_lock_drops_the_password_and_the_unlock_gives_it_back(
        qtbot: QtBot, app: AppController, server: FakeServer, created_db: CreatedDb) -> None:
    window, sync = after_unlock_sync(qtbot, app, server)
    assert sync.kept_password() == created_db.password
    window.lock_now()
    assert sync.kept_password() is None
    app.events.announce(frozenset({Entity.PEOPLE}))  # nothing syncs while locked
    child(window, QAction, "actionSyncNow").trigger()
    qtbot.wait(DEBOUNCE_MS * 2)
    assert server.syncs == 1
    reauth = top_dialog(qtbot, QWidget, "reauthDialog")  # type: ignore[type-var]
    type_into(qtbot, reauth, "reauthPasswordEdit", created_db.password)
    click(qtbot, reauth, "reauthOkButton")
    qtbot.waitUntil(lambda: server.syncs == 2, timeout=10_000)  # unlocked: a sync
    assert sync.kept_password() == created_db.password


def test_log_off_drops_the_password_and_the_connection(
        qtbot: QtBot, app: AppController, server: FakeServer) -> None:
    sync = sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
    connection = sync._connection
    assert isinstance(connection, FakeConnection) and not connection.closed
    app.log_off()
    assert sync.kept_password() is None and connection.closed


def test_a_language_switch_keeps_syncing_with_the_same_password(
        qtbot: QtBot, app: AppController, server: FakeServer, created_db: CreatedDb) -> None:
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync_of(app))
    app.switch_language("en")
    # The new window is built at once and shown on the next turn of the event loop.
    qtbot.waitUntil(lambda: app.window is not None, timeout=5_000)
    window = window_of(app)
    qtbot.waitUntil(lambda: server.syncs == 2, timeout=10_000)  # the new window syncs
    assert sync_of(app).kept_password() == created_db.password
    qtbot.waitUntil(lambda: status(window).state is SyncState.SYNCED, timeout=1_000)
    assert status_text(window).startswith("Synced ")
    assert child(window, QAction, "actionSyncNow").text() == "Sync now"


@pytest.mark.parametrize(("error", "reason"), [
    (DeviceRevoked, "En administrator har fjernet denne computer fra teamserveren."),
    (UserDisabled, "Din bruger på teamserveren er deaktiveret."),
])
def test_a_revoked_laptop_locks_deletes_the_replica_and_says_why(
        qtbot: QtBot, app: AppController, server: FakeServer, created_db: CreatedDb,
        error: type[Exception], reason: str) -> None:
    window, sync = after_unlock_sync(qtbot, app, server)
    assert created_db.path.exists()
    server.failure = error
    sync._connection = None
    closed: list[bool] = []
    window.destroyed.connect(lambda: closed.append(True))
    child(window, QAction, "actionSyncNow").trigger()
    qtbot.waitUntil(lambda: app.window is None, timeout=10_000)
    box = app.removed_message
    assert isinstance(box, QMessageBox) and shiboken6.isValid(box) and box.isVisible()
    assert reason in box.text()
    assert "Teamets data er fjernet fra denne computer" in box.text()
    assert app.ctx is None
    leftovers = [p.name for p in created_db.path.parent.iterdir()]
    assert leftovers == [], leftovers  # database, -wal, -shm, key file: all gone
    assert app.wizard is not None  # the file is gone: the first screen
    qtbot.waitUntil(lambda: bool(closed), timeout=5_000)
    if error is DeviceRevoked:
        box.grab().save(str(SHOTS / "revoked_message.png"))

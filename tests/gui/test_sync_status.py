"""The laptop replica's sync in the real main window (issue 12 §2): the status bar's
"syncStatus" widget in each state, "Synkroniser nu" by keyboard, a save that triggers a
sync after the debounce, one queued run for triggers during a sync, a pulled person in
the people list, a password changed on the server, an expired token, the lock dropping
the password, and a revoked laptop losing its data; a stand-alone database shows none
of it.

The database is a real encrypted replica (a stand-alone file given a server link with
server_link.link, so team.is_replica says yes and forget_replica deletes it); the
server is a fake at the level of team.connect / team.log_in / engine.sync_once, whose
sync "pushes" by emptying the real outbox and records sync_last_success as the engine
does. tests/gui/test_sync_server.py drives the same window against the real HTTPS
server."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox, QStatusBar, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import delete, func, select

from boligsag.app_settings import LAST_USERNAME, AppSettings
from boligsag.services import org_settings
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.sync_client import engine, server_link
from boligsag.services.sync_client.errors import (
    DeviceRevoked,
    LoginRefused,
    ServerUnreachable,
    TokenExpired,
    UserDisabled,
)
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models.sync_client import SyncOutboxEntry
from boligsag.ui.shell.controller import AppController
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.sync import attach as attach_module
from boligsag.ui.sync import controller as controller_module
from boligsag.ui.sync.backend import default_backend
from boligsag.ui.sync.controller import SyncController
from boligsag.ui.sync.status import SyncState
from boligsag.ui.sync.status_widget import SyncStatusWidget

from ..conftest import CreatedDb
from .helpers import child, click, type_into
from .test_controller import log_in
from .test_people_support import back_to, open_people, top_dialog

SHOTS = Path("/tmp/shots/B")
SERVER_URL = "https://boligsag.example.dk:8443"
FINGERPRINT = ":".join(["AB"] * 32)
DEBOUNCE_MS = 300


class FakeConnection:
    def __init__(self) -> None:
        self.logged_in = False
        self.closed = False

    def close(self) -> None:
        self.closed = True


class FakeServer:
    """team.connect / team.log_in / engine.sync_once of a server that answers as told."""

    def __init__(self, password: str) -> None:
        self.password = password
        self.failure: Callable[[], Exception] | None = None  # raised by every call
        self.expire_once = False  # the next sync finds the token expired
        self.gate: threading.Event | None = None  # holds each sync until set
        self.on_sync: Callable[[AppContext], set[str]] | None = None
        self.logins: list[str] = []
        self.syncs = 0
        self.started = threading.Event()

    def connect(self, ctx: AppContext) -> FakeConnection:
        return FakeConnection()

    def log_in(self, ctx: AppContext, connection: FakeConnection, password: str) -> None:
        if self.failure is not None:
            raise self.failure()
        if password != self.password:
            raise LoginRefused()
        self.logins.append(password)
        connection.logged_in = True

    def sync_once(self, ctx: AppContext, connection: FakeConnection, *,
                  cancelled: Any = None) -> engine.SyncOutcome:
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(10)
        assert connection.logged_in and not connection.closed
        if self.failure is not None:
            raise self.failure()
        if self.expire_once:
            self.expire_once = False
            connection.logged_in = False
            raise TokenExpired()
        tables = self.on_sync(ctx) if self.on_sync is not None else set()
        finished = datetime.now().replace(microsecond=0)
        with ctx.db.writing(None) as session:  # the push: the outbox has been sent
            pushed = session.scalar(select(func.count()).select_from(SyncOutboxEntry)) or 0
            session.execute(delete(SyncOutboxEntry))
            org_settings.set_setting(session, "sync_last_success", finished.isoformat())
        self.syncs += 1
        return engine.SyncOutcome(pushed=pushed, waiting=0, changed_tables=frozenset(tables),
                                  finished_at=finished)


def make_replica(created: CreatedDb) -> None:
    ctx = unlock(created.path, "admin", created.password,
                 options=UnlockOptions(integrity_check=False))
    try:
        with ctx.write(None) as unit:
            server_link.link(unit.session, SERVER_URL, FINGERPRINT)
    finally:
        lock(ctx)


@pytest.fixture
def server(created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    """The replica (made from ``created_db``) and its fake server, wired into every
    main window this test opens."""
    make_replica(created_db)
    fake = FakeServer(created_db.password)
    backend = replace(default_backend(), connect=fake.connect, log_in=fake.log_in,
                      sync_once=fake.sync_once)
    monkeypatch.setattr(attach_module, "default_backend", lambda: backend)
    monkeypatch.setattr(controller_module, "DEBOUNCE_MS", DEBOUNCE_MS)
    return fake


@pytest.fixture
def app(qtbot: QtBot, created_db: CreatedDb, settings: AppSettings,
        server: FakeServer) -> AppController:
    settings.set(LAST_USERNAME, "admin")
    controller = AppController(settings, created_db.path)
    controller.start()
    log_in(qtbot, controller, created_db.password)
    yield controller
    controller.shutdown()


def window_of(app: AppController) -> MainWindow:
    assert app.window is not None
    return app.window


def sync_of(app: AppController) -> SyncController:
    sync = window_of(app).sync
    assert sync is not None
    return sync


def status(window: QWidget) -> SyncStatusWidget:
    return child(window, SyncStatusWidget, "syncStatus")


def status_text(window: QWidget) -> str:
    return child(window, QLabel, "syncStatusText").text()


def wait_idle(qtbot: QtBot, sync: SyncController) -> None:
    qtbot.waitUntil(lambda: not sync.running, timeout=10_000)


def shot(window: MainWindow, name: str) -> None:
    """The status bar as the user sees it (and the whole window once)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    window.statusBar().grab().save(str(SHOTS / f"status_{name}.png"))


# -- stand-alone --------------------------------------------------------------------


def test_a_stand_alone_database_shows_no_sync_at_all(main_window: MainWindow) -> None:
    assert main_window.sync is None
    assert main_window.findChild(QWidget, "syncStatus") is None
    assert main_window.findChild(QAction, "actionSyncNow") is None
    assert main_window.findChild(SyncController) is None
    bar = child(main_window, QStatusBar, "statusBar")
    names = [w.objectName() for w in bar.findChildren(QWidget) if w.objectName()]
    assert not [n for n in names if "sync" in n.lower()]
    main_window.close()


# -- status -------------------------------------------------------------------------


def test_unlock_syncs_with_the_typed_password_and_shows_the_time(
        qtbot: QtBot, app: AppController, server: FakeServer,
        created_db: CreatedDb) -> None:
    window, sync = window_of(app), sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
    assert server.logins == [created_db.password]
    qtbot.waitUntil(lambda: status(window).state is SyncState.SYNCED, timeout=1_000)
    assert re.fullmatch(r"Synkroniseret \d\d\.\d\d", status_text(window))
    widget = status(window)
    assert widget.accessibleName() == "Synkroniseringsstatus"
    assert widget.isVisible() and child(window, QWidget, "syncNowButton").isVisible()
    assert "Sidst synkroniseret:" in widget.toolTip()
    assert SERVER_URL in widget.toolTip()
    action = child(window, QAction, "actionSyncNow")
    assert action.text() == "Synkroniser nu"
    assert action.shortcut().toString() == "F9"
    assert action in child(window, QWidget, "menuFile").actions()  # type: ignore[attr-defined]
    shot(window, "synced")
    window.grab().save(str(SHOTS / "window_synced.png"))


def test_offline_keeps_working_and_says_so_then_sync_now_by_keyboard(
        qtbot: QtBot, app: AppController, server: FakeServer) -> None:
    window, sync = window_of(app), sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
    server.failure = lambda: ServerUnreachable("connection refused")
    sync._connection = None  # a new day: the next sync logs in again
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: status(window).state is SyncState.OFFLINE, timeout=10_000)
    assert status_text(window) == "Offline – ændringer gemmes lokalt"
    assert "Der er ikke forbindelse til teamserveren" in status(window).toolTip()
    assert "Sidst synkroniseret:" in status(window).toolTip()  # the last success stays
    shot(window, "offline")

    server.failure = None
    qtbot.keyClick(window, Qt.Key.Key_F9)  # "Synkroniser nu", from the keyboard
    qtbot.waitUntil(lambda: server.syncs == 2, timeout=10_000)
    qtbot.waitUntil(lambda: status(window).state is SyncState.SYNCED, timeout=1_000)


def test_an_error_is_shown_in_words_and_the_button_works_by_keyboard(
        qtbot: QtBot, app: AppController, server: FakeServer) -> None:
    from boligsag.services.sync_client.errors import ServerFailed

    window, sync = window_of(app), sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
    server.failure = lambda: ServerFailed("HTTP 500")
    button = child(window, QWidget, "syncNowButton")
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: status(window).state is SyncState.ERROR, timeout=10_000)
    assert status_text(window).startswith("Der skete en uventet fejl på teamserveren")
    assert "HTTP 500" not in status(window).toolTip()  # the server's detail is for the log
    shot(window, "error")


def test_a_save_syncs_after_the_debounce_and_the_waiting_count_shows_meanwhile(
        qtbot: QtBot, app: AppController, server: FakeServer) -> None:
    window, sync = window_of(app), sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
    ctx = app.ctx
    assert ctx is not None
    server.gate = threading.Event()  # hold the debounced sync to see the count first
    sync._debounce.setInterval(2_000)  # time to see the count on a busy machine
    create_person(ctx, PersonDraft("Amira", "Haddad"))
    app.events.announce(frozenset({Entity.PEOPLE}))
    qtbot.waitUntil(lambda: status(window).state is SyncState.WAITING, timeout=2_000)
    assert re.fullmatch(r"\d+ ændring(er)? venter", status_text(window))
    shot(window, "waiting")
    assert server.syncs == 1 and not sync.running
    qtbot.waitUntil(lambda: sync.running, timeout=5_000)  # the debounce ran out
    qtbot.waitUntil(lambda: status(window).state is SyncState.SYNCING, timeout=1_000)
    assert status_text(window) == "Synkroniserer…"
    shot(window, "syncing")
    server.gate.set()
    qtbot.waitUntil(lambda: server.syncs == 2, timeout=10_000)
    qtbot.waitUntil(lambda: status(window).state is SyncState.SYNCED, timeout=1_000)


def test_each_save_restarts_the_debounce(qtbot: QtBot, app: AppController,
                                         server: FakeServer) -> None:
    sync = sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
    sync._debounce.setInterval(1_500)  # wide margins for a busy machine
    for _ in range(4):  # a save every 0.3 s: never 1.5 s of quiet
        app.events.announce(frozenset({Entity.CONTACTS}))
        qtbot.wait(300)
        assert server.syncs == 1 and not sync.running
    qtbot.waitUntil(lambda: server.syncs == 2, timeout=5_000)
    qtbot.wait(3_000)
    assert server.syncs == 2  # the sync's own refresh triggers nothing more


def test_triggers_during_a_sync_queue_exactly_one_more(qtbot: QtBot, app: AppController,
                                                      server: FakeServer) -> None:
    window, sync = window_of(app), sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
    server.gate = threading.Event()
    server.started.clear()
    action = child(window, QAction, "actionSyncNow")
    action.trigger()
    assert server.started.wait(5)
    for _ in range(3):
        action.trigger()
    # The GUI thread is free while the sync waits: typing goes on.
    people = open_people(qtbot, window)
    type_into(qtbot, people, people.list_view.search.objectName(), "Amira")
    server.gate.set()
    qtbot.waitUntil(lambda: server.syncs == 3, timeout=10_000)
    wait_idle(qtbot, sync)
    qtbot.wait(200)
    assert server.syncs == 3


def test_a_sync_that_brings_a_person_refreshes_the_people_list(
        qtbot: QtBot, app: AppController, server: FakeServer) -> None:
    window, sync = window_of(app), sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
    page = open_people(qtbot, window)
    model = page.list_view.model

    def names() -> list[str]:
        return [model.index(row, 0).data() for row in range(model.rowCount())]

    assert not any("Nyankommen" in str(n) for n in names())

    def bring_person(ctx: AppContext) -> set[str]:
        create_person(ctx, PersonDraft("Nyankommen", "Holm"))
        return {"people"}

    server.on_sync = bring_person
    child(window, QAction, "actionSyncNow").trigger()
    qtbot.waitUntil(lambda: any("Nyankommen" in str(n) for n in names()), timeout=10_000)


# -- logging in ---------------------------------------------------------------------


def test_an_expired_token_logs_in_again_with_the_kept_password(
        qtbot: QtBot, app: AppController, server: FakeServer, created_db: CreatedDb) -> None:
    window, sync = window_of(app), sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
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


def test_the_lock_drops_the_password_and_the_unlock_gives_it_back(
        qtbot: QtBot, app: AppController, server: FakeServer, created_db: CreatedDb) -> None:
    window, sync = window_of(app), sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
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


# -- shut out -----------------------------------------------------------------------


@pytest.mark.parametrize(("error", "reason"), [
    (DeviceRevoked, "En administrator har fjernet denne computer fra teamserveren."),
    (UserDisabled, "Din bruger på teamserveren er deaktiveret."),
])
def test_a_revoked_laptop_locks_deletes_the_replica_and_says_why(
        qtbot: QtBot, app: AppController, server: FakeServer, created_db: CreatedDb,
        error: type[Exception], reason: str) -> None:
    window, sync = window_of(app), sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
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


def test_the_periodic_timer_syncs_without_any_trigger(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings, server: FakeServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(controller_module, "INTERVAL_MS", 400)  # 5 minutes in the app
    settings.set(LAST_USERNAME, "admin")
    controller = AppController(settings, created_db.path)
    controller.start()
    log_in(qtbot, controller, created_db.password)
    try:
        qtbot.waitUntil(lambda: server.syncs >= 3, timeout=10_000)
    finally:
        controller.shutdown()


def test_a_language_switch_keeps_syncing_with_the_same_password(
        qtbot: QtBot, app: AppController, server: FakeServer, created_db: CreatedDb) -> None:
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync_of(app))
    app.switch_language("en")
    window = window_of(app)
    qtbot.waitUntil(lambda: server.syncs == 2, timeout=10_000)  # the new window syncs
    assert sync_of(app).kept_password() == created_db.password
    qtbot.waitUntil(lambda: status(window).state is SyncState.SYNCED, timeout=1_000)
    assert status_text(window).startswith("Synced ")
    assert child(window, QAction, "actionSyncNow").text() == "Sync now"


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


def test_a_sync_that_brings_conflicts_says_so_in_the_status_bar(
        qtbot: QtBot, app: AppController, server: FakeServer) -> None:
    window, sync = window_of(app), sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
    original = server.sync_once

    def with_conflicts(*args: Any, **kwargs: Any) -> engine.SyncOutcome:
        return replace(original(*args, **kwargs), new_conflicts=2,
                       changed_tables=frozenset({"sync_conflicts"}))

    server.sync_once = with_conflicts  # type: ignore[method-assign]
    sync.backend = replace(sync.backend, sync_once=with_conflicts)
    announced: list[frozenset[Entity]] = []
    app.events.changed.connect(announced.append)
    child(window, QAction, "actionSyncNow").trigger()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() != "", timeout=10_000)
    assert window.statusBar().currentMessage() == "2 nye konflikter"
    assert announced == [frozenset({Entity.CONFLICTS})]
    shot(window, "new_conflicts")

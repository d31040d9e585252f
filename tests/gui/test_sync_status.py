"""The laptop replica's sync status in the real main window (issue 12 §2): the status
bar's "syncStatus" widget in each state (synced with the time, n changes waiting,
syncing, offline, an error in words) updated within a second of a sync's end, "Synkroniser
nu" by keyboard (F9 and the status bar's button), a save that syncs after the debounce
(each save restarting it), one queued run for triggers during a sync while typing goes
on, the periodic sync, a pulled person in the open people list, new conflicts; and a
stand-alone database that shows none of it.

On a real encrypted replica with a fake server (sync_support.py); logging in, the lock
and a revoked laptop are in test_sync_login.py, the real server in test_sync_server.py.
Screenshots of each state go to /tmp/shots/B."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStatusBar, QWidget
from pytestqt.qtbot import QtBot

from boligsag.app_settings import LAST_USERNAME, AppSettings
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.sync_client import engine
from boligsag.services.sync_client.errors import ServerFailed, ServerUnreachable
from boligsag.ui.shell.controller import AppController
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.sync import controller as controller_module
from boligsag.ui.sync.controller import SyncController
from boligsag.ui.sync.status import SyncState

from ..conftest import CreatedDb
from .helpers import child, type_into
from .sync_support import (  # noqa: F401  (fixtures)
    SERVER_URL,
    SHOTS,
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
from .test_people_support import open_people


def test_a_stand_alone_database_shows_no_sync_at_all(main_window: MainWindow) -> None:
    assert main_window.sync is None
    assert main_window.findChild(QWidget, "syncStatus") is None
    assert main_window.findChild(QAction, "actionSyncNow") is None
    assert main_window.findChild(SyncController) is None
    bar = child(main_window, QStatusBar, "statusBar")
    names = [w.objectName() for w in bar.findChildren(QWidget) if w.objectName()]
    assert not [n for n in names if "sync" in n.lower()]
    main_window.close()


def test_unlock_syncs_with_the_typed_password_and_shows_the_time(
        qtbot: QtBot, app: AppController, server: FakeServer,
        created_db: CreatedDb) -> None:
    window, _sync = after_unlock_sync(qtbot, app, server)
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
    window, sync = after_unlock_sync(qtbot, app, server)
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

    window, _sync = after_unlock_sync(qtbot, app, server)
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
    window, sync = after_unlock_sync(qtbot, app, server)
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
    window, sync = after_unlock_sync(qtbot, app, server)
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
    window, _sync = after_unlock_sync(qtbot, app, server)
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


def test_a_sync_that_brings_conflicts_says_so_in_the_status_bar(
        qtbot: QtBot, app: AppController, server: FakeServer) -> None:
    window, sync = after_unlock_sync(qtbot, app, server)
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


def test_a_sync_that_brought_new_settings_refreshes_what_shows_them(
        qtbot: QtBot, app: AppController, server: FakeServer) -> None:
    window, sync = after_unlock_sync(qtbot, app, server)
    original = server.sync_once

    def new_letterhead(*args: Any, **kwargs: Any) -> engine.SyncOutcome:
        return replace(original(*args, **kwargs), settings_changed=True)

    sync.backend = replace(sync.backend, sync_once=new_letterhead)
    announced: list[frozenset[Entity]] = []
    app.events.changed.connect(announced.append)
    child(window, QAction, "actionSyncNow").trigger()
    qtbot.waitUntil(lambda: bool(announced), timeout=10_000)
    assert announced == [frozenset({Entity.SETTINGS})]

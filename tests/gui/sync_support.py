"""Shared by the sync UI's GUI tests (test_sync_status.py, test_sync_login.py,
test_sync_server.py): a real encrypted replica (a stand-alone file given a server link
with server_link.link, so team.is_replica says yes and forget_replica deletes it) and a
fake server at the level of team.connect / team.log_in / engine.sync_once, whose sync
"pushes" by emptying the real outbox and records sync_last_success as the engine does;
the application logged in on it; finding the status widget; screenshots."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import delete, func, select

from boligsag.app_settings import LAST_USERNAME, AppSettings
from boligsag.services import org_settings
from boligsag.services.context import AppContext
from boligsag.services.sync_client import engine, server_link
from boligsag.services.sync_client.errors import LoginRefused, TokenExpired
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models.sync_client import SyncOutboxEntry
from boligsag.ui.shell.controller import AppController
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.sync import attach as attach_module
from boligsag.ui.sync import controller as controller_module
from boligsag.ui.sync.backend import default_backend
from boligsag.ui.sync.controller import SyncController
from boligsag.ui.sync.status_widget import SyncStatusWidget

from ..conftest import CreatedDb
from .helpers import child
from .test_controller import log_in

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


@pytest.fixture(name="server")
def server_fixture(created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    """The replica (made from ``created_db``) and its fake server, wired into every
    main window this test opens."""
    make_replica(created_db)
    fake = FakeServer(created_db.password)
    backend = replace(default_backend(), connect=fake.connect, log_in=fake.log_in,
                      sync_once=fake.sync_once)
    monkeypatch.setattr(attach_module, "default_backend", lambda: backend)
    monkeypatch.setattr(controller_module, "DEBOUNCE_MS", DEBOUNCE_MS)
    return fake


@pytest.fixture(name="app")
def app_fixture(qtbot: QtBot, created_db: CreatedDb, settings: AppSettings,
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


def after_unlock_sync(qtbot: QtBot, app: AppController, server: FakeServer
                      ) -> tuple[MainWindow, SyncController]:
    """The window and its sync controller once the sync that unlocking starts has run
    against ``server`` and ended."""
    window, sync = window_of(app), sync_of(app)
    qtbot.waitUntil(lambda: server.syncs == 1, timeout=10_000)
    wait_idle(qtbot, sync)
    return window, sync


def shot(window: MainWindow, name: str) -> None:
    """The status bar as the user sees it (and the whole window once)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    window.statusBar().grab().save(str(SHOTS / f"status_{name}.png"))

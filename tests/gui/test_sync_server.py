"""The replica's main window against the REAL team server (HTTPS on a free loopback
port, PostgreSQL; tests/server/conftest.py), the replica made by join.join_team as the
app's join dialog makes it: the first sync after unlock, a person a colleague added
reaching the open people list, a local save reaching the server after the debounce,
"offline" when the server stops, a password changed on the server asked for and then
opening the replica, and a revoked laptop losing its files."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from boligsag.app_settings import LAST_USERNAME, AppSettings
from boligsag.errors import UserError
from boligsag.services.changes import Entity
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.server import accounts as server_accounts
from boligsag.services.sync_client import join, server_link
from boligsag.services.sync_client.transport import ServerConnection
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models import Area
from boligsag.ui.shell.controller import AppController
from boligsag.ui.sync import controller as controller_module
from boligsag.ui.sync.status import SyncState

from ..server import conftest as server_side
from ..server.conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    STAFF,
    STAFF_PASSWORD,
    Running,
    Setup,
    serving,
)
from .helpers import child, type_into
from .sync_support import SHOTS, status, status_text, wait_idle
from .test_controller import log_in
from .test_people_support import open_people, top_dialog

NEW_PASSWORD = "mettes-nye-lange-kodeord"

# The real server's fixtures (tests/server/conftest.py), here too.
migrated_template = server_side.migrated_template
server_url = server_side.server_url
setup = server_side.setup
running = server_side.running
server_db = server_side.server_db


def push_person(base_url: str, fingerprint: str, first_name: str) -> None:
    """A colleague (the administrator) adds a person in the staff member's area."""
    with ServerConnection(base_url, fingerprint) as admin:
        admin.login(ADMIN, ADMIN_PASSWORD, str(uuid.uuid4()), "admins-pc")
        page = admin.pull(None, 500)
        area = next(row["uuid"] for row in page["rows"] if row["table"] == "areas")
        admin.push({"batch_id": str(uuid.uuid4()), "audit": [], "changes": [{
            "table": "people", "uuid": str(uuid.uuid4()), "base_version": None,
            "deleted": False,
            "fields": {"first_name": first_name, "last_name": "Holm", "area": area}}]})


def server_first_names(base_url: str, fingerprint: str) -> set[str]:
    with ServerConnection(base_url, fingerprint) as admin:
        admin.login(ADMIN, ADMIN_PASSWORD, str(uuid.uuid4()), "admins-pc")
        rows, cursor = [], None
        while True:
            page = admin.pull(cursor, 500)
            rows += page["rows"]
            cursor = page["cursor"]
            if not page["more"]:
                break
    return {r["fields"]["first_name"] for r in rows if r["table"] == "people"}


@pytest.fixture
def replica(running: Running, setup: Setup, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(controller_module, "DEBOUNCE_MS", 300)
    path = tmp_path / "laptop" / "boligsag.db"
    result = join.join_team(path, running.base_url, setup.fingerprint, STAFF,
                            STAFF_PASSWORD)
    assert result.complete
    return path


def open_app(qtbot: QtBot, settings: AppSettings, path: Path,
             password: str = STAFF_PASSWORD) -> AppController:
    settings.set(LAST_USERNAME, STAFF)
    app = AppController(settings, path)
    app.start()
    log_in(qtbot, app, password)
    return app


def names_in(page) -> list[str]:  # type: ignore[no-untyped-def]
    model = page.list_view.model
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def test_the_window_syncs_with_the_server_both_ways(
        qtbot: QtBot, running: Running, setup: Setup, replica: Path,
        settings: AppSettings) -> None:
    app = open_app(qtbot, settings, replica)
    try:
        window = app.window
        assert window is not None and window.sync is not None
        qtbot.waitUntil(lambda: status(window).state is SyncState.SYNCED, timeout=20_000)
        assert re.fullmatch(r"Synkroniseret \d\d\.\d\d", status_text(window))
        page = open_people(qtbot, window)

        push_person(running.base_url, setup.fingerprint, "Nyankommen")  # a colleague
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_F9)
        qtbot.waitUntil(lambda: any("Nyankommen" in n for n in names_in(page)),
                        timeout=20_000)

        ctx = app.ctx
        assert ctx is not None
        with ctx.db.reading() as session:
            area = session.scalars(select(Area.id)).first()
        create_person(ctx, PersonDraft("Lokalperson", "Dahl", area_id=area))
        app.events.announce(frozenset({Entity.PEOPLE}))  # as the form's save does
        qtbot.waitUntil(lambda: status(window).state is SyncState.WAITING, timeout=5_000)
        assert status_text(window) == "1 ændring venter"
        qtbot.waitUntil(lambda: status(window).state is SyncState.SYNCED, timeout=20_000)
        assert "Lokalperson" in server_first_names(running.base_url, setup.fingerprint)
        window.grab().save(str(SHOTS / "real_server_window.png"))
    finally:
        app.shutdown()


def test_a_stopped_server_shows_offline_and_work_goes_on(
        qtbot: QtBot, setup: Setup, tmp_path: Path, settings: AppSettings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "laptop" / "boligsag.db"
    instance = serving(setup)
    running_now = instance.__enter__()
    try:
        join.join_team(path, running_now.base_url, setup.fingerprint, STAFF, STAFF_PASSWORD)
        app = open_app(qtbot, settings, path)
        window = app.window
        assert window is not None and window.sync is not None
        qtbot.waitUntil(lambda: status(window).state is SyncState.SYNCED, timeout=20_000)
    finally:
        instance.__exit__(None, None, None)  # the server goes away
    try:
        child(window, QAction, "actionSyncNow").trigger()
        qtbot.waitUntil(lambda: status(window).state is SyncState.OFFLINE, timeout=60_000)
        assert status_text(window) == "Offline – ændringer gemmes lokalt"
        ctx = app.ctx
        assert ctx is not None
        create_person(ctx, PersonDraft("Offlineperson", "Friis"))  # work goes on
        app.events.announce(frozenset({Entity.PEOPLE}))
        qtbot.waitUntil(lambda: "1 ændring venter" in status(window).toolTip()
                        or "Ændringer, der venter på at blive sendt: 1"
                        in status(window).toolTip(), timeout=5_000)
        wait_idle(qtbot, window.sync)
    finally:
        app.shutdown()


def test_a_password_changed_on_the_server_is_asked_for_and_then_opens_the_replica(
        qtbot: QtBot, replica: Path, settings: AppSettings,
        server_db: server_accounts.ServerDb) -> None:
    server_accounts.set_password(server_db, STAFF, NEW_PASSWORD)
    app = open_app(qtbot, settings, replica, STAFF_PASSWORD)  # the old one opens it here
    try:
        window = app.window
        assert window is not None
        dialog = top_dialog(qtbot, QWidget, "serverPasswordDialog")  # type: ignore[type-var]
        assert "Din adgangskode er ændret på teamserveren" in " ".join(
            label.text() for label in dialog.findChildren(QLabel))
        type_into(qtbot, dialog, "serverPasswordEdit", NEW_PASSWORD)
        qtbot.keyClick(child(dialog, QLineEdit, "serverPasswordEdit"), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: status(window).state is SyncState.SYNCED, timeout=20_000)
    finally:
        app.shutdown()
    ctx = unlock(replica, STAFF, NEW_PASSWORD, options=UnlockOptions(integrity_check=False))
    lock(ctx)
    with pytest.raises(UserError):
        unlock(replica, STAFF, STAFF_PASSWORD, options=UnlockOptions(integrity_check=False))


def test_a_revoked_laptop_loses_its_replica_and_is_told_why(
        qtbot: QtBot, replica: Path, settings: AppSettings,
        server_db: server_accounts.ServerDb) -> None:
    app = open_app(qtbot, settings, replica)
    try:
        window = app.window
        assert window is not None and app.ctx is not None
        qtbot.waitUntil(lambda: status(window).state is SyncState.SYNCED, timeout=20_000)
        with app.ctx.db.reading() as session:
            link = server_link.current(session)
        assert link is not None
        server_accounts.revoke_device(server_db, link.device_id)
        child(window, QAction, "actionSyncNow").trigger()
        qtbot.waitUntil(lambda: app.window is None, timeout=20_000)
        box = app.removed_message
        assert box is not None and box.isVisible()
        assert "En administrator har fjernet denne computer fra teamserveren." in box.text()
        assert list(replica.parent.iterdir()) == []
        QApplication.processEvents()
    finally:
        app.shutdown()

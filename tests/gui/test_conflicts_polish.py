"""Konflikter, as the issue-12 screenshot series showed it: the two values get the
table's room (the record and field columns start narrow), and "Konflikten er afgjort …"
leaves the status bar once a sync has sent the choice instead of promising a sync
that already happened. The real main window and SyncController over a real encrypted
replica; the server is a stand-in that accepts everything. Screenshots: /tmp/shots/J2/."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.services.context import AppContext
from boligsag.services.sync_client import engine
from boligsag.storage.models import Person
from boligsag.ui.pages.conflicts import ConflictColumn, ConflictsPage
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.sync import attach as attach_module
from boligsag.ui.sync.backend import default_backend

from ..integration.test_refused_changes import make_replica, pushed_person
from .helpers import child
from .test_conflicts_refused import add_conflict, open_window

SHOTS = Path("/tmp/shots/J2")
SETTLED = "Konflikten er afgjort. Valget er gemt og sendes med synkroniseringen."


@pytest.fixture
def amira(ctx: AppContext) -> Person:
    """A replica where two people changed Amira's phone number at once."""
    make_replica(ctx)
    person = pushed_person(ctx)
    add_conflict(ctx, person)
    return person


@pytest.fixture
def syncs(monkeypatch: pytest.MonkeyPatch) -> list[engine.SyncOutcome]:
    """Each sync the stand-in server ran, in order; every one sends all that waits."""
    done: list[engine.SyncOutcome] = []

    def sync_once(_target: AppContext, _connection: Any, **_: Any) -> engine.SyncOutcome:
        outcome = engine.SyncOutcome(pushed=1, finished_at=datetime.now())
        done.append(outcome)
        return outcome

    backend = replace(default_backend(), connect=lambda _ctx: object(),
                      log_in=lambda *_args: None, sync_once=sync_once)
    monkeypatch.setattr(attach_module, "default_backend", lambda: backend)
    return done


def conflicts_page(qtbot: QtBot, window: MainWindow) -> ConflictsPage:
    window.show_page("conflicts")
    page = window.page("conflicts")
    assert isinstance(page, ConflictsPage)
    qtbot.waitUntil(lambda: page.loaded and page.model.rowCount() == 1, timeout=5_000)
    return page


@pytest.mark.parametrize("width", [1280, 1366])
def test_the_two_values_get_the_tables_room(qtbot: QtBot, ctx: AppContext, amira: Person,
                                            settings: AppSettings, width: int) -> None:
    window = open_window(qtbot, ctx, settings)
    window.resize(width, 768)
    page = conflicts_page(qtbot, window)
    QApplication.processEvents()
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / f"conflicts_{width}.png"))
    table = child(page, QTableView, "conflictsTable")
    header = table.horizontalHeader()
    record, kept, other = (header.sectionSize(column) for column in (
        ConflictColumn.RECORD, ConflictColumn.KEPT, ConflictColumn.OTHER))
    # 160 px each at 1280 (125 with the record at 250 px: "Jonas: mor har få…").
    assert min(kept, other) >= {1280: 150, 1366: 190}[width]
    assert record == 190


def test_the_settled_message_goes_when_the_next_sync_has_sent_the_choice(
        qtbot: QtBot, ctx: AppContext, amira: Person, settings: AppSettings,
        syncs: list[engine.SyncOutcome]) -> None:
    window = open_window(qtbot, ctx, settings)
    assert window.sync is not None
    window.sync.start("password")
    qtbot.waitUntil(lambda: len(syncs) == 1 and not window.sync.running, timeout=10_000)
    page = conflicts_page(qtbot, window)

    child(page, QPushButton, "conflictKeepButton").click()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == SETTLED, timeout=5_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "conflict_settled_before_sync.png"))
    window.sync.sync_now()  # or the debounce, 5 s after the choice
    qtbot.waitUntil(lambda: len(syncs) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "", timeout=5_000)
    assert page.model.rowCount() == 0
    qtbot.wait(100)
    window.grab().save(str(SHOTS / "conflict_settled_after_sync.png"))
    window.sync.stop()

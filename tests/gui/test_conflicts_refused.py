"""Konflikter's "Ændringer serveren afviste" (issue 12 §3), in the real main window over a
real encrypted replica: a change the server refused, set aside by push_client, is listed
with the record, the values and the reason in Danish, and counted in the navigation's
badge with the conflicts; "Kopiér værdier" puts the values on the clipboard; "Kassér…"
asks, and only "Kassér ændringen" removes it. A sync that sets a change aside shows the
section at once and says so in the status bar."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.services.context import AppContext
from boligsag.services.sync_client import engine, push_client
from boligsag.storage.models import Person, SyncConflict, new_uuid
from boligsag.storage.sync_applying import applying
from boligsag.ui.events import AppEvents
from boligsag.ui.pages.conflicts import BADGE_ROLE, ConflictsPage
from boligsag.ui.pages.conflicts_refused import RefusedSection
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.sync import attach as attach_module
from boligsag.ui.sync.backend import default_backend

from ..integration.test_refused_changes import (
    edit_note,
    make_replica,
    pushed_person,
    refusing,
)
from .helpers import child

SHOTS = Path("/tmp/shots/C2")
NOTE = "Vil gerne have hjælp til lektier"


def shot(widget: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    widget.grab().save(str(SHOTS / name))


def refuse_next_push(ctx: AppContext) -> int:
    """push_client's real set-aside: the server refuses Amira's change."""
    return push_client.push_once(ctx, refusing("outside your scope")).set_aside


@pytest.fixture
def amira(ctx: AppContext) -> Person:
    """A replica where Amira is on the server and her note was changed here offline."""
    make_replica(ctx)
    person = pushed_person(ctx)
    edit_note(ctx, person, NOTE)
    return person


def open_window(qtbot: QtBot, ctx: AppContext, settings: AppSettings) -> MainWindow:
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.resize(1280, 760)
    window.show()
    qtbot.waitExposed(window)
    return window


def nav_badge(window: MainWindow) -> Any:
    row = [p.page_id for p in window.pages].index("conflicts")
    return window.nav.item(row).data(BADGE_ROLE)


def section_of(qtbot: QtBot, window: MainWindow, rows: int) -> RefusedSection:
    window.show_page("conflicts")
    page = window.page("conflicts")
    assert isinstance(page, ConflictsPage)
    section = page.refused
    qtbot.waitUntil(lambda: section.loaded and section.model.rowCount() == rows,
                    timeout=5_000)
    return section


def add_conflict(ctx: AppContext, amira: Person) -> None:
    """A phone number two people changed at once, as a pull writes it."""
    with ctx.db.writing(None) as session, applying(session):
        session.add(SyncConflict(
            uuid=new_uuid(), table_name="people", row_uuid=amira.uuid, field="phone",
            kind="same_field", kept_value='"20 30 40 50"', other_value='"61 62 63 64"',
            kept_user_id=amira.created_by_id, kept_at=datetime(2026, 11, 24, 9, 15),
            other_user_id=amira.created_by_id, other_at=datetime(2026, 11, 24, 14, 50),
            other_device_uuid=new_uuid(), resolution=""))


def test_a_refused_change_is_listed_with_its_values_and_counted_in_the_badge(
        qtbot: QtBot, ctx: AppContext, amira: Person, settings: AppSettings) -> None:
    assert refuse_next_push(ctx) == 1
    add_conflict(ctx, amira)
    window = open_window(qtbot, ctx, settings)
    qtbot.waitUntil(lambda: nav_badge(window) == 2, timeout=5_000)  # conflict + refused

    section = section_of(qtbot, window, 1)

    assert section.content.isVisible()
    assert child(section, QLabel, "refusedTitle").text() == "Ændringer serveren afviste"
    table = child(section, QTableView, "refusedTable")
    cells = [table.model().index(0, c).data() for c in range(4)]
    assert cells[:3] == ["Person: Amira Hassan", f"Note: {NOTE}",
                         "Personen hører ikke længere til dine områder"]
    assert cells[3] == "25.11.2026 10.30"
    details = child(section, QLabel, "refusedDetails").text()
    assert "Ændring blev ikke taget imod af teamserveren" in details and NOTE in details
    for name in ("refusedCopyButton", "refusedDiscardButton"):
        button = child(section, QPushButton, name)
        assert button.isEnabled() and button.accessibleName()
    assert child(section, QPushButton, "refusedCopyButton").text() == "K&opiér værdier"
    # The conflict above: its list loads on its own, beside the refused section's.
    qtbot.waitUntil(child(window, QTableView, "conflictsTable").isVisible, timeout=5_000)
    window.activateWindow()
    table.setFocus()
    shot(window, "refused.png")


def test_copy_puts_the_values_on_the_clipboard(
        qtbot: QtBot, ctx: AppContext, amira: Person, settings: AppSettings) -> None:
    refuse_next_push(ctx)
    window = open_window(qtbot, ctx, settings)
    section = section_of(qtbot, window, 1)
    QGuiApplication.clipboard().clear()

    child(section, QPushButton, "refusedCopyButton").click()

    text = QGuiApplication.clipboard().text()
    assert text.splitlines()[:3] == ["Person: Amira Hassan", "Ændring:", f"  Note: {NOTE}"]
    assert "Personen hører ikke længere til dine områder" in text
    assert "kopieret" in window.statusBar().currentMessage()


def test_discard_asks_first_and_then_removes_it(
        qtbot: QtBot, ctx: AppContext, amira: Person, settings: AppSettings) -> None:
    refuse_next_push(ctx)
    window = open_window(qtbot, ctx, settings)
    section = section_of(qtbot, window, 1)
    qtbot.waitUntil(lambda: nav_badge(window) == 1, timeout=5_000)

    child(section, QPushButton, "refusedDiscardButton").click()
    question = section.question
    assert isinstance(question, QMessageBox)
    qtbot.waitExposed(question)
    assert "Amira Hassan" in question.text()
    shot(question, "refused_discard_question.png")
    child(question, QPushButton, "refusedDiscardKeepButton").click()  # not yet
    QApplication.processEvents()
    assert section.model.rowCount() == 1
    assert len(engine.refused_changes(ctx)) == 1

    child(section, QPushButton, "refusedDiscardButton").click()
    question = section.question
    assert isinstance(question, QMessageBox)
    qtbot.waitExposed(question)
    child(question, QPushButton, "refusedDiscardConfirmButton").click()

    qtbot.waitUntil(lambda: section.model.rowCount() == 0, timeout=5_000)
    assert not section.content.isVisible()
    assert engine.refused_changes(ctx) == []
    qtbot.waitUntil(lambda: not nav_badge(window), timeout=5_000)
    assert child(window, QLabel, "conflictsSummary").text() == (
        "Ingen konflikter – alt er synkroniseret")


def test_a_sync_that_sets_a_change_aside_shows_it_and_says_so(
        qtbot: QtBot, ctx: AppContext, amira: Person, settings: AppSettings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The real SyncController over this replica, with a server whose push refuses."""

    def sync_once(target: AppContext, _connection: Any, **_: Any) -> engine.SyncOutcome:
        set_aside = refuse_next_push(target)
        return engine.SyncOutcome(set_aside=set_aside, finished_at=datetime.now())

    backend = replace(default_backend(), connect=lambda _ctx: object(),
                      log_in=lambda *_args: None, sync_once=sync_once)
    monkeypatch.setattr(attach_module, "default_backend", lambda: backend)
    window = open_window(qtbot, ctx, settings)
    section = section_of(qtbot, window, 0)
    assert not section.content.isVisible()
    assert "Konflikter" in [window.nav.item(i).text() for i in range(window.nav.count())]

    assert window.sync is not None
    window.sync.start("password")

    qtbot.waitUntil(lambda: section.model.rowCount() == 1, timeout=10_000)
    assert section.content.isVisible()
    assert window.statusBar().currentMessage() == "1 ændring afvist"
    qtbot.waitUntil(lambda: nav_badge(window) == 1, timeout=5_000)
    assert child(window, QLabel, "conflictsSummary").text() == "Ingen konflikter."
    window.sync.stop()
    shot(window, "refused_after_sync.png")

"""Konflikter (issue 12 §3): the page lists the open conflicts with both values and who
wrote each, the navigation shows their number, Enter keeps what stands, Alt+A takes the
other value, "Flet…" merges two notes by hand. Shown only on a team laptop. Conflict
rows are written as a pull writes them into a real encrypted database."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QPushButton, QTableView
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from boligsag.app_settings import AppSettings
from boligsag.domain.enums import Role
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext
from boligsag.storage.models import Contact, Person, SyncConflict, SyncOutboxEntry, User, new_uuid
from boligsag.storage.sync_applying import applying
from boligsag.ui.events import AppEvents
from boligsag.ui.pages.conflict_merge import MergeDialog, starting_text
from boligsag.ui.pages.conflicts import BADGE_ROLE, ConflictsPage
from boligsag.ui.shell.main_window import MainWindow

from ..integration.casework_helpers import add_user, person
from .helpers import child

SHOTS = Path("/tmp/shots/C")


def shot(widget: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


def user_id(ctx: AppContext, username: str) -> int:
    with ctx.db.reading() as session:
        return session.scalars(select(User.id).where(User.username == username)).one()


def pulled(ctx: AppContext, table: str, row_uuid: str, field: str, kept: Any, other: Any,
           *, kind: str = "same_field", minute: int = 40) -> str:
    uuid = new_uuid()
    with ctx.db.writing(None) as session, applying(session):
        session.add(SyncConflict(
            uuid=uuid, table_name=table, row_uuid=row_uuid, field=field, kind=kind,
            kept_value=json.dumps(kept), other_value=json.dumps(other),
            kept_user_id=user_id(ctx, "admin"), kept_at=datetime(2026, 11, 24, 9, 15),
            other_user_id=user_id(ctx, "bente"), other_at=datetime(2026, 11, 24, 14, minute),
            other_device_uuid=new_uuid(), resolution=""))
    return uuid


@pytest.fixture
def three(ctx: AppContext) -> dict[str, Any]:
    """Aisha's phone and note, and a contact's channel: three open conflicts."""
    add_user(ctx, "bente", Role.STAFF)
    aisha = person(ctx, "Aisha", "Hassan", phone="20 30 40 50",
                   note="Mor til tre. Bor i opgang 4.").person
    contact = log_contact(ctx, ContactDraft(channel="phone", person_ids=(aisha.id,),
                                            occurred_at=datetime(2026, 11, 23, 13, 0)))
    with ctx.db.reading() as session:
        contact_uuid = session.get(Contact, contact.id).uuid
    with ctx.db.writing(None) as session:
        session.query(SyncOutboxEntry).delete()
    return {
        "aisha": aisha,
        "phone": pulled(ctx, "people", aisha.uuid, "phone", "20 30 40 50", "61 62 63 64",
                        minute=50),
        "note": pulled(ctx, "people", aisha.uuid, "note", "Mor til tre. Bor i opgang 4.",
                       "Mor til tre. Søger job i køkken.", minute=45),
        "channel": pulled(ctx, "contacts", contact_uuid, "channel", "phone", "in_person",
                          minute=40),
    }


@pytest.fixture
def team_window(qtbot: QtBot, ctx: AppContext, settings: AppSettings,
                monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    """The main window as on a team laptop (the page's replica check answers yes; no
    server link, so nothing tries to sync)."""
    monkeypatch.setattr(ConflictsPage, "shown_in", classmethod(lambda cls, ctx: True))
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.resize(1280, 760)
    window.show()
    qtbot.waitExposed(window)
    return window


def nav_item(window: MainWindow) -> Any:
    row = [p.page_id for p in window.pages].index("conflicts")
    return window.nav.item(row)


def loaded_page(qtbot: QtBot, window: MainWindow, rows: int) -> ConflictsPage:
    window.show_page("conflicts")
    page = window.page("conflicts")
    assert isinstance(page, ConflictsPage)
    qtbot.waitUntil(lambda: page.loaded and page.model.rowCount() == rows, timeout=5_000)
    return page


def test_a_stand_alone_database_has_no_conflicts_page(main_window: MainWindow) -> None:
    assert main_window.page("conflicts") is None


def test_the_list_shows_both_values_and_who_and_the_badge_counts_them(
        qtbot: QtBot, ctx: AppContext, three: dict[str, Any], team_window: MainWindow) -> None:
    qtbot.waitUntil(lambda: nav_item(team_window).data(BADGE_ROLE) == 3, timeout=5_000)
    assert "3" in nav_item(team_window).data(Qt.ItemDataRole.AccessibleTextRole)
    page = loaded_page(qtbot, team_window, 3)
    table = child(page, QTableView, "conflictsTable")
    cells = [[table.model().index(r, c).data() for c in range(6)] for r in range(3)]
    assert cells[0][:4] == ["Aisha Hassan", "Telefon", "20 30 40 50", "61 62 63 64"]
    assert cells[0][4] == "Åse N., 24.11.2026 09.15" and cells[0][5].startswith("Bente")
    assert cells[2][0] == "Kontakt 23.11.2026 med Aisha H." and cells[2][2] == "Telefon"
    details = child(page, QLabel, "conflictDetails")
    assert "Bente" in details.text() and "Aisha Hassan" in details.text()
    for name in ("conflictKeepButton", "conflictOtherButton", "conflictMergeButton",
                 "conflictOpenButton"):
        assert child(page, QPushButton, name).accessibleName()
    assert not child(page, QPushButton, "conflictMergeButton").isEnabled()  # a phone number
    team_window.activateWindow()
    table.setFocus()
    shot(team_window, "conflicts_page_three.png")


def test_enter_keeps_alt_a_takes_the_other_and_the_badge_follows(
        qtbot: QtBot, ctx: AppContext, three: dict[str, Any], team_window: MainWindow) -> None:
    page = loaded_page(qtbot, team_window, 3)
    table = child(page, QTableView, "conflictsTable")
    team_window.activateWindow()
    qtbot.waitUntil(team_window.isActiveWindow, timeout=5_000)
    table.setFocus()
    table.selectRow(0)  # the phone number
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5_000)
    qtbot.waitUntil(lambda: nav_item(team_window).data(BADGE_ROLE) == 2, timeout=5_000)
    with ctx.db.reading() as session:
        assert session.get(Person, three["aisha"].id).phone == "20 30 40 50"
    table.selectRow(1)  # the contact's channel
    qtbot.keyClick(table, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5_000)
    with ctx.db.reading() as session:
        resolutions = {uuid: resolution for uuid, resolution in session.execute(
            select(SyncConflict.uuid, SyncConflict.resolution))}
        assert resolutions[three["phone"]] == "kept"
        assert resolutions[three["channel"]] == "other"
        channel = session.scalars(select(Contact)).one().channel.code
        assert channel == "in_person"


def test_merge_two_notes_by_hand(qtbot: QtBot, ctx: AppContext, three: dict[str, Any],
                                 team_window: MainWindow) -> None:
    page = loaded_page(qtbot, team_window, 3)
    table = child(page, QTableView, "conflictsTable")
    table.selectRow(1)  # the note
    merge = child(page, QPushButton, "conflictMergeButton")
    assert merge.isEnabled()
    merge.click()
    dialog = page.opened
    assert isinstance(dialog, MergeDialog)
    qtbot.waitExposed(dialog)
    text = child(dialog, QPlainTextEdit, "conflictMergeText")
    assert text.toPlainText() == ("Mor til tre. Bor i opgang 4.\n\n"
                                  "Mor til tre. Søger job i køkken.")
    text.setPlainText("Mor til tre. Bor i opgang 4. Søger job i køkken.")
    shot(dialog, "conflicts_merge_dialog.png")
    child(dialog, QPushButton, "conflictMergeOkButton").click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5_000)
    with ctx.db.reading() as session:
        assert session.get(Person, three["aisha"].id).note == (
            "Mor til tre. Bor i opgang 4. Søger job i køkken.")


def test_ctrl_9_goes_to_the_conflicts_page(qtbot: QtBot, team_window: MainWindow) -> None:
    # Last, so Ctrl+1…8 stay where they were; the administrator's ninth page.
    assert [p.page_id for p in team_window.pages][-1] == "conflicts"
    assert len(team_window.pages) == 9
    team_window.activateWindow()
    qtbot.waitUntil(team_window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(team_window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    assert team_window.current_page().page_id == "conflicts"


def test_open_case_opens_the_persons_page(qtbot: QtBot, ctx: AppContext,
                                          three: dict[str, Any],
                                          team_window: MainWindow) -> None:
    page = loaded_page(qtbot, team_window, 3)
    child(page, QPushButton, "conflictOpenButton").click()
    assert team_window.current_page().page_id == "people"


def test_no_conflicts_says_everything_is_synchronised(
        qtbot: QtBot, ctx: AppContext, team_window: MainWindow) -> None:
    page = loaded_page(qtbot, team_window, 0)
    assert child(page, QLabel, "conflictsSummary").text() == (
        "Ingen konflikter – alt er synkroniseret")
    assert not child(page, QTableView, "conflictsTable").isVisible()
    assert not nav_item(team_window).data(BADGE_ROLE)
    shot(team_window, "conflicts_page_empty.png")


def test_merge_starts_from_the_longer_text_when_it_holds_the_other() -> None:
    assert starting_text("Mor til tre.", "Mor til tre. Søger job.") == (
        "Mor til tre. Søger job.")
    assert starting_text("A", "B") == "A\n\nB"
    QApplication.processEvents()

"""Reading never waits for a writer: while another program holds the database's write
lock (a long save, an import in a second window), the people list still loads and
searches at once, because lists and searches run in read units of work that never ask
for the write lock (services/context.py ``ctx.read``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.write_lock import WriteWait
from boligsag.ui.events import AppEvents
from boligsag.ui.people.models import PeopleColumn
from boligsag.ui.shell.main_window import MainWindow

from ..conftest import CreatedDb
from .helpers import child
from .test_people_support import make_person, open_people, press, type_keys


@pytest.fixture
def impatient_ctx(created_db: CreatedDb, clock: FixedClock) -> Iterator[AppContext]:
    """Gives up on the write lock after a second, so a read that asked for it fails
    fast instead of after the default 30 seconds."""
    wait = WriteWait(limit_s=1.0, notice_after_s=0.2)
    context = unlock(created_db.path, "admin", created_db.password, clock=clock,
                     options=UnlockOptions(integrity_check=False, write_wait=wait))
    yield context
    lock(context)


@pytest.fixture
def other_program_saving(impatient_ctx: AppContext) -> Iterator[Any]:
    """A second connection that holds the write lock until the test ends."""
    other = impatient_ctx.db.engine.raw_connection()
    conn = other.driver_connection
    holding = False

    def start() -> None:
        nonlocal holding
        conn.execute("BEGIN IMMEDIATE")
        holding = True

    yield start
    if holding:
        conn.execute("ROLLBACK")
    other.close()


def test_people_list_and_search_work_while_another_program_saves(
        qtbot: QtBot, impatient_ctx: AppContext, settings: AppSettings,
        other_program_saving: Any) -> None:
    make_person(impatient_ctx, "Ayşe", "Kaya", date(1990, 5, 5))
    make_person(impatient_ctx, "Søren", "Østergård", date(1950, 6, 7))
    window = MainWindow(impatient_ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    other_program_saving()  # from here on, nobody else can take the write lock
    page = open_people(qtbot, window)
    model = page.list_view.model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=5_000)
    assert sorted(model.index(r, PeopleColumn.NAME).data() for r in range(2)) == [
        "Ayşe Kaya", "Søren Østergård"]
    assert child(page, QLabel, "peopleCountLabel").text() == "2 personer"

    page.list_view.search.setFocus()
    type_keys(qtbot, "sor")
    qtbot.waitUntil(lambda: not page.list_view.searching() and model.rowCount() == 1,
                    timeout=5_000)
    assert model.index(0, PeopleColumn.NAME).data() == "Søren Østergård"
    press(qtbot, Qt.Key.Key_Escape)

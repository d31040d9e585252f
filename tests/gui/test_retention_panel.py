"""Administration → Sletning in the real main window (issue 13 §2): the people kept past
the retention period are listed with their last activity; the administrator chooses
them, answers the question, and they are anonymised (the list empties, the status says
how many)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QTabWidget
from pytestqt.qtbot import QtBot

from boligsag.services import retention
from boligsag.services.context import AppContext
from boligsag.ui.admin_panels.retention import RetentionPanel
from boligsag.ui.shell.main_window import MainWindow

from ..integration.test_retention import _old_world
from .helpers import child, click

SHOTS = Path("/tmp/shots/retention")


def test_the_administrator_anonymises_the_people_due(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    _old_world(ctx)
    main_window.show_page("admin")
    panel = child(main_window, RetentionPanel, "retentionPanel")
    child(main_window, QTabWidget, "adminTabs").setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=10_000)
    assert panel.list.item(1).text() == "Zenobia Quistgaard · sidste aktivitet 03.02.2020"
    assert panel.state.text() == "2 personer skal anonymiseres."
    assert not panel.anonymise_button.isEnabled()  # nobody chosen yet
    click(qtbot, panel, "retentionAllButton")
    main_window.resize(1280, 720)
    SHOTS.mkdir(parents=True, exist_ok=True)
    main_window.grab().save(str(SHOTS / "retention.png"))

    click(qtbot, panel, "anonymiseButton")
    box = next(w for w in QApplication.topLevelWidgets()
               if isinstance(w, QMessageBox) and w.objectName() == "anonymiseQuestion")
    assert box.text() == "Anonymisér 2 personer?"
    box.findChild(QPushButton, "anonymiseConfirmButton").click()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: panel.state.text().startswith("2 personer anonymiseret."),
                    timeout=20_000)
    assert panel.list.count() == 0 and retention.due_people(ctx) == []

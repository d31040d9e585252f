"""Administration → Adgangslog on the real main window (ui/admin_panels/access_log.py):
the administrator finds the entries about one person by name, narrows them to views,
and exports them as CSV (the save dialog answered by the test); the export is itself
in the log."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QTabWidget
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import AuditAction
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person, get_person
from boligsag.ui import file_dialogs
from boligsag.ui.admin_panels.access_log import AccessColumn, AccessLogPanel
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click, type_into

SHOTS = Path("/tmp/shots/access_log")


def _panel(qtbot: QtBot, window: MainWindow) -> AccessLogPanel:
    window.show_page("admin")
    tabs = child(window, QTabWidget, "adminTabs")
    panel = child(window, AccessLogPanel, "accessLogPanel")
    tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.show_button.isEnabled(), timeout=10_000)
    return panel


def _cells(panel: AccessLogPanel, column: AccessColumn) -> list[str]:
    model = panel.model
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_the_administrator_finds_a_persons_entries_and_exports_them(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    hanne = create_person(ctx, PersonDraft("Hanne", "Ærbø")).person
    create_person(ctx, PersonDraft("Ali", "Aydın"))
    get_person(ctx, hanne.id)
    panel = _panel(qtbot, main_window)
    assert "Ali Aydın" in _cells(panel, AccessColumn.PERSON)

    type_into(qtbot, panel, "accessLogPersonEdit", "Hanne")
    click(qtbot, panel, "accessLogShowButton")
    qtbot.waitUntil(lambda: set(_cells(panel, AccessColumn.PERSON)) == {"Hanne Ærbø"},
                    timeout=10_000)
    assert _cells(panel, AccessColumn.ACTION) == ["Set", "Oprettet"]
    assert panel.count.text() == "2 poster."
    action = child(panel, QComboBox, "accessLogActionCombo")
    action.setCurrentIndex(action.findData(AuditAction.VIEW))
    click(qtbot, panel, "accessLogShowButton")
    qtbot.waitUntil(lambda: _cells(panel, AccessColumn.ACTION) == ["Set"], timeout=10_000)
    main_window.resize(1280, 720)
    SHOTS.mkdir(parents=True, exist_ok=True)
    main_window.grab().save(str(SHOTS / "access_log.png"))

    target = tmp_path / "adgangslog.csv"
    monkeypatch.setattr(file_dialogs, "ask_save_path", lambda *_a, **_k: target)
    click(qtbot, panel, "accessLogExportButton")
    qtbot.waitUntil(lambda: panel.count.text() == "1 post eksporteret til adgangslog.csv.",
                    timeout=10_000)
    assert "Hanne Ærbø" in target.read_bytes().decode("utf-8-sig")

    action.setCurrentIndex(action.findData(AuditAction.EXPORT))
    type_into(qtbot, panel, "accessLogPersonEdit", "")
    click(qtbot, panel, "accessLogShowButton")
    qtbot.waitUntil(lambda: "Adgangslog" in _cells(panel, AccessColumn.RECORD), timeout=10_000)


def test_a_period_that_ends_before_it_starts_is_said_in_danish(
        qtbot: QtBot, main_window: MainWindow) -> None:
    panel = _panel(qtbot, main_window)
    panel.date_to.setDate(panel.date_from.date().addDays(-1))
    click(qtbot, panel, "accessLogShowButton")
    qtbot.waitUntil(lambda: panel.count.text().startswith("Perioden slutter"), timeout=10_000)
    assert panel.show_button.isEnabled()

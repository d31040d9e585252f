"""Deleting a personal reminder on the start page (issue 10 §2, "wire it or delete it"):
the Delete key, the "Slet" button and the row menu delete at once, and "Påmindelse
slettet — Fortryd" brings it back; both are in the audit log."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListView, QPushButton
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.domain.enums import AuditAction
from boligsag.services.context import AppContext
from boligsag.services.reminders import create_reminder, my_due_reminders

from .helpers import child
from .test_keyboard_first import open_menu
from .test_people_support import make_person
from .test_referrals_support import audit_entries
from .test_start import window_for


def texts(ctx: AppContext) -> list[str]:
    return [row.text for row in my_due_reminders(ctx)]


def test_delete_key_deletes_a_reminder_and_fortryd_brings_it_back(
        qtbot: QtBot, ctx: AppContext, settings: AppSettings) -> None:
    ayse = make_person(ctx, "Ayşe", "Kaya", date(1990, 3, 4))
    create_reminder(ctx, date(2026, 11, 23), "Bestil lokale")
    create_reminder(ctx, date(2026, 11, 25), "Ring om boligstøtte", person_id=ayse)
    window = window_for(qtbot, ctx, settings)
    reminders = child(window, QListView, "personalRemindersList")
    qtbot.waitUntil(lambda: reminders.model().rowCount() == 2, timeout=5_000)

    reminders.setFocus()
    reminders.setCurrentIndex(reminders.model().index(0, 0))  # Bestil lokale, the oldest
    qtbot.keyClick(reminders, Qt.Key.Key_Delete)
    assert reminders.model().rowCount() == 1  # gone at once, no question
    qtbot.waitUntil(lambda: texts(ctx) == ["Ring om boligstøtte"], timeout=5_000)
    bar = window.statusBar()
    assert child(bar, QLabel, "undoNoticeText").text() == "Påmindelse slettet —"
    undo = child(bar, QPushButton, "undoButton")
    assert undo.isVisible()
    qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)  # Fortryd
    qtbot.waitUntil(lambda: texts(ctx) == ["Bestil lokale", "Ring om boligstøtte"],
                    timeout=5_000)
    qtbot.waitUntil(lambda: reminders.model().rowCount() == 2, timeout=5_000)
    assert [e.entity for e in audit_entries(ctx, AuditAction.DELETE)] == ["reminders"]

    # The row menu (Menu key) has it too, with its own letter.
    reminders.setFocus()
    reminders.setCurrentIndex(reminders.model().index(1, 0))
    qtbot.keyClick(reminders, Qt.Key.Key_Menu)
    menu = open_menu(qtbot, "personalRemindersRowMenu")
    assert [a.text() for a in menu.actions() if not a.isSeparator()] == [
        "&Åbn", "&Udført", "&Slet påmindelse"]
    qtbot.keyClick(menu, "s")
    qtbot.waitUntil(lambda: texts(ctx) == ["Bestil lokale"], timeout=5_000)

    # And the button, for the mouse.
    reminders.setCurrentIndex(reminders.model().index(0, 0))
    button = child(window, QPushButton, "reminderDeleteButton")
    assert button.isVisible() and button.text() == "Slet"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: texts(ctx) == [], timeout=5_000)
    qtbot.waitUntil(lambda: not button.isVisible(), timeout=5_000)  # nothing left to delete

"""A reminder or a contact's follow-up set on a holiday says so before it is saved
(the office to ring is closed), and says nothing on a working day."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QLabel
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.ui.contacts import open_quick_log
from boligsag.ui.reminders.dialog import RemindMeDialog
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click
from .test_people_support import make_person, open_person, top_dialog


def test_a_reminder_on_christmas_day_is_named_a_holiday(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    window = main_window
    open_person(qtbot, window, make_person(ctx, "Ayşe", "Yilmaz"))
    click(qtbot, window, "person_remindButton")
    dialog = top_dialog(qtbot, RemindMeDialog, "remindMeDialog")
    due = child(dialog, QDateEdit, "reminderDueEdit")
    words = child(dialog, QLabel, "reminderDueWords")
    due.setDate(QDate(2026, 12, 25))
    assert words.text() == ("fredag 25. december 2026 · Juledag: helligdag, kontorerne har "
                            "lukket")
    due.setDate(QDate(2026, 12, 22))
    assert words.text() == "tirsdag 22. december 2026"
    dialog.reject()


def test_a_follow_up_on_a_holiday_is_named_beside_its_date(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    dialog = open_quick_log(main_window, ctx, main_window.events)
    assert dialog is not None
    note = child(dialog, QLabel, "quickLogFollowUpClosedNote")
    check = child(dialog, QCheckBox, "quickLogFollowUpCheck")
    edit = child(dialog, QDateEdit, "quickLogFollowUpEdit")
    edit.setDate(QDate(2027, 3, 29))  # Anden påskedag; nothing is said until it is chosen
    assert note.isHidden()
    check.setChecked(True)
    assert not note.isHidden() and note.text() == (
        "Anden påskedag: helligdag, kontorerne har lukket")
    edit.setDate(QDate(2027, 3, 30))
    assert note.isHidden()
    dialog.reject()

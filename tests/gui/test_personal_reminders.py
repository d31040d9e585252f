"""Personal reminders ("Påmind mig", issue 9 item 9b): set on a person's page, shown on
the start page on the day, opened with Enter, done with Space (and undone)."""

from __future__ import annotations

from datetime import date, datetime

import shiboken6
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit, QDialog, QLabel, QLineEdit, QListView
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.services.contacts import ContactDraft, get_contact, log_contact
from boligsag.services.context import AppContext
from boligsag.services.reminders import create_reminder, my_due_reminders
from boligsag.ui.contacts import open_quick_log
from boligsag.ui.events import AppEvents
from boligsag.ui.referrals.details_dialog import ReferralDetailsDialog
from boligsag.ui.reminders.dialog import RemindMeDialog
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click, type_text
from .test_people_support import make_person, top_dialog
from .test_referrals_support import adult, consent, referral, service_id


def open_person(qtbot: QtBot, window: MainWindow, person_id: int) -> None:
    window.open_person(person_id)
    people = window.page("people")
    qtbot.waitUntil(lambda: people.person_view.page is not None  # type: ignore[union-attr]
                    and people.person_view.page.detail.person.id == person_id,  # type: ignore[union-attr]
                    timeout=5_000)


def test_a_reminder_set_on_a_person_shows_on_the_start_page_opens_and_is_done(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    window = main_window
    ayse = make_person(ctx, "Ayşe", "Kaya", date(1990, 3, 4))
    reminders = child(window, QListView, "personalRemindersList")
    status = child(window, QLabel, "personalRemindersStatus")
    qtbot.waitUntil(lambda: status.text().startswith("Ingen påmindelser"), timeout=5_000)

    open_person(qtbot, window, ayse)
    click(qtbot, window, "person_remindButton")
    dialog = top_dialog(qtbot, RemindMeDialog, "remindMeDialog")
    due = child(dialog, QDateEdit, "reminderDueEdit")
    assert due.date() == QDate(2026, 11, 26)  # tomorrow by default
    click(qtbot, dialog, "reminderNextWeekButton")
    assert due.date() == QDate(2026, 12, 2)
    due.setDate(QDate(2026, 11, 25))  # today
    text = child(dialog, QLineEdit, "reminderTextEdit")
    text.setFocus()
    type_text(qtbot, text, "Ring om boligstøtte")
    qtbot.keyClick(text, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: [r.text for r in my_due_reminders(ctx)]
                    == ["Ring om boligstøtte"], timeout=5_000)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(),
                    timeout=5_000)

    window.show_page("start")
    qtbot.waitUntil(lambda: reminders.model().rowCount() == 1, timeout=5_000)
    assert reminders.isVisible()
    spoken = reminders.model().index(0, 0).data()
    assert "Ring om boligstøtte" in spoken and "Ayşe Kaya" in spoken and "I dag" in spoken

    reminders.setFocus()
    reminders.setCurrentIndex(reminders.model().index(0, 0))
    qtbot.keyClick(reminders, Qt.Key.Key_Return)  # Enter opens the person
    people = window.page("people")
    qtbot.waitUntil(lambda: window.current_page() is people, timeout=5_000)

    window.show_page("start")
    qtbot.waitUntil(lambda: reminders.model().rowCount() == 1, timeout=5_000)
    reminders.setFocus()
    qtbot.keyClick(reminders, Qt.Key.Key_Space)  # done
    assert reminders.model().rowCount() == 0
    qtbot.waitUntil(lambda: my_due_reminders(ctx) == [], timeout=5_000)
    notice = window.page("start").personal.undo_notice  # type: ignore[union-attr]
    assert notice.isVisible() and notice.label.text() == "Markeret som udført —"
    qtbot.waitUntil(lambda: status.text().startswith("Ingen påmindelser"), timeout=5_000)

    qtbot.mouseClick(notice.button, Qt.MouseButton.LeftButton)  # Fortryd
    qtbot.waitUntil(lambda: reminders.model().rowCount() == 1, timeout=5_000)


def test_an_overdue_personal_reminder_is_flagged(
        qtbot: QtBot, ctx: AppContext, settings: AppSettings) -> None:
    create_reminder(ctx, date(2026, 11, 25), "Teammøde")
    create_reminder(ctx, date(2026, 11, 23), "Bestil lokale")
    main_window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(main_window)
    main_window.show()
    reminders = child(main_window, QListView, "personalRemindersList")
    qtbot.waitUntil(lambda: reminders.model().rowCount() == 2, timeout=5_000)
    title = child(main_window, QLabel, "personalRemindersTitle")
    assert title.text() == "Dine påmindelser i dag (2, heraf 1 over tid)"
    first = reminders.model().index(0, 0).data()
    assert "Bestil lokale" in first and "For 2 dage siden" in first
    assert "Personlig påmindelse" in first


def remind_in_dialog(qtbot: QtBot, text: str) -> None:
    dialog = top_dialog(qtbot, RemindMeDialog, "remindMeDialog")
    child(dialog, QDateEdit, "reminderDueEdit").setDate(QDate(2026, 11, 25))
    edit = child(dialog, QLineEdit, "reminderTextEdit")
    edit.setFocus()
    type_text(qtbot, edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_reminders_on_a_referral_and_a_contact_open_them_from_the_start_page(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    window = main_window
    person = adult(ctx)
    jobcentre = service_id(ctx)
    sent = referral(ctx, person, jobcentre, consent(ctx, person, jobcentre).id)
    details = ReferralDetailsDialog(ctx, window.events, sent.id, window)
    qtbot.addWidget(details)
    details.open()
    qtbot.waitUntil(lambda: details.pane.details is not None, timeout=5_000)
    click(qtbot, details, "referralRemindButton")
    remind_in_dialog(qtbot, "Spørg jobcentret")
    qtbot.waitUntil(lambda: len(my_due_reminders(ctx)) == 1, timeout=5_000)
    details.close()

    logged = log_contact(ctx, ContactDraft("phone", person_ids=(person,), note="Om job.",
                                           occurred_at=datetime(2026, 11, 24, 9, 0)))
    contact_dialog = open_quick_log(window, ctx, window.events, contact=get_contact(ctx, logged.id))
    assert contact_dialog is not None
    click(qtbot, contact_dialog, "quickLogRemindButton")
    remind_in_dialog(qtbot, "Ring tilbage")
    qtbot.waitUntil(lambda: len(my_due_reminders(ctx)) == 2, timeout=5_000)
    contact_dialog.reject()

    reminders = child(window, QListView, "personalRemindersList")
    qtbot.waitUntil(lambda: reminders.model().rowCount() == 2, timeout=5_000)
    texts = [reminders.model().index(r, 0).data() for r in range(2)]
    assert "Henvisning · Şükrü Yılmaz" in texts[0] and "Kontakt · Şükrü Yılmaz" in texts[1]
    reminders.setFocus()
    reminders.setCurrentIndex(reminders.model().index(0, 0))
    qtbot.keyClick(reminders, Qt.Key.Key_Return)
    opened = top_dialog(qtbot, ReferralDetailsDialog, "referralDetailsDialog")
    qtbot.waitUntil(lambda: opened.pane.details is not None
                    and opened.pane.details.row.id == sent.id, timeout=5_000)
    opened.close()
    reminders.setCurrentIndex(reminders.model().index(1, 0))
    qtbot.keyClick(reminders, Qt.Key.Key_Return)
    edit = top_dialog(qtbot, QDialog, "quickLogDialog")
    assert edit.contact is not None and edit.contact.id == logged.id  # type: ignore[attr-defined]
    edit.reject()  # leave no dialog for the next test to find
    qtbot.waitUntil(lambda: not shiboken6.isValid(edit) or not edit.isVisible(), timeout=5_000)

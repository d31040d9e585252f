"""The start page's "Opfølgning": contact follow-ups due by the (controllable) clock,
done with one key, opening the person with Enter; and the reminders beside them."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QTableView, QWidget
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.domain.enums import Gender
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.follow_ups import due_follow_ups
from boligsag.ui.events import AppEvents
from boligsag.ui.pages.start import StartPage
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child
from .test_people_support import make_person, top_dialog


def window_for(qtbot: QtBot, ctx: AppContext, settings: AppSettings) -> MainWindow:
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.page("start")
    assert isinstance(page, StartPage) and page.follow_ups is not None
    qtbot.waitUntil(lambda: page.follow_ups.loaded, timeout=5_000)  # type: ignore[union-attr]
    return window


def test_a_due_contact_follow_up_is_done_with_one_key(
        qtbot: QtBot, ctx: AppContext, clock: FixedClock, settings: AppSettings) -> None:
    rasmus = make_person(ctx, "Rasmus", "Ågård", date(1999, 9, 9))
    log_contact(ctx, ContactDraft("phone", person_ids=(rasmus,), note="Ring igen om bolig.",
                                  occurred_at=datetime(2026, 11, 20, 9, 0),
                                  follow_up_date=date(2026, 11, 28)))
    window = window_for(qtbot, ctx, settings)
    table = child(window, QTableView, "followUpTable")
    assert table.model().rowCount() == 0  # not due yet on 25 November
    assert child(window, QLabel, "followUpSummary").text().startswith("Intet forfalder")
    window.close()

    clock.advance(days=3)  # 28 November: due today
    window = window_for(qtbot, ctx, settings)
    table = child(window, QTableView, "followUpTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=5_000)
    assert table.model().index(0, 1).data() == "Rasmus Ågård"
    assert child(window, QLabel, "followUpSummary").text() == "1 forfalder"
    assert child(window, QWidget, "reminderPanel").isVisible()  # beside it

    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter opens the person's page
    people = window.page("people")
    qtbot.waitUntil(lambda: window.current_page() is people
                    and people.person_view.page is not None, timeout=5_000)  # type: ignore[union-attr]
    assert people.person_view.page.detail.person.id == rasmus  # type: ignore[union-attr]

    window.show_page("start")
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Space)  # one key: done
    assert table.model().rowCount() == 0  # gone at once; the save follows
    qtbot.waitUntil(lambda: due_follow_ups(ctx) == [], timeout=5_000)
    qtbot.waitUntil(lambda: child(window, QLabel, "followUpSummary").text()
                    .startswith("Intet forfalder"), timeout=5_000)


def test_an_anonymous_follow_up_opens_the_contact(
        qtbot: QtBot, ctx: AppContext, clock: FixedClock, settings: AppSettings) -> None:
    log_contact(ctx, ContactDraft("outreach", anonymous=True, age_group="14-17",
                                  gender=Gender.FEMALE, occurred_at=datetime(2026, 11, 1, 16, 0),
                                  follow_up_date=date(2026, 11, 15)))
    window = window_for(qtbot, ctx, settings)
    table = child(window, QTableView, "followUpTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=5_000)
    assert table.model().index(0, 1).data() == "Anonym (14–17 år, Kvinde)"
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    dialog = top_dialog(qtbot, QDialog, "quickLogDialog")
    assert dialog.anonymous.isChecked()
    assert dialog.follow_up.value() == date(2026, 11, 15)

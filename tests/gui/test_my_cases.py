"""Mine sager (issue 9, item 9a): what I am responsible for, overdue first; Enter opens
the person's page, the referral's details or the activity."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.domain.enums import ActivityKind, ActivityMode
from boligsag.services.activities import ActivityDraft, create_activity
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.ui.events import AppEvents
from boligsag.ui.referrals.details_dialog import ReferralDetailsDialog
from boligsag.ui.shell.main_window import MainWindow

from ..integration.casework_helpers import focus_area_id
from .helpers import child, click
from .test_people_support import make_person, top_dialog
from .test_referrals_support import adult, consent, referral, service_id


def test_my_cases_lists_mine_overdue_first_and_enter_opens_each(
        qtbot: QtBot, ctx: AppContext, clock: FixedClock, settings: AppSettings) -> None:
    me = ctx.actor.user_id
    ayse = make_person(ctx, "Ayşe", "Kaya", date(1990, 3, 4), responsible_user_id=me)
    log_contact(ctx, ContactDraft("phone", person_ids=(ayse,), note="Ring igen.",
                                  occurred_at=datetime(2026, 11, 10, 9, 0),
                                  follow_up_date=date(2026, 11, 20)))
    make_person(ctx, "Someone", "Else")  # not mine
    club = create_activity(ctx, ActivityDraft(
        "Fredagsklub", ActivityKind.DROP_IN, ActivityMode.DROP_IN, focus_area_id(ctx),
        responsible_user_id=me, end_date=date(2026, 11, 30))).id
    person = adult(ctx)
    jobcentre = service_id(ctx)
    clock.current = datetime(2026, 11, 1, 9, 0)  # a draft waiting since 1 November
    draft = referral(ctx, person, jobcentre, consent(ctx, person, jobcentre).id, me)
    clock.current = datetime(2026, 11, 25, 10, 30)

    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)  # the keys go to it
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # Mine sager
    page = window.page("my_cases")
    table = child(window, QTableView, "myCasesTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 3, timeout=5_000)
    model = table.model()
    assert [model.index(r, 1).data() for r in range(3)] == [
        "Şükrü Yılmaz", "Ayşe Kaya", "Fredagsklub"]
    assert model.index(0, 0).data() == "For 16 dage siden"  # overdue since 9 November
    assert model.index(0, 2).data() == "Jobcenter · Kladde"
    assert model.index(1, 2).data() == "Opfølgning på kontakt"
    assert model.index(2, 2).data() == "Intet planlagt"
    assert QApplication.focusWidget() is table  # Ctrl+3, then ↑↓ and Enter

    qtbot.keyClick(table, Qt.Key.Key_Return)  # the referral's details
    details = top_dialog(qtbot, ReferralDetailsDialog, "referralDetailsDialog")
    qtbot.waitUntil(lambda: details.pane.details is not None
                    and details.pane.details.row.id == draft.id, timeout=5_000)
    details.close()

    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Return)  # Ayşe's page
    people = window.page("people")
    qtbot.waitUntil(lambda: window.current_page() is people
                    and people.person_view.page is not None  # type: ignore[union-attr]
                    and people.person_view.page.detail.person.id == ayse,  # type: ignore[union-attr]
                    timeout=5_000)

    window.show_page("my_cases")
    assert window.current_page() is page
    table.setFocus()
    table.selectRow(2)
    qtbot.keyClick(table, Qt.Key.Key_Return)  # the activity, chosen on Aktiviteter
    activities = window.page("activities")
    qtbot.waitUntil(lambda: window.current_page() is activities
                    and activities.current_activity() is not None  # type: ignore[union-attr]
                    and activities.current_activity().id == club,  # type: ignore[union-attr]
                    timeout=5_000)


def test_the_start_page_shows_the_first_of_my_cases_and_leads_to_the_rest(
        qtbot: QtBot, ctx: AppContext, settings: AppSettings) -> None:
    me = ctx.actor.user_id
    for first in ("Anna", "Bent", "Cecilie", "Dorte", "Erik", "Frede"):
        make_person(ctx, first, "Holm", responsible_user_id=me)
    late = make_person(ctx, "Zehra", "Øzdemir", responsible_user_id=me)
    log_contact(ctx, ContactDraft("phone", person_ids=(late,), note="Ring igen.",
                                  occurred_at=datetime(2026, 11, 10, 9, 0),
                                  follow_up_date=date(2026, 11, 20)))
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    card = child(window, QTableView, "myCasesCardTable")
    qtbot.waitUntil(lambda: card.model().rowCount() == 5, timeout=5_000)  # the first five
    assert card.model().index(0, 1).data() == "Zehra Øzdemir"  # the overdue one first
    assert child(window, QPushButton, "myCasesShowAllButton").text() == "Vis alle (7)"
    click(qtbot, window, "myCasesShowAllButton")
    assert window.current_page() is window.page("my_cases")
    table = child(window, QTableView, "myCasesTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 7, timeout=5_000)


def test_with_nothing_of_mine_the_empty_text_sits_under_the_heading(
        qtbot: QtBot, ctx: AppContext, settings: AppSettings) -> None:
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.show_page("my_cases")
    page = window.page("my_cases")
    assert page is not None
    summary = page.summary  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: summary.text().startswith("Intet her endnu"), timeout=5_000)
    qtbot.wait(50)  # one layout pass after the table was hidden
    # Right under the heading and its intro, not pushed half-way down the page.
    assert summary.mapTo(page, summary.rect().topLeft()).y() < 160

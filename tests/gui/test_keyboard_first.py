"""Keyboard first (issue 9, item 7): Ctrl+n puts the cursor in the page's search or
filter, row menus open from the keyboard and have Alt letters, and Space on a
follow-up can be taken back with Fortryd or Ctrl+Z."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
)
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.domain.enums import AuditAction
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.follow_ups import due_follow_ups
from boligsag.ui.contacts.contact_dialog import ContactDialog
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, type_text
from .test_people_support import focused, make_person, top_dialog
from .test_referrals_support import audit_entries
from .test_start import window_for

CTRL = Qt.KeyboardModifier.ControlModifier



def menu_letters(menu: QMenu) -> list[str]:
    """The Alt letter of each action in ``menu`` ("" for none)."""
    letters = []
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        text = action.text().replace("&&", "")
        at = text.find("&")
        letters.append(text[at + 1].casefold() if 0 <= at < len(text) - 1 else "")
    return letters

def open_menu(qtbot: QtBot, name: str) -> QMenu:
    menus: list[QMenu] = []

    def shown() -> bool:
        popup = QApplication.activePopupWidget()
        menus[:] = [popup] if isinstance(popup, QMenu) and popup.objectName() == name else []
        return bool(menus)

    qtbot.waitUntil(shown, timeout=5_000)
    return menus[0]


def test_ctrl_2_then_typing_a_name_searches_the_people_list(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    make_person(ctx, "Rasmus", "Ågård", date(1999, 9, 9))
    make_person(ctx, "Bodil", "Nørgaard", date(1960, 3, 1))
    qtbot.keyClick(main_window, Qt.Key.Key_2, CTRL)  # Personer
    page = main_window.page("people")
    assert main_window.current_page() is page
    search = child(page, QLineEdit, "peopleSearchEdit")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search, timeout=5_000)
    type_text(qtbot, focused(qtbot), "Bodil")
    model = child(page, QTableView, "peopleTable").model()
    qtbot.waitUntil(lambda: search.text() == "Bodil" and not page.list_view.searching()
                    and model.rowCount() == 1, timeout=5_000)
    assert model.index(0, 0).data() == "Bodil Nørgaard"


@pytest.mark.parametrize(("page_id", "field"), [
    ("activities", "activityKindFilter"),
    ("contacts", "contactPeriodCombo"),
    ("referrals", "statusFilter"),
])
def test_ctrl_n_puts_the_cursor_in_the_pages_filter(
        qtbot: QtBot, main_window: MainWindow, page_id: str, field: str) -> None:
    number = [p.page_id for p in main_window.pages].index(page_id) + 1
    qtbot.keyClick(main_window, Qt.Key(Qt.Key.Key_0 + number), CTRL)
    page = main_window.page(page_id)
    assert main_window.current_page() is page
    combo = child(page, QComboBox, field)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is combo, timeout=5_000)


def test_the_menu_key_and_shift_f10_open_the_rows_menu_with_alt_letters(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    rasmus = make_person(ctx, "Rasmus", "Ågård", date(1999, 9, 9))
    make_person(ctx, "Bodil", "Nørgaard", date(1960, 3, 1))
    qtbot.keyClick(main_window, Qt.Key.Key_2, CTRL)
    page = main_window.page("people")
    table = child(page, QTableView, "peopleTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 2 and not page.list_view.searching(),
                    timeout=5_000)
    qtbot.keyClick(focused(qtbot), Qt.Key.Key_Down)  # from the search into the list
    assert focused(qtbot) is table
    qtbot.keyClick(table, Qt.Key.Key_Down)  # Rasmus Ågård, second by last name
    assert table.currentIndex().row() == 1

    qtbot.keyClick(table, Qt.Key.Key_Menu)
    menu = open_menu(qtbot, "peopleRowMenu")
    letters = menu_letters(menu)
    assert all(letters) and len(set(letters)) == len(letters), letters
    assert [a.text() for a in menu.actions() if not a.isSeparator()] == [
        "&Åbn person", "&Log kontakt…", "&Ny person…", "&Slet person…"]
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=5_000)

    qtbot.keyClick(table, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    menu = open_menu(qtbot, "peopleRowMenu")
    qtbot.keyClick(menu, "l", Qt.KeyboardModifier.AltModifier)  # Alt+L: Log kontakt
    dialog = top_dialog(qtbot, ContactDialog, "quickLogDialog")
    assert [p.id for p in dialog.people.people()] == [rasmus]  # with the row's person
    dialog.reject()


@pytest.mark.parametrize(("page_id", "table_name", "menu_name"), [
    ("contacts", "contactsTable", "contactsRowMenu"),
    ("activities", "activitiesTable", "activitiesRowMenu"),
    ("activities", "enrollmentsTable", "enrollmentsRowMenu"),
    ("activities", "sessionsTable", "sessionsRowMenu"),
    ("referrals", "referralsTable", "referralsRowMenu"),
    ("start", "followUpTable", "followUpRowMenu"),
])
def test_every_lists_row_menu_opens_from_the_keyboard_with_distinct_letters(
        qtbot: QtBot, main_window: MainWindow, page_id: str, table_name: str,
        menu_name: str) -> None:
    main_window.show_page(page_id)
    table = child(main_window.page(page_id), QTableView, table_name)  # type: ignore[arg-type]
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    menu = open_menu(qtbot, menu_name)
    letters = menu_letters(menu)
    assert letters and all(letters) and len(set(letters)) == len(letters), letters
    menu.close()


def test_space_marks_a_follow_up_done_and_fortryd_brings_it_back(
        qtbot: QtBot, ctx: AppContext, clock: FixedClock, settings: AppSettings) -> None:
    rasmus = make_person(ctx, "Rasmus", "Ågård", date(1999, 9, 9))
    for day in (18, 20):
        log_contact(ctx, ContactDraft("phone", person_ids=(rasmus,), note="Ring igen.",
                                      occurred_at=datetime(2026, 11, day, 9, 0),
                                      follow_up_date=date(2026, 11, day + 2)))
    window = window_for(qtbot, ctx, settings)
    table = child(window, QTableView, "followUpTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 2, timeout=5_000)
    first = due_follow_ups(ctx)[0]
    updates_before = len(audit_entries(ctx, AuditAction.UPDATE))

    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Space)
    bar = window.statusBar()
    qtbot.waitUntil(lambda: (button := bar.findChild(QPushButton, "undoButton")) is not None
                    and button.isVisible(), timeout=5_000)
    notice = child(bar, QPushButton, "undoButton")
    assert child(window.statusBar(), QLabel, "undoNoticeText").text() == "Markeret som udført —"
    assert notice.text() == "&Fortryd"
    qtbot.waitUntil(lambda: first.id not in [i.id for i in due_follow_ups(ctx)],
                    timeout=5_000)

    qtbot.mouseClick(notice, Qt.MouseButton.LeftButton)  # Fortryd
    qtbot.waitUntil(lambda: first.id in [i.id for i in due_follow_ups(ctx)], timeout=5_000)
    qtbot.waitUntil(lambda: table.model().rowCount() == 2, timeout=5_000)
    assert not notice.isVisible()
    # The mark and the undo are both in the audit trail.
    assert len(audit_entries(ctx, AuditAction.UPDATE)) == updates_before + 2
    qtbot.waitUntil(lambda: table.currentIndex().row() == 0, timeout=5_000)  # back on it

    # Ctrl+Z does the same while the notice shows.
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Space)
    qtbot.waitUntil(notice.isVisible, timeout=5_000)
    qtbot.waitUntil(lambda: first.id not in [i.id for i in due_follow_ups(ctx)],
                    timeout=5_000)
    qtbot.keyClick(table, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: first.id in [i.id for i in due_follow_ups(ctx)], timeout=5_000)
    window.close()

"""Kontakter: the lazy contacts list with its filters, correcting a contact, and
deleting one (a tombstone, after a question)."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QLabel, QMessageBox, QSpinBox
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import Gender, Role
from boligsag.services.contacts import ContactDraft, list_contacts, log_contact
from boligsag.services.context import AppContext
from boligsag.services.users import create_user
from boligsag.ui.contacts.models import ContactColumn, ContactsModel
from boligsag.ui.pages.contacts import ContactsPage
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child
from .test_people_support import back_to, make_person, press, top_dialog, trigger, type_keys


def seed(ctx: AppContext) -> int:
    colleague = create_user(ctx, "kollega", "Kaj Kollega", Role.STAFF,
                            "et-langt-kodeord-1").id
    hanne = make_person(ctx, "Hanne", "Ærbø", date(1970, 1, 1))
    log_contact(ctx, ContactDraft("phone", person_ids=(hanne,), duration_minutes=15,
                                  occurred_at=datetime(2026, 11, 24, 9, 0),
                                  follow_up_date=date(2026, 11, 30)))
    log_contact(ctx, ContactDraft("in_person", anonymous=True, age_group="18-24",
                                  gender=Gender.MALE, occurred_at=datetime(2026, 11, 20, 13, 0)))
    log_contact(ctx, ContactDraft("home_visit", person_ids=(hanne,), duration_minutes=60,
                                  staff_user_id=colleague,
                                  occurred_at=datetime(2026, 10, 1, 10, 0)))
    return hanne


def open_contacts(qtbot: QtBot, window: MainWindow) -> ContactsPage:
    trigger(window, "actionShow_contacts")
    page = window.page("contacts")
    assert isinstance(page, ContactsPage)
    qtbot.waitUntil(lambda: page.model.ever_loaded and not page.model.loading, timeout=5_000)
    return page


def people_column(page: ContactsPage) -> list[str]:
    model = page.model
    return [model.index(r, ContactColumn.PEOPLE).data() for r in range(model.rowCount())]


def reloaded(qtbot: QtBot, page: ContactsPage) -> None:
    qtbot.waitUntil(lambda: not page.model.loading, timeout=5_000)


def test_the_list_filters_by_period_channel_staff_and_anonymity(
        qtbot: QtBot, qtmodeltester, ctx: AppContext, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    seed(ctx)
    page = open_contacts(qtbot, main_window)
    # The last 30 days by default: the home visit of 1 October is older.
    assert people_column(page) == ["Hanne Ærbø", "Anonym (18–24 år, Mand)"]
    model = page.model
    assert model.index(0, ContactColumn.WHEN).data() == "24.11.2026 09.00"
    assert model.index(0, ContactColumn.FOLLOW_UP).data() == "30.11.2026"
    assert child(page, QLabel, "contactsCountLabel").text() == "2 kontakter"

    period = child(page, QComboBox, "contactPeriodCombo")
    period.setCurrentIndex(period.findData("all"))
    reloaded(qtbot, page)
    assert model.rowCount() == 3
    channel = child(page, QComboBox, "contactChannelCombo")
    qtbot.waitUntil(lambda: channel.count() == 6, timeout=5_000)  # all + five channels
    channel.setCurrentIndex(channel.findText("Hjemmebesøg"))
    reloaded(qtbot, page)
    assert [model.index(r, ContactColumn.STAFF).data() for r in range(model.rowCount())] \
        == ["Kaj Kollega"]
    child(page, QCheckBox, "contactOnlyMineCheck").setChecked(True)  # "Kun mine"
    reloaded(qtbot, page)
    assert model.rowCount() == 0
    assert page.empty.isVisible()
    child(page, QCheckBox, "contactOnlyMineCheck").setChecked(False)
    channel.setCurrentIndex(0)
    anonymous = child(page, QComboBox, "contactAnonymousCombo")
    anonymous.setCurrentIndex(anonymous.findData("anonymous"))
    reloaded(qtbot, page)
    assert people_column(page) == ["Anonym (18–24 år, Mand)"]

    lazy = ContactsModel(ctx)
    lazy.page_size = 1
    lazy.reload()
    qtbot.waitUntil(lambda: lazy.ever_loaded)
    assert lazy.canFetchMore()
    qtmodeltester.check(lazy)
    while lazy.canFetchMore() or lazy.loading:
        if lazy.canFetchMore():
            lazy.fetchMore()
        qtbot.waitUntil(lambda: not lazy.loading)
    assert lazy.rowCount() == 3  # no filters: all of them


def test_correct_and_delete_a_contact(qtbot: QtBot, ctx: AppContext,
                                      main_window: MainWindow) -> None:
    seed(ctx)
    page = open_contacts(qtbot, main_window)
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter opens the contact
    dialog = top_dialog(qtbot, QDialog, "quickLogDialog")
    assert [p.name for p in dialog.people.people()] == ["Hanne Ærbø"]
    duration = child(dialog, QSpinBox, "quickLogDurationSpin")
    duration.setFocus()
    duration.selectAll()
    type_keys(qtbot, "45")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2
                    and page.model.index(0, ContactColumn.DURATION).data() == "45",
                    timeout=5_000)
    back_to(qtbot, main_window)

    page.table.setFocus()
    page.table.selectRow(1)  # the anonymous one
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)  # Del: asks first
    question = top_dialog(qtbot, QMessageBox, "deleteContactQuestion")
    assert "en anonym beboer" in question.text()
    yes = next(b for b in question.buttons() if b.objectName() == "deleteContactConfirmButton")
    assert yes.text() == "Slet"
    yes.click()
    qtbot.waitUntil(lambda: people_column(page) == ["Hanne Ærbø"], timeout=5_000)
    assert [r.anonymous for r in list_contacts(ctx).items] == [False, False]

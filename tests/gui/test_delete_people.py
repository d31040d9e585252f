"""Deleting a person registered by mistake (issue 10 §2, "wire it or delete it"): from
the person's page and from the people list's row menu, after a plain Danish question
with "Slet ikke" as the default; the page returns to the list without them, the deletion
is in the audit log, and a role that may not edit people gets no delete at all."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.domain.enums import AuditAction, JobKind, Role
from boligsag.domain.permissions import ROLE_PERMISSIONS, Permission
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext
from boligsag.services.errors import NotFound, PermissionDenied
from boligsag.services.jobs import JobDraft, create_job
from boligsag.services.people import get_person
from boligsag.services.person_deletion import delete_person
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.services.users import create_user
from boligsag.ui.events import AppEvents
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child
from .test_keyboard_first import open_menu
from .test_people import names
from .test_people_support import make_person, top_dialog
from .test_personal_reminders import open_person
from .test_referrals_support import adult, audit_entries, consent, referral, service_id


def question(qtbot: QtBot) -> QMessageBox:
    return top_dialog(qtbot, QMessageBox, "deletePersonQuestion")


def gone(widget: QMessageBox) -> bool:
    return not shiboken6.isValid(widget) or not widget.isVisible()


def test_delete_person_on_the_page_asks_plainly_defaults_to_cancel_and_returns_to_the_list(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    window = main_window
    ayse = make_person(ctx, "Ayşe", "Kaya", date(1990, 3, 4))
    make_person(ctx, "Bodil", "Nørgaard", date(1960, 3, 1))
    for day in (3, 10):
        log_contact(ctx, ContactDraft("phone", person_ids=(ayse,),
                                      occurred_at=datetime(2026, 11, day, 9, 0)))
    create_job(ctx, JobDraft(ayse, JobKind.POCKET_MONEY, "Netto", date(2026, 9, 1)))
    open_person(qtbot, window, ayse)
    page = window.page("people")
    button = child(page, QPushButton, "person_deleteButton")
    assert button.isVisible() and button.text() == "Slet person…"

    button.click()
    box = question(qtbot)
    assert box.text() == "Slet Ayşe Kaya?"
    detail = box.informativeText()
    assert "oprettet ved en fejl" in detail  # what it is for
    assert "flyttet" in detail and "afsluttet et forløb" in detail  # what it is not for
    assert "opgørelser" in detail and "logges" in detail
    assert "Kontakter: 2" in detail and "Job: 1" in detail
    assert "Henvisninger" not in detail  # none: not mentioned
    cancel = child(box, QPushButton, "deletePersonQuestionKeepButton")
    assert box.defaultButton() is cancel and cancel.text() == "Slet ikke"
    qtbot.keyClick(box, Qt.Key.Key_Return)  # a stray Enter keeps the person
    qtbot.waitUntil(lambda: gone(box), timeout=5_000)
    assert get_person(ctx, ayse).person.full_name == "Ayşe Kaya"
    assert page.showing_person()  # type: ignore[union-attr]

    page.action_delete.trigger()  # type: ignore[union-attr]  # Personer ▸ Slet person…
    box = question(qtbot)
    child(box, QPushButton, "deletePersonQuestionConfirmButton").click()
    qtbot.waitUntil(lambda: not page.showing_person(), timeout=5_000)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: names(page) == ["Bodil Nørgaard"], timeout=5_000)
    assert window.statusBar().currentMessage() == "Ayşe Kaya er slettet."
    with pytest.raises(NotFound):
        get_person(ctx, ayse)
    assert [e.entity for e in audit_entries(ctx, AuditAction.DELETE)] == ["people"]


def test_delete_person_from_the_lists_row_menu_with_the_keyboard(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    make_person(ctx, "Rasmus", "Ågård", date(1999, 9, 9))
    make_person(ctx, "Bodil", "Nørgaard", date(1960, 3, 1))
    qtbot.keyClick(main_window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    page = main_window.page("people")
    table = child(page, QTableView, "peopleTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 2
                    and not page.list_view.searching(), timeout=5_000)  # type: ignore[union-attr]
    table.setFocus()
    table.setCurrentIndex(table.model().index(1, 0))  # Rasmus Ågård, by last name
    qtbot.keyClick(table, Qt.Key.Key_Menu)
    menu = open_menu(qtbot, "peopleRowMenu")
    qtbot.keyClick(menu, "s")  # S: Slet person…
    box = question(qtbot)
    assert box.text() == "Slet Rasmus Ågård?"
    assert "Der er ikke registreret andet på personen." in box.informativeText()
    child(box, QPushButton, "deletePersonQuestionConfirmButton").click()
    qtbot.waitUntil(lambda: names(page) == ["Bodil Nørgaard"], timeout=5_000)
    assert QApplication.activeModalWidget() is None


def test_a_role_that_may_not_edit_people_gets_no_delete(
        qtbot: QtBot, ctx: AppContext, created_db, settings: AppSettings,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    ayse = make_person(ctx, "Ayşe", "Kaya", date(1990, 3, 4))
    version = get_person(ctx, ayse).person.version
    create_user(ctx, "kirsten", "Kirsten Kigger", Role.STAFF, "et-langt-kodeord-1")
    # No role reads people without editing them today; a read-only staff role is the
    # case the UI must get right.
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.STAFF,
                        ROLE_PERMISSIONS[Role.STAFF] - {Permission.EDIT_PEOPLE})
    reader = unlock(created_db.path, "kirsten", "et-langt-kodeord-1",
                    options=UnlockOptions(integrity_check=False))
    try:
        window = MainWindow(reader, AppEvents(), settings)
        qtbot.addWidget(window)
        window.show()
        open_person(qtbot, window, ayse)
        page = window.page("people")
        assert not child(page, QPushButton, "person_deleteButton").isVisible()
        assert not page.action_delete.isVisible()  # type: ignore[union-attr]
        page.show_list()  # type: ignore[union-attr]
        table = child(page, QTableView, "peopleTable")
        qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=5_000)
        table.setCurrentIndex(table.model().index(0, 0))
        qtbot.keyClick(table, Qt.Key.Key_Menu)
        menu = open_menu(qtbot, "peopleRowMenu")
        assert "&Slet person…" not in [a.text() for a in menu.actions()]
        menu.close()
        with pytest.raises(PermissionDenied):  # and the service refuses anyway
            delete_person(reader, ayse, version)
    finally:
        lock(reader)


def test_a_deleted_persons_referral_leaves_the_referrals_list(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    sukru = adult(ctx)
    service = service_id(ctx)
    referral(ctx, sukru, service, consent(ctx, sukru, service).id)
    main_window.show_page("referrals")
    table = child(main_window, QTableView, "referralsTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=5_000)

    open_person(qtbot, main_window, sukru)
    child(main_window.page("people"), QPushButton, "person_deleteButton").click()
    box = question(qtbot)
    assert "Henvisninger: 1" in box.informativeText()
    child(box, QPushButton, "deletePersonQuestionConfirmButton").click()
    qtbot.waitUntil(lambda: not main_window.page("people").showing_person(),  # type: ignore[union-attr]
                    timeout=5_000)
    main_window.show_page("referrals")  # counts nowhere: not in the list either
    qtbot.waitUntil(lambda: table.model().rowCount() == 0, timeout=5_000)

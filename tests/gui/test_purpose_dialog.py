"""Opening someone else's restricted case in the real main window (issue 13 §4): the
administrator is asked why (ui/people/purpose_dialog.py) before the page shows; "Andet"
takes their own words, a CPR number is refused in Danish, and Cancel goes back to the
list without showing the case."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QPlainTextEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from boligsag.domain.enums import Role
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.services.users import create_user
from boligsag.storage.models import Person, User
from boligsag.ui.contacts.models import ContactColumn
from boligsag.ui.purpose_dialog import PurposeDialog
from boligsag.ui.shell.main_window import MainWindow

from ..conftest import CreatedDb
from .helpers import child, click, type_into
from .test_contacts import open_contacts
from .test_people_support import top_dialog

SHOTS = Path("/tmp/shots/purpose")
PASSWORD = "anna-har-en-lang-kode"


def _annas_secret(ctx: AppContext, created_db: CreatedDb) -> int:
    create_user(ctx, "anna", "Anna Holm", Role.STAFF, PASSWORD)
    anna = unlock(created_db.path, "anna", PASSWORD, options=UnlockOptions(integrity_check=False))
    try:
        return create_person(anna, PersonDraft("Fatima", "Ali", restricted=True)).person.id
    finally:
        lock(anna)


def _dialog(qtbot: QtBot) -> PurposeDialog:
    def found() -> PurposeDialog | None:
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, PurposeDialog) and w.isVisible()), None)

    qtbot.waitUntil(lambda: found() is not None, timeout=10_000)
    dialog = found()
    assert dialog is not None
    return dialog


def test_the_case_opens_after_a_purpose_and_cancel_goes_back(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext, created_db: CreatedDb) -> None:
    secret = _annas_secret(ctx, created_db)
    main_window.open_person(secret)
    dialog = _dialog(qtbot)
    view = main_window.page("people").person_view  # type: ignore[attr-defined]
    assert view.page is None and not view.card.isVisible()  # nothing shown before
    combo = child(dialog, QComboBox, "purposeCombo")
    combo.setCurrentIndex(combo.count() - 1)  # Andet
    type_into(qtbot, dialog, "purposeTextEdit", "Møde om 010203-1234")
    click(qtbot, dialog, "purposeOkButton")
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert dialog.error.text() == "Skriv ikke et CPR-nummer i formålet."
    type_into(qtbot, dialog, "purposeTextEdit", "Møde med skolen torsdag")
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "purpose_dialog.png"))
    click(qtbot, dialog, "purposeOkButton")
    qtbot.waitUntil(lambda: view.page is not None and view.card.isVisible(), timeout=10_000)
    assert view.page.detail.person.id == secret

    main_window.show_page("start")  # another case of Anna's, and Cancel this time
    other = create_person(ctx, PersonDraft("Omar", "Ali", restricted=True)).person.id
    with ctx.write(None) as unit:  # Anna's, as if she had made it
        anna_id = unit.session.scalars(select(User.id).where(User.username == "anna")).one()
        person = unit.session.get(Person, other)
        assert person is not None
        person.responsible_user_id = anna_id
    main_window.open_person(other)
    dialog = _dialog(qtbot)
    dialog.reject()
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=10_000)
    assert view.page is None or view.page.detail.person.id != other


def test_a_contact_of_the_case_opens_from_the_contacts_list_after_a_purpose(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext, created_db: CreatedDb) -> None:
    secret = _annas_secret(ctx, created_db)
    anna = unlock(created_db.path, "anna", PASSWORD, options=UnlockOptions(integrity_check=False))
    try:
        log_contact(anna, ContactDraft("phone", person_ids=(secret,),
                                       note="Fortalte om volden derhjemme"))
    finally:
        lock(anna)
    page = open_contacts(qtbot, main_window)
    assert page.model.index(0, ContactColumn.PEOPLE).data(Qt.ItemDataRole.ToolTipRole) is None
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = _dialog(qtbot)  # nothing of the contact is shown before the purpose
    assert not any(isinstance(w, QDialog) and w.objectName() == "quickLogDialog"
                   and w.isVisible() for w in QApplication.topLevelWidgets())
    click(qtbot, dialog, "purposeOkButton")  # the first reason on the list
    contact = top_dialog(qtbot, QDialog, "quickLogDialog")
    note = child(contact, QPlainTextEdit, "quickLogNoteEdit")
    assert note.toPlainText() == "Fortalte om volden derhjemme" and not note.isReadOnly()
    # Closed here: a dialog left open until the window's deferred deletion is found by
    # the next test's search for its own quick log, and then deleted under it.
    contact.reject()
    qtbot.waitUntil(lambda: not contact.isVisible(), timeout=5_000)

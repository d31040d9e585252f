"""The person form warns, in Danish, while a name or address has characters the letters
cannot print (issue 8, item 5.3); saving still works, and the saved person carries the
service's warning."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QDialog, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.services.people import get_person
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click
from .test_people_support import open_people, top_dialog


def test_the_form_warns_about_unprintable_name_and_saves(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    page = open_people(qtbot, main_window)
    dialog = page.new_person()
    assert dialog is not None
    form = top_dialog(qtbot, QDialog, dialog.objectName())
    warning = child(form, QLabel, "personPrintWarning")
    child(form, QLineEdit, "personFirstNameEdit").setText("Mei")
    child(form, QLineEdit, "personLastNameEdit").setText("Chen")
    assert not warning.isVisible()
    child(form, QLineEdit, "personFirstNameEdit").setText("Mei 美")
    child(form, QLineEdit, "personLastNameEdit").setText("Chen 😀")
    assert warning.isVisible()
    assert warning.text() == ("Breve kan ikke skrive 美😀 (fornavn, efternavn): der står "
                              "\ufffd i stedet. Du kan godt gemme.")
    shots = os.environ.get("BOLIGSAG_SCREENSHOTS")
    if shots:  # for a person to look at; not needed by the assertions
        qtbot.wait(100)  # let the dialog grow around the warning before the picture
        form.grab().save(str(Path(shots) / "person-print-warning.png"))
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "personSaveButton")
    qtbot.waitUntil(lambda: page.person_view.page is not None)
    detail = page.person_view.page.detail
    assert detail.person.full_name == "Mei 美 Chen 😀"  # saved as typed
    assert get_person(ctx, detail.person.id).unprintable == (
        ("first_name", "美"), ("last_name", "😀"))
    # Opened again for editing, the form says it again.
    edit = page.person_view.edit_person()
    assert edit is not None
    again = top_dialog(qtbot, QDialog, edit.objectName())
    assert child(again, QLabel, "personPrintWarning").isVisible()

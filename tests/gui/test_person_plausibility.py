"""The person form's second look at unlikely data (issue 9, 9d): a CPR number or birth
date that makes someone older than 110 or not yet born asks "Er CPR-nummeret rigtigt?"
before saving, and a Danish postal code fills in the town. The FixedClock's today is
25.11.2026; all CPR numbers are synthetic."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.services.people import get_person
from boligsag.services.people_search import count_people
from boligsag.ui.admin_panels.services import ServicesPanel
from boligsag.ui.events import AppEvents
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click, type_into
from .test_people_support import (
    back_to,
    focused,
    make_person,
    open_people,
    open_person,
    press,
    top_dialog,
    type_keys,
)

CTRL = Qt.KeyboardModifier.ControlModifier


def new_person_form(qtbot: QtBot, window: MainWindow, first: str, last: str) -> QDialog:
    open_people(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    form = top_dialog(qtbot, QDialog, "personDialog")
    type_keys(qtbot, first)
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, last)
    press(qtbot, Qt.Key.Key_Tab)
    return form


def question(qtbot: QtBot) -> QMessageBox:
    return top_dialog(qtbot, QMessageBox, "birthDateQuestion")


def test_an_unlikely_cpr_number_is_asked_about_before_saving(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    form = new_person_form(qtbot, main_window, "Karen", "Dahl")
    cpr = child(form, QLineEdit, "personCprEdit")
    assert focused(qtbot) is cpr
    type_keys(qtbot, "010170-5001")  # sequence 5xxx with year 70: born 1870
    assert child(form, QLineEdit, "personBirthDateEdit").text() == "01.01.1870"
    click(qtbot, form, "personSaveButton")
    box = question(qtbot)
    assert box.text() == "Er CPR-nummeret rigtigt?"
    assert box.informativeText() == ("CPR-nummeret giver fødselsdatoen 01.01.1870: personen "
                                     "ville være 156 år.")
    assert [b.text() for b in box.buttons()] == ["Ja, gem", "Ret det"]
    click(qtbot, box, "birthDateCorrectButton")  # "Ret det": back to the number
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5_000)
    back_to(qtbot, form)
    assert focused(qtbot) is cpr
    assert cpr.selectedText() == "010170-5001"
    assert count_people(ctx) == 0

    type_keys(qtbot, "010150-5001")  # now a typo the other way: born 2050
    click(qtbot, form, "personSaveButton")
    box = question(qtbot)
    assert box.informativeText() == ("CPR-nummeret giver fødselsdatoen 01.01.2050, som "
                                     "ligger ude i fremtiden.")
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, box, "birthDateSaveButton")  # "Ja, gem": the user knows best
    page = main_window.page("people")
    qtbot.waitUntil(lambda: page.person_view.page is not None, timeout=5_000)
    saved = page.person_view.page.detail
    assert (saved.cpr, saved.person.birth_date) == ("010150-5001", date(2050, 1, 1))

    # Editing the person later does not ask again about the date already confirmed.
    back_to(qtbot, main_window)
    open_person(qtbot, main_window, saved.person.id)
    qtbot.keyClick(main_window, Qt.Key.Key_E, CTRL)
    form = top_dialog(qtbot, QDialog, "personDialog")
    street = child(form, QLineEdit, "personStreetEdit")
    street.setFocus()
    type_keys(qtbot, "Ågade 1")
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "personSaveButton")
    assert get_person(ctx, saved.person.id).person.street == "Ågade 1"


def test_a_typed_birth_date_over_110_years_back_is_asked_about_too(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    form = new_person_form(qtbot, main_window, "Ebba", "Holm")
    born = child(form, QLineEdit, "personBirthDateEdit")
    born.setFocus()
    type_keys(qtbot, "24.11.1915")  # 111 years old yesterday
    click(qtbot, form, "personSaveButton")
    box = question(qtbot)
    assert box.text() == "Er fødselsdatoen rigtig?"
    assert box.informativeText() == "Med fødselsdatoen 24.11.1915 ville personen være 111 år."
    press(qtbot, Qt.Key.Key_Escape)  # Esc (and Enter) mean "Ret det"
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5_000)
    back_to(qtbot, form)
    assert focused(qtbot) is born
    born.selectAll()
    type_keys(qtbot, "26.11.1915")  # 110 years old: no question
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "personSaveButton")
    assert count_people(ctx) == 1


def test_a_postal_code_fills_in_the_town(qtbot: QtBot, ctx: AppContext,
                                         main_window: MainWindow) -> None:
    form = new_person_form(qtbot, main_window, "Ida", "Berg")
    postal = child(form, QLineEdit, "personPostalCodeEdit")
    town = child(form, QLineEdit, "personCityEdit")
    note = child(form, QLabel, "personPostalCodeNote")
    postal.setFocus()
    type_keys(qtbot, "8000")
    assert town.text() == "Aarhus C"
    postal.selectAll()
    type_keys(qtbot, "5000")  # the town was filled in, so it follows the code
    assert town.text() == "Odense C"
    postal.selectAll()
    type_keys(qtbot, "3900")  # Nuuk: not a Danish code
    assert town.text() == ""
    assert note.isVisible() and note.text() == "Ukendt postnummer – skriv selv byen."
    town.setFocus()
    type_keys(qtbot, "Nuuk")
    postal.setFocus()
    postal.selectAll()
    type_keys(qtbot, "3700")  # a town the user typed is never overwritten
    assert town.text() == "Nuuk" and not note.isVisible()
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "personSaveButton")  # an unknown code is no obstacle
    view = main_window.page("people").person_view
    qtbot.waitUntil(lambda: view.page is not None, timeout=5_000)
    person = view.page.detail.person
    assert (person.postal_code, person.city) == ("3700", "Nuuk")


def test_a_saved_town_is_kept_when_the_person_is_opened(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    person = make_person(ctx, "Bo", "Lund", date(1980, 1, 1), postal_code="8000",
                         city="Århus C")  # the old spelling, as saved
    open_person(qtbot, main_window, person)
    qtbot.keyClick(main_window, Qt.Key.Key_E, CTRL)
    form = top_dialog(qtbot, QDialog, "personDialog")
    assert child(form, QLineEdit, "personCityEdit").text() == "Århus C"


def test_the_household_and_service_forms_fill_the_town_the_same_way(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    mother = make_person(ctx, "Amina", "Yılmaz", date(1986, 4, 2))
    page = open_person(qtbot, main_window, mother)
    click(qtbot, child(page, QWidget, "householdCard"), "editHouseholdButton")
    dialog = top_dialog(qtbot, QDialog, "householdDialog")
    postal = child(dialog, QLineEdit, "householdPostalCodeEdit")
    postal.setFocus()
    type_keys(qtbot, "9000")
    assert child(dialog, QLineEdit, "householdCityEdit").text() == "Aalborg"
    postal.selectAll()
    type_keys(qtbot, "0800")  # a large recipient's code: not a street address
    assert child(dialog, QLineEdit, "householdCityEdit").text() == ""
    assert child(dialog, QLabel, "householdPostalCodeNote").isVisible()
    dialog.reject()

    panel = ServicesPanel(ctx, AppEvents())
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=5_000)
    click(qtbot, panel, "addServiceButton")
    service = panel.dialog
    assert service is not None
    type_into(qtbot, service, "serviceEdit_postal_code", "3700")
    assert child(service, QLineEdit, "serviceEdit_city").text() == "Rønne"
    service.reject()

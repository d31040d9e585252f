"""Personer in the real main window: search-as-you-type, the lazy sorted list, a new
person with validation in place, the duplicate warning, and the stale-record refusal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QDialog, QFrame, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.services.people import get_person, update_person
from boligsag.services.people_search import count_people
from boligsag.ui.people.models import PeopleColumn, PeopleModel
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click
from .test_people_support import (
    focused,
    make_person,
    open_people,
    open_person,
    press,
    top_dialog,
    type_keys,
)

CTRL = Qt.KeyboardModifier.ControlModifier


def top_dialog_of(qtbot: QtBot, dialog: QDialog | None) -> QDialog:
    assert dialog is not None
    return top_dialog(qtbot, QDialog, dialog.objectName())


def names(page) -> list[str]:  # type: ignore[no-untyped-def]
    model = page.list_view.model
    return [model.index(r, PeopleColumn.NAME).data() for r in range(model.rowCount())]


def search(qtbot: QtBot, page, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    edit = page.list_view.search
    edit.selectAll()
    press(qtbot, Qt.Key.Key_Backspace)
    type_keys(qtbot, text)
    assert page.list_view.searching()  # waits for a pause in typing
    qtbot.waitUntil(lambda: not page.list_view.searching(), timeout=5_000)
    return names(page)


def test_search_as_you_type_by_name_cpr_and_phone(qtbot: QtBot, ctx: AppContext,
                                                   main_window: MainWindow) -> None:
    ayse = make_person(ctx, "Ayşe", "Kaya", cpr="050590-1234", phone="12 34 56 78",
                       street="Ærtebjergvej 4")
    make_person(ctx, "Nguyễn", "Văn Minh", date(1984, 2, 1), phone="87654321")
    make_person(ctx, "Søren", "Østergård", date(1950, 6, 7))
    page = open_people(qtbot, main_window)
    assert sorted(names(page)) == ["Ayşe Kaya", "Nguyễn Văn Minh", "Søren Østergård"]
    assert child(page, QLabel, "peopleCountLabel").text() == "3 personer"

    qtbot.keyClick(main_window, Qt.Key.Key_F, CTRL)  # Ctrl+F: to the search field
    assert focused(qtbot) is page.list_view.search
    assert search(qtbot, page, "kay") == ["Ayşe Kaya"]  # part of the name
    assert search(qtbot, page, "minh") == ["Nguyễn Văn Minh"]
    assert search(qtbot, page, "sor") == ["Søren Østergård"]  # ø found as o
    assert search(qtbot, page, "0505") == ["Ayşe Kaya"]  # CPR digits
    assert search(qtbot, page, "8765") == ["Nguyễn Văn Minh"]  # phone digits
    assert search(qtbot, page, "ærtebjerg") == ["Ayşe Kaya"]  # address
    assert child(page, QLabel, "peopleCountLabel").text() == "1 passer på “ærtebjerg”"
    model = page.list_view.model
    # Lists never show the full CPR number.
    assert model.index(0, PeopleColumn.CPR).data() == "050590-••••"
    assert model.index(0, PeopleColumn.BORN).data().startswith("05.05.1990 (36 år)")
    assert search(qtbot, page, "zzzz") == []
    assert child(page, QFrame, "emptyState").isVisible()

    assert search(qtbot, page, "ayş") == ["Ayşe Kaya"]
    press(qtbot, Qt.Key.Key_Return)  # Enter opens the (first) match
    qtbot.waitUntil(lambda: page.person_view.page is not None)
    assert page.person_view.page.detail.person.id == ayse
    assert child(page, QLabel, "personNameLabel").text() == "Ayşe Kaya"
    cpr = child(page, QLabel, "personValue_cpr")
    assert cpr.text() == "050590-••••"
    click(qtbot, page, "revealCprButton")  # the view is audited by get_person
    assert cpr.text() == "050590-1234"
    press(qtbot, Qt.Key.Key_Escape)  # back to the list, the search kept
    assert not page.showing_person()
    assert page.list_view.search.text() == "ayş"


def test_lazy_model_pages_and_sorts_in_sql(qtbot: QtBot, qtmodeltester, ctx: AppContext,
                                           main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    born = [date(1990, 1, 1), date(2001, 1, 1), date(1975, 1, 1), date(2012, 1, 1),
            date(1999, 1, 1)]
    for number, day in enumerate(born):
        make_person(ctx, f"Person{number}", f"Efternavn{4 - number}", day)
    model = PeopleModel(ctx)
    model.page_size = 2
    model.reload()
    qtbot.waitUntil(lambda: model.ever_loaded)
    assert model.rowCount() == 2 and model.canFetchMore()
    qtmodeltester.check(model)  # which also asks for more
    while model.canFetchMore() or model.loading:
        if model.canFetchMore():
            model.fetchMore()  # the next page, off the GUI thread
        qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == 5
    qtmodeltester.check(model)
    assert [r.last_name for r in model.rows()] == [f"Efternavn{n}" for n in range(5)]

    # A click on a column header sorts in SQL, and again the other way round.
    page = open_people(qtbot, main_window)
    header = page.list_view.table.horizontalHeader()
    position = header.sectionViewportPosition(PeopleColumn.BORN) + 10
    orders = []
    for _click in range(2):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(position, 10))
        qtbot.waitUntil(lambda: not page.list_view.model.loading)
        assert header.sortIndicatorSection() == PeopleColumn.BORN
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        orders.append(descending)
        shown = [r.birth_date for r in page.list_view.model.rows()]
        assert shown == sorted(born, reverse=descending)
    assert orders[0] != orders[1]


def test_new_person_validates_in_place_and_derives_from_cpr(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    page = open_people(qtbot, main_window)
    qtbot.keyClick(main_window, Qt.Key.Key_N, CTRL)
    form = top_dialog(qtbot, QDialog, "personDialog")
    assert focused(qtbot) is child(form, QLineEdit, "personFirstNameEdit")
    type_keys(qtbot, "Şükrü")
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "Yılmaz")
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "310299-1234")  # no 31 February
    error = child(form, QLabel, "personError_cpr")
    assert error.text() == "CPR-nummerets første seks cifre er ikke en gyldig dato."
    assert error.isVisible()
    cpr = child(form, QLineEdit, "personCprEdit")
    cpr.selectAll()
    type_keys(qtbot, "140511-4235")
    assert not error.isVisible()
    born = child(form, QLineEdit, "personBirthDateEdit")
    assert born.text() == "14.05.2011" and born.isReadOnly()
    gender = child(form, QComboBox, "personGenderCombo")
    assert gender.currentText() == "Mand" and not gender.isEnabled()
    assert child(form, QLabel, "personCprDerived").text() == \
        "Fra CPR-nummeret: født 14.05.2011, mand."

    phone = child(form, QLineEdit, "personPhoneEdit")
    phone.setFocus()
    type_keys(qtbot, "1234 56")
    press(qtbot, Qt.Key.Key_Tab)  # checked on leaving the field
    assert child(form, QLabel, "personError_phone").text() == \
        "Skriv et dansk telefonnummer: 8 cifre, fx 12 34 56 78."
    phone.setFocus()
    phone.selectAll()
    type_keys(qtbot, "+45 2233 4455")
    press(qtbot, Qt.Key.Key_Tab)
    assert phone.text() == "22 33 44 55"  # tidied
    assert not child(form, QLabel, "personError_phone").isVisible()
    postal = child(form, QLineEdit, "personPostalCodeEdit")
    postal.setFocus()
    type_keys(qtbot, "52")
    press(qtbot, Qt.Key.Key_Tab)
    assert child(form, QLabel, "personError_postal_code").text() == "Et postnummer har 4 cifre."
    postal.setFocus()
    type_keys(qtbot, "20")
    press(qtbot, Qt.Key.Key_Tab)

    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "personSaveButton")
    qtbot.waitUntil(lambda: page.person_view.page is not None)  # the new person's page
    detail = page.person_view.page.detail
    assert (detail.person.full_name, detail.person.birth_date, detail.cpr,
            detail.person.phone, detail.person.postal_code) == (
        "Şükrü Yılmaz", date(2011, 5, 14), "140511-4235", "22 33 44 55", "5220")


def test_the_service_messages_land_beside_the_fields(qtbot: QtBot, ctx: AppContext,
                                                    main_window: MainWindow) -> None:
    page = open_people(qtbot, main_window)
    form = top_dialog_of(qtbot, page.new_person())
    click(qtbot, form, "personSaveButton")  # no name at all
    qtbot.waitUntil(lambda: child(form, QLabel, "personError_first_name").isVisible())
    assert child(form, QLabel, "personError_first_name").text() == "Angiv fornavn."
    assert child(form, QLabel, "personError_last_name").text() == "Angiv efternavn."
    assert count_people(ctx) == 0


def test_duplicate_warning_opens_the_existing_person(qtbot: QtBot, ctx: AppContext,
                                                     main_window: MainWindow) -> None:
    existing = make_person(ctx, "Mohammed", "Al-Hassan", date(2009, 3, 4))
    page = open_people(qtbot, main_window)
    form = top_dialog_of(qtbot, page.new_person())
    type_keys(qtbot, "Mohamed")  # one m fewer
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "Al Hassan")
    child(form, QLineEdit, "personBirthDateEdit").setFocus()
    type_keys(qtbot, "04.03.2009")
    press(qtbot, Qt.Key.Key_Return)  # Enter saves: first the duplicate check
    warning = top_dialog(qtbot, QDialog, "duplicateDialog")
    matches = child(warning, QPushButton, "duplicateOpenButton")
    assert matches.isDefault()
    listed = warning.list.item(0).data(Qt.ItemDataRole.AccessibleTextRole)
    assert listed.startswith("Mohammed Al-Hassan – f. 04.03.2009")
    assert listed.endswith("Lignende navn og samme fødselsdato")
    assert child(warning, QPushButton, "duplicateCreateButton").isVisible()
    click(qtbot, warning, "duplicateOpenButton")  # "Åbn eksisterende"
    qtbot.waitUntil(lambda: page.person_view.page is not None)
    assert page.person_view.page.detail.person.id == existing
    qtbot.waitUntil(lambda: not shiboken6.isValid(form) or not form.isVisible())
    assert count_people(ctx) == 1  # nobody was created


def test_same_cpr_can_only_be_opened(qtbot: QtBot, ctx: AppContext,
                                     main_window: MainWindow) -> None:
    make_person(ctx, "Fatima", "Hansen", cpr="020304-4122")  # born 2004
    page = open_people(qtbot, main_window)
    form = top_dialog_of(qtbot, page.new_person())
    type_keys(qtbot, "Fatma")
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "Jensen")
    press(qtbot, Qt.Key.Key_Tab)
    type_keys(qtbot, "0203044122")
    click(qtbot, form, "personSaveButton")
    warning = top_dialog(qtbot, QDialog, "duplicateDialog")
    assert warning.list.item(0).data(Qt.ItemDataRole.AccessibleTextRole).endswith(
        "Samme CPR-nummer")
    assert not child(warning, QPushButton, "duplicateCreateButton").isVisible()
    assert child(warning, QLabel, "duplicateRefused").isVisible()
    click(qtbot, warning, "duplicateBackButton")
    assert form.isVisible()  # back to the form, nothing lost
    assert child(form, QLineEdit, "personFirstNameEdit").text() == "Fatma"


def test_someone_else_saved_first_then_reload(qtbot: QtBot, ctx: AppContext,
                                              main_window: MainWindow) -> None:
    person = make_person(ctx, "Lærke", "Bøgh", date(1988, 8, 8), phone="11223344")
    page = open_person(qtbot, main_window, person)
    qtbot.keyClick(main_window, Qt.Key.Key_E, CTRL)  # Ctrl+E: edit the person
    form = top_dialog(qtbot, QDialog, "personDialog")
    # Meanwhile a colleague corrects the phone number.
    detail = get_person(ctx, person)
    update_person(ctx, person, detail.person.version,
                  replace(detail.to_draft(), phone="99 88 77 66"))
    street = child(form, QLineEdit, "personStreetEdit")
    street.setFocus()
    type_keys(qtbot, "Åvej 3")
    click(qtbot, form, "personSaveButton")
    bar = child(form, QFrame, "personStaleBar")
    qtbot.waitUntil(bar.isVisible, timeout=5_000)
    assert child(bar, QLabel, "personStaleText").text().startswith(
        "Nogen har ændret oplysningerne, efter du åbnede formularen.")
    assert get_person(ctx, person).person.street == ""  # nothing overwritten
    click(qtbot, form, "personReloadButton")  # "Genindlæs"
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=5_000)
    assert child(form, QLineEdit, "personPhoneEdit").text() == "99 88 77 66"
    street.setFocus()
    street.selectAll()
    type_keys(qtbot, "Åvej 3")
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "personSaveButton")
    saved = get_person(ctx, person).person
    assert (saved.street, saved.phone) == ("Åvej 3", "99 88 77 66")
    qtbot.waitUntil(lambda: child(page, QLabel, "personValue_address").text() == "Åvej 3")

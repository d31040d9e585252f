"""A person's page: a household with a child made through the dialogs (parent–child
link with custody), and timeline items that open their records."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import JobKind
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext
from boligsag.services.jobs import JobDraft, create_job
from boligsag.services.people import get_person
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click
from .test_people_support import (
    back_to,
    make_person,
    open_person,
    press,
    top_dialog,
    type_keys,
)


def test_a_household_with_a_child_via_the_dialogs(qtbot: QtBot, ctx: AppContext,
                                                  main_window: MainWindow) -> None:
    mother = make_person(ctx, "Amina", "Yılmaz", date(1986, 4, 2), street="Ærtebjergvej 12",
                         postal_code="5220", city="Odense SØ")
    child_id = make_person(ctx, "Elif", "Yılmaz", date(2015, 9, 30))
    page = open_person(qtbot, main_window, mother)
    card = child(page, QWidget, "householdCard")
    assert child(card, QLabel, "householdNameLabel").text() == "Ingen husstand registreret"

    click(qtbot, card, "editHouseholdButton")  # "Opret husstand…"
    dialog = top_dialog(qtbot, QDialog, "householdDialog")
    name = child(dialog, QLineEdit, "householdNameEdit")
    assert name.text() == "Familien Yılmaz"  # from the person: name and address
    assert child(dialog, QLineEdit, "householdStreetEdit").text() == "Ærtebjergvej 12"
    assert child(dialog, QLabel, "householdHint").isVisible()
    click(qtbot, dialog, "householdSaveButton")  # "Opret husstand"
    members = child(dialog, QListWidget, "householdMembersList")
    qtbot.waitUntil(lambda: members.isVisible() and members.count() == 1, timeout=5_000)
    assert dialog.isVisible()  # stays open for the members and links

    picker = child(dialog, QLineEdit, "householdAddPersonEdit")
    picker.setFocus()
    type_keys(qtbot, "Eli")
    results = child(dialog, QListWidget, "householdAddPersonResults")
    qtbot.waitUntil(lambda: results.isVisible() and results.count() == 1, timeout=5_000)
    press(qtbot, Qt.Key.Key_Return)  # picking is adding
    qtbot.waitUntil(lambda: members.count() == 2, timeout=5_000)
    assert [members.item(i).text() for i in range(2)] == ["Amina Yılmaz · 40 år",
                                                         "Elif Yılmaz · 11 år"]
    assert picker.text() == ""

    parent_combo = child(dialog, QComboBox, "linkParentCombo")
    child_combo = child(dialog, QComboBox, "linkChildCombo")
    assert parent_combo.currentData() == mother  # the oldest is the likely parent
    assert child_combo.currentData() == child_id  # the youngest the likely child
    assert child(dialog, QCheckBox, "linkCustodyCheck").isChecked()
    click(qtbot, dialog, "linkButton")
    links = child(dialog, QListWidget, "householdLinksList")
    qtbot.waitUntil(lambda: links.item(0).data(Qt.ItemDataRole.UserRole) is not None,
                    timeout=5_000)
    assert links.item(0).text() == \
        "Amina Yılmaz er forælder til Elif Yılmaz · har forældremyndighed"
    click(qtbot, dialog, "householdCancelButton")  # "Luk"

    detail = get_person(ctx, mother)
    assert detail.household_name == "Familien Yılmaz"
    (relation,) = detail.children
    assert (relation.child.id, relation.has_custody) == (child_id, True)
    qtbot.waitUntil(lambda: "Elif Yılmaz" in child(card, QLabel, "householdRelationsLabel")
                    .text(), timeout=5_000)
    relations = child(card, QLabel, "householdRelationsLabel").text()
    assert "Børn:" in relations and "(forældremyndighed)" in relations
    assert "Elif Yılmaz" in child(card, QLabel, "householdMembersLabel").text()

    # The child's name is a link to the child's page.
    child(card, QLabel, "householdMembersLabel").linkActivated.emit(f"person:{child_id}")
    qtbot.waitUntil(lambda: page.person_view.page is not None
                    and page.person_view.page.detail.person.id == child_id, timeout=5_000)
    qtbot.waitUntil(lambda: "Amina Yılmaz" in child(card, QLabel, "householdRelationsLabel")
                    .text(), timeout=5_000)
    assert "Forældre:" in child(card, QLabel, "householdRelationsLabel").text()


def test_timeline_items_open_their_records(qtbot: QtBot, ctx: AppContext,
                                           main_window: MainWindow) -> None:
    youth = make_person(ctx, "Jonas", "Ødegaard", date(2011, 1, 20))
    log_contact(ctx, ContactDraft("phone", person_ids=(youth,), duration_minutes=20,
                                  note="Talte om fritidsjob.",
                                  occurred_at=datetime(2026, 11, 20, 14, 5)))
    create_job(ctx, JobDraft(youth, JobKind.LEISURE, "Bageriet Ærø", date(2026, 10, 1)))
    page = open_person(qtbot, main_window, youth)
    timeline = page.person_view.timeline
    titles = [i.title for i in timeline.model.items()]
    assert titles == ["Kontakt (Telefon)", "Fritidsjob hos Bageriet Ærø"]  # newest first
    assert child(page, QLabel, "timelineStatus").text() == "2 punkter, nyeste først"

    view = child(page, QListView, "timelineList")
    view.setFocus()
    view.setCurrentIndex(timeline.model.index(0, 0))
    press(qtbot, Qt.Key.Key_Return)  # the contact opens in its dialog, to correct it
    contact = top_dialog(qtbot, QDialog, "quickLogDialog")
    assert child(contact, QLabel, "dialogTitle").text() == "Ret kontakt"
    assert contact.note.toPlainText() == "Talte om fritidsjob."
    assert contact.people.person_ids() == (youth,)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not shiboken6.isValid(contact) or not contact.isVisible())
    back_to(qtbot, main_window)

    view.setCurrentIndex(timeline.model.index(1, 0))
    press(qtbot, Qt.Key.Key_Return)
    job = top_dialog(qtbot, QDialog, "jobDialog")
    assert child(job, QLineEdit, "jobEmployerEdit").text() == "Bageriet Ærø"
    press(qtbot, Qt.Key.Key_Escape)


def test_the_timeline_pages_with_show_more(qtbot: QtBot, qtmodeltester, ctx: AppContext,
                                           main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    person = make_person(ctx, "Sofie", "Ærenlund", date(1995, 5, 5))
    for number in range(53):
        log_contact(ctx, ContactDraft("in_person", person_ids=(person,),
                                      occurred_at=datetime(2026, 1, 1, 8, 0)
                                      + timedelta(days=number)))
    page = open_person(qtbot, main_window, person)
    timeline = page.person_view.timeline
    assert timeline.model.rowCount() == 50
    more = child(page, QPushButton, "timelineMoreButton")
    assert more.isVisible() and more.text() == "Vis flere"
    click(qtbot, page, "timelineMoreButton")
    qtbot.waitUntil(lambda: timeline.model.rowCount() == 53, timeout=5_000)
    assert not more.isVisible()
    qtmodeltester.check(timeline.model)
    days = [item.at for item in timeline.model.items()]
    assert days == sorted(days, reverse=True) and len(set(days)) == 53  # none twice

"""Deleting a household created by mistake or left empty (issue 10 §2, "wire it or delete
it"): "Slet husstand…" in the household dialog asks first ("Slet ikke" is the default), names
the members who stay registered without a household, and the person's page then shows no
household; the deletion and each member's change are in the audit log."""

from __future__ import annotations

from datetime import date

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import AuditAction
from boligsag.services.context import AppContext
from boligsag.services.households import HouseholdDraft, create_household, get_household
from boligsag.services.people import get_person
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click
from .test_people_support import make_person, open_person, top_dialog
from .test_referrals_support import audit_entries


def closed(widget: QWidget) -> bool:
    return not shiboken6.isValid(widget) or not widget.isVisible()


def test_delete_household_asks_names_the_members_and_leaves_them_without_one(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    mother = make_person(ctx, "Amina", "Yılmaz", date(1986, 4, 2))
    daughter = make_person(ctx, "Elif", "Yılmaz", date(2015, 9, 30))
    household = create_household(ctx, HouseholdDraft("Familien Yılmaz"),
                                 member_ids=(mother, daughter)).household.id
    page = open_person(qtbot, main_window, mother)
    card = child(page, QWidget, "householdCard")
    assert child(card, QLabel, "householdNameLabel").text() == "Familien Yılmaz"

    click(qtbot, card, "editHouseholdButton")
    dialog = top_dialog(qtbot, QDialog, "householdDialog")
    button = child(dialog, QPushButton, "deleteHouseholdButton")
    assert button.isVisible() and button.text() == "Slet husstand…"
    button.click()
    box = top_dialog(qtbot, QMessageBox, "deleteHouseholdQuestion")
    assert box.text() == "Slet husstanden Familien Yılmaz?"
    detail = box.informativeText()
    assert "oprettet ved en fejl" in detail and "logges" in detail
    assert "Amina Yılmaz, Elif Yılmaz" in detail and "uden husstand" in detail
    cancel = child(box, QPushButton, "deleteHouseholdQuestionKeepButton")
    assert box.defaultButton() is cancel
    qtbot.keyClick(box, Qt.Key.Key_Return)  # a stray Enter deletes nothing
    qtbot.waitUntil(lambda: closed(box), timeout=5_000)
    assert get_household(ctx, household).household.name == "Familien Yılmaz"
    assert dialog.isVisible()

    button.click()
    box = top_dialog(qtbot, QMessageBox, "deleteHouseholdQuestion")
    child(box, QPushButton, "deleteHouseholdQuestionConfirmButton").click()
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)
    qtbot.waitUntil(lambda: child(card, QLabel, "householdNameLabel").text()
                    == "Ingen husstand registreret", timeout=5_000)
    assert get_person(ctx, daughter).household_name == ""  # still registered
    assert [e.entity for e in audit_entries(ctx, AuditAction.DELETE)] == ["households"]
    changed = [e.detail for e in audit_entries(ctx, AuditAction.UPDATE)
               if e.detail == "household deleted"]
    assert len(changed) == 2  # each member's record changed


def test_a_new_household_has_nothing_to_delete(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    amina = make_person(ctx, "Amina", "Yılmaz", date(1986, 4, 2))
    page = open_person(qtbot, main_window, amina)
    click(qtbot, child(page, QWidget, "householdCard"), "editHouseholdButton")  # "Opret…"
    dialog = top_dialog(qtbot, QDialog, "householdDialog")
    assert not child(dialog, QPushButton, "deleteHouseholdButton").isVisible()
    dialog.reject()

"""SSP-locked notes in the window (issue 13 §5): the administrator gives a colleague SSP
access in Medarbejdere; a staff member with it marks a contact SSP in the quick log;
opened again, the note is hidden until "Vis SSP-notat…" and a purpose; without SSP
access the box is locked, the note stays hidden, and saving other changes keeps it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QPlainTextEdit, QPushButton, QSpinBox
from pytestqt.qtbot import QtBot

from boligsag.services.contacts import list_contacts
from boligsag.services.context import AppContext
from boligsag.services.staff import get_staff, staff_input, update_staff
from boligsag.storage.models import AuditEntry, Contact
from boligsag.ui.admin_panels.staff_dialog import StaffDialog
from boligsag.ui.purpose_dialog import PurposeDialog
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click
from .test_contacts import open_contacts
from .test_people_support import make_person, press, top_dialog, type_keys
from .test_quick_log import closed, quick_log
from .test_staff import select, staff_tab

PLANTED = "Grethelund-plantet-SSP-notat om brand i kælderen"
SHOTS = Path("/tmp/shots/ssp")


def _shot(widget: QDialog, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def _note(ctx: AppContext) -> str:
    with ctx.read() as unit:
        return unit.session.query(Contact.note).one()[0]


def test_ssp_access_given_in_medarbejdere(qtbot: QtBot, main_window: MainWindow,
                                          ctx: AppContext) -> None:
    panel = staff_tab(qtbot, main_window, rows=1)
    select(panel, "admin")
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    dialog = panel.dialog
    assert isinstance(dialog, StaffDialog)
    box = child(dialog, QCheckBox, "staffSspCheck")
    assert box.text() == "Må læse SSP-notater" and not box.isChecked()
    box.setChecked(True)
    _shot(dialog, "staff_dialog")
    click(qtbot, dialog, "staffOkButton")
    qtbot.waitUntil(lambda: get_staff(ctx, ctx.actor.user_id).ssp_access, timeout=10_000)
    with ctx.read() as unit:
        entry = unit.session.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
    assert entry is not None and "SSP access granted" in entry.detail


def test_an_ssp_note_is_written_hidden_and_read_with_a_purpose(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    row = get_staff(ctx, ctx.actor.user_id)
    update_staff(ctx, row.id, replace(staff_input(row), ssp_access=True), stamp=row.stamp)
    youth = make_person(ctx, "Yusuf", "Demir", date(2011, 5, 5))
    dialog = quick_log(qtbot, main_window)
    type_keys(qtbot, "Yus")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.people.person_ids() == (youth,), timeout=5_000)
    note = child(dialog, QPlainTextEdit, "quickLogNoteEdit")
    note.setFocus()
    type_keys(qtbot, PLANTED)
    press(qtbot, Qt.Key.Key_Tab)  # from the note, the SSP box is next
    ssp = child(dialog, QCheckBox, "quickLogSspCheck")
    assert ssp.hasFocus() and ssp.isEnabled()
    press(qtbot, Qt.Key.Key_Space)
    assert ssp.isChecked()
    _shot(dialog, "quick_log_ssp")
    click(qtbot, dialog, "quickLogSaveButton")
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)
    (saved,) = list_contacts(ctx).items
    assert (saved.ssp_locked, saved.note, saved.note_withheld) == (True, "", True)
    assert _note(ctx) == PLANTED

    page = open_contacts(qtbot, main_window)
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    edit = top_dialog(qtbot, QDialog, "quickLogDialog")
    note = child(edit, QPlainTextEdit, "quickLogNoteEdit")
    assert note.toPlainText() == "" and note.isReadOnly()
    assert note.placeholderText().startswith("SSP-notat: teksten vises kun")
    reveal = child(edit, QPushButton, "quickLogRevealSspButton")
    assert reveal.isVisible() and reveal.text() == "Vis SSP-notat…"
    _shot(edit, "edit_hidden")
    reveal.click()
    purpose = top_dialog(qtbot, PurposeDialog, "purposeDialog")
    assert purpose.windowTitle() == "SSP-notat"
    _shot(purpose, "purpose")
    click(qtbot, purpose, "purposeOkButton")
    qtbot.waitUntil(lambda: note.toPlainText() == PLANTED, timeout=5_000)
    assert not note.isReadOnly() and not reveal.isVisible()
    _shot(edit, "edit_revealed")
    with ctx.read() as unit:
        entry = unit.session.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
    assert entry is not None and entry.detail.startswith("SSP note; purpose: ")
    edit.reject()

    # Without SSP access: locked box, hidden note, and a save of the rest keeps it.
    row = get_staff(ctx, ctx.actor.user_id)
    update_staff(ctx, row.id, replace(staff_input(row), ssp_access=False), stamp=row.stamp)
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: top_dialog(qtbot, QDialog, "quickLogDialog") is not edit,
                    timeout=5_000)
    other = top_dialog(qtbot, QDialog, "quickLogDialog")
    assert not child(other, QCheckBox, "quickLogSspCheck").isEnabled()
    assert child(other, QCheckBox, "quickLogSspCheck").isChecked()
    assert not child(other, QPushButton, "quickLogRevealSspButton").isVisible()
    assert child(other, QPlainTextEdit, "quickLogNoteEdit").isReadOnly()
    _shot(other, "edit_without_access")
    duration = child(other, QSpinBox, "quickLogDurationSpin")
    duration.setValue(45)
    click(qtbot, other, "quickLogSaveButton")
    qtbot.waitUntil(lambda: closed(other), timeout=5_000)
    assert list_contacts(ctx).items[0].duration_minutes == 45
    assert _note(ctx) == PLANTED

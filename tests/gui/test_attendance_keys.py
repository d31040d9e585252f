"""The attendance list keeps what was typed: a reason written on an absent row stays
when ↓ or ↑ moves on to the next person, as the footer hint promises, and it is saved
with the session."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QTableView, QWidget
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.services.sessions import session_sheet
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, type_text
from .test_activities_support import (
    activity,
    choose_activity,
    enroll_people,
    open_activities,
    person,
)
from .test_sessions import TODAY, open_session


def reason_editor(form: QWidget) -> QComboBox:
    """The open reason box (a closed one may linger until Qt deletes it)."""
    (editor,) = [e for e in form.findChildren(QComboBox, "absenceReasonEditor")
                 if e.isVisible()]
    return editor


def test_arrow_keys_move_on_and_keep_the_typed_reason(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    homework = activity(ctx, "Lektiecafé")
    enroll_people(ctx, homework.id, person(ctx, "Ayşe", "Kaya"), person(ctx, "Bilal", "Hamdi"),
                  person(ctx, "Çağla", "Øster"))
    page = open_activities(qtbot, main_window)
    choose_activity(qtbot, page, homework.id)
    form = open_session(qtbot, main_window, "actionRecordSession")
    view = child(form, QTableView, "attendanceTable")

    qtbot.keyClick(view, Qt.Key.Key_Space)
    qtbot.keyClick(view, Qt.Key.Key_Space)  # Ayşe: absent
    type_text(qtbot, view, "t")
    editor = reason_editor(form)
    type_text(qtbot, editor.lineEdit(), "il tandlæge")
    qtbot.keyClick(editor, Qt.Key.Key_Down)  # as the footer hint says (the box has the focus)
    qtbot.waitUntil(lambda: view.state() != QTableView.State.EditingState)
    assert form.model.marks()[0].reason == "til tandlæge"
    assert view.currentIndex().row() == 1  # on to Bilal
    assert form.focusWidget() is view

    qtbot.keyClick(view, Qt.Key.Key_Space)
    qtbot.keyClick(view, Qt.Key.Key_Space)  # Bilal: absent
    type_text(qtbot, view, "k")
    editor = reason_editor(form)
    type_text(qtbot, editor.lineEdit(), "øreprøve")
    qtbot.keyClick(editor, Qt.Key.Key_Up)  # back to Ayşe
    qtbot.waitUntil(lambda: view.state() != QTableView.State.EditingState)
    assert view.currentIndex().row() == 0
    assert [m.reason for m in form.model.marks()[:2]] == ["til tandlæge", "køreprøve"]

    view.setCurrentIndex(form.model.index(2, 0))
    qtbot.keyClick(view, Qt.Key.Key_Space)  # Çağla: present
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        qtbot.keyClick(view, Qt.Key.Key_Return)
    sheet = session_sheet(ctx, homework.id, TODAY)
    assert [(r.present, r.absence_reason) for r in sheet.rows] == [
        (False, "til tandlæge"), (False, "køreprøve"), (True, "")]

    sessions = child(page, QTableView, "sessionsTable")
    qtbot.waitUntil(lambda: sessions.model().rowCount() == 1)
    sessions.setFocus()
    sessions.selectRow(0)
    form = open_session(qtbot, main_window, "actionOpenSession")
    assert [m.reason for m in form.model.marks()] == ["til tandlæge", "køreprøve", ""]

"""The one-screen session registration: attendance with the keyboard (one absent with a
reason), reopened pre-filled and corrected; drop-in head counts by age group and
gender with their totals."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QSpinBox,
    QTableView,
)
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import ActivityKind, ActivityMode
from boligsag.services.context import AppContext
from boligsag.services.sessions import list_sessions, session_sheet
from boligsag.ui.activities.attendance import AttendanceModel
from boligsag.ui.activities.session_dialog import SessionDialog, parse_time
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click, type_text
from .test_activities_support import (
    activity,
    choose_activity,
    dialog,
    enroll_people,
    open_activities,
    person,
    trigger,
)

TODAY = date(2026, 11, 25)  # the test clock's day


def open_session(qtbot: QtBot, window: MainWindow, action: str) -> SessionDialog:
    if action == "actionRecordSession":  # Ctrl+R, wherever the focus is on the page
        page = window.page("activities")
        assert page is not None and page.focusWidget() is not None
        qtbot.keyClick(page.focusWidget(), Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    else:
        trigger(window, action)
    form = dialog(qtbot, window, QDialog, "sessionDialog")
    assert isinstance(form, SessionDialog)
    qtbot.waitUntil(form.loaded, timeout=5_000)
    return form


def test_record_attendance_with_the_keyboard_then_correct_it(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    homework = activity(ctx, "Lektiehold for 8.–9. klasse", ActivityKind.HOMEWORK_CAFE)
    people = [person(ctx, "Ayşe", "Kaya"), person(ctx, "Bilal", "Hamdi"),
              person(ctx, "Çağla", "Øster")]
    enroll_people(ctx, homework.id, *people)
    page = open_activities(qtbot, main_window)
    choose_activity(qtbot, page, homework.id)

    form = open_session(qtbot, main_window, "actionRecordSession")
    assert child(form, QLabel, "sessionStateLabel").text() == \
        "Ny mødegang. Markér alle på listen."
    view = child(form, QTableView, "attendanceTable")
    assert form.focusWidget() is view and view.currentIndex().row() == 0
    staff = child(form, QListWidget, "sessionStaffList")
    checked = [staff.item(i).text() for i in range(staff.count())
               if staff.item(i).checkState() == Qt.CheckState.Checked]
    assert checked == ["Åse Nørgaard"]  # me, preselected
    assert child(form, QLabel, "sessionCountsLabel").text() == \
        "0 til stede · 0 fraværende · 3 ikke markeret"

    qtbot.keyClick(view, Qt.Key.Key_Space)  # Ayşe: present
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Space)  # Bilal: present ...
    qtbot.keyClick(view, Qt.Key.Key_Space)  # ... no: absent
    type_text(qtbot, view, "S")  # typing on an absent row writes the reason
    editor = child(form, QComboBox, "absenceReasonEditor")
    type_text(qtbot, editor.lineEdit(), "yg")
    qtbot.keyClick(editor.lineEdit(), Qt.Key.Key_Return)  # keeps the reason
    assert form.isVisible()
    assert form.model.marks()[1].reason == "Syg"

    qtbot.keyClick(view, Qt.Key.Key_Return)  # Çağla not marked: Enter refuses
    error = child(form, QLabel, "sessionError_attendance")
    assert error.isVisible()
    assert error.text() == "Markér alle deltagere som til stede eller fraværende."
    assert view.currentIndex().row() == 2  # the cursor is on the one missing
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert child(form, QLabel, "sessionCountsLabel").text() == "2 til stede · 1 fraværende"
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        qtbot.keyClick(view, Qt.Key.Key_Return)  # Enter saves

    sheet = session_sheet(ctx, homework.id, TODAY)
    assert sheet.session_id is not None
    assert [(r.name, r.present, r.absence_reason) for r in sheet.rows] == [
        ("Ayşe Kaya", True, ""), ("Bilal Hamdi", False, "Syg"), ("Çağla Øster", True, "")]

    sessions = child(page, QTableView, "sessionsTable")
    qtbot.waitUntil(lambda: sessions.model().rowCount() == 1)
    assert page.detail.tabs.currentIndex() == 1  # the Mødegange tab shows it
    assert sessions.model().index(0, 1).data() == "2 til stede · 1 fraværende"
    assert sessions.model().index(0, 0).data() == "onsdag 25.11.2026"

    sessions.setFocus()
    sessions.selectRow(0)
    form = open_session(qtbot, main_window, "actionOpenSession")
    assert child(form, QLabel, "sessionStateLabel").text() == \
        "Mødegangen er allerede registreret. Dine ændringer retter den."
    assert [(m.present, m.reason) for m in form.model.marks()] == [
        (True, ""), (False, "Syg"), (True, "")]
    assert child(form, QLabel, "sessionCountsLabel").text() == "2 til stede · 1 fraværende"
    view = child(form, QTableView, "attendanceTable")
    view.setCurrentIndex(form.model.index(1, 0))
    qtbot.keyClick(view, Qt.Key.Key_Space)  # Bilal came after all
    type_text(qtbot, child(form, QLineEdit, "sessionNoteEdit"), "Matematik før prøven")
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "sessionSaveButton")
    rows = list_sessions(ctx, homework.id)
    assert [(r.present, r.absent, r.note) for r in rows] == [(3, 0, "Matematik før prøven")]
    qtbot.waitUntil(lambda: sessions.model().index(0, 1).data() == "3 til stede · 0 fraværende")


def test_all_present_and_a_future_date_is_refused(qtbot: QtBot, main_window: MainWindow,
                                                  ctx: AppContext) -> None:
    mentoring = activity(ctx, "Jobmentor")
    enroll_people(ctx, mentoring.id, person(ctx, "Ali", "Aydın"), person(ctx, "Emma", "Bo"))
    page = open_activities(qtbot, main_window)
    choose_activity(qtbot, page, mentoring.id)
    form = open_session(qtbot, main_window, "actionRecordSession")
    click(qtbot, form, "sessionAllPresentButton")
    assert [m.present for m in form.model.marks()] == [True, True]
    type_text(qtbot, child(form, QLineEdit, "sessionStartTimeEdit"), "25:00")
    click(qtbot, form, "sessionSaveButton")
    assert child(form, QLabel, "sessionError_start_time").text() == \
        "Skriv tidspunktet som tt.mm, fx 16.30."
    time_edit = child(form, QLineEdit, "sessionStartTimeEdit")
    time_edit.clear()
    type_text(qtbot, time_edit, "16.30")
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "sessionSaveButton")
    (row,) = list_sessions(ctx, mentoring.id)
    assert (row.present, row.start_time.isoformat()) == (2, "16:30:00")  # type: ignore[union-attr]


def test_drop_in_head_counts_are_saved_and_shown_again(qtbot: QtBot, main_window: MainWindow,
                                                       ctx: AppContext) -> None:
    club = activity(ctx, "Fredagsklub for unge", ActivityKind.DROP_IN, ActivityMode.DROP_IN)
    page = open_activities(qtbot, main_window)
    choose_activity(qtbot, page, club.id)
    assert not page.detail.tabs.isTabEnabled(0)  # no enrolled participants in drop-in
    form = open_session(qtbot, main_window, "actionRecordSession")
    first = child(form, QSpinBox, "headCount_0-5_female")
    assert form.focusWidget() is first
    for name, text in (("headCount_10-13_female", "4"), ("headCount_10-13_male", "7"),
                       ("headCount_14-17_male", "12"), ("headCount_18-24_unknown", "1")):
        spin = child(form, QSpinBox, name)
        spin.setFocus()
        spin.selectAll()
        type_text(qtbot, spin, text)
    assert child(form, QLabel, "headCountRowTotal_10-13").text() == "11"
    assert child(form, QLabel, "headCountColumnTotal_male").text() == "19"
    assert child(form, QLabel, "headCountTotal").text() == "24"
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        qtbot.keyClick(child(form, QSpinBox, "headCount_18-24_unknown"), Qt.Key.Key_Return)
    (row,) = list_sessions(ctx, club.id)
    assert row.head_count == 24
    sessions = child(page, QTableView, "sessionsTable")
    qtbot.waitUntil(lambda: sessions.model().rowCount() == 1)
    assert sessions.model().index(0, 1).data() == "24 besøgende"

    sessions.setFocus()
    sessions.selectRow(0)
    form = open_session(qtbot, main_window, "actionOpenSession")
    assert child(form, QSpinBox, "headCount_14-17_male").value() == 12
    assert child(form, QLabel, "headCountTotal").text() == "24"
    child(form, QSpinBox, "headCount_14-17_male").setValue(10)
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "sessionSaveButton")
    assert list_sessions(ctx, club.id)[0].head_count == 22


def test_attendance_model_passes_the_qt_model_tests(qtmodeltester, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    mentoring = activity(ctx, "Jobmentor")
    enroll_people(ctx, mentoring.id, person(ctx, "Ali", "Aydın"), person(ctx, "Emma", "Bo"))
    model = AttendanceModel()
    model.set_rows(session_sheet(ctx, mentoring.id, TODAY).rows)
    model.toggle(0)
    qtmodeltester.check(model)
    assert model.index(0, 1).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert model.index(1, 1).data() == "Ikke markeret"
    assert parse_time("0930").isoformat() == "09:30:00"  # type: ignore[union-attr]

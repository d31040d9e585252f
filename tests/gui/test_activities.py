"""The Aktiviteter page in the real main window: create an activity with validation in
place, enroll people by typing part of their name, end an enrollment, enroll a family
for parent guidance; the table models pass Qt's model tests."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QTableView,
)
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import ActivityKind, ActivityMode, EndReason
from boligsag.services.activities import activity_choices, list_activities
from boligsag.services.context import AppContext
from boligsag.services.enrollments import list_enrollments
from boligsag.services.households import HouseholdDraft, create_household, link_parent_child
from boligsag.services.sessions import list_sessions
from boligsag.ui.activities.models import ActivitiesModel, EnrollmentsModel, SessionsModel
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


def test_create_an_activity_with_validation_in_place(qtbot: QtBot, main_window: MainWindow,
                                                     ctx: AppContext) -> None:
    page = open_activities(qtbot, main_window)
    assert child(page, QLabel, "activitiesCount").text().startswith("Ingen aktiviteter")
    assert child(main_window, QTableView, "activitiesTable").model().rowCount() == 0
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = dialog(qtbot, page, QDialog, "activityDialog")
    name = child(form, QLineEdit, "activityNameEdit")
    assert form.focusWidget() is name
    type_text(qtbot, name, "Lektiehold for 8.–9. klasse, Ærtebjerg")
    kind = child(form, QComboBox, "activityKindCombo")
    kind.setCurrentIndex(kind.findData(str(ActivityKind.HOMEWORK_CAFE)))
    mode = child(form, QComboBox, "activityModeCombo")
    assert mode.currentData() == "drop_in"  # the usual form of a homework café
    mode.setCurrentIndex(mode.findData("course"))
    click(qtbot, form, "activitySaveButton")
    error = child(form, QLabel, "activityError_focus_area_id")
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "Vælg et af helhedsplanens indsatsområder."
    focus = child(form, QComboBox, "activityFocusAreaCombo")
    assert form.focusWidget() is focus
    focus.setCurrentIndex(focus.findText("Uddannelse og livschancer"))
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        qtbot.keyClick(name, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    row = page.model.row_at(0)
    assert (row.name, row.kind, row.mode) == ("Lektiehold for 8.–9. klasse, Ærtebjerg",
                                              ActivityKind.HOMEWORK_CAFE, "course")
    assert row.focus_area_label == "Uddannelse og livschancer"
    assert row.responsible_name == "Åse Nørgaard"
    qtbot.waitUntil(lambda: page.detail.activity is not None)
    assert child(page, QLabel, "activityTitle").text() == row.name
    assert page.model.index(0, 1).data() == "Lektiecafé"
    assert page.model.index(0, 2).data() == "Fast forløb"


def test_edit_an_activity_and_filter_by_kind(qtbot: QtBot, main_window: MainWindow,
                                             ctx: AppContext) -> None:
    mentoring = activity(ctx, "Uddannelsesmentor")
    activity(ctx, "Fredagsklub", ActivityKind.DROP_IN, ActivityMode.DROP_IN)
    page = open_activities(qtbot, main_window)
    assert page.model.rowCount() == 2
    kind = child(page, QComboBox, "activityKindFilter")
    kind.setCurrentIndex(kind.findData(str(ActivityKind.DROP_IN)))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.row_at(0).name == "Fredagsklub"
    assert page.model.index(0, 6).data() == "–"  # drop-in counts no enrolled
    kind.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    choose_activity(qtbot, page, mentoring.id)
    trigger(main_window, "actionEditActivity")
    form = dialog(qtbot, page, QDialog, "activityDialog")
    name = child(form, QLineEdit, "activityNameEdit")
    assert name.text() == "Uddannelsesmentor"
    name.clear()
    type_text(qtbot, name, "Uddannelsesmentor for unge")
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "activitySaveButton")
    qtbot.waitUntil(lambda: any(r.name == "Uddannelsesmentor for unge"
                                for r in page.model.rows()))
    assert [a.name for a in list_activities(ctx)] == ["Fredagsklub",
                                                     "Uddannelsesmentor for unge"]


def test_enroll_two_people_by_typing_and_end_one(qtbot: QtBot, main_window: MainWindow,
                                                 ctx: AppContext) -> None:
    mentoring = activity(ctx, "Uddannelsesmentor")
    ayse = person(ctx, "Ayşe", "Kaya", date(2009, 4, 2))
    person(ctx, "Ayla", "Jensen", date(2010, 1, 9))
    søren = person(ctx, "Søren", "Ørnbøl", date(2008, 6, 30))
    page = open_activities(qtbot, main_window)
    choose_activity(qtbot, page, mentoring.id)

    qtbot.keyClick(page.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    form = dialog(qtbot, page, QDialog, "enrollDialog")
    search = child(form, QLineEdit, "enrollPersonPickerEdit")
    assert form.focusWidget() is search
    type_text(qtbot, search, "Ay")
    results = child(form, QListWidget, "enrollPersonPickerResults")
    qtbot.waitUntil(lambda: results.isVisible() and results.count() == 2)
    qtbot.keyClick(search, Qt.Key.Key_Down)  # into the matches
    qtbot.keyClick(results, Qt.Key.Key_Down)
    qtbot.keyClick(results, Qt.Key.Key_Return)  # picks "Ayşe Kaya" (second)
    assert search.text() == "Ayşe Kaya"
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        qtbot.keyClick(search, Qt.Key.Key_Return)  # Enter saves once someone is picked

    trigger(main_window, "actionEnroll")
    form = dialog(qtbot, page, QDialog, "enrollDialog")
    search = child(form, QLineEdit, "enrollPersonPickerEdit")
    click(qtbot, form, "enrollSaveButton")  # nobody picked yet
    assert child(form, QLabel, "enrollError_person_id").text() == \
        "Vælg en person på listen."
    type_text(qtbot, search, "ørnb")
    results = child(form, QListWidget, "enrollPersonPickerResults")
    qtbot.waitUntil(lambda: results.count() == 1)
    qtbot.keyClick(search, Qt.Key.Key_Return)  # the first match
    type_text(qtbot, child(form, QLineEdit, "enrollNoteEdit"), "Vil gerne på HF")
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        qtbot.keyClick(search, Qt.Key.Key_Return)

    view = child(page, QTableView, "enrollmentsTable")
    qtbot.waitUntil(lambda: view.model().rowCount() == 2)
    assert [r.person_name for r in page.detail.enrollments.rows()] == \
        ["Ayşe Kaya", "Søren Ørnbøl"]
    qtbot.waitUntil(lambda: page.model.row_at(page.model.find(mentoring.id))
                    .active_enrollments == 2)

    view.setFocus()
    view.selectRow(0)
    trigger(main_window, "actionEndEnrollment")
    form = dialog(qtbot, page, QDialog, "endEnrollmentDialog")
    reason = child(form, QComboBox, "endEnrollmentReasonCombo")
    reason.setCurrentIndex(reason.findData(str(EndReason.STARTED_EDUCATION)))
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "endEnrollmentSaveButton")
    # Ended today: still listed today, with its end and reason.
    qtbot.waitUntil(lambda: page.detail.enrollments.row_at(0).end_date is not None)
    assert page.detail.enrollments.index(0, 3).data() == "Startet på uddannelse"
    ended = [e for e in list_enrollments(ctx, activity_id=mentoring.id) if e.end_date]
    assert [(e.person_id, e.end_reason) for e in ended] == [(ayse, EndReason.STARTED_EDUCATION)]
    assert {e.person_id for e in list_enrollments(ctx, activity_id=mentoring.id)} == \
        {ayse, søren}


def test_enroll_a_family_for_parent_guidance(qtbot: QtBot, main_window: MainWindow,
                                             ctx: AppContext) -> None:
    guidance = activity(ctx, "Forældreguidning", ActivityKind.PARENT_GUIDANCE)
    mother = person(ctx, "Şeyma", "Yılmaz", date(1990, 3, 3))
    child_id = person(ctx, "Elif", "Yılmaz", date(2022, 5, 5))
    create_household(ctx, HouseholdDraft("Familien Yılmaz", street="Ærtebjergvej 12"),
                     member_ids=(mother, child_id))
    link_parent_child(ctx, mother, child_id)
    page = open_activities(qtbot, main_window)
    choose_activity(qtbot, page, guidance.id)
    trigger(main_window, "actionEnrollFamily")
    form = dialog(qtbot, page, QDialog, "householdEnrollDialog")
    search = child(form, QLineEdit, "householdSearchEdit")
    type_text(qtbot, search, "Yılm")
    matches = child(form, QListWidget, "householdMatches")
    qtbot.waitUntil(lambda: matches.count() == 1)
    qtbot.keyClick(search, Qt.Key.Key_Return)  # picks the household, does not save
    member = f"householdMember_{child_id}"
    qtbot.waitUntil(lambda: form.findChild(QCheckBox, member) is not None)
    assert child(form, QCheckBox, member).text() == "Elif Yılmaz, 4 år (barn)"
    assert child(form, QCheckBox, member).isChecked()
    topics = {c.label: c.id for c in activity_choices(ctx).parent_guidance_topics}
    child(form, QCheckBox, f"householdTopics_{topics['Sundhedspleje']}").setChecked(True)
    child(form, QCheckBox, f"householdTopics_{topics['Sprog']}").setChecked(True)
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "householdEnrollSaveButton")
    qtbot.waitUntil(lambda: page.detail.enrollments.rowCount() == 2)
    assert page.detail.enrollments.index(0, 5).data() == \
        "Familien Yılmaz · Sundhedspleje, Sprog"
    assert not page.detail.enrollment_view.isColumnHidden(5)


def test_activity_models_pass_the_qt_model_tests(qtmodeltester, qtbot: QtBot,  # type: ignore[no-untyped-def]
                                                 ctx: AppContext) -> None:
    mentoring = activity(ctx, "Uddannelsesmentor")
    enroll_people(ctx, mentoring.id, person(ctx, "Ayşe", "Kaya"), person(ctx, "Ali", "Aydın"))
    activities = ActivitiesModel()
    activities.set_rows(list_activities(ctx))
    qtmodeltester.check(activities)
    enrollments = EnrollmentsModel()
    enrollments.set_rows(list_enrollments(ctx, activity_id=mentoring.id))
    qtmodeltester.check(enrollments)
    sessions = SessionsModel()
    sessions.set_rows(list_sessions(ctx, mentoring.id))
    qtmodeltester.check(sessions)
    assert enrollments.headerData(0, Qt.Orientation.Horizontal) == "Deltager"

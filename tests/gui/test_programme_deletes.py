"""Deleting what was registered by mistake in the programmes, from the real main window:
a job (jobs panel, Delete key), an enrollment (participant list, a question that tells
it apart from ending the forløb), an activity (activity list; refused once it has
participants), and none of it for a role without the permission."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.domain.enums import EndReason, JobKind, Role
from boligsag.services.activities import delete_activity, get_activity, list_activities
from boligsag.services.context import Actor, AppContext
from boligsag.services.enrollments import (
    EnrollmentDraft,
    delete_enrollment,
    enroll,
    list_enrollments,
)
from boligsag.services.errors import NotFound, PermissionDenied
from boligsag.services.jobs import JobDraft, create_job, delete_job, list_jobs
from boligsag.ui.events import AppEvents
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child
from .test_activities_support import (
    activity,
    choose_activity,
    dialog,
    enroll_people,
    open_activities,
    person,
)
from .test_people_support import open_person


def confirm(qtbot: QtBot, window: MainWindow, name: str) -> str:
    """Press Delete in the question ``name``; return what it asked."""
    box = dialog(qtbot, window, QMessageBox, name)
    text = box.text()
    child(box, QAbstractButton, name + "ConfirmButton").click()
    return text


def test_delete_a_job_registered_by_mistake_with_the_delete_key(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    youth = person(ctx, "Yusuf", "Şahin", date(2011, 5, 14))
    for employer in ("Netto", "Bageriet på torvet"):
        create_job(ctx, JobDraft(youth, JobKind.POCKET_MONEY, employer, date(2026, 8, 3)))
    page = open_person(qtbot, main_window, youth)
    panel = page.person_view.jobs
    assert panel is not None
    page.person_view.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    doomed = panel.current_job()
    assert doomed is not None
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    asked = confirm(qtbot, main_window, "deleteJobQuestion")
    assert doomed.employer in asked and "ved en fejl" in asked and "slutdato" in asked
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5_000)
    assert [j.employer for j in list_jobs(ctx, person_id=youth)] == [
        next(e for e in ("Netto", "Bageriet på torvet") if e != doomed.employer)]
    # The row's menu (Menu key) offers it too, after the row's everyday actions.
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    qtbot.keyClick(panel.table, Qt.Key.Key_Menu)
    qtbot.waitUntil(lambda: panel.table.findChild(QMenu, "jobsRowMenu") is not None)
    menu = child(panel.table, QMenu, "jobsRowMenu")
    assert [a.objectName() for a in menu.actions() if not a.isSeparator()][-1] == (
        "actionDeleteJob")
    menu.close()


def test_delete_an_enrollment_is_not_ending_it(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    mentoring = activity(ctx, "Uddannelsesmentor")
    amina, jonas = person(ctx, "Amina", "Hassan"), person(ctx, "Jonas", "Berg")
    enroll_people(ctx, mentoring.id, amina, jonas)
    page = open_activities(qtbot, main_window)
    choose_activity(qtbot, page, mentoring.id)
    view = page.detail.enrollment_view
    qtbot.waitUntil(lambda: page.detail.enrollments.rowCount() == 2)
    view.setFocus()
    view.selectRow(0)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    asked = confirm(qtbot, main_window, "deleteEnrollmentQuestion")
    assert "Amina Hassan" in asked and "ved en fejl" in asked and "»Afslut forløb«" in asked
    qtbot.waitUntil(lambda: page.detail.enrollments.rowCount() == 1, timeout=5_000)
    assert [e.person_name for e in list_enrollments(ctx, activity_id=mentoring.id)] == [
        "Jonas Berg"]
    # The activity list is told too: one enrolled now, not two.
    qtbot.waitUntil(lambda: page.current_activity() is not None
                    and page.current_activity().active_enrollments == 1)  # type: ignore[union-attr]


def test_delete_an_activity_created_by_mistake_but_not_one_with_participants(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    mistake = activity(ctx, "Lektiecafe (dobbelt)")
    running, ended = activity(ctx, "Jobmentor"), activity(ctx, "Sommerhold")
    enroll_people(ctx, running.id, person(ctx, "Leila", "Ahmadi"))
    enroll(ctx, EnrollmentDraft(ended.id, person(ctx, "Omar", "Farah"), date(2026, 2, 2),
                                date(2026, 5, 1), EndReason.COMPLETED))
    page = open_activities(qtbot, main_window)
    error = child(page, QLabel, "activitiesError")

    choose_activity(qtbot, page, running.id)  # someone enrolled now: refused at once
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert error.isVisible() and "Jobmentor har deltagere eller mødegange" in error.text()
    assert not [b for b in main_window.findChildren(QMessageBox) if b.isVisible()]

    choose_activity(qtbot, page, ended.id)  # only an ended forløb: the service refuses
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    confirm(qtbot, main_window, "deleteActivityQuestion")
    qtbot.waitUntil(lambda: "Sommerhold har deltagere" in error.text(), timeout=5_000)
    assert "slutdato" in error.text()
    assert get_activity(ctx, ended.id).name == "Sommerhold"

    main_window.activateWindow()  # offscreen, closing the question activates nothing
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main_window)
    choose_activity(qtbot, page, mistake.id)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    asked = confirm(qtbot, main_window, "deleteActivityQuestion")
    assert "Lektiecafe (dobbelt)" in asked and "ved en fejl" in asked
    qtbot.waitUntil(lambda: page.model.find(mistake.id) < 0, timeout=5_000)
    assert mistake.id not in {a.id for a in list_activities(ctx)}
    with pytest.raises(NotFound):
        get_activity(ctx, mistake.id)


@pytest.fixture
def volunteer_ctx(ctx: AppContext) -> Iterator[AppContext]:
    actor = Actor(ctx.actor.user_id, ctx.actor.user_uuid, "frivillig", "Frivillig",
                  Role.VOLUNTEER)
    yield dataclasses.replace(ctx, actor=actor)


def test_roles_without_the_permission_neither_see_nor_may_delete(
        qtbot: QtBot, ctx: AppContext, volunteer_ctx: AppContext,
        settings: AppSettings) -> None:
    youth = person(ctx, "Sara", "Nielsen", date(2011, 2, 1))
    job = create_job(ctx, JobDraft(youth, JobKind.LEISURE, "Fakta", date(2026, 6, 1)))
    course = activity(ctx, "Forældreguidning")
    enroll_people(ctx, course.id, youth)
    (enrollment,) = list_enrollments(ctx, activity_id=course.id)
    window = MainWindow(volunteer_ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    names = {a.objectName() for a in window.findChildren(QAction)}
    assert not names & {"actionDeleteJob", "actionDeleteEnrollment", "actionDeleteActivity"}
    for refused in (lambda: delete_job(volunteer_ctx, job.id, job.version),
                    lambda: delete_enrollment(volunteer_ctx, enrollment.id,
                                              enrollment.version),
                    lambda: delete_activity(volunteer_ctx, course.id, course.version)):
        with pytest.raises(PermissionDenied):
            refused()

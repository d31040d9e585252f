"""Jobs: a 15-year-old's pocket-money job, its 3-month follow-up due in the start page's
follow-up list three months later (controllable clock) and marked with one key; the
move to a leisure job; answering a follow-up on the person's jobs panel."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QTableView
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import JobKind, StillEmployed
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.follow_ups import due_follow_ups
from boligsag.services.jobs import JobDraft, create_job, list_jobs
from boligsag.ui.events import AppEvents
from boligsag.ui.jobs import FollowUpList, JobsPanel
from boligsag.ui.jobs.models import FollowUpModel, JobColumn, JobsModel

from .helpers import child, click, type_text
from .test_activities_support import dialog, person
from .test_activities_support import trigger as trigger_action

BORN = date(2011, 5, 14)  # 15 years old on the test clock's day, 25 November 2026


def panel_for(qtbot: QtBot, ctx: AppContext, events: AppEvents, person_id: int) -> JobsPanel:
    panel = JobsPanel(ctx, events, person_id)
    qtbot.addWidget(panel)
    panel.resize(1100, 360)
    panel.show()
    qtbot.waitUntil(lambda: panel.loaded)
    return panel


def follow_up_list(qtbot: QtBot, ctx: AppContext, events: AppEvents) -> FollowUpList:
    widget = FollowUpList(ctx, events)
    qtbot.addWidget(widget)
    widget.resize(900, 320)
    widget.show()
    qtbot.waitUntil(lambda: widget.loaded)
    return widget


def test_pocket_money_job_follow_up_due_after_three_months(
        qtbot: QtBot, ctx: AppContext, clock: FixedClock) -> None:
    events = AppEvents()
    youth = person(ctx, "Yusuf", "Şahin", BORN)
    panel = panel_for(qtbot, ctx, events, youth)
    assert "Ingen job endnu" in child(panel, QLabel, "jobsHint").text()

    table = child(panel, QTableView, "jobsTable")
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    form = dialog(qtbot, panel, QDialog, "jobDialog")
    kind = child(form, QComboBox, "jobKindCombo")
    assert kind.currentText() == "Lommepengejob"
    pay = child(form, QLineEdit, "jobPayEdit")
    assert pay.isVisibleTo(form)
    kind.setCurrentIndex(kind.findData(str(JobKind.LEISURE)))
    assert not pay.isVisibleTo(form)  # pay is for pocket-money jobs only
    kind.setCurrentIndex(kind.findData(str(JobKind.POCKET_MONEY)))
    assert pay.isVisibleTo(form)
    type_text(qtbot, child(form, QLineEdit, "jobEmployerEdit"), "Boligselskabet Ærtebo")
    type_text(qtbot, child(form, QLineEdit, "jobHoursEdit"), "3,5")
    type_text(qtbot, pay, "55 kr")
    click(qtbot, form, "jobSaveButton")
    assert child(form, QLabel, "jobError_hourly_pay").text() == "Skriv et tal, fx 7,5."
    pay.clear()
    type_text(qtbot, pay, "55,50")
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        qtbot.keyClick(pay, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    (job,) = list_jobs(ctx, person_id=youth)
    assert (job.employer, job.hours_per_week, job.hourly_pay) == (
        "Boligselskabet Ærtebo", Decimal("3.5"), Decimal("55.50"))
    assert [panel.model.index(0, c).data() for c in (JobColumn.KIND, JobColumn.HOURS,
                                                     JobColumn.PAY, JobColumn.FOLLOW_UP_3)] \
        == ["Lommepengejob", "3,5", "55,50 kr.", "25.02.2027"]

    # The day before the three months, nothing is due on the start page's list...
    clock.advance(days=91)
    followups = follow_up_list(qtbot, ctx, events)
    table = child(followups, QTableView, "followUpTable")
    assert table.model().rowCount() == 0
    assert child(followups, QLabel, "followUpSummary").text().startswith("Intet forfalder")
    # ... two days after them, it is overdue.
    clock.advance(days=3)
    followups.reloader.reload()
    qtbot.waitUntil(lambda: table.model().rowCount() == 1)
    item = followups.model.row_at(0)
    assert (item.person_names, item.months) == ("Yusuf Şahin", 3)
    assert table.model().index(0, 0).data() == "For 2 dage siden"  # due 25 February
    assert table.model().index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert child(followups, QLabel, "followUpSummary").text() == \
        "1 forfalder, heraf 1 overskredet"
    # ... and one key answers it: J for "ja, stadig ansat".
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_J)
    assert table.model().rowCount() == 0  # gone at once; the save follows
    qtbot.waitUntil(lambda: list_jobs(ctx, person_id=youth)[0].follow_ups[0].status
                    == StillEmployed.YES)
    qtbot.waitUntil(lambda: panel.model.index(0, JobColumn.FOLLOW_UP_3).data() == "Ja")
    assert due_follow_ups(ctx) == []


def test_space_marks_a_contact_done_and_asks_about_a_job(
        qtbot: QtBot, ctx: AppContext, clock: FixedClock) -> None:
    events = AppEvents()
    ali = person(ctx, "Ali", "Aydın", BORN)
    log_contact(ctx, ContactDraft("phone", person_ids=(ali,), follow_up_date=date(2026, 12, 1),
                                  occurred_at=datetime(2026, 11, 24, 9, 0)))
    create_job(ctx, JobDraft(ali, JobKind.POCKET_MONEY, "Netto", date(2026, 9, 1)))
    clock.advance(days=10)  # 5 December: the contact follow-up and the 3-month job one
    followups = follow_up_list(qtbot, ctx, events)
    opened: list[int] = []
    followups.open_person.connect(opened.append)
    table = child(followups, QTableView, "followUpTable")
    assert [followups.model.index(r, 2).data() for r in range(2)] == ["Kontakt", "Job"]
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter opens the person
    assert opened == [ali]
    qtbot.keyClick(table, Qt.Key.Key_Space)  # the contact: done
    qtbot.waitUntil(lambda: len(due_follow_ups(ctx)) == 1)
    qtbot.waitUntil(lambda: followups.model.rowCount() == 1)
    qtbot.keyClick(table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # the job: asks
    question = dialog(qtbot, followups, QDialog, "stillEmployedDialog")
    assert child(question, QLabel, "dialogTitle").text() == "Er Ali Aydın stadig ansat?"
    qtbot.keyClick(question, Qt.Key.Key_U)
    qtbot.waitUntil(lambda: due_follow_ups(ctx) == [])
    (job,) = list_jobs(ctx, person_id=ali)
    assert job.follow_ups[0].status == StillEmployed.UNKNOWN


def test_move_to_a_leisure_job_and_answer_on_the_panel(
        qtbot: QtBot, ctx: AppContext, clock: FixedClock) -> None:
    events = AppEvents()
    youth = person(ctx, "Maja", "Østergård", BORN)
    create_job(ctx, JobDraft(youth, JobKind.POCKET_MONEY, "Boligselskabet", date(2026, 5, 1),
                             hours_per_week=Decimal(4), hourly_pay=Decimal(52)))
    panel = panel_for(qtbot, ctx, events, youth)
    table = child(panel, QTableView, "jobsTable")
    table.setFocus()
    table.setCurrentIndex(panel.model.index(0, JobColumn.FOLLOW_UP_3))  # due 1 August
    qtbot.keyClick(table, Qt.Key.Key_N)  # no: not there any more
    qtbot.waitUntil(lambda: panel.model.index(0, JobColumn.FOLLOW_UP_3).data() == "Nej")

    table.setCurrentIndex(panel.model.index(0, JobColumn.EMPLOYER))
    trigger_action(panel, "actionMoveToLeisureJob")
    form = dialog(qtbot, panel, QDialog, "moveToLeisureDialog")
    type_text(qtbot, child(form, QLineEdit, "leisureEmployerEdit"), "Føtex Ærtebjerg")
    type_text(qtbot, child(form, QLineEdit, "leisureHoursEdit"), "6")
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "moveToLeisureSaveButton")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    leisure, pocket = list_jobs(ctx, person_id=youth)
    assert (leisure.kind, leisure.employer, leisure.previous_job_id) == (
        JobKind.LEISURE, "Føtex Ærtebjerg", pocket.id)
    assert pocket.end_date == date(2026, 11, 24)  # the day before the leisure job
    assert panel.model.index(0, JobColumn.PAY).data() == ""
    assert "lommepengejob" in panel.model.index(0, JobColumn.KIND).data(
        Qt.ItemDataRole.ToolTipRole)
    table.setCurrentIndex(panel.model.index(0, JobColumn.EMPLOYER))
    assert not panel.action_move.isEnabled()  # a leisure job moves nowhere


def test_job_models_pass_the_qt_model_tests(qtmodeltester, ctx: AppContext,  # type: ignore[no-untyped-def]
                                            clock: FixedClock) -> None:
    youth = person(ctx, "Yusuf", "Şahin", BORN)
    create_job(ctx, JobDraft(youth, JobKind.POCKET_MONEY, "Netto", date(2026, 5, 1)))
    jobs = JobsModel()
    jobs.set_rows(list_jobs(ctx, person_id=youth))
    qtmodeltester.check(jobs)
    follow_ups = FollowUpModel()
    follow_ups.set_rows(due_follow_ups(ctx))
    qtmodeltester.check(follow_ups)
    assert follow_ups.rowCount() == 2  # 3 and 6 months after 1 May

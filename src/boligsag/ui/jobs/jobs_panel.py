"""A young person's pocket-money and leisure jobs with their follow-ups, for the person
page to embed: ``JobsPanel(ctx, events, person_id)``.

It refreshes itself on ``events.changed`` (when hidden, on the next show). Keyboard:
Ctrl+J new job, Ctrl+Shift+J edit, Delete deletes a job registered by mistake, the
Menu key (or a right-click) opens the row's menu, and on a follow-up cell J / N / U
answers it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from boligsag.domain.enums import JobKind, StillEmployed
from boligsag.domain.permissions import Permission
from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.jobs import (
    JobFollowUpRow,
    JobRow,
    delete_job,
    list_jobs,
    record_follow_up,
)
from boligsag.ui.activities.buttons import action_button, page_shortcut, view_shortcut
from boligsag.ui.delete_question import ask_to_delete
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.models.table import current_row, keep_selection, setup_table
from boligsag.ui.reloader import Reloader
from boligsag.ui.row_menu import add_row_menu
from boligsag.ui.widgets import make_action, named

from .answer import StillEmployedDialog, answer_for_key
from .job_dialog import JobDialog, MoveToLeisureDialog
from .models import FOLLOW_UP_COLUMNS, FOLLOW_UP_ROLE, JobColumn, JobsModel

_RELOAD = frozenset({Entity.JOBS, Entity.FOLLOW_UPS, Entity.PEOPLE})


class JobsTable(QTableView):
    """J / N / U on a follow-up cell answer it."""

    def __init__(self, panel: JobsPanel) -> None:
        super().__init__()
        self.panel = panel

    def keyPressEvent(self, event: QKeyEvent) -> None:
        answer = answer_for_key(event)
        if answer is not None and self.panel.answer_current(answer):
            return
        super().keyPressEvent(event)


class JobsPanel(QWidget):
    def __init__(self, ctx: AppContext, events: AppEvents, person_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events, self.person_id = ctx, events, person_id
        self.loaded = False
        named(self, "jobsPanel", tr("Jobs"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)

        def act(name: str, text: str, keys: str | None, slot: Any, tip: str = "") -> QAction:
            return page_shortcut(make_action(self, name, text, shortcut=keys, triggered=slot,
                                             tip=tip), self)

        self.action_new = act("actionNewJob", tr("&New job…"), "Ctrl+J", self.new_job,
                              tr("Record a pocket-money or leisure job"))
        self.action_edit = act("actionEditJob", tr("&Edit job…"), "Ctrl+Shift+J",
                               self.edit_job)
        self.action_move = act("actionMoveToLeisureJob", tr("&Move to leisure job…"), None,
                               self.move_to_leisure,
                               tr("The young person went on to an ordinary leisure job"))
        self.action_follow_up = act("actionRecordJobFollowUp", tr("Record &follow-up…"), None,
                                    self.record_follow_up, tr("Still employed? Yes, no or "
                                                              "unknown"))
        self.action_delete = make_action(self, "actionDeleteJob", tr("&Delete job…"),
                                         shortcut="Del", triggered=self.delete_job,
                                         tip=tr("Only for a job registered by mistake"))
        tools = QHBoxLayout()
        tools.setSpacing(8)
        tools.addWidget(action_button(self.action_new, "newJobButton", primary=True))
        tools.addWidget(action_button(self.action_edit, "editJobButton"))
        tools.addWidget(action_button(self.action_move, "moveToLeisureButton"))
        tools.addWidget(action_button(self.action_follow_up, "recordFollowUpButton"))
        tools.addStretch(1)
        tools.addWidget(action_button(self.action_delete, "deleteJobButton"))
        layout.addLayout(tools)
        self.error = named(QLabel(), "jobsError", tr("Error message"))
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

        self.model = JobsModel(self)
        self.table = setup_table(
            named(JobsTable(self), "jobsTable", tr("Jobs")), self.model,
            stretch=JobColumn.EMPLOYER,
            fit=(JobColumn.KIND, JobColumn.START, JobColumn.END, JobColumn.HOURS,
                 JobColumn.PAY, JobColumn.FOLLOW_UP_3, JobColumn.FOLLOW_UP_6,
                 JobColumn.FOLLOW_UP_12))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectItems)
        self.table.doubleClicked.connect(self._double_clicked)
        # Both: a click moves the current cell before it selects, and only a selected
        # row counts as chosen (models.table.current_row).
        self.table.selectionModel().currentChanged.connect(lambda *_a: self._update_actions())
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self._update_actions())
        view_shortcut(self.action_delete, self.table)  # Del in the list only
        add_row_menu(self.table, lambda: [self.action_edit, self.action_move,
                                          self.action_follow_up, None, self.action_delete],
                     "jobsRowMenu")
        layout.addWidget(self.table, 1)
        self.hint = named(QLabel(), "jobsHint", tr("Jobs"))
        self.hint.setProperty("role", "small")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)

        can_manage = ctx.actor.can(Permission.MANAGE_JOBS)
        for action in self.actions():
            action.setVisible(can_manage)
        self.reloader = Reloader(self, events, _RELOAD, loader=lambda: partial(
            list_jobs, ctx, person_id=self.person_id), apply=self._show, failed=self._failed)
        self._update_actions()

    def actions(self) -> list[QAction]:  # type: ignore[override]
        return [self.action_new, self.action_edit, self.action_move, self.action_follow_up,
                self.action_delete]

    # -- loading --------------------------------------------------------------------------

    def _show(self, rows: list[JobRow]) -> None:
        self.error.hide()
        restore = keep_selection(self.table, self.model)
        self.model.today = self.ctx.today()
        self.model.set_rows(rows)
        restore()
        self.loaded = True
        self.hint.setText(tr(
            "Choose a follow-up and press J (yes), N (no) or U (unknown) to answer it. "
            "Ctrl+J records a new job.") if rows else tr(
            "No jobs yet. Press Ctrl+J to record a pocket-money job or a leisure job."))
        self._update_actions()

    def _failed(self, error: BaseException) -> None:
        self.error.setText(error_text(error))
        self.error.show()

    # -- state ----------------------------------------------------------------------------

    def current_job(self) -> JobRow | None:
        return current_row(self.table)

    def current_follow_up(self) -> JobFollowUpRow | None:
        """The follow-up under the cursor, or the job's first one still unanswered."""
        index = self.table.currentIndex()
        job = self.current_job()
        if job is None:
            return None
        if index.column() in FOLLOW_UP_COLUMNS:
            follow_up = index.data(FOLLOW_UP_ROLE)
            return follow_up if follow_up is not None and follow_up.status is None else None
        return next((f for f in sorted(job.follow_ups, key=lambda f: f.months)
                     if f.status is None), None)

    def _update_actions(self) -> None:
        job = self.current_job()
        self.action_edit.setEnabled(job is not None)
        self.action_delete.setEnabled(job is not None)
        self.action_move.setEnabled(job is not None and job.kind == JobKind.POCKET_MONEY)
        self.action_follow_up.setEnabled(self.current_follow_up() is not None)

    # -- commands -------------------------------------------------------------------------

    def _open(self, dialog: Any) -> Any:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def new_job(self) -> JobDialog:
        return self._open(JobDialog(self.ctx, self.events, self.person_id, None, self))

    def edit_job(self) -> JobDialog | None:
        job = self.current_job()
        return self._open(JobDialog(self.ctx, self.events, self.person_id, job, self)) \
            if job is not None else None

    def move_to_leisure(self) -> MoveToLeisureDialog | None:
        job = self.current_job()
        if job is None or job.kind != JobKind.POCKET_MONEY:
            return None
        return self._open(MoveToLeisureDialog(self.ctx, self.events, job, self))

    def delete_job(self) -> Any:
        """Only for a job registered by mistake: a job that ended gets an end date."""
        job = self.current_job()
        if job is None or not self.action_delete.isVisible():
            return None
        return ask_to_delete(self, tr("Delete job"), tr(
            "Delete the job at {employer} ({kind}, started {date})? Only delete a job "
            "registered by mistake: a job that has ended gets an end date instead (Edit "
            "job). Its follow-ups are deleted with it; the deletion is recorded in the "
            "audit log.", employer=job.employer, kind=job.kind_label.lower(),
            date=short_date(job.start_date)), "deleteJobQuestion", lambda: run_service(
                self, self.events, delete_job, self.ctx, job.id, job.version,
                on_failure=self._failed))

    def record_follow_up(self) -> StillEmployedDialog | None:
        job, follow_up = self.current_job(), self.current_follow_up()
        if job is None or follow_up is None:
            return None
        dialog = StillEmployedDialog(
            tr("Is {name} still employed at {employer}?", name=job.person_name,
               employer=job.employer),
            tr("Follow-up {months} months after the start, due {date}.",
               months=follow_up.months, date=short_date(follow_up.due_date)), self)
        dialog.answered.connect(lambda answer: self._answer(follow_up, StillEmployed(answer)))
        return self._open(dialog)

    def answer_current(self, answer: StillEmployed) -> bool:
        """J / N / U: the follow-up cell under the cursor, or, elsewhere on the row, the
        job's follow-up that is due (a key never answers one that is not due yet
        unless its own cell is chosen)."""
        follow_up = self.current_follow_up()
        if follow_up is None or not self.action_follow_up.isVisible():
            return False
        on_cell = self.table.currentIndex().column() in FOLLOW_UP_COLUMNS
        if not on_cell and follow_up.due_date > self.ctx.today():
            return False
        self._answer(follow_up, answer)
        return True

    def _answer(self, follow_up: JobFollowUpRow, answer: StillEmployed) -> None:
        def failed(error: BaseException) -> None:
            self._failed(error)
            self.reloader.reload()  # e.g. someone answered it meanwhile: show what is saved

        run_service(self, self.events, record_follow_up, self.ctx, follow_up.id, answer,
                    version=follow_up.version, on_failure=failed)

    def _double_clicked(self, index: Any) -> None:
        if index.column() in FOLLOW_UP_COLUMNS and self.current_follow_up() is not None:
            self.record_follow_up()
        else:
            self.edit_job()


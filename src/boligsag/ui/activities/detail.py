"""The lower half of the Aktiviteter page: the chosen activity, its participants
(Deltagere) and its sessions (Mødegange), with the actions that belong to them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.enums import ActivityKind
from boligsag.i18n import tr
from boligsag.services.activities import ActivityChoices, ActivityRow
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.enrollments import EnrollmentRow, delete_enrollment, list_enrollments
from boligsag.services.sessions import SessionRow, list_sessions
from boligsag.ui.delete_question import ask_to_delete
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.models.table import current_row, keep_selection, setup_table
from boligsag.ui.reloader import Reloader
from boligsag.ui.theme import BORDER, DISABLED_TEXT, MUTED, PRIMARY, TEXT
from boligsag.ui.widgets import make_action, named

from .buttons import action_button, view_shortcut
from .enroll_dialogs import EndEnrollmentDialog, EnrollDialog
from .household_dialog import HouseholdEnrollDialog
from .models import (
    EnrollmentColumn,
    EnrollmentsModel,
    SessionColumn,
    SessionsModel,
    mode_short_label,
    period_text,
)
from .session_dialog import SessionDialog

# Calm underlined tabs, in the theme's colours (the shell's stylesheet has no tabs yet).
TAB_STYLE = f"""
QTabWidget::pane {{ border: none; border-top: 1px solid {BORDER}; }}
QTabBar::tab {{ background: transparent; border: none; border-bottom: 3px solid transparent;
               padding: 7px 16px; margin-right: 4px; color: {MUTED}; font-weight: bold; }}
QTabBar::tab:selected {{ color: {PRIMARY}; border-bottom: 3px solid {PRIMARY}; }}
QTabBar::tab:hover {{ color: {TEXT}; }}
QTabBar::tab:disabled {{ color: {DISABLED_TEXT}; }}
"""
_RELOAD = frozenset({Entity.ENROLLMENTS, Entity.SESSIONS, Entity.ACTIVITIES, Entity.PEOPLE})
PARTICIPANTS_TAB, SESSIONS_TAB = 0, 1
_Loaded = tuple[list[EnrollmentRow], list[SessionRow], date]


def _load(ctx: AppContext, activity: ActivityRow, today: date, on: date | None) -> _Loaded:
    enrolled = [] if activity.is_drop_in else list_enrollments(
        ctx, activity_id=activity.id, on=on)
    if on is not None:  # still running, or starting later
        enrolled += [e for e in list_enrollments(ctx, activity_id=activity.id)
                     if e.start_date > today and e not in enrolled]
    return enrolled, list_sessions(ctx, activity.id), today


class ActivityDetail(QFrame):
    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self.activity: ActivityRow | None = None
        self.choices: ActivityChoices | None = None
        named(self, "activityDetail", tr("Chosen activity"))
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        self.title = named(QLabel(), "activityTitle", tr("Activity"))
        self.title.setProperty("role", "cardTitle")
        self.meta = named(QLabel(), "activityMeta", tr("About the activity"))
        self.meta.setProperty("role", "muted")
        self.meta.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        self.error = named(QLabel(), "activityDetailError", tr("Error message"))
        self.error.setProperty("role", "error")
        self.error.hide()
        layout.addWidget(self.error)

        self._build_actions()
        self.tabs = named(QTabWidget(), "activityTabs", tr("Participants and sessions"))
        self.tabs.setDocumentMode(True)
        self.tabs.setStyleSheet(TAB_STYLE)
        self.tabs.addTab(self._participants_tab(), tr("Participants"))
        self.tabs.addTab(self._sessions_tab(), tr("Sessions"))
        layout.addWidget(self.tabs, 1)
        self.reloader = Reloader(self, events, _RELOAD, loader=self._loader, apply=self._show,
                                 failed=self._failed)
        self.show_activity(None)

    # -- construction ---------------------------------------------------------------------

    def _build_actions(self) -> None:
        def act(name: str, text: str, keys: str, slot: Any, tip: str = "") -> QAction:
            # The page adds these to itself (page_shortcut), so the keys work
            # wherever the focus is on the page.
            return make_action(self, name, text, shortcut=keys or None, triggered=slot, tip=tip)

        self.action_session = act("actionRecordSession", tr("&Record session…"), "Ctrl+R",
                                  self.record_session,
                                  tr("Attendance or head counts for a session"))
        self.action_enroll = act("actionEnroll", tr("&Enroll participant…"), "Ctrl+I",
                                 self.enroll, tr("Enroll a person by typing part of the name"))
        self.action_enroll_family = act("actionEnrollFamily", tr("Enroll &family…"),
                                        "Ctrl+Shift+I", self.enroll_family,
                                        tr("Parent guidance: parents and children together"))
        self.action_edit_enrollment = act("actionEditEnrollment", tr("Edit en&rollment…"), "",
                                          self.edit_enrollment)
        self.action_end_enrollment = act("actionEndEnrollment", tr("E&nd enrollment…"),
                                         "Ctrl+Shift+E", self.end_enrollment,
                                         tr("End date and reason"))
        # Del on the participants list only (the activity list above has its own Del).
        self.action_delete_enrollment = act(
            "actionDeleteEnrollment", tr("&Delete enrollment…"), "Del", self.delete_enrollment,
            tr("Only for an enrollment registered by mistake"))
        self.action_open_session = act("actionOpenSession", tr("&Open session…"), "",
                                       self.open_session,
                                       tr("Correct the attendance of the chosen session"))

    def _participants_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.setContentsMargins(0, 10, 0, 0)
        tools = QHBoxLayout()
        tools.addWidget(action_button(self.action_enroll, "enrollButton", primary=True))
        tools.addWidget(action_button(self.action_enroll_family, "enrollFamilyButton"))
        tools.addWidget(action_button(self.action_edit_enrollment, "editEnrollmentButton"))
        tools.addWidget(action_button(self.action_end_enrollment, "endEnrollmentButton"))
        tools.addStretch(1)
        tools.addWidget(action_button(self.action_delete_enrollment, "deleteEnrollmentButton"))
        tools.addSpacing(16)
        self.show_ended = named(QCheckBox(tr("Show ended")), "showEndedCheck",
                                tr("Show ended enrollments"))
        self.show_ended.toggled.connect(lambda _on: self.reload())
        tools.addWidget(self.show_ended)
        column.addLayout(tools)
        self.enrollments = EnrollmentsModel(self)
        self.enrollment_view = setup_table(
            named(QTableView(), "enrollmentsTable", tr("Participants")), self.enrollments,
            stretch=EnrollmentColumn.GOALS, widths={EnrollmentColumn.NAME: 230},
            fit=(EnrollmentColumn.START, EnrollmentColumn.END, EnrollmentColumn.END_REASON,
                 EnrollmentColumn.MENTOR))
        self.enrollment_view.horizontalHeader().setSectionResizeMode(
            EnrollmentColumn.FAMILY, QHeaderView.ResizeMode.Stretch)
        self.enrollment_view.doubleClicked.connect(lambda _i: self.edit_enrollment())
        self.enrollment_view.selectionModel().selectionChanged.connect(self._update_actions)
        view_shortcut(self.action_delete_enrollment, self.enrollment_view)
        column.addWidget(self.enrollment_view, 1)
        self.participants_empty = named(QLabel(), "participantsEmpty", tr("No participants"))
        self.participants_empty.setProperty("role", "muted")
        self.participants_empty.setWordWrap(True)
        column.addWidget(self.participants_empty)
        return tab

    def _sessions_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.setContentsMargins(0, 10, 0, 0)
        tools = QHBoxLayout()
        tools.addWidget(action_button(self.action_session, "recordSessionButton", primary=True))
        tools.addWidget(action_button(self.action_open_session, "openSessionButton"))
        tools.addStretch(1)
        column.addLayout(tools)
        self.sessions = SessionsModel(self)
        self.session_view = setup_table(
            named(QTableView(), "sessionsTable", tr("Sessions")), self.sessions,
            stretch=SessionColumn.NOTE, widths={SessionColumn.STAFF: 300},
            fit=(SessionColumn.DATE, SessionColumn.ATTENDANCE))
        self.session_view.activated.connect(lambda _i: self.open_session())
        self.session_view.selectionModel().selectionChanged.connect(self._update_actions)
        column.addWidget(self.session_view, 1)
        self.sessions_empty = named(QLabel(), "sessionsEmpty", tr("No sessions"))
        self.sessions_empty.setProperty("role", "muted")
        column.addWidget(self.sessions_empty)
        return tab

    def actions(self) -> list[QAction]:  # type: ignore[override]
        """The actions whose keys work anywhere on the page (Del is the list's own)."""
        return [self.action_session, self.action_open_session, self.action_enroll,
                self.action_enroll_family, self.action_edit_enrollment,
                self.action_end_enrollment]

    # -- showing --------------------------------------------------------------------------

    def show_activity(self, activity: ActivityRow | None) -> None:
        changed = activity is None or self.activity is None or activity.id != self.activity.id
        self.activity = activity
        if activity is None:
            self.title.setText(tr("No activity chosen"))
            self.meta.setText(tr("Choose an activity in the list above to see its "
                                 "participants and sessions."))
            self.enrollments.set_rows([])
            self.sessions.set_rows([])
        else:
            self.title.setText(activity.name)
            parts = [activity.kind_label, mode_short_label(activity.mode),
                     activity.focus_area_label, activity.area_name or tr("All housing areas"),
                     period_text(activity.start_date, activity.end_date)]
            if activity.responsible_name:
                parts.append(tr("Responsible: {name}", name=activity.responsible_name))
            self.meta.setText(" · ".join(p for p in parts if p))
            self.tabs.setTabEnabled(PARTICIPANTS_TAB, not activity.is_drop_in)
            self.tabs.setTabToolTip(PARTICIPANTS_TAB, tr(
                "A drop-in activity has no enrolled participants: record head counts "
                "at its sessions.") if activity.is_drop_in else "")
            if activity.is_drop_in:  # otherwise the tab the user chose stays
                self.tabs.setCurrentIndex(SESSIONS_TAB)
            self.sessions.drop_in = activity.is_drop_in
            parent_guidance = activity.kind == ActivityKind.PARENT_GUIDANCE
            self.action_enroll_family.setVisible(parent_guidance)
            self.enrollment_view.setColumnHidden(EnrollmentColumn.FAMILY, not parent_guidance)
        if changed:
            self.enrollments.set_rows([])
            self.sessions.set_rows([])
        self.reload()

    def reload(self) -> None:
        self.reloader.reload()

    def _loader(self) -> Callable[[], _Loaded] | None:
        activity = self.activity
        self._update_actions()
        if activity is None:
            self._update_empty_texts()
            return None
        today = self.ctx.today()
        on = None if self.show_ended.isChecked() else today
        return partial(_load, self.ctx, activity, today, on)

    def _show(self, result: _Loaded) -> None:
        enrolled, sessions, today = result
        self.error.hide()
        restore_e = keep_selection(self.enrollment_view, self.enrollments)
        restore_s = keep_selection(self.session_view, self.sessions)
        self.enrollments.today = today
        self.enrollments.set_rows(enrolled)
        # The mentor column when the activity is mentoring, or when anyone has one.
        self.enrollment_view.setColumnHidden(EnrollmentColumn.MENTOR, not (
            (self.activity is not None and self.activity.kind == ActivityKind.MENTORING)
            or any(e.mentor_name for e in enrolled)))
        self.sessions.set_rows(sessions)
        restore_e()
        restore_s()
        self._update_empty_texts()
        self._update_actions()

    def _failed(self, error: BaseException) -> None:
        self.error.setText(error_text(error))
        self.error.show()

    def _update_empty_texts(self) -> None:
        ended = self.show_ended.isChecked()
        self.participants_empty.setText(
            "" if self.enrollments.rowCount() else
            tr("No one has been enrolled yet. Press Ctrl+I and type a few letters of a name.")
            if ended else tr("No one is enrolled right now. Tick “Show ended” to see earlier "
                             "participants, or press Ctrl+I to enroll someone."))
        self.participants_empty.setVisible(self.activity is not None
                                           and not self.enrollments.rowCount())
        self.sessions_empty.setText(tr("No sessions yet. Press Ctrl+R to record one."))
        self.sessions_empty.setVisible(self.activity is not None
                                       and not self.sessions.rowCount())

    def _update_actions(self, *_args: Any) -> None:
        activity, ready = self.activity, self.choices is not None
        course = activity is not None and not activity.is_drop_in
        enrollment = current_row(self.enrollment_view)
        self.action_session.setEnabled(activity is not None)
        self.action_enroll.setEnabled(course and ready)
        self.action_enroll_family.setEnabled(course and ready)
        self.action_edit_enrollment.setEnabled(enrollment is not None and ready)
        self.action_end_enrollment.setEnabled(
            enrollment is not None and ready and enrollment.end_date is None)
        self.action_delete_enrollment.setEnabled(enrollment is not None)
        self.action_open_session.setEnabled(current_row(self.session_view) is not None)

    # -- commands -------------------------------------------------------------------------

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def record_session(self, on: date | None = None) -> SessionDialog | None:
        if self.activity is None:
            return None
        dialog = SessionDialog(self.ctx, self.events, self.activity.id, on, self)
        dialog.saved.connect(lambda _row: self.tabs.setCurrentIndex(SESSIONS_TAB))
        self._open(dialog)
        return dialog

    def open_session(self) -> SessionDialog | None:
        row = current_row(self.session_view)
        return self.record_session(row.date) if row is not None else None

    def enroll(self) -> EnrollDialog | None:
        if self.activity is None or self.choices is None or self.activity.is_drop_in:
            return None
        dialog = EnrollDialog(self.ctx, self.events, self.activity, self.choices, None, self)
        dialog.saved.connect(lambda _row: self.tabs.setCurrentIndex(PARTICIPANTS_TAB))
        self._open(dialog)
        return dialog

    def enroll_family(self) -> HouseholdEnrollDialog | None:
        if self.activity is None or self.choices is None or self.activity.is_drop_in:
            return None
        dialog = HouseholdEnrollDialog(self.ctx, self.events, self.activity, self.choices, self)
        self._open(dialog)
        return dialog

    def edit_enrollment(self) -> EnrollDialog | None:
        row = current_row(self.enrollment_view)
        if row is None or self.activity is None or self.choices is None:
            return None
        dialog = EnrollDialog(self.ctx, self.events, self.activity, self.choices, row, self)
        self._open(dialog)
        return dialog

    def end_enrollment(self) -> EndEnrollmentDialog | None:
        row = current_row(self.enrollment_view)
        if row is None or self.choices is None or row.end_date is not None:
            return None
        dialog = EndEnrollmentDialog(self.ctx, self.events, row, self.choices, self)
        self._open(dialog)
        return dialog

    def delete_enrollment(self) -> Any:
        """Not the same as ending a forløb: a deleted one counts nowhere."""
        row = current_row(self.enrollment_view)
        if row is None or not self.action_delete_enrollment.isVisible():
            return None
        return ask_to_delete(self, tr("Delete enrollment"), tr(
            "Delete {name}'s enrollment in {activity}? Only delete an enrollment registered "
            "by mistake: it disappears from the participant list and from every figure. "
            "If the enrollment has ended, use “End enrollment” instead (end date and "
            "reason), so it still counts. The deletion is recorded in the audit log.",
            name=row.person_name, activity=row.activity_name), "deleteEnrollmentQuestion",
            lambda: run_service(self, self.events, delete_enrollment, self.ctx, row.id,
                                row.version, on_failure=self._failed))

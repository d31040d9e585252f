"""Aktiviteter: the plan's activities, filtered by kind and whether they run now; the
chosen activity's participants and sessions below, with enrollment and the one-screen
session registration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.enums import ActivityKind
from boligsag.domain.permissions import Permission
from boligsag.i18n import tr
from boligsag.services.activities import (
    ActivityChoices,
    ActivityInUse,
    ActivityRow,
    activity_choices,
    delete_activity,
    list_activities,
)
from boligsag.services.casework_labels import activity_kind_label
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.ui.activities.activity_dialog import ActivityDialog
from boligsag.ui.activities.buttons import action_button, page_shortcut, view_shortcut
from boligsag.ui.activities.detail import ActivityDetail
from boligsag.ui.activities.models import ActivitiesModel, ActivityColumn
from boligsag.ui.delete_question import ask_to_delete
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.models.table import current_row, keep_selection, select_key, setup_table
from boligsag.ui.reloader import Reloader
from boligsag.ui.row_menu import add_row_menu
from boligsag.ui.widgets import PageHeader, make_action, named

from .base import Page

_LIST = frozenset({Entity.ACTIVITIES, Entity.ENROLLMENTS, Entity.USERS})
_Loaded = tuple[list[ActivityRow], ActivityChoices | None]


def _load(ctx: AppContext, active_on: date | None, kind: ActivityKind | None,
          with_choices: bool) -> _Loaded:
    rows = list_activities(ctx, active_on=active_on, kind=kind)
    return rows, activity_choices(ctx) if with_choices else None


class ActivitiesPage(Page):
    page_id = "activities"
    icon_name = "calendar"
    permission = Permission.RECORD_SESSIONS

    @classmethod
    def title(cls) -> str:
        return tr("Activities")

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, parent)
        self.choices: ActivityChoices | None = None
        self._select_after_load: int | None = None
        self.loaded = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(12)
        layout.addWidget(PageHeader(self.title(), tr(
            "Mentoring, pocket-money jobs, parent guidance, homework café and drop-in.")))

        self.action_new = page_shortcut(make_action(
            self, "actionNewActivity", tr("&New activity…"), shortcut="Ctrl+N",
            triggered=self.new_activity, tip=tr("Create an activity of the plan")), self)
        self.action_edit = page_shortcut(make_action(
            self, "actionEditActivity", tr("&Edit activity…"), shortcut="Ctrl+E",
            triggered=self.edit_activity), self)
        self.action_delete = make_action(
            self, "actionDeleteActivity", tr("&Delete activity…"), shortcut="Del",
            triggered=self.delete_activity, tip=tr("Only for an activity created by mistake"))
        self.action_find = page_shortcut(make_action(
            self, "actionFilterActivities", tr("&Filter by kind"), shortcut="Ctrl+F",
            triggered=lambda: self.kind_filter.setFocus()), self)
        self.detail = ActivityDetail(ctx, events)
        for action in self.detail.actions():
            page_shortcut(action, self)
        can_manage = ctx.actor.can(Permission.MANAGE_ACTIVITIES)
        for action in (self.action_new, self.action_edit, self.action_delete,
                       self.detail.action_enroll, self.detail.action_enroll_family,
                       self.detail.action_edit_enrollment, self.detail.action_end_enrollment,
                       self.detail.action_delete_enrollment):
            action.setVisible(can_manage)

        tools = QHBoxLayout()
        tools.setSpacing(8)
        tools.addWidget(action_button(self.action_new, "newActivityButton", primary=True))
        tools.addWidget(action_button(self.action_edit, "editActivityButton"))
        tools.addWidget(action_button(self.detail.action_session, "pageRecordSessionButton"))
        tools.addStretch(1)
        kind_label = QLabel(tr("&Type"))
        self.kind_filter = named(QComboBox(), "activityKindFilter", tr("Filter by kind"))
        self.kind_filter.addItem(tr("All kinds"), None)
        for kind in ActivityKind:
            self.kind_filter.addItem(activity_kind_label(kind), str(kind))
        self.kind_filter.setMinimumWidth(200)
        kind_label.setBuddy(self.kind_filter)
        self.active_only = named(QCheckBox(tr("Only running now")), "activeOnlyCheck",
                                 tr("Only activities running now"))
        self.active_only.setChecked(True)
        tools.addWidget(kind_label)
        tools.addWidget(self.kind_filter)
        tools.addSpacing(8)
        tools.addWidget(self.active_only)
        layout.addLayout(tools)

        self.error = named(QLabel(), "activitiesError", tr("Error message"))
        self.error.setProperty("role", "error")
        self.error.hide()
        layout.addWidget(self.error)

        self.model = ActivitiesModel(self)
        self.table = setup_table(
            named(QTableView(), "activitiesTable", tr("Activities")), self.model,
            stretch=ActivityColumn.NAME,
            fit=(ActivityColumn.KIND, ActivityColumn.MODE, ActivityColumn.RESPONSIBLE,
                 ActivityColumn.PERIOD, ActivityColumn.ENROLLED))
        # Name and focus area share what the fitted columns leave.
        self.table.horizontalHeader().setSectionResizeMode(
            ActivityColumn.FOCUS_AREA, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.selectionModel().selectionChanged.connect(self._current_changed)
        self.table.activated.connect(lambda _i: self.detail.tabs.setFocus())
        view_shortcut(self.action_delete, self.table)  # Del in this list only
        add_row_menu(self.table, lambda: [self.action_edit, self.detail.action_session, None,
                                          self.action_new, None, self.action_delete],
                     "activitiesRowMenu")
        detail = self.detail
        add_row_menu(detail.enrollment_view, lambda: [
            detail.action_edit_enrollment, detail.action_end_enrollment, None,
            detail.action_enroll, detail.action_enroll_family, None,
            detail.action_delete_enrollment], "enrollmentsRowMenu")
        add_row_menu(detail.session_view, lambda: [
            detail.action_open_session, detail.action_session], "sessionsRowMenu")
        self.count_label = named(QLabel(), "activitiesCount", tr("Number of activities"))
        self.count_label.setProperty("role", "small")

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(4)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.count_label)
        self.splitter = named(QSplitter(Qt.Orientation.Vertical), "activitiesSplitter",
                              tr("Activities and the chosen activity"))
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([380, 420])
        layout.addWidget(self.splitter, 1)

        self.kind_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.active_only.toggled.connect(lambda _on: self.reload())
        self._update_actions()
        self.reloader = Reloader(self, events, _LIST, loader=self._loader, apply=self._show,
                                 failed=self._failed)

    def actions(self) -> list[QAction]:  # type: ignore[override]
        return [self.action_new, self.action_edit, self.action_find, *self.detail.actions(),
                self.action_delete, self.detail.action_delete_enrollment]

    def focus_first_field(self) -> None:
        self.kind_filter.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_activity(self, activity_id: int) -> None:
        """Choose one activity (opened from elsewhere, e.g. Mine sager): every kind is
        listed, not only the running ones, so it is there to be chosen."""
        self._select_after_load = activity_id
        self.kind_filter.blockSignals(True)
        self.active_only.blockSignals(True)
        self.kind_filter.setCurrentIndex(0)
        self.active_only.setChecked(False)
        self.kind_filter.blockSignals(False)
        self.active_only.blockSignals(False)
        self.reload()
        self.table.setFocus()

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> None:
        self.reloader.reload()

    def _loader(self) -> Callable[[], _Loaded]:
        kind = self.kind_filter.currentData()
        changes = self.reloader.changes
        # The responsible-staff choices change only with the accounts.
        with_choices = self.choices is None or changes is None or Entity.USERS in changes
        return partial(_load, self.ctx, self.ctx.today() if self.active_only.isChecked()
                       else None, ActivityKind(kind) if kind else None, with_choices)

    def _show(self, result: _Loaded) -> None:
        rows, choices = result
        if choices is not None:
            self.choices = self.detail.choices = choices
        self.error.hide()
        restore = keep_selection(self.table, self.model)
        self.model.today = self.ctx.today()
        self.model.set_rows(rows)
        wanted, self._select_after_load = self._select_after_load, None
        if not (wanted is not None and select_key(self.table, self.model, wanted)):
            restore()
        if current_row(self.table) is None and rows:
            select_key(self.table, self.model, rows[0].id)
        self._current_changed()
        self.count_label.setText(
            tr("1 activity") if len(rows) == 1 else
            tr("{count} activities", count=len(rows)) if rows else tr(
            "No activities match. Choose another kind, untick “Only running now”, or create "
            "one with Ctrl+N."))
        self.loaded = True
        self._update_actions()

    def _failed(self, error: BaseException) -> None:
        self.error.setText(error_text(error))
        self.error.show()

    def _current_changed(self, *_args: Any) -> None:
        row = current_row(self.table)
        if row is None and self.model.rowCount() == 0:
            self.detail.show_activity(None)
        elif row is not None and (self.detail.activity != row):
            self.detail.show_activity(row)
        self._update_actions()

    def _update_actions(self) -> None:
        self.action_new.setEnabled(self.choices is not None)
        self.action_edit.setEnabled(self.choices is not None
                                    and current_row(self.table) is not None)
        self.action_delete.setEnabled(current_row(self.table) is not None)
        self.detail._update_actions()

    # -- commands -------------------------------------------------------------------------

    def current_activity(self) -> ActivityRow | None:
        return current_row(self.table)

    def new_activity(self) -> ActivityDialog | None:
        return self._activity_dialog(None)

    def edit_activity(self) -> ActivityDialog | None:
        row = current_row(self.table)
        return self._activity_dialog(row) if row is not None else None

    def delete_activity(self) -> Any:
        """Only for an activity created by mistake; the service refuses one that has
        participants or sessions (it says to give it an end date instead)."""
        row = current_row(self.table)
        if row is None or not self.action_delete.isVisible():
            return None
        shown = self.detail.activity is not None and self.detail.activity.id == row.id
        if row.active_enrollments or (shown and self.detail.sessions.rowCount()):
            self._failed(ActivityInUse(row.name))  # known already: no question first
            return None
        return ask_to_delete(self, tr("Delete activity"), tr(
            "Delete the activity {name}? Only delete an activity created by mistake. An "
            "activity that has run, or that has ended, gets an end date instead (Edit "
            "activity). The deletion is recorded in the audit log.", name=row.name),
            "deleteActivityQuestion", lambda: run_service(
                self, self.events, delete_activity, self.ctx, row.id, row.version,
                on_failure=self._failed))

    def _activity_dialog(self, row: ActivityRow | None) -> ActivityDialog | None:
        if self.choices is None:
            return None
        dialog = ActivityDialog(self.ctx, self.events, self.choices, row, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._activity_saved)
        dialog.open()
        return dialog

    def _activity_saved(self, row: ActivityRow) -> None:
        self._select_after_load = row.id
        # A new activity may fall outside the filter: widen it so it can be seen.
        if self.kind_filter.currentData() not in (None, str(row.kind)):
            self.kind_filter.setCurrentIndex(0)

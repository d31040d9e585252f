"""Create or edit an activity: name, kind, fixed course or drop-in, the focus area of
the current plan it serves, area, responsible staff member and period."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from boligsag.domain.enums import ActivityKind, ActivityMode
from boligsag.i18n import tr
from boligsag.services.activities import (
    ActivityChoices,
    ActivityDraft,
    ActivityRow,
    create_activity,
    get_activity,
    update_activity,
)
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.ui.events import AppEvents
from boligsag.ui.stale_notice import StaleNotice
from boligsag.ui.widgets import form_layout, named

from .dialog_base import ServiceDialog
from .forms import OptionalDate, combo, select_data, text_area

# Kinds that usually run as drop-in; a suggestion while creating, never a rule (except
# drop-in itself, which the service insists on).
_DROP_IN_KINDS = {ActivityKind.DROP_IN, ActivityKind.HOMEWORK_CAFE}


class ActivityDialog(ServiceDialog):
    def __init__(self, ctx: AppContext, events: AppEvents | None, choices: ActivityChoices,
                 activity: ActivityRow | None = None, parent: QWidget | None = None) -> None:
        editing = activity is not None
        title = tr("Edit activity") if editing else tr("New activity")
        super().__init__(ctx, events, "activityDialog", title, parent, icon="calendar",
                         text=tr("Every activity serves one of the plan's focus areas, so "
                                 "the summaries for Landsbyggefonden can count it."),
                         save_text=tr("Save changes") if editing else tr("Create activity"))
        self.activity = activity
        self.set_form_width(620)
        form = form_layout(8)
        self.name = named(QLineEdit(), "activityNameEdit", tr("Name"))
        self.name.setPlaceholderText(tr("e.g. Lektiecafé Ærtebjerg or Jobmentor for unge"))
        self.name.setMaxLength(160)
        self._row(form, tr("&Name"), self.name, "name")

        self.kind = combo("activityKindCombo", tr("Kind"),
                          ((c.label, c.code) for c in choices.kinds))
        self._row(form, tr("&Kind"), self.kind, "kind")
        self.mode = combo("activityModeCombo", tr("Form"),
                          ((c.label, c.code) for c in choices.modes))
        self._row(form, tr("&Form"), self.mode, "mode")

        focus = [(c.label, c.id) for c in choices.focus_areas]
        if activity is not None and activity.focus_area_id is not None and \
                activity.focus_area_id not in {c.id for c in choices.focus_areas}:
            # An activity of an earlier plan keeps its own focus area.
            focus.append((activity.focus_area_label, activity.focus_area_id))
        self.focus_area = combo("activityFocusAreaCombo", tr("Focus area"), focus,
                                none_label=tr("Choose a focus area…"))
        self._row(form, tr("F&ocus area"), self.focus_area, "focus_area_id")
        self.area = combo("activityAreaCombo", tr("Housing area"),
                          ((c.label, c.id) for c in choices.areas),
                          none_label=tr("All housing areas"))
        self._row(form, tr("&Housing area"), self.area, "area_id")
        self.responsible = combo("activityResponsibleCombo", tr("Responsible"),
                                 ((c.label, c.id) for c in choices.staff),
                                 none_label=tr("No one in particular"))
        self._row(form, tr("&Responsible"), self.responsible, "responsible_user_id")

        today = ctx.today()
        self.start = OptionalDate("activityStart", tr("Starts"), tr("Start date"), today)
        self.end = OptionalDate("activityEnd", tr("Ends"), tr("End date"), today)
        self._row(form, tr("Period"), self.start, "start_date")
        self._row(form, "", self.end, "end_date")
        self.description = text_area("activityDescriptionEdit", tr("Description"), 74,
                                     tr("What happens, for whom, where and when"))
        self._row(form, tr("&Description"), self.description, "description")
        self.layout_.addLayout(form)
        self.finish_layout()

        self.kind.currentIndexChanged.connect(self._kind_changed)
        if activity is None:
            select_data(self.responsible, ctx.actor.user_id)
            self.start.set_value(today)
            self._kind_changed()
        else:
            self._load(activity)
            activity_id = activity.id
            self.stale_notice = StaleNotice(
                self, ctx, events, {Entity.ACTIVITIES},
                load=lambda: get_activity(ctx, activity_id), version=lambda a: a.version,
                base_version=lambda: self.activity.version,  # type: ignore[union-attr]
                fill=self._reload)
            self.layout_.insertWidget(1, self.stale_notice)
        self.name.setFocus()

    def _reload(self, a: ActivityRow) -> None:
        self.activity = a
        self._load(a)

    def _row(self, form: Any, text: str, widget: QWidget, field: str) -> None:
        label = QLabel(text)
        label.setBuddy(widget)
        form.addRow(label, widget)
        form.addRow("", self.field_error(field, widget))

    def _load(self, a: ActivityRow) -> None:
        self.name.setText(a.name)
        select_data(self.kind, str(a.kind))
        select_data(self.mode, str(a.mode))
        select_data(self.focus_area, a.focus_area_id)
        select_data(self.area, a.area_id)
        select_data(self.responsible, a.responsible_user_id)
        self.start.set_value(a.start_date)
        self.end.set_value(a.end_date)
        self.description.setPlainText(a.description)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        drop_in_only = kind == ActivityKind.DROP_IN
        if self.activity is None or drop_in_only:
            suggested = ActivityMode.DROP_IN if kind in _DROP_IN_KINDS else ActivityMode.COURSE
            select_data(self.mode, str(suggested))
        self.mode.setEnabled(not drop_in_only)

    def draft(self) -> ActivityDraft:
        return ActivityDraft(
            name=self.name.text(), kind=ActivityKind(self.kind.currentData()),
            mode=ActivityMode(self.mode.currentData()),
            focus_area_id=self.focus_area.currentData(), area_id=self.area.currentData(),
            responsible_user_id=self.responsible.currentData(),
            description=self.description.toPlainText(), start_date=self.start.value(),
            end_date=self.end.value())

    def prepare(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
        if self.activity is None:
            return create_activity, (self.ctx, self.draft()), {}
        return update_activity, (self.ctx, self.activity.id, self.activity.version,
                                 self.draft()), {}

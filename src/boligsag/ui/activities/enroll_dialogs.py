"""Enroll a person in a fixed-course activity (or edit the enrollment), and end one
with its reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from boligsag.domain.enums import ActivityKind, EndReason
from boligsag.i18n import tr
from boligsag.services.activities import ActivityChoices, ActivityRow
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.enrollments import (
    EnrollmentDraft,
    EnrollmentRow,
    end_enrollment,
    enroll,
    get_enrollment,
    update_enrollment,
)
from boligsag.ui.events import AppEvents
from boligsag.ui.stale_notice import StaleNotice
from boligsag.ui.widgets import form_layout, named

from .dialog_base import ServiceDialog
from .forms import (
    CheckGrid,
    OptionalDate,
    combo,
    date_edit,
    from_qdate,
    select_data,
    text_area,
    to_qdate,
)
from .person_picker import PersonPicker

_MENTOR_KINDS = {ActivityKind.MENTORING, ActivityKind.PARENT_GUIDANCE}


def add_row(dialog: ServiceDialog, form: QFormLayout, text: str, widget: QWidget,
            field: str) -> None:
    label = QLabel(text)
    label.setBuddy(widget)
    form.addRow(label, widget)
    form.addRow("", dialog.field_error(field, widget))


class EnrollDialog(ServiceDialog):
    def __init__(self, ctx: AppContext, events: AppEvents | None, activity: ActivityRow,
                 choices: ActivityChoices, enrollment: EnrollmentRow | None = None,
                 parent: QWidget | None = None) -> None:
        editing = enrollment is not None
        title = tr("Edit enrollment") if editing else tr("Enroll a participant")
        super().__init__(ctx, events, "enrollDialog", title, parent, icon="people",
                         text=activity.name,
                         save_text=tr("Save changes") if editing else tr("Enroll"))
        self.activity, self.enrollment = activity, enrollment
        self.set_form_width(640)
        form = form_layout(8)
        self.picker: PersonPicker | None = None
        if enrollment is None:
            self.picker = PersonPicker(ctx, "enrollPersonPicker")
            add_row(self, form, tr("&Person"), self.picker, "person_id")
        else:
            name = named(QLabel(enrollment.person_name), "enrollPersonName", tr("Person"))
            name.setProperty("role", "cardTitle")
            form.addRow(tr("Person"), name)
        self.start = date_edit("enrollStartEdit", tr("Start date"), ctx.today())
        add_row(self, form, tr("&Start date"), self.start, "start_date")

        self.end: OptionalDate | None = None
        if enrollment is not None:
            self.end = OptionalDate("enrollEnd", tr("Ended"), tr("End date"), ctx.today())
            add_row(self, form, tr("End"), self.end, "end_date")
            self.end_reason = combo("enrollEndReasonCombo", tr("End reason"),
                                    ((c.label, c.code) for c in choices.end_reasons),
                                    none_label=tr("Choose a reason…"))
            add_row(self, form, tr("End &reason"), self.end_reason, "end_reason")
            self.end.check.toggled.connect(self.end_reason.setEnabled)
            self.end_reason.setEnabled(False)

        self.mentor = combo("enrollMentorCombo", tr("Mentor"),
                            ((c.label, c.id) for c in choices.mentors),
                            none_label=tr("No mentor"))
        mentor_text = (tr("&Guide") if activity.kind == ActivityKind.PARENT_GUIDANCE
                       else tr("&Mentor"))
        if activity.kind in _MENTOR_KINDS or (enrollment and enrollment.mentor_user_id):
            add_row(self, form, mentor_text, self.mentor, "mentor_user_id")
        else:
            self.mentor.hide()

        self.topics = CheckGrid("enrollTopics", tr("Topics"),
                                ((c.label, c.id) for c in choices.parent_guidance_topics))
        if activity.kind == ActivityKind.PARENT_GUIDANCE:
            add_row(self, form, tr("Topics"), self.topics, "topic_ids")
        else:
            self.topics.hide()

        self.goals = text_area("enrollGoalsEdit", tr("Goals"), 70,
                               tr("What the participant wants to achieve"))
        add_row(self, form, tr("&Goals"), self.goals, "goals")
        self.note = named(QLineEdit(), "enrollNoteEdit", tr("Note"))
        add_row(self, form, tr("N&ote"), self.note, "note")
        self.layout_.addLayout(form)
        self.finish_layout()
        if enrollment is not None:
            self._load(enrollment)
            self.layout_.insertWidget(1, _notice(self, self._reload))
            self.start.setFocus()
        elif self.picker is not None:
            self.picker.setFocus()

    def _reload(self, e: EnrollmentRow) -> None:
        self.enrollment = e
        self._load(e)

    def _load(self, e: EnrollmentRow) -> None:
        self.start.setDate(to_qdate(e.start_date))
        assert self.end is not None
        self.end.set_value(e.end_date)
        select_data(self.end_reason, str(e.end_reason) if e.end_reason else None)
        select_data(self.mentor, e.mentor_user_id)
        self.topics.set_values(t.id for t in e.topics)
        self.goals.setPlainText(e.goals)
        self.note.setText(e.note)

    def prepare(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
        if self.enrollment is None:
            assert self.picker is not None
            if self.picker.person is None:
                self.errors.show_field("person_id", tr("Choose a person from the list."))
                return None
            person_id = self.picker.person.id
        else:
            person_id = self.enrollment.person_id
        end = self.end.value() if self.end is not None else None
        reason = self.end_reason.currentData() if end is not None else None
        draft = EnrollmentDraft(
            activity_id=self.activity.id, person_id=person_id,
            start_date=from_qdate(self.start.date()), end_date=end,
            end_reason=EndReason(reason) if reason else None,
            goals=self.goals.toPlainText(), note=self.note.text(),
            mentor_user_id=self.mentor.currentData(),
            household_id=self.enrollment.household_id if self.enrollment else None,
            topic_ids=tuple(self.topics.values()))
        if self.enrollment is None:
            return enroll, (self.ctx, draft), {}
        return update_enrollment, (self.ctx, self.enrollment.id, self.enrollment.version,
                                   draft), {}


def _notice(dialog: EnrollDialog | EndEnrollmentDialog, fill: Callable[[EnrollmentRow], None],
            *, reload_offered: bool = True) -> StaleNotice[EnrollmentRow]:
    """The banner for a colleague's change to the enrollment the dialog edits."""
    ctx, enrollment_id = dialog.ctx, dialog.enrollment.id  # type: ignore[union-attr]
    return StaleNotice(dialog, ctx, dialog.events, {Entity.ENROLLMENTS},
                       load=lambda: get_enrollment(ctx, enrollment_id),
                       version=lambda row: row.version,
                       base_version=lambda: dialog.enrollment.version,  # type: ignore[union-attr]
                       fill=fill, reload_offered=reload_offered)


class EndEnrollmentDialog(ServiceDialog):
    """Close a forløb: the end date and why, nothing else."""

    def __init__(self, ctx: AppContext, events: AppEvents | None, enrollment: EnrollmentRow,
                 choices: ActivityChoices, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, "endEnrollmentDialog", tr("End enrollment"), parent,
                         icon="people",
                         heading=tr("End {name}'s enrollment", name=enrollment.person_name),
                         text=enrollment.activity_name, save_text=tr("End enrollment"))
        self.enrollment = enrollment
        self.set_form_width(520)
        form = form_layout(8)
        self.end = date_edit("endEnrollmentDateEdit", tr("End date"), ctx.today())
        self.end.setMinimumDate(to_qdate(enrollment.start_date))
        add_row(self, form, tr("&End date"), self.end, "end_date")
        self.reason = combo("endEnrollmentReasonCombo", tr("End reason"),
                            ((c.label, c.code) for c in choices.end_reasons),
                            none_label=tr("Choose a reason…"))
        add_row(self, form, tr("&Reason"), self.reason, "end_reason")
        self.layout_.addLayout(form)
        self.finish_layout()
        # The form holds only the ending: a change to the enrollment is adopted as is.
        self.layout_.insertWidget(1, _notice(self, self._adopt, reload_offered=False))
        self.reason.setFocus()

    def _adopt(self, e: EnrollmentRow) -> None:
        self.enrollment = e

    def prepare(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
        reason = self.reason.currentData()
        if reason is None:
            self.errors.show_field("end_reason", tr("Choose why the enrollment ended."))
            return None
        return end_enrollment, (self.ctx, self.enrollment.id, self.enrollment.version,
                                from_qdate(self.end.date()), EndReason(reason)), {}

"""The network-mother (bydelsmor) conversation form: a short, anonymous record a
volunteer fills in after a conversation. ``NetworkMotherDialog(ctx, parent)``; pass
``events`` so open lists refresh, and ``conversation`` to correct an earlier form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from boligsag.domain.enums import ContactKind, Gender
from boligsag.formatting import time_text
from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.contact_choices import QuickLogChoices
from boligsag.services.contact_rows import ContactDraft, ContactRow
from boligsag.services.contacts import get_contact, update_contact
from boligsag.services.context import AppContext
from boligsag.services.network_mothers import (
    NetworkMotherDraft,
    log_network_mother_conversation,
    network_mother_choices,
)
from boligsag.ui.activities.dialog_base import ServiceDialog
from boligsag.ui.activities.forms import (
    CheckGrid,
    combo,
    date_edit,
    fill_combo,
    from_qdate,
    plain_spin,
    select_data,
    to_qdate,
)
from boligsag.ui.activities.session_dialog import parse_time
from boligsag.ui.background import run_in_background
from boligsag.ui.events import AppEvents
from boligsag.ui.stale_notice import StaleNotice
from boligsag.ui.widgets import form_layout, named


class NetworkMotherDialog(ServiceDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 events: AppEvents | None = None,
                 conversation: ContactRow | None = None) -> None:
        editing = conversation is not None
        super().__init__(ctx, events, "networkMotherDialog",
                         tr("Correct conversation") if editing else tr("New conversation"),
                         parent, icon="chat", text=tr(
                             "Fill it in shortly after the conversation. No names: only age, "
                             "gender, what you talked about and where you referred to."),
                         save_text=tr("Save changes") if editing else tr("Save conversation"))
        self.conversation = conversation
        self.choices: QuickLogChoices | None = None
        self.stale_notice: StaleNotice[ContactRow] | None = None  # once the form is filled
        self.set_form_width(820)
        form = form_layout(8)
        when = QHBoxLayout()
        when.setSpacing(10)
        now = ctx.clock.now()
        self.date = date_edit("conversationDateEdit", tr("Date"), now.date(),
                              maximum=now.date())
        self.time = named(QLineEdit(time_text(now)), "conversationTimeEdit", tr("Time"))
        self.time.setMaxLength(5)
        self.time.setFixedWidth(80)
        self.duration = plain_spin(named(QSpinBox(), "conversationDurationSpin",
                                         tr("Duration in minutes")))
        self.duration.setRange(0, 600)
        self.duration.setSingleStep(5)
        self.duration.setSpecialValueText(tr("Not given"))
        self.duration.setSuffix(tr(" min."))
        self.duration.setFixedWidth(140)
        time_label = QLabel(tr("&Time"))
        time_label.setBuddy(self.time)
        duration_label = QLabel(tr("D&uration"))
        duration_label.setBuddy(self.duration)
        for widget in (self.date, time_label, self.time, duration_label, self.duration):
            when.addWidget(widget)
        when.addStretch(1)
        self._row(form, tr("&Date"), self._wrap(when), "occurred_at", self.date)

        self.age_group = combo("conversationAgeGroupCombo", tr("Age group"), (),
                               none_label=tr("Choose age…"))
        self.age_group.setMaximumWidth(320)
        self._row(form, tr("&Age"), self.age_group, "age_group")
        self.gender_group = QButtonGroup(self)
        genders = QHBoxLayout()
        genders.setSpacing(18)
        for number, gender in enumerate(Gender):
            button = named(QRadioButton(), f"conversationGender_{gender}", str(gender))
            self.gender_group.addButton(button, number)
            genders.addWidget(button)
        genders.addStretch(1)
        first_gender = self.gender_group.buttons()[0]
        self._row(form, tr("Gender"), self._wrap(genders), "gender", first_gender)

        self.topics_box = QWidget()
        self.topics_layout = QGridLayout(self.topics_box)
        self.topics_layout.setContentsMargins(0, 0, 0, 0)
        self.topics_layout.setHorizontalSpacing(24)
        self.topics_layout.setVerticalSpacing(4)
        self.topic_grids: list[CheckGrid] = []
        self._row(form, tr("Topics"), self.topics_box, "topic_ids")

        self.service = combo("conversationServiceCombo", tr("Referred to"), (),
                             none_label=tr("No referral"))
        self._row(form, tr("&Referred to"), self.service, "referred_to_service_id")
        self.referred_text = named(QLineEdit(), "conversationReferredTextEdit",
                                   tr("Referred to, in your own words"))
        self.referred_text.setMaxLength(200)
        self.referred_text.setPlaceholderText(tr("…or write it yourself, e.g. the doctor or "
                                                 "the language school"))
        self._row(form, "", self.referred_text, "referred_to_text")
        self.channel = combo("conversationChannelCombo", tr("How"), ())
        self._row(form, tr("&How"), self.channel, "channel")
        self.note = named(QLineEdit(), "conversationNoteEdit", tr("Note"))
        self.note.setPlaceholderText(tr("Short note without names"))
        self._row(form, tr("&Note"), self.note, "note")
        self.layout_.addLayout(form)
        self.finish_layout()
        self.save_button.setEnabled(False)
        run_in_background(self, lambda _task: network_mother_choices(ctx),
                          on_success=self._fill, on_failure=self.errors.show)
        self.age_group.setFocus()

    @staticmethod
    def _wrap(layout: Any) -> QWidget:
        widget = QWidget()
        layout.setContentsMargins(0, 0, 0, 0)
        widget.setLayout(layout)
        return widget

    def _row(self, form: Any, text: str, widget: QWidget, field: str,
             focus: QWidget | None = None) -> None:
        label = QLabel(text)
        label.setBuddy(focus or widget)
        form.addRow(label, widget)
        form.addRow("", self.field_error(field, focus or widget))

    # -- choices --------------------------------------------------------------------------

    def _fill(self, choices: QuickLogChoices) -> None:
        self.choices = choices
        fill_combo(self.age_group, ((c.label, c.code) for c in choices.age_groups),
                   none_label=tr("Choose age…"))
        labels = {c.code: c.label for c in choices.genders}
        for button in self.gender_group.buttons():
            code = button.objectName().removeprefix("conversationGender_")
            button.setText(labels.get(code, code))
            button.setAccessibleName(labels.get(code, code))
        for column, focus in enumerate(choices.focus_areas):
            heading = QLabel(focus.label)
            heading.setProperty("role", "overline")
            grid = CheckGrid(f"conversationTopics_{focus.code}", focus.label,
                             ((t.label, t.id) for t in focus.topics), columns=1)
            row, col = divmod(column, 2)
            if row:
                heading.setContentsMargins(0, 10, 0, 0)
            self.topics_layout.addWidget(heading, row * 2, col)
            self.topics_layout.addWidget(grid, row * 2 + 1, col, Qt.AlignmentFlag.AlignTop)
            self.topic_grids.append(grid)
        fill_combo(self.service, ((c.label, c.id) for c in choices.services),
                   none_label=tr("No referral"))
        fill_combo(self.channel, ((c.label, c.code) for c in choices.channels))
        select_data(self.channel, "in_person")
        if self.conversation is not None:
            self._load(self.conversation)
            self._watch(self.conversation.id)
        self.save_button.setEnabled(True)
        # The topics arrived after the window was laid out; new children are shown by a
        # posted event, so fit once they are.
        QTimer.singleShot(0, self.fit_to_contents)

    def _watch(self, contact_id: int) -> None:
        """A colleague's change to the conversation shows at once (ui/stale_notice.py)."""
        ctx = self.ctx
        self.stale_notice = StaleNotice(
            self, ctx, self.events, {Entity.CONTACTS},
            load=lambda: get_contact(ctx, contact_id), version=lambda row: row.version,
            base_version=lambda: self.conversation.version,  # type: ignore[union-attr]
            fill=self._reload)
        self.layout_.insertWidget(1, self.stale_notice)
        self.stale_notice.settle()  # the form as filled now, after its choices arrived

    def _reload(self, c: ContactRow) -> None:
        self.conversation = c
        self._load(c)

    def _load(self, c: ContactRow) -> None:
        self.date.setDate(to_qdate(c.occurred_at.date()))
        self.time.setText(time_text(c.occurred_at))
        self.duration.setValue(c.duration_minutes)
        select_data(self.age_group, c.age_group)
        for button in self.gender_group.buttons():
            button.setChecked(button.objectName() == f"conversationGender_{c.gender}")
        chosen = {t.id for t in c.topics}
        for grid in self.topic_grids:
            grid.set_values(chosen)
        select_data(self.service, c.referred_to_service_id)
        self.referred_text.setText(c.referred_to_text)
        select_data(self.channel, c.channel)
        self.note.setText(c.note)

    # -- saving ---------------------------------------------------------------------------

    def gender(self) -> Gender | None:
        button = self.gender_group.checkedButton()
        return Gender(button.objectName().removeprefix("conversationGender_")) \
            if button is not None else None

    def prepare(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
        try:
            at = parse_time(self.time.text())
        except ValueError:
            self.errors.show_field("occurred_at", tr("Write the time as hh:mm, e.g. 16:30."))
            return None
        day = from_qdate(self.date.date())
        occurred = datetime.combine(day, at) if at else datetime.combine(
            day, self.ctx.clock.now().time()).replace(microsecond=0)
        topics = tuple(t for grid in self.topic_grids for t in grid.values())
        fields = {"age_group": self.age_group.currentData(), "gender": self.gender(),
                  "topic_ids": topics, "referred_to_service_id": self.service.currentData(),
                  "referred_to_text": self.referred_text.text(), "occurred_at": occurred,
                  "duration_minutes": self.duration.value(), "note": self.note.text(),
                  "channel": self.channel.currentData() or "in_person"}
        c = self.conversation
        if c is None:
            return log_network_mother_conversation, (self.ctx, NetworkMotherDraft(**fields)), {}
        draft = ContactDraft(kind=ContactKind.NETWORK_MOTHER, anonymous=True,
                             activity_id=c.activity_id, staff_user_id=c.staff_user_id,
                             area_id=c.area_id, **fields)
        return update_contact, (self.ctx, c.id, c.version, draft), {}

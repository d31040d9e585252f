"""Log kontakt (Ctrl+L from anywhere): a contact recorded in seconds from the keyboard.

Person(s) by typing a few letters and Enter, or "Anonym" with age group and gender;
channel by its letter; topics by filtering and Space; duration with presets; a note;
an optional follow-up date; the date and time default to now. Enter saves from any
one-line field, Ctrl+Enter from the note, Esc cancels. The same dialog edits a logged
contact (``contact=``), and can delete it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from boligsag.formatting import time_text
from boligsag.i18n import tr
from boligsag.services.casework_common import PersonRef
from boligsag.services.changes import Entity
from boligsag.services.contact_choices import QuickLogChoices
from boligsag.services.contacts import (
    ContactDraft,
    ContactRow,
    delete_contact,
    get_contact,
    log_contact,
    quick_log_choices,
    update_contact,
)
from boligsag.services.context import AppContext
from boligsag.ui.activities.dialog_base import ServiceDialog
from boligsag.ui.activities.forms import (
    OptionalDate,
    combo,
    date_edit,
    from_qdate,
    plain_spin,
    select_data,
    text_area,
    to_qdate,
)
from boligsag.ui.activities.session_dialog import parse_time
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.purpose_dialog import ssp_note_purpose
from boligsag.ui.reminders.dialog import contact_subject, remind_me_button
from boligsag.ui.stale_notice import StaleNotice
from boligsag.ui.widgets import form_layout, named

from .channel_picker import ChannelPicker
from .person_chips import PersonChips
from .topic_picker import TopicPicker

DEFAULT_MINUTES = 15
PRESETS = (15, 30, 60)


class ContactDialog(ServiceDialog):
    def __init__(self, ctx: AppContext, events: AppEvents | None,
                 parent: QWidget | None = None, *, people: tuple[PersonRef, ...] = (),
                 contact: ContactRow | None = None,
                 choices: QuickLogChoices | None = None) -> None:
        editing = contact is not None
        title = tr("Edit contact") if editing else tr("Log contact")
        super().__init__(ctx, events, "quickLogDialog", title, parent, icon="chat", text=tr(
            "Enter saves · Esc cancels · Ctrl+Enter saves from the note"),
            save_text=tr("Save changes") if editing else tr("Save contact"))
        self.contact = contact
        self.choices = choices or quick_log_choices(ctx)  # a few small tables
        self.set_form_width(700)
        self.form = form_layout(6)
        self.form.setVerticalSpacing(5)
        now = ctx.clock.now()

        self.people = PersonChips(ctx)
        self.anonymous = named(QCheckBox(tr("&Anonymous counselling")), "quickLogAnonymousCheck",
                               tr("Anonymous counselling"))
        self.anonymous.setToolTip(tr("No person attached (serviceloven § 10, stk. 2): only "
                                     "age group and gender are recorded."))
        who = QHBoxLayout()
        who.setSpacing(12)
        who.addWidget(self.people, 1)
        who.addWidget(self.anonymous, 0, Qt.AlignmentFlag.AlignTop)
        self._row(tr("People"), who, "person_ids", self.people)
        self.age_group = combo("quickLogAgeGroupCombo", tr("Age group"),
                               ((g.label, g.code) for g in self.choices.age_groups),
                               none_label=tr("Choose…"))
        self.gender = combo("quickLogGenderCombo", tr("Gender"),
                            ((g.label, g.code) for g in self.choices.genders),
                            none_label=tr("Choose…"))
        anonymous_row = QHBoxLayout()
        anonymous_row.setSpacing(10)
        anonymous_row.addWidget(self.age_group)
        anonymous_row.addWidget(self.gender)
        anonymous_row.addStretch(1)
        self.anonymous_label = self._row(tr("Age and gender"), anonymous_row, "age_group",
                                         self.age_group)
        self.gender_error = self.field_error("gender", self.gender)
        self.form.addRow("", self.gender_error)

        self.channel = ChannelPicker(self.choices.channels)
        self._row(tr("Channel"), self.channel, "channel", self.channel)
        self.topics = TopicPicker(self.choices.focus_areas)
        self.topics.tree.setFixedHeight(178)
        self._row(tr("Topics"), self.topics, "topic_ids", self.topics)

        self.duration = plain_spin(named(QSpinBox(), "quickLogDurationSpin",
                                         tr("Duration in minutes")), 110)
        self.duration.setRange(0, 24 * 60)
        self.duration.setSingleStep(5)
        self.duration.setSuffix(tr(" min."))
        self.duration.setValue(DEFAULT_MINUTES)
        minutes = QHBoxLayout()
        minutes.setSpacing(6)
        minutes.addWidget(self.duration)
        for value in PRESETS:
            button = named(QPushButton(tr("{minutes} min.", minutes=value)),
                           f"quickLogDuration_{value}", tr("{minutes} minutes", minutes=value))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)
            button.setMinimumWidth(92)  # the same width, but room for a large font
            button.clicked.connect(lambda _c=False, v=value: self.duration.setValue(v))
            minutes.addWidget(button)
        minutes.addStretch(1)
        self._row(tr("Duration"), minutes, "duration_minutes", self.duration)

        self.note = text_area("quickLogNoteEdit", tr("Note"), 74,
                              tr("What was it about? (Ctrl+Enter saves)"))
        self._row(tr("Note"), self.note, "note", self.note)
        self.revealed = False  # an SSP note's text, once asked for with a purpose
        self.ssp = named(QCheckBox(tr("SSP note (section 115 of the Administration of "
                                      "Justice Act)")), "quickLogSspCheck", tr("SSP note"))
        self.ssp.setEnabled(self.choices.ssp_access)
        self.ssp.setToolTip(tr(
            "Only staff with SSP access can read the note, and only by asking for it here. "
            "It is never shown in lists, printed, exported or sent to other laptops.")
            if self.choices.ssp_access else tr(
            "Only staff with SSP access can mark a note as SSP or change an SSP note."))
        self.reveal_button = named(QPushButton(tr("Show SSP note…")),
                                   "quickLogRevealSspButton", tr("Show SSP note"))
        self.reveal_button.setAutoDefault(False)
        self.reveal_button.clicked.connect(self.ask_to_reveal)
        self.reveal_button.hide()
        ssp_row = QHBoxLayout()
        ssp_row.addWidget(self.ssp)
        ssp_row.addStretch(1)
        ssp_row.addWidget(self.reveal_button)
        self._row("", ssp_row, "ssp_locked", self.ssp)
        self.follow_up = OptionalDate("quickLogFollowUp", tr("Follow up on"),
                                      tr("Follow-up date"), now.date() + timedelta(days=7),
                                      say_closed_days=True)
        self._row(tr("Follow-up"), self.follow_up, "follow_up_date", self.follow_up)

        when = QHBoxLayout()
        when.setSpacing(8)
        self.date = date_edit("quickLogDateEdit", tr("Date"), now.date(), maximum=now.date())
        self.time = named(QLineEdit(time_text(now)), "quickLogTimeEdit", tr("Time"))
        self.time.setMaxLength(5)
        self.time.setFixedWidth(80)
        when.addWidget(self.date)
        when.addWidget(self.time)
        when.addStretch(1)
        self._row(tr("When"), when, "occurred_at", self.date)
        self.layout_.addLayout(self.form)
        self.finish_layout()
        if editing:
            self.delete_button = named(self.buttons.addButton(
                tr("Delete…"), QDialogButtonBox.ButtonRole.DestructiveRole),
                "quickLogDeleteButton", tr("Delete contact"))
            self.delete_button.setAutoDefault(False)
            self.delete_button.clicked.connect(self.confirm_delete)
            if contact.ssp_locked and not self.choices.ssp_access:  # the service refuses it
                self.delete_button.setEnabled(False)
                self.delete_button.setToolTip(tr(
                    "Only staff with SSP access can mark a note as SSP or change an SSP note."))
            self.remind_button = remind_me_button(
                self, ctx, events, lambda: contact_subject(self.contact), "quickLogRemindButton")
            self.buttons.addButton(self.remind_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.anonymous.toggled.connect(self._anonymous_toggled)
        # More chips wrap to a new line: let the window grow with them.
        self.people.changed.connect(lambda: QTimer.singleShot(0, self.fit_to_contents))
        for person in people:
            self.people.add_person(person)
        if contact is not None:
            self._fill(contact)
            contact_id = contact.id
            self.stale_notice = StaleNotice(
                self, ctx, events, {Entity.CONTACTS},
                load=lambda: get_contact(ctx, contact_id), version=lambda row: row.version,
                base_version=lambda: self.contact.version, fill=self._refill)
            self.layout_.insertWidget(1, self.stale_notice)
        self._anonymous_toggled(self.anonymous.isChecked())
        if people or contact is not None:
            self.channel.setFocus()
        else:
            self.people.edit.setFocus()

    def _row(self, text: str, field: Any, name: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setMinimumWidth(104)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        label.setContentsMargins(0, 6, 0, 0)
        self.form.addRow(label, field)
        self.form.addRow("", self.field_error(name, widget))
        return label

    def _fill(self, contact: ContactRow) -> None:
        for person in contact.people:
            self.people.add_person(person)
        self.anonymous.setChecked(contact.anonymous)
        select_data(self.age_group, contact.age_group)
        select_data(self.gender, str(contact.gender) if contact.gender else None)
        self.channel.set_value(contact.channel)
        self.topics.set_values(tuple(t.id for t in contact.topics))
        self.duration.setValue(contact.duration_minutes)
        self.note.setPlainText(contact.note)
        self.ssp.setChecked(contact.ssp_locked)
        self.revealed = False
        withheld = contact.ssp_locked and not self.choices.ssp_access
        self.note.setReadOnly(contact.note_withheld or withheld)
        self.reveal_button.setVisible(contact.note_withheld and self.choices.ssp_access)
        if contact.note_withheld:
            self.note.setPlaceholderText(tr(
                "SSP note: the text is shown only to staff with SSP access, when they ask "
                "for it."))
        self.follow_up.set_value(contact.follow_up_date)
        self.date.setMaximumDate(to_qdate(max(contact.occurred_at.date(),
                                              self.ctx.today())))
        self.date.setDate(to_qdate(contact.occurred_at.date()))
        self.time.setText(time_text(contact.occurred_at))

    def ask_to_reveal(self) -> None:
        """An SSP note's text, after the purpose (services/contacts.reveal_ssp_note)."""
        if self.contact is None:
            return
        dialog = ssp_note_purpose(self.ctx, self.contact.id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.given.connect(self._revealed)
        dialog.open()
        self.purpose_dialog = dialog

    def _revealed(self, text: object) -> None:
        self.revealed = True
        self.note.setReadOnly(False)
        self.note.setPlainText(str(text))
        self.reveal_button.hide()
        self.note.setFocus()

    def _refill(self, contact: ContactRow) -> None:
        """The contact as saved now (a colleague's change arrived), at its version."""
        self.people.set_form_value(tuple(contact.people))
        self.contact = contact
        self._fill(contact)

    def _anonymous_toggled(self, anonymous: bool) -> None:
        self.people.setEnabled(not anonymous)
        self.people.hide_matches()
        row, _role = self.form.getWidgetPosition(self.anonymous_label)
        self.form.setRowVisible(row, anonymous)
        if anonymous:
            self.age_group.setFocus()

    # -- saving ---------------------------------------------------------------------------

    def prepare(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
        anonymous = self.anonymous.isChecked()
        if not anonymous and self.people.pending_text():
            if self.people.searching():
                return None  # Enter was for the person field: it takes the match
            self.errors.show_field("person_ids", tr(
                "Choose the person in the list with Enter, or clear the text."))
            return None
        try:
            at = parse_time(self.time.text())
        except ValueError:
            self.errors.show_field("occurred_at", tr("Write the time as 14:30."))
            return None
        day = from_qdate(self.date.date())
        occurred = datetime.combine(day, at) if at is not None else self.ctx.clock.now()
        gender = self.gender.currentData()
        fields: dict[str, Any] = {
            "channel": self.channel.value(),
            "person_ids": () if anonymous else self.people.person_ids(),
            "anonymous": anonymous,
            "age_group": self.age_group.currentData() if anonymous else None,
            "gender": gender if anonymous else None,
            "occurred_at": occurred,
            "topic_ids": self.topics.values(),
            "duration_minutes": self.duration.value(),
            "note": self.note.toPlainText(),
            "follow_up_date": self.follow_up.value(),
            "ssp_locked": self.ssp.isChecked(),
            # An SSP note not asked for is not in the form: the saved one stays.
            "keep_note": (self.contact is not None and self.contact.note_withheld
                          and not self.revealed),
        }
        if self.contact is None:
            return log_contact, (self.ctx, ContactDraft(**fields)), {}
        draft = replace(self.contact.to_draft(), **fields)
        return update_contact, (self.ctx, self.contact.id, self.contact.version, draft), {}

    def confirm_delete(self) -> None:
        if self.contact is None or self.busy:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, tr("Delete contact"), tr(
            "Delete this contact? It disappears from lists and timelines; the deletion is "
            "recorded in the audit log."), QMessageBox.StandardButton.NoButton, self)
        named(box, "deleteContactQuestion", tr("Delete contact"))
        yes = box.addButton(tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        yes.setObjectName("deleteContactConfirmButton")
        box.addButton(tr("Keep it"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: button is yes and self._delete())
        self.question = box
        box.open()

    def _delete(self) -> None:
        assert self.contact is not None
        self.set_busy(True)
        run_service(self, self.events, delete_contact, self.ctx, self.contact.id,
                    self.contact.version, on_success=lambda _r: self._deleted(),
                    on_failure=self._failed)

    def _deleted(self) -> None:
        self.set_busy(False)
        self.deleted = True
        self.accept()


def confirmation(row: ContactRow) -> str:
    """The status bar's line after a save."""
    if row.anonymous:
        return tr("Anonymous contact saved ({channel}).", channel=row.channel_label)
    return tr("Contact saved: {channel} with {people}.", channel=row.channel_label,
              people=row.people_names)


"""The "Påmind mig…" dialog: a day (tomorrow unless chosen otherwise, with a calendar
and the quick choices "I morgen" and "Om en uge") and a short text, for the logged-in
user, about the person, contact or referral it was opened from.

``RemindMeDialog(ctx, events, subject, parent)``; ``saved`` carries the ReminderRow.
``remind_me_button(...)`` is the "Påmind mig…" button a record's view shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.closed_days import closed_day_note
from boligsag.formatting import long_date, short_date, weekday_name
from boligsag.i18n import current_language, tr
from boligsag.services.contact_rows import ContactRow
from boligsag.services.context import AppContext
from boligsag.services.errors import ValidationFailed
from boligsag.services.referrals import ReferralDetails
from boligsag.services.reminders import MAX_TEXT, ReminderRow, SubjectKind, create_reminder
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.forms import buddy, date_edit, to_date, to_qdate
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named, ok_cancel_buttons


@dataclass(frozen=True)
class ReminderSubject:
    """What a reminder is about: the record's kind and id, and how to name it."""

    kind: SubjectKind
    id: int
    label: str  # "Ayşe Kaya", "Henvisning til Jobcenter for Ayşe Kaya"


def referral_subject(details: ReferralDetails | None) -> ReminderSubject | None:
    if details is None:
        return None
    row = details.row
    return ReminderSubject(SubjectKind.REFERRAL, row.id, tr(
        "Referral to {service} for {name}", service=row.service_name, name=row.person_name))


def contact_subject(row: ContactRow | None) -> ReminderSubject | None:
    if row is None:
        return None
    label = tr("{channel} on {date} with {names}", channel=row.channel_label,
               date=short_date(row.occurred_at.date()), names=row.people_names) \
        if row.people else tr("Anonymous {channel} on {date}", channel=row.channel_label,
                              date=short_date(row.occurred_at.date()))
    return ReminderSubject(SubjectKind.CONTACT, row.id, label)


class RemindMeDialog(QDialog):
    saved = Signal(object)  # ReminderRow

    def __init__(self, ctx: AppContext, events: AppEvents | None,
                 subject: ReminderSubject | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events, self.subject = ctx, events, subject
        self.saving = False
        named(self, "remindMeDialog", tr("Remind me"))
        self.setWindowTitle(tr("Remind me"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 20, 22, 16)
        layout.setSpacing(10)
        about = tr("About: {subject}", subject=subject.label) if subject else ""
        layout.addWidget(DialogHeader("calendar", tr("Remind me"), about or tr(
            "Only you see your reminders. They appear on the start page on the day.")))

        today = ctx.today()
        self.due = date_edit("reminderDueEdit", tr("Day"), today + timedelta(days=1),
                             minimum=today)
        self.tomorrow = self._quick("reminderTomorrowButton", tr("&Tomorrow"), 1)
        self.next_week = self._quick("reminderNextWeekButton", tr("In a &week"), 7)
        day_row = QHBoxLayout()
        day_row.setSpacing(8)
        day_row.addWidget(self.due)
        day_row.addWidget(self.tomorrow)
        day_row.addWidget(self.next_week)
        day_row.addStretch(1)
        # The weekday helps more than the digits when planning ("fredag 4. december").
        self.due_words = named(QLabel(), "reminderDueWords", tr("Day"))
        self.due_words.setProperty("role", "muted")
        self.due.dateChanged.connect(self._say_day)
        self._say_day()
        self.due_error = FieldError("reminderDueError")

        self.text = named(QLineEdit(), "reminderTextEdit", tr("What to remember"))
        self.text.setMaxLength(MAX_TEXT)
        self.text.setPlaceholderText(tr("E.g. call about the flat"))
        self.text_error = FieldError("reminderTextError")

        form = form_layout(10)
        day_box = QVBoxLayout()
        day_box.setSpacing(2)
        day_box.addLayout(day_row)
        day_box.addWidget(self.due_words)
        day_box.addWidget(self.due_error)
        text_box = QVBoxLayout()
        text_box.setSpacing(2)
        text_box.addWidget(self.text)
        text_box.addWidget(self.text_error)
        form.addRow(buddy(tr("&Day"), self.due), day_box)
        form.addRow(buddy(tr("&Text"), self.text), text_box)
        layout.addLayout(form)
        self.error = named(QLabel(), "reminderError", tr("Error message"))
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        layout.addStretch(1)
        buttons, self.ok_button, _cancel = ok_cancel_buttons(
            self, tr("Save reminder"), "reminder", self.save)
        layout.addWidget(buttons)
        self.text.setFocus()

    def _say_day(self) -> None:
        chosen = to_date(self.due.date())
        words = tr("{weekday} {date}", weekday=weekday_name(chosen), date=long_date(chosen))
        # A holiday is worth knowing before saving: the office to ring will be closed.
        note = closed_day_note(chosen, current_language())
        self.due_words.setText(f"{words} · {note}" if note else words)

    def _quick(self, object_name: str, text: str, days: int) -> QPushButton:
        button = named(QPushButton(text), object_name, text)
        button.setAutoDefault(False)  # Enter saves; it never picks a quick choice
        button.clicked.connect(
            lambda: self.due.setDate(to_qdate(self.ctx.today() + timedelta(days=days))))
        return button

    def save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.ok_button.setEnabled(False)
        for label in (self.due_error, self.text_error, self.error):
            label.hide()
        subject = self.subject
        ids = {f"{subject.kind}_id": subject.id} if subject else {}
        run_service(self, self.events, create_reminder, self.ctx, to_date(self.due.date()),
                    self.text.text(), on_success=self._saved, on_failure=self._failed, **ids)

    def _saved(self, row: ReminderRow) -> None:
        self.saved.emit(row)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        self.ok_button.setEnabled(True)
        if isinstance(error, ValidationFailed):
            messages = error.field_messages()
            self.due_error.show_message(messages.pop("due_on", ""))
            self.text_error.show_message(messages.pop("text", ""))
            if not messages:
                return
        self.error.setText(error_text(error))
        self.error.show()


def remind_me_button(parent: QWidget, ctx: AppContext, events: AppEvents | None,
                     subject: Callable[[], ReminderSubject | None],
                     object_name: str) -> QPushButton:
    """"Påmind mig…" for the record ``subject()`` names when clicked (None: nothing
    shown yet, so nothing happens)."""
    button = named(QPushButton(tr("Remind me…")), object_name, tr("Remind me"))
    button.setToolTip(tr("A reminder for you on the start page, on the day you choose"))
    button.setAutoDefault(False)

    def clicked() -> None:
        chosen = subject()
        if chosen is None:
            return
        dialog = RemindMeDialog(ctx, events, chosen, parent.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    button.clicked.connect(clicked)
    return button

"""The start page's "Påmindelser": the logged-in user's own reminders due today or
earlier (overdue ones flagged in red). Enter or a double-click opens what a reminder is
about; Space or "Udført" marks it done, with "Markeret som udført — Fortryd" in the
status bar for a few seconds after (``ui/undo_notice.py``). Delete or "Slet" deletes it
without a question: "Påmindelse slettet — Fortryd" brings it back. The row menu
(right-click, Menu key) has all three.

``PersonalRemindersPanel(ctx, events)``; ``open_person(person_id)`` is for the page to
wire to the person's page. Loads off the GUI thread, on show and on changes.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.reminders import (
    ReminderRow,
    SubjectKind,
    delete_reminder,
    mark_reminder_done,
    my_due_reminders,
    restore_reminder,
    undo_reminder_done,
)
from boligsag.ui.contacts import open_contact
from boligsag.ui.errors import error_text, show_error
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.jobs.models import due_text
from boligsag.ui.referrals.details_dialog import ReferralDetailsDialog
from boligsag.ui.referrals.reminder_list import ReminderItem, ReminderListModel, reminder_view
from boligsag.ui.reloader import Reloader
from boligsag.ui.row_menu import add_row_menu
from boligsag.ui.theme import ERROR, PRIMARY
from boligsag.ui.undo_notice import UndoNotice
from boligsag.ui.widgets import make_action, named

# A reminder's subject may change name or visibility with these.
_RELOAD = frozenset({Entity.REMINDERS, Entity.PEOPLE, Entity.CONTACTS, Entity.REFERRALS})
MAX_VISIBLE_ROWS = 5


def about_text(row: ReminderRow) -> str:
    if row.subject_kind == SubjectKind.REFERRAL:
        return tr("Referral · {name}", name=row.person_name)
    if row.subject_kind == SubjectKind.CONTACT:
        return tr("Contact · {name}", name=row.person_name) if row.person_name \
            else tr("Anonymous contact")
    return row.person_name or tr("Personal reminder")


def reminder_item(row: ReminderRow, today: date) -> ReminderItem:
    return ReminderItem(row.id, row.text, about_text(row), due_text(row.due_on, today),
                        ERROR if row.overdue else PRIMARY)


class PersonalRemindersPanel(QFrame):
    open_person = Signal(int)

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self.loaded = False
        self.rows: list[ReminderRow] = []
        self.opened: QWidget | None = None
        named(self, "personalRemindersPanel", tr("Reminders"))
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 18)
        layout.setSpacing(8)
        overline = QLabel(tr("Reminders").upper())
        overline.setProperty("role", "overline")
        layout.addWidget(overline)
        self.title = named(QLabel(tr("Your reminders for today")), "personalRemindersTitle",
                           tr("Heading"))
        self.title.setProperty("role", "cardTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)

        self.model = ReminderListModel(self)
        self.list = reminder_view("personalRemindersList", tr("Your reminders"), self.model)
        self.list.activated.connect(lambda _index: self.open_current())
        self.list.installEventFilter(self)  # Space marks done, as in the follow-up list
        self.action_open = make_action(self, "actionOpenReminder", tr("&Open"),
                                       triggered=self.open_current,
                                       tip=tr("Open what the reminder is about"))
        self.action_done = make_action(self, "actionReminderDone", tr("&Done"),
                                       triggered=self.mark_done,
                                       tip=tr("Mark the chosen reminder done"))
        self.action_delete = make_action(self, "actionDeleteReminder", tr("&Delete reminder"),
                                         triggered=self.delete_current,
                                         tip=tr("Delete the chosen reminder (Delete)"))
        add_row_menu(self.list, lambda: [self.action_open, self.action_done, None,
                                         self.action_delete], "personalRemindersRowMenu")
        layout.addWidget(self.list)
        self.status = named(QLabel(tr("Loading…")), "personalRemindersStatus", tr("Status"))
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        bottom = QHBoxLayout()
        bottom.setSpacing(8)
        self.done_button = named(QPushButton(tr("&Done")), "reminderDoneButton",
                                 tr("Mark the chosen reminder done"))
        self.done_button.setAutoDefault(False)
        self.done_button.setToolTip(tr("Mark the chosen reminder done (Space)"))
        self.done_button.clicked.connect(self.mark_done)
        bottom.addWidget(self.done_button)
        self.delete_button = named(QPushButton(tr("Delete")), "reminderDeleteButton",
                                   tr("Delete the chosen reminder"))
        self.delete_button.setAutoDefault(False)
        self.delete_button.setToolTip(tr("Delete the chosen reminder (Delete)"))
        self.delete_button.clicked.connect(self.delete_current)
        bottom.addWidget(self.delete_button)
        bottom.addStretch(1)
        layout.addLayout(bottom)
        # "Markeret som udført — Fortryd" in the status bar, as for the follow-ups.
        self.undo_notice = UndoNotice(self, layout)
        self._show_rows()
        ctx = self.ctx
        self.reloader = Reloader(
            self, events, _RELOAD, loader=lambda: lambda: (ctx.today(), my_due_reminders(ctx)),
            apply=lambda result: self._show(*result), failed=self._failed, today=ctx.today)

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.list and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Delete)
                and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                             | Qt.KeyboardModifier.AltModifier)):
            if event.key() == Qt.Key.Key_Space:
                self.mark_done()
            else:
                self.delete_current()
            return True
        return super().eventFilter(watched, event)

    # -- loading ----------------------------------------------------------------------

    def _show(self, today: date, rows: list[ReminderRow]) -> None:
        self.loaded = True
        self.rows = rows
        current = self.current_row()
        self.model.set_items([reminder_item(r, today) for r in rows])
        if rows:
            ids = [r.id for r in rows]
            row = ids.index(current.id) if current is not None and current.id in ids else 0
            self.list.setCurrentIndex(self.model.index(row, 0))
        self._show_rows()

    def _failed(self, error: BaseException) -> None:
        self.status.setText(error_text(error))
        self.status.setProperty("role", "error")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.show()

    def _show_rows(self) -> None:
        count = self.model.rowCount()
        overdue = sum(1 for r in self.rows if r.overdue)
        if not self.loaded:
            self.title.setText(tr("Your reminders for today"))
        elif overdue:
            self.title.setText(tr("Your reminders for today ({count}, {overdue} overdue)",
                                  count=count, overdue=overdue))
        else:
            self.title.setText(tr("Your reminders for today ({count})", count=count))
        self.list.setVisible(count > 0)
        self.done_button.setVisible(count > 0)
        self.delete_button.setVisible(count > 0)
        for action in (self.action_open, self.action_done, self.action_delete):
            action.setEnabled(count > 0)
        if self.loaded and not count:
            self.status.setText(tr("No reminders today. Use \"Remind me…\" on a person, a "
                                   "contact or a referral to set one."))
        self.status.setVisible(not count)
        rows = min(count, MAX_VISIBLE_ROWS)
        height = self.list.sizeHintForRow(0) if count else 0
        self.list.setFixedHeight(rows * height + 2 * self.list.frameWidth() + 2)

    # -- commands ---------------------------------------------------------------------

    def current_row(self) -> ReminderRow | None:
        index = self.list.currentIndex()
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        return self.rows[index.row()]

    def open_current(self) -> None:
        row = self.current_row()
        if row is None or row.subject_id is None:
            return
        ctx, subject_id = self.ctx, row.subject_id
        if row.subject_kind == SubjectKind.PERSON:
            self.open_person.emit(subject_id)
        elif row.subject_kind == SubjectKind.REFERRAL:
            dialog = ReferralDetailsDialog(ctx, self.events, subject_id, self.window())
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()
            self.opened = dialog
        elif row.subject_kind == SubjectKind.CONTACT:
            def opened(dialog: object) -> None:
                self.opened = dialog

            open_contact(self.window(), ctx, self.events, subject_id, opened)

    def mark_done(self) -> None:
        row = self._take_current()
        if row is None:
            return
        self.undo_notice.show_notice(tr("Marked as done"), lambda: self.undo(row.id))
        run_service(self, self.events, mark_reminder_done, self.ctx, row.id,
                    on_failure=self._action_failed)

    def delete_current(self) -> None:
        """No question first: the notice's Fortryd (Ctrl+Z) brings the reminder back."""
        row = self._take_current()
        if row is None:
            return
        self.undo_notice.show_notice(tr("Reminder deleted"), lambda: self.restore(row.id))
        run_service(self, self.events, delete_reminder, self.ctx, row.id,
                    on_failure=self._action_failed)

    def _take_current(self) -> ReminderRow | None:
        """Remove the chosen row from the list at once, so the next key works on the next
        one; the reload after the save confirms it."""
        row = self.current_row()
        if row is None:
            return None
        index = self.rows.index(row)
        self.rows.pop(index)
        self.model.set_items([self.model.item(i) for i in range(self.model.rowCount())
                              if i != index])
        if self.rows:
            self.list.setCurrentIndex(self.model.index(min(index, len(self.rows) - 1), 0))
        self._show_rows()
        return row

    def undo(self, reminder_id: int) -> None:
        run_service(self, self.events, undo_reminder_done, self.ctx, reminder_id,
                    on_failure=self._action_failed)

    def restore(self, reminder_id: int) -> None:
        run_service(self, self.events, restore_reminder, self.ctx, reminder_id,
                    on_failure=self._action_failed)

    def _action_failed(self, error: BaseException) -> None:
        show_error(self, error)
        self.reloader.reload()  # the list was changed at once: bring the truth back

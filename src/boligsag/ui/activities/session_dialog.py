"""Record a session (mødegang) on one screen: date, staff, and either everyone enrolled
marked present or absent, or the drop-in head counts. Opening a day that already has a
session edits it, pre-filled; changing the date loads that day's sheet."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.enums import ActivityMode
from boligsag.formatting import long_date, time_text
from boligsag.i18n import tr
from boligsag.services.activities import ActivityChoices, activity_choices
from boligsag.services.context import AppContext
from boligsag.services.sessions import (
    MAX_DURATION,
    SessionDraft,
    SessionSheet,
    delete_session,
    record_session,
    session_sheet,
    update_session,
)
from boligsag.ui.background import run_in_background
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.stale_notice import StaleNotice
from boligsag.ui.widgets import form_layout, named

from .attendance import AttendanceModel, AttendanceView, Mark
from .dialog_base import ServiceDialog
from .forms import calm_list, date_edit, from_qdate, plain_spin, to_qdate
from .head_counts import HeadCountGrid
from .session_stale import session_notice

_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]?([0-5]\d)\s*$")


def parse_time(text: str) -> time | None:
    """"16:30", "16.30" or "1630"; None for an empty field; ValueError otherwise."""
    if not text.strip():
        return None
    match = _TIME.match(text)
    if match is None:
        raise ValueError(text)
    return time(int(match.group(1)), int(match.group(2)))


class SessionDialog(ServiceDialog):
    def __init__(self, ctx: AppContext, events: AppEvents | None, activity_id: int,
                 on: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, "sessionDialog", tr("Session"), parent, icon="calendar",
                         heading=tr("Record a session"), text=tr("Loading…"),
                         save_text=tr("Save session"))
        self.activity_id = activity_id
        self.sheet: SessionSheet | None = None
        self.choices: ActivityChoices | None = None
        self._loading_day: date | None = None
        self._focus_pending = False
        self.stale_notice: StaleNotice[SessionSheet] | None = None  # once a sheet shows
        # Room for the whole list: no minimum-size constraint, a generous start size.
        self.layout_.setSizeConstraint(QLayout.SizeConstraint.SetDefaultConstraint)
        self.setMinimumSize(900, 600)
        self.resize(1060, 700)

        body = QHBoxLayout()
        body.setSpacing(24)
        body.addLayout(self._build_list_side(), 1)
        body.addWidget(self._build_form_side())
        self.layout_.addLayout(body, 1)
        self.delete_button = named(QPushButton(tr("Delete session")), "sessionDeleteButton",
                                   tr("Delete session"))
        self.delete_button.setAutoDefault(False)
        self.delete_button.hide()
        self.delete_button.clicked.connect(self._confirm_delete)
        self.buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.layout_.addWidget(self.buttons)

        self._date_timer = QTimer(self, singleShot=True, interval=300)
        self._date_timer.timeout.connect(lambda: self.load(from_qdate(self.date.date())))
        self.date.dateChanged.connect(lambda _d: self._date_timer.start())
        self.save_button.setEnabled(False)
        self.load(on or ctx.today())

    # -- layout ---------------------------------------------------------------------------

    def _build_list_side(self) -> QVBoxLayout:
        side = QVBoxLayout()
        side.setSpacing(8)
        self.state_label = named(QLabel(), "sessionStateLabel", tr("Session status"))
        self.state_label.setProperty("role", "muted")
        self.state_label.setWordWrap(True)
        side.addWidget(self.state_label)
        self.stack = QStackedWidget()
        side.addWidget(self.stack, 1)

        course = QWidget()
        column = QVBoxLayout(course)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        tools = QHBoxLayout()
        self.all_present = named(QPushButton(tr("&All present")), "sessionAllPresentButton",
                                 tr("All present"))
        self.all_present.setAutoDefault(False)
        self.all_present.setToolTip(tr("Mark everyone on the list present (Alt+A)"))
        self.counts = named(QLabel(), "sessionCountsLabel", tr("Attendance so far"))
        tools.addWidget(self.all_present)
        tools.addSpacing(12)
        tools.addWidget(self.counts, 1)
        column.addLayout(tools)
        self.model = AttendanceModel(self)
        self.view = AttendanceView(self.model)
        column.addWidget(self.view, 1)
        self.attendance_error = self.field_error("attendance", self.view)
        column.addWidget(self.attendance_error)
        hint = named(QLabel(tr("↑ ↓ choose a person · Space: present or absent · type to give "
                               "the reason for an absence · Enter saves")),
                     "sessionKeyboardHint", tr("Keyboard"))
        hint.setProperty("role", "small")
        hint.setWordWrap(True)
        column.addWidget(hint)
        self.hidden_label = named(QLabel(), "sessionHiddenLabel", tr("Hidden participants"))
        self.hidden_label.setProperty("role", "small")
        self.hidden_label.hide()
        column.addWidget(self.hidden_label)
        self.stack.addWidget(course)
        self.all_present.clicked.connect(self.model.all_present)
        self.model.changed.connect(self._update_counts)

        drop_in = QWidget()
        column = QVBoxLayout(drop_in)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        intro = QLabel(tr("Count the visitors by age group and gender. No names are recorded."))
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)
        column.addWidget(intro)
        self.grid = HeadCountGrid()
        column.addWidget(self.grid)
        column.addWidget(self.field_error("head_counts", self.grid))
        column.addStretch(1)
        self.stack.addWidget(drop_in)
        return side

    def _build_form_side(self) -> QWidget:
        panel = QWidget()
        panel.setFixedWidth(330)
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        form = form_layout(6)
        column.addLayout(form)
        column.addStretch(1)
        self.date = date_edit("sessionDateEdit", tr("Date"), self.ctx.today(),
                              maximum=self.ctx.today())
        self._form_row(form, tr("&Date"), self.date, "date")
        self.start_time = named(QLineEdit(), "sessionStartTimeEdit", tr("Start time"))
        self.start_time.setPlaceholderText(tr("hh:mm"))
        self.start_time.setMaxLength(5)
        self._form_row(form, tr("&Time"), self.start_time, "start_time")
        self.duration = plain_spin(named(QSpinBox(), "sessionDurationSpin",
                                         tr("Duration in minutes")))
        self.duration.setRange(0, MAX_DURATION)
        self.duration.setSingleStep(15)
        self.duration.setSpecialValueText(tr("Not given"))
        self.duration.setSuffix(tr(" min."))
        self._form_row(form, tr("D&uration"), self.duration, "duration_minutes")
        self.staff = calm_list(named(QListWidget(), "sessionStaffList",
                                     tr("Staff at the session")))
        self.staff.setMinimumHeight(250)
        self.staff.setMaximumHeight(320)
        self._form_row(form, tr("&Staff"), self.staff, "staff_ids")
        self.note = named(QLineEdit(), "sessionNoteEdit", tr("Note"))
        self.note.setPlaceholderText(tr("Short note, e.g. theme or place"))
        self._form_row(form, tr("&Note"), self.note, "note")
        return panel

    def _form_row(self, form: Any, text: str, widget: QWidget, field: str) -> None:
        label = QLabel(text)
        label.setBuddy(widget)
        form.addRow(label, widget)
        form.addRow("", self.field_error(field, widget))

    # -- loading --------------------------------------------------------------------------

    def load(self, day: date) -> None:
        """Fetch the sheet for ``day`` (and the staff list the first time)."""
        self._loading_day = day
        self.save_button.setEnabled(False)
        need_choices = self.choices is None

        def work(_task: Any) -> tuple[SessionSheet, ActivityChoices | None]:
            sheet = session_sheet(self.ctx, self.activity_id, day)
            return sheet, activity_choices(self.ctx) if need_choices else None

        run_in_background(self, work, on_success=self._loaded, on_failure=self._load_failed)

    def loaded(self) -> bool:
        return self.sheet is not None and self._loading_day == self.sheet.date \
            and self.save_button.isEnabled() and not self._focus_pending

    def _load_failed(self, error: BaseException) -> None:
        self.errors.show(error)

    def _loaded(self, result: tuple[SessionSheet, ActivityChoices | None]) -> None:
        sheet, choices = result
        if sheet.date != self._loading_day:
            return  # the date changed again while this one loaded
        first = self.sheet is None
        if choices is not None:
            self.choices = choices
        previous, self.sheet = self.sheet, sheet
        existing = sheet.session_id is not None
        self.header.title_label.setText(sheet.activity_name)
        self.header.text_label.setText(tr("Session on {date}", date=long_date(sheet.date)))
        self.header.text_label.show()
        self.setWindowTitle(tr("Session – {activity}", activity=sheet.activity_name))
        if existing:
            self.state_label.setText(tr(
                "This session is already recorded. Your changes correct it."))
        else:
            self.state_label.setText(
                tr("New session. Mark everyone on the list.")
                if sheet.mode == ActivityMode.COURSE else
                tr("New session."))
        if first or existing or (previous is not None and previous.session_id is not None):
            self._fill_form(sheet)
        drop_in = sheet.mode == ActivityMode.DROP_IN
        self.stack.setCurrentIndex(1 if drop_in else 0)
        if drop_in:
            self.grid.build(sheet.age_groups, sheet.genders)
            if first or existing or (previous is not None and previous.session_id is not None):
                self.grid.set_values(sheet.head_counts)
        else:
            keep = None if existing else {m.person_id: m for m in self.model.marks()}
            self.model.set_rows(sheet.rows, keep)
        self.hidden_label.setText(tr(
            "{count} participants in restricted cases are not shown; their attendance is "
            "kept as it was.", count=sheet.hidden_participants))
        self.hidden_label.setVisible(bool(sheet.hidden_participants) and not drop_in)
        self.delete_button.setVisible(existing)
        self.errors.clear()
        self.save_button.setEnabled(True)
        self._watch()
        if first:
            # New rows and spin boxes are shown by a posted event: focus after it.
            self._focus_pending = True
            QTimer.singleShot(0, lambda: self._focus_start(drop_in))

    def _watch(self) -> None:
        """The sheet just shown is what a colleague's change is compared with."""
        if self.stale_notice is None:
            self.stale_notice = session_notice(self)
            self.layout_.insertWidget(1, self.stale_notice)
        self.stale_notice.settle()

    def _fill_form(self, sheet: SessionSheet) -> None:
        self.date.blockSignals(True)
        self.date.setDate(to_qdate(sheet.date))
        self.date.blockSignals(False)
        self.start_time.setText(time_text(sheet.start_time) if sheet.start_time else "")
        self.duration.setValue(sheet.duration_minutes or 0)
        self.note.setText(sheet.note)
        self._fill_staff(sheet.staff_ids)

    def _fill_staff(self, chosen: tuple[int, ...]) -> None:
        assert self.choices is not None
        people = list(self.choices.staff)
        listed = {c.id for c in people}
        people += [c for c in self.choices.mentors if c.id in chosen and c.id not in listed]
        self.staff.clear()
        for choice in people:
            item = QListWidgetItem(choice.label)
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if choice.id in chosen
                               else Qt.CheckState.Unchecked)
            self.staff.addItem(item)

    def _focus_start(self, drop_in: bool) -> None:
        self._focus_pending = False
        if drop_in:
            spin = self.grid.first_spin()
            if spin is not None:
                spin.setFocus()
                spin.selectAll()  # typing replaces the 0
        elif self.model.rowCount():
            self.view.start()
        else:
            self.date.setFocus()

    def _update_counts(self) -> None:
        present, absent, missing = self.model.counts()
        text = tr("{present} present · {absent} absent", present=present, absent=absent)
        if missing:
            text += " · " + tr("{count} not marked", count=missing)
        if not self.model.rowCount():
            text = tr("No one is enrolled on this date.")
        self.counts.setText(text)

    # -- saving ---------------------------------------------------------------------------

    def staff_ids(self) -> tuple[int, ...]:
        return tuple(self.staff.item(i).data(Qt.ItemDataRole.UserRole)
                     for i in range(self.staff.count())
                     if self.staff.item(i).checkState() == Qt.CheckState.Checked)

    def prepare(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
        sheet, day = self.sheet, from_qdate(self.date.date())
        if sheet is None or not self.loaded() or day != sheet.date:
            if sheet is not None and day != sheet.date and self._loading_day != day:
                self._date_timer.stop()
                self.load(day)  # the date was changed and Enter came before the list
            self.errors.show_banner(tr("The list for {date} is loading; save again in a "
                                       "moment.", date=long_date(day)))
            return None
        try:
            start = parse_time(self.start_time.text())
        except ValueError:
            self.errors.show_field("start_time", tr("Write the time as hh:mm, e.g. 16:30."))
            return None
        drop_in = sheet.mode == ActivityMode.DROP_IN
        if not drop_in and self.model.first_unmarked() >= 0:
            self.errors.show_field("attendance", tr("Mark every participant present or absent."))
            self.view.start()
            return None
        draft = SessionDraft(
            activity_id=self.activity_id, date=sheet.date, staff_ids=self.staff_ids(),
            attendance=() if drop_in else self.model.attendance(),
            head_counts=self.grid.values() if drop_in else (), start_time=start,
            duration_minutes=self.duration.value() or None, note=self.note.text())
        if sheet.session_id is None:
            return record_session, (self.ctx, draft), {}
        assert sheet.version is not None
        return update_session, (self.ctx, sheet.session_id, sheet.version, draft), {}

    def marks(self) -> list[Mark]:
        return self.model.marks()

    def _confirm_delete(self) -> None:
        sheet = self.sheet
        if sheet is None or sheet.session_id is None or sheet.version is None:
            return
        answer = QMessageBox.question(self, tr("Delete session"), tr(
            "Delete the session on {date} with its attendance?", date=long_date(sheet.date)))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.set_busy(True)
        args = (self.ctx, sheet.session_id, sheet.version)
        if self.events is not None:
            run_service(self, self.events, delete_session, *args, on_success=self._saved,
                        on_failure=self._failed)
        else:
            run_in_background(self, lambda _task: delete_session(*args),
                              on_success=self._saved, on_failure=self._failed)

    def set_busy(self, busy: bool) -> None:
        super().set_busy(busy)
        self.delete_button.setEnabled(not busy)


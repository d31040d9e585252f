"""Table models of the Aktiviteter page: activities, an activity's participants
(enrollments) and its sessions (mødegange). Each holds frozen service rows."""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from boligsag.domain.enums import ActivityMode
from boligsag.formatting import number_text, short_date, weekday_name
from boligsag.i18n import tr
from boligsag.services.activities import ActivityRow
from boligsag.services.enrollments import EnrollmentRow
from boligsag.services.sessions import SessionRow
from boligsag.ui.list_order import SORT_ROLE
from boligsag.ui.models.rows import RowsModel
from boligsag.ui.theme import MUTED

RIGHT = Qt.AlignmentFlag.AlignRight


def mode_short_label(mode: ActivityMode | str) -> str:
    return tr("Drop-in") if mode == ActivityMode.DROP_IN else tr("Fixed course")


def period_text(start: date | None, end: date | None) -> str:
    if start and end and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return tr("{start} – {end}", start=start.year, end=end.year)  # whole years
    if start and end:
        return tr("{start} – {end}", start=short_date(start), end=short_date(end))
    if start:
        return tr("from {start}", start=short_date(start))
    if end:
        return tr("until {end}", end=short_date(end))
    return tr("Ongoing")


class ActivityColumn(IntEnum):
    NAME = 0
    KIND = 1
    MODE = 2
    FOCUS_AREA = 3
    RESPONSIBLE = 4
    PERIOD = 5
    ENROLLED = 6


class ActivitiesModel(RowsModel):
    columns = ActivityColumn

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.today = date.today()

    def header(self, column: Any) -> str:
        return {
            ActivityColumn.NAME: tr("Activity"),
            ActivityColumn.KIND: tr("Type"),
            ActivityColumn.MODE: tr("Form"),
            ActivityColumn.FOCUS_AREA: tr("Focus area"),
            ActivityColumn.RESPONSIBLE: tr("Responsible"),
            ActivityColumn.PERIOD: tr("Period"),
            ActivityColumn.ENROLLED: tr("Enrolled"),
        }[column]

    def text(self, row: ActivityRow, column: Any) -> str:
        if column == ActivityColumn.ENROLLED:
            return "–" if row.is_drop_in else number_text(row.active_enrollments, 0)
        return {
            ActivityColumn.NAME: row.name,
            ActivityColumn.KIND: row.kind_label,
            ActivityColumn.MODE: mode_short_label(row.mode),
            ActivityColumn.FOCUS_AREA: row.focus_area_label,
            ActivityColumn.RESPONSIBLE: row.responsible_name,
            ActivityColumn.PERIOD: period_text(row.start_date, row.end_date),
        }[column]

    def ended(self, row: ActivityRow) -> bool:
        return row.end_date is not None and row.end_date < self.today

    def tooltip(self, row: ActivityRow, column: Any) -> str | None:
        if column == ActivityColumn.ENROLLED and row.is_drop_in:
            return tr("Drop-in: visitors are counted anonymously at each session.")
        if column == ActivityColumn.NAME and row.description:
            return row.description
        if column == ActivityColumn.FOCUS_AREA:
            return row.focus_area_label
        if self.ended(row):
            return tr("Ended {date}", date=short_date(row.end_date))
        return None

    def foreground(self, row: ActivityRow, column: Any) -> QColor | None:
        return QColor(MUTED) if self.ended(row) else None

    def bold(self, row: ActivityRow, column: Any) -> bool:
        return column == ActivityColumn.NAME

    def alignment(self, column: Any) -> Qt.AlignmentFlag | None:
        return RIGHT if column == ActivityColumn.ENROLLED else None


class EnrollmentColumn(IntEnum):
    NAME = 0
    START = 1
    END = 2
    END_REASON = 3
    MENTOR = 4
    FAMILY = 5
    GOALS = 6


class EnrollmentsModel(RowsModel):
    columns = EnrollmentColumn

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.today = date.today()

    def header(self, column: Any) -> str:
        return {
            EnrollmentColumn.NAME: tr("Participant"),
            EnrollmentColumn.START: tr("Start"),
            EnrollmentColumn.END: tr("End"),
            EnrollmentColumn.END_REASON: tr("End reason"),
            EnrollmentColumn.MENTOR: tr("Mentor"),
            EnrollmentColumn.FAMILY: tr("Family and topics"),
            EnrollmentColumn.GOALS: tr("Goals"),
        }[column]

    def text(self, row: EnrollmentRow, column: Any) -> str:
        if column == EnrollmentColumn.FAMILY:
            topics = ", ".join(t.label for t in row.topics)
            return " · ".join(part for part in (row.household_name, topics) if part)
        return {
            EnrollmentColumn.NAME: row.person_name,
            EnrollmentColumn.START: short_date(row.start_date),
            EnrollmentColumn.END: short_date(row.end_date),
            EnrollmentColumn.END_REASON: row.end_reason_label,
            EnrollmentColumn.MENTOR: row.mentor_name,
            EnrollmentColumn.GOALS: " ".join(row.goals.split()),
        }[column]

    def ended(self, row: EnrollmentRow) -> bool:
        return row.end_date is not None and row.end_date < self.today

    def tooltip(self, row: EnrollmentRow, column: Any) -> str | None:
        if column == EnrollmentColumn.GOALS and row.goals:
            return row.goals
        if column == EnrollmentColumn.NAME and row.note:
            return row.note
        return None

    def foreground(self, row: EnrollmentRow, column: Any) -> QColor | None:
        return QColor(MUTED) if self.ended(row) else None

    def bold(self, row: EnrollmentRow, column: Any) -> bool:
        return column == EnrollmentColumn.NAME and not self.ended(row)

    def extra(self, row: EnrollmentRow, column: Any, role: int) -> Any:
        if role == SORT_ROLE:
            return row.start_date.isoformat()
        return None


class SessionColumn(IntEnum):
    DATE = 0
    ATTENDANCE = 1
    STAFF = 2
    NOTE = 3


def weekday_date(value: date) -> str:
    """"tirsdag 25.11.2026": the weekday helps find "last Tuesday's" session."""
    return tr("{weekday} {date}", weekday=weekday_name(value), date=short_date(value))


class SessionsModel(RowsModel):
    columns = SessionColumn

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.drop_in = False

    def header(self, column: Any) -> str:
        return {
            SessionColumn.DATE: tr("Date"),
            SessionColumn.ATTENDANCE: tr("Attendance"),
            SessionColumn.STAFF: tr("Staff"),
            SessionColumn.NOTE: tr("Note"),
        }[column]

    def text(self, row: SessionRow, column: Any) -> str:
        if column == SessionColumn.ATTENDANCE:
            if self.drop_in or (row.head_count and not (row.present or row.absent)):
                return tr("{count} visitors", count=row.head_count)
            return tr("{present} present · {absent} absent", present=row.present,
                      absent=row.absent)
        return {
            SessionColumn.DATE: weekday_date(row.date),
            SessionColumn.STAFF: row.staff_names,
            SessionColumn.NOTE: " ".join(row.note.split()),
        }[column]

    def tooltip(self, row: SessionRow, column: Any) -> str | None:
        if column == SessionColumn.NOTE and row.note:
            return row.note
        return None

    def extra(self, row: SessionRow, column: Any, role: int) -> Any:
        if role == SORT_ROLE:
            return row.date.isoformat()
        return None

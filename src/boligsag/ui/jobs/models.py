"""Table models for jobs: a young person's jobs with their 3/6/12-month follow-ups, and
the start page's list of follow-ups that are due."""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from boligsag.domain.enums import StillEmployed
from boligsag.formatting import decimal_text, money_text, short_date
from boligsag.i18n import tr
from boligsag.services.follow_ups import FollowUpItem, FollowUpKind
from boligsag.services.jobs import JobFollowUpRow, JobRow
from boligsag.ui.models.rows import RowsModel
from boligsag.ui.theme import ERROR, MUTED, SUCCESS, WARNING

FOLLOW_UP_ROLE = Qt.ItemDataRole.UserRole + 4  # the JobFollowUpRow under a follow-up cell


def answer_label(status: StillEmployed | str | None) -> str:
    """The short answer a follow-up cell shows: Ja / Nej / Ukendt."""
    return {StillEmployed.YES: tr("Yes"), StillEmployed.NO: tr("No"),
            StillEmployed.UNKNOWN: tr("Unknown")}.get(StillEmployed(status), "") \
        if status else ""


def due_text(due: date, today: date) -> str:
    days = (today - due).days
    if days == 0:
        return tr("Today")
    if days == 1:
        return tr("Yesterday")
    if days > 1:
        return tr("{days} days ago", days=days)
    return short_date(due)


class JobColumn(IntEnum):
    KIND = 0
    EMPLOYER = 1
    START = 2
    END = 3
    HOURS = 4
    PAY = 5
    FOLLOW_UP_3 = 6
    FOLLOW_UP_6 = 7
    FOLLOW_UP_12 = 8


FOLLOW_UP_COLUMNS = {JobColumn.FOLLOW_UP_3: 3, JobColumn.FOLLOW_UP_6: 6,
                     JobColumn.FOLLOW_UP_12: 12}


def follow_up_of(job: JobRow, months: int) -> JobFollowUpRow | None:
    return next((f for f in job.follow_ups if f.months == months), None)


class JobsModel(RowsModel):
    columns = JobColumn

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.today = date.today()

    def header(self, column: Any) -> str:
        return {
            JobColumn.KIND: tr("Job"),
            JobColumn.EMPLOYER: tr("Employer"),
            JobColumn.START: tr("Start"),
            JobColumn.END: tr("End"),
            JobColumn.HOURS: tr("Hours/week"),
            JobColumn.PAY: tr("Hourly pay"),
            JobColumn.FOLLOW_UP_3: tr("3 months"),
            JobColumn.FOLLOW_UP_6: tr("6 months"),
            JobColumn.FOLLOW_UP_12: tr("12 months"),
        }[column]

    def follow_up(self, row: JobRow, column: Any) -> JobFollowUpRow | None:
        months = FOLLOW_UP_COLUMNS.get(column)
        return follow_up_of(row, months) if months else None

    def text(self, row: JobRow, column: Any) -> str:
        if column in FOLLOW_UP_COLUMNS:
            f = self.follow_up(row, column)
            if f is None:
                return ""
            if f.status is not None:
                return answer_label(f.status)
            return short_date(f.due_date)  # due ones in bold amber, the rest muted
        return {
            JobColumn.KIND: row.kind_label,
            JobColumn.EMPLOYER: row.employer,
            JobColumn.START: short_date(row.start_date),
            JobColumn.END: short_date(row.end_date),
            JobColumn.HOURS: decimal_text(row.hours_per_week),
            JobColumn.PAY: money_text(row.hourly_pay),
        }[column]

    def tooltip(self, row: JobRow, column: Any) -> str | None:
        f = self.follow_up(row, column)
        if f is not None:
            if f.status is not None:
                return tr("{months} months after the start: {answer}", months=f.months,
                          answer=f.status_label)
            return tr("Still employed {months} months after the start? Due {date}. "
                      "Press Y, N or U to answer.", months=f.months,
                      date=short_date(f.due_date))
        if column == JobColumn.EMPLOYER and row.note:
            return row.note
        if column == JobColumn.KIND and row.previous_job_id is not None:
            return tr("Moved on from a pocket-money job")
        return None

    def foreground(self, row: JobRow, column: Any) -> QColor | None:
        f = self.follow_up(row, column)
        if f is not None:
            if f.status == StillEmployed.YES:
                return QColor(SUCCESS)
            if f.status == StillEmployed.NO:
                return QColor(ERROR)
            if f.status is None and f.due_date <= self.today:
                return QColor(WARNING)
            return QColor(MUTED)
        if row.end_date is not None and row.end_date < self.today:
            return QColor(MUTED)
        return None

    def bold(self, row: JobRow, column: Any) -> bool:
        f = self.follow_up(row, column)
        if f is not None:
            return f.status is None and f.due_date <= self.today
        return column == JobColumn.EMPLOYER

    def alignment(self, column: Any) -> Qt.AlignmentFlag | None:
        if column in (JobColumn.HOURS, JobColumn.PAY):
            return Qt.AlignmentFlag.AlignRight
        return None

    def extra(self, row: JobRow, column: Any, role: int) -> Any:
        if role == FOLLOW_UP_ROLE:
            return self.follow_up(row, column)
        return None

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.AccessibleTextRole and index.isValid():
            f = self.follow_up(self.row_at(index.row()), JobColumn(index.column()))
            if f is not None and f.status is None:
                return (tr("Due {date}", date=short_date(f.due_date))
                        if f.due_date <= self.today
                        else tr("Not due until {date}", date=short_date(f.due_date)))
        return super().data(index, role)


class FollowUpColumn(IntEnum):
    DUE = 0
    PERSON = 1
    KIND = 2
    WHAT = 3


class FollowUpModel(RowsModel):
    columns = FollowUpColumn

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.today = date.today()

    def key(self, row: FollowUpItem) -> Any:
        return (str(row.kind), row.id)

    def header(self, column: Any) -> str:
        return {
            FollowUpColumn.DUE: tr("Due"),
            FollowUpColumn.PERSON: tr("Person"),
            FollowUpColumn.KIND: tr("Type"),
            FollowUpColumn.WHAT: tr("What"),
        }[column]

    def text(self, row: FollowUpItem, column: Any) -> str:
        return {
            FollowUpColumn.DUE: due_text(row.due, self.today),
            FollowUpColumn.PERSON: row.person_names,
            FollowUpColumn.KIND: (tr("Job") if row.kind == FollowUpKind.JOB
                                  else tr("Contact")),
            FollowUpColumn.WHAT: row.text,
        }[column]

    def tooltip(self, row: FollowUpItem, column: Any) -> str | None:
        if column == FollowUpColumn.DUE:
            return (tr("Overdue since {date}", date=short_date(row.due)) if row.overdue
                    else tr("Due {date}", date=short_date(row.due)))
        if column == FollowUpColumn.WHAT:
            return row.text
        return None

    def foreground(self, row: FollowUpItem, column: Any) -> QColor | None:
        if column == FollowUpColumn.DUE and row.overdue:
            return QColor(ERROR)
        if column == FollowUpColumn.KIND:
            return QColor(MUTED)
        return None

    def bold(self, row: FollowUpItem, column: Any) -> bool:
        return column == FollowUpColumn.PERSON or (column == FollowUpColumn.DUE
                                                  and row.overdue)

"""Mine sager: the people, mentees, activities and open referrals the logged-in worker
is responsible for, most urgent first (overdue in red). Enter or a double-click opens
the row: a person's page, the activity, or the referral's details.

``MyCasesModel`` is shared with the start page's compact "Mine sager" card.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from boligsag.domain.permissions import Permission
from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.my_cases import CaseKind, MyCaseRow, my_cases
from boligsag.ui.case_labels import status_label
from boligsag.ui.elide import elide_column
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.jobs.models import due_text
from boligsag.ui.models.rows import RowsModel
from boligsag.ui.models.table import current_row, keep_selection, setup_table
from boligsag.ui.referrals.details_dialog import ReferralDetailsDialog
from boligsag.ui.reloader import Reloader
from boligsag.ui.theme import ERROR, MUTED
from boligsag.ui.widgets import PageHeader, named

from .base import Page

#: What a case's rows show; the start page's card reloads on the same.
RELOAD_ON = frozenset({Entity.PEOPLE, Entity.CONTACTS, Entity.FOLLOW_UPS, Entity.JOBS,
                     Entity.ACTIVITIES, Entity.ENROLLMENTS, Entity.SESSIONS,
                     Entity.REFERRALS, Entity.SETTINGS})


class MyCaseColumn(IntEnum):
    DUE = 0
    NAME = 1
    NEXT = 2
    KIND = 3
    ROLE = 4


def kind_label(kind: CaseKind) -> str:
    return {CaseKind.PERSON: tr("Person"), CaseKind.MENTEE: tr("Mentee"),
            CaseKind.ACTIVITY: tr("Activity"), CaseKind.REFERRAL: tr("Referral")}[kind]


def next_text(row: MyCaseRow) -> str:
    if row.kind == CaseKind.REFERRAL and row.status is not None:
        return tr("{service} · {status}", service=row.next_what,
                  status=status_label(row.status))
    return row.next_what or tr("Nothing planned")


class MyCasesModel(RowsModel):
    columns = MyCaseColumn

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.today = date.today()

    def key(self, row: MyCaseRow) -> Any:
        return (row.kind, row.id)

    def header(self, column: Any) -> str:
        return {MyCaseColumn.DUE: tr("Deadline"), MyCaseColumn.NAME: tr("Name"),
                MyCaseColumn.NEXT: tr("Next"), MyCaseColumn.KIND: tr("Kind"),
                MyCaseColumn.ROLE: tr("My role")}[column]

    def text(self, row: MyCaseRow, column: Any) -> str:
        if column == MyCaseColumn.DUE:
            if row.due is None:
                return "–"
            return due_text(row.due, self.today) if row.due <= self.today \
                else short_date(row.due)
        return {MyCaseColumn.NAME: row.title, MyCaseColumn.NEXT: next_text(row),
                MyCaseColumn.KIND: kind_label(row.kind), MyCaseColumn.ROLE: row.role}[column]

    def tooltip(self, row: MyCaseRow, column: Any) -> str | None:
        if column == MyCaseColumn.DUE and row.due is not None:
            return tr("Deadline {date}", date=short_date(row.due))
        return None  # cut text gets its tooltip from the eliding delegate

    def foreground(self, row: MyCaseRow, column: Any) -> QColor | None:
        if column == MyCaseColumn.DUE and row.overdue:
            return QColor(ERROR)
        if column == MyCaseColumn.NEXT and not row.next_what:
            return QColor(MUTED)
        return None

    def bold(self, row: MyCaseRow, column: Any) -> bool:
        return column == MyCaseColumn.DUE and row.overdue


class MyCasesTable(QTableView):
    """The list of my cases; ``open_row`` opens what the current row is about."""

    person_requested = Signal(int)
    activity_requested = Signal(int)

    def __init__(self, ctx: AppContext, events: AppEvents, object_name: str) -> None:
        super().__init__()
        self.ctx, self.events = ctx, events
        self.opened: QWidget | None = None
        self.cases = MyCasesModel(self)
        setup_table(named(self, object_name, tr("My cases")), self.cases,
                    stretch=MyCaseColumn.NEXT, widths={MyCaseColumn.NAME: 220},
                    fit=(MyCaseColumn.DUE, MyCaseColumn.KIND, MyCaseColumn.ROLE))
        self.activated.connect(lambda _index: self.open_row())
        for column in (MyCaseColumn.NAME, MyCaseColumn.NEXT, MyCaseColumn.ROLE):
            elide_column(self, column)

    def show_rows(self, rows: list[MyCaseRow]) -> None:
        restore = keep_selection(self, self.cases)
        self.cases.today = self.ctx.today()
        self.cases.set_rows(rows)
        restore()
        if current_row(self) is None and rows:
            self.selectRow(0)

    def open_row(self) -> None:
        row: MyCaseRow | None = current_row(self)
        if row is None:
            return
        if row.kind == CaseKind.ACTIVITY:
            self.activity_requested.emit(row.id)
        elif row.kind == CaseKind.REFERRAL:
            dialog = ReferralDetailsDialog(self.ctx, self.events, row.id, self.window())
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()
            self.opened = dialog
        elif row.person_id is not None:
            self.person_requested.emit(row.person_id)


class MyCasesPage(Page):
    page_id = "my_cases"
    icon_name = "briefcase"
    permission = Permission.VIEW_PEOPLE
    person_requested = Signal(int)
    activity_requested = Signal(int)

    @classmethod
    def title(cls) -> str:
        return tr("My cases")

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, parent)
        self.loaded = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(12)
        layout.addWidget(PageHeader(self.title(), tr(
            "The people, activities and referrals you are responsible for, what is overdue "
            "first. Enter opens the chosen one.")))
        self.summary = named(QLabel(tr("Loading…")), "myCasesSummary", tr("Status"))
        self.summary.setProperty("role", "muted")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = MyCasesTable(ctx, events, "myCasesTable")
        self.table.person_requested.connect(self.person_requested.emit)
        self.table.activity_requested.connect(self.activity_requested.emit)
        layout.addWidget(self.table, 1)
        # Takes the room only while the table is hidden (nothing to show), so the heading
        # and the empty-state text stay together at the top instead of spreading out.
        layout.addStretch(0)
        self.reloader = Reloader(self, events, RELOAD_ON,
                                 loader=lambda: partial(my_cases, ctx), apply=self._show,
                                 failed=self._failed, today=ctx.today)

    def focus_first_field(self) -> None:
        """After Ctrl+3: the list has the keyboard, so ↑↓ and Enter work at once."""
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show(self, rows: list[MyCaseRow]) -> None:
        self.loaded = True
        self.table.show_rows(rows)
        overdue = sum(1 for r in rows if r.overdue)
        if not rows:
            self.summary.setText(tr(
                "Nothing here yet. People, activities and referrals appear here when you are "
                "made responsible for them, their mentor or their contact person."))
        elif overdue:
            self.summary.setText(tr("{count} in all, {overdue} overdue", count=len(rows),
                                    overdue=overdue))
        else:
            self.summary.setText(tr("{count} in all, nothing overdue", count=len(rows)))
        self.table.setVisible(bool(rows))

    def _failed(self, error: BaseException) -> None:
        self.summary.setText(error_text(error))
        self.summary.setProperty("role", "error")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)

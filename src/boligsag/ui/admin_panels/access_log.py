"""Administration → Adgangslog (issue 13 §4): who viewed, changed, printed or exported
what, and about whom, filtered by person, staff member, action and period, for the
data-protection officer; "Eksportér CSV…" writes the whole selection (audited).

The person filter is a name search: the entries about every person it finds are shown.
The log is read off the GUI thread each time the tab is shown; the table holds frozen
rows (services/access_log.py) and shows the newest 500, with the full count beside it.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain import date_range
from boligsag.domain.enums import AuditAction
from boligsag.formatting import number_text, short_date, time_text
from boligsag.i18n import current_language, tr
from boligsag.services import access_log
from boligsag.services.access_log import ACTION_LABELS, ENTITY_LABELS, AccessQuery, AccessRow
from boligsag.services.context import AppContext
from boligsag.services.errors import ValidationFailed
from boligsag.services.people_search import list_people
from boligsag.ui import file_dialogs
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.fields import clearable
from boligsag.ui.forms import date_edit
from boligsag.ui.models.rows import RowsModel
from boligsag.ui.models.table import setup_table
from boligsag.ui.widgets import named

SHOWN = 500
PEOPLE_FOUND = 50  # a name search narrows to at most this many people

class AccessColumn(IntEnum):
    AT = 0
    STAFF = 1
    ACTION = 2
    RECORD = 3
    PERSON = 4
    DETAIL = 5


def action_text(action: AuditAction) -> str:
    return tr(ACTION_LABELS.get(action, action.value))


def entity_text(entity: str) -> str:
    label = ENTITY_LABELS.get(entity)
    return tr(label) if label else entity


class AccessLogModel(RowsModel):
    columns = AccessColumn

    def header(self, column: Any) -> str:
        return {AccessColumn.AT: tr("Time"), AccessColumn.STAFF: tr("Staff member"),
                AccessColumn.ACTION: tr("Action"), AccessColumn.RECORD: tr("Record"),
                AccessColumn.PERSON: tr("Person"), AccessColumn.DETAIL: tr("Details")}[column]

    def text(self, row: AccessRow, column: Any) -> str:
        if column == AccessColumn.AT:
            return tr("{date} at {time}", date=short_date(row.at.date()), time=time_text(row.at))
        if column == AccessColumn.STAFF:
            return row.staff_name or row.username
        if column == AccessColumn.ACTION:
            return action_text(row.action)
        if column == AccessColumn.RECORD:
            return entity_text(row.entity)
        if column == AccessColumn.PERSON:
            return row.person_name
        return row.detail

    def tooltip(self, row: AccessRow, column: Any) -> str | None:
        return row.detail or None


class AccessLogPanel(QWidget):
    def __init__(self, ctx: AppContext, events: AppEvents,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self.query = AccessQuery()
        named(self, "accessLogPanel", tr("Access log"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 16, 12, 12)
        layout.setSpacing(10)
        intro = QLabel(tr("Who viewed, changed, printed or exported what, and about whom. "
                          "The log cannot be changed. Export it for the data-protection "
                          "officer; the export is itself logged."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(self._filters())
        below = QHBoxLayout()
        self.count = named(QLabel(), "accessLogCount", tr("Number of entries"))
        self.count.setProperty("role", "muted")
        below.addWidget(self.count, 1)
        below.addWidget(self.show_button)
        below.addWidget(self.export_button)
        layout.addLayout(below)
        self.model = AccessLogModel(self)
        self.table = setup_table(
            named(QTableView(), "accessLogTable", tr("Access log")), self.model,
            stretch=AccessColumn.DETAIL,
            widths={AccessColumn.AT: 190, AccessColumn.STAFF: 170, AccessColumn.ACTION: 130,
                    AccessColumn.RECORD: 120, AccessColumn.PERSON: 170})
        layout.addWidget(self.table, 1)
        self._load_staff()

    def showEvent(self, event: QShowEvent) -> None:
        # Read when the tab is opened, and again each time: the log grows all day.
        super().showEvent(event)
        self.apply()

    def _filters(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        self.person = clearable(named(QLineEdit(), "accessLogPersonEdit", tr("Person")))
        self.person.setPlaceholderText(tr("Name or CPR number"))
        self.person.setMinimumWidth(160)
        self.person.returnPressed.connect(self.apply)
        self.staff = named(QComboBox(), "accessLogStaffCombo", tr("Staff member"))
        self.staff.addItem(tr("Everyone"), None)
        self.action = named(QComboBox(), "accessLogActionCombo", tr("Action"))
        self.action.addItem(tr("All actions"), None)
        for action in ACTION_LABELS:
            self.action.addItem(action_text(action), action)
        for combo in (self.staff, self.action):
            # As wide as ten characters at least, not as the longest entry (the popup shows
            # every entry whole), so that the row fits the screen with a large font.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        today = self.ctx.today()
        limits = {"minimum": date_range.FIRST_DAY, "maximum": date_range.LAST_DAY}
        self.date_from = date_edit("accessLogFromEdit", tr("From"), today - timedelta(days=30),
                                   **limits)
        self.date_to = date_edit("accessLogToEdit", tr("To"), today, **limits)
        for column, (text, widget) in enumerate(((tr("&Person"), self.person),
                                                 (tr("&Staff member"), self.staff),
                                                 (tr("&Action"), self.action),
                                                 (tr("&From"), self.date_from),
                                                 (tr("&To"), self.date_to))):
            label = QLabel(text)
            label.setBuddy(widget)
            grid.addWidget(label, 0, column)
            grid.addWidget(widget, 1, column)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.show_button = named(QPushButton(tr("Show")), "accessLogShowButton",
                                 tr("Show the entries"))
        self.show_button.setProperty("role", "primary")
        self.show_button.clicked.connect(self.apply)
        self.export_button = named(QPushButton(tr("Export CSV…")), "accessLogExportButton",
                                   tr("Export the entries as CSV"))
        self.export_button.clicked.connect(self.export)
        return grid

    def _load_staff(self) -> None:
        def shown(choices: list[access_log.StaffChoice]) -> None:
            for choice in choices:
                self.staff.addItem(f"{choice.full_name} ({choice.username})", choice.id)

        run_in_background(self, lambda _task: access_log.staff_choices(self.ctx),
                          on_success=shown, on_failure=self._failed)

    # -- showing -----------------------------------------------------------------------

    def _query(self) -> AccessQuery:
        """The filter as chosen (the person's name is searched in the background)."""
        action = self.action.currentData()  # Qt hands the enum back as its plain value
        return AccessQuery(user_id=self.staff.currentData(),
                           action=AuditAction(action) if action else None,
                           date_from=self.date_from.date().toPython(),  # type: ignore[arg-type]
                           date_to=self.date_to.date().toPython())  # type: ignore[arg-type]

    def apply(self) -> None:
        wanted, name, ctx = self._query(), self.person.text().strip(), self.ctx
        self.show_button.setEnabled(False)
        self.count.setText(tr("Reading the log…"))

        def work(_task: Any) -> tuple[AccessQuery, list[AccessRow], int]:
            query = wanted
            if name:
                found = list_people(ctx, name, limit=PEOPLE_FOUND).items
                query = AccessQuery(tuple(p.id for p in found), wanted.user_id, wanted.action,
                                    wanted.date_from, wanted.date_to)
            page = access_log.access_log(ctx, query, limit=SHOWN)
            return query, list(page.items), access_log.count_entries(ctx, query)

        run_in_background(self, work, on_success=lambda result: self._show(*result),
                          on_failure=self._failed)

    def _show(self, query: AccessQuery, rows: list[AccessRow], total: int) -> None:
        self.query = query
        self.show_button.setEnabled(True)
        self.model.set_rows(rows)
        if total > len(rows):
            self.count.setText(tr("The newest {shown} of {total} entries. Export them to see "
                                  "all.", shown=number_text(len(rows), 0),
                                  total=number_text(total, 0)))
        elif total == 1:
            self.count.setText(tr("1 entry."))
        else:
            self.count.setText(tr("{total} entries.", total=number_text(total, 0)))

    def _failed(self, error: BaseException) -> None:
        self.show_button.setEnabled(True)
        self.count.setText(" ".join(error.field_messages().values())
                           if isinstance(error, ValidationFailed) else error_text(error))

    # -- exporting ---------------------------------------------------------------------

    def export(self) -> None:
        suggested = Path.home() / f"adgangslog-{date.today().isoformat()}.csv"
        target = file_dialogs.ask_save_path(self, tr("Export the access log"), suggested,
                                            tr("CSV for Excel (*.csv)"), suffix="csv")
        if target is None:
            return
        query, language, ctx = self.query, current_language(), self.ctx
        self.export_button.setEnabled(False)
        run_in_background(
            self, lambda _task: access_log.export_access_log(ctx, query, target,
                                                             language=language),
            on_success=lambda rows: self._exported(target, rows),
            on_failure=self._export_failed)

    def _exported(self, target: Path, rows: int) -> None:
        self.export_button.setEnabled(True)
        self.count.setText(tr("{rows} entries exported to {file}.",
                              rows=number_text(rows, 0), file=target.name) if rows != 1
                           else tr("1 entry exported to {file}.", file=target.name))

    def _export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.count.setText(error_text(error))

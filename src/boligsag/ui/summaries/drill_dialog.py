"""Drill-down: the records behind one figure, for team leads and administrators.

The list is fetched in the background (``drill_down`` writes an audit entry; the rows
come from ``describe_records``). A double-click, or Enter, on a row that names a person
emits ``open_person(person_id)``; the main window decides where a person opens.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.collation import danish_key
from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.summaries import drill_down
from boligsag.services.summaries.choices import RecordRow, describe_records, record_headings
from boligsag.services.summaries.drill import MAX_RECORDS
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.model import CellRef
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.labels import ui_locale
from boligsag.ui.list_order import SORT_ROLE
from boligsag.ui.widgets import DialogHeader, named

Index = QModelIndex | QPersistentModelIndex
PERSON_ROLE = Qt.ItemDataRole.UserRole + 1  # the person id to open, or None


def kind_count(kind: str, count: int) -> str:
    shown = ui_locale().toString(count)
    texts = {
        "person": tr("{count} people", count=shown),
        "contact": tr("{count} contacts", count=shown),
        "session": tr("{count} sessions", count=shown),
        "enrollment": tr("{count} enrollments", count=shown),
        "referral": tr("{count} referrals", count=shown),
        "job": tr("{count} jobs", count=shown),
    }
    return texts.get(kind, tr("{count} records", count=shown))


class RecordsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kind = ""
        self.headings: tuple[str, ...] = ()
        self.rows: list[RecordRow] = []

    def set_rows(self, kind: str, rows: list[RecordRow]) -> None:
        self.beginResetModel()
        self.kind, self.rows = kind, rows
        self.headings = record_headings(kind) if kind else ()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headings)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        value = row.cells[index.column()] if index.column() < len(row.cells) else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if isinstance(value, date):
                return short_date(value)
            return "" if value is None else str(value)
        if role == SORT_ROLE:
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, int):
                return value
            # Danish order (names, areas): the ICU key as hex text, which the proxy's
            # plain string comparison puts in the key's byte order.
            return danish_key(str(value or "")).hex()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int((Qt.AlignmentFlag.AlignRight if isinstance(value, int)
                        else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and row.person_id is not None:
            return tr("Double-click to open the person.")
        if role == PERSON_ROLE:
            return row.person_id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.headings)):
            return self.headings[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)


class _RecordsView(QTableView):
    activated_row = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class DrillDownDialog(QDialog):
    open_person = Signal(int)
    loaded = Signal(int)  # number of rows

    def __init__(self, ctx: AppContext, summary_filter: SummaryFilter, ref: CellRef,
                 what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "drillDownDialog", tr("Records behind the figure"))
        self.setWindowTitle(tr("Records behind the figure"))
        self.resize(820, 560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(DialogHeader("chart", tr("Records behind the figure"), what))
        self.status = named(QLabel(tr("Fetching the records…")), "drillDownStatus",
                            tr("Status"))
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.model = RecordsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = named(_RecordsView(), "drillDownTable", tr("Records"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._open)
        self.table.activated_row.connect(self._open)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        named(close, "drillDownClose", tr("Close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        def work(_task: object) -> tuple[str, list[RecordRow], int]:
            refs = drill_down(ctx, summary_filter, ref)
            kind = refs[0].kind if refs else ""
            return kind, describe_records(ctx, refs), len(refs)

        run_in_background(self, work, on_success=self._loaded, on_failure=self._failed)

    def _loaded(self, result: tuple[str, list[RecordRow], int]) -> None:
        kind, rows, count = result
        self.model.set_rows(kind, rows)
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column) + 24, 320))
        if not rows:
            text = tr("No records are behind this figure any longer; the data may have "
                      "changed since the summary was computed.")
        elif count >= MAX_RECORDS:
            text = tr("The first {count} are listed. Narrow the period or the selection to "
                      "see the rest.", count=ui_locale().toString(MAX_RECORDS))
        else:
            text = kind_count(kind, count)
        if any(row.person_id is not None for row in rows):
            text += " · " + tr("Double-click a row to open the person.")
        self.status.setText(text)
        if rows:
            self.table.selectRow(0)
            self.table.setFocus()
        self.loaded.emit(len(rows))

    def _failed(self, error: BaseException) -> None:
        self.status.setText(error_text(error))
        self.status.setProperty("role", "error")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.loaded.emit(0)

    def _open(self, index: QModelIndex) -> None:
        person_id = index.data(PERSON_ROLE)
        if isinstance(person_id, int):
            self.open_person.emit(person_id)

"""The referrals list as a lazy table model.

Holds frozen ``ReferralRow`` objects only, never ORM instances. Filtering, sorting and
paging happen in SQL (``referral_queries.list_referrals``); the model asks for the next
page when the view scrolls near the end (``canFetchMore``/``fetchMore``). Every query
runs off the GUI thread through ``run_in_background``; a result that arrives after the
filter or sort changed again is dropped (the generation counter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from boligsag.collation import danish_key
from boligsag.domain.enums import ReferralKind, ReferralStatus
from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.referral_texts import kind_label
from boligsag.services.referrals import (
    ReferralRow,
    ReferralSort,
    count_referrals,
    list_referrals,
)
from boligsag.ui.background import BackgroundTask, run_in_background
from boligsag.ui.case_labels import (
    OVERDUE_COLORS,
    STATUS_COLORS,
    days_over_short,
    days_overdue,
    status_label,
)
from boligsag.ui.models.rows import ID_ROLE, ROW_ROLE

from ..list_order import SORT_ROLE

Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 100
OPEN_STATUSES: tuple[ReferralStatus, ...] = (
    ReferralStatus.DRAFT, ReferralStatus.SENT, ReferralStatus.RECEIVED,
    ReferralStatus.FIRST_MEETING)


class Column(IntEnum):
    PERSON = 0
    SERVICE = 1  # with "· Underretning" for a notification of concern
    STATUS = 2  # tooltip: since when
    DUE = 3  # the day to follow up by, or how many days it is overdue
    STAFF = 4


OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 4  # bool (after the shared ROW_ROLE, ID_ROLE, SORT_ROLE)

# Columns the service can sort by; the others keep the current order.
SORT_KEYS: dict[Column, ReferralSort] = {
    Column.PERSON: ReferralSort.PERSON,
    Column.SERVICE: ReferralSort.SERVICE,
    Column.STATUS: ReferralSort.STATUS,
    # By the follow-up day itself (status day + that status's limit, in SQL): ascending,
    # the most overdue referral comes first.
    Column.DUE: ReferralSort.DUE,
}
#: How the list opens: the most overdue first, then the next to fall due.
DEFAULT_SORT = (ReferralSort.DUE, False)


def sort_value(row: ReferralRow, column: Column) -> Any:
    """What the SQL order of each column is (``referral_queries._order``), for SORT_ROLE."""
    if column == Column.DUE:
        return row.due_on
    if column == Column.PERSON:
        return (danish_key(row.person_last_name), danish_key(row.person_first_name))
    if column == Column.SERVICE:
        return danish_key(row.service_name)
    if column == Column.STATUS:
        return (str(row.status), row.status_changed_on)
    return None


def header(column: Column) -> str:
    return {
        Column.PERSON: tr("Person"),
        Column.SERVICE: tr("Service"),
        Column.STATUS: tr("Status"),
        Column.DUE: tr("Follow up by"),
        Column.STAFF: tr("Staff member"),
    }[column]


@dataclass(frozen=True)
class ReferralFilter:
    statuses: tuple[ReferralStatus, ...] | None = OPEN_STATUSES  # None: every status
    service_id: int | None = None
    staff_id: int | None = None
    person_id: int | None = None
    overdue_only: bool = False

    def query_args(self) -> dict[str, Any]:
        return {"status": self.statuses, "service_id": self.service_id,
                "staff_id": self.staff_id, "person_id": self.person_id,
                "overdue_only": self.overdue_only}


class ReferralsModel(QAbstractTableModel):
    loaded = Signal(int)  # total number of rows the filter matches
    failed = Signal(object)  # the exception of a failed query

    def __init__(self, ctx: AppContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.filter = ReferralFilter()
        self.sort_key, self.descending = DEFAULT_SORT
        self.total = 0
        self.today = ctx.today()
        self._rows: list[ReferralRow] = []
        self._generation = 0
        self._fetching = False
        self.loading = False

    # -- loading ----------------------------------------------------------------------

    def set_filter(self, new: ReferralFilter) -> None:
        if new != self.filter:
            self.filter = new
            self.reload()

    def reload(self, *, keep_loaded: bool = False) -> BackgroundTask:
        """Load the first page again (or as many rows as are loaded now, so a refresh
        after a change keeps the user's place in a long list)."""
        self._generation += 1
        generation, self.loading = self._generation, True
        wanted = max(PAGE_SIZE, len(self._rows)) if keep_loaded else PAGE_SIZE
        args, sort, descending = self.filter.query_args(), self.sort_key, self.descending
        ctx = self.ctx

        def work(_task: BackgroundTask) -> tuple[int, list[ReferralRow], date]:
            total = count_referrals(ctx, **args)
            rows: list[ReferralRow] = []
            while len(rows) < min(wanted, total):
                page = list_referrals(ctx, **args, sort=sort, descending=descending,
                                      offset=len(rows),
                                      limit=min(PAGE_SIZE * 5, wanted - len(rows)))
                if not page:
                    break
                rows.extend(page)
            return total, rows, ctx.today()

        return run_in_background(self, work, on_success=lambda r: self._reset(generation, *r),
                                 on_failure=lambda e: self._failed(generation, e))

    def _reset(self, generation: int, total: int, rows: list[ReferralRow], today: date) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._rows, self.total, self.today = rows, max(total, len(rows)), today
        self._fetching = self.loading = False
        self.endResetModel()
        self.loaded.emit(self.total)

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self._fetching = self.loading = False
            self.failed.emit(error)

    @property
    def fetching(self) -> bool:
        """A next page is on its way."""
        return self._fetching

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return (not parent.isValid() and not self._fetching and not self.loading
                and len(self._rows) < self.total)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation, offset = self._generation, len(self._rows)
        args, sort, descending, ctx = (self.filter.query_args(), self.sort_key,
                                       self.descending, self.ctx)
        run_in_background(
            self, lambda _t: list_referrals(ctx, **args, sort=sort, descending=descending,
                                            offset=offset, limit=PAGE_SIZE),
            on_success=lambda rows: self._append(generation, offset, rows),
            on_failure=lambda e: self._failed(generation, e))

    def _append(self, generation: int, offset: int, rows: list[ReferralRow]) -> None:
        if generation != self._generation:
            return  # a reload replaced the rows meanwhile; it cleared the flag
        if offset != len(self._rows) or not rows:
            self._fetching = False
            if not rows:
                self.total = len(self._rows)  # someone deleted rows meanwhile
            return
        # Still "fetching" while the rows go in: a view reacting to the insertion must
        # not ask for the same page again.
        self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()
        self._fetching = False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(Column(column)) if 0 <= column < len(Column) else None
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.reload()

    def sort_column(self) -> Column:
        return next(c for c, k in SORT_KEYS.items() if k == self.sort_key)

    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder

    # -- reading ----------------------------------------------------------------------

    def row_at(self, row: int) -> ReferralRow:
        return self._rows[row]

    def row_of_id(self, referral_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == referral_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == Column.STATUS:
                return QBrush(QColor(STATUS_COLORS[row.status][0]))
            if column == Column.DUE and row.overdue:
                return QBrush(QColor(OVERDUE_COLORS[0]))
        if role == Qt.ItemDataRole.BackgroundRole and row.overdue:
            return QBrush(QColor(OVERDUE_COLORS[1]))
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (Column.STATUS, Column.DUE):
                return self._tooltip(row)
            return self._text(row, column)
        return self._custom(row, role, column)

    def _text(self, row: ReferralRow, column: Column) -> str:
        if column == Column.DUE:
            if row.overdue:
                return days_over_short(days_overdue(row.due_on, self.today))
            return short_date(row.due_on) if row.due_on else "–"
        if column == Column.SERVICE and row.kind is ReferralKind.CONCERN:
            return tr("{service} · {kind}", service=row.service_name, kind=kind_label(row.kind))
        return {
            Column.PERSON: row.person_name,
            Column.SERVICE: row.service_name,
            Column.STATUS: status_label(row.status),
            Column.STAFF: row.contact_user_name,
        }[column]

    def _tooltip(self, row: ReferralRow) -> str:
        if row.overdue:
            return tr("{status} since {date}: follow up. The limit was {due}.",
                      status=status_label(row.status), date=short_date(row.status_changed_on),
                      due=short_date(row.due_on))
        return tr("{status} since {date}", status=status_label(row.status),
                  date=short_date(row.status_changed_on))

    @staticmethod
    def _custom(row: ReferralRow, role: int, column: Column) -> Any:
        if role == SORT_ROLE:
            return sort_value(row, column)
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return row.id
        if role == OVERDUE_ROLE:
            return row.overdue
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(Column)):
            return header(Column(section))
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole
                and section == Column.DUE and self.sort_key == ReferralSort.DUE):
            return (tr("Sorted with the latest follow-up day first") if self.descending
                    else tr("Sorted with the most overdue first"))
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

"""The people list: a lazy model over ``list_people``, searched and sorted in SQL."""

from __future__ import annotations

from enum import IntEnum
from functools import partial
from typing import Any

from PySide6.QtCore import Qt

from boligsag.collation import danish_key
from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.people_search import PeopleSort, PersonSummary, list_people
from boligsag.ui.icons import icon
from boligsag.ui.models.lazy import Fetch, LazyRowsModel
from boligsag.ui.theme import MUTED

from ..list_order import SORT_ROLE


class PeopleColumn(IntEnum):
    NAME = 0
    BORN = 1  # birth date and age
    CPR = 2  # masked: lists never show the full number
    ADDRESS = 3
    PHONE = 4


# What a click on each header sorts by, in SQL. The CPR number starts with the birth
# date, so its column sorts by birth date.
SORT_KEYS: dict[PeopleColumn, PeopleSort] = {
    PeopleColumn.NAME: PeopleSort.NAME,
    PeopleColumn.BORN: PeopleSort.BIRTH_DATE,
    PeopleColumn.CPR: PeopleSort.BIRTH_DATE,
    PeopleColumn.ADDRESS: PeopleSort.ADDRESS,
    PeopleColumn.PHONE: PeopleSort.PHONE,
}


def born_text(person: PersonSummary) -> str:
    if person.birth_date is None:
        return ""
    day = short_date(person.birth_date)
    if person.age is None:
        return day
    return tr("{date} ({age} years)", date=day, age=person.age)


class PeopleModel(LazyRowsModel):
    columns = PeopleColumn

    def __init__(self, ctx: AppContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.query = ""
        self.sort_key = PeopleSort.NAME
        self.descending = False
        self._sort_column = PeopleColumn.NAME  # the header the order belongs to
        self._lock = icon("lock", MUTED)

    def set_query(self, text: str) -> None:
        self.query = text
        self.reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(PeopleColumn(column)) if 0 <= column < len(PeopleColumn) else None
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self._sort_column = PeopleColumn(column)
        if (key, descending) == (self.sort_key, self.descending) and self.ever_loaded:
            return
        self.sort_key, self.descending = key, descending
        self.reload()

    def sort_column(self) -> int:
        return int(self._sort_column)

    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder

    def extra(self, row: PersonSummary, column: PeopleColumn, role: int) -> Any:
        if role != SORT_ROLE:
            return None
        # What ``people_search._order_by`` sorts each column by.
        return {
            PeopleColumn.NAME: (danish_key(row.last_name), danish_key(row.first_name)),
            PeopleColumn.BORN: row.birth_date,
            PeopleColumn.CPR: row.birth_date,
            PeopleColumn.ADDRESS: (danish_key(row.street), row.postal_code),
            PeopleColumn.PHONE: row.phone,
        }[column]

    def fetcher(self) -> Fetch:
        def fetch(ctx: AppContext, query: str, sort: PeopleSort, descending: bool,
                  offset: int, limit: int) -> Any:
            return list_people(ctx, query, sort=sort, descending=descending, offset=offset,
                               limit=limit)

        return partial(fetch, self.ctx, self.query, self.sort_key, self.descending)

    def header(self, column: PeopleColumn) -> str:
        return {
            PeopleColumn.NAME: tr("Name"),
            PeopleColumn.BORN: tr("Born"),
            PeopleColumn.CPR: tr("CPR number"),
            PeopleColumn.ADDRESS: tr("Address"),
            PeopleColumn.PHONE: tr("Phone"),
        }[column]

    def header_tooltip(self, column: PeopleColumn) -> str | None:
        if column == PeopleColumn.NAME:  # shown "first last", sorted as in a register
            return tr("Sorted by last name, then first name")
        return None

    def text(self, row: PersonSummary, column: PeopleColumn) -> str:
        return {
            PeopleColumn.NAME: row.full_name,
            PeopleColumn.BORN: born_text(row),
            PeopleColumn.CPR: row.cpr_masked,
            PeopleColumn.ADDRESS: row.address,
            PeopleColumn.PHONE: row.phone,
        }[column]

    def tooltip(self, row: PersonSummary, column: PeopleColumn) -> str | None:
        if column == PeopleColumn.NAME and row.restricted:
            return tr("Restricted case: only the responsible staff member and team leads "
                      "see it.")
        if column == PeopleColumn.ADDRESS and row.address:
            return row.address
        return None

    def decoration(self, row: PersonSummary, column: PeopleColumn) -> Any:
        if column == PeopleColumn.NAME and row.restricted:
            return self._lock
        return None

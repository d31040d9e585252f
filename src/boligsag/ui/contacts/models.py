"""The contacts list: a lazy model over ``list_contacts``, newest first, filtered in SQL."""

from __future__ import annotations

from enum import IntEnum
from functools import partial
from typing import Any

from PySide6.QtGui import QColor

from boligsag.formatting import short_date, short_date_time
from boligsag.i18n import tr
from boligsag.services.contacts import ContactFilters, ContactRow, list_contacts
from boligsag.services.context import AppContext
from boligsag.ui.models.lazy import Fetch, LazyRowsModel
from boligsag.ui.theme import ERROR, MUTED, SUCCESS


class ContactColumn(IntEnum):
    WHEN = 0
    PEOPLE = 1
    CHANNEL = 2
    TOPICS = 3
    DURATION = 4
    STAFF = 5
    FOLLOW_UP = 6


def people_text(row: ContactRow) -> str:
    if row.anonymous:
        details = ", ".join(p for p in (row.age_group_label, row.gender_label) if p)
        return tr("Anonymous ({details})", details=details) if details else tr("Anonymous")
    return row.people_names


def follow_up_text(row: ContactRow) -> str:
    if row.follow_up_date is None:
        return ""
    day = short_date(row.follow_up_date)
    return tr("{date} ✓", date=day) if row.follow_up_done_at else day


class ContactsModel(LazyRowsModel):
    columns = ContactColumn

    def __init__(self, ctx: AppContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.filters = ContactFilters()

    def set_filters(self, filters: ContactFilters) -> None:
        self.filters = filters
        self.reload()

    def fetcher(self) -> Fetch:
        return partial(list_contacts, self.ctx, self.filters)

    def header(self, column: ContactColumn) -> str:
        return {
            ContactColumn.WHEN: tr("When"),
            ContactColumn.PEOPLE: tr("People"),
            ContactColumn.CHANNEL: tr("Channel"),
            ContactColumn.TOPICS: tr("Topics"),
            ContactColumn.DURATION: tr("Minutes"),
            ContactColumn.STAFF: tr("Staff member"),
            ContactColumn.FOLLOW_UP: tr("Follow-up"),
        }[column]

    def text(self, row: ContactRow, column: ContactColumn) -> str:
        if column == ContactColumn.WHEN:
            return short_date_time(row.occurred_at)
        if column == ContactColumn.PEOPLE:
            return people_text(row)
        if column == ContactColumn.CHANNEL:
            return row.channel_label
        if column == ContactColumn.TOPICS:
            return ", ".join(t.label for t in row.topics)
        if column == ContactColumn.DURATION:
            return str(row.duration_minutes) if row.duration_minutes else ""
        if column == ContactColumn.STAFF:
            return row.staff_name
        return follow_up_text(row)

    def tooltip(self, row: ContactRow, column: ContactColumn) -> str | None:
        if column == ContactColumn.TOPICS and row.topics:
            return ", ".join(t.label for t in row.topics)
        if column == ContactColumn.PEOPLE and row.ssp_locked:
            return tr("SSP note: the text is shown only to staff with SSP access, when they "
                      "ask for it.")
        if column == ContactColumn.PEOPLE and row.note:
            return row.note[:400]
        if column == ContactColumn.FOLLOW_UP and row.follow_up_date:
            return tr("Followed up") if row.follow_up_done_at else tr("Not followed up yet")
        return None

    def foreground(self, row: ContactRow, column: ContactColumn) -> Any:
        if column == ContactColumn.PEOPLE and row.anonymous:
            return QColor(MUTED)
        if column == ContactColumn.FOLLOW_UP and row.follow_up_date:
            if row.follow_up_done_at:
                return QColor(SUCCESS)
            if row.follow_up_date < self.ctx.today():
                return QColor(ERROR)
        return None

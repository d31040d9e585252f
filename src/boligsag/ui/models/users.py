"""The staff accounts list on the Administration page (Medarbejdere)."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtGui import QColor

from boligsag.i18n import tr
from boligsag.services.staff import StaffRow
from boligsag.ui.labels import role_label
from boligsag.ui.theme import MUTED

from .rows import RowsModel


class Column(IntEnum):
    FULL_NAME = 0
    USERNAME = 1
    ROLE = 2
    AREAS = 3
    TITLE = 4
    STATUS = 5


class UsersModel(RowsModel):
    columns = Column

    def header(self, column: Column) -> str:
        return {
            Column.FULL_NAME: tr("Name"),
            Column.USERNAME: tr("Username"),
            Column.ROLE: tr("Role"),
            Column.AREAS: tr("Housing areas"),
            Column.TITLE: tr("Job title"),
            Column.STATUS: tr("Status"),
        }[column]

    def key(self, row: StaffRow) -> Any:
        return row.uuid  # the stable id of an account

    def text(self, row: StaffRow, column: Column) -> str:
        return {
            Column.FULL_NAME: row.full_name,
            Column.USERNAME: row.username,
            Column.ROLE: role_label(row.role),
            Column.AREAS: ", ".join(row.area_names),
            Column.TITLE: row.title,
            Column.STATUS: tr("Active") if row.active else tr("Deactivated"),
        }[column]

    def tooltip(self, row: StaffRow, column: Column) -> str | None:
        if column == Column.FULL_NAME:
            return tr("{name} ({username})", name=row.full_name, username=row.username)
        if column == Column.AREAS and row.area_names:
            return ", ".join(row.area_names)
        if column == Column.TITLE and row.title:
            return row.title
        return None

    def foreground(self, row: StaffRow, column: Column) -> QColor | None:
        return None if row.active else QColor(MUTED)  # a deactivated account stays, greyed

"""Administration: staff accounts, the municipal service catalogue, and the
letterhead and reminder settings — one tab each."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.permissions import Permission
from boligsag.i18n import tr
from boligsag.services.changes import Changes, Entity
from boligsag.services.context import AppContext
from boligsag.services.users import UserRow, list_users
from boligsag.ui.admin_panels.letter_settings import LetterSettingsPanel
from boligsag.ui.admin_panels.services import ServicesPanel
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.models.users import Column, UsersModel
from boligsag.ui.widgets import FieldError, PageHeader, named

from .base import Page


class AdminPage(Page):
    page_id = "admin"
    icon_name = "gear"
    permission = Permission.MANAGE_USERS

    @classmethod
    def title(cls) -> str:
        return tr("Administration")

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(12)
        layout.addWidget(PageHeader(self.title(), tr(
            "Staff accounts, the municipal services that letters go to, and the "
            "organisation's letterhead and reminders.")))
        self.tabs = named(QTabWidget(), "adminTabs", tr("Administration sections"))
        layout.addWidget(self.tabs, 1)
        users = QWidget()
        users_layout = QVBoxLayout(users)
        users_layout.setContentsMargins(0, 12, 0, 0)
        self.error = FieldError("usersError")
        users_layout.addWidget(self.error)
        self.model = UsersModel(self)
        self.table = named(QTableView(), "usersTable", tr("Staff accounts"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(Column.FULL_NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.USERNAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.ROLE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.ResizeToContents)
        users_layout.addWidget(self.table, 1)
        self.tabs.addTab(users, tr("Staff"))
        self.tabs.addTab(ServicesPanel(ctx, events), tr("Municipal services"))
        self.tabs.addTab(LetterSettingsPanel(ctx, events), tr("Letters and reminders"))

    def refresh(self, changes: Changes | None) -> None:
        if changes is not None and Entity.USERS not in changes:
            return
        run_in_background(self, lambda _task: list_users(self.ctx),
                          on_success=self._show, on_failure=self._failed)

    def _show(self, rows: list[UserRow]) -> None:
        self.error.clear_message()
        self.model.set_rows(rows)

    def _failed(self, error: BaseException) -> None:
        self.error.show_message(error_text(error))

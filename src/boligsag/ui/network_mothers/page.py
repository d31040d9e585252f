"""For volunteers (bydelsmødre), who see almost nothing else: their own recent
conversation forms, and a big "Ny samtale" button."""

from __future__ import annotations

from enum import IntEnum
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from boligsag.domain.enums import Role
from boligsag.domain.permissions import Permission
from boligsag.formatting import short_date, time_text
from boligsag.i18n import tr
from boligsag.services.activity_queries import my_network_mother_conversations
from boligsag.services.changes import Entity
from boligsag.services.contact_rows import ContactRow
from boligsag.services.context import Actor, AppContext
from boligsag.ui.activities.buttons import page_shortcut
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.models.rows import RowsModel
from boligsag.ui.models.table import current_row, keep_selection, setup_table
from boligsag.ui.pages.base import Page
from boligsag.ui.reloader import Reloader
from boligsag.ui.widgets import EmptyState, PageHeader, make_action, named

from .dialog import NetworkMotherDialog


class ConversationColumn(IntEnum):
    WHEN = 0
    AGE_GROUP = 1
    GENDER = 2
    TOPICS = 3
    REFERRED_TO = 4


class ConversationsModel(RowsModel):
    columns = ConversationColumn

    def header(self, column: Any) -> str:
        return {
            ConversationColumn.WHEN: tr("When"),
            ConversationColumn.AGE_GROUP: tr("Age group"),
            ConversationColumn.GENDER: tr("Gender"),
            ConversationColumn.TOPICS: tr("Topics"),
            ConversationColumn.REFERRED_TO: tr("Referred to"),
        }[column]

    def text(self, row: ContactRow, column: Any) -> str:
        if column == ConversationColumn.WHEN:
            return tr("{date} at {time}", date=short_date(row.occurred_at.date()),
                      time=time_text(row.occurred_at))
        if column == ConversationColumn.REFERRED_TO:
            return " · ".join(p for p in (row.referred_to_service_name, row.referred_to_text)
                              if p)
        return {
            ConversationColumn.AGE_GROUP: row.age_group_label or "–",
            ConversationColumn.GENDER: row.gender_label or "–",
            ConversationColumn.TOPICS: ", ".join(t.label for t in row.topics),
        }[column]

    def tooltip(self, row: ContactRow, column: Any) -> str | None:
        if column == ConversationColumn.TOPICS and row.topics:
            return ", ".join(t.label for t in row.topics)
        if row.note:
            return row.note
        return None


class VolunteerPage(Page):
    page_id = "network_mothers"
    icon_name = "chat"
    permission = Permission.LOG_NETWORK_MOTHER

    @classmethod
    def available_to(cls, actor: Actor) -> bool:
        # The volunteer's home; staff log the same conversations with the quick log
        # and see them in Kontakter, so a second page would only confuse them.
        return actor.role == Role.VOLUNTEER

    @classmethod
    def title(cls) -> str:
        return tr("Conversations")

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, parent)
        self.loaded = False
        self.reloader = Reloader(self, events, {Entity.CONTACTS}, loader=lambda: partial(
            my_network_mother_conversations, ctx), apply=self._show, failed=self._failed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(14)
        layout.addWidget(PageHeader(tr("Network-mother conversations"), tr(
            "Your most recent conversation forms. No names are recorded: only age, gender, "
            "what you talked about and where you referred to.")))
        self.action_new = page_shortcut(make_action(
            self, "actionNewConversation", tr("&New conversation…"), shortcut="Ctrl+N",
            triggered=self.new_conversation, tip=tr("Fill in the form after a conversation")),
            self)
        self.action_edit = page_shortcut(make_action(
            self, "actionEditConversation", tr("&Correct conversation…"), shortcut="Ctrl+E",
            triggered=self.edit_conversation), self)
        row = QHBoxLayout()
        self.new_button = named(QPushButton(tr("New conversation")), "newConversationButton",
                                tr("New conversation"))
        self.new_button.setProperty("role", "primary")
        self.new_button.setMinimumSize(260, 54)
        font = self.new_button.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.new_button.setFont(font)
        self.new_button.setToolTip(self.action_new.toolTip())
        self.new_button.clicked.connect(self.action_new.trigger)
        row.addWidget(self.new_button)
        row.addStretch(1)
        layout.addLayout(row)

        self.error = named(QLabel(), "conversationsError", tr("Error message"))
        self.error.setProperty("role", "error")
        self.error.hide()
        layout.addWidget(self.error)
        self.model = ConversationsModel(self)
        self.table = setup_table(
            named(QTableView(), "conversationsTable", tr("Your conversations")), self.model,
            stretch=ConversationColumn.TOPICS,
            widths={ConversationColumn.WHEN: 190, ConversationColumn.AGE_GROUP: 150,
                    ConversationColumn.GENDER: 110, ConversationColumn.REFERRED_TO: 260})
        self.table.activated.connect(lambda _i: self.edit_conversation())
        layout.addWidget(self.table, 1)
        self.empty = EmptyState(tr("No conversations yet"), tr(
            "Press “New conversation” after each conversation. It takes less than a "
            "minute."))
        self.empty.hide()
        layout.addWidget(self.empty)
        layout.addStretch(0)

    def actions(self) -> list[QAction]:  # type: ignore[override]
        return [self.action_new, self.action_edit]

    def _show(self, rows: list[ContactRow]) -> None:
        self.error.hide()
        restore = keep_selection(self.table, self.model)
        self.model.set_rows(rows)
        restore()
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.action_edit.setEnabled(bool(rows))
        self.loaded = True

    def _failed(self, error: BaseException) -> None:
        self.error.setText(error_text(error))
        self.error.show()

    def new_conversation(self) -> NetworkMotherDialog:
        return self._open(None)

    def edit_conversation(self) -> NetworkMotherDialog | None:
        row = current_row(self.table)
        return self._open(row) if row is not None else None

    def _open(self, row: ContactRow | None) -> NetworkMotherDialog:
        dialog = NetworkMotherDialog(self.ctx, self, events=self.events, conversation=row)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


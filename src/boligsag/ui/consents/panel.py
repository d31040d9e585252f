"""A person's consents, for the person page: every consent with its state today —
expired and withdrawn ones stay listed, shown as such — and the commands to record a
new one, withdraw one, and print the form to sign.

``ConsentsPanel(ctx, events, person_id)``; it reloads on ``events.changed``.
"""

from __future__ import annotations

from enum import IntEnum
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.consent import ConsentState
from boligsag.domain.permissions import Permission
from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.consents import ConsentRow, consents_for_person, scope_options
from boligsag.services.context import AppContext
from boligsag.services.letters import render_consent_form
from boligsag.ui.case_labels import CONSENT_COLORS
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.letters.opener import open_letter_preview
from boligsag.ui.models.rows import RowsModel
from boligsag.ui.models.table import setup_table
from boligsag.ui.reloader import Reloader
from boligsag.ui.theme import MUTED
from boligsag.ui.widgets import named

from .card import state_text
from .details import ConsentDetailsDialog, WithdrawConsentDialog
from .dialog import ConsentDialog

_RELEVANT = frozenset({Entity.CONSENTS, Entity.PEOPLE})


def _lapsed(consent: ConsentRow) -> bool:
    return consent.state in (ConsentState.EXPIRED, ConsentState.WITHDRAWN)


class ConsentColumn(IntEnum):
    RECIPIENT = 0
    STATE = 1
    VALID = 2
    SCOPE = 3
    GIVEN_BY = 4


class ConsentsModel(RowsModel):
    columns = ConsentColumn

    def __init__(self, scope_labels: dict[str, str], parent: Any = None) -> None:
        super().__init__(parent)
        self.scope_labels = scope_labels

    def header(self, column: ConsentColumn) -> str:
        return {ConsentColumn.RECIPIENT: tr("Recipient"), ConsentColumn.STATE: tr("State"),
                ConsentColumn.VALID: tr("Valid"), ConsentColumn.SCOPE: tr("Information"),
                ConsentColumn.GIVEN_BY: tr("Given by")}[column]

    def text(self, row: ConsentRow, column: ConsentColumn) -> str:
        if column == ConsentColumn.RECIPIENT:
            return row.service_name
        if column == ConsentColumn.STATE:
            return state_text(row)
        if column == ConsentColumn.VALID:
            return tr("{start} – {end}", start=short_date(row.valid_from),
                      end=short_date(row.valid_to))
        if column == ConsentColumn.SCOPE:
            return ", ".join(self.scope_labels.get(code, code) for code in row.scope)
        return row.given_by

    def foreground(self, row: ConsentRow, column: ConsentColumn) -> QColor | None:
        if column == ConsentColumn.STATE:
            return QColor(CONSENT_COLORS[row.state][0])
        return QColor(MUTED) if _lapsed(row) else None

    def bold(self, row: ConsentRow, column: ConsentColumn) -> bool:
        return column == ConsentColumn.STATE


class ConsentsPanel(QWidget):
    def __init__(self, ctx: AppContext, events: AppEvents, person_id: int,
                 parent: QWidget | None = None, *, person_name: str = "") -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self.person_id, self.person_name = person_id, person_name
        named(self, "consentsPanel", tr("Consents"))
        self.model = ConsentsModel({o.code: o.label for o in scope_options(ctx)}, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        bar = QHBoxLayout()
        title = QLabel(tr("Consents"))
        title.setProperty("role", "cardTitle")
        bar.addWidget(title)
        bar.addStretch(1)
        self.new_button = named(QPushButton(tr("New consent…")), "newConsentPanelButton",
                                tr("Record a new consent"))
        self.new_button.clicked.connect(self.new_consent)
        self.withdraw_button = named(QPushButton(tr("Withdraw…")), "withdrawPanelButton",
                                     tr("Withdraw the chosen consent"))
        self.withdraw_button.clicked.connect(self.withdraw)
        self.print_button = named(QPushButton(tr("Print consent form…")),
                                  "printConsentPanelButton", tr("Print consent form"))
        self.print_button.clicked.connect(self.print_form)
        for button in (self.new_button, self.withdraw_button, self.print_button):
            bar.addWidget(button)
        layout.addLayout(bar)
        # The state with its key date ("Udløbet 06.11.2026") and the period are never
        # cut; the information (the longest text) takes the rest, and cut text ends in
        # "…" with the whole text as a tooltip.
        self.table = setup_table(
            named(QTableView(), "consentsTable", tr("Consents")), self.model,
            fit=(ConsentColumn.STATE, ConsentColumn.VALID), stretch=ConsentColumn.SCOPE,
            widths={ConsentColumn.RECIPIENT: 170, ConsentColumn.GIVEN_BY: 190})
        self.table.activated.connect(lambda index: self.open_consent(
            self.model.row_at(index.row()).id))
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        layout.addWidget(self.table, 1)
        self.message = named(QLabel(), "consentsMessage", tr("Status"))
        self.message.setProperty("role", "muted")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        can_manage = ctx.actor.can(Permission.MANAGE_CONSENTS)
        self.new_button.setVisible(can_manage)
        self.withdraw_button.setVisible(can_manage)
        self.print_button.setVisible(ctx.actor.can(Permission.PRINT_LETTERS))
        self._update_buttons()
        self.reloader = Reloader(self, events, _RELEVANT, loader=lambda: partial(
            consents_for_person, ctx, self.person_id), apply=self._show, failed=self._failed)

    def _show(self, rows: list[ConsentRow]) -> None:
        chosen = self.chosen()
        self.model.set_rows(rows)
        if chosen is not None:
            for row, consent in enumerate(rows):
                if consent.id == chosen.id:
                    self.table.selectRow(row)
        self.message.setText("" if rows else tr("No consents recorded."))
        self.message.setVisible(not rows)
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error))
        self.message.show()

    def chosen(self) -> ConsentRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        consent = self.chosen()
        self.withdraw_button.setEnabled(
            consent is not None and consent.state is not ConsentState.WITHDRAWN)
        self.print_button.setEnabled(consent is not None)

    # -- commands ---------------------------------------------------------------------

    def new_consent(self) -> ConsentDialog:
        dialog = ConsentDialog(self.ctx, self.person_id, self.window(), events=self.events,
                               person_name=self.person_name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    def open_consent(self, consent_id: int) -> None:
        dialog = ConsentDetailsDialog(self.ctx, consent_id, self.window(), events=self.events)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog

    def withdraw(self) -> None:
        consent = self.chosen()
        if consent is None:
            return
        dialog = WithdrawConsentDialog(self.ctx, self.events, consent, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog

    def print_form(self) -> None:
        consent = self.chosen()
        if consent is None:
            return
        ctx, consent_id = self.ctx, consent.id
        open_letter_preview(self, ctx, lambda: render_consent_form(ctx, consent_id))

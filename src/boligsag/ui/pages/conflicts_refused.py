"""Konflikter's second section, "Ændringer serveren afviste": the user's changes the team
server refused (services/sync_client/refused.py), so nothing is dropped without her
choosing. Shown only when there are some.

Each row says which record, what she changed, why the server refused it and when.
Under the list the chosen change is shown in full. "Kopiér værdier" (Alt+O) puts the
values on the clipboard as text, to give to a colleague who still has the case;
"Kassér…" (Alt+K) asks first, then discards the change for good.

The section widget itself stays visible (zero height when empty), so its
:class:`Reloader` sees it shown and reloads after a sync set a change aside; only its
content is hidden.
"""

from __future__ import annotations

from enum import IntEnum
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.formatting import short_date_time
from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.sync_client.refused import RefusedRow, discard_refused, list_refused
from boligsag.ui.elide import elide_column
from boligsag.ui.errors import show_error
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.models.rows import RowsModel
from boligsag.ui.models.table import current_row, keep_selection, setup_table
from boligsag.ui.reloader import Reloader
from boligsag.ui.widgets import make_action, named, page_button

# A sync that sets a change aside announces CONFLICTS; a discard does too.
RELOAD_ON = frozenset({Entity.CONFLICTS, Entity.PEOPLE, Entity.CONTACTS})
STATUS_MS = 6000


class RefusedColumn(IntEnum):
    RECORD = 0
    VALUES = 1
    REASON = 2
    WHEN = 3


class RefusedModel(RowsModel):
    columns = RefusedColumn

    def header(self, column: Any) -> str:
        return {RefusedColumn.RECORD: tr("Record"), RefusedColumn.VALUES: tr("Your change"),
                RefusedColumn.REASON: tr("Why it was refused"),
                RefusedColumn.WHEN: tr("Refused")}[column]

    def text(self, row: RefusedRow, column: Any) -> str:
        return {RefusedColumn.RECORD: f"{row.record_kind}: {row.record_label}",
                RefusedColumn.VALUES: row.values_text, RefusedColumn.REASON: row.reason,
                RefusedColumn.WHEN: short_date_time(row.at) if row.at else ""}[column]

    def bold(self, row: RefusedRow, column: Any) -> bool:
        return column == RefusedColumn.RECORD


def details_text(row: RefusedRow) -> str:
    """Short: the page also holds the conflicts, and a created record's values are many
    (the list cell cuts them; here they wrap)."""
    first = tr("{action} not accepted by the team server: {reason}.",
               action=row.action, reason=row.reason)
    if not row.still_here:
        first += " " + tr("The record is no longer on this computer.")
    return f"{first}\n{row.values_text}"


class RefusedSection(QWidget):
    """The refused changes, their details and the two choices."""

    #: The number of refused changes shown (after each load), for the badge.
    count_changed = Signal(int)

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "refusedSection", tr("Changes the server refused"))
        self.ctx, self.events = ctx, events
        self.rows: list[RefusedRow] = []
        self.loaded = False
        self.question: QMessageBox | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.content = named(QWidget(), "refusedContent", tr("Changes the server refused"))
        outer.addWidget(self.content)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(8)
        title = named(QLabel(tr("Changes the server refused")), "refusedTitle",
                      tr("Changes the server refused"))
        title.setProperty("role", "heading")
        layout.addWidget(title)
        self.intro = named(QLabel(tr(
            "The team server did not accept these changes you made on this computer. They "
            "are kept here, so nothing is lost: copy the values and give them to a "
            "colleague who still has the case, or discard the change.")),
            "refusedIntro", tr("About the refused changes"))
        self.intro.setProperty("role", "muted")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.model = RefusedModel(self)
        self.table = setup_table(named(QTableView(), "refusedTable",
                                       tr("Changes the server refused")),
                                 self.model, stretch=(RefusedColumn.VALUES,),
                                 widths={RefusedColumn.RECORD: 260,
                                         RefusedColumn.REASON: 280},
                                 fit=(RefusedColumn.WHEN,))
        for column in RefusedColumn:
            elide_column(self.table, column)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_details())
        layout.addWidget(self.table, 1)
        self.details = named(QLabel(""), "refusedDetails", tr("About the chosen change"))
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setProperty("role", "card")
        self.details.setMargin(10)
        layout.addWidget(self.details)
        layout.addLayout(self._build_buttons())
        self.content.hide()
        self.reloader = Reloader(self, events, RELOAD_ON,
                                 loader=lambda: partial(list_refused, ctx), apply=self._show,
                                 failed=lambda _error: None)

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.copy_button = page_button(tr("Co&py values"), "refusedCopyButton",
                                        tr("Copy the values as text, to give them to a "
                                           "colleague"), self.copy_values)
        self.discard_button = page_button(tr("&Discard…"), "refusedDiscardButton",
                                           tr("Discard this change for good"),
                                           self.ask_to_discard)
        row.addWidget(self.copy_button)
        row.addWidget(self.discard_button)
        row.addStretch(1)
        self.action_copy = make_action(self, "actionRefusedCopy", tr("Co&py values"),
                                       triggered=self.copy_values)
        self.action_discard = make_action(self, "actionRefusedDiscard", tr("&Discard…"),
                                          triggered=self.ask_to_discard)
        for action in (self.action_copy, self.action_discard):
            self.addAction(action)
        return row

    # -- loading ----------------------------------------------------------------------

    def _show(self, rows: list[RefusedRow]) -> None:
        self.loaded = True
        self.rows = rows
        restore = keep_selection(self.table, self.model)
        self.model.set_rows(rows)
        restore()
        if current_row(self.table) is None and rows:
            self.table.selectRow(0)
        self.content.setVisible(bool(rows))
        # Room for a few rows without pushing the conflicts off the page.
        self.table.setMinimumHeight(min(len(rows), 4) * 34 + 34 if rows else 0)
        self._show_details()
        self.count_changed.emit(len(rows))

    def _show_details(self) -> None:
        row: RefusedRow | None = current_row(self.table)
        for widget in (self.copy_button, self.discard_button, self.action_copy,
                       self.action_discard):
            widget.setEnabled(row is not None)
        self.details.setVisible(row is not None)
        self.details.setText(details_text(row) if row is not None else "")

    # -- choices ----------------------------------------------------------------------

    def _status(self, text: str) -> None:
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(text, STATUS_MS)

    def copy_values(self) -> None:
        row: RefusedRow | None = current_row(self.table)
        if row is None:
            return
        QGuiApplication.clipboard().setText(row.copy_text)
        self._status(tr("The values are copied. Paste them in a message to a colleague."))

    def ask_to_discard(self) -> None:
        row: RefusedRow | None = current_row(self.table)
        if row is None:
            return
        title = tr("Discard the change?")
        box = QMessageBox(QMessageBox.Icon.Warning, title, tr(
            "Your change to {record} is removed from this computer and cannot be fetched "
            "again. Copy the values first if a colleague should use them.",
            record=row.record_label), QMessageBox.StandardButton.NoButton, self.window())
        named(box, "refusedDiscardQuestion", title)
        yes = box.addButton(tr("Discard the change"), QMessageBox.ButtonRole.DestructiveRole)
        named(yes, "refusedDiscardConfirmButton", tr("Discard the change"))
        keep = box.addButton(tr("Keep it"), QMessageBox.ButtonRole.RejectRole)
        named(keep, "refusedDiscardKeepButton", tr("Keep it"))
        box.setDefaultButton(keep)  # Enter never discards
        box.setEscapeButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: button is yes and self._discard(row))
        box.open()
        self.question = box

    def _discard(self, row: RefusedRow) -> None:
        self.discard_button.setEnabled(False)
        run_service(self, self.events, discard_refused, self.ctx, row.id,
                    on_success=lambda _result: self._status(tr("The change is discarded.")),
                    on_failure=self._discard_failed)

    def _discard_failed(self, error: BaseException) -> None:
        self._show_details()
        show_error(self, error)

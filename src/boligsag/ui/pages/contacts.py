"""Kontakter: the contact log, newest first, filtered by period, channel, staff member
and anonymity; open a contact to correct it, or delete it (a tombstone, confirmed)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.permissions import Permission
from boligsag.formatting import short_date_time
from boligsag.i18n import tr
from boligsag.services.changes import Changes, Entity
from boligsag.services.contacts import (
    ContactFilters,
    ContactRow,
    delete_contact,
    quick_log_choices,
)
from boligsag.services.context import AppContext
from boligsag.ui.activities.buttons import action_button
from boligsag.ui.background import run_in_background
from boligsag.ui.contacts import open_contact, open_quick_log
from boligsag.ui.contacts.filters import ContactFilterBar
from boligsag.ui.contacts.models import ContactColumn, ContactsModel
from boligsag.ui.elide import elide_view
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.models.rows import ROW_ROLE
from boligsag.ui.models.table import setup_table
from boligsag.ui.reloader import Reloader
from boligsag.ui.row_menu import add_row_menu
from boligsag.ui.widgets import EmptyState, PageHeader, make_action, named

from .base import Page

_RELOAD = frozenset({Entity.CONTACTS, Entity.PEOPLE})


class ContactsPage(Page):
    page_id = "contacts"
    icon_name = "chat"
    # The list shows people's names: staff only. Volunteers have their own page for
    # their conversation forms.
    permission = Permission.VIEW_PEOPLE

    @classmethod
    def title(cls) -> str:
        return tr("Contacts")

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, parent)
        self._choices_loaded = False
        self._keep: int | None = None  # the contact to keep chosen across a reload
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(12)
        layout.addWidget(PageHeader(self.title(), tr(
            "Contacts with residents: in person, by phone, home visits and outreach. "
            "Log a new one from anywhere with Ctrl+L.")))
        can_log = ctx.actor.can(Permission.LOG_CONTACTS)
        self.action_log = make_action(self, "actionContactsLogContact", tr("&Log contact…"),
                                      triggered=self.log_contact,
                                      tip=tr("Record a contact (Ctrl+L from anywhere)"))
        self.action_edit = make_action(self, "actionEditContact", tr("&Open contact…"),
                                       shortcut="Ctrl+E", triggered=self.edit_contact,
                                       tip=tr("See or correct the chosen contact"))
        self.action_delete = make_action(self, "actionDeleteContact", tr("&Delete contact…"),
                                         shortcut="Del", triggered=self.delete_contact)
        for action in (self.action_log, self.action_edit, self.action_delete):
            action.setEnabled(can_log)
            self.addAction(action)
        tools = QHBoxLayout()
        tools.setSpacing(8)
        # With a parent: a parentless button that action_button shows would flash up
        # as a window of its own.
        tools.addWidget(action_button(self.action_log, "logContactButton", primary=True,
                                      parent=self))
        tools.addWidget(action_button(self.action_edit, "editContactButton", parent=self))
        tools.addWidget(action_button(self.action_delete, "deleteContactButton", parent=self))
        tools.addSpacing(16)
        self.filters = ContactFilterBar(ctx)
        tools.addWidget(self.filters, 1)
        layout.addLayout(tools)

        self.model = ContactsModel(ctx, self)
        self.model.filters = self.filters.filters()
        self.table = elide_view(named(QTableView(), "contactsTable", tr("Contacts")))
        self._setup_table()
        add_row_menu(self.table, lambda: [self.action_edit, self.action_delete, None,
                                          self.action_log], "contactsRowMenu")
        layout.addWidget(self.table, 1)
        self.empty = EmptyState(tr("No contacts in this selection"), tr(
            "Choose a longer period or another channel, or log a contact with Ctrl+L."))
        self.empty.hide()
        layout.addWidget(self.empty)
        bottom = QHBoxLayout()
        self.count = named(QLabel(), "contactsCountLabel", tr("Number of contacts shown"))
        self.count.setProperty("role", "muted")
        self.error = named(QLabel(), "contactsError", tr("Error message"))
        self.error.setProperty("role", "error")
        self.error.hide()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.error)
        layout.addLayout(bottom)
        self.filters.changed.connect(self._filters_changed)
        self.model.loaded.connect(self._loaded)
        self.model.rowsInserted.connect(lambda *_a: self._count_text())
        self.model.failed.connect(lambda e: (self.error.setText(error_text(e)),
                                             self.error.show()))
        self.table.activated.connect(lambda _i: self.edit_contact())
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_actions())
        self._update_actions()
        # The lazy model guards its own pages; this decides when it reloads.
        self.reloader = Reloader(self, events, _RELOAD, start=self._reload)

    def _setup_table(self) -> None:
        setup_table(self.table, self.model, stretch=ContactColumn.TOPICS, widths={
            ContactColumn.WHEN: 150, ContactColumn.PEOPLE: 230, ContactColumn.CHANNEL: 125,
            ContactColumn.DURATION: 96, ContactColumn.STAFF: 180, ContactColumn.FOLLOW_UP: 120})

    def actions(self) -> list[QAction]:  # type: ignore[override]
        return [self.action_log, self.action_edit, self.action_delete]

    def focus_first_field(self) -> None:
        self.filters.period.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- loading --------------------------------------------------------------------------

    def _reload(self, _changes: Changes | None) -> None:
        if not self._choices_loaded and self.ctx.actor.can(Permission.LOG_CONTACTS):
            self._choices_loaded = True
            run_in_background(self, lambda _task: quick_log_choices(self.ctx),
                              on_success=lambda c: self.filters.set_channels(c.channels))
        contact = self.current_contact()
        self._keep = contact.id if contact is not None else None
        self.model.reload()

    def _filters_changed(self, filters: ContactFilters) -> None:
        self._keep = None
        self.model.set_filters(filters)

    def _loaded(self, rows: int) -> None:
        self.error.hide()
        self.table.setVisible(rows > 0)
        self.empty.setVisible(rows == 0)
        if rows:  # the same contact as before a reload, else the newest
            row = self.model.find(self._keep) if self._keep is not None else -1
            self.table.selectRow(max(row, 0))
        self._count_text()
        self._update_actions()

    def _count_text(self) -> None:
        rows = self.model.rowCount()
        if self.model.has_more():
            self.count.setText(tr("Showing the newest {count}; scroll down for more.",
                                  count=rows))
        else:
            self.count.setText(tr("{count} contacts", count=rows) if rows != 1
                               else tr("1 contact"))

    def _update_actions(self) -> None:
        chosen = self.current_contact() is not None
        allowed = self.ctx.actor.can(Permission.LOG_CONTACTS)
        self.action_edit.setEnabled(allowed and chosen)
        self.action_delete.setEnabled(allowed and chosen)

    # -- commands -------------------------------------------------------------------------

    def current_contact(self) -> ContactRow | None:
        index = self.table.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def log_contact(self) -> None:
        open_quick_log(self, self.ctx, self.events)

    def edit_contact(self) -> None:
        contact = self.current_contact()
        if contact is not None:  # read again: opening it is a view, and may need a purpose
            open_contact(self, self.ctx, self.events, contact.id)

    def delete_contact(self) -> QMessageBox | None:
        contact = self.current_contact()
        if contact is None:
            return None
        box = QMessageBox(QMessageBox.Icon.Warning, tr("Delete contact"), tr(
            "Delete the contact of {date} with {people}? It disappears from lists and "
            "timelines; the deletion is recorded in the audit log.",
            date=short_date_time(contact.occurred_at),
            people=contact.people_names or tr("an anonymous resident")),
            QMessageBox.StandardButton.NoButton, self)
        named(box, "deleteContactQuestion", tr("Delete contact"))
        yes = box.addButton(tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        yes.setObjectName("deleteContactConfirmButton")
        box.addButton(tr("Keep it"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: button is yes and run_service(
            self, self.events, delete_contact, self.ctx, contact.id, contact.version,
            on_failure=lambda e: (self.error.setText(error_text(e)), self.error.show())))
        box.open()
        return box

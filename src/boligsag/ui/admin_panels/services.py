"""Kommunale tjenester: the catalogue of services residents are referred to.

An administrator adds, edits, deactivates and reactivates services; everyone else
sees the catalogue read-only. Services are never deleted (referrals point at them for
years); a deactivated one leaves the pick lists only. A service without an address is
marked, since no letter can be addressed to it.

``ServicesPanel(ctx, events)``.
"""

from __future__ import annotations

from enum import IntEnum
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.permissions import Permission
from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.service_catalogue import ServiceRow, list_services, set_service_active
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.models.rows import RowsModel
from boligsag.ui.models.table import setup_table
from boligsag.ui.reloader import Reloader
from boligsag.ui.theme import MUTED, SUCCESS, WARNING
from boligsag.ui.widgets import named

from .service_dialog import ServiceDialog


def address_text(service: ServiceRow) -> str:
    if not service.has_address:
        return tr("Address missing: letters cannot be sent")
    return f"{service.street}, {service.postal_code} {service.city}"


class ServiceColumn(IntEnum):
    NAME = 0
    ADDRESS = 1
    CONTACT = 2
    PHONE = 3
    EMAIL = 4
    STATUS = 5


class ServicesModel(RowsModel):
    columns = ServiceColumn

    def header(self, column: ServiceColumn) -> str:
        return {ServiceColumn.NAME: tr("Name"), ServiceColumn.ADDRESS: tr("Address"),
                ServiceColumn.CONTACT: tr("Contact person"), ServiceColumn.PHONE: tr("Phone"),
                ServiceColumn.EMAIL: tr("Secure e-mail"),
                ServiceColumn.STATUS: tr("Status")}[column]

    def text(self, row: ServiceRow, column: ServiceColumn) -> str:
        if column == ServiceColumn.NAME:
            return row.name
        if column == ServiceColumn.ADDRESS:
            return address_text(row)
        if column == ServiceColumn.CONTACT:
            return row.contact_person
        if column == ServiceColumn.PHONE:
            return row.phone
        if column == ServiceColumn.EMAIL:
            return row.secure_email
        return tr("Active") if row.active else tr("Inactive")

    def tooltip(self, row: ServiceRow, column: ServiceColumn) -> str | None:
        return row.display_name if column == ServiceColumn.NAME else None

    def foreground(self, row: ServiceRow, column: ServiceColumn) -> QColor | None:
        if column == ServiceColumn.STATUS:
            return QColor(SUCCESS if row.active else MUTED)
        if column == ServiceColumn.ADDRESS and not row.has_address:
            return QColor(WARNING)
        return None if row.active else QColor(MUTED)

    def bold(self, row: ServiceRow, column: ServiceColumn) -> bool:
        return column == ServiceColumn.NAME and row.active


class ServicesPanel(QWidget):
    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self.can_edit = ctx.actor.can(Permission.MANAGE_SERVICES)
        named(self, "servicesPanel", tr("Municipal services"))

        self.model = ServicesModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        title = QLabel(tr("Municipal services"))
        title.setProperty("role", "cardTitle")
        layout.addWidget(title)
        intro = QLabel(tr("The services residents are referred to. Letters are addressed "
                          "from these details.") + " " + (
            "" if self.can_edit else tr("Only an administrator can change the catalogue.")))
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.add_button = named(QPushButton(tr("Add service…")), "addServiceButton",
                                tr("Add service"))
        self.add_button.setProperty("role", "primary")
        self.add_button.clicked.connect(self.add_service)
        self.edit_button = named(QPushButton(tr("Edit…")), "editServiceButton",
                                 tr("Edit service"))
        self.edit_button.clicked.connect(self.edit_service)
        self.active_button = named(QPushButton(tr("Deactivate")), "toggleServiceButton",
                                   tr("Deactivate or reactivate the service"))
        self.active_button.clicked.connect(self.toggle_active)
        self.show_inactive = named(QCheckBox(tr("Show inactive")), "showInactiveServices",
                                   tr("Show inactive services"))
        self.show_inactive.toggled.connect(lambda _on: self.reloader.reload())
        for widget in (self.add_button, self.edit_button, self.active_button):
            if not self.can_edit:  # not setVisible(True): without a parent yet, a window
                widget.hide()
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.show_inactive)
        layout.addLayout(bar)
        self.table = setup_table(
            named(QTableView(), "servicesTable", tr("Municipal services")), self.model,
            stretch=(ServiceColumn.ADDRESS, ServiceColumn.CONTACT, ServiceColumn.EMAIL),
            widths={ServiceColumn.NAME: 190, ServiceColumn.PHONE: 115,
                    ServiceColumn.STATUS: 80})
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.table.activated.connect(lambda _i: self.edit_service())
        layout.addWidget(self.table, 1)
        self.message = named(QLabel(), "servicesMessage", tr("Status"))
        self.message.setProperty("role", "muted")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self._update_buttons()
        self.reloader = Reloader(self, events, {Entity.SERVICES}, loader=lambda: partial(
            list_services, ctx, include_inactive=self.show_inactive.isChecked()),
            apply=self._show, failed=self._failed)

    def _show(self, rows: list[ServiceRow]) -> None:
        chosen = self.chosen()
        self.model.set_rows(rows)
        for row, service in enumerate(rows):
            if chosen is not None and service.id == chosen.id:
                self.table.selectRow(row)
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error))
        self.message.show()

    def chosen(self) -> ServiceRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        service = self.chosen()
        self.edit_button.setEnabled(service is not None)
        self.active_button.setEnabled(service is not None)
        self.active_button.setText(tr("Reactivate") if service is not None and not service.active
                                   else tr("Deactivate"))

    # -- commands ---------------------------------------------------------------------

    def add_service(self) -> ServiceDialog | None:
        return self._open(None)

    def edit_service(self) -> ServiceDialog | None:
        service = self.chosen()
        return self._open(service) if service is not None else None

    def _open(self, service: ServiceRow | None) -> ServiceDialog | None:
        if not self.can_edit:
            return None
        dialog = ServiceDialog(self.ctx, self.events, service, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    def toggle_active(self) -> None:
        service = self.chosen()
        if service is None or not self.can_edit:
            return
        if service.active:
            answer = QMessageBox.question(self, tr("Deactivate service"), tr(
                "Deactivate {name}? It disappears from the pick lists; existing referrals "
                "keep pointing at it. You can reactivate it later.", name=service.name))
            if answer != QMessageBox.StandardButton.Yes:
                return
        run_service(self, self.events, set_service_active, self.ctx, service.id,
                    not service.active, version=service.version, on_failure=self._failed)

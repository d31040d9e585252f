"""The filters above the referrals list: status, service, staff member, overdue only.
Each change becomes a new ``ReferralFilter``; the model asks SQL again."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from boligsag.domain.enums import ReferralStatus
from boligsag.domain.permissions import Permission
from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.service_catalogue import list_services
from boligsag.services.users import list_staff_choices
from boligsag.ui.case_labels import status_label
from boligsag.ui.flow_layout import FlowLayout
from boligsag.ui.widgets import named

from .model import OPEN_STATUSES, ReferralFilter

_OPEN, _ALL = "open", "all"


class ReferralFilterBar(QWidget):
    changed = Signal(object)  # ReferralFilter

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.filter = ReferralFilter()
        named(self, "referralFilters", tr("Filters"))
        # Wraps to a second line when a large font or display scaling leaves too little
        # width, instead of pushing the window past the screen.
        row = FlowLayout(self, spacing=8)
        row.setContentsMargins(0, 0, 0, 0)
        self.status = named(QComboBox(), "statusFilter", tr("Status"))
        self.status.addItem(tr("Open referrals"), _OPEN)
        self.status.addItem(tr("All statuses"), _ALL)
        for status in ReferralStatus:
            self.status.addItem(status_label(status), str(status))
        self.service = named(QComboBox(), "serviceFilter", tr("Service"))
        self.service.addItem(tr("All services"), None)
        self.staff = named(QComboBox(), "staffFilter", tr("Staff member"))
        self.staff.addItem(tr("All staff"), None)
        self.overdue = named(QCheckBox(tr("Only &overdue")), "overdueFilter",
                             tr("Only overdue referrals"))
        self.overdue.setToolTip(tr("Referrals that have waited longer than the limit for "
                                   "their status"))
        for combo in (self.status, self.service, self.staff):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
            combo.currentIndexChanged.connect(lambda _i: self._emit())
            row.addWidget(combo)
        self.overdue.toggled.connect(lambda _c: self._emit())
        row.addWidget(self.overdue)
        self._filled = False

    def fill(self, *, again: bool = False) -> None:
        """Services and staff, read when the page is first shown (small lists); again
        when the catalogue changed, keeping the choice."""
        if self._filled and not again:
            return
        self._filled = True
        chosen = (self.service.currentData(), self.staff.currentData())
        for combo in (self.service, self.staff):
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
        for service in list_services(self.ctx, include_inactive=True):
            text = service.name if service.active else tr("{name} (inactive)", name=service.name)
            self.service.addItem(text, service.id)
        for user in list_staff_choices(self.ctx, able_to=Permission.MANAGE_REFERRALS):
            self.staff.addItem(user.full_name, user.id)
        for combo, value in zip((self.service, self.staff), chosen, strict=True):
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)

    def set_overdue_only(self, on: bool) -> None:
        self.overdue.setChecked(on)

    def _emit(self) -> None:
        choice = self.status.currentData()
        statuses = (OPEN_STATUSES if choice == _OPEN else None if choice == _ALL
                    else (ReferralStatus(choice),))
        self.filter = replace(self.filter, statuses=statuses,
                              service_id=self.service.currentData(),
                              staff_id=self.staff.currentData(),
                              overdue_only=self.overdue.isChecked())
        self.changed.emit(self.filter)

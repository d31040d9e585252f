"""A referral's details in a window of their own, for places outside the referrals
page (the start page's reminders, a person's page)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.ui.events import AppEvents
from boligsag.ui.reloader import Reloader
from boligsag.ui.widgets import named

from .details import ReferralDetailsPane


class ReferralDetailsDialog(QDialog):
    def __init__(self, ctx: AppContext, events: AppEvents, referral_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "referralDetailsDialog", tr("Referral"))
        self.setWindowTitle(tr("Referral"))
        self.resize(620, 760)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 20, 22, 16)
        self.pane = ReferralDetailsPane(ctx, events)
        layout.addWidget(self.pane, 1)
        buttons = QDialogButtonBox()
        close = named(buttons.addButton(tr("Close"), QDialogButtonBox.ButtonRole.RejectRole),
                      "referralDetailsCloseButton", tr("Close"))
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.referral_id = referral_id
        # Steps taken here change the referral: show it again when they are recorded.
        self.reloader = Reloader(self, events, {Entity.REFERRALS, Entity.CONSENTS},
                                 start=lambda _changes: self.pane.show_referral(
                                     self.referral_id, at_once=True))
        self.reloader.reload()

"""What a draft needs before it can be sent: the service's reason it cannot be sent
today (consent missing, expired, withdrawn, for another service), and the fixes —
record a new consent (attached to the draft at once) or edit the draft."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from boligsag.domain.enums import ReferralKind, ReferralStatus
from boligsag.i18n import tr
from boligsag.services.consents import ConsentRow
from boligsag.services.context import AppContext
from boligsag.services.referrals import ReferralDetails, ReferralInput, update_draft
from boligsag.ui.consents.dialog import ConsentDialog
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.widgets import named

from .new_dialog import NewReferralDialog


class DraftActions(QWidget):
    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self.details: ReferralDetails | None = None
        named(self, "draftActions", tr("Before sending"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.problem = named(QLabel(), "sendProblem", tr("Why it cannot be sent"))
        self.problem.setProperty("role", "banner")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        self.consent_button = named(QPushButton(tr("Record consent…")),
                                    "draftConsentButton", tr("Record consent for this referral"))
        self.consent_button.setToolTip(tr("Record the person's consent to this service and "
                                          "attach it to the draft"))
        self.consent_button.clicked.connect(self.record_consent)
        self.edit_button = named(QPushButton(tr("Edit draft…")), "editDraftButton",
                                 tr("Edit draft"))
        self.edit_button.clicked.connect(self.edit_draft)
        buttons.addWidget(self.consent_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.hide()

    def show_for(self, details: ReferralDetails) -> None:
        self.details = details
        draft = details.row.status is ReferralStatus.DRAFT
        self.setVisible(draft)
        self.problem.setVisible(bool(details.send_problem))
        self.problem.setText(details.send_problem or "")
        self.consent_button.setVisible(
            bool(details.send_problem) and details.row.kind is ReferralKind.REFERRAL)

    def record_consent(self) -> ConsentDialog | None:
        if self.details is None:
            return None
        row = self.details.row
        dialog = ConsentDialog(self.ctx, row.person_id, self.window(), events=self.events,
                               service_id=row.service_id, person_name=row.person_name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._attach)
        dialog.open()
        self.consent_dialog = dialog
        return dialog

    def _attach(self, consent: ConsentRow) -> None:
        """A consent to the draft's own service is attached at once: that is why the
        worker recorded it from here."""
        if self.details is None or consent.service_id != self.details.row.service_id:
            return
        row, reason = self.details.row, self.details.reason
        data = ReferralInput(person_id=row.person_id, service_id=row.service_id,
                             reason=reason, kind=row.kind, consent_id=consent.id,
                             contact_user_id=row.contact_user_id)
        run_service(self, self.events, update_draft, self.ctx, row.id, data,
                    version=row.version, on_failure=self._failed)

    def _failed(self, error: BaseException) -> None:
        self.problem.setText(error_text(error))
        self.problem.show()

    def edit_draft(self) -> None:
        if self.details is None:
            return
        dialog = NewReferralDialog(self.ctx, self.events, self.window(), draft=self.details)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.edit_dialog = dialog

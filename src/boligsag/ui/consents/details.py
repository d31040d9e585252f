"""One recorded consent: what it covers and its state, with "Tilbagekald …" (withdraw,
with the date it was received) and "Udskriv samtykkeerklæring …" (the form to sign)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.consent import ConsentState
from boligsag.domain.permissions import Permission
from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.consents import ConsentRow, get_consent, scope_options, withdraw_consent
from boligsag.services.context import AppContext
from boligsag.services.letters import render_consent_form
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.forms import FieldMessages, buddy, date_edit, to_date
from boligsag.ui.letters.opener import open_letter_preview
from boligsag.ui.stale_notice import StaleNotice
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named

from .card import ConsentCard


class WithdrawConsentDialog(QDialog):
    withdrawn = Signal(object)  # the ConsentRow after withdrawal

    def __init__(self, ctx: AppContext, events: AppEvents, consent: ConsentRow,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events, self.consent = ctx, events, consent
        self._busy = False
        named(self, "withdrawConsentDialog", tr("Withdraw consent"))
        self.setWindowTitle(tr("Withdraw consent"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(26, 22, 26, 18)
        layout.setSpacing(12)
        layout.addWidget(DialogHeader("key", tr("Withdraw consent"), tr(
            "{person}'s consent to {service}. Referrals already sent are not affected; "
            "drafts that rely on it can no longer be sent.",
            person=consent.person_name, service=consent.service_name)))
        form = form_layout(8)
        today = ctx.today()
        self.date = date_edit("withdrawDateEdit", tr("Withdrawn on"), today,
                              minimum=min(consent.valid_from, today), maximum=today)
        form.addRow(buddy(tr("&Withdrawn on"), self.date), self.date)
        self.errors = FieldMessages(FieldError("withdrawError"))
        form.addRow("", self.errors.add("withdrawn_on", FieldError("withdrawDateError")))
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        buttons = QDialogButtonBox()
        self.ok_button = named(buttons.addButton(tr("Withdraw consent"),
                                                 QDialogButtonBox.ButtonRole.AcceptRole),
                               "withdrawOkButton", tr("Withdraw consent"))
        self.ok_button.setDefault(True)
        named(buttons.addButton(tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole),
              "withdrawCancelButton", tr("Cancel"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # Only the date is the user's: a colleague's change to the consent is adopted.
        consent_id = consent.id
        self.stale_notice = StaleNotice(
            self, ctx, events, {Entity.CONSENTS}, load=lambda: get_consent(ctx, consent_id),
            version=lambda c: c.version, base_version=lambda: self.consent.version,
            fill=self._adopt, reload_offered=False)
        layout.insertWidget(1, self.stale_notice)

    def _adopt(self, consent: ConsentRow) -> None:
        self.consent = consent

    def submit(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.ok_button.setEnabled(False)
        run_service(self, self.events, withdraw_consent, self.ctx, self.consent.id,
                    version=self.consent.version, on=to_date(self.date.date()),
                    on_success=self._done, on_failure=self._failed)

    def _done(self, consent: ConsentRow) -> None:
        self._busy = False
        self.withdrawn.emit(consent)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.ok_button.setEnabled(True)
        self.errors.show(error)


class ConsentDetailsDialog(QDialog):
    """``ConsentDetailsDialog(ctx, consent_id, parent, events=...)``."""

    def __init__(self, ctx: AppContext, consent_id: int, parent: QWidget | None = None, *,
                 events: AppEvents | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.events = events if events is not None else AppEvents(self)
        self.consent = get_consent(ctx, consent_id)  # one row
        named(self, "consentDetailsDialog", tr("Consent"))
        self.setWindowTitle(tr("Consent"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(26, 22, 26, 18)
        layout.setSpacing(14)
        layout.addWidget(DialogHeader("key", tr("Consent from {name}",
                                                name=self.consent.person_name)))
        labels = {o.code: o.label for o in scope_options(ctx)}
        self.card = ConsentCard(labels)
        layout.addWidget(self.card)
        self.message = named(QLabel(), "consentDetailsMessage", tr("Status"))
        self.message.setProperty("role", "muted")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.withdraw_button = named(buttons.addButton(
            tr("Withdraw…"), QDialogButtonBox.ButtonRole.ActionRole), "withdrawConsentButton",
            tr("Withdraw consent"))
        self.withdraw_button.clicked.connect(self.withdraw)
        self.print_button = named(buttons.addButton(
            tr("Print consent form…"), QDialogButtonBox.ButtonRole.ActionRole),
            "printConsentFormButton", tr("Print consent form"))
        self.print_button.clicked.connect(self.print_form)
        close = named(buttons.addButton(tr("Close"), QDialogButtonBox.ButtonRole.RejectRole),
                      "consentDetailsCloseButton", tr("Close"))
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._show()

    def _show(self) -> None:
        self.card.show_consent(self.consent)
        may_manage = self.ctx.actor.can(Permission.MANAGE_CONSENTS)
        self.withdraw_button.setVisible(may_manage)
        self.withdraw_button.setEnabled(self.consent.state is not ConsentState.WITHDRAWN)
        self.print_button.setVisible(self.ctx.actor.can(Permission.PRINT_LETTERS))

    def withdraw(self) -> None:
        dialog = WithdrawConsentDialog(self.ctx, self.events, self.consent, self)
        dialog.withdrawn.connect(self._withdrawn)
        dialog.open()
        self.withdraw_dialog = dialog

    def _withdrawn(self, consent: ConsentRow) -> None:
        self.consent = consent
        self._show()
        self.message.setText(tr("The withdrawal is recorded."))
        self.message.show()

    def print_form(self) -> None:
        ctx, consent_id = self.ctx, self.consent.id
        open_letter_preview(self, ctx, lambda: render_consent_form(ctx, consent_id),
                            on_opened=lambda dialog: setattr(self, "preview", dialog))

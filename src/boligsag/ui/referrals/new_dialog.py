"""Ny henvisning: a person (typed), a service, the reason, and the consent it relies
on, chosen from that person's consents to that service with their state shown. A
notification of concern (underretning) needs no consent. The same dialog edits a draft,
e.g. to attach a renewed consent."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.consent import ConsentState
from boligsag.domain.enums import ReferralKind
from boligsag.domain.permissions import Permission
from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.consents import ConsentRow, consents_for_person
from boligsag.services.context import AppContext
from boligsag.services.referrals import (
    ReferralDetails,
    ReferralInput,
    ReferralRow,
    create_referral,
    referral_details,
    update_draft,
)
from boligsag.services.service_catalogue import list_services
from boligsag.services.users import list_staff_choices
from boligsag.ui.background import run_in_background
from boligsag.ui.case_labels import consent_state_label
from boligsag.ui.consents.dialog import ConsentDialog
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.forms import FieldMessages, buddy, no_auto_default, text_box_height
from boligsag.ui.stale_notice import StaleNotice
from boligsag.ui.theme import SUCCESS, WARNING
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named, ok_cancel_buttons

from .person_picker import PersonPicker


def consent_choice_text(consent: ConsentRow) -> str:
    state = consent_state_label(consent.state)
    return tr("{state}: {start} – {end}, given by {giver}", state=state,
              start=short_date(consent.valid_from), end=short_date(consent.valid_to),
              giver=consent.given_by)


class NewReferralDialog(QDialog):
    saved = Signal(object)  # the ReferralRow created or edited

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None, *,
                 person_id: int | None = None, person_name: str = "",
                 draft: ReferralDetails | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events, self.draft = ctx, events, draft
        self._busy = False
        self._consents: list[ConsentRow] = []
        self._generation = 0
        title = tr("Edit draft") if draft else tr("New referral")
        named(self, "newReferralDialog", title)
        self.setWindowTitle(title)
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(26, 22, 26, 18)
        layout.setSpacing(12)
        layout.addWidget(DialogHeader("bridge", title, tr(
            "A bridge to a municipal service. It starts as a draft: check the letter, "
            "then mark it as sent.")))
        self.errors = FieldMessages(FieldError("newReferralError"))
        form = form_layout(8)
        form.setVerticalSpacing(6)

        kinds = QHBoxLayout()
        self.kind_referral = named(QRadioButton(tr("&Referral (needs consent)")),
                                   "kindReferralRadio", tr("Referral"))
        self.kind_concern = named(QRadioButton(tr("Notification of &concern about a child")),
                                  "kindConcernRadio", tr("Notification of concern"))
        self.kind_concern.setToolTip(tr("Barnets lov § 135: the duty to notify the "
                                        "municipality. Needs no consent."))
        self.kinds = QButtonGroup(self)
        for button in (self.kind_referral, self.kind_concern):
            self.kinds.addButton(button)
            kinds.addWidget(button)
        kinds.addStretch(1)
        self.kind_referral.setChecked(True)
        form.addRow(tr("Type"), kinds)

        self.picker = PersonPicker(ctx)
        form.addRow(buddy(tr("&Person"), self.picker.edit), self.picker)
        self.person_error = self.errors.add("person", FieldError("personError"))
        form.addRow("", self.person_error)

        self.service = named(QComboBox(), "serviceCombo", tr("Service"))
        for service in list_services(ctx):  # a catalogue of a dozen rows: read at once
            self.service.addItem(service.display_name, service.id)
        self.service.setCurrentIndex(-1)
        self.service.setPlaceholderText(tr("Choose the service"))
        form.addRow(buddy(tr("&Service"), self.service), self.service)
        form.addRow("", self.errors.add("service", FieldError("serviceError")))

        consent_row = QHBoxLayout()
        consent_row.setSpacing(8)
        self.consent = named(QComboBox(), "consentCombo", tr("Consent"))
        self.consent.setMinimumContentsLength(36)
        self.new_consent = named(QPushButton(tr("New consent…")), "newConsentButton",
                                 tr("Record a new consent"))
        self.new_consent.clicked.connect(self.record_consent)
        consent_row.addWidget(self.consent, 1)
        consent_row.addWidget(self.new_consent)
        self.consent_label = buddy(tr("C&onsent"), self.consent)
        form.addRow(self.consent_label, consent_row)
        self.consent_hint = named(QLabel(), "consentHint", tr("About the consent"))
        self.consent_hint.setWordWrap(True)
        form.addRow("", self.consent_hint)
        form.addRow("", self.errors.add("consent", FieldError("consentError")))

        self.reason = named(QPlainTextEdit(), "reasonEdit", tr("Reason"))
        self.reason.setTabChangesFocus(True)
        text_box_height(self.reason, 84)
        self.reason.setPlaceholderText(tr("What the resident wants help with, and what "
                                          "the service should know"))
        form.addRow(buddy(tr("&Reason"), self.reason), self.reason)
        form.addRow("", self.errors.add("reason", FieldError("reasonError")))

        self.staff = named(QComboBox(), "staffCombo", tr("Contact staff member"))
        for user in list_staff_choices(ctx, able_to=Permission.MANAGE_REFERRALS):
            self.staff.addItem(user.full_name, user.id)
        self.staff.setCurrentIndex(max(0, self.staff.findData(ctx.actor.user_id)))
        form.addRow(buddy(tr("Con&tact person"), self.staff), self.staff)
        form.addRow("", self.errors.add("contact_user", FieldError("staffError")))
        layout.addLayout(form)
        layout.addWidget(self.errors.general)

        ok_text = tr("Save draft") if draft else tr("Create referral")
        buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(
            self, ok_text, "newReferral", self.submit)
        layout.addWidget(buttons)

        self.picker.chosen.connect(lambda _p: self.load_consents())
        self.service.currentIndexChanged.connect(lambda _i: self._fill_consents())
        self.consent.currentIndexChanged.connect(lambda _i: self._update_hint())
        self.kinds.buttonToggled.connect(lambda _b, _c: self._kind_changed())
        if draft is not None:
            self._fill_from(draft)
            referral_id = draft.row.id
            self.stale_notice = StaleNotice(
                self, ctx, events, {Entity.REFERRALS},
                load=lambda: referral_details(ctx, referral_id),
                version=lambda d: d.row.version,
                base_version=lambda: self.draft.row.version,  # type: ignore[union-attr]
                fill=self._refill)
            layout.insertWidget(1, self.stale_notice)
        elif person_id is not None:
            self.picker.set_fixed(person_id, person_name)
            self.load_consents()
        if self.picker.person_id is None:
            self._fill_consents()
        self._kind_changed()
        no_auto_default(self)
        (self.service if person_id or draft else self.picker.edit).setFocus()

    def _fill_from(self, draft: ReferralDetails) -> None:
        row = draft.row
        self.picker.set_fixed(row.person_id, row.person_name)
        self.kind_concern.setChecked(row.kind is ReferralKind.CONCERN)
        self.service.setCurrentIndex(self.service.findData(row.service_id))
        self.reason.setPlainText(draft.reason)
        index = self.staff.findData(row.contact_user_id)
        if index >= 0:
            self.staff.setCurrentIndex(index)
        self.load_consents(select=row.consent_id)

    def _refill(self, draft: ReferralDetails) -> None:
        """The draft as saved now (a colleague's change arrived), at its version."""
        self.draft = draft
        self._fill_from(draft)

    # -- consents ---------------------------------------------------------------------

    def kind(self) -> ReferralKind:
        return ReferralKind.CONCERN if self.kind_concern.isChecked() else ReferralKind.REFERRAL

    def _kind_changed(self) -> None:
        concern = self.kind() is ReferralKind.CONCERN
        for widget in (self.consent, self.new_consent, self.consent_label):
            widget.setVisible(not concern)
        self._update_hint()

    def load_consents(self, select: int | None = None) -> None:
        """The chosen person's consents, read off the GUI thread."""
        self._generation += 1
        generation, person_id = self._generation, self.picker.person_id
        self._consents = []
        self._fill_consents()
        if person_id is None:
            return
        ctx = self.ctx
        run_in_background(self, lambda _t: consents_for_person(ctx, person_id),
                          on_success=lambda rows: self._consents_loaded(generation, rows, select),
                          on_failure=self.errors.show)

    def _consents_loaded(self, generation: int, rows: list[ConsentRow],
                         select: int | None) -> None:
        if generation == self._generation:
            self._consents = rows
            self._fill_consents(select)
            if select is not None and self.draft is not None:  # the draft's own consent
                self.stale_notice.settle(self.consent)

    def _fill_consents(self, select: int | None = None) -> None:
        """The consents to the chosen service, valid ones first; state in the text."""
        service_id = self.service.currentData()
        keep = select if select is not None else self.consent.currentData()
        matching = [c for c in self._consents if c.service_id == service_id]
        matching.sort(key=lambda c: (c.state is not ConsentState.VALID, -c.valid_to.toordinal()))
        self.consent.blockSignals(True)
        self.consent.clear()
        for consent in matching:
            self.consent.addItem(consent_choice_text(consent), consent.id)
        if not matching:
            chosen = self.picker.person_id is not None and service_id is not None
            self.consent.addItem(tr("No consent to this service yet") if chosen else "–", None)
        index = self.consent.findData(keep) if keep is not None else -1
        self.consent.setCurrentIndex(index if index >= 0 else 0)
        self.consent.setEnabled(bool(matching))
        self.consent.blockSignals(False)
        self.new_consent.setEnabled(self.picker.person_id is not None)
        self._update_hint()

    def chosen_consent(self) -> ConsentRow | None:
        consent_id = self.consent.currentData()
        return next((c for c in self._consents if c.id == consent_id), None)

    def _update_hint(self) -> None:
        if self.kind() is ReferralKind.CONCERN:
            text, color = tr("A notification of concern needs no consent."), SUCCESS
        elif self.picker.person_id is None or self.service.currentIndex() < 0:
            text, color = tr("Choose the person and the service to see their consents."), ""
        elif (consent := self.chosen_consent()) is None:
            text, color = tr("You can save the draft now, but it cannot be sent before a "
                             "consent to this service is recorded."), WARNING
        elif consent.state is ConsentState.VALID:
            text, color = tr("Valid until {date}.", date=short_date(consent.valid_to)), SUCCESS
        else:
            text, color = tr("This consent is {state}: the referral cannot be sent before the "
                             "consent is renewed.",
                             state=consent_state_label(consent.state).lower()), WARNING
        self.consent_hint.setText(text)
        self.consent_hint.setStyleSheet(f"color: {color};" if color else "")

    def record_consent(self) -> None:
        person_id = self.picker.person_id
        if person_id is None:
            return
        dialog = ConsentDialog(self.ctx, person_id, self, events=self.events,
                               service_id=self.service.currentData(),
                               person_name=self.picker.person_name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda consent: self.load_consents(select=consent.id))
        dialog.open()
        self.consent_dialog = dialog

    # -- saving -----------------------------------------------------------------------

    def referral_input(self) -> ReferralInput | None:
        if self.picker.person_id is None:
            self.errors.clear()
            self.person_error.show_message(tr("Choose the person the referral is about."))
            self.picker.edit.setFocus()
            return None
        service_id = self.service.currentData()
        return ReferralInput(
            person_id=self.picker.person_id,
            service_id=service_id if service_id is not None else -1,
            reason=self.reason.toPlainText(),
            kind=self.kind(),
            consent_id=self.consent.currentData() if self.kind() is ReferralKind.REFERRAL
            else None,
            contact_user_id=self.staff.currentData(),
        )

    def submit(self) -> None:
        if self._busy or (data := self.referral_input()) is None:
            return
        self._set_busy(True)
        self.errors.clear()
        if self.draft is None:
            run_service(self, self.events, create_referral, self.ctx, data,
                        on_success=self._done, on_failure=self._failed)
        else:
            run_service(self, self.events, update_draft, self.ctx, self.draft.row.id, data,
                        version=self.draft.row.version, on_success=self._done,
                        on_failure=self._failed)

    def _done(self, row: ReferralRow) -> None:
        self._set_busy(False)
        self.saved.emit(row)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.errors.show(error)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ok_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def reject(self) -> None:
        if not self._busy:
            super().reject()

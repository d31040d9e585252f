"""Record a consent (samtykke): which information, to which service, for which purpose,
given by whom, valid from–to (one year unless told otherwise), signed when.

The rules are the service's (``consents.record_consent``); its refusals appear beside
the field they concern. Used by the referral dialog and by the person page."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.consent import default_valid_to
from boligsag.i18n import tr
from boligsag.services.consents import (
    ConsentInput,
    ConsentRow,
    consent_givers,
    record_consent,
    scope_options,
)
from boligsag.services.context import AppContext
from boligsag.services.letters import render_consent_form
from boligsag.services.service_catalogue import list_services
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.forms import (
    FieldMessages,
    buddy,
    date_edit,
    text_box_height,
    to_date,
    to_qdate,
)
from boligsag.ui.letters.opener import open_letter_preview
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named


class ConsentDialog(QDialog):
    """``ConsentDialog(ctx, person_id, parent)``; ``saved`` carries the new ConsentRow.
    Pass ``events`` so the open views refresh after the save."""

    saved = Signal(object)

    def __init__(self, ctx: AppContext, person_id: int, parent: QWidget | None = None, *,
                 events: AppEvents | None = None, service_id: int | None = None,
                 person_name: str = "") -> None:
        super().__init__(parent)
        self.ctx, self.person_id = ctx, person_id
        self.events = events if events is not None else AppEvents(self)
        self._busy = False
        self._print_after = False
        named(self, "consentDialog", tr("New consent"))
        self.setWindowTitle(tr("New consent"))
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(26, 22, 26, 18)
        layout.setSpacing(10)
        intro = tr("Which information may be passed on, to whom and why. A consent is "
                   "valid for one year at most and can be withdrawn at any time.")
        header_title = (tr("Consent from {name}", name=person_name) if person_name
                        else tr("New consent"))
        layout.addWidget(DialogHeader("key", header_title, intro))
        self.errors = FieldMessages(FieldError("consentDialogError"))
        form = form_layout(8)
        form.setVerticalSpacing(6)

        self.service = named(QComboBox(), "consentServiceCombo", tr("Recipient"))
        for service in list_services(ctx):  # a short catalogue: read at once
            self.service.addItem(service.display_name, service.id)
        self.service.setPlaceholderText(tr("Choose the service that may receive it"))
        self.service.setCurrentIndex(self.service.findData(service_id) if service_id else -1)
        form.addRow(buddy(tr("&Recipient"), self.service), self.service)
        form.addRow("", self.errors.add("service", FieldError("consentServiceError")))

        scopes = QGridLayout()
        scopes.setHorizontalSpacing(18)
        scopes.setVerticalSpacing(4)
        self.scope_boxes: dict[str, QCheckBox] = {}
        for number, option in enumerate(scope_options(ctx)):
            box = named(QCheckBox(option.label), f"scope_{option.code}", option.label,
                        option.description)
            box.setToolTip(option.description)
            scopes.addWidget(box, number // 2, number % 2)
            self.scope_boxes[option.code] = box
        form.addRow(tr("Information"), scopes)
        form.addRow("", self.errors.add("scope", FieldError("consentScopeError")))

        self.purpose = named(QPlainTextEdit(), "consentPurposeEdit", tr("Purpose"))
        self.purpose.setTabChangesFocus(True)
        text_box_height(self.purpose, 52)
        self.purpose.setPlaceholderText(tr("E.g. so the job centre can contact you about "
                                           "a leisure job and guidance"))
        form.addRow(buddy(tr("&Purpose"), self.purpose), self.purpose)
        form.addRow("", self.errors.add("purpose", FieldError("consentPurposeError")))

        form.addRow(tr("Given by"), self._giver_widget())
        form.addRow("", self.errors.add("given_by", FieldError("consentGiverError")))

        today = ctx.today()
        period = QHBoxLayout()
        self.valid_from = date_edit("consentValidFromEdit", tr("Valid from"), today)
        self.valid_to = date_edit("consentValidToEdit", tr("Valid until"),
                                  default_valid_to(today))
        self._default_to = default_valid_to(today)
        self.valid_from.dateChanged.connect(lambda _d: self._from_changed())
        period.setSpacing(10)
        period.addWidget(self.valid_from)
        period.addWidget(buddy(tr("&until"), self.valid_to))
        period.addWidget(self.valid_to)
        period.addStretch(1)
        form.addRow(buddy(tr("&Valid from"), self.valid_from), period)
        form.addRow("", self.errors.add("valid_from", FieldError("consentValidFromError")))
        form.addRow("", self.errors.add("valid_to", FieldError("consentValidToError")))
        self.signed_on = date_edit("consentSignedOnEdit", tr("Signed on"), today, maximum=today)
        form.addRow(buddy(tr("&Signed on"), self.signed_on), self.signed_on)
        form.addRow("", self.errors.add("signed_on", FieldError("consentSignedOnError")))
        layout.addLayout(form)
        layout.addWidget(self.errors.general)

        buttons = QDialogButtonBox()
        self.ok_button = named(buttons.addButton(tr("Save consent"),
                                                 QDialogButtonBox.ButtonRole.AcceptRole),
                               "consentSaveButton", tr("Save consent"))
        self.ok_button.setDefault(True)
        self.print_button = named(buttons.addButton(
            tr("Save and print the form…"), QDialogButtonBox.ButtonRole.ActionRole),
            "consentSavePrintButton", tr("Save and print the consent form"))
        self.print_button.clicked.connect(lambda: self.submit(print_form=True))
        self.cancel_button = named(buttons.addButton(
            tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole), "consentCancelButton",
            tr("Cancel"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.purpose if service_id else self.service).setFocus()

    def _giver_widget(self) -> QWidget:
        givers = consent_givers(self.ctx, self.person_id)  # one small query
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(4)
        self.giver_self = named(QRadioButton(tr("The person themself")), "giverSelfRadio",
                                tr("Given by the person themself"))
        self.giver_parent = named(QRadioButton(tr("Parent with custody:")), "giverParentRadio",
                                  tr("Given by a parent with custody"))
        self.giver_parent_combo = named(QComboBox(), "giverParentCombo",
                                        tr("Parent with custody"))
        for holder_id, name in givers.custody_holders:
            self.giver_parent_combo.addItem(name, holder_id)
        self.giver_named = named(QRadioButton(tr("Other custody holder:")), "giverNamedRadio",
                                 tr("Given by another holder of custody"))
        self.giver_name = named(QLineEdit(), "giverNameEdit", tr("Name of the custody holder"))
        self.giver_name.setPlaceholderText(tr("Full name"))
        self.givers = QButtonGroup(self)
        for row, (radio, field) in enumerate(((self.giver_self, None),
                                              (self.giver_parent, self.giver_parent_combo),
                                              (self.giver_named, self.giver_name))):
            self.givers.addButton(radio)
            grid.addWidget(radio, row, 0)
            if field is not None:
                grid.addWidget(field, row, 1)
        grid.setColumnStretch(1, 1)
        self.giver_note = named(QLabel(), "giverNote", tr("Who gives the consent"))
        self.giver_note.setProperty("role", "muted")
        self.giver_note.setWordWrap(True)
        grid.addWidget(self.giver_note, 3, 0, 1, 2)
        has_parents = bool(givers.custody_holders)
        self.giver_parent.setEnabled(has_parents and givers.is_child is not False)
        self.giver_named.setEnabled(givers.is_child is not False)
        self.giver_self.setEnabled(givers.is_child is not True)
        if givers.is_child:
            self.giver_note.setText(tr("The person is under 18: a holder of parental custody "
                                       "gives the consent."))
            (self.giver_parent if has_parents else self.giver_named).setChecked(True)
        elif givers.is_child is None:
            self.giver_note.setText(tr("The date of birth is unknown. An adult consents "
                                       "personally; for a child, choose the custody holder."))
            self.giver_self.setChecked(True)
        else:  # an adult consents personally: the custody choices do not apply
            for widget in (self.giver_parent, self.giver_parent_combo, self.giver_named,
                           self.giver_name):
                widget.hide()
            self.giver_note.setText(tr("An adult gives consent personally."))
            self.giver_self.setChecked(True)
        self.givers.buttonToggled.connect(lambda _b, _c: self._giver_changed())
        self._giver_changed()
        return box

    def _giver_changed(self) -> None:
        self.giver_parent_combo.setEnabled(self.giver_parent.isChecked())
        self.giver_name.setEnabled(self.giver_named.isChecked())

    def _from_changed(self) -> None:
        start = to_date(self.valid_from.date())
        if to_date(self.valid_to.date()) == self._default_to:  # not chosen by hand
            self._default_to = default_valid_to(start)
            self.valid_to.setDate(to_qdate(self._default_to))

    def consent_input(self) -> ConsentInput:
        giver_id = (self.giver_parent_combo.currentData() if self.giver_parent.isChecked()
                    else None)
        giver_name = self.giver_name.text() if self.giver_named.isChecked() else ""
        return ConsentInput(
            person_id=self.person_id,
            service_id=self.service.currentData(),
            scope=[code for code, box in self.scope_boxes.items() if box.isChecked()],
            purpose=self.purpose.toPlainText(),
            given_by_person_id=giver_id,
            given_by_name=giver_name,
            valid_from=to_date(self.valid_from.date()),
            valid_to=to_date(self.valid_to.date()),
            signed_on=to_date(self.signed_on.date()),
        )

    def submit(self, *, print_form: bool = False) -> None:
        if self._busy:
            return
        self._busy, self._print_after = True, print_form
        self._set_enabled(False)
        self.errors.clear()
        run_service(self, self.events, record_consent, self.ctx, self.consent_input(),
                    on_success=self._done, on_failure=self._failed)

    def _done(self, consent: ConsentRow) -> None:
        self._busy = False
        self.saved.emit(consent)
        if self._print_after:
            ctx, consent_id = self.ctx, consent.id
            open_letter_preview(self.parentWidget() or self, ctx,
                                lambda: render_consent_form(ctx, consent_id))
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self._set_enabled(True)
        self.errors.show(error)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.ok_button, self.print_button, self.cancel_button):
            widget.setEnabled(enabled)

    def reject(self) -> None:
        if not self._busy:
            super().reject()


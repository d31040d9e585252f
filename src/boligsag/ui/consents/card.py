"""A consent at a glance: its state (gyldig / udløbet / tilbagekaldt) as a badge, and
what it covers, to whom, for what, given by whom, for how long."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from boligsag.domain.consent import ConsentState
from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.consents import ConsentRow
from boligsag.ui.case_labels import CONSENT_COLORS, consent_state_label
from boligsag.ui.forms import Badge
from boligsag.ui.widgets import named


def state_text(consent: ConsentRow) -> str:
    """"Gyldigt til 24.11.2027", "Udløbet 03.03.2026", "Tilbagekaldt 12.05.2026"."""
    if consent.state is ConsentState.WITHDRAWN and consent.withdrawn_on:
        return tr("Withdrawn on {date}", date=short_date(consent.withdrawn_on))
    if consent.state is ConsentState.EXPIRED:
        return tr("Expired on {date}", date=short_date(consent.valid_to))
    if consent.state is ConsentState.NOT_YET_VALID:
        return tr("Valid from {date}", date=short_date(consent.valid_from))
    return tr("Valid until {date}", date=short_date(consent.valid_to))


class ConsentCard(QWidget):
    def __init__(self, scope_labels: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scope_labels = scope_labels
        named(self, "consentCard", tr("Consent"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        top = QHBoxLayout()
        self.badge = Badge("consentStateBadge", tr("State of the consent"))
        self.state = named(QLabel(), "consentStateText", tr("State of the consent"))
        self.state.setProperty("role", "muted")
        top.addWidget(self.badge)
        top.addWidget(self.state, 1)
        layout.addLayout(top)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(5)
        self.grid.setColumnStretch(1, 1)
        layout.addLayout(self.grid)
        self.values: dict[str, QLabel] = {}
        for row, (key, caption) in enumerate((
                ("service", tr("Recipient")), ("scope", tr("Information")),
                ("purpose", tr("Purpose")), ("given_by", tr("Given by")),
                ("period", tr("Valid")), ("signed", tr("Signed on")))):
            label = QLabel(caption)
            label.setProperty("role", "muted")
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            value = named(QLabel(), f"consentValue_{key}", caption)
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)  # names and purposes are data
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(value, row, 1)
            self.values[key] = value

    def show_consent(self, consent: ConsentRow) -> None:
        self.badge.show_badge(consent_state_label(consent.state), CONSENT_COLORS[consent.state])
        self.state.setText(state_text(consent))
        scope = ", ".join(self.scope_labels.get(code, code) for code in consent.scope)
        by_self = consent.given_by_self or consent.given_by == consent.person_name
        giver = tr("{name} (the person themself)", name=consent.given_by) if by_self else tr(
            "{name} (holder of parental custody)", name=consent.given_by)
        values = {
            "service": consent.service_name,
            "scope": scope,
            "purpose": consent.purpose,
            "given_by": giver,
            "period": tr("{start} – {end}", start=short_date(consent.valid_from),
                         end=short_date(consent.valid_to)),
            "signed": short_date(consent.signed_on) or "–",
        }
        for key, text in values.items():
            self.values[key].setText(text)

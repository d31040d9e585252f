"""Consents on screen: the dialog's messages in place, a child's consent given by the
custody holder, the panel that shows expired and withdrawn consents as such, the
withdrawal, and the consent form in the preview."""

from __future__ import annotations

from datetime import date

from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QCheckBox, QLabel, QRadioButton
from pytestqt.qtbot import QtBot

from boligsag.domain.consent import ConsentState
from boligsag.services.consents import consents_for_person, withdraw_consent
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.households import link_parent_child
from boligsag.services.people import PersonDraft, create_person
from boligsag.ui.consents.details import ConsentDetailsDialog
from boligsag.ui.consents.dialog import ConsentDialog
from boligsag.ui.consents.panel import ConsentsPanel
from boligsag.ui.events import AppEvents

from .helpers import child, click, type_text
from .test_referrals_support import (
    adult,
    closed,
    consent,
    give_address,
    service_id,
)


def test_refusals_appear_beside_their_fields(qtbot: QtBot, ctx: AppContext) -> None:
    person_id = adult(ctx)
    dialog = ConsentDialog(ctx, person_id, person_name="Şükrü Yılmaz")
    qtbot.addWidget(dialog)
    dialog.show()
    assert child(dialog, QLabel, "dialogTitle").text() == "Samtykke fra Şükrü Yılmaz"
    click(qtbot, dialog, "consentSaveButton")
    qtbot.waitUntil(lambda: dialog.errors.message_for("scope") != "", timeout=5_000)
    assert dialog.errors.message_for("scope") == "Sæt kryds ved mindst én type oplysninger."
    assert dialog.errors.message_for("service").startswith("Vælg den tjeneste, der må modtage")
    assert dialog.errors.message_for("purpose") == ("Beskriv formålet med samtykket "
                                                    "(mindst 10 tegn).")
    assert dialog.errors.general.text() == "Ret venligst de markerede felter."
    assert dialog.isVisible()
    # A consent must be renewed yearly: a two-year period is refused at "gyldigt til".
    dialog.valid_to.setDate(dialog.valid_to.date().addYears(1))
    click(qtbot, dialog, "consentSaveButton")
    qtbot.waitUntil(lambda: dialog.errors.message_for("valid_to") != "", timeout=5_000)
    assert "mindst én gang om året" in dialog.errors.message_for("valid_to")


def test_a_childs_consent_is_given_by_the_custody_holder(qtbot: QtBot, ctx: AppContext) -> None:
    jobcentre = give_address(ctx, "youth_guidance")
    mother = adult(ctx, "Hằng", "Nguyễn")
    kid = create_person(ctx, PersonDraft("Minh", "Nguyễn", birth_date=date(2012, 6, 1)))
    link_parent_child(ctx, mother, kid.person.id, has_custody=True)
    dialog = ConsentDialog(ctx, kid.person.id, service_id=jobcentre)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not child(dialog, QRadioButton, "giverSelfRadio").isEnabled()
    assert child(dialog, QRadioButton, "giverParentRadio").isChecked()
    assert dialog.giver_parent_combo.currentText() == "Hằng Nguyễn"
    assert "under 18" in child(dialog, QLabel, "giverNote").text()
    child(dialog, QCheckBox, "scope_identity").setChecked(True)
    dialog.purpose.setFocus()
    type_text(qtbot, dialog.purpose, "Vejledning om valg af ungdomsuddannelse.")
    with qtbot.waitSignal(dialog.saved, timeout=5_000) as saved:
        click(qtbot, dialog, "consentSaveButton")
    assert saved.args[0].given_by == "Hằng Nguyễn"
    assert not saved.args[0].given_by_self


def test_the_panel_shows_expired_and_withdrawn_consents_as_such(
        qtbot: QtBot, ctx: AppContext, clock: FixedClock) -> None:
    person_id = adult(ctx)
    jobcentre, ssp = service_id(ctx), service_id(ctx, "ssp")
    clock.advance(days=-400)
    consent(ctx, person_id, ssp)  # a year has passed since: expired
    clock.advance(days=400)
    valid = consent(ctx, person_id, jobcentre)
    withdrawn = consent(ctx, person_id, service_id(ctx, "school"))
    withdraw_consent(ctx, withdrawn.id, version=withdrawn.version)
    events = AppEvents()
    panel = ConsentsPanel(ctx, events, person_id, person_name="Şükrü Yılmaz")
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=5_000)
    states = {panel.model.index(r, 0).data(): panel.model.index(r, 1).data()
              for r in range(3)}
    assert states == {"Jobcenter": "Gyldigt til 24.11.2027",
                      "Skole": "Tilbagekaldt 25.11.2026",
                      "SSP": "Udløbet 20.10.2026"}

    # Withdraw the valid one from the panel, with today's date.
    row = next(r for r in range(3) if panel.model.row_at(r).id == valid.id)
    panel.table.selectRow(row)
    click(qtbot, panel, "withdrawPanelButton")
    dialog = panel.dialog
    click(qtbot, dialog, "withdrawOkButton")
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)
    qtbot.waitUntil(lambda: panel.model.row_at(row).state is ConsentState.WITHDRAWN,
                    timeout=5_000)
    assert {c.state for c in consents_for_person(ctx, person_id)} == {
        ConsentState.WITHDRAWN, ConsentState.EXPIRED}
    assert not panel.withdraw_button.isEnabled()


def test_the_consent_form_opens_in_the_preview(qtbot: QtBot, ctx: AppContext) -> None:
    person_id = adult(ctx)
    given = consent(ctx, person_id, give_address(ctx))
    dialog = ConsentDetailsDialog(ctx, given.id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.card.badge.text() == "Gyldigt"
    assert dialog.card.values["scope"].text() == "Navn og fødselsdato, Adresse og telefon"
    click(qtbot, dialog, "printConsentFormButton")
    qtbot.waitUntil(lambda: getattr(dialog, "preview", None) is not None, timeout=10_000)
    preview = dialog.preview
    qtbot.waitUntil(lambda: preview.document.status() == QPdfDocument.Status.Ready,
                    timeout=5_000)
    assert preview.page_count() >= 1
    assert preview.windowTitle() == "Samtykkeerklæring – forhåndsvisning"
    preview.reject()

"""The whole bridge through the real main window, as a worker does it: a consent in
the dialog, a referral, the letter in the preview, "sendt", and — with the clock moved
past the reminder limit — the referral in the start page's reminder panel."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
)
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import ReferralKind, ReferralStatus
from boligsag.services.consents import withdraw_consent
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.referrals import list_referrals
from boligsag.ui.consents.dialog import ConsentDialog
from boligsag.ui.pages.referrals import ReferralsPage
from boligsag.ui.referrals.new_dialog import NewReferralDialog
from boligsag.ui.referrals.reminders import ReminderPanel
from boligsag.ui.referrals.step_dialog import StatusStepDialog
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click, type_text
from .test_referrals_support import (
    add_staff,
    adult,
    closed,
    consent,
    give_address,
    referral,
)


def referrals_page(qtbot: QtBot, window: MainWindow) -> ReferralsPage:
    window.show_page("referrals")
    page = window.page("referrals")
    assert isinstance(page, ReferralsPage)
    qtbot.waitUntil(lambda: not page.model.loading, timeout=10_000)
    return page


def choose(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} not in {combo.objectName()}"
    combo.setCurrentIndex(index)


def test_consent_referral_letter_sent_and_reminder(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext, clock: FixedClock) -> None:
    jobcentre = give_address(ctx)
    kamal = add_staff(ctx)
    person_id = adult(ctx)
    page = referrals_page(qtbot, main_window)
    assert page.count.text() == "0 henvisninger"

    # Ny henvisning, from the page's action (Ctrl+Shift+N).
    assert page.action_new.shortcut() == QKeySequence("Ctrl+Shift+N")
    page.action_new.trigger()
    dialog = page.new_dialog
    assert isinstance(dialog, NewReferralDialog)
    qtbot.waitExposed(dialog)
    type_text(qtbot, dialog.picker.edit, "Şükrü")
    dialog.picker.search_now()
    qtbot.waitUntil(lambda: dialog.picker.results.count() == 1, timeout=5_000)
    assert "Yılmaz" in dialog.picker.results.item(0).text()
    qtbot.keyClick(dialog.picker.edit, Qt.Key.Key_Return)
    assert dialog.picker.person_id == person_id
    choose(dialog.service, jobcentre)
    qtbot.waitUntil(lambda: dialog.consent.currentData() is None
                    and dialog.consent.count() == 1, timeout=5_000)
    assert "kan ikke sendes" in dialog.consent_hint.text()

    # Nyt samtykke, recorded in the consent dialog with the service already chosen.
    click(qtbot, dialog, "newConsentButton")
    consent_dialog = dialog.consent_dialog
    assert isinstance(consent_dialog, ConsentDialog)
    assert consent_dialog.service.currentData() == jobcentre
    for code in ("identity", "contact"):
        child(consent_dialog, QCheckBox, f"scope_{code}").setChecked(True)
    assert child(consent_dialog, QRadioButton, "giverSelfRadio").isChecked()
    purpose = child(consent_dialog, QPlainTextEdit, "consentPurposeEdit")
    purpose.setFocus()
    type_text(qtbot, purpose, "Hjælp til fritidsjob og vejledning om uddannelse.")
    assert consent_dialog.valid_to.date().toPython() == date(2027, 11, 24)  # one year
    click(qtbot, consent_dialog, "consentSaveButton")
    qtbot.waitUntil(lambda: closed(consent_dialog), timeout=5_000)
    qtbot.waitUntil(lambda: dialog.consent.currentData() is not None, timeout=5_000)
    assert dialog.consent.currentText().startswith("Gyldigt: 25.11.2026 – 24.11.2027")
    assert dialog.consent_hint.text() == "Gyldigt til 24.11.2027."

    reason = child(dialog, QPlainTextEdit, "reasonEdit")
    reason.setFocus()
    type_text(qtbot, reason, "Ønsker hjælp til at søge fritidsjob.")
    choose(dialog.staff, kamal)
    click(qtbot, dialog, "newReferralOkButton")
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)

    # The new draft is chosen and shown with its consent and first history line.
    details = page.details
    qtbot.waitUntil(lambda: details.details is not None, timeout=5_000)
    assert details.details.row.status is ReferralStatus.DRAFT
    assert details.title.text() == "Şükrü Yılmaz"
    assert details.consent_card.badge.text() == "Gyldigt"
    assert "Oprettet som kladde" in details.history.text()
    assert set(details.step_buttons) == {ReferralStatus.SENT, ReferralStatus.CANCELLED}
    qtbot.waitUntil(lambda: page.count.text() == "1 henvisning", timeout=5_000)

    # The letter: rendered off the GUI thread, shown by QtPdf from memory (Ctrl+P).
    assert page.action_letter.shortcut() == QKeySequence("Ctrl+P")
    page.action_letter.trigger()
    qtbot.waitUntil(lambda: details.preview is not None, timeout=10_000)
    preview = details.preview
    qtbot.waitUntil(lambda: preview.document.status() == QPdfDocument.Status.Ready,
                    timeout=5_000)
    assert preview.document.pageCount() >= 1
    assert preview.action_print.shortcut() == QKeySequence("Ctrl+P")
    assert child(preview, QLabel, "pageLabel").text().startswith("Side 1 af")
    preview.reject()

    # Markér som sendt: the date (today) and a note.
    click(qtbot, details, "stepButton_sent")
    step = details.step_dialog
    assert isinstance(step, StatusStepDialog)
    assert step.date.date().toPython() == date(2026, 11, 25)
    step.note.setFocus()
    type_text(qtbot, step.note, "Sendt med sikker e-mail.")
    click(qtbot, step, "stepOkButton")
    qtbot.waitUntil(lambda: details.details is not None
                    and details.details.row.status is ReferralStatus.SENT, timeout=5_000)
    assert "Kladde → Sendt" in details.history.text()
    assert "Sendt med sikker e-mail." in details.history.text()
    assert "Åse Nørgaard" in details.history.text()
    assert set(details.step_buttons) == {ReferralStatus.RECEIVED, ReferralStatus.DECLINED,
                                         ReferralStatus.CANCELLED}

    # Reminders: nothing yet; after the 14 days a sent referral may wait, one day over.
    panel = ReminderPanel(ctx, main_window.events)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.loaded_once, timeout=5_000)
    assert panel.items() == []
    assert panel.referral_empty.isVisible()
    clock.advance(days=15)
    panel.reloader.reload()
    qtbot.waitUntil(lambda: len(panel.items()) == 1, timeout=5_000)
    [item] = panel.items()
    assert (item.title, item.flag) == ("Şükrü Yılmaz", "1 dag over fristen")
    assert item.detail == "Jobcenter · Sendt siden 25.11.2026 · Kamal Østergård"
    assert panel.referral_title.text() == "Henvisninger, der venter på opfølgning (1)"
    assert panel.referral_list.model().index(0, 0).data().startswith(
        "Şükrü Yılmaz, 1 dag over fristen")  # what a screen reader says

    # A double-click opens the referral from the start page.
    panel.referral_list.activated.emit(panel.referrals.index(0, 0))
    qtbot.waitUntil(lambda: panel.opened is not None, timeout=5_000)
    opened = panel.opened.pane
    qtbot.waitUntil(lambda: opened.details is not None, timeout=5_000)
    assert opened.overdue_badge.text() == "1 dag over fristen"
    panel.opened.reject()


def test_a_withdrawn_consent_stops_sending_with_the_services_message(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    jobcentre = give_address(ctx)
    person_id = adult(ctx, "Nguyễn Thị", "Hằng")
    given = consent(ctx, person_id, jobcentre)
    row = referral(ctx, person_id, jobcentre, given.id)
    withdraw_consent(ctx, given.id, version=given.version)
    page = referrals_page(qtbot, main_window)
    assert page.select_referral(row.id)
    details = page.details
    qtbot.waitUntil(lambda: details.details is not None, timeout=5_000)
    assert details.consent_card.badge.text() == "Tilbagekaldt"
    banner = child(details, QLabel, "sendProblem")
    assert banner.text() == ("Henvisningen kan ikke sendes: samtykket blev trukket tilbage "
                             "25.11.2026.")
    assert child(details, QAbstractButton, "draftConsentButton").isVisibleTo(details)

    click(qtbot, details, "stepButton_sent")
    step = details.step_dialog
    click(qtbot, step, "stepOkButton")
    qtbot.waitUntil(lambda: step.errors.general.text() != "", timeout=5_000)
    assert step.isVisible()  # stays open so the worker can read what to fix
    assert "samtykket blev trukket tilbage" in step.errors.general.text()
    step.reject()


def test_a_notification_of_concern_needs_no_consent(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    family = give_address(ctx, "family_caseworker")
    kid = create_person(ctx, PersonDraft("Åsa", "Çelik", birth_date=date(2015, 3, 4)))
    page = referrals_page(qtbot, main_window)
    dialog = page.new_referral()
    type_text(qtbot, dialog.picker.edit, "Çelik")
    dialog.picker.search_now()
    qtbot.waitUntil(lambda: dialog.picker.results.count() == 1, timeout=5_000)
    dialog.picker.choose(dialog.picker.results.item(0).data(Qt.ItemDataRole.UserRole))
    click(qtbot, dialog, "kindConcernRadio")
    assert not dialog.consent.isVisibleTo(dialog)
    assert dialog.consent_hint.text() == "En underretning kræver ikke samtykke."
    choose(dialog.service, family)
    dialog.reason.setPlainText("Barnet kommer ofte sulten i lektiecaféen.")
    click(qtbot, dialog, "newReferralOkButton")
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)
    qtbot.waitUntil(lambda: page.details.details is not None, timeout=5_000)
    assert page.details.details.row.kind is ReferralKind.CONCERN
    assert page.details.kind_badge.text() == "Underretning"
    assert page.details.no_consent.text().startswith("En underretning kræver ikke samtykke")
    click(qtbot, page.details, "stepButton_sent")
    click(qtbot, page.details.step_dialog, "stepOkButton")
    qtbot.waitUntil(lambda: list_referrals(ctx)[0].status is ReferralStatus.SENT,
                    timeout=5_000)
    assert list_referrals(ctx)[0].person_id == kid.person.id


def test_a_letter_with_missing_data_says_what_is_missing(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    jobcentre = give_address(ctx)
    person_id = adult(ctx)
    given = consent(ctx, person_id, jobcentre)
    row = referral(ctx, person_id, jobcentre, given.id)  # contact: the admin, no phone
    page = referrals_page(qtbot, main_window)
    page.select_referral(row.id)
    qtbot.waitUntil(lambda: page.details.details is not None, timeout=5_000)
    page.details.show_letter()
    qtbot.waitUntil(lambda: page.details.findChild(object, "letterErrorBox") is not None,
                    timeout=10_000)
    box = page.details.findChild(object, "letterErrorBox")
    assert box.text() == ("Brevet kan ikke dannes, fordi disse oplysninger mangler: "
                          "medarbejderens telefon eller e-mail.")
    box.close()
    assert page.details.preview is None

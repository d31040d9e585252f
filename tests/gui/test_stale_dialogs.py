"""Every dialog that edits an existing record refuses to overwrite a colleague's change
made while it was open: the save is refused, the dialog stays open with everything the
user typed, and it says in Danish that someone else changed it meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import ActivityKind, ActivityMode, Gender, JobKind, ReferralStatus
from boligsag.services.activities import ActivityDraft, activity_choices, update_activity
from boligsag.services.consents import withdraw_consent
from boligsag.services.contacts import ContactDraft, get_contact, log_contact, update_contact
from boligsag.services.context import AppContext
from boligsag.services.enrollments import EnrollmentDraft, enroll, update_enrollment
from boligsag.services.households import (
    HouseholdDraft,
    create_household,
    get_household,
    update_household,
)
from boligsag.services.jobs import JobDraft, create_job, update_job
from boligsag.services.letter_settings import (
    LetterSettingsInput,
    get_letter_settings,
    save_letter_settings,
)
from boligsag.services.network_mothers import (
    NetworkMotherDraft,
    log_network_mother_conversation,
)
from boligsag.services.people import get_person
from boligsag.services.referrals import ReferralInput, referral_details, update_draft
from boligsag.services.service_catalogue import ServiceInput, list_services, update_service
from boligsag.services.sessions import (
    AttendanceMark,
    SessionDraft,
    record_session,
    session_sheet,
    update_session,
)
from boligsag.ui.activities.activity_dialog import ActivityDialog
from boligsag.ui.activities.enroll_dialogs import EndEnrollmentDialog, EnrollDialog
from boligsag.ui.activities.session_dialog import SessionDialog
from boligsag.ui.admin_panels.letter_settings import LetterSettingsPanel
from boligsag.ui.admin_panels.service_dialog import ServiceDialog
from boligsag.ui.consents.details import WithdrawConsentDialog
from boligsag.ui.contacts.contact_dialog import ContactDialog
from boligsag.ui.errors import stale_form_text
from boligsag.ui.jobs.job_dialog import JobDialog, MoveToLeisureDialog
from boligsag.ui.network_mothers.dialog import NetworkMotherDialog
from boligsag.ui.people.household_dialog import HouseholdDialog
from boligsag.ui.referrals.new_dialog import NewReferralDialog
from boligsag.ui.referrals.step_dialog import StatusStepDialog
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, type_text
from .test_activities_support import activity, person
from .test_referrals_support import adult, consent, referral, service_id

DAY = date(2026, 11, 20)
TYPED = "Skrevet før gem æøå"


@dataclass
class Case:
    """An open editor, the field the user typed in, what a colleague saves meanwhile,
    and the button that saves."""

    editor: QWidget
    field: str
    change: Callable[[], object]
    save: str


def _text(widget: QWidget) -> str:
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QSpinBox):
        return widget.text()
    assert isinstance(widget, QLineEdit)
    return widget.text()


# -- one opener per dialog -----------------------------------------------------------------


def contact(ctx: AppContext, window: MainWindow) -> Case:
    who = person(ctx, "Hanne", "Ærbø")
    row = log_contact(ctx, ContactDraft("phone", person_ids=(who,), duration_minutes=15,
                                        occurred_at=datetime(2026, 11, 24, 9, 0)))
    dialog = ContactDialog(ctx, window.events, window, contact=get_contact(ctx, row.id))
    return Case(dialog, "quickLogNoteEdit", lambda: update_contact(
        ctx, row.id, row.version, replace(row.to_draft(), duration_minutes=45)),
        "quickLogSaveButton")


def network_mother_form(ctx: AppContext, window: MainWindow) -> Case:
    row = log_network_mother_conversation(ctx, NetworkMotherDraft(
        "25-39", Gender.FEMALE, occurred_at=datetime(2026, 11, 24, 10, 0), note="Første samtale"))
    dialog = NetworkMotherDialog(ctx, window, events=window.events, conversation=row)
    return Case(dialog, "conversationNoteEdit", lambda: update_contact(
        ctx, row.id, row.version, replace(row.to_draft(), duration_minutes=30)),
        "networkMotherSaveButton")


def _job(ctx: AppContext) -> tuple[JobDraft, object]:
    draft = JobDraft(person(ctx, "Ali", "Aydın", date(2011, 3, 3)), JobKind.POCKET_MONEY,
                     "Netto Sydbyen", date(2026, 6, 1), hours_per_week=Decimal(4))
    return draft, create_job(ctx, draft)


def job(ctx: AppContext, window: MainWindow) -> Case:
    draft, row = _job(ctx)
    dialog = JobDialog(ctx, window.events, draft.person_id, row, window)  # type: ignore[arg-type]
    return Case(dialog, "jobNoteEdit", lambda: update_job(
        ctx, row.id, row.version, replace(draft, employer="Netto Nordbyen")),  # type: ignore[attr-defined]
        "jobSaveButton")


def move_to_leisure_job(ctx: AppContext, window: MainWindow) -> Case:
    draft, row = _job(ctx)
    dialog = MoveToLeisureDialog(ctx, window.events, row, window)  # type: ignore[arg-type]
    return Case(dialog, "leisureEmployerEdit", lambda: update_job(
        ctx, row.id, row.version, replace(draft, note="Ringet til arbejdsgiveren")),  # type: ignore[attr-defined]
        "moveToLeisureSaveButton")


def _activity_draft(row: object, **changes: object) -> ActivityDraft:
    values: dict[str, object] = {
        "name": row.name, "kind": row.kind, "mode": row.mode,  # type: ignore[attr-defined]
        "focus_area_id": row.focus_area_id, "start_date": row.start_date}  # type: ignore[attr-defined]
    values.update(changes)
    return ActivityDraft(**values)  # type: ignore[arg-type]


def activity_form(ctx: AppContext, window: MainWindow) -> Case:
    row = activity(ctx, "Lektiecafé")
    dialog = ActivityDialog(ctx, window.events, activity_choices(ctx), row, window)
    return Case(dialog, "activityDescriptionEdit", lambda: update_activity(
        ctx, row.id, row.version, _activity_draft(row, name="Lektiecafé for 7. klasse")),
        "activitySaveButton")


def _enrollment(ctx: AppContext) -> tuple[object, object, EnrollmentDraft]:
    course = activity(ctx, "Jobmentor")
    draft = EnrollmentDraft(course.id, person(ctx, "Emma", "Bø"), date(2026, 9, 1))
    return course, enroll(ctx, draft), draft


def enrollment(ctx: AppContext, window: MainWindow) -> Case:
    course, row, draft = _enrollment(ctx)
    dialog = EnrollDialog(ctx, window.events, course, activity_choices(ctx), row,  # type: ignore[arg-type]
                          window)
    return Case(dialog, "enrollGoalsEdit", lambda: update_enrollment(
        ctx, row.id, row.version, replace(draft, note="Mødes om torsdagen")),  # type: ignore[attr-defined]
        "enrollSaveButton")


def end_enrollment(ctx: AppContext, window: MainWindow) -> Case:
    _course, row, draft = _enrollment(ctx)
    dialog = EndEnrollmentDialog(ctx, window.events, row, activity_choices(ctx), window)  # type: ignore[arg-type]
    return Case(dialog, "endEnrollmentReasonCombo", lambda: update_enrollment(
        ctx, row.id, row.version, replace(draft, note="Mødes om torsdagen")),  # type: ignore[attr-defined]
        "endEnrollmentSaveButton")


def session(ctx: AppContext, window: MainWindow) -> Case:
    course = activity(ctx, "Lektiehold")
    ayse = person(ctx, "Ayşe", "Kaya")
    enroll(ctx, EnrollmentDraft(course.id, ayse, date(2026, 9, 1)))
    draft = SessionDraft(course.id, DAY, attendance=(AttendanceMark(ayse, True, ""),))
    row = record_session(ctx, draft)
    dialog = SessionDialog(ctx, window.events, course.id, DAY, window)
    return Case(dialog, "sessionNoteEdit", lambda: update_session(
        ctx, row.id, row.version, replace(draft, note="Matematik")), "sessionSaveButton")


def drop_in_head_counts(ctx: AppContext, window: MainWindow) -> Case:
    club = activity(ctx, "Fredagsklub", ActivityKind.DROP_IN, ActivityMode.DROP_IN)
    row = record_session(ctx, SessionDraft(club.id, DAY))
    sheet = session_sheet(ctx, club.id, DAY)
    dialog = SessionDialog(ctx, window.events, club.id, DAY, window)
    return Case(dialog, "headCount_10-13_male", lambda: update_session(
        ctx, row.id, row.version, SessionDraft(club.id, DAY, head_counts=sheet.head_counts,
                                               note="Fodbold")), "sessionSaveButton")


def household(ctx: AppContext, window: MainWindow) -> Case:
    who = person(ctx, "Şükrü", "Yılmaz")
    detail = create_household(ctx, HouseholdDraft("Familien Yılmaz"), member_ids=(who,))
    row = detail.household
    dialog = HouseholdDialog(ctx, window.events, get_person(ctx, who).person, detail, window)
    return Case(dialog, "householdStreetEdit", lambda: update_household(
        ctx, row.id, row.version, HouseholdDraft("Familien Yılmaz", phone="20 30 40 50")),
        "householdSaveButton")


def consent_withdrawal(ctx: AppContext, window: MainWindow) -> Case:
    row = consent(ctx, adult(ctx), service_id(ctx), valid_from=date(2026, 1, 5))
    dialog = WithdrawConsentDialog(ctx, window.events, row, window)
    return Case(dialog, "withdrawDateEdit", lambda: withdraw_consent(
        ctx, row.id, version=row.version, on=date(2026, 11, 1)), "withdrawOkButton")


def _draft_referral(ctx: AppContext) -> tuple[object, ReferralInput]:
    who, service = adult(ctx), service_id(ctx)
    given = consent(ctx, who, service)
    row = referral(ctx, who, service, given.id)
    data = ReferralInput(person_id=who, service_id=service, consent_id=given.id,
                         reason="Ønsker hjælp til at finde et fritidsjob ved siden af skolen "
                                "— og til lektierne.")
    return row, data


def referral_step(ctx: AppContext, window: MainWindow) -> Case:
    row, data = _draft_referral(ctx)
    dialog = StatusStepDialog(ctx, window.events, row, ReferralStatus.SENT, window)  # type: ignore[arg-type]
    return Case(dialog, "stepNoteEdit", lambda: update_draft(
        ctx, row.id, data, version=row.version), "stepOkButton")  # type: ignore[attr-defined]


def referral_draft(ctx: AppContext, window: MainWindow) -> Case:
    row, data = _draft_referral(ctx)
    dialog = NewReferralDialog(ctx, window.events, window,
                               draft=referral_details(ctx, row.id))  # type: ignore[attr-defined]
    return Case(dialog, "reasonEdit", lambda: update_draft(
        ctx, row.id, data, version=row.version), "newReferralOkButton")  # type: ignore[attr-defined]


def service(ctx: AppContext, window: MainWindow) -> Case:
    row = next(s for s in list_services(ctx) if s.id == service_id(ctx))
    dialog = ServiceDialog(ctx, window.events, row, window)
    return Case(dialog, "serviceEdit_contact_person", lambda: update_service(
        ctx, row.id, ServiceInput(name=row.name, unit=row.unit, phone="65 51 10 00"),
        version=row.version), "serviceSaveButton")


def letter_settings(ctx: AppContext, window: MainWindow) -> Case:
    panel = LetterSettingsPanel(ctx, window.events)  # a panel of Administration, alone
    before = get_letter_settings(ctx)

    def change() -> object:
        return save_letter_settings(ctx, LetterSettingsInput(
            name=before.name, street=before.street, postal_code=before.postal_code,
            city=before.city, phone="70 10 20 30", email=before.email, web=before.web))

    return Case(panel, "letterEdit_name", change, "saveLetterSettingsButton")


CASES = [contact, network_mother_form, job, move_to_leisure_job, activity_form, enrollment,
         end_enrollment, session, drop_in_head_counts, household, consent_withdrawal,
         referral_step, referral_draft, service, letter_settings]


@pytest.mark.parametrize("open_editor", CASES, ids=[c.__name__ for c in CASES])
def test_a_colleagues_change_is_not_overwritten_and_the_typing_stays(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext,
        open_editor: Callable[[AppContext, MainWindow], Case]) -> None:
    case = open_editor(ctx, main_window)
    editor = case.editor
    if not isinstance(editor, QDialog):
        qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    if isinstance(editor, SessionDialog):
        qtbot.waitUntil(editor.loaded, timeout=5_000)
    if isinstance(editor, LetterSettingsPanel):
        qtbot.waitUntil(lambda: editor.settings is not None, timeout=5_000)
    button = child(editor, QAbstractButton, case.save)
    qtbot.waitUntil(button.isEnabled, timeout=5_000)  # the record and its choices loaded
    field = child(editor, QWidget, case.field)
    field.setFocus()
    if isinstance(field, QComboBox) and not field.isEditable():
        field.setCurrentIndex(field.count() - 1)  # a choice made, not typed
    elif isinstance(field, QSpinBox):
        field.selectAll()
        type_text(qtbot, field, "7")
    elif field.metaObject().className() in ("QDateEdit", "QDateTimeEdit"):
        field.setDate(field.date().addDays(-1))  # type: ignore[attr-defined]
    else:
        if isinstance(field, QLineEdit):
            field.selectAll()
        type_text(qtbot, field, TYPED)
    typed = _text(field) if not field.metaObject().className().startswith("QDate") \
        else field.date()  # type: ignore[attr-defined]

    case.change()  # another user saves the same record meanwhile
    button.click()

    def says_so() -> bool:
        said = (stale_form_text(), stale_form_text(reloaded=True))
        return any(label.isVisible() and label.text() in said
                   for label in editor.findChildren(QLabel))

    qtbot.waitUntil(says_so, timeout=5_000)
    assert shiboken6.isValid(editor) and editor.isVisible()
    assert (_text(field) if not field.metaObject().className().startswith("QDate")
            else field.date()) == typed  # type: ignore[attr-defined]
    assert button.isEnabled()  # the user can copy what they need, or save after reopening


def test_the_letter_settings_panel_shows_theirs_keeps_mine_and_saves_again(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    """The panel is never closed and reopened: after a refused save it shows the
    colleague's values where the user typed nothing, and the next save keeps both."""
    case = letter_settings(ctx, main_window)
    panel = case.editor
    assert isinstance(panel, LetterSettingsPanel)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.settings is not None, timeout=5_000)
    street = child(panel, QLineEdit, "letterEdit_street")
    street.setText("Ærtebjerg Allé 1")
    case.change()  # the colleague's new phone number
    child(panel, QAbstractButton, "saveLetterSettingsButton").click()
    phone = child(panel, QLineEdit, "letterEdit_phone")
    qtbot.waitUntil(lambda: phone.text() == "70 10 20 30", timeout=5_000)
    assert child(panel, QLabel, "letterSettingsError").text() == \
        stale_form_text(reloaded=True)
    assert street.text() == "Ærtebjerg Allé 1"
    child(panel, QAbstractButton, "saveLetterSettingsButton").click()
    qtbot.waitUntil(lambda: get_letter_settings(ctx).street == "Ærtebjerg Allé 1",
                    timeout=5_000)
    assert get_letter_settings(ctx).phone == "70 10 20 30"


def test_adding_a_household_member_keeps_the_address_being_typed(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    """Adding a member saves at once and shows the household again; the address typed
    but not saved yet stays (it used to be replaced by the stored one)."""
    case = household(ctx, main_window)
    dialog = case.editor
    assert isinstance(dialog, HouseholdDialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    street = child(dialog, QLineEdit, "householdStreetEdit")
    street.setFocus()
    type_text(qtbot, street, "Ærtebjerg Allé 12")
    person(ctx, "Elif", "Yılmaz")
    picker = child(dialog, QLineEdit, "householdAddPersonEdit")
    picker.setFocus()
    type_text(qtbot, picker, "Eli")
    results = child(dialog, QListWidget, "householdAddPersonResults")
    qtbot.waitUntil(lambda: results.isVisible() and results.count() == 1, timeout=5_000)
    qtbot.keyClick(picker, Qt.Key.Key_Return)  # picking is adding
    members = child(dialog, QListWidget, "householdMembersList")
    qtbot.waitUntil(lambda: members.count() == 2, timeout=5_000)
    assert street.text() == "Ærtebjerg Allé 12"
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        child(dialog, QAbstractButton, "householdSaveButton").click()
    saved = get_household(ctx, dialog.household.household.id)  # type: ignore[union-attr]
    assert (saved.household.street, len(saved.members)) == ("Ærtebjerg Allé 12", 2)

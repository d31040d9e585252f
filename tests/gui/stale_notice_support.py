"""The editors of test_stale_notice.py: each opener makes a record, opens its real
editor from the main window's events, and says which field the user types in, what a
colleague saves meanwhile, how to see it in the form and what is stored afterwards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import Gender, JobKind
from boligsag.services import org_settings
from boligsag.services.activities import (
    ActivityDraft,
    activity_choices,
    get_activity,
    update_activity,
)
from boligsag.services.changes import Entity
from boligsag.services.contacts import (
    ContactDraft,
    delete_contact,
    get_contact,
    log_contact,
    update_contact,
)
from boligsag.services.context import AppContext
from boligsag.services.enrollments import (
    EnrollmentDraft,
    enroll,
    get_enrollment,
    update_enrollment,
)
from boligsag.services.households import (
    HouseholdDraft,
    create_household,
    delete_household,
    get_household,
    update_household,
)
from boligsag.services.jobs import JobDraft, create_job, get_job, update_job
from boligsag.services.network_mothers import (
    NetworkMotherDraft,
    log_network_mother_conversation,
)
from boligsag.services.people import get_person, update_person
from boligsag.services.referrals import ReferralInput, referral_details, update_draft
from boligsag.services.service_catalogue import ServiceInput, list_services, update_service
from boligsag.services.sessions import (
    AttendanceMark,
    SessionDraft,
    delete_session,
    record_session,
    session_sheet,
    update_session,
)
from boligsag.ui.activities.activity_dialog import ActivityDialog
from boligsag.ui.activities.enroll_dialogs import EnrollDialog
from boligsag.ui.activities.session_dialog import SessionDialog
from boligsag.ui.admin_panels.service_dialog import ServiceDialog
from boligsag.ui.contacts.contact_dialog import ContactDialog
from boligsag.ui.jobs.job_dialog import JobDialog
from boligsag.ui.network_mothers.dialog import NetworkMotherDialog
from boligsag.ui.people.household_dialog import HouseholdDialog
from boligsag.ui.people.person_dialog import PersonDialog
from boligsag.ui.referrals.new_dialog import NewReferralDialog
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.stale_notice import StaleNotice

from .helpers import child, type_text
from .test_activities_support import activity, person
from .test_referrals_support import add_staff, adult, consent, referral, service_id

TYPED = "Mit notat æøå"
SYNCED = datetime(2026, 11, 25, 10, 14)  # the test clock's day
DAY = date(2026, 11, 20)
SHOTS = Path("/tmp/shots/H")


@dataclass
class Case:
    """An open editor, the text field the user types in, the colleague's change (and
    how to tell it is shown), what is stored now, and the save button. ``merges``: keeping
    mine keeps theirs in the fields the user left alone (not the session, whose whole
    sheet, attendance included, saves over theirs)."""

    editor: QDialog
    field: str
    change: Callable[[], object]
    entities: frozenset[Entity]
    theirs_shown: Callable[[], bool]
    stored: Callable[[], tuple[str, bool]]  # (the typed field as stored, theirs kept)
    save: str
    delete: Callable[[], object] | None = None
    merges: bool = True


def shows(editor: QWidget, name: str, value: object) -> Callable[[], bool]:
    def shown() -> bool:
        widget = child(editor, QWidget, name)
        if isinstance(widget, QComboBox):
            return widget.currentText() == value
        if isinstance(widget, QSpinBox):
            return widget.value() == value
        return text_of(widget) == value

    return shown


def contact(ctx: AppContext, window: MainWindow) -> Case:
    who = person(ctx, "Hanne", "Ærbø")
    row = log_contact(ctx, ContactDraft("phone", person_ids=(who,), duration_minutes=15,
                                        occurred_at=datetime(2026, 11, 24, 9, 0)))
    dialog = ContactDialog(ctx, window.events, window, contact=get_contact(ctx, row.id))

    def stored() -> tuple[str, bool]:
        now = get_contact(ctx, row.id)
        return now.note, now.duration_minutes == 45

    return Case(dialog, "quickLogNoteEdit", lambda: update_contact(
        ctx, row.id, row.version, replace(row.to_draft(), duration_minutes=45)),
        frozenset({Entity.CONTACTS}), shows(dialog, "quickLogDurationSpin", 45),
        stored, "quickLogSaveButton",
        delete=lambda: delete_contact(ctx, row.id, get_contact(ctx, row.id).version))


def person_form(ctx: AppContext, window: MainWindow) -> Case:
    who = person(ctx, "Lærke", "Bøgh")
    dialog = PersonDialog(ctx, window.events, window, detail=get_person(ctx, who))

    def change() -> object:
        detail = get_person(ctx, who)
        return update_person(ctx, who, detail.person.version,
                             replace(detail.to_draft(), phone="99 88 77 66"))

    def stored() -> tuple[str, bool]:
        detail = get_person(ctx, who)
        return detail.note, detail.person.phone == "99 88 77 66"

    return Case(dialog, "personNoteEdit", change, frozenset({Entity.PEOPLE}),
                shows(dialog, "personPhoneEdit", "99 88 77 66"), stored, "personSaveButton")


def referral_draft(ctx: AppContext, window: MainWindow) -> Case:
    who, service = adult(ctx), service_id(ctx)
    given = consent(ctx, who, service)
    row = referral(ctx, who, service, given.id)
    kamal = add_staff(ctx)
    dialog = NewReferralDialog(ctx, window.events, window,
                               draft=referral_details(ctx, row.id))  # type: ignore[attr-defined]
    data = ReferralInput(person_id=who, service_id=service, consent_id=given.id,
                         reason=referral_details(ctx, row.id).reason,  # type: ignore[attr-defined]
                         contact_user_id=kamal)

    def stored() -> tuple[str, bool]:
        now = referral_details(ctx, row.id)  # type: ignore[attr-defined]
        return now.reason, now.row.contact_user_id == kamal

    return Case(dialog, "reasonEdit", lambda: update_draft(
        ctx, row.id, data, version=row.version),  # type: ignore[attr-defined]
        frozenset({Entity.REFERRALS}), shows(dialog, "staffCombo", "Kamal Østergård"),
        stored, "newReferralOkButton")


def job(ctx: AppContext, window: MainWindow) -> Case:
    draft = JobDraft(person(ctx, "Ali", "Aydın", date(2011, 3, 3)), JobKind.POCKET_MONEY,
                     "Netto Sydbyen", date(2026, 6, 1), hours_per_week=Decimal(4))
    row = create_job(ctx, draft)
    dialog = JobDialog(ctx, window.events, draft.person_id, row, window)

    def stored() -> tuple[str, bool]:
        now = get_job(ctx, row.id)
        return now.note, now.employer == "Netto Nordbyen"

    return Case(dialog, "jobNoteEdit", lambda: update_job(
        ctx, row.id, row.version, replace(draft, employer="Netto Nordbyen")),
        frozenset({Entity.JOBS}), shows(dialog, "jobEmployerEdit", "Netto Nordbyen"),
        stored, "jobSaveButton")


def activity_form(ctx: AppContext, window: MainWindow) -> Case:
    row = activity(ctx, "Lektiecafé")
    dialog = ActivityDialog(ctx, window.events, activity_choices(ctx), row, window)
    theirs = "Lektiecafé for 7. klasse"

    def stored() -> tuple[str, bool]:
        now = get_activity(ctx, row.id)
        return now.description, now.name == theirs

    return Case(dialog, "activityDescriptionEdit", lambda: update_activity(
        ctx, row.id, row.version, ActivityDraft(
            name=theirs, kind=row.kind, mode=row.mode, focus_area_id=row.focus_area_id,
            start_date=row.start_date)),
        frozenset({Entity.ACTIVITIES}), shows(dialog, "activityNameEdit", theirs),
        stored, "activitySaveButton")


def enrollment(ctx: AppContext, window: MainWindow) -> Case:
    course = activity(ctx, "Jobmentor")
    draft = EnrollmentDraft(course.id, person(ctx, "Emma", "Bø"), date(2026, 9, 1))
    row = enroll(ctx, draft)
    dialog = EnrollDialog(ctx, window.events, course, activity_choices(ctx), row, window)

    def stored() -> tuple[str, bool]:
        now = get_enrollment(ctx, row.id)
        return now.goals, now.note == "Mødes om torsdagen"

    return Case(dialog, "enrollGoalsEdit", lambda: update_enrollment(
        ctx, row.id, row.version, replace(draft, note="Mødes om torsdagen")),
        frozenset({Entity.ENROLLMENTS}), shows(dialog, "enrollNoteEdit", "Mødes om torsdagen"),
        stored, "enrollSaveButton")


def household(ctx: AppContext, window: MainWindow) -> Case:
    who = person(ctx, "Şükrü", "Yılmaz")
    detail = create_household(ctx, HouseholdDraft("Familien Yılmaz"), member_ids=(who,))
    row = detail.household
    dialog = HouseholdDialog(ctx, window.events, get_person(ctx, who).person, detail, window)

    def stored() -> tuple[str, bool]:
        now = get_household(ctx, row.id).household
        return now.street, now.phone == "20 30 40 50"

    return Case(dialog, "householdStreetEdit", lambda: update_household(
        ctx, row.id, row.version, HouseholdDraft("Familien Yılmaz", phone="20 30 40 50")),
        frozenset({Entity.HOUSEHOLDS}), shows(dialog, "householdPhoneEdit", "20 30 40 50"),
        stored, "householdSaveButton",
        delete=lambda: delete_household(ctx, row.id, get_household(ctx, row.id).household.version))


def session(ctx: AppContext, window: MainWindow) -> Case:
    course = activity(ctx, "Lektiehold")
    ayse = person(ctx, "Ayşe", "Kaya")
    enroll(ctx, EnrollmentDraft(course.id, ayse, date(2026, 9, 1)))
    draft = SessionDraft(course.id, DAY, attendance=(AttendanceMark(ayse, True, ""),))
    row = record_session(ctx, draft)
    dialog = SessionDialog(ctx, window.events, course.id, DAY, window)

    def stored() -> tuple[str, bool]:
        return session_sheet(ctx, course.id, DAY).note, True

    return Case(dialog, "sessionNoteEdit", lambda: update_session(
        ctx, row.id, row.version, replace(draft, duration_minutes=90)),
        frozenset({Entity.SESSIONS}), shows(dialog, "sessionDurationSpin", 90),
        stored, "sessionSaveButton",
        delete=lambda: delete_session(ctx, row.id, session_sheet(ctx, course.id, DAY).version),
        merges=False)


def network_mother_form(ctx: AppContext, window: MainWindow) -> Case:
    row = log_network_mother_conversation(ctx, NetworkMotherDraft(
        "25-39", Gender.FEMALE, occurred_at=datetime(2026, 11, 24, 10, 0), note="Første samtale"))
    dialog = NetworkMotherDialog(ctx, window, events=window.events, conversation=row)

    def stored() -> tuple[str, bool]:
        now = get_contact(ctx, row.id)
        return now.note, now.duration_minutes == 30

    return Case(dialog, "conversationNoteEdit", lambda: update_contact(
        ctx, row.id, row.version, replace(row.to_draft(), duration_minutes=30)),
        frozenset({Entity.CONTACTS}), shows(dialog, "conversationDurationSpin", 30),
        stored, "networkMotherSaveButton")


def service(ctx: AppContext, window: MainWindow) -> Case:
    row = next(s for s in list_services(ctx) if s.id == service_id(ctx))
    dialog = ServiceDialog(ctx, window.events, row, window)

    def stored() -> tuple[str, bool]:
        now = next(s for s in list_services(ctx) if s.id == row.id)
        return now.contact_person, now.phone == "65 51 10 00"

    return Case(dialog, "serviceEdit_contact_person", lambda: update_service(
        ctx, row.id, ServiceInput(name=row.name, unit=row.unit, phone="65 51 10 00"),
        version=row.version), frozenset({Entity.SERVICES}),
        shows(dialog, "serviceEdit_phone", "65 51 10 00"), stored, "serviceSaveButton")


CASES = [contact, person_form, referral_draft, job, activity_form, enrollment, household,
         session, network_mother_form, service]


def open_editor_and_type(qtbot: QtBot, case: Case) -> tuple[StaleNotice, QWidget]:
    editor = case.editor
    editor.show()
    qtbot.waitExposed(editor)
    if isinstance(editor, SessionDialog):
        qtbot.waitUntil(editor.loaded, timeout=5_000)
    qtbot.waitUntil(child(editor, QAbstractButton, case.save).isEnabled, timeout=5_000)
    notice = child(editor, StaleNotice, "staleNotice")
    assert not notice.isVisible()
    field = child(editor, QWidget, case.field)
    field.setFocus()
    type_text(qtbot, field, TYPED)
    return notice, field


def text_of(field: QWidget) -> str:
    return field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()  # type: ignore[attr-defined]


def colleague_saves(qtbot: QtBot, window: MainWindow, case: Case,
                     notice: StaleNotice) -> None:
    case.change()
    with window.ctx.db.writing(None) as session:  # the sync that brought it, at 10.14
        org_settings.set_setting(session, "sync_last_success", SYNCED.isoformat())
    window.events.announce(case.entities)  # as the sync controller does after a sync
    qtbot.waitUntil(notice.isVisible, timeout=5_000)



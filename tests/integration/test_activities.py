"""Activities, enrollments, sessions with attendance and drop-in head counts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from boligsag.domain.enums import ActivityKind, ActivityMode, EndReason, Gender, Role
from boligsag.services.activities import (
    ActivityDraft,
    activity_choices,
    create_activity,
    list_activities,
    update_activity,
)
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.enrollments import (
    EnrollmentDraft,
    end_enrollment,
    enroll,
    enroll_household,
    list_enrollments,
)
from boligsag.services.errors import StaleRecord, ValidationFailed
from boligsag.services.households import HouseholdDraft, create_household
from boligsag.services.sessions import (
    AttendanceMark,
    HeadCountEntry,
    SessionDraft,
    list_sessions,
    record_session,
    session_sheet,
    update_session,
)
from boligsag.services.timeline import TimelineKind, person_timeline
from boligsag.storage.models import Attendance

from .casework_helpers import add_user, focus_area_id, logged_in, person


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend


NOV_20 = date(2026, 11, 20)


def course(ctx: AppContext, kind: ActivityKind = ActivityKind.MENTORING) -> int:
    return create_activity(ctx, ActivityDraft("Lektiecafé Øst", kind, ActivityMode.COURSE,
                                              focus_area_id(ctx))).id


def drop_in(ctx: AppContext) -> int:
    return create_activity(ctx, ActivityDraft("Fredagsklub", ActivityKind.DROP_IN,
                                              ActivityMode.DROP_IN, focus_area_id(ctx))).id


def test_activities_belong_to_the_plans_focus_areas(ctx: AppContext) -> None:
    with pytest.raises(ValidationFailed) as raised:
        create_activity(ctx, ActivityDraft("", ActivityKind.DROP_IN, ActivityMode.COURSE,
                                           focus_area_id(ctx, current=False)))
    assert set(raised.value.fields) == {"name", "mode", "focus_area_id"}
    row = create_activity(ctx, ActivityDraft("Mentorordning", ActivityKind.MENTORING,
                                             ActivityMode.COURSE, focus_area_id(ctx),
                                             responsible_user_id=ctx.actor.user_id))
    assert (row.kind_label, row.focus_area_label, row.responsible_name) == (
        "Mentorforløb", "Uddannelse og livschancer", "Åse Nørgaard")
    renamed = update_activity(ctx, row.id, row.version, ActivityDraft(
        "Mentorordning 2026", ActivityKind.MENTORING, ActivityMode.COURSE, focus_area_id(ctx)))
    with pytest.raises(StaleRecord):
        update_activity(ctx, row.id, row.version, ActivityDraft(
            "X", ActivityKind.MENTORING, ActivityMode.COURSE, focus_area_id(ctx)))
    assert [a.name for a in list_activities(ctx)] == [renamed.name]
    choices = activity_choices(ctx)
    assert len(choices.focus_areas) == 4 and choices.parent_guidance_topics


def test_enrollment_rules(ctx: AppContext, clock: FixedClock) -> None:
    add_user(ctx, "frida", Role.VOLUNTEER)
    activity = course(ctx)
    omar = person(ctx, "Omar", "Ali").person
    mentor = next(m.id for m in activity_choices(ctx).mentors if m.code == "frida")
    row = enroll(ctx, EnrollmentDraft(activity, omar.id, date(2026, 9, 1), goals="Bestå 9. kl.",
                                      mentor_user_id=mentor))
    assert row.mentor_name == "Frida"
    with pytest.raises(ValidationFailed) as raised:
        enroll(ctx, EnrollmentDraft(activity, omar.id, date(2026, 10, 1)))
    assert raised.value.fields["start_date"][1] == {"name": "Omar Ali", "date": "01.09.2026"}
    with pytest.raises(ValidationFailed) as raised:
        enroll(ctx, EnrollmentDraft(drop_in(ctx), omar.id, date(2026, 10, 1)))
    assert "activity_id" in raised.value.fields
    ended = end_enrollment(ctx, row.id, row.version, date(2026, 11, 1), EndReason.COMPLETED)
    assert ended.end_reason_label == "Gennemført"
    assert list_enrollments(ctx, activity_id=activity, on=NOV_20) == []


def test_parent_guidance_enrolls_a_family_with_topics(ctx: AppContext) -> None:
    activity = course(ctx, ActivityKind.PARENT_GUIDANCE)
    mother = person(ctx, "Amina", "Hassan").person
    child = person(ctx, "Omar", "Hassan", birth_date=date(2022, 1, 5)).person
    family = create_household(ctx, HouseholdDraft("Familien Hassan"),
                              member_ids=(mother.id, child.id))
    topics = tuple(t.id for t in activity_choices(ctx).parent_guidance_topics[:2])
    rows = enroll_household(ctx, activity, family.household.id, (mother.id, child.id),
                            date(2026, 10, 1), topic_ids=topics)
    assert [(r.person_name, r.household_name, len(r.topics)) for r in rows] == [
        ("Amina Hassan", "Familien Hassan", 2), ("Omar Hassan", "Familien Hassan", 2)]


def test_attendance_is_recorded_and_editable(ctx: AppContext) -> None:
    activity = course(ctx)
    ib, bo, ole = (person(ctx, first, "Berg").person.id for first in ("Ib", "Bo", "Ole"))
    for person_id in (ib, bo):
        enroll(ctx, EnrollmentDraft(activity, person_id, date(2026, 9, 1)))
    enroll(ctx, EnrollmentDraft(activity, ole, date(2026, 11, 21)))  # not yet on the 20th
    sheet = session_sheet(ctx, activity, NOV_20)
    assert sheet.session_id is None and sheet.staff_ids == (ctx.actor.user_id,)
    assert [(r.name, r.present) for r in sheet.rows] == [("Bo Berg", None), ("Ib Berg", None)]
    with pytest.raises(ValidationFailed) as raised:
        record_session(ctx, SessionDraft(activity, NOV_20, attendance=(
            AttendanceMark(ib, True),)))
    assert raised.value.fields["attendance"][0] == "Mark every participant present or absent."
    with pytest.raises(ValidationFailed):
        record_session(ctx, SessionDraft(activity, NOV_20, attendance=(
            AttendanceMark(ib, True), AttendanceMark(bo, True), AttendanceMark(ole, True))))
    saved = record_session(ctx, SessionDraft(activity, NOV_20, staff_ids=(ctx.actor.user_id,),
                                             attendance=(AttendanceMark(ib, True),
                                                         AttendanceMark(bo, False, "Syg"))))
    assert (saved.present, saved.absent, saved.staff_names) == (1, 1, "Åse Nørgaard")
    sheet = session_sheet(ctx, activity, NOV_20)
    assert sheet.session_id == saved.id and sheet.version == saved.version
    assert [(r.name, r.present, r.absence_reason) for r in sheet.rows] == [
        ("Bo Berg", False, "Syg"), ("Ib Berg", True, "")]
    edited = update_session(ctx, saved.id, saved.version, SessionDraft(
        activity, NOV_20, attendance=(AttendanceMark(ib, True), AttendanceMark(bo, True)),
        note="Bo kom senere"))
    assert (edited.present, edited.absent, edited.version) == (2, 0, saved.version + 1)
    with pytest.raises(StaleRecord):
        update_session(ctx, saved.id, saved.version, SessionDraft(
            activity, NOV_20, attendance=(AttendanceMark(ib, False), AttendanceMark(bo, False))))
    with pytest.raises(ValidationFailed) as raised:  # one session per activity and day
        record_session(ctx, SessionDraft(activity, NOV_20, attendance=(
            AttendanceMark(ib, True), AttendanceMark(bo, True))))
    assert "date" in raised.value.fields
    assert [s.date for s in list_sessions(ctx, activity)] == [NOV_20]
    timeline = person_timeline(ctx, bo)
    assert [(i.kind, i.title, i.record_id) for i in timeline] == [
        (TimelineKind.SESSION, "Lektiecafé Øst: mødt", saved.id),
        (TimelineKind.ENROLLMENT_START, "Startede i Lektiecafé Øst", timeline[1].record_id)]


def test_drop_in_head_counts(ctx: AppContext) -> None:
    activity = drop_in(ctx)
    with pytest.raises(ValidationFailed) as raised:
        record_session(ctx, SessionDraft(activity, NOV_20, head_counts=(
            HeadCountEntry("10-13", Gender.MALE, -1),)))
    assert raised.value.fields["head_counts"][0].startswith("Head counts must be whole")
    with pytest.raises(ValidationFailed):
        record_session(ctx, SessionDraft(activity, NOV_20, head_counts=(
            HeadCountEntry("99-100", Gender.MALE, 3),)))
    saved = record_session(ctx, SessionDraft(activity, NOV_20, head_counts=(
        HeadCountEntry("10-13", Gender.MALE, 7), HeadCountEntry("10-13", Gender.FEMALE, 5),
        HeadCountEntry("14-17", Gender.FEMALE, 0))))
    assert saved.head_count == 12
    edited = update_session(ctx, saved.id, saved.version, SessionDraft(activity, NOV_20,
        head_counts=(HeadCountEntry("10-13", Gender.MALE, 8),)))
    assert edited.head_count == 8
    sheet = session_sheet(ctx, activity, NOV_20)
    assert sheet.rows == () and sheet.head_counts == (HeadCountEntry("10-13", Gender.MALE, 8),)
    assert [g.code for g in sheet.genders] == ["female", "male", "other", "unknown"]


def test_restricted_participants_are_neither_shown_nor_touched(
        ctx: AppContext, clock: FixedClock) -> None:
    add_user(ctx, "anna", Role.STAFF)
    add_user(ctx, "bo", Role.STAFF)
    activity = course(ctx)
    with logged_in(ctx, clock, "anna") as anna:
        secret = person(anna, "Fatima", "Ali", restricted=True).person.id
        enroll(anna, EnrollmentDraft(activity, secret, date(2026, 9, 1)))
        visible = person(anna, "Ib", "Berg").person.id
        enroll(anna, EnrollmentDraft(activity, visible, date(2026, 9, 1)))
        saved = record_session(anna, SessionDraft(activity, NOV_20, attendance=(
            AttendanceMark(secret, True), AttendanceMark(visible, True))))
    with logged_in(ctx, clock, "bo") as bo:
        sheet = session_sheet(bo, activity, NOV_20)
        assert [r.name for r in sheet.rows] == ["Ib Berg"] and sheet.hidden_participants == 1
        update_session(bo, saved.id, sheet.version or 0, SessionDraft(
            activity, NOV_20, attendance=(AttendanceMark(visible, False, "Ferie"),)))
    with ctx.read() as unit:
        marks = dict(unit.session.execute(
            select(Attendance.person_id, Attendance.present)).all())
    assert marks == {secret: True, visible: False}

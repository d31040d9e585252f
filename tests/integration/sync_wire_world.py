"""A small world with a row in every synced table and a value (not the default) in every
wire field, for the wire format's round trip (test_sync_wire.py), and an empty database
of either kind to copy it into."""

from __future__ import annotations

import os
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.domain.enums import (
    ActivityKind,
    ActivityMode,
    ContactKind,
    EndReason,
    Gender,
    JobKind,
    ReferralKind,
    ReferralStatus,
    Role,
    StillEmployed,
)
from boligsag.storage import migrate
from boligsag.storage.database import Database
from boligsag.storage.engine import open_engine
from boligsag.storage.models import (
    Activity,
    ActivitySession,
    Area,
    Attendance,
    Channel,
    Consent,
    Contact,
    Enrollment,
    FocusArea,
    HeadCount,
    Household,
    Job,
    JobFollowUp,
    Person,
    PersonRelation,
    Plan,
    Referral,
    ReferralEvent,
    Reminder,
    Service,
    SyncConflict,
    Topic,
    User,
)
from boligsag.storage.reference_data import load_reference_data
from boligsag.storage.server_engine import open_server_engine

AT = datetime(2026, 11, 20, 14, 45, 30)


def migrate_empty(db: Database) -> None:
    """Schema and vocabularies only: no users, areas or services of its own."""
    migrate.upgrade(db.engine)
    with db.writing(None) as session:
        load_reference_data(session, with_services=False)


def empty_sqlcipher(path: Path) -> Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(open_engine(path, os.urandom(32), create=True, integrity_check=False), path)
    migrate_empty(db)
    return db


def empty_postgresql(url: str) -> Database:
    return Database(open_server_engine(url))


def fill_every_table(session: Session) -> None:
    """Rows in every synced table (on top of setup's administrator, plan and areas),
    each wire field given a value that is not its default somewhere."""
    plan = session.scalars(select(Plan)).first()
    assert plan is not None
    focus = session.scalars(select(FocusArea).where(FocusArea.period == plan.period)).first()
    contact_topics = list(session.scalars(
        select(Topic).where(Topic.category == "contact").order_by(Topic.id)))[:3]
    guidance = session.scalars(select(Topic).where(Topic.category == "parent_guidance")).first()
    phone = session.scalars(select(Channel).where(Channel.code == "phone")).one()

    area = Area(name="Vollsmose Nord", municipality="Odense", postal_code="5240",
                city="Odense NØ")
    staff = User(username="bente", full_name="Bente Ørum", role=Role.STAFF,
                 title="Boligsocial medarbejder", phone="+45 12 34 56 78",
                 email="bente@example.dk", active=False)
    service = Service(code="FAM-1", name="Familieafdelingen", unit="Børn og unge",
                      street="Ørbækvej 100", postal_code="5220", city="Odense SØ",
                      contact_person="Kim Holm", phone="65 51 00 00",
                      secure_email="familie@sikker.example.dk", active=False, sort_order=7)
    household = Household(name="Familien Yılmaz", street="Æblevej 3, 2. th",
                          postal_code="5240", city="Odense NØ", phone="20 30 40 50",
                          area=area, note="Hund i lejligheden")
    session.add_all([area, staff, service, household])
    session.flush()
    session.execute(User.__table__.metadata.tables["user_areas"].insert(),
                    [{"user_id": staff.id, "area_id": area.id}])
    plan.areas.append(area)

    mother = Person(first_name="Ayşe", last_name="Yılmaz", cpr="0101901234",
                    birth_date=date(1990, 1, 1), gender=Gender.FEMALE, phone="11 22 33 44",
                    email="ayse@example.dk", street="Æblevej 3", postal_code="5240",
                    city="Odense NØ", area=area, household=household, languages="tyrkisk",
                    restricted=True, responsible_user_id=staff.id, note="Fortrolig note",
                    anonymised_at=AT)
    child = Person(first_name="Emre", last_name="Yılmaz", birth_date=date(2012, 5, 17),
                   gender=Gender.MALE, household=household)
    session.add_all([mother, child])
    session.flush()
    session.add(PersonRelation(parent_id=mother.id, child_id=child.id, has_custody=False))

    activity = Activity(name="Mentorforløb", kind=ActivityKind.MENTORING,
                        mode=ActivityMode.COURSE, plan=plan, focus_area=focus, area=area,
                        responsible_user_id=staff.id, description="Ugentlige møder",
                        start_date=date(2026, 1, 5), end_date=date(2026, 12, 18))
    drop_in = Activity(name="Lektiecafé", kind=ActivityKind.HOMEWORK_CAFE,
                       mode=ActivityMode.DROP_IN)
    consent = Consent(person=mother, service=service, scope=["identity", "health"],
                      purpose="Henvisning til familierådgivning", given_by=child,
                      given_by_name="Ayşe Yılmaz", valid_from=date(2026, 2, 1),
                      valid_to=date(2027, 2, 1), signed_on=date(2026, 2, 1),
                      withdrawn_on=date(2026, 9, 1), note="Underskrevet på kontoret")
    # A null reference beside a set one to the same table (person, given_by_person).
    own_consent = Consent(person=child, service=service, scope=["school"], purpose="Skole",
                          valid_from=date(2026, 2, 1), valid_to=date(2027, 2, 1))
    session.add_all([activity, drop_in, consent, own_consent])
    session.flush()
    referral = Referral(person=mother, service=service, consent=consent,
                        kind=ReferralKind.CONCERN, reason="Bekymring for skolegang",
                        contact_user_id=staff.id, status=ReferralStatus.CLOSED,
                        status_changed_on=date(2026, 6, 1), created_on=date(2026, 3, 1),
                        sent_on=date(2026, 3, 2), first_meeting_on=date(2026, 4, 1),
                        closed_on=date(2026, 6, 1))
    session.add(referral)
    session.flush()
    session.add(ReferralEvent(referral=referral, from_status=ReferralStatus.SENT,
                              to_status=ReferralStatus.CLOSED, on=date(2026, 6, 1),
                              recorded_at=AT, note="Lukket efter møde"))

    contact = Contact(kind=ContactKind.NETWORK_MOTHER, occurred_at=AT,
                      staff_user_id=staff.id, channel_id=phone.id, duration_minutes=45,
                      note="Talte om skolen", age_group="18-24", gender=Gender.OTHER,
                      area=area, activity_id=activity.id, follow_up_date=date(2026, 12, 1),
                      follow_up_done_at=AT, referred_to_service=service,
                      referred_to_text="Jobcenter", ssp_locked=True,
                      people=[mother, child], topics=contact_topics[1:])
    anonymous = Contact(occurred_at=AT, staff_user_id=staff.id, channel_id=phone.id,
                        anonymous=True, age_group="25-39", gender=Gender.FEMALE)
    gone = Contact(occurred_at=AT, staff_user_id=staff.id, channel_id=phone.id,
                   people=[child], topics=contact_topics[:1], deleted_at=AT)
    session.add_all([contact, anonymous, gone])
    session.flush()

    enrollment = Enrollment(person=mother, activity=activity, household=household,
                            mentor_user_id=staff.id, start_date=date(2026, 1, 5),
                            end_date=date(2026, 10, 1), end_reason=EndReason.STARTED_JOB,
                            goals="Job inden sommer", note="Motiveret",
                            topics=[guidance] if guidance else [])
    meeting = ActivitySession(activity=activity, date=date(2026, 3, 3),
                              start_time=time(16, 30), duration_minutes=90,
                              note="God stemning", staff=[staff])
    meeting.attendance = [Attendance(person=mother, present=False, absence_reason="Syg"),
                          Attendance(person=child, present=True)]
    meeting.head_counts = [HeadCount(age_group="14-17", gender=Gender.MALE, count=4),
                           HeadCount(age_group="14-17", gender=Gender.FEMALE, count=0)]
    first_job = Job(person=child, kind=JobKind.POCKET_MONEY, activity_id=activity.id,
                    employer="Brugsen", start_date=date(2025, 6, 1),
                    end_date=date(2025, 12, 31), hours_per_week=Decimal("4.5"),
                    hourly_pay=Decimal("55.25"), note="Første job")
    session.add_all([enrollment, meeting, first_job])
    session.flush()
    second_job = Job(person=child, kind=JobKind.LEISURE, employer="Netto",
                     start_date=date(2026, 1, 1), previous_job=first_job)
    session.add(second_job)
    session.flush()
    session.add(JobFollowUp(job=second_job, months=3, due_date=date(2026, 4, 1),
                            status=StillEmployed.YES, recorded_at=AT,
                            recorded_by_id=staff.id))
    session.add(Reminder(owner_user_id=staff.id, due_on=date(2026, 12, 2),
                         text="Ring til skolen", person_id=mother.id, contact_id=contact.id,
                         referral_id=referral.id, done_at=AT))
    session.add(SyncConflict(table_name="contacts", row_uuid=contact.uuid, field="note",
                             kind="same_field", kept_value='"a"', other_value='"b"',
                             kept_user_id=staff.id, kept_at=AT, other_user_id=staff.id,
                             other_device_uuid="8c6f1d2e-0000-4000-8000-000000000001",
                             other_at=AT, resolved_at=AT, resolved_by_id=staff.id,
                             resolution="kept"))
    session.flush()

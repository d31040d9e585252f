"""Pocket-money and leisure jobs, their 3/6/12-month follow-ups, and the timeline."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from boligsag.domain.enums import JobKind, ReferralKind, ReferralStatus, StillEmployed
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import StaleRecord, ValidationFailed
from boligsag.services.follow_ups import FollowUpKind, due_follow_ups, mark_follow_up_done
from boligsag.services.jobs import (
    JobDraft,
    create_job,
    delete_job,
    get_job,
    list_jobs,
    move_to_leisure_job,
    record_follow_up,
    update_job,
)
from boligsag.services.timeline import TimelineKind, person_timeline
from boligsag.storage.models import Consent, Referral, ReferralEvent, Service

from .casework_helpers import give_ssp_access, person


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend



def pocket_money(ctx: AppContext, person_id: int, start: date, **fields: object):
    return create_job(ctx, JobDraft(person_id, JobKind.POCKET_MONEY, "Netto Ærtebjerg", start,
                                    hours_per_week=Decimal("6"), hourly_pay="62,50",  # type: ignore[arg-type]
                                    **fields))  # type: ignore[arg-type]


def test_a_job_gets_follow_ups_at_3_6_and_12_calendar_months(ctx: AppContext) -> None:
    omar = person(ctx, "Omar", "Ali").person
    job = pocket_money(ctx, omar.id, date(2026, 8, 31))
    assert job.hourly_pay == Decimal("62.50") and job.kind_label == "Lommepengejob"
    assert [(f.months, f.due_date, f.status) for f in job.follow_ups] == [
        (3, date(2026, 11, 30), None), (6, date(2027, 2, 28), None),
        (12, date(2027, 8, 31), None)]
    moved = update_job(ctx, job.id, job.version, JobDraft(
        omar.id, JobKind.POCKET_MONEY, "Netto Ærtebjerg", date(2026, 9, 1)))
    assert [f.due_date for f in moved.follow_ups] == [
        date(2026, 12, 1), date(2027, 3, 1), date(2027, 9, 1)]
    with pytest.raises(StaleRecord):
        update_job(ctx, job.id, job.version, JobDraft(
            omar.id, JobKind.POCKET_MONEY, "Føtex", date(2026, 9, 1)))


def test_job_validation(ctx: AppContext) -> None:
    omar = person(ctx, "Omar", "Ali").person
    with pytest.raises(ValidationFailed) as raised:
        create_job(ctx, JobDraft(omar.id, JobKind.LEISURE, " ", date(2026, 9, 1),
                                 end_date=date(2026, 8, 1), hours_per_week=Decimal("-2"),
                                 hourly_pay=Decimal("80")))
    assert set(raised.value.fields) == {"employer", "end_date", "hours_per_week", "hourly_pay"}


def test_follow_ups_appear_as_the_clock_advances(ctx: AppContext, clock: FixedClock) -> None:
    omar = person(ctx, "Omar", "Ali").person
    job = pocket_money(ctx, omar.id, clock.now().date())  # 25 November 2026
    assert due_follow_ups(ctx) == []
    clock.current = datetime(2027, 2, 24, 9)
    assert due_follow_ups(ctx) == []
    clock.current = datetime(2027, 2, 25, 9)
    (three,) = due_follow_ups(ctx)
    assert (three.kind, three.months, three.person_names, three.record_id) == (
        FollowUpKind.JOB, 3, "Omar Ali", job.id)
    assert three.text == "Lommepengejob hos Netto Ærtebjerg: stadig ansat 3 måneder efter start?"
    with pytest.raises(ValidationFailed):
        mark_follow_up_done(ctx, three)  # a job follow-up needs its answer
    mark_follow_up_done(ctx, three, still_employed=StillEmployed.YES)
    assert due_follow_ups(ctx) == []
    clock.current = datetime(2027, 11, 25, 9)
    six, twelve = due_follow_ups(ctx)
    assert (six.months, six.overdue, twelve.months, twelve.overdue) == (6, True, 12, False)
    answered = record_follow_up(ctx, twelve.id, StillEmployed.NO)
    assert answered.status_label == "Ikke længere ansat"
    assert [f.status for f in get_job(ctx, job.id).follow_ups] == [
        StillEmployed.YES, None, StillEmployed.NO]
    delete_job(ctx, job.id, get_job(ctx, job.id).version)
    assert due_follow_ups(ctx) == [] and list_jobs(ctx, person_id=omar.id) == []


def test_moving_from_pocket_money_to_a_leisure_job(ctx: AppContext) -> None:
    omar = person(ctx, "Omar", "Ali").person
    job = pocket_money(ctx, omar.id, date(2026, 3, 1))
    leisure = move_to_leisure_job(ctx, job.id, "Bilka", date(2026, 10, 1),
                                  hours_per_week=Decimal("8"), version=job.version)
    assert (leisure.kind, leisure.previous_job_id, leisure.start_date) == (
        JobKind.LEISURE, job.id, date(2026, 10, 1))
    assert len(leisure.follow_ups) == 3 and leisure.hourly_pay is None
    assert get_job(ctx, job.id).end_date == date(2026, 9, 30)
    with pytest.raises(ValidationFailed):
        move_to_leisure_job(ctx, leisure.id, "Fakta", date(2026, 11, 1))
    assert [j.kind for j in list_jobs(ctx, person_id=omar.id)] == [JobKind.LEISURE,
                                                                   JobKind.POCKET_MONEY]
    assert [j.employer for j in list_jobs(ctx, active_on=date(2026, 11, 1))] == ["Bilka"]


def test_person_timeline_is_newest_first_and_pages(ctx: AppContext, clock: FixedClock) -> None:
    omar = person(ctx, "Omar", "Ali").person
    pocket_money(ctx, omar.id, date(2025, 1, 15))  # follow-ups due Apr, Jul 2025, Jan 2026
    log_contact(ctx, ContactDraft(channel="phone", person_ids=(omar.id,), duration_minutes=20,
                                  note="Snak om  jobbet", occurred_at=datetime(2026, 5, 4, 13)))
    give_ssp_access(ctx)
    log_contact(ctx, ContactDraft(channel="in_person", person_ids=(omar.id,),
                                  occurred_at=datetime(2026, 11, 24, 9), ssp_locked=True,
                                  note="SSP-note"))
    items = person_timeline(ctx, omar.id)
    assert [(i.kind, i.at.date()) for i in items] == [
        (TimelineKind.CONTACT, date(2026, 11, 24)),
        (TimelineKind.CONTACT, date(2026, 5, 4)),
        (TimelineKind.JOB_FOLLOW_UP, date(2026, 1, 15)),
        (TimelineKind.JOB_FOLLOW_UP, date(2025, 7, 15)),
        (TimelineKind.JOB_FOLLOW_UP, date(2025, 4, 15)),
        (TimelineKind.JOB_START, date(2025, 1, 15)),
    ]
    assert items[0].title == "Kontakt (Fremmøde)" and "SSP" not in items[0].subtitle
    assert items[1].subtitle == "20 min. · Åse Nørgaard – Snak om jobbet"
    assert items[2].title == "Opfølgning 12 måneder efter job hos Netto Ærtebjerg"
    assert (items[5].record_type, items[5].has_time) == ("job", False)
    first = person_timeline(ctx, omar.id, limit=2)
    rest = person_timeline(ctx, omar.id, limit=10, before=first[-1])
    assert first + rest == items


def test_timeline_shows_referrals_and_consents(ctx: AppContext, clock: FixedClock) -> None:
    omar = person(ctx, "Omar", "Ali").person
    with ctx.write(None) as unit:
        session = unit.session
        service = session.scalars(select(Service).order_by(Service.id)).first()
        consent = Consent(person_id=omar.id, service_id=service.id, scope=["identity"],
                          purpose="Henvisning til lektiehjælp", valid_from=date(2026, 6, 1),
                          valid_to=date(2027, 5, 31), withdrawn_on=date(2026, 10, 1))
        referral = Referral(person_id=omar.id, service_id=service.id, reason="Skole",
                            contact_user_id=ctx.actor.user_id, status=ReferralStatus.SENT,
                            status_changed_on=date(2026, 7, 2), created_on=date(2026, 7, 1),
                            kind=ReferralKind.REFERRAL)
        referral.events = [ReferralEvent(from_status=ReferralStatus.DRAFT,
                                         to_status=ReferralStatus.SENT, on=date(2026, 7, 2),
                                         recorded_at=clock.now())]
        session.add_all([consent, referral])
    items = person_timeline(ctx, omar.id)
    assert [(i.kind, i.title, i.subtitle) for i in items] == [
        (TimelineKind.CONSENT_WITHDRAWN, f"Samtykke til {service.name} trukket tilbage", ""),
        (TimelineKind.REFERRAL_EVENT, f"Henvisning til {service.name}", "Sendt"),
        (TimelineKind.REFERRAL, f"Henvisning til {service.name}", "Sendt"),
        (TimelineKind.CONSENT, f"Samtykke til {service.name}", "Gyldigt til 31.05.2027"),
    ]
    assert {i.record_type for i in items} == {"consent", "referral"}

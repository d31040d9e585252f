"""Mine sager: my people, mentees, activities and open referrals, overdue first; never
another worker's, never a restricted case I may not see, nothing for a volunteer."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from boligsag.domain.enums import ActivityKind, ActivityMode, ReferralStatus, Role
from boligsag.services.activities import ActivityDraft, create_activity
from boligsag.services.consents import ConsentInput, record_consent
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.enrollments import EnrollmentDraft, enroll
from boligsag.services.errors import PermissionDenied
from boligsag.services.my_cases import CaseKind, my_cases
from boligsag.services.referrals import ReferralInput, create_referral
from boligsag.services.service_catalogue import list_services

from .casework_helpers import add_user, focus_area_id, logged_in, person


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend



def test_mine_sager_lists_what_i_am_responsible_for_most_urgent_first(
        ctx: AppContext, clock: FixedClock) -> None:
    me = ctx.actor.user_id
    karin = add_user(ctx, "karin", Role.STAFF)
    add_user(ctx, "frida", Role.VOLUNTEER)
    ayse = person(ctx, "Ayşe", "Kaya", responsible_user_id=me).person.id
    person(ctx, "Bo", "Berg", responsible_user_id=me)  # nothing planned: last
    person(ctx, "Karins", "Borger", responsible_user_id=karin)  # not mine
    log_contact(ctx, ContactDraft("phone", person_ids=(ayse,), note="Ring igen.",
                                  occurred_at=datetime(2026, 11, 10, 9, 0),
                                  follow_up_date=date(2026, 11, 20)))
    omar = person(ctx, "Omar", "Ali", birth_date=date(1990, 1, 2)).person.id
    mentoring = create_activity(ctx, ActivityDraft(
        "Mentorordning", ActivityKind.MENTORING, ActivityMode.COURSE, focus_area_id(ctx),
        responsible_user_id=me)).id
    enroll(ctx, EnrollmentDraft(mentoring, omar, date(2026, 9, 1), mentor_user_id=me))
    jobcentre = next(s.id for s in list_services(ctx) if s.code == "jobcentre")
    consent = record_consent(ctx, ConsentInput(
        omar, jobcentre, ["identity", "contact"],
        "Henvisning til vejledning om uddannelse og fritidsjob.",
        valid_from=date(2026, 3, 3), signed_on=date(2026, 3, 3))).id
    clock.current = datetime(2026, 11, 1, 9, 0)  # a draft waiting since 1 November
    create_referral(ctx, ReferralInput(omar, jobcentre, "Ønsker et fritidsjob.",
                                       consent_id=consent, contact_user_id=me))
    clock.current = datetime(2026, 11, 25, 10, 30)

    rows = my_cases(ctx)
    assert [(r.kind, r.title, r.overdue) for r in rows] == [
        (CaseKind.REFERRAL, "Omar Ali", True),  # a draft overdue since 9 November
        (CaseKind.PERSON, "Ayşe Kaya", True),  # follow-up 20 November
        # nothing planned: by name
        (CaseKind.PERSON, "Bo Berg", False),
        (CaseKind.ACTIVITY, "Mentorordning", False),
        (CaseKind.MENTEE, "Omar Ali", False),
    ]
    assert rows[0].due == date(2026, 11, 9) and rows[0].status == ReferralStatus.DRAFT
    assert rows[1].due == date(2026, 11, 20)

    with logged_in(ctx, clock, "karin") as other:
        assert [r.title for r in my_cases(other)] == ["Karins Borger"]
    with logged_in(ctx, clock, "frida") as frida, pytest.raises(PermissionDenied):
        my_cases(frida)


def test_a_restricted_case_is_its_responsible_workers_alone(
        ctx: AppContext, clock: FixedClock) -> None:
    karin = add_user(ctx, "karin", Role.STAFF)
    with logged_in(ctx, clock, "karin") as other:
        person(other, "Skjult", "Sag", restricted=True, responsible_user_id=karin)
        assert [r.title for r in my_cases(other)] == ["Skjult Sag"]
    assert my_cases(ctx) == []  # the administrator is not responsible for it

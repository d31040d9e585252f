"""Referrals through the service layer: the status flow, the consent check on sending,
lists and reminders, on a real encrypted database."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from boligsag.domain import referral_flow as flow
from boligsag.domain.consent import cover_problem
from boligsag.domain.enums import AuditAction, ReferralKind, ReferralStatus
from boligsag.errors import UserError
from boligsag.services import org_settings
from boligsag.services.consents import ConsentInput, record_consent, terms_of, withdraw_consent
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import StaleRecord, ValidationFailed
from boligsag.services.referrals import (
    ConsentNotValid,
    ReferralInput,
    ReferralSort,
    TransitionRefused,
    change_status,
    count_referrals,
    create_referral,
    list_referrals,
    overdue_referrals,
    referral_details,
    update_draft,
)
from boligsag.services.service_catalogue import list_services
from boligsag.storage.models import AuditEntry, Consent, Person, Referral


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend


S = ReferralStatus
PURPOSE = "Henvisning til vejledning om uddannelse og fritidsjob."


def add_person(ctx: AppContext, first: str, last: str, birth: date) -> int:
    with ctx.write(None) as unit:
        session = unit.session
        person = Person(first_name=first, last_name=last, birth_date=birth)
        session.add(person)
    return person.id  # given by the commit


def services(ctx: AppContext) -> dict[str, int]:
    return {s.code: s.id for s in list_services(ctx)}


@pytest.fixture
def world(ctx: AppContext) -> dict[str, int]:
    ids = services(ctx)
    ids["adult"] = add_person(ctx, "Şükrü", "Yılmaz", date(1980, 5, 17))
    ids["child"] = add_person(ctx, "Ümit", "Çelik", date(2014, 2, 3))
    ids["consent"] = record_consent(ctx, ConsentInput(
        ids["adult"], ids["jobcentre"], ["identity", "contact"], PURPOSE,
        valid_from=date(2026, 3, 3), signed_on=date(2026, 3, 3))).id
    return ids


def referral(ctx: AppContext, world: dict[str, int], **changes: object) -> int:
    values: dict[str, object] = {"person_id": world["adult"], "service_id": world["jobcentre"],
                                 "reason": "Ønsker hjælp til at finde et fritidsjob.",
                                 "consent_id": world["consent"]}
    values.update(changes)
    return create_referral(ctx, ReferralInput(**values)).id  # type: ignore[arg-type]


def test_the_whole_bridge(ctx: AppContext, world: dict[str, int], clock: FixedClock) -> None:
    rid = referral(ctx, world)
    row = change_status(ctx, rid, S.SENT, note="Sendt med sikker post")
    assert (row.status, row.sent_on) == (S.SENT, date(2026, 11, 25))
    clock.advance(days=3)
    change_status(ctx, rid, S.RECEIVED)
    clock.advance(days=7)
    row = change_status(ctx, rid, S.FIRST_MEETING, on=date(2026, 12, 4))
    assert row.first_meeting_on == date(2026, 12, 4)
    row = change_status(ctx, rid, S.CLOSED)
    assert row.closed_on == date(2026, 12, 5) and row.due_on is None and not row.overdue
    details = referral_details(ctx, row.uuid)
    assert [(e.from_status, e.to_status) for e in details.events] == [
        (None, S.DRAFT), (S.DRAFT, S.SENT), (S.SENT, S.RECEIVED), (S.RECEIVED, S.FIRST_MEETING),
        (S.FIRST_MEETING, S.CLOSED)]
    assert all(e.author == "Åse Nørgaard" for e in details.events)
    assert details.events[1].note == "Sendt med sikker post"
    assert details.allowed_next == ()


@pytest.mark.parametrize("case, code, words", [
    ("missing", "consent.missing", ["no consent", "Jobcenter"]),
    ("expired", "consent.expired", ["expired on 02.03.2027"]),
    ("withdrawn", "consent.withdrawn", ["withdrawn on 25.11.2026"]),
    ("other_service", "consent.other_recipient", ["Sundhedsplejen, not Jobcenter"]),
    ("scope", "consent.scope_missing", ["does not cover Navn og fødselsdato"]),
])
def test_a_referral_without_a_covering_consent_cannot_be_sent(
    ctx: AppContext, world: dict[str, int], clock: FixedClock, case: str, code: str,
    words: list[str],
) -> None:
    consent_id: int | None = world["consent"]
    if case == "missing":
        consent_id = None
    elif case == "expired":
        clock.current = clock.current.replace(year=2027, month=3, day=3)
    elif case == "withdrawn":
        withdraw_consent(ctx, world["consent"], version=1)
    elif case == "other_service":
        consent_id = record_consent(ctx, ConsentInput(
            world["adult"], world["health_visitor"], ["identity"], PURPOSE)).id
    elif case == "scope":
        consent_id = record_consent(ctx, ConsentInput(
            world["adult"], world["jobcentre"], ["contact"], PURPOSE)).id
    rid = referral(ctx, world, consent_id=consent_id)
    with pytest.raises(ConsentNotValid) as caught:
        change_status(ctx, rid, S.SENT)
    assert caught.value.code == code
    for word in words:
        assert word in str(caught.value)
    assert caught.value.message().startswith("Henvisningen kan ikke sendes")
    details = referral_details(ctx, rid)
    assert details.row.status is S.DRAFT and len(details.events) == 1
    assert details.send_problem == caught.value.message()


def test_a_concern_needs_no_consent(ctx: AppContext, world: dict[str, int]) -> None:
    rid = referral(ctx, world, person_id=world["child"], service_id=world["family_caseworker"],
                   kind=ReferralKind.CONCERN, consent_id=world["consent"])
    row = change_status(ctx, rid, S.SENT)
    assert row.status is S.SENT and row.consent_id is None and row.kind is ReferralKind.CONCERN


def test_a_concern_is_about_a_child(ctx: AppContext, world: dict[str, int]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        referral(ctx, world, kind=ReferralKind.CONCERN, service_id=world["family_caseworker"])
    assert "person" in caught.value.fields


def test_a_consent_must_be_the_persons_own(ctx: AppContext, world: dict[str, int]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        referral(ctx, world, person_id=world["child"])
    assert set(caught.value.fields) == {"consent"}


def test_illegal_and_terminal_steps_are_refused(ctx: AppContext, world: dict[str, int]) -> None:
    rid = referral(ctx, world)
    with pytest.raises(TransitionRefused) as caught:
        change_status(ctx, rid, S.RECEIVED)
    assert caught.value.code == "referral.illegal_transition"
    assert caught.value.message() == "En henvisning kan ikke gå fra Kladde til Modtaget."
    change_status(ctx, rid, S.CANCELLED)
    with pytest.raises(TransitionRefused) as caught:
        change_status(ctx, rid, S.SENT)
    assert caught.value.code == "referral.terminal"


def test_dates_are_checked(ctx: AppContext, world: dict[str, int], clock: FixedClock) -> None:
    rid = referral(ctx, world)
    with pytest.raises(ValidationFailed):
        change_status(ctx, rid, S.SENT, on=date(2026, 11, 26))  # tomorrow
    clock.advance(days=5)
    change_status(ctx, rid, S.SENT, on=date(2026, 11, 28))
    with pytest.raises(ValidationFailed) as caught:
        change_status(ctx, rid, S.RECEIVED, on=date(2026, 11, 27))
    assert "28.11.2026" in caught.value.field_messages_en()["on"]


def test_a_stale_version_is_refused(ctx: AppContext, world: dict[str, int]) -> None:
    rid = referral(ctx, world)
    change_status(ctx, rid, S.SENT, version=1)
    with pytest.raises(StaleRecord):
        change_status(ctx, rid, S.RECEIVED, version=1)


def test_a_draft_gets_a_renewed_consent(ctx: AppContext, world: dict[str, int],
                                       clock: FixedClock) -> None:
    rid = referral(ctx, world)
    clock.current = clock.current.replace(year=2027, month=3, day=10)
    with pytest.raises(ConsentNotValid):
        change_status(ctx, rid, S.SENT)
    renewed = record_consent(ctx, ConsentInput(world["adult"], world["jobcentre"],
                                               ["identity"], PURPOSE))
    row = update_draft(ctx, rid, ReferralInput(world["adult"], world["jobcentre"],
                                               "Fritidsjob", consent_id=renewed.id), version=1)
    assert change_status(ctx, rid, S.SENT, version=row.version).status is S.SENT
    with pytest.raises(ValidationFailed):
        update_draft(ctx, rid, ReferralInput(world["adult"], world["jobcentre"], "x"),
                     version=row.version + 1)


def test_lists_filter_and_page_in_sql(ctx: AppContext, world: dict[str, int],
                                      clock: FixedClock) -> None:
    ids = [referral(ctx, world) for _ in range(5)]
    concern = referral(ctx, world, person_id=world["child"], kind=ReferralKind.CONCERN,
                       service_id=world["family_caseworker"])
    clock.advance(days=1)
    for rid in ids[:3]:
        change_status(ctx, rid, S.SENT)
    assert [r.id for r in list_referrals(ctx, status=S.SENT)] == sorted(ids[:3], reverse=True)
    assert count_referrals(ctx, status=[S.DRAFT]) == 3
    assert [r.id for r in list_referrals(ctx, service_id=world["family_caseworker"])] == [concern]
    assert len(list_referrals(ctx, staff_id=ctx.actor.user_id)) == 6
    assert list_referrals(ctx, staff_id=ctx.actor.user_id + 1) == []
    first, second = list_referrals(ctx, limit=4), list_referrals(ctx, offset=4, limit=4)
    assert len(first) == 4 and len(second) == 2 and not {r.id for r in first} & {
        r.id for r in second}
    assert [r.id for r in list_referrals(ctx, person_id=world["child"])] == [concern]
    by_person = list_referrals(ctx, sort=ReferralSort.PERSON, descending=False)
    # Danish order: Çelik with the C's, before Yılmaz.
    assert [r.person_name for r in by_person] == ["Ümit Çelik"] + ["Şükrü Yılmaz"] * 5
    assert [r.id for r in list_referrals(ctx, sort=ReferralSort.PERSON)] == [
        r.id for r in reversed(by_person)]
    by_status = list_referrals(ctx, sort=ReferralSort.STATUS, descending=False)
    assert [r.status for r in by_status] == [S.DRAFT] * 3 + [S.SENT] * 3


def test_reminders_use_the_configured_days(ctx: AppContext, world: dict[str, int],
                                           clock: FixedClock) -> None:
    with ctx.write(None) as unit:
        session = unit.session
        org_settings.set_setting(session, "referral_reminder_days", {"draft": 2, "sent": 3})
    draft, sent = referral(ctx, world), referral(ctx, world)
    change_status(ctx, sent, S.SENT)
    clock.advance(days=2)  # day 2 of a 2-day limit: still fine
    assert overdue_referrals(ctx) == []
    clock.advance(days=1)
    assert [r.id for r in overdue_referrals(ctx)] == [draft]
    clock.advance(days=1)
    overdue = overdue_referrals(ctx)
    assert {r.id for r in overdue} == {draft, sent} and all(r.overdue for r in overdue)
    assert overdue[0].due_on == date(2026, 11, 28)
    assert {r.id for r in list_referrals(ctx, overdue_only=True)} == {draft, sent}
    # received keeps the default (21 days): not overdue after 1 day
    change_status(ctx, sent, S.RECEIVED)
    assert [r.id for r in overdue_referrals(ctx)] == [draft]


def test_details_are_audited_as_a_view(ctx: AppContext, world: dict[str, int]) -> None:
    rid = referral(ctx, world)
    details = referral_details(ctx, rid)
    assert details.consent is not None and details.consent.given_by == "Şükrü Yılmaz"
    assert details.send_problem is None and S.SENT in details.allowed_next
    with ctx.read() as unit:
        session = unit.session
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == AuditAction.VIEW
        assert entry.entity_uuid == details.row.uuid
        assert entry.person_uuid == details.row.person_uuid


# -- property: the service never leaves the state machine ---------------------------------

CONSENT_SITUATIONS = ["valid", "short", "withdrawn", "other", "none"]
ATTEMPT = st.tuples(
    st.sampled_from(list(ReferralStatus)),
    st.sampled_from(CONSENT_SITUATIONS),  # the consent a draft relies on at this point
    st.integers(min_value=0, max_value=6),  # days the clock moves first
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(list(ReferralKind)), attempts=st.lists(ATTEMPT, max_size=8))
def test_random_attempts_never_leave_the_state_machine(
    ctx: AppContext, clock: FixedClock, kind: ReferralKind,
    attempts: list[tuple[ReferralStatus, str, int]],
) -> None:
    start = clock.current
    try:
        _run_attempts(ctx, kind, attempts)
    finally:
        clock.current = start


def _run_attempts(
    ctx: AppContext, kind: ReferralKind, attempts: list[tuple[ReferralStatus, str, int]]
) -> None:
    ids = services(ctx)
    person = add_person(ctx, "Nguyễn Thị", "Hằng", date(2010, 4, 3))

    def new_consent(service: int, **dates: date) -> int:
        return record_consent(ctx, ConsentInput(person, service, ["identity"], PURPOSE,
                                                given_by_name="Trần Văn Minh", **dates)).id

    consent_ids: dict[str, int | None] = {
        "valid": new_consent(ids["jobcentre"]),
        # valid for a few days only: later attempts meet it expired
        "short": new_consent(ids["jobcentre"], valid_to=ctx.today() + timedelta(days=4)),
        "withdrawn": new_consent(ids["jobcentre"]),
        "other": new_consent(ids["ssp"]),
        "none": None,
    }
    withdraw_consent(ctx, consent_ids["withdrawn"], version=1)  # type: ignore[arg-type]
    row = create_referral(ctx, ReferralInput(person, ids["jobcentre"], "Bekymring for skolegang",
                                             kind=kind, consent_id=consent_ids["valid"]))
    for target, situation, days in attempts:
        ctx.clock.advance(days=days)  # type: ignore[attr-defined]
        with ctx.write(None) as unit:
            session = unit.session
            stored = session.get(Referral, row.id)
            assert stored is not None
            if stored.status == S.DRAFT and kind is ReferralKind.REFERRAL:
                stored.consent_id = consent_ids[situation]
            before = (ReferralStatus(stored.status), len(stored.events))
            # The oracle: the domain rule applied to the stored consent, today.
            stored_consent = session.get(Consent, stored.consent_id) if stored.consent_id else None
            covered = cover_problem(terms_of(stored_consent) if stored_consent else None,
                                    ctx.today(), ids["jobcentre"], {"identity"}) is None
        try:
            change_status(ctx, row.id, target)
            accepted = True
        except ConsentNotValid:
            accepted = False
            assert kind is ReferralKind.REFERRAL and target is S.SENT and not covered
        except UserError:
            accepted = False
        legal = target in flow.allowed_transitions(before[0])
        needs_consent = kind is ReferralKind.REFERRAL and target is S.SENT
        assert accepted == (legal and (covered or not needs_consent))
        with ctx.read() as unit:
            session = unit.session
            stored = session.get(Referral, row.id)
            assert stored is not None
            path = [(e.from_status, e.to_status) for e in stored.events]
            assert path[0] == (None, S.DRAFT)
            for (_, reached), (came_from, went_to) in pairwise(path):
                assert came_from == reached and went_to in flow.allowed_transitions(came_from)
            assert stored.status == path[-1][1]
            expected = before[1] + 1 if accepted else before[1]
            assert len(path) == expected
            if not accepted:
                assert stored.status == before[0]


# -- the catalogue of services referrals go to ----------------------------------------------


def test_service_catalogue_edits(ctx: AppContext) -> None:
    from boligsag.domain.enums import Role
    from boligsag.services.context import Actor
    from boligsag.services.errors import PermissionDenied
    from boligsag.services.service_catalogue import (
        ServiceInput,
        create_service,
        set_service_active,
        update_service,
    )

    new = create_service(ctx, ServiceInput("Familiehuset", "Åben rådgivning", " Ørstedsgade  5 ",
                                           "5000", "Odense C", phone="+45 66 13 13 72"))
    assert new.street == "Ørstedsgade 5" and new.has_address and new.active
    with pytest.raises(ValidationFailed) as caught:
        create_service(ctx, ServiceInput("familiehuset", "åben rådgivning", postal_code="50",
                                         secure_email="Jens Hansen", phone="12"))
    assert set(caught.value.fields) == {"name", "postal_code", "city", "secure_email", "phone"}
    edited = update_service(ctx, new.id, ServiceInput("Familiehuset", "Rådgivning", "Ørstedsgade 5",
                                                      "5000", "Odense C"), version=new.version)
    with pytest.raises(StaleRecord):
        update_service(ctx, new.id, ServiceInput("Familiehuset"), version=new.version)
    gone = set_service_active(ctx, new.id, False, version=edited.version)
    assert not gone.active and new.id not in {s.id for s in list_services(ctx)}
    assert new.id in {s.id for s in list_services(ctx, include_inactive=True)}
    staff = Actor(ctx.actor.user_id, ctx.actor.user_uuid, "staff", "Medarbejder", Role.STAFF)
    with pytest.raises(PermissionDenied):
        create_service(dataclasses.replace(ctx, actor=staff), ServiceInput("SSP Vest"))
    with pytest.raises(ValidationFailed) as caught:  # a referral to a closed service
        create_referral(ctx, ReferralInput(add_person(ctx, "Ümit", "Çelik", date(1990, 1, 1)),
                                           new.id, "Rådgivning"))
    assert "service" in caught.value.fields

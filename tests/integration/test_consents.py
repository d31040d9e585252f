"""Recording, withdrawing and listing consents on a real encrypted database."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from boligsag.domain.consent import ConsentState
from boligsag.domain.enums import AuditAction, Role
from boligsag.services.consents import (
    ConsentInput,
    consent_givers,
    consents_for_person,
    expiring_consents,
    record_consent,
    scope_options,
    withdraw_consent,
)
from boligsag.services.context import Actor, AppContext, FixedClock
from boligsag.services.errors import PermissionDenied, StaleRecord, ValidationFailed
from boligsag.services.service_catalogue import list_services
from boligsag.storage.models import AuditEntry, Person, PersonRelation


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend


PURPOSE = "Henvisning til Jobcenter om fritidsjob og vejledning."


def add_person(ctx: AppContext, first: str, last: str, birth: date | None, **extra: object) -> int:
    with ctx.write(None) as unit:
        session = unit.session
        person = Person(first_name=first, last_name=last, birth_date=birth, **extra)
        session.add(person)
    return person.id  # given by the commit


def add_custody(ctx: AppContext, parent_id: int, child_id: int, custody: bool = True) -> None:
    with ctx.write(None) as unit:
        session = unit.session
        session.add(PersonRelation(parent_id=parent_id, child_id=child_id, has_custody=custody))


def service_id(ctx: AppContext, code: str) -> int:
    return next(s.id for s in list_services(ctx) if s.code == code)


def as_role(ctx: AppContext, role: Role, user_id: int = 999) -> AppContext:
    actor = Actor(user_id, "00000000-0000-0000-0000-000000000999", "other", "Anden Bruger", role)
    return dataclasses.replace(ctx, actor=actor)


@pytest.fixture
def adult(ctx: AppContext) -> int:
    return add_person(ctx, "Şükrü", "Yılmaz", date(1980, 5, 17))


@pytest.fixture
def jobcentre(ctx: AppContext) -> int:
    return service_id(ctx, "jobcentre")


def consent(person_id: int, service: int | None, **changes: object) -> ConsentInput:
    values: dict[str, object] = {"person_id": person_id, "service_id": service,
                                 "scope": ["identity", "contact"], "purpose": PURPOSE}
    values.update(changes)
    return ConsentInput(**values)  # type: ignore[arg-type]


def test_an_adult_consents_for_a_year_by_default(
    ctx: AppContext, adult: int, jobcentre: int
) -> None:
    row = record_consent(ctx, consent(adult, jobcentre, scope=["contact", "identity"]))
    assert row.state is ConsentState.VALID
    assert (row.valid_from, row.valid_to, row.signed_on) == (
        date(2026, 11, 25), date(2027, 11, 24), date(2026, 11, 25))
    assert row.scope == ("identity", "contact")  # catalogue order, whatever the click order
    assert row.given_by == "Şükrü Yılmaz" and row.given_by_self
    with ctx.read() as unit:
        session = unit.session
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == AuditAction.CREATE
        assert entry.entity == "consents" and entry.person_uuid is not None
        assert "Yılmaz" not in entry.detail and PURPOSE not in entry.detail


def test_a_general_consent_to_everyone_is_refused(ctx: AppContext, adult: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        record_consent(ctx, consent(adult, None))
    messages = caught.value.field_messages()
    assert "generelt samtykke" in messages["service"]


def test_every_problem_is_reported_at_once(ctx: AppContext, adult: int, jobcentre: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        record_consent(ctx, consent(adult, jobcentre, scope=[], purpose="job",
                                    valid_to=date(2028, 1, 1)))
    fields = caught.value.field_messages_en()
    assert set(fields) == {"scope", "purpose", "valid_to"}
    assert "25.11.2027" in fields["valid_to"]  # the latest allowed last day, readable


def test_unknown_scope_and_already_expired(ctx: AppContext, adult: int, jobcentre: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        record_consent(ctx, consent(adult, jobcentre, scope=["identity", "everything"],
                                    valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31)))
    fields = caught.value.field_messages_en()
    assert "everything" in fields["scope"]
    assert "31.12.2025" in fields["valid_to"]


def test_a_child_cannot_consent_alone(ctx: AppContext, jobcentre: int) -> None:
    child = add_person(ctx, "Ümit", "Çelik", date(2012, 1, 9))
    with pytest.raises(ValidationFailed) as caught:
        record_consent(ctx, consent(child, jobcentre))
    assert "forældremyndighed" in caught.value.field_messages()["given_by"]


def test_a_custody_holder_consents_for_a_child(ctx: AppContext, jobcentre: int) -> None:
    child = add_person(ctx, "Ümit", "Çelik", date(2012, 1, 9))
    mother = add_person(ctx, "Ayşe", "Çelik", date(1985, 3, 2))
    stepfather = add_person(ctx, "İbrahim", "Kaya", date(1979, 7, 30))
    add_custody(ctx, mother, child)
    add_custody(ctx, stepfather, child, custody=False)
    givers = consent_givers(ctx, child)
    assert givers.is_child is True and givers.custody_holders == [(mother, "Ayşe Çelik")]
    row = record_consent(ctx, consent(child, jobcentre, given_by_person_id=mother))
    assert row.given_by == "Ayşe Çelik" and not row.given_by_self
    with pytest.raises(ValidationFailed) as caught:
        record_consent(ctx, consent(child, jobcentre, given_by_person_id=stepfather))
    assert "given_by" in caught.value.fields


def test_a_named_custody_holder_outside_the_registry(ctx: AppContext, jobcentre: int) -> None:
    child = add_person(ctx, "Ümit", "Çelik", date(2012, 1, 9))
    row = record_consent(ctx, consent(child, jobcentre, given_by_name="  Mehmet   Çelik "))
    assert row.given_by == "Mehmet Çelik" and not row.given_by_self


def test_an_adult_gives_consent_personally(ctx: AppContext, adult: int, jobcentre: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        record_consent(ctx, consent(adult, jobcentre, given_by_name="Hans Hansen"))
    assert caught.value.field_messages_en()["given_by"] == "An adult gives consent personally."


def test_unknown_birth_date_needs_a_custody_holder_or_a_date(
    ctx: AppContext, jobcentre: int
) -> None:
    unknown = add_person(ctx, "Nguyễn Thị", "Hằng", None)
    with pytest.raises(ValidationFailed) as caught:
        record_consent(ctx, consent(unknown, jobcentre))
    assert "given_by" in caught.value.fields
    # A birth date from the CPR number is enough.
    with_cpr = add_person(ctx, "Trần Văn", "Minh", None, cpr="0102881235")
    assert record_consent(ctx, consent(with_cpr, jobcentre)).given_by_self


def test_withdrawal(ctx: AppContext, adult: int, jobcentre: int, clock: FixedClock) -> None:
    row = record_consent(ctx, consent(adult, jobcentre))
    clock.advance(days=10)
    withdrawn = withdraw_consent(ctx, row.id, version=row.version)
    assert withdrawn.state is ConsentState.WITHDRAWN
    assert withdrawn.withdrawn_on == date(2026, 12, 5)
    with pytest.raises(StaleRecord):
        withdraw_consent(ctx, row.id, version=row.version)
    with pytest.raises(ValidationFailed) as caught:
        withdraw_consent(ctx, row.id, version=withdrawn.version)
    assert "05.12.2026" in caught.value.field_messages_en()["withdrawn_on"]


def test_withdrawal_cannot_be_recorded_in_advance(
    ctx: AppContext, adult: int, jobcentre: int
) -> None:
    row = record_consent(ctx, consent(adult, jobcentre))
    with pytest.raises(ValidationFailed):
        withdraw_consent(ctx, row.id, version=row.version, on=date(2027, 1, 1))


def test_the_list_shows_each_state(ctx: AppContext, adult: int, jobcentre: int,
                                   clock: FixedClock) -> None:
    old = record_consent(ctx, consent(adult, jobcentre, valid_to=date(2026, 12, 1)))
    later = record_consent(ctx, consent(adult, jobcentre, valid_from=date(2027, 2, 1)))
    taken_back = record_consent(ctx, consent(adult, jobcentre))
    withdraw_consent(ctx, taken_back.id, version=taken_back.version)
    clock.advance(days=10)  # 5 December 2026: the first one has expired
    states = {r.id: r.state for r in consents_for_person(ctx, adult)}
    assert states == {old.id: ConsentState.EXPIRED, later.id: ConsentState.NOT_YET_VALID,
                      taken_back.id: ConsentState.WITHDRAWN}


def test_expiring_consents_for_the_start_page(ctx: AppContext, adult: int, jobcentre: int) -> None:
    other = add_person(ctx, "Ümit", "Çelik", date(1990, 1, 1))
    health = service_id(ctx, "health_visitor")
    soon = record_consent(ctx, consent(adult, jobcentre, valid_to=date(2026, 12, 20)))
    record_consent(ctx, consent(adult, health))  # a year away
    renewed = record_consent(ctx, consent(other, jobcentre, valid_to=date(2026, 12, 10)))
    record_consent(ctx, consent(other, jobcentre))  # the renewal
    gone = record_consent(ctx, consent(other, health, valid_to=date(2026, 12, 1)))
    withdraw_consent(ctx, gone.id, version=gone.version)
    rows = expiring_consents(ctx)
    assert [r.id for r in rows] == [soon.id]
    assert rows[0].expires_soon and renewed.id not in [r.id for r in rows]
    assert [r.id for r in expiring_consents(ctx, within_days=10)] == []


def test_permissions_and_restricted_cases(ctx: AppContext, jobcentre: int) -> None:
    restricted = add_person(ctx, "Nguyễn Thị", "Hằng", date(1991, 4, 3), restricted=True,
                            responsible_user_id=ctx.actor.user_id)
    record_consent(ctx, consent(restricted, jobcentre))
    with pytest.raises(PermissionDenied):
        record_consent(as_role(ctx, Role.VOLUNTEER), consent(restricted, jobcentre))
    with pytest.raises(PermissionDenied):
        consents_for_person(as_role(ctx, Role.STAFF), restricted)
    assert len(consents_for_person(as_role(ctx, Role.TEAM_LEAD), restricted)) == 1
    assert expiring_consents(as_role(ctx, Role.STAFF), within_days=400) == []


def test_scope_options_in_both_languages(ctx: AppContext) -> None:
    options = scope_options(ctx, "da")
    assert options[0].code == "identity" and options[0].label == "Navn og fødselsdato"
    assert scope_options(ctx, "en")[1].label == "CPR number"

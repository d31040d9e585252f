"""The quick log, the contacts list, follow-ups and the network-mother form."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from boligsag.domain.enums import ContactKind, Gender, Role
from boligsag.services.changes import Entity, changes_of
from boligsag.services.contact_choices import person_picker, quick_log_choices
from boligsag.services.contacts import (
    ContactDraft,
    ContactFilters,
    delete_contact,
    get_contact,
    list_contacts,
    log_contact,
    update_contact,
)
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import PermissionDenied, StaleRecord, ValidationFailed
from boligsag.services.follow_ups import FollowUpKind, due_follow_ups, mark_follow_up_done
from boligsag.services.network_mothers import (
    NetworkMotherDraft,
    log_network_mother_conversation,
    network_mother_choices,
)
from boligsag.services.people_search import list_people
from boligsag.storage.models import AuditEntry, Contact

from ..conftest import CreatedDb
from .casework_helpers import (
    add_user,
    contact_topic_ids,
    logged_in,
    other_period_topic_id,
    person,
)


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend



def test_quick_log_records_a_contact_with_defaults(ctx: AppContext, clock: FixedClock) -> None:
    ayse = person(ctx, "Ayşe", "Kaya").person
    school, homework = contact_topic_ids(ctx, "school", "homework")
    row = log_contact(ctx, ContactDraft(channel="phone", person_ids=(ayse.id,),
                                        topic_ids=(school, homework), duration_minutes=15,
                                        note="Talte om lektiehjælp"))
    assert row.occurred_at == clock.now()
    assert row.staff_user_id == ctx.actor.user_id and row.staff_name == "Åse Nørgaard"
    assert (row.channel, row.channel_label) == ("phone", "Telefon")
    assert row.people_names == "Ayşe Kaya"
    assert [t.label for t in row.topics] == ["Skole og fravær", "Lektiehjælp"]
    assert changes_of(log_contact) >= {Entity.CONTACTS, Entity.FOLLOW_UPS}
    with ctx.read() as unit:
        session = unit.session
        audit = session.scalars(select(AuditEntry).where(AuditEntry.entity == "contacts")).one()
    assert audit.person_uuid == ayse.uuid and "lektie" not in audit.detail


def test_anonymous_contact_needs_age_group_and_gender(ctx: AppContext) -> None:
    with pytest.raises(ValidationFailed) as raised:
        log_contact(ctx, ContactDraft(channel="in_person", anonymous=True))
    assert set(raised.value.fields) == {"age_group", "gender"}
    row = log_contact(ctx, ContactDraft(channel="in_person", anonymous=True, age_group="14-17",
                                        gender=Gender.FEMALE))
    assert row.people == () and (row.age_group_label, row.gender_label) == ("14–17 år", "Kvinde")
    with pytest.raises(ValidationFailed) as raised:
        log_contact(ctx, ContactDraft(channel="in_person"))
    assert set(raised.value.fields) == {"person_ids"}


def test_quick_log_validates_in_place(ctx: AppContext, clock: FixedClock) -> None:
    ayse = person(ctx).person
    with pytest.raises(ValidationFailed) as raised:
        log_contact(ctx, ContactDraft(
            channel="fax", person_ids=(ayse.id, 999), topic_ids=(other_period_topic_id(ctx),),
            duration_minutes=-5, occurred_at=clock.now() + timedelta(days=1),
            follow_up_date=date(2026, 1, 1)))
    assert set(raised.value.fields) == {"channel", "person_ids", "topic_ids", "duration_minutes",
                                        "occurred_at", "follow_up_date"}


def test_choices_group_topics_by_the_plans_focus_areas(ctx: AppContext) -> None:
    choices = quick_log_choices(ctx)
    assert [c.code for c in choices.channels] == ["in_person", "phone", "home_visit",
                                                  "outreach", "sms_mail"]
    assert [f.code for f in choices.focus_areas] == [
        "education_life_chances", "employment", "crime_prevention", "cohesion_citizenship"]
    assert "leisure_job" in [t.code for t in choices.focus_areas[1].topics]
    assert [g.code for g in choices.age_groups][:2] == ["0-5", "6-9"]
    assert [s.label for s in choices.staff] == ["Åse Nørgaard"]
    assert choices.services and choices.default_staff_id == ctx.actor.user_id


def test_person_picker_reuses_search(ctx: AppContext) -> None:
    person(ctx, "Şükrü", "Yılmaz")
    person(ctx, "Ayşe", "Kaya")
    assert [p.full_name for p in person_picker(ctx, "sük")] == ["Şükrü Yılmaz"]
    assert person_picker(ctx, "  ") == []


def test_edit_and_delete_with_concurrency(ctx: AppContext) -> None:
    ayse = person(ctx).person
    row = log_contact(ctx, ContactDraft(channel="phone", person_ids=(ayse.id,)))
    draft = ContactDraft(channel="home_visit", person_ids=(ayse.id,), occurred_at=row.occurred_at,
                         duration_minutes=45)
    edited = update_contact(ctx, row.id, row.version, draft)
    assert (edited.channel, edited.duration_minutes, edited.version) == ("home_visit", 45,
                                                                         row.version + 1)
    with pytest.raises(StaleRecord):
        update_contact(ctx, row.id, row.version, draft)
    with pytest.raises(StaleRecord):
        delete_contact(ctx, row.id, row.version)
    delete_contact(ctx, row.id, edited.version)
    assert list_contacts(ctx).items == ()


def test_contacts_list_filters_and_pages(ctx: AppContext, clock: FixedClock) -> None:
    ayse, omar = person(ctx, "Ayşe", "Kaya").person, person(ctx, "Omar", "Ali").person
    (school,) = contact_topic_ids(ctx, "school")
    for day in range(5):
        log_contact(ctx, ContactDraft(channel="phone", person_ids=(ayse.id,),
                                      occurred_at=datetime(2026, 11, 20 + day, 9)))
    log_contact(ctx, ContactDraft(channel="outreach", person_ids=(omar.id,), topic_ids=(school,),
                                  occurred_at=datetime(2026, 11, 1, 9)))
    first = list_contacts(ctx, limit=4)
    assert len(first.items) == 4 and first.has_more
    assert first.items[0].occurred_at == datetime(2026, 11, 24, 9)  # newest first
    assert not list_contacts(ctx, offset=4, limit=4).has_more
    assert len(list_contacts(ctx, ContactFilters(person_id=ayse.id)).items) == 5
    by_topic = list_contacts(ctx, ContactFilters(topic_id=school))
    assert [r.people_names for r in by_topic.items] == ["Omar Ali"]
    assert len(list_contacts(ctx, ContactFilters(channel="outreach")).items) == 1
    week = ContactFilters(date_from=date(2026, 11, 21), date_to=date(2026, 11, 23))
    assert len(list_contacts(ctx, week).items) == 3


def test_restricted_persons_contacts_are_hidden(ctx: AppContext, created_db: CreatedDb,
                                               clock: FixedClock) -> None:
    add_user(ctx, "anna", Role.STAFF)
    add_user(ctx, "bo", Role.STAFF)
    with logged_in(ctx, clock, "anna") as anna:
        secret = person(anna, "Fatima", "Ali", restricted=True).person
        row = log_contact(anna, ContactDraft(channel="phone", person_ids=(secret.id,),
                                             follow_up_date=date(2026, 11, 25)))
    with logged_in(ctx, clock, "bo") as bo:
        assert list_contacts(bo).items == ()
        assert due_follow_ups(bo) == []
        with pytest.raises(PermissionDenied):
            get_contact(bo, row.id)
        with pytest.raises(ValidationFailed):  # cannot attach a person they cannot see
            log_contact(bo, ContactDraft(channel="phone", person_ids=(secret.id,)))


def test_follow_ups_are_listed_when_due_and_marked_done(ctx: AppContext,
                                                       clock: FixedClock) -> None:
    ayse = person(ctx).person
    log_contact(ctx, ContactDraft(channel="phone", person_ids=(ayse.id,),
                                  follow_up_date=date(2026, 11, 27), note="Ring om skolen"))
    log_contact(ctx, ContactDraft(channel="phone", anonymous=True, age_group="18-24",
                                  gender=Gender.MALE, follow_up_date=date(2026, 11, 25)))
    due = due_follow_ups(ctx)
    assert [(i.kind, i.person_names) for i in due] == [
        (FollowUpKind.CONTACT, "Anonym (18–24 år, Mand)")]
    clock.advance(days=2)
    due = due_follow_ups(ctx)
    assert [i.person_names for i in due] == ["Anonym (18–24 år, Mand)", "Ayşe Kaya"]
    assert due[0].overdue and not due[1].overdue
    assert due[1].text == "Telefon 25.11.2026: Ring om skolen"
    mark_follow_up_done(ctx, due[1])
    mark_follow_up_done(ctx, due[1])  # a second keystroke changes nothing
    assert [i.person_names for i in due_follow_ups(ctx)] == ["Anonym (18–24 år, Mand)"]
    assert due_follow_ups(ctx, only_mine=True) != []


def test_a_failing_quick_log_leaves_nothing(ctx: AppContext,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    people = (person(ctx, "Ib", "Ene").person.id, person(ctx, "Bo", "To").person.id)
    calls = []

    def audit_failing_on_second_person(*_args: object, **_kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    monkeypatch.setattr(ctx, "audit", audit_failing_on_second_person)
    with pytest.raises(RuntimeError):
        log_contact(ctx, ContactDraft(channel="phone", person_ids=people))
    with ctx.read() as unit:
        session = unit.session
        assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_volunteer_logs_a_network_mother_conversation_only(
        ctx: AppContext, clock: FixedClock) -> None:
    add_user(ctx, "frida", Role.VOLUNTEER)
    ayse = person(ctx).person
    (health,) = contact_topic_ids(ctx, "health")
    with logged_in(ctx, clock, "frida") as frida:
        choices = network_mother_choices(frida)
        assert choices.staff == () and choices.focus_areas and choices.services
        service = choices.services[0]
        row = log_network_mother_conversation(frida, NetworkMotherDraft(
            age_group="25-39", gender=Gender.FEMALE, topic_ids=(health,),
            referred_to_service_id=service.id, referred_to_text="Sundhedsplejen, torsdag"))
        assert row.kind == ContactKind.NETWORK_MOTHER and row.anonymous
        assert row.referred_to_service_name == service.label
        assert row.staff_user_id == frida.actor.user_id
        with pytest.raises(PermissionDenied):
            list_people(frida)
        with pytest.raises(PermissionDenied):
            list_contacts(frida)
        with pytest.raises(PermissionDenied):
            quick_log_choices(frida)
        with pytest.raises(PermissionDenied):
            log_contact(frida, ContactDraft(channel="phone", person_ids=(ayse.id,)))
        with pytest.raises(PermissionDenied):
            log_contact(frida, ContactDraft(channel="phone", anonymous=True, age_group="0-5",
                                            gender=Gender.MALE))
    assert [r.kind for r in list_contacts(ctx).items] == [ContactKind.NETWORK_MOTHER]

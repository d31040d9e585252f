"""People, households, search and the person page on a real encrypted database."""

from __future__ import annotations

import re
from datetime import date

import pytest
from alembic import command
from sqlalchemy import func, select, text

from boligsag.domain.enums import AuditAction, Gender, Role
from boligsag.services import people_search
from boligsag.services.changes import Entity, changes_of
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import PermissionDenied, StaleRecord, ValidationFailed
from boligsag.services.households import (
    HouseholdDraft,
    add_household_member,
    create_household,
    get_household,
    link_parent_child,
    remove_household_member,
    set_custody,
)
from boligsag.services.people import (
    DuplicateReason,
    PersonDraft,
    create_person,
    find_duplicates,
    get_person,
    update_person,
)
from boligsag.services.people_search import PeopleSort, count_people, list_people
from boligsag.services.person_deletion import delete_person
from boligsag.services.setup import create_database
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import migrate
from boligsag.storage.models import AuditEntry, Person

from ..conftest import ADMIN_PASSWORD, setup_input
from .casework_helpers import add_user, logged_in, person


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend


def on_sqlite(ctx: AppContext) -> bool:
    return ctx.db.engine.dialect.name == "sqlite"


def names(page: people_search.Page[people_search.PersonSummary]) -> list[str]:
    return [p.full_name for p in page.items]


@pytest.fixture
def residents(ctx: AppContext) -> dict[str, int]:
    made = {
        "sukru": person(ctx, "Şükrü", "Yılmaz", cpr="120385-1233", phone="+45 20 30 40 50",
                        street="Ørestads Boulevard 12", postal_code="2300", city="København S"),
        "soren": person(ctx, "Søren", "Østergård", birth_date=date(1990, 5, 1),
                        phone="31 32 33 34", street="Blomstervænget 4"),
        "ayse": person(ctx, "Ayşe", "Kaya", email="ayse@example.dk", street="Ærtebjerg Allé 7"),
    }
    return {key: detail.person.id for key, detail in made.items()}


SEARCHES = [
    ("sukru", "Şükrü Yılmaz"), ("Şük", "Şükrü Yılmaz"), ("yilmaz", "Şükrü Yılmaz"),
    ("ılma", "Şükrü Yılmaz"), ("SØREN", "Søren Østergård"), ("ostergard", "Søren Østergård"),
    ("øster", "Søren Østergård"), ("1203851233", "Şükrü Yılmaz"),
    ("120385-1233", "Şükrü Yılmaz"), ("0385-12", "Şükrü Yılmaz"),
    ("20 30 40 50", "Şükrü Yılmaz"), ("+45 20304050", "Şükrü Yılmaz"),
    ("3040", "Şükrü Yılmaz"), ("orestad", "Şükrü Yılmaz"), ("2300", "Şükrü Yılmaz"),
    ("blomster", "Søren Østergård"), ("aertebjerg", "Ayşe Kaya"), ("ayse@ex", "Ayşe Kaya"),
    ("Ay", "Ayşe Kaya"), ("Ø", "Søren Østergård"), ("søren ø", "Søren Østergård"),
    ("kaya a", "Ayşe Kaya"),
]


def test_search_finds_people_by_any_part(ctx: AppContext, residents: dict[str, int]) -> None:
    # One database for all the queries: each would otherwise cost a fresh encrypted file.
    found = {query: names(list_people(ctx, query)) for query, _ in SEARCHES}
    assert found == {query: [expected] for query, expected in SEARCHES}


def test_search_answers_from_indexes(ctx: AppContext, residents: dict[str, int]) -> None:
    """The plans prove "indexed SQL": trigrams for 3+ characters (FTS5 / pg_trgm),
    index ranges below. PostgreSQL is told to avoid a sequential scan, which it would
    rightly choose for three people. It answers 1-2 digit prefixes by a scan: its
    phone and CPR indexes follow the server's locale, the prefix code point order."""
    queries = [("yilm", "VIRTUAL TABLE INDEX", "ix_people_search"),
               ("yı", "INDEX ix_people_", "ix_people_"),
               ("12", "INDEX ix_people_", None)]
    for query, sqlite_must, postgresql_must in queries:
        statement = people_search.people_query(ctx, query)
        with ctx.read() as unit:
            session = unit.session
            compiled = statement.compile(session.get_bind(),
                                         compile_kwargs={"literal_binds": True})
            if on_sqlite(ctx):
                plan = " ".join(str(row[-1]) for row in session.execute(
                    text(f"EXPLAIN QUERY PLAN {compiled}")))
                assert sqlite_must in plan, plan
                assert not re.search(r"SCAN people(?!_search)", plan), plan
            elif postgresql_must:
                session.execute(text("SET LOCAL enable_seqscan = off"))
                plan = " ".join(session.scalars(text(
                    f"EXPLAIN {compiled}".replace("%%", "%"))))
                assert postgresql_must in plan and "Seq Scan" not in plan, plan


def test_tombstoned_and_renamed_people_leave_the_search(ctx: AppContext,
                                                       residents: dict[str, int]) -> None:
    detail = get_person(ctx, residents["soren"])
    update_person(ctx, residents["soren"], detail.person.version,
                  PersonDraft("Søren", "Vestergaard", birth_date=date(1990, 5, 1)))
    assert names(list_people(ctx, "øster")) == []
    assert names(list_people(ctx, "vester")) == ["Søren Vestergaard"]
    version = get_person(ctx, residents["soren"]).person.version
    delete_person(ctx, residents["soren"], version)
    assert names(list_people(ctx, "søren")) == []
    assert "Søren Vestergaard" not in names(list_people(ctx))
    assert count_people(ctx) == 2
    if on_sqlite(ctx):
        with ctx.read() as unit:
            indexed = unit.session.scalar(text("SELECT count(*) FROM people_search"))
        assert indexed == 2  # the trigger removed the tombstoned person's document


def test_people_list_pages_and_sorts_in_sql(ctx: AppContext) -> None:
    for i, last in enumerate(["Andersen", "Berg", "Carlsen", "Dahl", "Eriksen"]):
        person(ctx, "Ib", last, birth_date=date(1980 + i, 1, 1))
    first = list_people(ctx, limit=2)
    assert names(first) == ["Ib Andersen", "Ib Berg"] and first.has_more
    last = list_people(ctx, offset=4, limit=2)
    assert names(last) == ["Ib Eriksen"] and not last.has_more
    newest = list_people(ctx, "ib", sort=PeopleSort.BIRTH_DATE, descending=True, limit=1)
    assert names(newest) == ["Ib Eriksen"]


def test_form_validation_reports_every_field(ctx: AppContext) -> None:
    with pytest.raises(ValidationFailed) as raised:
        create_person(ctx, PersonDraft(" ", "", cpr="12345", phone="12 34", email="nope",
                                       postal_code="23"))
    assert set(raised.value.fields) == {"first_name", "last_name", "cpr", "phone", "email",
                                        "postal_code"}
    assert raised.value.field_messages()["phone"].startswith("Skriv et dansk telefonnummer")


def test_cpr_decides_birth_date_and_gender(ctx: AppContext) -> None:
    detail = person(ctx, "Mette", "Holm", cpr="010203-4234", phone="0045 11223344")
    assert detail.person.birth_date == date(2003, 2, 1)
    assert detail.person.gender == Gender.FEMALE
    assert detail.cpr == "010203-4234" and detail.person.cpr_masked == "010203-••••"
    assert detail.person.phone == "11 22 33 44"
    with pytest.raises(ValidationFailed) as raised:
        person(ctx, "Mette", "Holm", cpr="010203-4244", birth_date=date(2003, 3, 1),
               gender=Gender.MALE)
    fields = raised.value.fields
    assert fields["birth_date"] == ("The birth date does not match the CPR number ({date}).",
                                    {"date": "01.02.2003"})
    assert "gender" in fields
    with pytest.raises(ValidationFailed) as raised:
        person(ctx, "Nyfødt", "Barn", cpr="011226-4234")  # born after the FixedClock's today
    assert raised.value.fields["cpr"][0] == "The CPR number's birth date is in the future."


def test_duplicate_warnings_and_exact_cpr_refusal(ctx: AppContext,
                                                 residents: dict[str, int]) -> None:
    by_cpr = find_duplicates(ctx, PersonDraft("S.", "Y.", cpr="1203851233"))
    assert [(d.id, d.reason) for d in by_cpr] == [(residents["sukru"], DuplicateReason.SAME_CPR)]
    similar = find_duplicates(ctx, PersonDraft("Sukru", "Yilmaz", birth_date=date(1985, 3, 12)))
    assert [(d.id, d.reason) for d in similar] == [
        (residents["sukru"], DuplicateReason.SIMILAR_NAME_SAME_BIRTH_DATE)]
    swapped = find_duplicates(ctx, PersonDraft("Ostergard", "Soren", birth_date=date(1990, 5, 1)))
    assert [d.id for d in swapped] == [residents["soren"]]
    other_birthday = PersonDraft("Søren", "Østergård", birth_date=date(1991, 5, 1))
    assert find_duplicates(ctx, other_birthday) == []
    no_birth_date = find_duplicates(ctx, PersonDraft("AYSE", "kaya"))
    assert [(d.id, d.reason) for d in no_birth_date] == [
        (residents["ayse"], DuplicateReason.SAME_NAME)]
    with pytest.raises(ValidationFailed) as raised:
        person(ctx, "Sukru", "Yilmaz", cpr="120385-1233")
    assert raised.value.fields["cpr"] == ("{name} is already registered with this CPR number.",
                                          {"name": "Şükrü Yılmaz"})


def test_update_opened_at_an_old_version_is_refused(ctx: AppContext,
                                                    residents: dict[str, int]) -> None:
    opened = get_person(ctx, residents["ayse"])
    draft = opened.to_draft()
    saved = update_person(ctx, residents["ayse"], opened.person.version,
                          PersonDraft(**{**vars(draft), "phone": "40 41 42 43"}))
    assert saved.person.version == opened.person.version + 1
    with pytest.raises(StaleRecord):
        update_person(ctx, residents["ayse"], opened.person.version,
                      PersonDraft(**{**vars(draft), "city": "Odense"}))
    assert get_person(ctx, residents["ayse"]).person.city == ""
    assert changes_of(update_person) >= {Entity.PEOPLE}


def test_a_failing_save_leaves_nothing(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_audit(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ctx, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        person(ctx, "Halv", "Gemt")
    monkeypatch.undo()
    with ctx.read() as unit:
        session = unit.session
        assert session.scalar(select(func.count()).select_from(Person)) == 0
        if on_sqlite(ctx):
            assert session.scalar(text("SELECT count(*) FROM people_search")) == 0


def test_restricted_person_is_visible_to_responsible_and_leads_only(
        ctx: AppContext, clock: FixedClock) -> None:
    add_user(ctx, "anna", Role.STAFF)
    add_user(ctx, "bo", Role.STAFF)
    add_user(ctx, "lis", Role.TEAM_LEAD)
    with logged_in(ctx, clock, "anna") as anna:
        secret = person(anna, "Fatima", "Ali", cpr="150599-1236", restricted=True).person
        assert get_person(anna, secret.id).responsible_user_id == anna.actor.user_id
    with logged_in(ctx, clock, "bo") as bo:
        assert names(list_people(bo, "fatima")) == []
        assert count_people(bo) == 0
        with pytest.raises(PermissionDenied):
            get_person(bo, secret.id)
        assert find_duplicates(bo, PersonDraft("Fatima", "Ali", cpr="150599-1236")) == []
        with pytest.raises(ValidationFailed) as raised:
            person(bo, "Fatima", "Ali", cpr="150599-1236")
        assert "restricted case" in raised.value.fields["cpr"][0]
    with logged_in(ctx, clock, "lis") as lis:
        assert names(list_people(lis, "fatima")) == ["Fatima Ali"]


def test_opening_a_person_is_audited_without_personal_data(ctx: AppContext) -> None:
    detail = person(ctx, "Ole", "Bak", cpr="010170-1235", note="Fortroligt")
    get_person(ctx, detail.person.id)
    with ctx.read() as unit:
        session = unit.session
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.person_uuid == detail.person.uuid)).all()
    assert [e.action for e in entries] == [AuditAction.CREATE, AuditAction.VIEW]
    assert all("0101" not in e.detail and "Fortroligt" not in e.detail for e in entries)


def test_household_members_and_parent_child_links(ctx: AppContext) -> None:
    mother = person(ctx, "Amina", "Hassan", birth_date=date(1988, 4, 2)).person
    son = person(ctx, "Omar", "Hassan", birth_date=date(2014, 9, 9)).person
    household = create_household(ctx, HouseholdDraft("Familien Hassan", street="Sølvgade 3",
                                                     phone="12345678"), member_ids=(mother.id,))
    assert [m.id for m in household.members] == [mother.id]
    household = add_household_member(ctx, household.household.id, son.id)
    assert [m.id for m in household.members] == [mother.id, son.id]
    link = link_parent_child(ctx, mother.id, son.id, has_custody=True)
    with pytest.raises(ValidationFailed):
        link_parent_child(ctx, son.id, mother.id)
    detail = get_household(ctx, household.household.id)
    assert [(r.parent.name, r.child.name, r.has_custody) for r in detail.relations] == [
        ("Amina Hassan", "Omar Hassan", True)]
    assert [r.child.id for r in get_person(ctx, mother.id).children] == [son.id]
    updated = set_custody(ctx, link.id, link.version, False)
    with pytest.raises(StaleRecord):
        set_custody(ctx, link.id, link.version, True)
    assert updated.has_custody is False
    detail = remove_household_member(ctx, household.household.id, son.id)
    assert [m.id for m in detail.members] == [mother.id]
    assert get_person(ctx, mother.id).household_name == "Familien Hassan"


def test_volunteer_cannot_see_people(ctx: AppContext,
                                     clock: FixedClock) -> None:
    person(ctx, "Ayşe", "Kaya")
    add_user(ctx, "frida", Role.VOLUNTEER)
    with logged_in(ctx, clock, "frida") as frida:
        with pytest.raises(PermissionDenied):
            list_people(frida, "")
        with pytest.raises(PermissionDenied):
            person(frida, "Ny", "Person")


def test_migration_0002_upgrades_a_database_made_at_0001(
        tmp_path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    real_upgrade = migrate.upgrade
    monkeypatch.setattr(migrate, "upgrade", lambda engine, target="head": real_upgrade(
        engine, "0001"))
    path = tmp_path / "old" / "boligsag.db"
    create_database(path, setup_input())
    monkeypatch.undo()
    old = unlock(path, "admin", ADMIN_PASSWORD, clock=clock,
                 options=UnlockOptions(integrity_check=False, migrate=False))
    try:
        assert migrate.current_revision(old.db.engine) == "0001"
        with old.write(None) as unit:
            session = unit.session
            session.add_all([Person(first_name="Şükrü", last_name="Yılmaz", cpr="1203851233"),
                             Person(first_name="Gammel", last_name="Slettet",
                                    deleted_at=clock.now())])
    finally:
        lock(old)
    upgraded = unlock(path, "admin", ADMIN_PASSWORD, clock=clock,
                      options=UnlockOptions(integrity_check=False))
    try:
        assert migrate.current_revision(upgraded.db.engine) == migrate.head_revision()
        assert names(list_people(upgraded, "yilmaz")) == ["Şükrü Yılmaz"]
        assert names(list_people(upgraded, "120385-1233")) == ["Şükrü Yılmaz"]
        assert names(list_people(upgraded, "slettet")) == []
        person(upgraded, "Ny", "Beboer")  # the triggers index new people too
        assert names(list_people(upgraded, "beboer")) == ["Ny Beboer"]
        with upgraded.db.engine.begin() as connection:  # and it can be undone cleanly
            command.downgrade(migrate._config(connection), "0001")
            assert connection.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'people_search%' "
                "OR name LIKE 'ix_people_sort%'").scalar() == 0
    finally:
        lock(upgraded)

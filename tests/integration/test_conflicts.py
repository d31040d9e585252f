"""Sync conflicts on a laptop (issue 12 §3, services/sync_client/conflicts.py): listed in words for
the people who may see them, settled by a choice that becomes a local edit the next
push carries. Conflict rows are written as a pull writes them (inside ``applying``) into
a real encrypted database."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from boligsag.domain.enums import AuditAction, Role
from boligsag.i18n import set_language
from boligsag.services.changes import Entity, changes_of
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import NotFound, PermissionDenied
from boligsag.services.sync_client import conflicts, server_link
from boligsag.services.sync_client.conflicts import (
    AlreadySettled,
    CannotSettle,
    list_conflicts,
    settle,
)
from boligsag.storage.models import (
    AuditEntry,
    Contact,
    Person,
    SyncConflict,
    SyncOutboxEntry,
    User,
    new_uuid,
)
from boligsag.storage.sync_applying import applying

from .casework_helpers import add_user, logged_in, person


@pytest.fixture(autouse=True)
def danish() -> Any:
    set_language("da")
    yield
    set_language("da")


def user_uuid(ctx: AppContext, username: str) -> tuple[int, str]:
    with ctx.db.reading() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return user.id, user.uuid


def pulled_conflict(ctx: AppContext, table: str, row_uuid: str, field: str, kind: str,
                    kept: Any, other: Any, kept_user: int, other_user: int) -> str:
    """A conflict row as a pull writes it: not recorded in the outbox."""
    uuid = new_uuid()
    with ctx.db.writing(None) as session, applying(session):
        session.add(SyncConflict(
            uuid=uuid, table_name=table, row_uuid=row_uuid, field=field, kind=kind,
            kept_value=json.dumps(kept), other_value=json.dumps(other),
            kept_user_id=kept_user, kept_at=datetime(2026, 11, 24, 9, 15),
            other_user_id=other_user, other_at=datetime(2026, 11, 24, 14, 40),
            other_device_uuid=new_uuid(), resolution="",
            created_at=datetime(2026, 11, 24, 14, 41), updated_at=datetime(2026, 11, 24, 14, 41)))
    return uuid


def outbox(ctx: AppContext) -> dict[tuple[str, str], list[str]]:
    with ctx.db.reading() as session:
        return {(e.table_name, e.row_uuid): json.loads(e.fields)
                for e in session.scalars(select(SyncOutboxEntry))}


@pytest.fixture
def world(ctx: AppContext) -> dict[str, Any]:
    add_user(ctx, "bente", Role.STAFF)
    add_user(ctx, "vera", Role.VOLUNTEER)
    aisha = person(ctx, "Aisha", "Hassan", note="Mor til tre.", phone="20 30 40 50").person
    contact = log_contact(ctx, ContactDraft(channel="phone", person_ids=(aisha.id,),
                                            note="Ringede om huslejen."))
    with ctx.db.reading() as session:
        contact_uuid = session.get(Contact, contact.id).uuid
    admin_id, _ = user_uuid(ctx, "admin")
    bente_id, bente_uuid = user_uuid(ctx, "bente")
    with ctx.db.writing(None) as session:  # nothing to push before the conflicts
        session.query(SyncOutboxEntry).delete()
    return {"aisha": aisha, "contact_uuid": contact_uuid, "admin": admin_id,
            "bente": bente_id, "bente_uuid": bente_uuid}


def test_the_list_says_which_record_which_field_both_values_and_who(
        ctx: AppContext, world: dict[str, Any]) -> None:
    aisha = world["aisha"]
    pulled_conflict(ctx, "people", aisha.uuid, "phone", "same_field", "20 30 40 50",
                    "61 62 63 64", world["admin"], world["bente"])
    pulled_conflict(ctx, "contacts", world["contact_uuid"], "channel", "same_field",
                    "phone", "in_person", world["admin"], world["bente"])
    pulled_conflict(ctx, "contacts", world["contact_uuid"], "follow_up_date", "same_field",
                    None, "2026-12-03", world["admin"], world["bente"])
    rows = {r.field: r for r in list_conflicts(ctx)}
    phone = rows["phone"]
    assert (phone.record_kind, phone.record_label) == ("Person", "Aisha Hassan")
    assert (phone.field_label, phone.kept_text, phone.other_text) == (
        "Telefon", "20 30 40 50", "61 62 63 64")
    assert (phone.kept_by, phone.other_by) == ("Åse Nørgaard", "Bente")
    assert phone.other_at == datetime(2026, 11, 24, 14, 40)
    assert phone.person_id == aisha.id and "Bente" in phone.explanation
    assert not phone.mergeable
    channel = rows["channel"]
    assert channel.record_label == "Kontakt 25.11.2026 med Aisha H."
    assert (channel.field_label, channel.kept_text) == ("Kanal", "Telefon")
    assert channel.other_text not in ("in_person", "")  # the channel's name, not its code
    assert rows["follow_up_date"].other_text == "03.12.2026"
    assert rows["follow_up_date"].kept_text == "(tom)"
    assert conflicts.open_count(ctx) == 3


def test_listing_is_audited_per_person_shown(ctx: AppContext, world: dict[str, Any]) -> None:
    pulled_conflict(ctx, "people", world["aisha"].uuid, "note", "same_field", "a", "b",
                    world["admin"], world["bente"])
    list_conflicts(ctx)
    with ctx.db.reading() as session:
        entries = list(session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "sync_conflicts", AuditEntry.action == AuditAction.VIEW)))
    assert [e.person_uuid for e in entries] == [world["aisha"].uuid]


def test_keeping_the_current_value_writes_nothing_but_the_settlement(
        ctx: AppContext, world: dict[str, Any]) -> None:
    uuid = pulled_conflict(ctx, "people", world["aisha"].uuid, "phone", "same_field",
                           "20 30 40 50", "61 62 63 64", world["admin"], world["bente"])
    settle(ctx, uuid, "kept")
    with ctx.db.reading() as session:
        assert session.get(Person, world["aisha"].id).phone == "20 30 40 50"
        row = session.scalars(select(SyncConflict).where(SyncConflict.uuid == uuid)).one()
        assert (row.resolution, row.resolved_by_id) == ("kept", world["admin"])
        assert row.resolved_at == datetime(2026, 11, 25, 10, 30)
    box = outbox(ctx)
    assert list(box) == [("sync_conflicts", uuid)]  # the person is not touched
    assert set(box[("sync_conflicts", uuid)]) == {"resolution", "resolved_at", "resolved_by"}
    assert list_conflicts(ctx) == [] and conflicts.open_count(ctx) == 0
    assert [r.resolution for r in list_conflicts(ctx, include_resolved=True)] == ["kept"]


def test_using_the_other_value_is_a_local_edit_the_next_push_carries(
        ctx: AppContext, world: dict[str, Any]) -> None:
    aisha = world["aisha"]
    uuid = pulled_conflict(ctx, "people", aisha.uuid, "phone", "same_field",
                           "20 30 40 50", "61 62 63 64", world["admin"], world["bente"])
    with ctx.db.reading() as session:
        version = session.get(Person, aisha.id).version
    settle(ctx, uuid, "other")
    with ctx.db.reading() as session:
        after = session.get(Person, aisha.id)
        assert (after.phone, after.version) == ("61 62 63 64", version + 1)
    box = outbox(ctx)
    assert box[("people", aisha.uuid)] == ["phone"]
    assert ("sync_conflicts", uuid) in box
    with pytest.raises(AlreadySettled):
        settle(ctx, uuid, "kept")


def test_two_notes_are_merged_by_hand_and_only_texts_can_be(
        ctx: AppContext, world: dict[str, Any]) -> None:
    aisha = world["aisha"]
    note = pulled_conflict(ctx, "people", aisha.uuid, "note", "same_field", "Mor til tre.",
                           "Mor til tre. Søger job.", world["admin"], world["bente"])
    phone = pulled_conflict(ctx, "people", aisha.uuid, "phone", "same_field", "1", "2",
                            world["admin"], world["bente"])
    row = next(r for r in list_conflicts(ctx) if r.uuid == note)
    assert row.mergeable and row.other_raw == "Mor til tre. Søger job."
    with pytest.raises(CannotSettle):
        settle(ctx, phone, "merged", "12")
    settle(ctx, note, "merged", "Mor til tre. Søger job som kok.")
    with ctx.db.reading() as session:
        assert session.get(Person, aisha.id).note == "Mor til tre. Søger job som kok."
        assert session.scalars(select(SyncConflict.resolution).where(
            SyncConflict.uuid == note)).one() == "merged"


def test_an_edit_of_a_deleted_contact_comes_back_as_a_new_contact(
        ctx: AppContext, world: dict[str, Any]) -> None:
    cuuid, aisha = world["contact_uuid"], world["aisha"]
    with ctx.db.writing(None) as session, applying(session):  # deleted by the pull
        contact = session.scalars(select(Contact).where(Contact.uuid == cuuid)).one()
        contact.deleted_at = datetime(2026, 11, 24, 9, 15)
    uuid = pulled_conflict(ctx, "contacts", cuuid, "*", "edit_of_deleted", {"deleted": True},
                           {"note": "Ringede om huslejen og varmen."}, world["admin"],
                           world["bente"])
    on_person = pulled_conflict(ctx, "people", aisha.uuid, "*", "edit_of_deleted",
                                {"deleted": True}, {"phone": "1"}, world["admin"],
                                world["bente"])
    row = next(r for r in list_conflicts(ctx) if r.uuid == uuid)
    assert (row.kept_text, row.other_text) == (
        "Slettet", "Note: Ringede om huslejen og varmen.")
    assert row.field_label == "Hele posten"
    assert row.other_choice == "Genskab den som en ny post med ændringen"
    settle(ctx, uuid, "other")
    with ctx.db.reading() as session:
        old = session.scalars(select(Contact).where(Contact.uuid == cuuid)).one()
        (new,) = session.scalars(select(Contact).where(Contact.deleted_at.is_(None)))
        assert old.deleted_at is not None  # the server's deletion stands
        assert new.uuid != cuuid and new.note == "Ringede om huslejen og varmen."
        assert ([p.id for p in new.people], new.channel_id) == (
            [aisha.id], old.channel_id)
    box = outbox(ctx)
    assert box[("contacts", new.uuid)] == ["*"]  # pushed as a new contact
    assert ("contacts", cuuid) not in box
    with pytest.raises(CannotSettle):  # a person is not brought back from here
        settle(ctx, on_person, "other")
    settle(ctx, on_person, "kept")


def test_delete_anyway_tombstones_a_contact_but_not_a_person(
        ctx: AppContext, world: dict[str, Any]) -> None:
    cuuid, aisha = world["contact_uuid"], world["aisha"]
    on_contact = pulled_conflict(ctx, "contacts", cuuid, "*", "delete_of_edited",
                                 {"note": "x"}, {"deleted": True}, world["admin"],
                                 world["bente"])
    on_person = pulled_conflict(ctx, "people", aisha.uuid, "*", "delete_of_edited",
                                {"phone": "1"}, {"deleted": True}, world["admin"],
                                world["bente"])
    with pytest.raises(CannotSettle):
        settle(ctx, on_person, "other")
    settle(ctx, on_contact, "other")
    with ctx.db.reading() as session:
        assert session.scalars(select(Contact.deleted_at).where(
            Contact.uuid == cuuid)).one() is not None
        assert session.get(Person, aisha.id).deleted_at is None


def test_created_twice_keeps_theirs_by_writing_the_servers_values(
        ctx: AppContext, world: dict[str, Any]) -> None:
    aisha = world["aisha"]
    uuid = pulled_conflict(ctx, "people", aisha.uuid, "*", "created_twice",
                           {"phone": "11 11 11 11"}, {"phone": "20 30 40 50"},
                           world["admin"], world["bente"])
    settle(ctx, uuid, "kept")
    with ctx.db.reading() as session:
        assert session.get(Person, aisha.id).phone == "11 11 11 11"


def test_a_volunteer_neither_sees_nor_settles_a_persons_conflict(
        ctx: AppContext, world: dict[str, Any], created_db: Any, clock: FixedClock) -> None:
    uuid = pulled_conflict(ctx, "people", world["aisha"].uuid, "phone", "same_field",
                           "1", "2", world["admin"], world["bente"])
    with logged_in(created_db, clock, "vera") as vera:
        assert list_conflicts(vera) == []
        with pytest.raises((NotFound, PermissionDenied)):
            settle(vera, uuid, "other")


def test_a_restricted_case_of_another_worker_is_hidden(
        ctx: AppContext, world: dict[str, Any], created_db: Any, clock: FixedClock) -> None:
    secret = person(ctx, "Hemmelig", "Sag", restricted=True).person
    pulled_conflict(ctx, "people", secret.uuid, "phone", "same_field", "1", "2",
                    world["admin"], world["bente"])
    pulled_conflict(ctx, "people", world["aisha"].uuid, "phone", "same_field", "1", "2",
                    world["admin"], world["bente"])
    with logged_in(created_db, clock, "bente") as bente:
        assert [r.record_label for r in list_conflicts(bente)] == ["Aisha Hassan"]
    assert len(list_conflicts(ctx)) == 2  # the administrator sees restricted cases


def test_settle_announces_conflicts_and_the_record_kinds() -> None:
    assert {Entity.CONFLICTS, Entity.PEOPLE, Entity.CONTACTS} <= changes_of(settle)


def test_a_stand_alone_database_is_not_a_team_replica(ctx: AppContext) -> None:
    assert not conflicts.is_team_replica(ctx)
    with ctx.db.writing(None) as session:
        server_link.link(session, "https://boligsag.example:8443", "AB" * 32)
    assert conflicts.is_team_replica(ctx)


def test_a_contact_for_a_person_deleted_meanwhile_shows_what_happened(
        ctx: AppContext, world: dict[str, Any]) -> None:
    aisha, cuuid = world["aisha"], world["contact_uuid"]
    with ctx.db.writing(None) as session, applying(session):  # the pull brings both
        session.get(Person, aisha.id).deleted_at = datetime(2026, 11, 24, 9, 15)
    uuid = pulled_conflict(ctx, "contacts", cuuid, "people", "contact_for_deleted",
                           [aisha.uuid], [aisha.uuid], world["admin"], world["bente"])
    (row,) = list_conflicts(ctx)
    assert (row.record_label, row.field_label) == ("Kontakt 25.11.2026 med Aisha H.",
                                                   "Personer")
    assert (row.kept_text, row.other_text) == ("Slettet: Aisha Hassan", "Aisha Hassan")
    assert "slettet" in row.explanation and row.person_id is None
    settle(ctx, uuid, "kept")
    assert set(outbox(ctx)) == {("sync_conflicts", uuid)}  # the contact stands as it was

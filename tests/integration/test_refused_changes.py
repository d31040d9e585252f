"""Changes the team server refused (services/sync_client/refused.py), on a real encrypted
replica: push_client sets the refused change aside, the list says in Danish which record,
what she changed and why, also after the record left the laptop; viewing is audited per
person; "Kassér ændringen" removes it in one audited transaction, only for the user who
pushed it; the Konflikter badge counts refused changes with the conflicts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import delete, select

from boligsag.domain.enums import AuditAction, Role
from boligsag.services import org_settings
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import NotFound, PermissionDenied
from boligsag.services.people import PersonDraft, update_person
from boligsag.services.sync.errors import Refused
from boligsag.services.sync_client import push_client, refused, server_link
from boligsag.storage.models import AuditEntry, Person, SyncConflict, User, new_uuid
from boligsag.storage.sync_applying import applying

from ..conftest import CreatedDb
from .casework_helpers import add_user, logged_in, person

SERVER_URL = "https://boligsag.example.dk:8443"
FINGERPRINT = ":".join(["AB"] * 32)


def accept_all(batch: dict[str, Any]) -> dict[str, Any]:
    """The server taking every change at version 1 (the first push of a new record)."""
    return {"batch_id": batch["batch_id"], "conflicts": [],
            "applied": [{"table": c["table"], "uuid": c["uuid"], "version": 1}
                        for c in batch["changes"]]}


def refusing(reason: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The server refusing the batch's first change, as services/sync/push.py words it."""
    def send(batch: dict[str, Any]) -> dict[str, Any]:
        change = batch["changes"][0]
        raise Refused(f"{change['table']} {change['uuid']}: {reason}")
    return send


def make_replica(ctx: AppContext) -> None:
    with ctx.write(None) as unit:
        server_link.link(unit.session, SERVER_URL, FINGERPRINT)


def pushed_person(ctx: AppContext, first: str = "Amira", last: str = "Hassan") -> Person:
    """A person created here and already on the server."""
    made = person(ctx, first, last, phone="20 30 40 50").person
    assert push_client.push_once(ctx, accept_all).applied >= 1
    with ctx.db.reading() as session:
        found = session.get(Person, made.id)
        assert found is not None
        return found


def edit_note(ctx: AppContext, amira: Person, note: str) -> None:
    with ctx.db.reading() as session:
        current = session.get(Person, amira.id)
        assert current is not None
        version = current.version
    update_person(ctx, amira.id, version, PersonDraft(amira.first_name, amira.last_name,
                                                      phone="20 30 40 50", note=note))


def refused_edit(ctx: AppContext, reason: str = "outside your scope") -> Person:
    """Amira's note edited here and refused by the server: set aside by push_client."""
    make_replica(ctx)
    amira = pushed_person(ctx)
    edit_note(ctx, amira, "Vil gerne have hjælp til lektier")
    assert push_client.push_once(ctx, refusing(reason)).set_aside == 1
    return amira


def audit_rows(ctx: AppContext, action: AuditAction) -> list[AuditEntry]:
    with ctx.db.reading() as session:
        return list(session.scalars(select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.entity == "sync_refused_changes")))


@pytest.fixture
def replica(ctx: AppContext) -> AppContext:
    return ctx


def test_a_refused_edit_is_listed_in_words_with_the_reason_in_danish(
        replica: AppContext, clock: FixedClock) -> None:
    amira = refused_edit(replica)

    (row,) = refused.list_refused(replica)

    assert (row.record_kind, row.record_label, row.still_here) == ("Person", "Amira Hassan",
                                                                  True)
    assert [(f.label, f.value) for f in row.fields] == [
        ("Note", "Vil gerne have hjælp til lektier")]
    assert row.action == "Ændring"
    assert row.reason == "Personen hører ikke længere til dine områder"
    assert row.server_reason == "outside your scope"
    assert row.at == clock.now().replace(microsecond=0)
    assert row.copy_text.splitlines()[:3] == [
        "Person: Amira Hassan", "Ændring:", "  Note: Vil gerne have hjælp til lektier"]
    assert "Personen hører ikke længere til dine områder" in row.copy_text
    (seen,) = audit_rows(replica, AuditAction.VIEW)
    assert (seen.person_uuid, seen.username) == (amira.uuid, "admin")
    assert refused.refused_count(replica) == 1
    assert [a.id for a in audit_rows(replica, AuditAction.VIEW)] == [seen.id]  # a count is no view


def test_a_record_that_left_the_laptop_is_still_named_from_the_refusal(
        replica: AppContext) -> None:
    amira = refused_edit(replica)
    with replica.db.writing(None) as session, applying(session):  # as a reconcile purges
        session.execute(delete(Person).where(Person.id == amira.id))

    (row,) = refused.list_refused(replica)

    assert (row.record_label, row.still_here) == ("Amira Hassan", False)
    assert row.person_uuids == (amira.uuid,)
    assert row.fields[0].value == "Vil gerne have hjælp til lektier"


def test_without_anything_that_names_it_the_record_is_said_to_be_gone(
        replica: AppContext) -> None:
    kept = [
        {"change": {"table": "people", "uuid": new_uuid(), "base_version": 3,
                    "deleted": False, "fields": {"phone": "61 62 63 64"}},
         "reason": "a volunteer may not put people on a form", "at": "2026-11-24T14:50:00"},
        {"change": {"table": "contacts", "uuid": new_uuid(), "base_version": None,
                    "deleted": False,
                    "fields": {"occurred_at": "2026-12-03T13:00:00", "note": "Ringede"}},
         "reason": "this table cannot be pushed through sync", "at": "2026-11-24T15:00:00"},
    ]
    with replica.db.writing(None) as session:
        org_settings.set_setting(session, "sync_refused_changes", kept)

    contact, phone = refused.list_refused(replica)  # newest first

    assert phone.record_label == "En post der ikke længere er på denne computer"
    assert phone.reason == "Din rolle må ikke ændre dette"
    assert contact.record_label == "Kontakt 03.12.2026"
    assert contact.action == "Ny post"
    assert contact.reason == "Teamserveren tog ikke imod ændringen"
    # The phone number is about that person, even if she is no longer here.
    assert [a.person_uuid for a in audit_rows(replica, AuditAction.VIEW)] == [
        kept[0]["change"]["uuid"]]


def test_a_role_refusal_reads_as_the_role_and_a_deletion_as_a_deletion(
        replica: AppContext) -> None:
    make_replica(replica)
    amira = pushed_person(replica)
    with replica.db.writing(None) as session:  # as the app deletes: a tombstone
        found = session.get(Person, amira.id)
        assert found is not None
        found.deleted_at, found.version = datetime(2026, 11, 25, 10, 0), found.version + 1
    assert push_client.push_once(
        replica, refusing("a staff may not change people")).set_aside == 1

    (row,) = refused.list_refused(replica)

    assert row.reason == "Din rolle må ikke ændre dette"
    assert (row.action, row.values_text) == ("Sletning", "Slet posten")
    # The server kept the person, so the laptop took its deletion back: still here.
    assert row.record_label == "Amira Hassan" and row.still_here
    with replica.db.reading() as session:
        assert session.get(Person, amira.id).deleted_at is None  # type: ignore[union-attr]


def test_discarding_removes_it_in_one_audited_step(replica: AppContext) -> None:
    amira = refused_edit(replica)
    (row,) = refused.list_refused(replica)

    refused.discard_refused(replica, row.id)

    assert refused.list_refused(replica) == []
    assert refused.refused_count(replica) == 0
    with replica.db.reading() as session:
        assert push_client.refused_changes(session) == []
    (gone,) = audit_rows(replica, AuditAction.DELETE)
    assert (gone.person_uuid, gone.entity_uuid) == (amira.uuid, amira.uuid)
    assert gone.detail == "discarded a refused change of people"
    with pytest.raises(NotFound):
        refused.discard_refused(replica, row.id)


def test_only_the_user_who_pushed_it_sees_and_discards_it(
        created_db: CreatedDb, replica: AppContext, clock: FixedClock) -> None:
    add_user(replica, "bente", Role.STAFF)
    refused_edit(replica)  # pushed by admin
    (row,) = refused.list_refused(replica)

    with logged_in(created_db, clock, "bente") as bente:
        assert refused.list_refused(bente) == []
        assert refused.refused_count(bente) == 0
        with pytest.raises(PermissionDenied):
            refused.discard_refused(bente, row.id)

    assert [r.id for r in refused.list_refused(replica)] == [row.id]  # nothing lost
    with replica.db.reading() as session:
        admin_uuid = session.scalars(select(User.uuid).where(User.username == "admin")).one()
        assert push_client.refused_changes(session)[0]["by"] == admin_uuid


def test_the_badge_counts_open_conflicts_and_refused_changes(replica: AppContext) -> None:
    amira = refused_edit(replica)
    with replica.db.writing(None) as session, applying(session):
        admin_id = session.scalars(select(User.id).where(User.username == "admin")).one()
        session.add(SyncConflict(
            uuid=new_uuid(), table_name="people", row_uuid=amira.uuid, field="phone",
            kind="same_field", kept_value='"1"', other_value='"2"', kept_user_id=admin_id,
            kept_at=datetime(2026, 11, 24, 9, 0), other_user_id=admin_id,
            other_at=datetime(2026, 11, 24, 9, 5), other_device_uuid=new_uuid(),
            resolution=""))

    assert refused.attention_count(replica) == 2

"""What the sync property test (test_sync_property.py) found, pinned as plain tests on
the same world: a PostgreSQL team server and laptop replicas joined as the app joins
them, synced with services/sync_client/engine.sync_once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from boligsag.services.contact_rows import ContactDraft
from boligsag.services.contacts import delete_contact, get_contact, log_contact, update_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.people import update_person
from boligsag.services.person_deletion import delete_person
from boligsag.services.sync_client import engine as sync_engine
from boligsag.services.sync_client import push_client
from boligsag.services.sync_client.errors import ServerUnreachable
from boligsag.services.sync_client.push_client import refused_changes
from boligsag.services.unlock import lock
from boligsag.storage.models import Area, Contact, Person

from ..pg import PgCluster
from .sync_property_world import (  # noqa: F401  (fixture)
    EAST,
    SOUTH,
    Files,
    copy_replica,
    device_name,
    files_fixture,
    live_ids,
    live_rows,
    local_id,
    open_replica,
    open_server,
    person_draft,
)
from .sync_remote import InProcessRemote
from .sync_server import START, SyncServer, template_fixture  # noqa: F401  (fixture)


@contextmanager
def _server_and_laptops(pg_cluster: PgCluster, files: Files, tmp_path: Path, user: str
                        ) -> Iterator[tuple[SyncServer, AppContext, AppContext]]:
    """A fresh copy of the world's server, and open copies of the replicas of ``user``
    and the administrator; all closed and dropped afterwards."""
    server, name = open_server(pg_cluster, files.template)
    clock = FixedClock(START + timedelta(days=1))
    opened: list[AppContext] = []
    try:
        for who in (user, "admin"):
            opened.append(open_replica(copy_replica(files.bases[who], tmp_path / who), who,
                                       clock))
        yield server, opened[0], opened[1]
    finally:
        for ctx in opened:
            lock(ctx)
        server.engine.dispose()
        pg_cluster.drop_database(name)


def test_a_deletion_the_server_kept_apart_brings_the_record_back_here(
        pg_cluster: PgCluster, files: Files, tmp_path: Path) -> None:
    """A contact deleted offline while a colleague edited it: the server keeps it (a
    delete_of_edited conflict), and the deleting laptop shows it again with the
    colleague's edit and the conflict. (Before pull_client revived such a row, the
    laptop kept its tombstone for good: the replica lacked a row the server lists, and
    every reconcile fetched it again in vain.)"""
    with _server_and_laptops(pg_cluster, files, tmp_path, "lead") as (server, lead, admin):
        lead_remote = InProcessRemote(server, device_name("lead", 1))
        admin_remote = InProcessRemote(server, device_name("admin", 2))
        (contact_id, uuid), _ = live_ids(lead, Contact)  # "Første", then "Syd"
        row = get_contact(lead, contact_id)
        update_contact(lead, contact_id, row.version, replace(row.to_draft(), note="Ny"))
        sync_engine.sync_once(lead, lead_remote)
        admin_id = local_id(admin, Contact, uuid)
        assert admin_id is not None
        with admin.db.reading() as session:
            version = session.get(Contact, admin_id).version  # type: ignore[union-attr]
        delete_contact(admin, admin_id, version)  # offline: it still had the old note

        outcome = sync_engine.sync_once(admin, admin_remote)

        assert outcome.new_conflicts == 1 and outcome.waiting == 0
        there = server.row("contacts", uuid)
        assert not there["deleted"] and there["fields"]["note"] == "Ny"
        assert live_rows(admin.db, ("contacts",))[("contacts", uuid)] == there
        (conflict,) = server.conflicts()
        assert (conflict.row_uuid, conflict.kind) == (uuid, "delete_of_edited")
        admin_remote.calls.clear()
        again = sync_engine.sync_once(admin, admin_remote)
        assert (again.pulled, again.fetched, again.purged) == (0, 0, 0)


def _move_to(admin: AppContext, server: SyncServer, person_uuid: str, area: str) -> None:
    """The administrator moves the person to ``area`` on her laptop and syncs."""
    admin_id = local_id(admin, Person, person_uuid)
    with admin.db.reading() as session:
        person = session.get(Person, admin_id)
        assert person is not None
        version, draft = person.version, person_draft(person)
        area_id = session.scalar(select(Area.id).where(Area.name == area))
    update_person(admin, admin_id, version, replace(draft, area_id=area_id))
    sync_engine.sync_once(admin, InProcessRemote(server, device_name("admin", 2)))


def test_a_contact_logged_offline_for_a_person_moved_away_meanwhile_is_set_aside(
        pg_cluster: PgCluster, files: Files, tmp_path: Path) -> None:
    """A staff member logs a contact offline for a person of her area; meanwhile the
    administrator moves the person to another area. The server refuses the contact
    (outside her scope now); her laptop sets it aside for her with its values (the
    refused list) instead of losing it or sending it for ever, and drops the person.
    (What the property test met: a created contact on neither side, until the ledger
    looked in the refused list.)"""
    with _server_and_laptops(pg_cluster, files, tmp_path, "staff") as (server, staff, admin):
        (person_id, person_uuid), *_ = live_ids(staff, Person)  # Amira, of the east area
        call = log_contact(staff, ContactDraft(channel="phone", person_ids=(person_id,),
                                               duration_minutes=10, note="Ringede"))
        _move_to(admin, server, person_uuid, SOUTH)

        outcome = sync_engine.sync_once(staff, InProcessRemote(server,
                                                               device_name("staff", 1)))

        assert (outcome.set_aside, outcome.waiting) == (1, 0)
        with staff.db.reading() as session:
            (kept,) = refused_changes(session)
        assert (kept["change"]["table"], kept["change"]["uuid"]) == ("contacts", call.uuid)
        assert kept["change"]["fields"]["note"] == "Ringede"
        assert local_id(staff, Person, person_uuid) is None  # no longer hers to hold
        assert not server.conflicts()
        with server.db.reading() as session:
            assert session.scalar(select(Contact.id).where(Contact.uuid == call.uuid)) is None


def _edit_note(ctx: AppContext, person_uuid: str, note: str) -> None:
    person_id = local_id(ctx, Person, person_uuid)
    with ctx.db.reading() as session:
        person = session.get(Person, person_id)
        assert person is not None
        version, draft = person.version, person_draft(person)
    update_person(ctx, person_id, version, replace(draft, note=note))  # type: ignore[arg-type]


def test_an_edit_after_a_push_kept_apart_as_a_conflict_is_pushed_too(
        pg_cluster: PgCluster, files: Files, tmp_path: Path) -> None:
    """The lead edits a person offline; the administrator deletes the person meanwhile.
    The lead's push becomes an edit_of_deleted conflict (not applied), and before any
    pull she edits the person again. (The row kept its local version number, which the
    server never had, as the new edit's base: the server refused every later push of
    hers as a bad batch, for ever. Found by the property test.)"""
    with _server_and_laptops(pg_cluster, files, tmp_path, "lead") as (server, lead, admin):
        remote = InProcessRemote(server, device_name("lead", 1))
        (_, amira), *_ = live_ids(lead, Person)
        _edit_note(lead, amira, "Første udgave")
        _edit_note(lead, amira, "Anden udgave")  # local version 3; the server's is 1
        admin_id = local_id(admin, Person, amira)
        with admin.db.reading() as session:
            version = session.get(Person, admin_id).version  # type: ignore[union-attr]
        delete_person(admin, admin_id, version)  # type: ignore[arg-type]
        sync_engine.sync_once(admin, InProcessRemote(server, device_name("admin", 2)))
        push_client.push_once(lead, remote.push)  # the pull after it never came
        _edit_note(lead, amira, "Tredje udgave")

        outcome = sync_engine.sync_once(lead, remote)

        assert outcome.waiting == 0
        notes = sorted(json.loads(c.other_value)["note"] for c in server.conflicts())
        assert notes == ["Anden udgave", "Tredje udgave"]  # both kept, as conflicts
        assert server.row("people", amira)["deleted"]
        assert ("people", amira) not in live_rows(lead.db, ("people",))


def test_an_edit_made_after_a_pending_batch_is_kept_when_the_batch_is_refused(
        pg_cluster: PgCluster, files: Files, tmp_path: Path) -> None:
    """A staff member edits a person offline and syncs, but the push never reaches the
    server (the batch stays pending); meanwhile the administrator moves the person to
    another area; she edits the person again. The pending batch goes first and is
    refused: its change is set aside, and so, at the next push, is the later edit.
    (Before, setting the batch's change aside removed the row's outbox entry with the
    later edit in it: the edit was nowhere. Found by the property test.)"""
    with _server_and_laptops(pg_cluster, files, tmp_path, "staff") as (server, staff, admin):
        (_, amira), *_ = live_ids(staff, Person)
        _edit_note(staff, amira, "Første udgave")

        def unreachable(_batch: dict) -> dict:
            raise ServerUnreachable("https://server.invalid")

        with pytest.raises(ServerUnreachable):
            push_client.push_once(staff, unreachable)  # built and stored, never sent
        _move_to(admin, server, amira, SOUTH)
        _edit_note(staff, amira, "Anden udgave")  # after the batch was built

        outcome = sync_engine.sync_once(staff, InProcessRemote(server,
                                                               device_name("staff", 1)))

        assert (outcome.set_aside, outcome.waiting) == (2, 0)
        with staff.db.reading() as session:
            notes = [kept["change"]["fields"]["note"] for kept in refused_changes(session)]
        assert notes == ["Første udgave", "Anden udgave"]
        assert local_id(staff, Person, amira) is None  # no longer hers to hold
        assert server.row("people", amira)["fields"]["note"] != "Anden udgave"


def test_a_refused_deletion_of_a_contact_that_comes_back_into_scope_shows_it_again(
        pg_cluster: PgCluster, files: Files, tmp_path: Path) -> None:
    """A staff member deletes a contact offline; meanwhile its person moves to another
    area, so the server refuses the deletion (set aside for her). When the person moves
    back, the contact is hers again and must show: the comparison fetches a row held
    here only as a tombstone, and a refused deletion is taken back on the laptop (so
    the contact leaves it with its person, tombstone and all). (Before, the tombstone
    stayed for good, holding the note of a contact she may no longer see, and the
    laptop lacked the live contact when it was hers again. Found by the property
    test.)"""
    with _server_and_laptops(pg_cluster, files, tmp_path, "staff") as (server, staff, admin):
        remote = InProcessRemote(server, device_name("staff", 1))
        (contact_id, contact_uuid), *_ = live_ids(staff, Contact)  # "Første", Amira's
        (_, amira), *_ = live_ids(staff, Person)
        with staff.db.reading() as session:
            version = session.get(Contact, contact_id).version  # type: ignore[union-attr]
        delete_contact(staff, contact_id, version)
        _move_to(admin, server, amira, SOUTH)
        refused = sync_engine.sync_once(staff, remote)
        assert refused.set_aside == 1 and local_id(staff, Person, amira) is None
        # The server kept the contact, so the laptop took the deletion back, and then
        # dropped the contact with its person: not even a tombstone of it stays.
        assert local_id(staff, Contact, contact_uuid) is None

        _move_to(admin, server, amira, EAST)
        sync_engine.sync_once(staff, remote)

        there = server.row("contacts", contact_uuid)
        assert not there["deleted"]
        assert live_rows(staff.db, ("contacts",))[("contacts", contact_uuid)] == there


def test_a_refused_edit_of_a_contact_back_in_scope_shows_the_servers_values(
        pg_cluster: PgCluster, files: Files, tmp_path: Path) -> None:
    """A staff member edits a contact offline; meanwhile its person moves to another
    area, so the server refuses the edit (set aside for her), and her sync stops right
    after the push; the person moves back. Her laptop must show the server's note, not
    her refused one: the row was at the server's version, so only the stored list of
    rows to fetch again brings it. (Before, it kept her refused note for good. Found by
    the property test.)"""
    with _server_and_laptops(pg_cluster, files, tmp_path, "staff") as (server, staff, admin):
        remote = InProcessRemote(server, device_name("staff", 1))
        (contact_id, contact_uuid), *_ = live_ids(staff, Contact)  # "Første", Amira's
        (_, amira), *_ = live_ids(staff, Person)
        row = get_contact(staff, contact_id)
        update_contact(staff, contact_id, row.version,
                       replace(row.to_draft(), note="Min udgave"))
        _move_to(admin, server, amira, SOUTH)
        steps = [0]

        def after_the_push() -> bool:
            steps[0] += 1
            return steps[0] > 1

        with pytest.raises(sync_engine.SyncCancelled):
            sync_engine.sync_once(staff, remote, cancelled=after_the_push)
        with staff.db.reading() as session:
            (kept,) = refused_changes(session)
        assert kept["change"]["fields"]["note"] == "Min udgave"

        _move_to(admin, server, amira, EAST)
        sync_engine.sync_once(staff, remote)

        there = server.row("contacts", contact_uuid)
        assert there["fields"]["note"] == "Første"
        assert live_rows(staff.db, ("contacts",))[("contacts", contact_uuid)] == there
        assert sync_engine.waiting_changes(staff) == 0

"""The laptop's push (services/sync_client/push_client.py) from a real encrypted laptop
database to the real sync engine on PostgreSQL: local creates, edits and deletions land
on the server as the laptop holds them and leave the outbox; an edit made while a batch
was in flight stays to be pushed on the new base; a batch whose answer was lost is sent
again and answered from the server's store; two laptops' edits merge or conflict; the
laptop's audit entries arrive once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from boligsag.domain.enums import Role
from boligsag.services.contact_rows import ContactDraft
from boligsag.services.contacts import delete_contact, log_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.people import PersonDraft, create_person, update_person
from boligsag.services.setup import create_database
from boligsag.services.sync import push as push_module
from boligsag.services.sync.errors import Refused
from boligsag.services.sync_client import push_client
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models import Area, AuditEntry, Person, SyncOutboxEntry, User

from ..conftest import ADMIN_PASSWORD, setup_input
from . import test_pull_client
from .sync_server import AUDIT_SECRET, SyncServer
from .test_pull_client import (  # noqa: F401  (fixtures)
    _local,
    _outbox,
    _pull_everything,
    _server_init_logged,
    server_fixture,
    template_fixture,
)

laptop = test_pull_client.laptop  # the fixture: a laptop of its own, nothing in its outbox


def _sender(server: SyncServer, device: str = "admin") -> Callable[[dict], dict]:
    """The engine in process, as the server's push route runs it."""
    def send(batch: dict[str, Any]) -> dict[str, Any]:
        now = server.tick()
        with server.db.writing(None) as session:
            return push_module.push(session, server.actors[device], batch,
                                    audit_key=AUDIT_SECRET, now=now)
    return send


def _push_all(ctx: AppContext, send: Callable[[dict], dict]) -> push_client.PushOutcome:
    total = push_client.PushOutcome()
    while True:
        one = push_client.push_once(ctx, send)
        total.sent += one.sent
        total.applied += one.applied
        total.conflicts += one.conflicts
        total.left = one.left
        if not one.sent and not one.audit:
            return total


def _east_id(ctx: AppContext, server: SyncServer) -> int:
    with ctx.db.reading() as session:
        return session.scalars(select(Area.id).where(
            Area.uuid == server.areas["Ærtebjerg Øst"])).one()


def _person(ctx: AppContext, uuid: str) -> tuple[int, int, int | None]:
    with ctx.db.reading() as session:
        p = session.scalars(select(Person).where(Person.uuid == uuid)).one()
        return p.id, p.version, p.area_id


def _joined(server: SyncServer, ctx: AppContext) -> None:
    """The laptop's user is one of the server's (as joining a team makes it), and the
    laptop has the server's rows and nothing of its own waiting."""
    with server.db.writing(None) as session:
        session.add(User(uuid=ctx.actor.user_uuid, username=f"laptop-{ctx.actor.user_uuid[:8]}",
                         full_name="Lise Laptop", role=Role.ADMINISTRATOR))
    _pull_everything(server, ctx)
    _push_all(ctx, _sender(server))  # its setup audit entries


def test_local_creates_edits_and_deletes_reach_the_server(
        server: SyncServer, laptop: AppContext) -> None:
    _joined(server, laptop)
    east = _east_id(laptop, server)
    amira = create_person(laptop, PersonDraft("Amira", "Hassan", phone="11 22 33 44",
                                              area_id=east)).person
    bo = create_person(laptop, PersonDraft("Bo", "Lund", area_id=east)).person
    outcome = _push_all(laptop, _sender(server))
    assert (outcome.sent, outcome.applied, outcome.conflicts) == (2, 2, 0)
    assert _outbox(laptop) == {}
    for who in (amira, bo):
        assert _local(laptop, "people", [who.uuid]) == [server.row("people", who.uuid)]
    person_id, version, area = _person(laptop, amira.uuid)
    update_person(laptop, person_id, version,
                  PersonDraft("Amira", "Hassan", phone="99 88 77 66", note="Flyttet",
                              area_id=area))
    ((fields, base),) = _outbox(laptop).values()
    assert (sorted(fields), base) == (["note", "phone"], 1)
    outcome = _push_all(laptop, _sender(server))
    assert (outcome.sent, outcome.applied, outcome.left) == (1, 1, 0)
    (local,) = _local(laptop, "people", [amira.uuid])
    assert local == server.row("people", amira.uuid) and local["version"] == 2
    assert _outbox(laptop) == {}
    call = log_contact(laptop, ContactDraft(channel="phone", person_ids=(person_id,),
                                            duration_minutes=15, note="Ringede"))
    _push_all(laptop, _sender(server))
    assert _local(laptop, "contacts", [call.uuid]) == [server.row("contacts", call.uuid)]
    delete_contact(laptop, call.id, call.version)
    assert _outbox(laptop)[("contacts", call.uuid)][0] is not None
    outcome = _push_all(laptop, _sender(server))
    assert (outcome.sent, outcome.applied, outcome.left) == (1, 1, 0)
    there = server.row("contacts", call.uuid)
    assert there["deleted"] and _local(laptop, "contacts", [call.uuid]) == [there]
    assert _outbox(laptop) == {}


@pytest.fixture
def second_laptop(tmp_path: Path, clock: FixedClock) -> Iterator[AppContext]:
    """Another laptop of its own, as the ``laptop`` fixture makes one."""
    path = tmp_path / "second" / "boligsag.db"
    create_database(path, setup_input(admin_username="laptop2", areas=["Andet kontor"]))
    context = unlock(path, "laptop2", ADMIN_PASSWORD, clock=clock,
                     options=UnlockOptions(integrity_check=False))
    with context.db.writing(None) as session:
        session.query(SyncOutboxEntry).delete()
    yield context
    lock(context)


def _edit(ctx: AppContext, uuid: str, **changes: Any) -> None:
    person_id, version, area = _person(ctx, uuid)
    with ctx.db.reading() as session:
        p = session.get(Person, person_id)
        assert p is not None
        now = {"phone": p.phone, "note": p.note}
    now.update(changes)
    update_person(ctx, person_id, version, PersonDraft("Amira", "Hassan", area_id=area, **now))


def test_an_edit_made_while_the_batch_was_in_flight_stays_on_the_new_base(
        server: SyncServer, laptop: AppContext) -> None:
    _joined(server, laptop)
    amira = create_person(laptop, PersonDraft("Amira", "Hassan",
                                              area_id=_east_id(laptop, server))).person
    _push_all(laptop, _sender(server))
    _edit(laptop, amira.uuid, note="Flyttet")
    engine = _sender(server)

    def edits_meanwhile(batch: dict[str, Any]) -> dict[str, Any]:
        _edit(laptop, amira.uuid, phone="11 22 33 44")
        return engine(batch)

    outcome = push_client.push_once(laptop, edits_meanwhile)
    assert (outcome.sent, outcome.applied, outcome.left) == (1, 1, 1)
    assert server.row("people", amira.uuid)["fields"]["phone"] == ""
    ((fields, base),) = _outbox(laptop).values()
    assert base == 2 == server.row("people", amira.uuid)["version"]
    assert "phone" in fields
    assert _person(laptop, amira.uuid)[1] == 2
    outcome = _push_all(laptop, engine)
    assert (outcome.sent, outcome.conflicts, outcome.left) == (1, 0, 0)
    assert _local(laptop, "people", [amira.uuid]) == [server.row("people", amira.uuid)]
    assert server.row("people", amira.uuid)["fields"]["phone"] == "11 22 33 44"
    assert _outbox(laptop) == {}


def test_a_lost_answer_sends_the_same_batch_again_and_duplicates_nothing(
        server: SyncServer, laptop: AppContext) -> None:
    _joined(server, laptop)
    east = _east_id(laptop, server)
    made = [create_person(laptop, PersonDraft("Amira", f"Hassan {i}", area_id=east)).person
            for i in range(3)]
    engine = _sender(server)
    sent: list[str] = []

    def crashes_after_the_server(batch: dict[str, Any]) -> dict[str, Any]:
        sent.append(batch["batch_id"])
        engine(batch)
        raise ConnectionError("the answer never came")

    with pytest.raises(ConnectionError):
        push_client.push_once(laptop, crashes_after_the_server)
    pending = push_client.pending_batch(laptop)
    assert pending is not None and pending["batch_id"] == sent[0]
    assert len(_outbox(laptop)) == 3
    before = server.counts()

    def records(batch: dict[str, Any]) -> dict[str, Any]:
        sent.append(batch["batch_id"])
        return engine(batch)

    outcome = push_client.push_once(laptop, records)
    assert outcome.resent and (outcome.sent, outcome.applied) == (3, 3)
    assert sent == [sent[0], sent[0]]
    assert server.counts() == before
    assert push_client.pending_batch(laptop) is None and _outbox(laptop) == {}
    for who in made:
        assert _local(laptop, "people", [who.uuid]) == [server.row("people", who.uuid)]


def test_two_laptops_editing_one_person_merge_or_conflict(
        server: SyncServer, laptop: AppContext, second_laptop: AppContext) -> None:
    _joined(server, laptop)
    amira = create_person(laptop, PersonDraft("Amira", "Hassan",
                                              area_id=_east_id(laptop, server))).person
    _push_all(laptop, _sender(server))
    _joined(server, second_laptop)
    # Different fields: both land.
    _edit(laptop, amira.uuid, phone="11 22 33 44")
    _edit(second_laptop, amira.uuid, note="Flyttet")
    assert _push_all(laptop, _sender(server)).conflicts == 0
    assert _push_all(second_laptop, _sender(server)).conflicts == 0
    there = server.row("people", amira.uuid)["fields"]
    assert (there["phone"], there["note"]) == ("11 22 33 44", "Flyttet")
    assert server.conflicts() == []
    _pull_everything(server, laptop)
    _pull_everything(server, second_laptop)
    # The same field: one conflict on the server.
    _edit(laptop, amira.uuid, phone="55 55 55 55")
    _edit(second_laptop, amira.uuid, phone="66 66 66 66")
    _push_all(laptop, _sender(server))
    outcome = _push_all(second_laptop, _sender(server))
    assert outcome.conflicts == 1
    (conflict,) = server.conflicts()
    assert (conflict.row_uuid, conflict.field) == (amira.uuid, "phone")
    assert _outbox(laptop) == {} and _outbox(second_laptop) == {}


def _audit_count(ctx: AppContext) -> int:
    with ctx.db.reading() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_the_laptops_audit_entries_arrive_on_the_server_once(
        server: SyncServer, laptop: AppContext) -> None:
    before = server.counts()["audit"]
    local = _audit_count(laptop)
    _joined(server, laptop)  # pulls (audited or not) and pushes the setup's entries
    create_person(laptop, PersonDraft("Amira", "Hassan", area_id=_east_id(laptop, server)))
    local = _audit_count(laptop)
    assert local > 0
    _push_all(laptop, _sender(server))
    assert server.counts()["audit"] == before + local
    _push_all(laptop, _sender(server))
    assert server.counts()["audit"] == before + local


def test_a_thousand_local_changes_are_pushed_in_seconds(
        server: SyncServer, laptop: AppContext) -> None:
    _joined(server, laptop)
    east = _east_id(laptop, server)
    made = [create_person(laptop, PersonDraft("Amira", f"Hassan {i}", area_id=east)).person
            for i in range(1000)]
    started = time.perf_counter()
    outcome = push_client.push_once(laptop, _sender(server))
    took = time.perf_counter() - started
    print(f"1,000 local changes pushed in {took:.2f} s")
    assert (outcome.sent, outcome.applied, outcome.left) == (1000, 1000, 0)
    assert _local(laptop, "people", [made[-1].uuid]) == [server.row("people", made[-1].uuid)]
    assert took < 30


def test_a_refused_change_is_set_aside_with_its_values_and_the_rest_goes(
        server: SyncServer, laptop: AppContext) -> None:
    _joined(server, laptop)
    with laptop.db.reading() as session:
        south = session.scalars(select(Area.id).where(
            Area.uuid == server.areas["Søndergården"])).one()
    east = _east_id(laptop, server)
    ib = create_person(laptop, PersonDraft("Ib", "Berg", area_id=south)).person
    _push_all(laptop, _sender(server))
    person_id, version, _ = _person(laptop, ib.uuid)
    update_person(laptop, person_id, version, PersonDraft("Ib", "Berg", note="Ny adresse",
                                                          area_id=south))
    bo = create_person(laptop, PersonDraft("Bo", "Lund", area_id=east)).person
    staff = _sender(server, "staff")  # Søndergården is not the staff member's area

    outcome = push_client.push_once(laptop, staff)
    assert (outcome.set_aside, outcome.sent) == (1, 0)
    assert push_client.pending_batch(laptop) is None
    with laptop.db.reading() as session:
        (kept,) = push_client.refused_changes(session)
    assert kept["change"]["uuid"] == ib.uuid
    assert kept["change"]["fields"] == {"note": "Ny adresse"}  # the value, not lost
    assert "people " + ib.uuid not in kept["reason"] and kept["reason"]
    assert _outbox(laptop) == {("people", bo.uuid): (["*"], None)}
    assert _person(laptop, ib.uuid)[1] == 1  # back at the server's version, not its own

    assert push_client.push_once(laptop, staff).applied == 1  # the rest goes
    assert _outbox(laptop) == {}
    assert server.row("people", ib.uuid)["fields"]["note"] != "Ny adresse"


def test_a_refusal_naming_no_change_of_the_batch_is_raised_and_keeps_the_outbox(
        server: SyncServer, laptop: AppContext) -> None:
    _joined(server, laptop)
    create_person(laptop, PersonDraft("Bo", "Lund", area_id=_east_id(laptop, server)))
    before = _outbox(laptop)

    def refuses(_batch: dict[str, Any]) -> dict[str, Any]:
        raise Refused("this batch was pushed by another user")

    with pytest.raises(Refused):
        push_client.push_once(laptop, refuses)
    assert _outbox(laptop) == before and push_client.pending_batch(laptop) is None
    assert push_client.push_once(laptop, _sender(server)).applied == 1

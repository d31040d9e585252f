"""Pulled pages applied to a real encrypted laptop database (services/sync_client/
pull_client.py), the pages coming from the real sync engine on PostgreSQL: the laptop
ends with exactly the server's rows, records none of them as its own changes, stores the
cursor with them, holds a child back until its parent comes, keeps its unpushed edits,
tombstones what the server deleted, and loses nothing of a page it failed to apply."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from boligsag.services import org_settings
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.people import PersonDraft, create_person, update_person
from boligsag.services.setup import create_database
from boligsag.services.sync import wire
from boligsag.services.sync.seed import seed_change_log
from boligsag.services.sync_client import pull_client
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models import Base, Person, SyncInboxEntry, SyncOutboxEntry

from ..conftest import ADMIN_PASSWORD, setup_input
from .sync_server import (  # noqa: F401  (fixtures)
    SyncServer,
    delete,
    edit,
    new_contact,
    new_person,
    server_fixture,
    template_fixture,
)


@pytest.fixture(autouse=True)
def _server_init_logged(server: SyncServer) -> None:
    """The server's users and areas in its change log, as ``server init`` leaves them."""
    with server.engine.begin() as connection:
        seed_change_log(connection)


@pytest.fixture
def laptop(tmp_path: Path, clock: FixedClock) -> Iterator[AppContext]:
    """A laptop of its own (its administrator and areas are not the server's), its setup
    rows taken as acknowledged: what a test finds in the outbox is the test's doing."""
    path = tmp_path / "laptop" / "boligsag.db"
    create_database(path, setup_input(admin_username="laptop", areas=["Lokalt kontor"]))
    context = unlock(path, "laptop", ADMIN_PASSWORD, clock=clock,
                     options=UnlockOptions(integrity_check=False))
    with context.db.writing(None) as session:
        session.query(SyncOutboxEntry).delete()
    yield context
    lock(context)


def _local(ctx: AppContext, table: str, uuids: list[str]) -> list[dict[str, Any]]:
    with ctx.db.reading() as session:
        t = Base.metadata.tables[table]
        ids = list(session.scalars(select(t.c.id).where(t.c.uuid.in_(uuids))))
        return sorted(wire.rows_to_wire(session, table, ids), key=lambda r: r["uuid"])


def _outbox(ctx: AppContext) -> dict[tuple[str, str], tuple[list[str], int | None]]:
    with ctx.db.reading() as session:
        return {(e.table_name, e.row_uuid): (json.loads(e.fields), e.base_version)
                for e in session.scalars(select(SyncOutboxEntry))}


def _inbox_count(ctx: AppContext) -> int:
    with ctx.db.reading() as session:
        return session.scalar(select(func.count()).select_from(SyncInboxEntry)) or 0


def _cursor(ctx: AppContext) -> str:
    with ctx.db.reading() as session:
        return str(org_settings.get_setting(session, "sync_cursor"))


def _pull_everything(server: SyncServer, ctx: AppContext, device: str = "admin",
                     limit: int = 500) -> pull_client.ApplyResult:
    total = pull_client.ApplyResult()
    cursor: str | None = _cursor(ctx) or None
    while True:
        page = server.pull(device, cursor, limit)
        one = pull_client.apply_page(ctx, page)
        total.applied += one.applied
        total.waiting = one.waiting
        total.created_twice.extend(one.created_twice)
        cursor = page["cursor"]
        assert _cursor(ctx) == cursor
        if not page["more"]:
            return total


def _casework(server: SyncServer) -> dict[str, list[str]]:
    east = server.areas["Ærtebjerg Øst"]
    staff = server.actors["admin"].user_uuid
    amira = new_person("Amira", "Hassan", area=east)
    bo = new_person("Bo", "Lund", area=east)
    call = new_contact(staff, [amira["uuid"], bo["uuid"]])
    visit = new_contact(staff, [amira["uuid"]], channel="home_visit")
    activity = {"table": "activities", "uuid": str(uuid.uuid4()), "base_version": None,
                "deleted": False, "fields": {"name": "Mentorforløb", "kind": "mentoring",
                                             "mode": "course"}}
    meeting = {"table": "sessions", "uuid": str(uuid.uuid4()), "base_version": None,
               "deleted": False,
               "fields": {"activity": activity["uuid"], "date": "2026-11-24",
                          "attendance": [
                              {"person": amira["uuid"], "present": True, "absence_reason": ""},
                              {"person": bo["uuid"], "present": False,
                               "absence_reason": "syg"}]}}
    server.push("admin", [amira, bo, call, visit, activity, meeting])
    return {"people": [amira["uuid"], bo["uuid"]],
            "contacts": [call["uuid"], visit["uuid"]],
            "activities": [activity["uuid"]], "sessions": [meeting["uuid"]]}


def _servers(server: SyncServer, table: str, uuids: list[str]) -> list[dict[str, Any]]:
    return sorted((server.row(table, u) for u in uuids), key=lambda r: r["uuid"])


def test_a_first_pull_gives_the_laptop_the_servers_rows_and_records_none(
        server: SyncServer, laptop: AppContext) -> None:
    made = {**_casework(server), "areas": list(server.areas.values()),
            "users": [actor.user_uuid for actor in server.actors.values()]}
    result = _pull_everything(server, laptop, limit=3)
    assert result.waiting == 0 and _inbox_count(laptop) == 0
    for table, uuids in made.items():
        assert _local(laptop, table, uuids) == _servers(server, table, uuids), table
    assert _outbox(laptop) == {}
    assert _cursor(laptop) == server.pull("admin", None, 5000)["cursor"]


def test_a_child_before_its_parent_waits_in_the_inbox_until_the_parent_comes(
        server: SyncServer, laptop: AppContext) -> None:
    _pull_everything(server, laptop)  # users, areas …
    made = _casework(server)
    page = server.pull("admin", _cursor(laptop) or None, 5000)
    contacts = [r for r in page["rows"] if r["table"] == "contacts"]
    others = [r for r in page["rows"] if r["table"] != "contacts"]
    first = pull_client.apply_page(laptop, {"rows": contacts, "cursor": "c-mid",
                                            "more": True})
    assert (first.applied, first.waiting) == (0, 2)
    assert _local(laptop, "contacts", made["contacts"]) == []
    assert _cursor(laptop) == "c-mid"
    second = pull_client.apply_page(laptop, {**page, "rows": others})
    assert second.waiting == 0 and second.from_inbox == 2 and _inbox_count(laptop) == 0
    assert _local(laptop, "contacts", made["contacts"]) == _servers(
        server, "contacts", made["contacts"])
    assert _outbox(laptop) == {}


def test_a_local_unpushed_edit_survives_pulled_changes(
        server: SyncServer, laptop: AppContext) -> None:
    made = _casework(server)
    _pull_everything(server, laptop)
    amira = made["people"][0]
    with laptop.db.reading() as session:
        person = session.scalars(select(Person).where(Person.uuid == amira)).one()
        person_id, version, area_id = person.id, person.version, person.area_id
    # Here: field A (phone) edited and not pushed.
    update_person(laptop, person_id, version,
                  PersonDraft("Amira", "Hassan", phone="11 22 33 44", area_id=area_id))
    assert _outbox(laptop) == {("people", amira): (["phone"], 1)}
    # There: field B (notes) and field A changed by a colleague.
    server.push("admin", [edit("people", amira, 1, note="Flyttet")])
    server.push("admin", [edit("people", amira, 2, phone="99 99 99 99")])
    _pull_everything(server, laptop)
    (local,) = _local(laptop, "people", [amira])
    there = server.row("people", amira)
    assert local["fields"]["note"] == "Flyttet"
    assert local["fields"]["phone"] == "11 22 33 44"
    assert local["version"] == there["version"] == 3
    assert _outbox(laptop) == {("people", amira): (["phone"], 3)}


def test_a_row_created_here_and_on_the_server_is_kept_as_it_is_here(
        server: SyncServer, laptop: AppContext) -> None:
    mine = create_person(laptop, PersonDraft("Amira", "Hassan", phone="11 22 33 44"))
    here = mine.person.uuid
    (before,) = _local(laptop, "people", [here])
    # The same row reached the server another way (its acknowledgement was lost).
    server.push("admin", [{**new_person("Amira", "Hasan"), "uuid": here}])
    result = _pull_everything(server, laptop)
    assert result.created_twice == [("people", here)]
    assert _local(laptop, "people", [here]) == [before]
    assert _outbox(laptop)[("people", here)] == (["*"], None)


def test_a_pulled_deletion_tombstones_the_row(server: SyncServer,
                                              laptop: AppContext) -> None:
    made = _casework(server)
    _pull_everything(server, laptop)
    visit = made["contacts"][1]
    server.push("admin", [delete("contacts", visit, 1)])
    _pull_everything(server, laptop)
    (local,) = _local(laptop, "contacts", [visit])
    assert local["deleted"] and local == server.row("contacts", visit)
    assert _outbox(laptop) == {}


def test_a_page_that_fails_half_way_leaves_the_laptop_and_cursor_as_they_were(
        server: SyncServer, laptop: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    _pull_everything(server, laptop)
    before_cursor = _cursor(laptop)
    made = _casework(server)
    page = server.pull("admin", before_cursor or None, 5000)
    real = pull_client._apply_row
    calls = []

    def failing(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("the power went")
        real(*args)

    monkeypatch.setattr(pull_client, "_apply_row", failing)
    with pytest.raises(RuntimeError):
        pull_client.apply_page(laptop, page)
    for table, uuids in made.items():
        assert _local(laptop, table, uuids) == [], table
    assert _cursor(laptop) == before_cursor
    assert _outbox(laptop) == {} and _inbox_count(laptop) == 0
    monkeypatch.setattr(pull_client, "_apply_row", real)
    pull_client.apply_page(laptop, page)  # the same page again lands whole
    for table, uuids in made.items():
        assert _local(laptop, table, uuids) == _servers(server, table, uuids), table


def test_a_page_of_5000_contacts_is_applied_in_seconds(
        server: SyncServer, laptop: AppContext) -> None:
    staff = server.actors["admin"].user_uuid
    person = new_person("Amira", "Hassan", area=server.areas["Ærtebjerg Øst"])
    server.push("admin", [person])
    _pull_everything(server, laptop)
    for _ in range(10):
        server.push("admin", [new_contact(staff, [person["uuid"]]) for _ in range(500)])
    page = server.pull("admin", _cursor(laptop) or None, 5000)
    assert len(page["rows"]) == 5000
    started = time.perf_counter()
    result = pull_client.apply_page(laptop, page)
    took = time.perf_counter() - started
    print(f"5,000-row page applied in {took:.2f} s")
    assert result.applied == 5000 and _outbox(laptop) == {}
    assert took < 30

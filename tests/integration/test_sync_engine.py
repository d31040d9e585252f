"""The sync engine between laptops, on a real PostgreSQL team server (issue 11 §3,
design.md "Merge rules"): what one device pushes another pulls; edits to different
fields of a record merge; the same field twice keeps the first to reach the server and
records the other as a conflict with both values; an edit of a deleted record, and a
delete of an edited one, are conflicts too; the server assigns every version."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import event, select

from boligsag.services.sync import pull as pull_module
from boligsag.services.sync.errors import BadBatch, CursorFromOtherServer, Refused
from boligsag.storage.models import Person

from .sync_server import (  # noqa: F401  (fixtures)
    SyncServer,
    delete,
    edit,
    new_contact,
    new_person,
    server_fixture,
    template_fixture,
)


def _by_uuid(rows: list[dict]) -> dict[str, dict]:
    return {row["uuid"]: row for row in rows}


def test_create_edit_and_delete_travel_between_two_devices(server: SyncServer) -> None:
    person = new_person("Amira", "Hassan", phone="20 11 22 33")
    result = server.push("admin", [person])
    assert result["applied"] == [{"table": "people", "uuid": person["uuid"], "version": 1}]
    assert result["conflicts"] == []

    rows, lead_cursor = server.pull_all("lead")
    pulled = _by_uuid(rows)[person["uuid"]]
    assert (pulled["version"], pulled["deleted"]) == (1, False)
    assert pulled["fields"]["first_name"] == "Amira"
    assert pulled["fields"]["phone"] == "20 11 22 33"

    result = server.push("lead", [edit("people", person["uuid"], 1, phone="20 99 88 77")])
    assert result["applied"][0]["version"] == 2
    rows, _ = server.pull_all("admin")
    assert _by_uuid(rows)[person["uuid"]]["fields"]["phone"] == "20 99 88 77"

    result = server.push("admin", [delete("people", person["uuid"], 2)])
    assert result["applied"][0]["version"] == 3
    rows, _ = server.pull_all("lead", lead_cursor)
    assert [(r["uuid"], r["version"], r["deleted"]) for r in rows] == [
        (person["uuid"], 3, True)]
    # Nothing new since: an empty pull keeps the cursor where it was.
    _, cursor = server.pull_all("lead", lead_cursor)
    page = server.pull("lead", cursor)
    assert (page["rows"], page["cursor"], page["more"]) == ([], cursor, False)


def test_edits_of_different_fields_of_one_record_merge(server: SyncServer) -> None:
    person = new_person("Amira", "Hassan")
    server.push("admin", [person])
    server.push("admin", [edit("people", person["uuid"], 1, phone="20 11 22 33")])
    # The team lead's laptop started from version 1 too, and changed another field.
    result = server.push("lead", [edit("people", person["uuid"], 1, email="amira@mail.dk")])

    assert result["conflicts"] == []
    assert result["applied"] == [{"table": "people", "uuid": person["uuid"], "version": 3}]
    fields = server.row("people", person["uuid"])["fields"]
    assert (fields["phone"], fields["email"]) == ("20 11 22 33", "amira@mail.dk")
    assert server.conflicts() == []


def test_the_same_field_twice_keeps_the_first_and_records_the_other(
        server: SyncServer) -> None:
    person = new_person("Amira", "Hassan")
    server.push("admin", [person])
    server.push("admin", [edit("people", person["uuid"], 1, phone="20 11 22 33")])
    first_at = server.clock[0]
    # The lead's edit reached the server second, from the same base: it changes the same
    # field to another value, and a field of its own that merges.
    result = server.push("lead", [edit("people", person["uuid"], 1, phone="30 44 55 66",
                                       city="Odense SØ")])
    second_at = server.clock[0]

    assert result["applied"] == [{"table": "people", "uuid": person["uuid"], "version": 3}]
    (reported,) = result["conflicts"]
    assert {k: reported[k] for k in ("table", "row_uuid", "field", "kind")} == {
        "table": "people", "row_uuid": person["uuid"], "field": "phone", "kind": "same_field"}
    fields = server.row("people", person["uuid"])["fields"]
    assert (fields["phone"], fields["city"]) == ("20 11 22 33", "Odense SØ")

    (conflict,) = server.conflicts()
    assert conflict.uuid == reported["uuid"]
    assert json.loads(conflict.kept_value) == "20 11 22 33"
    assert json.loads(conflict.other_value) == "30 44 55 66"
    assert (conflict.kept_user_id, conflict.kept_at) == (server.user_id("admin"), first_at)
    assert (conflict.other_user_id, conflict.other_at) == (server.user_id("lead"), second_at)
    assert conflict.other_device_uuid == server.actors["lead"].device_id
    assert conflict.resolved_at is None
    # The conflict is a row like any other: the laptops of the people involved pull it.
    rows, _ = server.pull_all("admin")
    pulled = [r for r in rows if r["table"] == "sync_conflicts"]
    assert [r["uuid"] for r in pulled] == [conflict.uuid]
    assert pulled[0]["fields"]["other_value"] == conflict.other_value


def test_an_edit_of_a_deleted_record_is_a_conflict_not_a_loss(server: SyncServer) -> None:
    person = new_person("Amira", "Hassan")
    server.push("admin", [person])
    server.push("admin", [delete("people", person["uuid"], 1)])
    result = server.push("lead", [edit("people", person["uuid"], 1, phone="30 44 55 66")])

    assert result["applied"] == []
    assert [(c["field"], c["kind"]) for c in result["conflicts"]] == [("*", "edit_of_deleted")]
    row = server.row("people", person["uuid"])
    assert (row["deleted"], row["version"], row["fields"]["phone"]) == (True, 2, "")
    (conflict,) = server.conflicts()
    assert json.loads(conflict.other_value) == {"phone": "30 44 55 66"}
    assert conflict.kept_user_id == server.user_id("admin")


def test_a_delete_of_an_edited_record_is_a_conflict_and_the_record_stays(
        server: SyncServer) -> None:
    person = new_person("Amira", "Hassan")
    server.push("admin", [person])
    server.push("admin", [edit("people", person["uuid"], 1, phone="20 11 22 33")])
    result = server.push("lead", [delete("people", person["uuid"], 1)])

    assert result["applied"] == []
    assert [(c["field"], c["kind"]) for c in result["conflicts"]] == [("*", "delete_of_edited")]
    row = server.row("people", person["uuid"])
    assert (row["deleted"], row["version"], row["fields"]["phone"]) == (False, 2, "20 11 22 33")
    (conflict,) = server.conflicts()
    assert json.loads(conflict.kept_value) == {"phone": "20 11 22 33"}
    assert json.loads(conflict.other_value) == {"deleted": True}


def test_a_contacts_people_travel_and_merge_as_one_field(server: SyncServer) -> None:
    amira, bilal, carla = (new_person("Amira", "Hassan"), new_person("Bilal", "Hassan"),
                           new_person("Carla", "Jensen"))
    staff_uuid = server.actors["admin"].user_uuid
    contact = new_contact(staff_uuid, [amira["uuid"]])
    # Parents and children in one batch, children first: the engine applies parents first.
    result = server.push("admin", [contact, amira, bilal, carla])
    assert len(result["applied"]) == 4

    server.push("admin", [edit("contacts", contact["uuid"], 1,
                               people=[amira["uuid"], bilal["uuid"]])])
    # The same set in another order is the same value: no conflict, nothing written.
    result = server.push("lead", [edit("contacts", contact["uuid"], 1,
                                       people=[bilal["uuid"], amira["uuid"]])])
    assert result["conflicts"] == []
    assert server.row("contacts", contact["uuid"])["version"] == 2
    # Another set from the same base: one conflict on the whole list, not per member.
    result = server.push("lead", [edit("contacts", contact["uuid"], 1,
                                       people=[amira["uuid"], carla["uuid"]],
                                       duration_minutes=45)])
    assert [(c["field"], c["kind"]) for c in result["conflicts"]] == [("people", "same_field")]
    fields = server.row("contacts", contact["uuid"])["fields"]
    assert fields["people"] == sorted([amira["uuid"], bilal["uuid"]])
    assert fields["duration_minutes"] == 45
    (conflict,) = server.conflicts()
    assert sorted(json.loads(conflict.other_value)) == sorted([amira["uuid"], carla["uuid"]])


def test_versions_are_the_servers_and_a_client_cannot_set_them(server: SyncServer) -> None:
    person = new_person("Amira", "Hassan")
    server.push("admin", [person])
    versions = [server.push(device, [edit("people", person["uuid"], base, phone=phone)])
                ["applied"][0]["version"]
                for device, base, phone in (("lead", 1, "1"), ("admin", 2, "2"),
                                            ("lead", 3, "3"))]
    assert versions == [2, 3, 4]
    with pytest.raises(BadBatch, match="no field"):
        server.push("admin", [edit("people", person["uuid"], 4, version=99)])
    with pytest.raises(BadBatch, match="newer than the server"):
        server.push("admin", [edit("people", person["uuid"], 7, phone="7")])
    with pytest.raises(BadBatch, match="no such row"):
        server.push("admin", [edit("people", str(uuid.uuid4()), 1, phone="7")])
    assert server.row("people", person["uuid"])["version"] == 4


def test_a_refused_change_refuses_the_whole_batch(server: SyncServer) -> None:
    outside = new_person("Amira", "Hassan", area=server.areas["Søndergården"])
    server.push("admin", [outside])
    before = server.counts()
    mine = new_person("Bilal", "Hassan", area=server.areas["Ærtebjerg Øst"])
    with pytest.raises(Refused):
        server.push("staff", [mine, edit("people", outside["uuid"], 1, phone="1")])
    assert server.counts() == before
    rows, _ = server.pull_all("admin")
    assert mine["uuid"] not in _by_uuid(rows)


def test_a_create_sent_again_in_a_new_batch_is_recognised(server: SyncServer) -> None:
    """A laptop that lost its batch id sends the create again: the same values are no
    conflict; other values are kept apart as a ``created_twice`` conflict."""
    person = new_person("Amira", "Hassan", phone="20 11 22 33")
    server.push("admin", [person])
    again = server.push("admin", [person])
    assert again["applied"] == [{"table": "people", "uuid": person["uuid"], "version": 1}]
    assert again["conflicts"] == []

    other = {**person, "fields": {**person["fields"], "phone": "30 44 55 66"}}
    result = server.push("lead", [other])
    assert [(c["field"], c["kind"]) for c in result["conflicts"]] == [("*", "created_twice")]
    assert server.row("people", person["uuid"])["fields"]["phone"] == "20 11 22 33"
    (conflict,) = server.conflicts()
    assert (json.loads(conflict.kept_value), json.loads(conflict.other_value)) == (
        {"phone": "20 11 22 33"}, {"phone": "30 44 55 66"})


def test_a_pull_holds_only_what_the_actor_may_see(server: SyncServer) -> None:
    east, south = server.areas["Ærtebjerg Øst"], server.areas["Søndergården"]
    mine, theirs = new_person("Amira", "Hassan", area=east), new_person("Bo", "Lund", area=south)
    staff_uuid = server.actors["admin"].user_uuid
    seen_contact = new_contact(staff_uuid, [mine["uuid"]])
    hidden_contact = new_contact(staff_uuid, [theirs["uuid"]])
    server.push("admin", [mine, theirs, seen_contact, hidden_contact])

    rows, _ = server.pull_all("staff", limit=2)  # small pages: hidden rows still advance
    pulled = {(r["table"], r["uuid"]) for r in rows}
    assert {("people", mine["uuid"]), ("contacts", seen_contact["uuid"])} <= pulled
    assert ("people", theirs["uuid"]) not in pulled
    assert ("contacts", hidden_contact["uuid"]) not in pulled
    everything, _ = server.pull_all("lead")
    assert {("people", theirs["uuid"]), ("contacts", hidden_contact["uuid"])} <= {
        (r["table"], r["uuid"]) for r in everything}


def test_a_push_result_says_what_was_applied_and_what_conflicted_only(
        server: SyncServer) -> None:
    """A refused change refuses the whole batch (Refused, above), so the result has no
    list of refused changes that would always be empty."""
    result = server.push("admin", [new_person("Amira", "Hassan")])
    assert set(result) == {"batch_id", "applied", "conflicts"}


BAD_VALUES = {
    "a number for a text": {"phone": 20112233},
    "too long": {"phone": "2" * 31},
    "not a date": {"birth_date": "24-11-2026"},
    "an unknown area": {"area": str(uuid.uuid4())},
}


@pytest.mark.parametrize("values", BAD_VALUES.values(), ids=BAD_VALUES.keys())
@pytest.mark.parametrize("kind", ["same_field", "edit_of_deleted", "created_twice"])
def test_a_bad_value_is_refused_also_where_it_would_become_a_conflict(
        server: SyncServer, kind: str, values: dict) -> None:
    person = new_person("Amira", "Hassan")
    server.push("admin", [person])
    if kind == "same_field":  # the admin wrote the same field first, a good value
        good = {"phone": "20 11 22 33", "birth_date": "2016-11-24",
                "area": server.areas["Ærtebjerg Øst"]}
        server.push("admin", [edit("people", person["uuid"], 1,
                                   **{name: good[name] for name in values})])
        change = edit("people", person["uuid"], 1, **values)
    elif kind == "edit_of_deleted":
        server.push("admin", [delete("people", person["uuid"], 1)])
        change = edit("people", person["uuid"], 1, **values)
    else:
        change = {**person, "fields": {**person["fields"], **values}}
    before = server.counts()
    with pytest.raises(BadBatch, match=r"expected|does not exist"):
        server.push("lead", [change])
    assert server.counts() == before
    assert server.conflicts() == []


def test_the_servers_connections_run_without_the_jit_compiler(server: SyncServer) -> None:
    """storage/server_engine.py turns PostgreSQL's JIT off: it compiled a pull page's
    scope conditions for seconds to run them in milliseconds."""
    with server.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW jit").scalar() == "off"


def _restore_step() -> str:
    """The statement installer/server/README.md's restore section runs after pg_restore
    to give the database a new identity (as the shell hands it to psql)."""
    readme = (Path(__file__).parents[2] / "installer" / "server" / "README.md").read_text()
    (statement,) = re.findall(r'psql -d boligsag -c \\\n\s+"(UPDATE settings [^\n]*)"', readme)
    return statement.replace('\\"', '"')


def test_a_cursor_from_another_server_or_from_before_a_restore_is_refused(
        server: SyncServer) -> None:
    """A change number means nothing on another server database, nor on this one
    restored from a backup: counting on from it could skip changes, so the laptop is
    told to pull everything again."""
    person = new_person("Amira", "Hassan")
    server.push("admin", [person])
    _, cursor = server.pull_all("lead")
    assert cursor is not None
    with server.db.reading() as session:
        elsewhere = pull_module.encode_cursor(3, str(uuid.uuid4()))
        assert pull_module.cursor_at(session, 3) != elsewhere
    with pytest.raises(CursorFromOtherServer):
        server.pull("lead", elsewhere)

    with server.engine.begin() as connection:  # the restore section's step
        connection.exec_driver_sql(_restore_step())
    with pytest.raises(CursorFromOtherServer):
        server.pull("lead", cursor)
    rows, _ = server.pull_all("lead")  # from the start: everything again
    assert person["uuid"] in _by_uuid(rows)


def test_an_edited_row_is_written_with_its_new_version_in_one_update(
        server: SyncServer) -> None:
    """A 1,000-row edit push is 1,000 UPDATEs, not one more pass over the same rows for
    their versions (each pass a new row version for PostgreSQL to write and vacuum)."""
    people = [new_person(f"Amira {i}", "Hassan") for i in range(3)]
    server.push("admin", people)
    updates: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE PEOPLE"):
            updates.append(statement)

    event.listen(server.engine, "before_cursor_execute", seen)
    try:
        result = server.push("lead", [edit("people", p["uuid"], 1, phone=str(i))
                                      for i, p in enumerate(people)])
    finally:
        event.remove(server.engine, "before_cursor_execute", seen)
    assert len(updates) == 3
    assert [a["version"] for a in result["applied"]] == [2, 2, 2]
    with server.db.reading() as session:
        stamped = session.execute(select(Person.version, Person.updated_by_id, Person.phone)
                                  .where(Person.uuid.in_([p["uuid"] for p in people]))
                                  .order_by(Person.phone)).all()
    assert stamped == [(2, server.user_id("lead"), str(i)) for i in range(3)]

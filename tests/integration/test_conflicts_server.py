"""Issue 12 §3 on the team server: "a contact logged offline for a person another
colleague merged or deleted in the meantime is never lost: it appears as a conflict that
points to what happened".

The app has no merging of people; deletion is a tombstone (services/person_deletion.py:
the person's contacts "drop out of lists and figures with them"). Before this test the
server created such a contact silently, linked to the tombstoned person, with no
conflict: the contact existed but nobody would ever see it again. Now the push creates
the contact AND records a ``contact_for_deleted`` conflict on it, naming the deleted
person and who deleted them when; it reaches the laptops of both writers.
"""

from __future__ import annotations

import json

import pytest

from boligsag.services.sync.errors import Refused

from .sync_server import (  # noqa: F401  (fixtures)
    SyncServer,
    delete,
    edit,
    new_contact,
    new_person,
    server_fixture,
    template_fixture,
)


def test_a_contact_for_a_person_deleted_meanwhile_is_kept_and_shown_as_a_conflict(
        server: SyncServer) -> None:
    area = server.areas["Ærtebjerg Øst"]
    person = new_person("Aisha", "Hassan", area=area)
    server.push("admin", [person])
    # The staff member's laptop has Aisha and goes offline; the administrator deletes her.
    server.pull_all("staff")
    server.push("admin", [delete("people", person["uuid"], 1)])
    staff_uuid = server.actors["staff"].user_uuid
    contact = new_contact(staff_uuid, [person["uuid"]], note="Ringede om huslejen.")

    result = server.push("staff", [contact])

    # Never lost: the contact stands, with its person as the laptop sent it.
    assert result["applied"] == [{"table": "contacts", "uuid": contact["uuid"], "version": 1}]
    row = server.row("contacts", contact["uuid"])
    assert (row["deleted"], row["fields"]["people"]) == (False, [person["uuid"]])
    # And it appears as a conflict that points to what happened.
    assert [(c["table"], c["row_uuid"], c["field"], c["kind"]) for c in result["conflicts"]
            ] == [("contacts", contact["uuid"], "people", "contact_for_deleted")]
    (conflict,) = server.conflicts()
    assert json.loads(conflict.kept_value) == [person["uuid"]]
    assert json.loads(conflict.other_value) == [person["uuid"]]
    assert conflict.kept_user_id == server.user_id("admin")  # who deleted her
    assert conflict.other_user_id == server.user_id("staff")
    # Both writers' laptops receive it.
    for device in ("staff", "admin"):
        rows, _ = server.pull_all(device)
        assert conflict.uuid in {r["uuid"] for r in rows if r["table"] == "sync_conflicts"}


def test_a_contact_for_living_people_records_no_conflict(server: SyncServer) -> None:
    area = server.areas["Ærtebjerg Øst"]
    people = [new_person("Aisha", "Hassan", area=area), new_person("Omar", "Ali", area=area)]
    server.push("admin", people)
    contacts = [new_contact(server.actors["staff"].user_uuid, [p["uuid"]]) for p in people]
    result = server.push("staff", contacts)
    assert len(result["applied"]) == 2 and result["conflicts"] == []
    assert server.conflicts() == []


def test_a_contact_whose_person_the_same_push_deletes_records_no_conflict(
        server: SyncServer) -> None:
    person = new_person("Aisha", "Hassan", area=server.areas["Ærtebjerg Øst"])
    server.push("staff", [person])
    contact = new_contact(server.actors["staff"].user_uuid, [person["uuid"]])
    result = server.push("staff", [contact, delete("people", person["uuid"], 1)])
    assert len(result["applied"]) == 2 and result["conflicts"] == []


def test_a_settled_conflict_pushed_by_one_of_its_writers_is_taken(server: SyncServer) -> None:
    person = new_person("Aisha", "Hassan", area=server.areas["Ærtebjerg Øst"])
    server.push("admin", [person])
    server.push("admin", [edit("people", person["uuid"], 1, phone="1")])
    server.push("staff", [edit("people", person["uuid"], 1, phone="2")])
    (conflict,) = server.conflicts()
    settled = edit("sync_conflicts", conflict.uuid, 1, resolved_at="2026-11-25T10:30:00",
                   resolved_by=server.actors["staff"].user_uuid, resolution="kept")
    result = server.push("staff", [settled])
    assert result["applied"][0]["uuid"] == conflict.uuid
    fields = server.row("sync_conflicts", conflict.uuid)["fields"]
    assert (fields["resolution"], fields["resolved_by"]) == (
        "kept", server.actors["staff"].user_uuid)
    with pytest.raises(Refused, match="in your own name"):  # not for someone else
        server.push("staff", [edit("sync_conflicts", conflict.uuid, 2, resolution="other",
                                   resolved_by=server.actors["admin"].user_uuid)])

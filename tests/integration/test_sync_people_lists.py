"""Lists that name people one by one, on a real PostgreSQL team server
(services/sync/people_lists.py): a staff member sees a session but not every participant
on it, so a pull carries only the attendance ticks of people they see, and a push of
the attendance changes only those ticks, keeping their colleagues' ticks of the others.
A contact's people list is whole or absent: a contact shows only when every person on it
does."""

from __future__ import annotations

import json
from typing import Any

from .sync_server import (  # noqa: F401  (fixtures)
    SyncServer,
    edit,
    meeting_across_areas,
    new_contact,
    server_fixture,
    template_fixture,
    tick,
)


def _strings(value: Any) -> set[str]:
    """Every string anywhere in a pulled row, also inside JSON text (a conflict's values)."""
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return {value}
        return {value} | (_strings(decoded) if not isinstance(decoded, str) else set())
    if isinstance(value, dict):
        return set().union(*map(_strings, value.values()))
    if isinstance(value, list):
        return set().union(*map(_strings, value))
    return set()


def _attendance(server: SyncServer, meeting: dict) -> dict[str, bool]:
    ticks = server.row("sessions", meeting["uuid"])["fields"]["attendance"]
    return {tick["person"]: tick["present"] for tick in ticks}


def test_a_pull_carries_only_the_ticks_of_people_the_actor_sees(server: SyncServer) -> None:
    mine, theirs, meeting = meeting_across_areas(server)
    staff = server.actors["admin"].user_uuid
    shown = new_contact(staff, [mine["uuid"]])
    together = new_contact(staff, [mine["uuid"], theirs["uuid"]])
    server.push("admin", [shown, together])

    rows, _ = server.pull_all("staff", limit=3)
    (pulled,) = [r for r in rows if r["uuid"] == meeting["uuid"]]
    assert pulled["fields"]["attendance"] == [tick(mine, True)]
    # A contact is whole or absent: the one with a hidden person does not come at all.
    contacts = {r["uuid"]: r["fields"]["people"] for r in rows if r["table"] == "contacts"}
    assert contacts == {shown["uuid"]: [mine["uuid"]]}
    assert theirs["uuid"] not in set().union(*(_strings(r["fields"]) for r in rows))

    everything, _ = server.pull_all("lead")
    (whole,) = [r for r in everything if r["uuid"] == meeting["uuid"]]
    assert len(whole["fields"]["attendance"]) == 2


def test_a_push_changes_only_the_ticks_of_people_the_pusher_sees(server: SyncServer) -> None:
    mine, theirs, meeting = meeting_across_areas(server)
    # The staff member's laptop holds the session with their participant only.
    result = server.push("staff", [edit("sessions", meeting["uuid"], 1,
                                        attendance=[tick(mine, False)])])
    assert result["conflicts"] == []
    assert _attendance(server, meeting) == {mine["uuid"]: False, theirs["uuid"]: True}

    # Emptying the list they see takes off their participant, not the other.
    server.push("staff", [edit("sessions", meeting["uuid"], 2, attendance=[])])
    assert _attendance(server, meeting) == {theirs["uuid"]: True}

    # A laptop that still sends the hidden tick (pulled before it was hidden) does not
    # set it: the server's value of a tick the pusher cannot see stands.
    server.push("staff", [edit("sessions", meeting["uuid"], 3,
                               attendance=[tick(mine, True), tick(theirs, False)])])
    assert _attendance(server, meeting) == {mine["uuid"]: True, theirs["uuid"]: True}


def test_a_conflict_over_the_attendance_names_only_people_the_actor_sees(
        server: SyncServer) -> None:
    mine, theirs, meeting = meeting_across_areas(server)
    # The administrator changes both ticks first; the staff member, from the same base,
    # changes their participant's tick another way: a conflict over what they see.
    server.push("admin", [edit("sessions", meeting["uuid"], 1,
                               attendance=[tick(mine, False), tick(theirs, False)])])
    result = server.push("staff", [edit("sessions", meeting["uuid"], 1,
                                        attendance=[tick(mine, True)])])
    assert [(c["field"], c["kind"]) for c in result["conflicts"]] == [
        ("attendance", "same_field")]
    assert _attendance(server, meeting) == {mine["uuid"]: False, theirs["uuid"]: False}

    (conflict,) = server.conflicts()
    assert json.loads(conflict.other_value) == [tick(mine, True)]
    rows, _ = server.pull_all("staff")
    pulled = [r for r in rows if r["table"] == "sync_conflicts"]
    assert [r["uuid"] for r in pulled] == [conflict.uuid]
    assert json.loads(pulled[0]["fields"]["kept_value"]) == [tick(mine, False)]
    assert theirs["uuid"] not in set().union(*(_strings(r["fields"]) for r in rows))

"""A refused change after a real sync (the sync engine on PostgreSQL, a real encrypted
laptop): the server refuses an offline edit of a person who moved out of the user's
areas, the same sync removes her from the laptop, and the refused-changes list still
names her and says why in Danish; discarding it leaves nothing to push."""

from __future__ import annotations

from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.sync_client import engine, refused

from . import test_push_client
from .sync_remote import InProcessRemote
from .sync_server import SyncServer, edit, new_person
from .test_pull_client import (  # noqa: F401  (fixtures)
    _local,
    _server_init_logged,
    server_fixture,
    template_fixture,
)
from .test_push_client import _east_id, _edit, _joined

laptop = test_push_client.laptop


def test_a_person_who_left_the_users_areas_is_still_named_in_the_refused_list(
        server: SyncServer, laptop: AppContext) -> None:
    _joined(server, laptop)
    east, south = server.areas["Ærtebjerg Øst"], server.areas["Søndergården"]
    amira = new_person("Amira", "Hassan", area=east)
    server.push("admin", [amira])
    remote = InProcessRemote(server, "staff")  # a staff member of Ærtebjerg Øst
    engine.sync_once(laptop, remote)
    _edit(laptop, amira["uuid"], note="Vil gerne have hjælp til lektier")  # offline
    create_person(laptop, PersonDraft("Bo", "Lund", area_id=_east_id(laptop, server)))
    server.push("admin", [edit("people", amira["uuid"], 1, area=south)])  # she moves

    assert engine.sync_once(laptop, remote).set_aside == 1
    assert _local(laptop, "people", [amira["uuid"]]) == []  # gone from the laptop

    (row,) = refused.list_refused(laptop)
    assert (row.record_label, row.still_here) == ("Amira Hassan", False)
    assert row.reason == "Personen hører ikke længere til dine områder"
    assert [(f.label, f.value) for f in row.fields] == [
        ("Note", "Vil gerne have hjælp til lektier")]
    assert refused.attention_count(laptop) == 1

    refused.discard_refused(laptop, row.id)
    assert refused.list_refused(laptop) == []
    after = engine.sync_once(laptop, remote)
    assert (after.set_aside, after.waiting) == (0, 0)

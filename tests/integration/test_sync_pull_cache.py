"""The server keeps the wire form of pulled rows (services/sync/pull_cache.py) so that a
team's laptops pulling the same changes do not each rebuild them. What one laptop may
not see is taken out of its own copy only: the next laptop, with more rights, still gets
the whole row, and a row changed since is never served at its old version."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from boligsag.domain.enums import Role
from boligsag.services.sync import ordering, pull_cache, wire_read
from boligsag.services.sync import pull as pull_module
from boligsag.services.sync.actor import SyncActor
from boligsag.storage.models import User

from .sync_server import (  # noqa: F401  (fixtures)
    SyncServer,
    edit,
    meeting_across_areas,
    new_contact,
    new_person,
    server_fixture,
    template_fixture,
)


def _pulled(server: SyncServer, device: str, row_uuid: str) -> dict:
    rows, _ = server.pull_all(device)
    (row,) = [r for r in rows if r["uuid"] == row_uuid]
    return row


def test_a_row_kept_whole_for_the_team_lead_is_stripped_only_in_the_staff_copy(
        server: SyncServer) -> None:
    seen, unseen, meeting = meeting_across_areas(server)
    assert len(_pulled(server, "lead", meeting["uuid"])["fields"]["attendance"]) == 2

    staff_row = _pulled(server, "staff", meeting["uuid"])
    assert [t["person"] for t in staff_row["fields"]["attendance"]] == [seen["uuid"]]
    # The staff member's stripping did not reach the kept row.
    assert len(_pulled(server, "lead", meeting["uuid"])["fields"]["attendance"]) == 2
    assert unseen["uuid"] not in str(_pulled(server, "staff", meeting["uuid"]))


def test_fields_hidden_from_a_volunteer_stay_in_the_rows_others_pull(
        server: SyncServer) -> None:
    with server.db.writing(None) as session:
        volunteer = User(uuid=str(uuid.uuid4()), username="frivillig", full_name="Frida Frivillig",
                         role=Role.VOLUNTEER)
        session.add(volunteer)
        session.execute(update(User).where(User.id == server.user_id("staff"))
                        .values(phone="+45 20 30 40 50", version=User.version + 1))
        session.flush()
        staff_uuid = server.actors["staff"].user_uuid
        ordering.log_changes(session, [ordering.ChangeEntry("users", staff_uuid, 2, ["phone"],
                                                            False, None)],
                             now=server.tick())
        actor = SyncActor(volunteer.id, volunteer.uuid, Role.VOLUNTEER, str(uuid.uuid4()))
    assert _pulled(server, "lead", staff_uuid)["fields"]["phone"] == "+45 20 30 40 50"

    with server.db.reading() as session:
        page = pull_module.pull(session, actor, None, 500)
    (as_volunteer,) = [r for r in page["rows"] if r["uuid"] == staff_uuid]
    assert "phone" not in as_volunteer["fields"]
    assert _pulled(server, "lead", staff_uuid)["fields"]["phone"] == "+45 20 30 40 50"


def test_a_row_changed_after_it_was_kept_is_pulled_at_its_new_version(
        server: SyncServer) -> None:
    person = new_person("Carla", "Mikkelsen", area=server.areas["Ærtebjerg Øst"])
    server.push("admin", [person])
    assert _pulled(server, "staff", person["uuid"])["version"] == 1

    server.push("staff2", [edit("people", person["uuid"], 1, phone="+45 11 22 33 44")])
    again = _pulled(server, "staff", person["uuid"])
    assert (again["version"], again["fields"]["phone"]) == (2, "+45 11 22 33 44")


def test_laptops_pulling_the_same_changes_share_the_wire_rows(
        server: SyncServer, monkeypatch) -> None:
    staff = server.actors["staff"].user_uuid
    person = new_person("Dina", "Holm", area=server.areas["Ærtebjerg Øst"])
    contacts = [new_contact(staff, [person["uuid"]]) for _ in range(3)]
    server.push("staff", [person, *contacts])
    built: list[int] = []
    real = wire_read._to_wire

    def counting(session, spec, rows):  # type: ignore[no-untyped-def]
        built.append(len(rows))
        return real(session, spec, rows)

    monkeypatch.setattr(wire_read, "_to_wire", counting)
    first, _ = server.pull_all("staff")
    built_first = sum(built)
    second, _ = server.pull_all("staff2")
    assert built_first == len(first) == 4
    assert sum(built) == built_first  # the second laptop's rows were all kept ones
    assert second == first


def test_the_cache_keeps_the_most_recently_used_rows_within_its_capacity() -> None:
    cache = pull_cache.WireCache(capacity=2)

    def row(n: int) -> dict:
        return {"table": "people", "uuid": f"u{n}", "version": 1, "deleted": False,
                "fields": {"first_name": f"n{n}"}}

    cache.put_many("db", [row(1), row(2)])
    assert cache.get_many("db", "people", [("u1", 1)])  # u1 is now the most recent
    cache.put_many("db", [row(3)])
    assert set(cache.get_many("db", "people", [("u1", 1), ("u2", 1), ("u3", 1)])) == {
        ("u1", 1), ("u3", 1)}
    assert cache.get_many("other-db", "people", [("u1", 1)]) == {}
    assert cache.get_many("db", "people", [("u1", 2)]) == {}

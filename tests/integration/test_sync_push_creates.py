"""A push's new rows of one table are written together (services/sync/wire_creates.py):
a laptop's day of new contacts arrives whole, links and attendance included, in a few
statements rather than four per contact; and one bad row still refuses the whole batch
before anything is written."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, text

from boligsag.services.sync.errors import BadBatch
from boligsag.services.sync.wire_vocabulary import vocabularies

from .sync_server import (  # noqa: F401  (fixtures)
    SyncServer,
    new_contact,
    new_person,
    server_fixture,
    template_fixture,
)


def _topics(server: SyncServer, count: int) -> list[str]:
    with server.db.reading() as session:
        return sorted(vocabularies(session)["topics"].ids)[:count]


def _session_row(activity: str, ticks: list[tuple[str, bool]]) -> dict:
    return {"table": "sessions", "uuid": str(uuid.uuid4()), "base_version": None,
            "deleted": False,
            "fields": {"activity": activity, "date": "2026-11-24",
                       "attendance": [{"person": p, "present": here, "absence_reason": ""}
                                      for p, here in ticks]}}


def test_a_day_of_new_rows_arrives_whole_with_links_and_attendance(server: SyncServer) -> None:
    staff = server.actors["staff"].user_uuid
    east = server.areas["Ærtebjerg Øst"]
    people = [new_person(f"Navn{n}", "Jensen", area=east) for n in range(3)]
    topics = _topics(server, 3)
    contacts = [new_contact(staff, [people[n % 3]["uuid"], people[(n + 1) % 3]["uuid"]],
                            topics=topics[: n % 4], note=f"Samtale {n}")
                for n in range(12)]
    contacts += [new_contact(staff, [people[0]["uuid"]])]  # no topics, no note given
    activity = {"table": "activities", "uuid": str(uuid.uuid4()), "base_version": None,
                "deleted": False, "fields": {"name": "Lektiecafé", "kind": "mentoring",
                                             "mode": "course"}}
    meetings = [_session_row(activity["uuid"], [(people[0]["uuid"], True),
                                                (people[1]["uuid"], n % 2 == 0)])
                for n in range(3)]
    result = server.push("staff", [*people, *contacts, activity, *meetings])

    assert result["conflicts"] == []
    assert len(result["applied"]) == len(people) + len(contacts) + 1 + len(meetings)
    assert {a["version"] for a in result["applied"]} == {1}
    for pushed in [*contacts, *meetings]:
        row = server.row(pushed["table"], pushed["uuid"])
        for name, value in pushed["fields"].items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                assert sorted(row["fields"][name], key=lambda t: t["person"]) == sorted(
                    value, key=lambda t: t["person"])
            elif isinstance(value, list):
                assert sorted(row["fields"][name]) == sorted(value), name
            else:
                assert row["fields"][name] == value, name
    rows, _ = server.pull_all("lead")
    assert {r["uuid"] for r in rows} >= {c["uuid"] for c in [*contacts, *meetings]}


def test_one_new_row_with_a_reference_to_nothing_refuses_the_batch(server: SyncServer) -> None:
    staff = server.actors["staff"].user_uuid
    person = new_person("Ida", "Berg", area=server.areas["Ærtebjerg Øst"])
    server.push("staff", [person])
    before = server.counts()
    contacts = [new_contact(staff, [person["uuid"]]) for _ in range(5)]
    contacts[3]["fields"]["people"] = [str(uuid.uuid4())]  # nobody
    with pytest.raises(BadBatch, match="a referenced people row does not exist"):
        server.push("staff", contacts)
    assert server.counts() == before
    with server.db.reading() as session:
        assert all(session.execute(
            text("SELECT count(*) FROM contacts WHERE uuid = :u"),
            {"u": c["uuid"]}).scalar() == 0 for c in contacts)


def test_forty_new_contacts_take_a_few_statements_not_four_each(server: SyncServer) -> None:
    staff = server.actors["staff"].user_uuid
    person = new_person("Jonas", "Krag", area=server.areas["Ærtebjerg Øst"])
    server.push("staff", [person])
    topics = _topics(server, 2)
    contacts = [new_contact(staff, [person["uuid"]], topics=topics) for _ in range(40)]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(server.engine, "before_cursor_execute", count)
    try:
        result = server.push("staff", contacts)
    finally:
        event.remove(server.engine, "before_cursor_execute", count)
    assert len(result["applied"]) == 40
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO CONTACT")]
    # One INSERT for the contacts, one for their people, one for their topics.
    assert len(inserts) == 3, inserts
    assert len(statements) < 40


def test_new_rows_whose_lists_are_all_empty_are_created_without_links(
        server: SyncServer) -> None:
    staff = server.actors["staff"].user_uuid
    east = server.areas["Ærtebjerg Øst"]
    forms = [new_contact(staff, [], area=east, anonymous=True) for _ in range(2)]
    result = server.push("staff", forms)
    assert [a["version"] for a in result["applied"]] == [1, 1]
    assert [server.row("contacts", f["uuid"])["fields"]["people"] for f in forms] == [[], []]

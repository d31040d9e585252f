"""A laptop's replica reconciled with what its user may hold now (services/sync_client/
reconcile.py), against the real sync engine on PostgreSQL and a real encrypted laptop:
a family moved into a staff member's area arrives with its older contacts and one moved
out leaves the laptop (never the server); nothing is recorded in the outbox; an
unpushed edit of a person leaving scope stays and is reported; a session shows the tick
of a person who came; an interrupted reconcile leaves a consistent replica that the
next one completes; a volunteer's laptop ends with her own forms and the organisation's
rows only."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from boligsag.domain.enums import Role
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, update_person
from boligsag.services.sync import holdings as holdings_module
from boligsag.services.sync.actor import SyncActor
from boligsag.services.sync.people_lists import HIDDEN_GIVER
from boligsag.services.sync.wire_tables import SYNCED_TABLES
from boligsag.services.sync_client import reconcile as reconcile_module
from boligsag.storage.models import Base, Person, User

from . import test_pull_client
from .sync_server import SyncServer, delete, edit, new_contact, new_person
from .test_pull_client import (  # noqa: F401  (fixtures)
    _inbox_count,
    _local,
    _outbox,
    _pull_everything,
    _server_init_logged,
    server_fixture,
    template_fixture,
)

laptop = test_pull_client.laptop  # the fixture: an encrypted laptop database of its own


def _server_for(server: SyncServer, device: str) -> reconcile_module.Server:
    actor = server.actors[device]

    def holdings() -> dict[str, Any]:
        with server.db.reading() as session:
            return holdings_module.holdings(session, actor)

    def listed(table: str, buckets: list[str]) -> list[Any]:
        with server.db.reading() as session:
            return holdings_module.listed(session, actor, table, buckets)["rows"]

    def fetch(table: str, uuids: list[str]) -> list[dict[str, Any]]:
        with server.db.reading() as session:
            return holdings_module.fetch(session, actor, table, uuids)["rows"]

    return reconcile_module.Server(holdings, listed, fetch)


def _differing_tables(laptop: AppContext, link: reconcile_module.Server) -> list[str]:
    theirs = link.holdings()["tables"]
    with laptop.db.reading() as session:
        return [t for t in SYNCED_TABLES if reconcile_module.local_digest(session, t)
                != {b: (c, h) for b, (c, h) in theirs.get(t, {}).items()}]


def _family(server: SyncServer, area: str) -> dict[str, Any]:
    """A household and its person in ``area``, and two contacts the admin wrote."""
    admin = server.actors["admin"].user_uuid
    home = {"table": "households", "uuid": str(uuid.uuid4()), "base_version": None,
            "deleted": False, "fields": {"name": "Familien Hassan", "area": area}}
    amira = new_person("Amira", "Hassan", area=area, household=home["uuid"])
    calls = [new_contact(admin, [amira["uuid"]]) for _ in range(2)]
    server.push("admin", [home, amira, *calls])
    return {"household": home["uuid"], "person": amira["uuid"],
            "contacts": [c["uuid"] for c in calls]}


def _move(server: SyncServer, family: dict[str, Any], area: str) -> None:
    home = server.row("households", family["household"])
    person = server.row("people", family["person"])
    server.push("admin", [edit("households", family["household"], home["version"], area=area),
                          edit("people", family["person"], person["version"], area=area)])


def _staff_laptop(server: SyncServer, laptop: AppContext) -> reconcile_module.Server:
    """A staff laptop in sync: pulled, reconciled once. Its own setup rows go, but for
    its administrator (logged in, named by its audit trail): kept and reported."""
    _pull_everything(server, laptop, device="staff")
    link = _server_for(server, "staff")
    first = reconcile_module.reconcile(laptop.db, link)
    assert first.kept_referenced == [("users", laptop.actor.user_uuid)]
    assert set(first.purged) == {"areas", "plans", "services"}  # its setup's own
    return link


# The laptop's own administrator, kept (above): the one table whose digest differs.
IN_SYNC = ["users"]


def test_a_family_moved_in_arrives_with_its_older_contacts_and_leaves_when_moved_out(
        server: SyncServer, laptop: AppContext) -> None:
    east, south = server.areas["Ærtebjerg Øst"], server.areas["Søndergården"]
    family = _family(server, south)
    link = _staff_laptop(server, laptop)
    assert _differing_tables(laptop, link) == IN_SYNC
    assert _local(laptop, "people", [family["person"]]) == []

    _move(server, family, east)
    _pull_everything(server, laptop, device="staff")  # the moved rows themselves
    assert _local(laptop, "contacts", family["contacts"]) == []  # unchanged: not pulled
    started = time.perf_counter()
    came = reconcile_module.reconcile(laptop.db, link)
    print(f"reconcile, one family moved in: {time.perf_counter() - started:.3f} s")
    assert came.fetched.get("contacts") == 2
    for table, uuids in (("people", [family["person"]]),
                         ("households", [family["household"]]),
                         ("contacts", family["contacts"])):
        assert [r["uuid"] for r in _local(laptop, table, uuids)] == sorted(uuids), table
    assert _differing_tables(laptop, link) == IN_SYNC
    assert _outbox(laptop) == {}

    started = time.perf_counter()
    same = reconcile_module.reconcile(laptop.db, link)
    print(f"reconcile, nothing differs: {time.perf_counter() - started:.3f} s")
    assert not same.changed

    _move(server, family, south)
    _pull_everything(server, laptop, device="staff")
    gone = reconcile_module.reconcile(laptop.db, link)
    assert gone.sessions_refetched == 0  # the laptop holds no session
    assert gone.purged == {"people": 1, "households": 1, "contacts": 2}
    assert gone.kept_unpushed == []
    assert gone.kept_referenced == [("users", laptop.actor.user_uuid)]
    for table, uuids in (("people", [family["person"]]),
                         ("households", [family["household"]]),
                         ("contacts", family["contacts"])):
        assert _local(laptop, table, uuids) == [], table
        for row_uuid in uuids:  # the server still has them, live
            assert not server.row(table, row_uuid)["deleted"]
    assert _differing_tables(laptop, link) == IN_SYNC
    assert _outbox(laptop) == {}


def test_a_deleted_contact_of_a_family_moving_away_leaves_no_tombstone_behind(
        server: SyncServer, laptop: AppContext) -> None:
    """A contact deleted on the server reaches the laptop as a tombstone (note and
    all). When the family moves out of her areas, the tombstone goes with them: the
    server never lists a tombstone, so nothing else would ever remove it."""
    east, south = server.areas["Ærtebjerg Øst"], server.areas["Søndergården"]
    family = _family(server, east)
    deleted, kept = family["contacts"]
    server.push("admin", [delete("contacts", deleted, 1)])
    link = _staff_laptop(server, laptop)
    (tombstone,) = _local(laptop, "contacts", [deleted])
    assert tombstone["deleted"]

    _move(server, family, south)
    _pull_everything(server, laptop, device="staff")
    gone = reconcile_module.reconcile(laptop.db, link)

    assert gone.purged == {"people": 1, "households": 1, "contacts": 1}  # the live one
    assert _local(laptop, "contacts", [deleted, kept]) == []
    assert server.row("contacts", deleted)["deleted"]  # the server keeps its tombstone
    assert _outbox(laptop) == {}


def test_an_unpushed_edit_of_a_person_leaving_scope_is_kept_and_reported(
        server: SyncServer, laptop: AppContext) -> None:
    east, south = server.areas["Ærtebjerg Øst"], server.areas["Søndergården"]
    family = _family(server, east)
    link = _staff_laptop(server, laptop)
    with laptop.db.reading() as session:
        person = session.scalars(select(Person).where(Person.uuid == family["person"])).one()
        person_id, version, area_id, household_id = (person.id, person.version,
                                                      person.area_id, person.household_id)
    update_person(laptop, person_id, version,
                  PersonDraft("Amira", "Hassan", phone="11 22 33 44", area_id=area_id,
                              household_id=household_id))
    _move(server, family, south)
    _pull_everything(server, laptop, device="staff")
    outcome = reconcile_module.reconcile(laptop.db, link)
    assert outcome.kept_unpushed == [("people", family["person"])]
    # Its contacts go; the household stays while the kept person lives in it.
    assert outcome.purged.get("contacts") == 2
    assert outcome.kept_referenced == [("households", family["household"]),
                                       ("users", laptop.actor.user_uuid)]
    (local,) = _local(laptop, "people", [family["person"]])
    assert local["fields"]["phone"] == "11 22 33 44"
    assert set(_outbox(laptop)) == {("people", family["person"])}


def _form(author: str) -> dict[str, Any]:
    """A network mother's conversation form: a contact with no person on it."""
    form = new_contact(author, [], kind="network_mother")
    del form["fields"]["people"]
    return form


def test_a_volunteers_laptop_reconciles_to_exactly_her_own_forms_and_reference_rows(
        server: SyncServer, laptop: AppContext) -> None:
    with server.db.writing(None) as session:  # users are made on the server, not pushed
        user = User(uuid=str(uuid.uuid4()), username="vera", full_name="Vera Juul",
                    role=Role.VOLUNTEER)
        session.add(user)
        session.flush()
        vera = {"uuid": user.uuid, "id": user.id}
    admin = server.actors["admin"].user_uuid
    family = _family(server, server.areas["Ærtebjerg Øst"])
    mine = [_form(vera["uuid"]) for _ in range(2)]
    others = [_form(admin), new_contact(admin, [family["person"]])]
    server.push("admin", [*mine, *others])
    server.actors["vera"] = SyncActor(vera["id"], vera["uuid"], Role.VOLUNTEER,
                                      str(uuid.uuid5(uuid.NAMESPACE_DNS, "vera")))
    _pull_everything(server, laptop)  # a laptop that held everything (as the admin)
    assert _local(laptop, "people", [family["person"]]) != []
    link = _server_for(server, "vera")
    reconcile_module.reconcile(laptop.db, link)
    assert _differing_tables(laptop, link) == IN_SYNC
    contacts = Base.metadata.tables["contacts"]
    with laptop.db.reading() as session:
        held = set(session.scalars(select(contacts.c.uuid)))
        people = session.scalar(select(func.count()).select_from(Person))
    assert held == {c["uuid"] for c in mine} and people == 0
    assert link.holdings()["tables"].keys() >= {"areas", "users", "contacts"}
    assert _outbox(laptop) == {}


def test_sessions_show_the_ticks_of_people_who_came_into_scope(
        server: SyncServer, laptop: AppContext) -> None:
    east, south = server.areas["Ærtebjerg Øst"], server.areas["Søndergården"]
    family = _family(server, south)
    activity = {"table": "activities", "uuid": str(uuid.uuid4()), "base_version": None,
                "deleted": False, "fields": {"name": "Mentorforløb", "kind": "mentoring",
                                             "mode": "course"}}
    meeting = {"table": "sessions", "uuid": str(uuid.uuid4()), "base_version": None,
               "deleted": False,
               "fields": {"activity": activity["uuid"], "date": "2026-11-24",
                          "attendance": [{"person": family["person"], "present": True,
                                          "absence_reason": ""}]}}
    server.push("admin", [activity, meeting])
    link = _staff_laptop(server, laptop)
    (before,) = _local(laptop, "sessions", [meeting["uuid"]])
    assert before["fields"]["attendance"] == []  # the tick of someone she does not see
    _move(server, family, east)
    people_before = reconcile_module.held_people(laptop.db)
    _pull_everything(server, laptop, device="staff")  # Amira comes with the pull
    outcome = reconcile_module.reconcile(laptop.db, link, people_before=people_before)
    assert outcome.sessions_refetched == 1
    (after,) = _local(laptop, "sessions", [meeting["uuid"]])
    assert [tick["person"] for tick in after["fields"]["attendance"]] == [family["person"]]
    assert _outbox(laptop) == {}


def _row(table: str, **fields: Any) -> dict[str, Any]:
    return {"table": table, "uuid": str(uuid.uuid4()), "base_version": None,
            "deleted": False, "fields": fields}


def _area_of(server: SyncServer, person: dict[str, Any], area: str) -> None:
    version = server.row("people", person["uuid"])["version"]
    server.push("admin", [edit("people", person["uuid"], version, area=area)])


def test_a_consent_given_by_a_hidden_custody_holder_lands_with_the_giver_in_words(
        server: SyncServer, laptop: AppContext) -> None:
    """A child of her area, whose mother lives in the other area: the consent, the
    referral resting on it and its event all land on the staff member's laptop, the
    giver in words (the mother's uuid never reaches it); when the mother moves in, the
    consent names her; when she moves out again, it is words again and she leaves the
    laptop instead of staying behind as "still referred to". (Before, the three rows
    waited in the inbox for ever: 1,968 rows of the bench team's staff member.)"""
    east, south = server.areas["Ærtebjerg Øst"], server.areas["Søndergården"]
    admin = server.actors["admin"].user_uuid
    mother = new_person("Leila", "Hassan", area=south)
    child = new_person("Yasmin", "Hassan", area=east)
    service = _row("services", name="Sundhedsplejen")
    consent = _row("consents", person=child["uuid"], service=service["uuid"],
                   scope=["identity"], purpose="Samarbejde om søvn",
                   given_by_person=mother["uuid"], valid_from="2026-11-01",
                   valid_to="2027-10-31")
    referral = _row("referrals", person=child["uuid"], service=service["uuid"],
                    consent=consent["uuid"], reason="Søvnbesvær", contact_user=admin,
                    status_changed_on="2026-11-02", created_on="2026-11-02")
    event = _row("referral_events", referral=referral["uuid"], to_status="sent",
                 on="2026-11-02", recorded_at="2026-11-02T10:00:00")
    server.push("admin", [mother, child, service, consent, referral, event])

    link = _staff_laptop(server, laptop)
    (held,) = _local(laptop, "consents", [consent["uuid"]])
    assert (held["fields"]["given_by_person"], held["fields"]["given_by_name"]) == (
        None, HIDDEN_GIVER)
    assert len(_local(laptop, "referrals", [referral["uuid"]])) == 1
    assert len(_local(laptop, "referral_events", [event["uuid"]])) == 1
    assert _inbox_count(laptop) == 0
    assert _local(laptop, "people", [mother["uuid"]]) == []
    lead_rows, _ = server.pull_all("lead")
    (whole,) = [r for r in lead_rows if r["uuid"] == consent["uuid"]]
    assert whole["fields"]["given_by_person"] == mother["uuid"]  # the server keeps her

    _area_of(server, mother, east)
    before = reconcile_module.held_people(laptop.db)
    _pull_everything(server, laptop, device="staff")  # the mother comes with the pull
    reconcile_module.reconcile(laptop.db, link, people_before=before)
    (named,) = _local(laptop, "consents", [consent["uuid"]])
    assert (named["fields"]["given_by_person"], named["fields"]["given_by_name"]) == (
        mother["uuid"], "")

    _area_of(server, mother, south)
    _pull_everything(server, laptop, device="staff")
    gone = reconcile_module.reconcile(laptop.db, link)
    assert ("people", mother["uuid"]) not in gone.kept_referenced
    assert _local(laptop, "people", [mother["uuid"]]) == []
    (words,) = _local(laptop, "consents", [consent["uuid"]])
    assert (words["fields"]["given_by_person"], words["fields"]["given_by_name"]) == (
        None, HIDDEN_GIVER)
    assert _differing_tables(laptop, link) == IN_SYNC
    assert _outbox(laptop) == {}


def test_a_reminder_about_a_family_that_moved_away_stays_and_the_family_goes(
        server: SyncServer, laptop: AppContext) -> None:
    """Her own reminder names a person and a contact of a family that then moves to the
    other area: the family leaves her laptop (the reminder no longer holds it back), the
    reminder stays about no one; when the family moves back, it names them again."""
    east, south = server.areas["Ærtebjerg Øst"], server.areas["Søndergården"]
    family = _family(server, east)
    reminder = _row("reminders", owner_user=server.actors["staff"].user_uuid,
                    due_on="2026-12-01", text="Ring om skolemødet",
                    person=family["person"], contact=family["contacts"][0])
    server.push("staff", [reminder])
    link = _staff_laptop(server, laptop)

    _move(server, family, south)
    _pull_everything(server, laptop, device="staff")
    gone = reconcile_module.reconcile(laptop.db, link)
    assert gone.purged == {"people": 1, "households": 1, "contacts": 2}
    assert gone.kept_referenced == [("users", laptop.actor.user_uuid)]
    (kept,) = _local(laptop, "reminders", [reminder["uuid"]])
    assert (kept["fields"]["person"], kept["fields"]["contact"]) == (None, None)
    assert kept["fields"]["text"] == "Ring om skolemødet"
    there = server.row("reminders", reminder["uuid"])["fields"]
    assert there["person"] == family["person"]  # only her laptop's copy lost the link

    _move(server, family, east)
    before = reconcile_module.held_people(laptop.db)
    _pull_everything(server, laptop, device="staff")
    reconcile_module.reconcile(laptop.db, link, people_before=before)
    (back,) = _local(laptop, "reminders", [reminder["uuid"]])
    assert (back["fields"]["person"], back["fields"]["contact"]) == (
        family["person"], family["contacts"][0])
    assert _differing_tables(laptop, link) == IN_SYNC
    assert _outbox(laptop) == {}


def test_an_interrupted_reconcile_leaves_a_consistent_replica_and_the_next_finishes(
        server: SyncServer, laptop: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    east, south = server.areas["Ærtebjerg Øst"], server.areas["Søndergården"]
    family = _family(server, east)
    link = _staff_laptop(server, laptop)
    _move(server, family, south)
    _pull_everything(server, laptop, device="staff")
    real = reconcile_module._purge_table

    def failing(db: Any, table: str, *args: Any) -> None:
        if table == "people":
            raise RuntimeError("the power went")
        real(db, table, *args)

    monkeypatch.setattr(reconcile_module, "_purge_table", failing)
    with pytest.raises(RuntimeError):
        reconcile_module.reconcile(laptop.db, link)
    # The contacts went in their own transaction; the person is whole, not half gone.
    assert _local(laptop, "contacts", family["contacts"]) == []
    (person,) = _local(laptop, "people", [family["person"]])
    assert not person["deleted"] and person["fields"]["area"] == east  # as last pulled
    assert len(_local(laptop, "households", [family["household"]])) == 1
    monkeypatch.setattr(reconcile_module, "_purge_table", real)
    again = reconcile_module.reconcile(laptop.db, link)
    assert again.purged == {"people": 1, "households": 1}
    assert _differing_tables(laptop, link) == IN_SYNC
    assert _outbox(laptop) == {}

"""The sync wire format (services/sync/wire.py) on both backends.

- Round trip: every synced table's rows, every wire field set, read to the wire on one
  backend, sent through JSON, applied to an empty database of the OTHER kind (laptop →
  server and server → laptop), read back: the same wire rows.
- Updates replace link sets, keep ``contacts.first_topic_id`` by the database's trigger,
  and leave version to the engine.
- Bad input of every kind is refused with a message naming table and field and never
  the value; nothing is written.
"""

from __future__ import annotations

import json
import uuid as uuid_module
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from boligsag.services.context import AppContext
from boligsag.services.sync import wire, wire_ids
from boligsag.services.sync.errors import BadBatch
from boligsag.services.sync.wire_tables import CHILDREN, LINKS, NOT_SYNCED, SPECS
from boligsag.services.sync.wire_vocabulary import vocabularies
from boligsag.storage.database import Database, WriteStamp
from boligsag.storage.models import Base, Contact, Topic, User, contact_topics

from ..pg import PgCluster
from .sync_wire_world import empty_postgresql, empty_sqlcipher, fill_every_table, migrate_empty

NOW = datetime(2026, 11, 25, 12, 0)
SECRET = "0101901234 Hemmelig note"


@pytest.fixture(scope="session")
def pg_empty_template(pg_cluster: PgCluster) -> str:
    name = pg_cluster.create_database()
    db = empty_postgresql(pg_cluster.url(name))
    try:
        migrate_empty(db)
    finally:
        db.dispose()
    return name


@pytest.fixture
def other_empty(backend: AppContext, request: pytest.FixtureRequest,
                tmp_path: Path) -> Iterator[Database]:
    """An empty database (schema and vocabularies) of the other kind than ``backend``."""
    if backend.db.engine.dialect.name == "postgresql":
        db = empty_sqlcipher(tmp_path / "other" / "boligsag.db")
        yield db
        db.dispose()
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    name = cluster.create_database(template=request.getfixturevalue("pg_empty_template"))
    db = empty_postgresql(cluster.url(name))
    yield db
    db.dispose()
    cluster.drop_database(name)


def filled(ctx: AppContext) -> AppContext:
    with ctx.db.writing(WriteStamp(ctx.actor.user_id, NOW)) as session:
        fill_every_table(session)
    return ctx


def all_ids(session: Any, table: str) -> list[int]:
    t = Base.metadata.tables[table]
    return list(session.scalars(select(t.c.id).order_by(t.c.id)))


def read_all(db: Database, uuids: dict[str, list[str]] | None = None) -> dict[str, list[dict]]:
    with db.reading() as session:
        result = {}
        for table in wire.SYNCED_TABLES:
            t = Base.metadata.tables[table]
            if uuids is None:
                ids = all_ids(session, table)
            else:
                found = dict(session.execute(select(t.c.uuid, t.c.id).where(
                    t.c.uuid.in_(uuids[table]))).all())
                ids = [found[u] for u in uuids[table] if u in found]
            result[table] = wire.rows_to_wire(session, table, ids)
        return result


def copy_rows(rows: dict[str, list[dict]], target: Database) -> None:
    """What a pull does on a laptop (or a push of new rows on the server)."""
    rows = json.loads(json.dumps(rows))  # the wire is JSON
    with target.writing(None) as session:
        for table in wire.SYNCED_TABLES:
            for row in rows[table]:
                wire.apply_change(session, table, row["uuid"], row["fields"], create=True,
                                  user_id=None, now=NOW)
                if row["deleted"]:
                    wire.mark_deleted(session, table, row["uuid"], user_id=None, now=NOW)
                wire.stamp(session, table, row["uuid"], version=row["version"],
                           user_id=None, now=NOW)


def first_topics(db: Database) -> dict[str, tuple[int | None, int | None]]:
    """Each contact's first_topic_id and the lowest of its topic ids."""
    with db.reading() as session:
        lowest = (select(func.min(contact_topics.c.topic_id))
                  .where(contact_topics.c.contact_id == Contact.id).scalar_subquery())
        return {u: (first, low) for u, first, low in session.execute(
            select(Contact.uuid, Contact.__table__.c.first_topic_id, lowest)).all()}


def test_tables_parents_first_and_every_table_accounted_for() -> None:
    order = {name: index for index, name in enumerate(wire.SYNCED_TABLES)}
    for name in wire.SYNCED_TABLES:
        for field in SPECS[name].fields:
            if field.ref in order:
                assert order[field.ref] <= order[name], (name, field.name)
    travelling = set(wire.SYNCED_TABLES) | set(NOT_SYNCED)
    travelling |= {link[1] for links in LINKS.values() for link in links}
    travelling |= {child[1] for children in CHILDREN.values() for child in children}
    assert set(Base.metadata.tables) == travelling
    assert "first_topic_id" not in wire.wire_fields("contacts")
    assert {"version", "uuid", "id", "created_at", "deleted_at"}.isdisjoint(
        wire.wire_fields("people"))


def test_every_table_round_trips_to_the_other_backend(
        backend: AppContext, other_empty: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    # Look-ups in chunks of two, so that the small world crosses chunk boundaries.
    monkeypatch.setattr(wire_ids, "CHUNK", {"sqlite": 2, "postgresql": 2})
    source = read_all(filled(backend).db)
    for table, rows in source.items():
        assert rows, f"the world has no {table} row"
        for name in wire.wire_fields(table):
            assert any(row["fields"][name] not in (None, "", []) for row in rows), \
                f"no {table} row has a value in {name}"
    assert any(row["deleted"] for row in source["contacts"])

    copy_rows(source, other_empty)

    copied = read_all(other_empty, {t: [r["uuid"] for r in rows] for t, rows in source.items()})
    assert copied == source
    topics = first_topics(other_empty)
    assert topics and all(first == low for first, low in topics.values())


def test_update_replaces_links_and_the_trigger_keeps_the_first_topic(
        backend: AppContext) -> None:
    ctx = filled(backend)
    with ctx.db.reading() as session:
        (contact,) = [r for r in wire.rows_to_wire(session, "contacts",
                                                   all_ids(session, "contacts"))
                      if r["fields"]["people"] and not r["deleted"]][:1]
        topics = sorted(session.execute(select(Topic.id, Topic.category, Topic.code)
                                        .where(Topic.category == "contact")).all())
        admin = session.scalars(select(User.uuid).where(User.username == "admin")).one()
        keys = vocabularies(session)["topics"].keys
    new_topics = [keys[topics[5][0]], keys[topics[0][0]]]
    with ctx.db.writing(None) as session:
        wire.apply_change(session, "contacts", contact["uuid"],
                          {"topics": new_topics, "people": contact["fields"]["people"][:1],
                           "note": "Ny note", "staff_user": admin},
                          create=False, user_id=None, now=NOW)
    with ctx.db.reading() as session:
        values = wire.current_values(session, "contacts", contact["uuid"],
                                     ["topics", "people", "note", "staff_user", "channel"])
        (after,) = wire.rows_to_wire(session, "contacts",
                                     [wire.row_id(session, "contacts", contact["uuid"])])
    assert values == {"topics": sorted(new_topics),
                      "people": contact["fields"]["people"][:1], "note": "Ny note",
                      "staff_user": admin, "channel": contact["fields"]["channel"]}
    assert after["version"] == contact["version"]  # the engine's to bump
    assert first_topics(ctx.db)[contact["uuid"]] == (topics[0][0], topics[0][0])

    with ctx.db.writing(None) as session:
        wire.mark_deleted(session, "contacts", contact["uuid"], user_id=None, now=NOW)
        wire.stamp(session, "contacts", contact["uuid"], version=7, user_id=None, now=NOW)
    with ctx.db.reading() as session:
        (gone,) = wire.rows_to_wire(session, "contacts",
                                    [wire.row_id(session, "contacts", contact["uuid"])])
    assert gone["deleted"] and gone["version"] == 7


def bad_changes(refs: dict[str, str]) -> list[tuple[str, str, dict[str, Any], str, str]]:
    """(table, row uuid, fields, words the message must hold, the value it must not)."""
    new = str(uuid_module.uuid4())
    person = {"first_name": "Ny", "last_name": "Beboer"}
    contact = {"occurred_at": "2026-11-25T10:30:00", "staff_user": refs["user"],
               "channel": "phone"}
    session_row = {"activity": refs["activity"], "date": "2026-11-25"}
    missing = str(uuid_module.uuid4())
    return [
        ("people", new, {**person, "secret_field": SECRET}, "people: unknown field "
         "'secret_field'", SECRET),
        ("people", new, {**person, SECRET: 1}, "people: unknown field (not a name)", SECRET),
        ("people", new, {**person, "first_name": 1234567890}, "people.first_name: expected "
         "a string", "1234567890"),
        ("people", new, {**person, "cpr": "01019012345"}, "people.cpr: expected a string "
         "of at most 10 characters", "01019012345"),
        ("people", new, {**person, "note": "før\x00efter " + SECRET}, "people.note",
         SECRET),
        ("people", new, {**person, "gender": SECRET}, "people.gender: expected one of "
         "female, male, other, unknown", SECRET),
        ("people", new, {**person, "birth_date": "01-01-1990"}, "people.birth_date: "
         "expected a date as YYYY-MM-DD", "01-01-1990"),
        ("people", new, {**person, "birth_date": "19900101"}, "people.birth_date",
         "19900101"),
        ("people", new, {**person, "birth_date": "1990-02-30"}, "people.birth_date",
         "1990-02-30"),
        ("people", new, {**person, "restricted": "true"}, "people.restricted: expected "
         "true or false", "'true'"),
        ("people", new, {**person, "first_name": None}, "people.first_name: expected a "
         "value (null is not allowed)", "None"),
        ("people", new, {"first_name": SECRET}, "people: a new row needs last_name", SECRET),
        ("people", new, {**person, "household": SECRET}, "people.household: expected a "
         "uuid", SECRET),
        ("people", new, {**person, "household": missing}, "people: a referenced households "
         "row does not exist", missing),
        ("people", "Ayşe Yılmaz 0101901234", person, "people: the row's uuid is not",
         "0101901234"),
        ("people", refs["person"], person, "people: a row with the uuid", SECRET),
        ("people", new, {**person, "responsible_user": refs["person"]}, "people: a "
         "referenced users row does not exist", refs["person"]),
        ("persons", new, person, "unknown table 'persons'", SECRET),
        (SECRET, new, person, "unknown table (not a name)", SECRET),
        ("contacts", new, {**contact, "occurred_at": "2026-11-25T10:30:00+01:00"},
         "contacts.occurred_at: expected a local time as YYYY-MM-DDTHH:MM:SS", "+01:00"),
        ("contacts", new, {**contact, "duration_minutes": True}, "contacts.duration_minutes:"
         " expected an integer", "True"),
        ("contacts", new, {**contact, "duration_minutes": 2**40}, "contacts.duration_minutes",
         str(2**40)),
        ("contacts", new, {**contact, "channel": "teleport"}, "contacts.channel: expected a "
         "known channels key", "teleport"),
        ("contacts", new, {**contact, "age_group": "100-120"}, "contacts.age_group: expected "
         "a known age_groups key", "100-120"),
        ("contacts", new, {**contact, "people": refs["person"]}, "contacts.people: expected a "
         "list of people references", refs["person"]),
        ("contacts", new, {**contact, "people": [refs["person"], refs["person"]]},
         "contacts.people: expected a list without repeats", refs["person"]),
        ("contacts", new, {**contact, "people": [missing]}, "contacts: a referenced people "
         "row does not exist", missing),
        ("contacts", new, {**contact, "topics": ["contact:teleport"]}, "contacts.topics: "
         "expected a known topics key", "teleport"),
        ("contacts", new, {**contact, "referred_to_text": "x" * 201}, "contacts."
         "referred_to_text: expected a string of at most 200 characters", "x" * 201),
        ("sessions", new, {**session_row, "start_time": "25:00:00"}, "sessions.start_time: "
         "expected a time of day as HH:MM:SS", "25:00"),
        ("sessions", new, {**session_row, "attendance": [{"person": refs["person"],
                                                          "present": True, "x": SECRET}]},
         "sessions.attendance: unknown field 'x'", SECRET),
        ("sessions", new, {**session_row, "attendance": [{"person": refs["person"]}]},
         "sessions.attendance: each object needs present", refs["person"]),
        ("sessions", new, {**session_row, "attendance": [
            {"person": refs["person"], "present": True},
            {"person": refs["person"], "present": False}]},
         "sessions.attendance: expected one object per person", refs["person"]),
        ("sessions", new, {**session_row, "attendance": [
            {"person": refs["person"], "present": True, "absence_reason": SECRET * 10}]},
         "sessions.attendance.absence_reason: expected a string of at most 120", SECRET),
        ("sessions", new, {**session_row, "head_counts": [
            {"age_group": "14-17", "gender": "male", "count": -3}]},
         "sessions.head_counts.count: expected at least 0", "-3"),
        ("sessions", new, {**session_row, "head_counts": SECRET}, "sessions.head_counts: "
         "expected a list of objects", SECRET),
        ("jobs", new, {"person": refs["person"], "kind": "leisure", "employer": "Netto",
                       "start_date": "2026-01-01", "hourly_pay": 55.5},
         "jobs.hourly_pay: expected a decimal number as a string with 2 decimals and at "
         "most 5 digits before the point", "55.5"),
        ("jobs", new, {"person": refs["person"], "kind": "leisure", "employer": "Netto",
                       "start_date": "2026-01-01", "hourly_pay": "123456.00"},
         "jobs.hourly_pay", "123456"),
        ("jobs", new, {"person": refs["person"], "kind": "leisure", "employer": "Netto",
                       "start_date": "2026-01-01", "hours_per_week": "4.55"},
         "jobs.hours_per_week", "4.55"),
        ("jobs", new, {"person": refs["person"], "kind": "leisure", "employer": "Netto",
                       "start_date": "2026-01-01", "hourly_pay": "55.5"},
         "jobs.hourly_pay", "55.5"),
        ("contacts", new, {**contact, "occurred_at": "2026-11-25T10:30:00.000000"},
         "contacts.occurred_at", "10:30:00.000000"),
        ("consents", new, {"person": refs["person"], "service": refs["service"],
                           "scope": ["identity", SECRET], "purpose": "p",
                           "valid_from": "2026-01-01", "valid_to": "2027-01-01"},
         "consents.scope: expected a list of distinct consent_scopes codes", SECRET),
        ("users", new, {"username": "ny", "full_name": "Ny", "role": "superuser"},
         "users.role: expected one of administrator, team_lead, staff, volunteer",
         "superuser"),
    ]


def test_bad_input_is_refused_naming_the_field_never_the_value(backend: AppContext) -> None:
    ctx = filled(backend)
    with ctx.db.reading() as session:
        refs = {name: session.scalars(select(t.c.uuid).order_by(t.c.id)).first()
                for name, t in (("user", Base.metadata.tables["users"]),
                                ("person", Base.metadata.tables["people"]),
                                ("activity", Base.metadata.tables["activities"]),
                                ("service", Base.metadata.tables["services"]))}
    problems = []
    with ctx.db.writing(None) as session:
        for table, row_uuid, fields, words, value in bad_changes(refs):
            try:
                wire.apply_change(session, table, row_uuid, fields, create=True,
                                  user_id=None, now=NOW)
            except BadBatch as refusal:
                message = str(refusal)
                if words not in message or value in message or SECRET in message:
                    problems.append(f"{table} {sorted(fields)}: {message!r}")
                if (table in wire.SYNCED_TABLES and row_uuid != refs["person"]
                        and wire.row_id(session, table, row_uuid) is not None):
                    problems.append(f"{table} {sorted(fields)}: written anyway")
            else:
                problems.append(f"{table} {sorted(fields)}: accepted")
    assert problems == []


def test_unknown_rows_are_refused_on_update_delete_and_read(backend: AppContext) -> None:
    missing = str(uuid_module.uuid4())
    with backend.db.writing(None) as session:
        with pytest.raises(BadBatch, match=f"people: no row has the uuid {missing}"):
            wire.apply_change(session, "people", missing, {"note": SECRET}, create=False,
                              user_id=None, now=NOW)
        with pytest.raises(BadBatch, match="contacts: no row has the uuid"):
            wire.mark_deleted(session, "contacts", missing, user_id=None, now=NOW)
        with pytest.raises(BadBatch, match=r"no row has the uuid \(not a uuid\)"):
            wire.current_values(session, "people", SECRET, ["note"])
        with pytest.raises(BadBatch, match="unknown table 'settings'"):
            wire.wire_fields("settings")


def test_a_row_created_with_few_fields_gets_the_models_defaults(backend: AppContext) -> None:
    new = str(uuid_module.uuid4())
    with backend.db.writing(None) as session:
        wire.apply_change(session, "people", new, {"first_name": "Ny", "last_name": "Beboer"},
                          create=True, user_id=backend.actor.user_id, now=NOW)
    with backend.db.reading() as session:
        (row,) = wire.rows_to_wire(session, "people", [wire.row_id(session, "people", new)])
        stamps = session.execute(select(
            Base.metadata.tables["people"].c.created_at,
            Base.metadata.tables["people"].c.created_by_id).where(
                Base.metadata.tables["people"].c.uuid == new)).one()
    assert row["version"] == 1 and not row["deleted"]
    assert row["fields"]["gender"] == "unknown" and row["fields"]["note"] == ""
    assert row["fields"]["restricted"] is False and row["fields"]["household"] is None
    assert tuple(stamps) == (NOW, backend.actor.user_id)

"""A laptop records its own changes in ``sync_outbox`` (issue 12, design "Local change
tracking"): through the real services, on a real encrypted file, the outbox holds
exactly which rows changed, which wire fields, on which server version and whether the
row was deleted; rows written inside ``applying`` (a pull, an acknowledgement) are not
recorded; and the triggers in the file are the ones the current wire specs call for."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection, column, delete, func, select, table, text, update
from sqlalchemy.exc import IntegrityError

from boligsag.domain.enums import ActivityKind, ActivityMode
from boligsag.services.activities import ActivityDraft, create_activity
from boligsag.services.contacts import ContactDraft, log_contact, update_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database
from boligsag.services.enrollments import EnrollmentDraft, enroll
from boligsag.services.people import PersonDraft, update_person
from boligsag.services.person_deletion import delete_person
from boligsag.services.reminders import create_reminder, mark_reminder_done
from boligsag.services.sessions import AttendanceMark, SessionDraft, record_session, update_session
from boligsag.services.sync.wire_tables import SPECS
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import migrate, sync_triggers
from boligsag.storage.models import Contact, Person, SyncOutboxEntry, User
from boligsag.storage.sync_applying import applying, is_applying

from ..conftest import ADMIN_PASSWORD, CreatedDb
from .casework_helpers import contact_topic_ids, focus_area_id, person

Entry = tuple[list[str], int | None, bool]  # fields, base_version, deleted


def outbox(ctx: AppContext) -> dict[tuple[str, str], Entry]:
    with ctx.db.reading() as session:
        return {(e.table_name, e.row_uuid): (json.loads(e.fields), e.base_version, e.deleted)
                for e in session.scalars(select(SyncOutboxEntry))}


def seqs(ctx: AppContext) -> tuple[dict[tuple[str, str], int], int]:
    """Each entry's local_seq, and the counter."""
    with ctx.db.reading() as session:
        entries = {(e.table_name, e.row_uuid): e.local_seq
                   for e in session.scalars(select(SyncOutboxEntry))}
        return entries, session.execute(text("SELECT local_seq FROM sync_counter")).scalar_one()


def ack(ctx: AppContext, bump: int = 10) -> dict[tuple[str, str], int]:
    """What the push's acknowledgement does (design.md, Push 3): inside ``applying``, give
    every recorded row the server's version (here its own plus ``bump``) and empty the
    outbox. Returns the versions set."""
    versions = {}
    with ctx.db.writing(None) as session, applying(session):
        for (name, uuid) in outbox(ctx):
            rows = table(name, column("uuid"), column("version"))
            version = session.execute(select(rows.c.version).where(rows.c.uuid == uuid)
                                      ).scalar_one() + bump
            session.execute(update(rows).where(rows.c.uuid == uuid).values(version=version))
            versions[(name, uuid)] = version
        session.execute(delete(SyncOutboxEntry))
    assert outbox(ctx) == {}
    return versions


@pytest.fixture
def ctx(ctx: AppContext) -> AppContext:
    """The laptop after its setup rows were pushed and acknowledged."""
    ack(ctx)
    return ctx


def test_a_new_databases_own_rows_wait_as_creations(created_db: CreatedDb,
                                                    clock: FixedClock) -> None:
    """Setup's rows are this laptop's creations until a push brings them to a server."""
    fresh = unlock(created_db.path, "admin", ADMIN_PASSWORD, clock=clock,
                   options=UnlockOptions(integrity_check=False))
    try:
        entries = outbox(fresh)
        assert {name for name, _ in entries} == {"areas", "users", "plans", "services"}
        assert all(entry == (["*"], None, False) for entry in entries.values())
    finally:
        lock(fresh)


def test_a_person_created_then_edited_twice_after_the_ack(ctx: AppContext) -> None:
    ayse = person(ctx, "Ayşe", "Kaya", phone="20304050")
    key = ("people", ayse.person.uuid)
    assert outbox(ctx) == {key: (["*"], None, False)}
    versions = ack(ctx)
    detail = person(ctx, "Bo", "Berg")  # another row: recorded on its own
    ack(ctx)
    with ctx.read() as unit:
        version = unit.session.get_one(Person, ayse.person.id).version
    assert version == versions[key]
    edited = update_person(ctx, ayse.person.id, version,
                           PersonDraft("Ayşe", "Kaya", phone="20304051"))
    assert outbox(ctx) == {key: (["phone"], versions[key], False)}
    update_person(ctx, ayse.person.id, edited.person.version,
                  PersonDraft("Ayşe", "Kaya", phone="20304051", note="Ny lejlighed",
                              household_id=None, languages="tyrkisk"))
    # The union of both edits, on the server version the first one was made on.
    assert outbox(ctx) == {key: (["languages", "note", "phone"], versions[key], False)}
    assert ("people", detail.person.uuid) not in outbox(ctx)


def test_a_created_row_stays_a_creation_through_later_edits(ctx: AppContext) -> None:
    ayse = person(ctx, "Ayşe", "Kaya")
    update_person(ctx, ayse.person.id, ayse.person.version,
                  PersonDraft("Ayşe", "Kaya", note="Ringer igen"))
    assert outbox(ctx) == {("people", ayse.person.uuid): (["*"], None, False)}


def test_a_contact_with_people_and_topics_then_its_lists_edited(ctx: AppContext) -> None:
    ayse, bo = person(ctx, "Ayşe", "Kaya").person, person(ctx, "Bo", "Berg").person
    school, homework, health = contact_topic_ids(ctx, "school", "homework", "health")
    ack(ctx)
    row = log_contact(ctx, ContactDraft(channel="phone", person_ids=(ayse.id, bo.id),
                                        topic_ids=(school, homework), duration_minutes=15,
                                        note="Talte om lektiehjælp"))
    key = ("contacts", row.uuid)
    # The people themselves did not change: only the contact is new.
    assert outbox(ctx) == {key: (["*"], None, False)}
    versions = ack(ctx)
    edited = update_contact(ctx, row.id, versions[key], ContactDraft(
        channel="phone", person_ids=(ayse.id,), topic_ids=(school, homework),
        duration_minutes=15, note="Talte om lektiehjælp", occurred_at=row.occurred_at))
    assert outbox(ctx) == {key: (["people"], versions[key], False)}
    update_contact(ctx, row.id, edited.version, ContactDraft(
        channel="phone", person_ids=(ayse.id,), topic_ids=(school, health),
        duration_minutes=30, note="Talte om lektiehjælp", occurred_at=row.occurred_at))
    # first_topic_id changed too (a trigger keeps it): it never travels, so it is not here.
    assert outbox(ctx) == {key: (["duration_minutes", "people", "topics"], versions[key],
                                 False)}


def test_session_attendance_marks_the_sessions_list(ctx: AppContext) -> None:
    activity = create_activity(ctx, ActivityDraft("Lektiecafé Øst", ActivityKind.MENTORING,
                                                  ActivityMode.COURSE, focus_area_id(ctx))).id
    ib, bo = person(ctx, "Ib", "Berg").person.id, person(ctx, "Bo", "Berg").person.id
    for who in (ib, bo):
        enroll(ctx, EnrollmentDraft(activity, who, date(2026, 9, 1)))
    ack(ctx)
    day = date(2026, 11, 20)
    saved = record_session(ctx, SessionDraft(activity, day, staff_ids=(ctx.actor.user_id,),
                                             attendance=(AttendanceMark(ib, True),
                                                         AttendanceMark(bo, False, "Syg"))))
    with ctx.read() as unit:
        uuid = unit.session.execute(text("SELECT uuid FROM sessions WHERE id = :id"),
                                    {"id": saved.id}).scalar_one()
    key = ("sessions", uuid)
    assert outbox(ctx) == {key: (["*"], None, False)}
    versions = ack(ctx)
    # Bo came after all: one attendance row changes in place; the session's own columns
    # do not (its version is bumped by the service, which is not a change).
    update_session(ctx, saved.id, versions[key], SessionDraft(
        activity, day, staff_ids=(ctx.actor.user_id,),
        attendance=(AttendanceMark(ib, True), AttendanceMark(bo, True))))
    assert outbox(ctx) == {key: (["attendance"], versions[key], False)}


def test_deleting_a_person_records_a_tombstone_on_the_edit(ctx: AppContext) -> None:
    ayse = person(ctx, "Ayşe", "Kaya")
    key = ("people", ayse.person.uuid)
    versions = ack(ctx)
    edited = update_person(ctx, ayse.person.id, versions[key],
                           PersonDraft("Ayşe", "Kaya", note="Flytter"))
    delete_person(ctx, ayse.person.id, edited.person.version)
    assert outbox(ctx) == {key: (["note"], versions[key], True)}
    bo = person(ctx, "Bo", "Berg")
    versions = ack(ctx)
    delete_person(ctx, bo.person.id, versions[("people", bo.person.uuid)])
    assert outbox(ctx) == {("people", bo.person.uuid): ([], versions[("people", bo.person.uuid)],
                                                        True)}


def test_a_reminder_created_and_done(ctx: AppContext) -> None:
    row = create_reminder(ctx, date(2026, 11, 26), "Ring til udlejer")
    with ctx.read() as unit:
        uuid = unit.session.execute(text("SELECT uuid FROM reminders WHERE id = :id"),
                                    {"id": row.id}).scalar_one()
    key = ("reminders", uuid)
    assert outbox(ctx) == {key: (["*"], None, False)}
    versions = ack(ctx)
    mark_reminder_done(ctx, row.id)
    assert outbox(ctx) == {key: (["done_at"], versions[key], False)}


def test_signing_in_is_not_a_change_but_keeps_the_base(
        created_db: CreatedDb, ctx: AppContext, clock: FixedClock) -> None:
    """Unlocking writes the user's last_login_at (a fact of this machine) and so a new
    version: no field to push, but the server's version is kept as the base of the
    administrator's next edit of the user, which the local version no longer is."""
    with ctx.read() as unit:
        user = unit.session.get_one(User, ctx.actor.user_id)
    again = unlock(created_db.path, "admin", ADMIN_PASSWORD, clock=FixedClock(
        clock.now().replace(hour=11)), options=UnlockOptions(integrity_check=False))
    try:
        assert outbox(again) == {("users", user.uuid): ([], user.version, False)}
        with again.db.writing(None) as session:
            session.execute(update(User).where(User.id == user.id).values(
                title="Boligsocial leder", version=User.version + 1))
        assert outbox(again) == {("users", user.uuid): (["title"], user.version, False)}
    finally:
        lock(again)


def test_nothing_is_recorded_while_applying(ctx: AppContext) -> None:
    ayse = person(ctx, "Ayşe", "Kaya").person
    version = ack(ctx)[("people", ayse.uuid)]
    before = seqs(ctx)
    with ctx.db.writing(None) as session:
        mine = Person(first_name="Made", last_name="Here")
        session.add(mine)  # not flushed yet: the block's start flushes it, recorded
        with applying(session):
            assert is_applying(session)
            with applying(session):  # nested: the outer block still applies after it
                session.add(Person(first_name="Pulled", last_name="Row"))
            assert is_applying(session)
            session.execute(update(Person).where(Person.id == ayse.id)
                            .values(note="fra serveren", version=Person.version + 1))
            session.add(Person(first_name="Pulled", last_name="Too"))  # flushed at the end
        assert not is_applying(session)
        session.execute(update(Person).where(Person.id == ayse.id).values(phone="1234"))
    assert outbox(ctx) == {("people", mine.uuid): (["*"], None, False),
                           ("people", ayse.uuid): (["phone"], version + 1, False)}
    assert seqs(ctx)[1] == before[1] + 2  # the person made here, then the phone


def test_the_flag_never_outlives_its_transaction(ctx: AppContext) -> None:
    """A transaction cannot commit while its block is open (a misuse: every later write
    would go unrecorded), and a block that fails takes its flag with it."""
    ayse = person(ctx, "Ayşe", "Kaya").person
    ack(ctx)
    with pytest.raises(IntegrityError), ctx.db.writing(None) as session, applying(session):
        session.execute(update(Person).where(Person.id == ayse.id).values(phone="1"))
        session.commit()
    with pytest.raises(RuntimeError), ctx.db.writing(None) as session, applying(session):
        raise RuntimeError
    with ctx.db.reading() as session:
        assert session.execute(text("SELECT count(*) FROM sync_applying")).scalar_one() == 0
        assert session.get_one(Person, ayse.id).phone == ""
    with ctx.db.writing(None) as session:
        assert not is_applying(session)
        session.execute(update(Person).where(Person.id == ayse.id).values(phone="1234"))
    assert ("people", ayse.uuid) in outbox(ctx)


def test_the_counter_orders_every_change(ctx: AppContext) -> None:
    ack(ctx)
    start = seqs(ctx)[1]
    ayse = person(ctx, "Ayşe", "Kaya")
    first, counter = seqs(ctx)
    assert first[("people", ayse.person.uuid)] == counter > start
    bo = person(ctx, "Bo", "Berg")
    second, counter2 = seqs(ctx)
    assert second[("people", bo.person.uuid)] == counter2 > counter
    update_person(ctx, ayse.person.id, ayse.person.version, PersonDraft("Ayşe", "Kaya",
                                                                       note="x"))
    third, counter3 = seqs(ctx)
    # The entry carries its LATEST change's number: an ack of the push that took the
    # earlier state can tell it changed while the push was in flight.
    assert third[("people", ayse.person.uuid)] == counter3 > counter2


def test_an_existing_demo_database_migrates_and_records_nothing_old(tmp_path: Path) -> None:
    path = tmp_path / "demo" / "boligsag.db"
    create_demo_database(path, people=40, contacts=300, today=date(2026, 11, 25))
    _downgrade_to_0007(path)
    ctx = unlock(path, DEMO_USERNAME, DEMO_PASSWORD, options=UnlockOptions(
        integrity_check=False))
    try:
        assert migrate.is_at_head(ctx.db.engine)
        # Of the thousands of rows the file held, none is in the outbox: only the
        # sign-in that followed the upgrade, the first change the counter numbered.
        (entry,) = outbox(ctx).items()
        assert entry[0] == ("users", ctx.actor.user_uuid) and entry[1][0::2] == ([], False)
        assert seqs(ctx) == ({entry[0]: 1}, 1)
        with ctx.read() as unit:
            assert unit.session.scalar(select(func.count()).select_from(Contact)) > 200
        with ctx.read() as unit:
            contact = unit.session.scalars(select(Contact).where(
                Contact.deleted_at.is_(None)).limit(1)).one()
        with ctx.db.writing(None) as session:
            session.execute(update(Contact).where(Contact.id == contact.id)
                            .values(note="Ændret efter opgraderingen"))
        assert outbox(ctx) == {entry[0]: entry[1],
                               ("contacts", contact.uuid): (["note"], contact.version, False)}
    finally:
        lock(ctx)


def test_the_demos_synthetic_rows_wait_for_no_server(tmp_path: Path) -> None:
    """A demo's thousands of made-up people and contacts are nothing a team server
    should be sent: they are written without being recorded."""
    path = tmp_path / "demo" / "boligsag.db"
    create_demo_database(path, people=40, contacts=300, today=date(2026, 11, 25))
    ctx = unlock(path, DEMO_USERNAME, DEMO_PASSWORD, options=UnlockOptions(
        integrity_check=False))
    try:
        waiting = {table for table, _uuid in outbox(ctx)}
        assert not waiting & {"people", "households", "contacts", "sessions", "referrals",
                              "activities", "enrollments", "jobs"}, waiting
        with ctx.read() as unit:
            assert unit.session.scalar(select(func.count()).select_from(Person)) >= 40
    finally:
        lock(ctx)


def _downgrade_to_0007(path: Path) -> None:
    """The demo is written at head; taking 0008 away again leaves a file with data as
    revision 0007 wrote it (no outbox, no triggers)."""
    from alembic import command

    from boligsag.storage import keys
    from boligsag.storage.engine import open_engine

    _, db_key = keys.KeyStore.load(keys.keys_path_for(path)).unwrap_for_user(
        DEMO_USERNAME, DEMO_PASSWORD)
    engine = open_engine(path, db_key, integrity_check=False)
    try:
        with engine.begin() as connection:
            command.downgrade(migrate._config(connection), "0007")
            names = _trigger_sql(connection)
            assert not [n for n in names if n.startswith(sync_triggers.PREFIX)]
    finally:
        engine.dispose()


def _trigger_sql(connection: Connection) -> dict[str, str]:
    return dict(connection.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all())


def test_the_triggers_are_the_ones_the_wire_specs_call_for(ctx: AppContext) -> None:
    """A column added to a synced model changes SPECS; until a migration replaces the
    triggers (sync_triggers.replace_statements) this fails, naming the table."""
    wanted = _by_name(sync_triggers.create_statements(sync_triggers.tracked_from_specs(SPECS)))
    with ctx.db.engine.connect() as connection:
        found = {n: s for n, s in _trigger_sql(connection).items()
                 if n.startswith(sync_triggers.PREFIX)}
    assert sorted(found) == sorted(wanted)
    stale = sorted(name for name in wanted if found[name] != wanted[name])
    assert stale == [], f"regenerate the outbox triggers in a migration: {stale}"


def test_a_new_column_fails_the_guard_until_a_migration_replaces_the_triggers(
        ctx: AppContext) -> None:
    """What a later revision does when a synced table gains a column: the guard's
    comparison sees the difference, and replace_statements brings the new column in."""
    tracked = list(sync_triggers.tracked_from_specs(SPECS))
    index = next(i for i, t in enumerate(tracked) if t.table == "households")
    tracked[index] = sync_triggers.Tracked(
        "households", (*tracked[index].fields, ("door_code", "door_code")),
        tracked[index].members)
    wanted = _by_name(sync_triggers.create_statements(tracked))
    with ctx.db.engine.begin() as connection:
        found = _trigger_sql(connection)
        assert [n for n in wanted if found[n] != wanted[n]] == ["sync_outbox_households_update"]
        connection.execute(text("ALTER TABLE households ADD COLUMN door_code VARCHAR(20)"))
        for statement in sync_triggers.replace_statements(found, tracked):
            connection.execute(text(statement))
        assert {n: s for n, s in _trigger_sql(connection).items()
                if n.startswith(sync_triggers.PREFIX)} == wanted
        connection.execute(text("INSERT INTO households (uuid, name, street, postal_code, "
                                "city, phone, note, version) "
                                "VALUES ('h-1', 'Berg', '', '', '', '', '', 1)"))
        connection.execute(text("DELETE FROM sync_outbox"))
        connection.execute(text("UPDATE households SET door_code = '1234' WHERE uuid = 'h-1'"))
        assert connection.execute(text("SELECT fields FROM sync_outbox")).scalar_one() == \
            '["door_code"]'
        connection.rollback()


def _by_name(statements: list[str]) -> dict[str, str]:
    return {s.split()[2]: s for s in statements}

"""Two real app processes on one machine against one team server (issue 12 §4).

Mette and Jonas, staff of the same area, each have a replica (real encrypted files)
joined to the real HTTPS server on PostgreSQL; person P came to both with the join.
Two processes run at the same time, each through the services (tests/server/
laptop_script.py), offline: Mette's logs three contacts with P and changes P's note;
Jonas's changes P's note to something else. Then both sync with the real
``python -m boligsag sync``: Jonas first, then Mette (whose note edit now comes second
from the same base), then Jonas again. Finally the team lead joins.

Shown: the lead's replica holds Mette's three contacts with P, P's note is Jonas's (the
first to reach the server), and there is exactly ONE conflict: P's note, same_field,
with Jonas's value kept and Mette's recorded, who wrote each, unsettled; the engine's
badge count and the Konflikter list (services/sync_client/conflicts.list_conflicts)
agree. Both staff replicas end with the same contacts and note and see the same one
conflict. Then Mette settles it on her laptop, taking her own note; after a sync each,
the lead and Jonas hold her note and the conflict as settled.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from boligsag.services.context import AppContext
from boligsag.services.sync_client import conflicts, engine
from boligsag.storage.models import Contact, Person, SyncConflict, contact_people

from . import laptop_script as work
from .conftest import STAFF, STAFF_PASSWORD, Running, Setup
from .laptops import (
    add_user,
    area_id,
    finished,
    join_replica,
    laptop_process,
    opened,
    run_boligsag,
)

JONAS, JONAS_PASSWORD = "jonas", "jonas-eget-kodeord-9"
LEAD, LEAD_PASSWORD = "lise", "lises-lange-kodeord-4"
METTES_NOTE = "Mette: Flytter til Vollsmose i marts; har bedt om hjælp til flyttekasser."
JONAS_NOTE = "Jonas: Har fået job i Netto fra 1/2; ønsker ikke flere møder i januar."


def _contacts_with(ctx: AppContext, person_uuid: str) -> dict[str, str]:
    with ctx.db.reading() as session:
        return dict(session.execute(
            select(Contact.uuid, Contact.note)
            .join(contact_people, contact_people.c.contact_id == Contact.id)
            .join(Person, Person.id == contact_people.c.person_id)
            .where(Person.uuid == person_uuid, Contact.deleted_at.is_(None))).all())


def _note(ctx: AppContext, person_uuid: str) -> str:
    with ctx.db.reading() as session:
        return session.scalars(select(Person.note).where(Person.uuid == person_uuid)).one()


def _sync(path: Path, username: str, password: str, tmp: Path) -> str:
    done = run_boligsag(["sync", str(path), "--username", username], password, tmp)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_two_app_processes_then_the_lead_sees_both_contacts_and_one_conflict(
        running: Running, setup: Setup, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    began = time.monotonic()
    add_user(setup, monkeypatch, JONAS, "Jonas Berg", "staff", JONAS_PASSWORD)
    add_user(setup, monkeypatch, LEAD, "Lise Krogh", "team_lead", LEAD_PASSWORD)
    mette = join_replica(running, tmp_path / "mette" / "boligsag.db", STAFF, STAFF_PASSWORD)
    with opened(mette, STAFF, STAFF_PASSWORD) as ctx:
        person = work.new_person(ctx, "Amina", "Yusuf", area_id(ctx), "Første samtale.")
        work.sync(ctx, STAFF_PASSWORD)
    jonas = join_replica(running, tmp_path / "jonas" / "boligsag.db", JONAS, JONAS_PASSWORD)

    # Offline, at the same time: two app processes on this machine.
    a = laptop_process(mette, STAFF, STAFF_PASSWORD, tmp_path,
                       ["contacts", person, "Mettes kontakt", "3"],
                       ["person-note", person, METTES_NOTE])
    b = laptop_process(jonas, JONAS, JONAS_PASSWORD, tmp_path,
                       ["person-note", person, JONAS_NOTE])
    made = finished(a)[0]["contacts"]["contacts"]
    finished(b)
    assert len(made) == 3

    out_b = _sync(jonas, JONAS, JONAS_PASSWORD, tmp_path)
    out_a = _sync(mette, STAFF, STAFF_PASSWORD, tmp_path)
    assert "Pushed 1 changes" in out_b and "0 new conflicts" in out_b
    assert "1 new conflicts" in out_a and "0 changes waiting" in out_a, out_a
    _sync(jonas, JONAS, JONAS_PASSWORD, tmp_path)  # brings Mette's contacts to Jonas

    lead = join_replica(running, tmp_path / "lise" / "boligsag.db", LEAD, LEAD_PASSWORD)
    with opened(lead, LEAD, LEAD_PASSWORD) as ctx:
        contacts = _contacts_with(ctx, person)
        assert sorted(contacts) == sorted(made)
        assert sorted(contacts.values()) == [f"Mettes kontakt-{n}" for n in range(3)]
        assert _note(ctx, person) == JONAS_NOTE
        assert engine.open_conflicts(ctx) == 1
        (row,) = conflicts.list_conflicts(ctx)
        with ctx.db.reading() as session:
            stored = session.scalars(select(SyncConflict)).one()
            total = session.scalar(select(func.count()).select_from(SyncConflict))
    assert total == 1
    assert (stored.table_name, stored.row_uuid, stored.field, stored.kind) == (
        "people", person, "note", "same_field")
    assert (json.loads(stored.kept_value), json.loads(stored.other_value)) == (
        JONAS_NOTE, METTES_NOTE)
    assert stored.resolved_at is None
    assert (row.table, row.field, row.person_uuid, row.resolved) == (
        "people", "note", person, False)
    assert (row.kept_raw, row.other_raw) == (JONAS_NOTE, METTES_NOTE)
    assert (row.kept_by, row.other_by) == ("Jonas Berg", "Mette Holm")

    for path, user, password in ((mette, STAFF, STAFF_PASSWORD),
                                 (jonas, JONAS, JONAS_PASSWORD)):
        with opened(path, user, password) as ctx:
            assert sorted(_contacts_with(ctx, person)) == sorted(made), user
            assert _note(ctx, person) == JONAS_NOTE, user
            assert engine.open_conflicts(ctx) == 1, user

    # Mette settles it on her laptop, taking her own note: an edit like any other.
    with opened(mette, STAFF, STAFF_PASSWORD) as ctx:
        conflicts.settle(ctx, stored.uuid, "other")
        assert engine.open_conflicts(ctx) == 0
        outcome = work.sync(ctx, STAFF_PASSWORD)
        assert (outcome.set_aside, outcome.waiting) == (0, 0)
    for path, user, password in ((lead, LEAD, LEAD_PASSWORD),
                                 (jonas, JONAS, JONAS_PASSWORD)):
        with opened(path, user, password) as ctx:
            work.sync(ctx, password)
            assert _note(ctx, person) == METTES_NOTE, user
            assert engine.open_conflicts(ctx) == 0, user
            (row,) = conflicts.list_conflicts(ctx, include_resolved=True)
            assert row.resolved, user
    print(f"\ntest_sync_two_processes: {time.monotonic() - began:.1f} s")
